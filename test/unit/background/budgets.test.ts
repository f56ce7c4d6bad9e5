// I8 through the background's own code: the SessionManager and Router over the real
// storage.session store (on a stand-in with the browser's 10 MiB quota). A page floods one
// conversation with 150 rows of 99 KB and 10,000 small rows "from the buddy"; another
// conversation still goes private and talks both ways; the bytes stay within the budgets. The
// per-tab incoming rate limit drops and counts what a tab sends too fast, and only that tab's.

import { beforeAll, describe, expect, it, vi } from 'vitest';
import { HELD_KEY, HELD_MAX_BYTES, HeldInbox } from '../../../extension/background/held-inbox';
import type { PortRights } from '../../../extension/background/ports';
import { INCOMING_LIMITS, IncomingLimiter } from '../../../extension/background/rate-limit';
import {
  type ConversationRef,
  newRecord,
  SessionManager,
} from '../../../extension/background/session-manager';
import { TAB_TABLE_BYTES, TABS_KEY, type TabRecord, TabTable } from '../../../extension/background/tab-table';
import {
  type ConversationStatus,
  chatBatches,
  LIMITS,
  type StatusResult,
  validateContentRequest,
} from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import * as hash from '../../../src/crypto/hash';
import { BUDGETS, BudgetError, SESSION_QUOTA_BYTES, storedBytes } from '../../../src/store/budgets';
import { conversationId } from '../../../src/store/conversation-id';
import { MemoryArea, MemoryKeyStore, MemorySessionStore } from '../../../src/store/memory';
import { StorageSessionStore } from '../../../src/store/session-storage';
import type { ConversationRecord } from '../../../src/store/types';
import { minichatConversation, SITE, World } from './harness';

let aliceKey: DsaPrivateKey;
let bobKey: DsaPrivateKey;
beforeAll(async () => {
  [aliceKey, bobKey] = await Promise.all([generateDsaKey(), generateDsaKey()]);
});

const ref = (site: string, account: string, peer: string): ConversationRef => ({
  site,
  account,
  protocol: 'minichat',
  peer,
});

describe('a page floods one conversation (I8)', () => {
  it('150 rows of 99 KB and 10,000 small rows stay within the budgets; another conversation goes private and talks both ways', async () => {
    const area = new MemoryArea(); // the browser's 10 MiB quota
    const sessions = new MemorySessionStore(area);
    const keys = new MemoryKeyStore();
    await keys.putKey('alice', 'minichat', aliceKey);
    const alice = new SessionManager({ keys, sessions });
    const flood = ref(SITE, 'alice', 'mallory');
    const big = 'B'.repeat(99_000);
    const notices: string[] = [];
    for (let i = 0; i < 150; i++) {
      const fx = await alice.receive(flood, { id: `big-${i}`, text: `${i} ${big}` });
      expect(fx.transcript).toHaveLength(1);
      // What the panel is handed is cut too: plaintext from the page never reaches 99 KB there.
      expect(fx.transcript[0]!.text.length).toBe(BUDGETS.plainText);
      expect(fx.transcript[0]!.truncated).toBe(99_000 + `${i} `.length);
      for (const n of fx.notices) if (n.kind === 'budget') notices.push(n.what);
    }
    for (let i = 0; i < 10_000; i++) await alice.receive(flood, { id: `small-${i}`, text: `small row ${i}` });
    expect(notices.filter((w) => w === 'truncated')).toHaveLength(150);

    const usage = await sessions.usage();
    expect(usage.transcripts).toBeLessThanOrEqual(BUDGETS.transcriptPerConversation);
    expect(usage.total).toBeLessThanOrEqual(BUDGETS.total);
    expect(area.bytesInUse()).toBeLessThanOrEqual(BUDGETS.total);
    const st = await alice.status(flood);
    expect(st.limits?.truncated).toBe(150);
    expect(st.limits?.trimmed).toBeGreaterThan(5000);
    const kept = await alice.transcript(flood);
    expect(kept.at(-1)!.text).toBe('small row 9999');
    expect(kept.length + (st.limits?.trimmed ?? 0)).toBe(10_150);
    // The state record stays small: its seen ids are fixed-length hashes, 2,000 at most.
    const stateBytes = area.data.get([...area.data.keys()].find((k) => k.includes('mallory'))!)!.length;
    expect(stateBytes).toBeLessThan(BUDGETS.stateBytes);

    // Meanwhile alice talks with bob in another tab of the same site: AKE and messages both ways.
    const bobKeys = new MemoryKeyStore();
    await bobKeys.putKey('bob', 'minichat', bobKey);
    const bob = new SessionManager({ keys: bobKeys, sessions: new MemorySessionStore() });
    const A = ref(SITE, 'alice', 'bob');
    const B = ref(SITE, 'bob', 'alice');
    const read = { alice: [] as string[], bob: [] as string[] };
    let seq = 0;
    const pump = async () => {
      for (let round = 0; round < 20; round++) {
        let moved = false;
        for (const [from, fr, to, tr, who] of [
          [alice, A, bob, B, 'bob'],
          [bob, B, alice, A, 'alice'],
        ] as const) {
          for (const line of await from.pending(fr)) {
            const fx = await to.receive(tr, { id: `m${++seq}`, text: line.wire });
            for (const t of fx.transcript) if (t.dir === 'in') read[who].push(t.text);
            await from.delivered(fr, [line.seq]);
            moved = true;
          }
        }
        if (!moved) return;
      }
    };
    await alice.goPrivate(A);
    await pump();
    expect((await alice.status(A)).state).toBe('encrypted');
    await alice.send(A, 'still here?');
    await pump();
    await bob.send(B, 'yes ✓');
    await pump();
    expect(read.bob).toEqual(['still here?']);
    expect(read.alice).toEqual(['yes ✓']);
    expect((await alice.transcript(A)).filter((t) => t.dir !== 'notice').map((t) => t.text)).toEqual([
      'still here?',
      'yes ✓',
    ]);
    expect(area.bytesInUse()).toBeLessThanOrEqual(BUDGETS.total);
  });

  it('an outbox the page never empties stops growing at its budget, counted', async () => {
    const sessions = new MemorySessionStore();
    const keys = new MemoryKeyStore();
    await keys.putKey('alice', 'minichat', aliceKey);
    const alice = new SessionManager({ keys, sessions });
    const A = ref(SITE, 'alice', 'bob');
    // The page "shows" Query Messages from the buddy and never sends anything we give it.
    for (let i = 0; i < 200; i++) await alice.receive(A, { id: `q${i}`, text: '?OTRv3?' });
    const pending = await alice.pending(A);
    const bytes = pending.reduce((a, l) => a + l.wire.length + 24, 0);
    expect(bytes).toBeLessThanOrEqual(BUDGETS.outboxBytes);
    expect((await alice.status(A)).limits?.outboxDropped).toBeGreaterThan(0);
  });
});

describe('incoming rate limit per tab (I8)', () => {
  it('a bucket refills with time and never holds more than its burst', () => {
    let now = 0;
    const l = new IncomingLimiter(() => now, {
      burstMessages: 3,
      messagesPerSecond: 1,
      burstChars: 100,
      charsPerSecond: 10,
    });
    expect([1, 2, 3, 4].map(() => l.take(1, 10))).toEqual([true, true, true, false]);
    expect(l.take(2, 10)).toBe(true);
    now = 1000;
    expect(l.take(1, 10)).toBe(true);
    expect(l.take(1, 10)).toBe(false);
    now = 100_000;
    expect([1, 2, 3, 4].map(() => l.take(1, 10))).toEqual([true, true, true, false]);
    // Characters count too: a 99 KB row costs 99,000.
    expect(l.take(3, 101)).toBe(false);
  });

  it('remembers dropped rows at a fixed size whatever ids the page gives, and each once', () => {
    const l = new IncomingLimiter(() => 0);
    const long = (i: number) => `${'r'.repeat(190)}${i}`;
    for (let i = 0; i < 1000; i++) expect(l.noteDropped(1, long(i), 5)).toBe(true);
    expect(l.noteDropped(1, long(7), 5)).toBe(false);
    expect(l.noteDropped(1, long(7), 6)).toBe(true);
    expect(l.droppedMemoryChars(1)).toBe(1001 * 16);
    expect(l.noteProcessed(1, long(7), 5)).toBe(true);
    expect(l.noteProcessed(1, long(7), 5)).toBe(false);
  });

  it('drops what one tab sends over its rate, counts it in that tab’s status, and leaves other tabs alone', async () => {
    const w = new World(async () => aliceKey);
    const tab = (tabId: number, peer: string) => {
      const rights: PortRights = {
        kind: 'content',
        tabId,
        frameId: 0,
        url: `${SITE}/?peer=${peer}`,
        origin: SITE,
      };
      return { rights, port: w.connect(rights) };
    };
    const t1 = tab(1, 'mallory');
    const t2 = tab(2, 'bob');
    for (const [t, peer] of [
      [t1, 'mallory'],
      [t2, 'bob'],
    ] as const) {
      await t.port.req({ type: 'hello', url: t.rights.kind === 'content' ? t.rights.url : '' });
      await t.port.req(minichatConversation(peer));
    }
    const rows = (from: string, start: number, count: number) =>
      Array.from({ length: count }, (_, i) => ({
        id: `r${start + i}`,
        from,
        text: `hello ${start + i}`,
        own: false,
      }));
    for (let b = 0; b < 3; b++)
      await t1.port.req({ type: 'chat-messages', messages: rows('mallory', b * 200, 200), history: false });
    await t2.port.req({ type: 'chat-messages', messages: rows('bob', 0, 10), history: false });
    const page = w.connect({
      kind: 'page',
      url: 'chrome-extension://x/extension/popup/index.html',
      tabId: null,
    });
    const s1 = (await page.req({ type: 'status', tabId: 1 })) as StatusResult;
    const s2 = (await page.req({ type: 'status', tabId: 2 })) as StatusResult;
    expect(s1.tab?.dropped).toBe(600 - INCOMING_LIMITS.burstMessages);
    expect(s2.tab?.dropped).toBeUndefined();
    // The content script sends a batch again (its request failed): nothing is counted twice.
    await t1.port.req({ type: 'chat-messages', messages: rows('mallory', 400, 200), history: false });
    expect(((await page.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped).toBe(200);
    // The page reconnects (a worker restart makes it say hello again): the count stays.
    await t1.port.req({ type: 'hello', url: t1.rights.kind === 'content' ? t1.rights.url : '' });
    await t1.port.req(minichatConversation('mallory'));
    const mallory = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'mallory' };
    expect(await w.manager.transcript(mallory)).toHaveLength(INCOMING_LIMITS.burstMessages);
    expect(await w.manager.transcript({ ...mallory, peer: 'bob' })).toHaveLength(10);
    // The page shows processed rows again (a reload): they cost nothing and are not dropped.
    await t1.port.req({ type: 'chat-messages', messages: rows('mallory', 0, 200), history: true });
    expect(((await page.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped).toBe(200);
    // Time passes: the tab may send again, and a dropped row shown again is processed now.
    w.clock += 2000;
    await t1.port.req({ type: 'chat-messages', messages: rows('mallory', 1000, 50), history: false });
    await t1.port.req({ type: 'chat-messages', messages: rows('mallory', 500, 1), history: false });
    const texts = (await w.manager.transcript(mallory)).map((t) => t.text);
    expect(texts).toHaveLength(INCOMING_LIMITS.burstMessages + 51);
    expect(texts.at(-1)).toBe('hello 500');
    // Processed after all: no longer counted as dropped (every row is one or the other, once).
    expect(((await page.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped).toBe(199);
    // The side panel showing the tab reads the count in the conversation's status (its budget
    // line), and hears at once when a batch is dropped whole.
    const panel = w.connect({ kind: 'panel', url: 'chrome-extension://x/extension/panel/index.html?tab=1' });
    const hello = (await panel.req({ type: 'panel-hello', tabId: 1 })) as { status: ConversationStatus };
    expect(hello.status.limits?.dropped).toBe(199);
    await t1.port.req({ type: 'chat-messages', messages: rows('mallory', 3000, 200), history: false });
    const now = ((await page.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped ?? 0;
    expect(now).toBeGreaterThan(199);
    const pushed = panel.pushes.filter((e) => e.type === 'status').at(-1);
    expect(pushed?.type === 'status' && pushed.status.limits?.dropped).toBe(now);
    // Another tab's panel does not see this tab's count.
    expect(panel.pushes.some((e) => e.type === 'status' && e.tabId !== 1)).toBe(false);
  });

  it('refuses a chat-messages batch over its character budget; the content script splits what it sends to fit', () => {
    const m = (i: number, chars: number) => ({
      id: `r${i}`,
      from: 'bob',
      text: 'y'.repeat(chars),
      own: false,
    });
    const twelve = Array.from({ length: 12 }, (_, i) => m(i, 99_000));
    expect(
      validateContentRequest({ type: 'chat-messages', id: 1, messages: twelve, history: false }),
    ).toBeNull();
    expect(
      validateContentRequest({ type: 'chat-messages', id: 1, messages: twelve.slice(0, 10), history: false }),
    ).not.toBeNull();
    const split = chatBatches(
      [...twelve, ...Array.from({ length: 300 }, (_, i) => m(100 + i, 5))].map((x) => ({ m: x })),
    );
    expect(split.map((b) => b.length)).toEqual([10, 2 + 198, 102]);
    for (const b of split)
      expect(
        validateContentRequest({ type: 'chat-messages', id: 1, messages: b.map((x) => x.m), history: false }),
      ).not.toBeNull();
    expect(LIMITS.chatBatchChars).toBeLessThan(LIMITS.chatBatch * LIMITS.chatText);
  });
});

describe('what a flood costs per message (I8)', () => {
  const contentTab = (tabId: number, peer: string): PortRights => ({
    kind: 'content',
    tabId,
    frameId: 0,
    url: `${SITE}/?peer=${peer}`,
    origin: SITE,
  });
  const report = minichatConversation;

  it('draws the toolbar button only when its look changes, and again after a reload or a restart', async () => {
    // Drawing sets the icon, which the browser loads and decodes: once per incoming message it
    // held a flooding page to ~20 messages/s (the flood e2e timed out on it).
    const w = new World(async () => aliceKey);
    const rights = contentTab(1, 'mallory');
    const page = w.connect(rights);
    await page.req({ type: 'hello', url: rights.kind === 'content' ? rights.url : '' });
    await page.req(report('mallory'));
    expect(w.badges.get(1)).toEqual(['ready', '']);
    const drawn = w.draws.length;
    for (let b = 0; b < 3; b++)
      await page.req({
        type: 'chat-messages',
        messages: Array.from({ length: 100 }, (_, i) => ({
          id: `r${b}-${i}`,
          from: 'mallory',
          text: `row ${b}-${i}`,
          own: false,
        })),
        history: false,
      });
    const mallory = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'mallory' };
    expect(await w.manager.transcript(mallory)).toHaveLength(300);
    expect(w.draws.length).toBe(drawn);
    // The page reloads: the browser has reset the tab's button, so it is drawn again, unchanged.
    const reloaded = w.connect(rights);
    await reloaded.req({ type: 'hello', url: rights.kind === 'content' ? rights.url : '' });
    expect(w.draws.length).toBe(drawn + 1);
    // A restarted worker knows nothing of what was drawn: it draws every tab again.
    w.restart();
    await w.router.restoreBadges();
    expect(w.draws.length).toBe(drawn + 2);
    expect(w.badges.get(1)).toEqual(['ready', '']);
  });

  /** What the worker does, counted: storage reads, SHA-256 calls and bytes hashed, key store reads, pushes. */
  function meter(w: World, ...ports: { pushes: unknown[] }[]) {
    const m = { reads: [] as string[], hashes: 0, hashed: 0, keyReads: 0, pushes: 0 };
    const get = w.area.get.bind(w.area);
    w.area.get = async (keys) => {
      m.reads.push(...(keys === null ? ['*'] : typeof keys === 'string' ? [keys] : keys));
      return get(keys);
    };
    const sha = vi.spyOn(hash, 'sha256');
    const fps = vi.spyOn(w.keys, 'getFingerprints');
    const pub = vi.spyOn(w.keys, 'getPublicKey');
    const pushed = ports.map((p) => p.pushes.length);
    return {
      read: () => {
        m.hashes = sha.mock.calls.length;
        // Of rows' texts (short inputs are ids, chunk and row keys).
        m.hashed = sha.mock.calls.reduce((a, [data]) => a + (data.length > 100 ? data.length : 0), 0);
        m.keyReads = fps.mock.calls.length + pub.mock.calls.length;
        m.pushes = ports.reduce((a, p, i) => a + p.pushes.length - pushed[i]!, 0);
        return m;
      },
      stop: () => {
        sha.mockRestore();
        fps.mockRestore();
        pub.mockRestore();
        w.area.get = get;
      },
    };
  }

  const rowsOf = (from: number, count: number, chars: number) =>
    Array.from({ length: count }, (_, i) => ({
      id: `r${from + i}`,
      from: 'bob',
      text: `${from + i} `.padEnd(chars, 'y'),
      own: false,
    }));

  it('a row processed before costs no storage read, no hash and no status when the page shows it again', async () => {
    const w = new World(async () => aliceKey);
    const rights = contentTab(1, 'bob');
    const page = w.connect(rights);
    await page.req({ type: 'hello', url: rights.kind === 'content' ? rights.url : '' });
    await page.req(report('bob'));
    const panel = w.connect({ kind: 'panel', url: 'chrome-extension://x/extension/panel/index.html?tab=1' });
    await panel.req({ type: 'panel-hello', tabId: 1 });
    const popup = w.connect({
      kind: 'page',
      url: 'chrome-extension://x/extension/popup/index.html',
      tabId: null,
    });
    const rows = rowsOf(0, 200, 1000);
    // New rows: the held inbox, known empty after one read, is not read again for each.
    const first = meter(w);
    try {
      await page.req({ type: 'chat-messages', messages: rows, history: false });
      expect(first.read().reads.filter((k) => k === HELD_KEY).length).toBeLessThanOrEqual(1);
    } finally {
      first.stop();
    }
    const bob = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'bob' };
    expect(await w.manager.transcript(bob)).toHaveLength(200);

    // The page shows the same rows again, five times over, as new and as history.
    const m = meter(w, panel, popup, page);
    try {
      for (let i = 0; i < 5; i++)
        await page.req({ type: 'chat-messages', messages: rows, history: i % 2 === 1 });
      const cost = m.read();
      // Before: per row the held inbox and (once) the state read, a SHA-256 of the row, the key
      // store read for the status, and a status pushed to the panel and the popup.
      expect(cost).toEqual({ reads: Array(5).fill('tabs'), hashes: 0, hashed: 0, keyReads: 0, pushes: 0 });
    } finally {
      m.stop();
    }
    // Nothing processed twice, nothing counted dropped; a new row is processed as before.
    await page.req({
      type: 'chat-messages',
      messages: [...rows.slice(0, 50), ...rowsOf(200, 1, 10)],
      history: false,
    });
    const texts = (await w.manager.transcript(bob)).map((t) => t.text);
    expect(texts).toHaveLength(201);
    expect(texts.at(-1)).toBe(rowsOf(200, 1, 10)[0]!.text);
    expect(((await popup.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped).toBeUndefined();
  });

  it('rows a restarted worker does not know are paid from the tab’s rate before their text is hashed', async () => {
    const w = new World(async () => aliceKey);
    const rights = contentTab(1, 'bob');
    const connect = async () => {
      const page = w.connect(rights);
      await page.req({ type: 'hello', url: rights.kind === 'content' ? rights.url : '' });
      await page.req(report('bob'));
      return page;
    };
    let page = await connect();
    // 1,000 rows of ~4,900 characters (five full batches), processed: time passes between batches.
    const batches = Array.from({ length: 5 }, (_, b) => rowsOf(b * 200, 200, 4900));
    for (const rows of batches) {
      await page.req({ type: 'chat-messages', messages: rows, history: false });
      w.clock += 100_000;
    }
    const bob = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'bob' };
    const processed =
      (await w.manager.transcript(bob)).length + ((await w.manager.status(bob)).limits?.trimmed ?? 0);
    expect(processed).toBe(1000);
    // A new worker: it knows none of them. The page shows them all again at once.
    w.restart();
    page = await connect();
    const popup = w.connect({
      kind: 'page',
      url: 'chrome-extension://x/extension/popup/index.html',
      tabId: null,
    });
    const dropped = async () =>
      ((await popup.req({ type: 'status', tabId: 1 })) as StatusResult).tab?.dropped ?? 0;
    const m = meter(w);
    try {
      for (const rows of batches) await page.req({ type: 'chat-messages', messages: rows, history: false });
      // Before: 1,000 rows hashed (4.9 MB), however fast they came. Now the tab's characters pay.
      const { hashed } = m.read();
      expect(hashed).toBeGreaterThan(INCOMING_LIMITS.burstChars * 0.9);
      expect(hashed).toBeLessThanOrEqual(INCOMING_LIMITS.burstChars);
      const over = await dropped();
      expect(over).toBeGreaterThan(100);
      // Time passes; the page shows the last rows again: those dropped are looked at now, found
      // processed, and no longer counted as dropped. Never more hashing than the tab's rate.
      w.clock += 100_000;
      await page.req({ type: 'chat-messages', messages: batches[4]!, history: false });
      expect(m.read().hashed - hashed).toBeLessThanOrEqual(INCOMING_LIMITS.burstChars);
    } finally {
      m.stop();
    }
    expect(await dropped()).toBe(0);
    expect(
      (await w.manager.transcript(bob)).length + ((await w.manager.status(bob)).limits?.trimmed ?? 0),
    ).toBe(1000);
  });

  it('a tab table update that changes nothing writes nothing', async () => {
    const area = new MemoryArea();
    let writes = 0;
    const counted = {
      get: (k: string | string[] | null) => area.get(k),
      remove: (k: string | string[]) => area.remove(k),
      set: async (items: Record<string, unknown>) => {
        writes++;
        await area.set(items);
      },
    };
    const tabs = new TabTable(counted);
    const rec = {
      url: `${SITE}/`,
      origin: SITE,
      connection: 'c1',
      conversation: null,
      ref: null,
      privateMode: false,
      badge: 'ready' as const,
      alert: '' as const,
    };
    await tabs.update(1, () => rec);
    expect(writes).toBe(1);
    expect(await tabs.update(1, (old) => old)).toEqual(rec);
    expect(await tabs.update(2, (old) => old)).toBeNull();
    expect(writes).toBe(1);
    await tabs.update(1, (old) => (old ? { ...old, dropped: 3 } : old));
    expect(writes).toBe(2);
    expect((await tabs.get(1))?.dropped).toBe(3);
    expect(await tabs.get(2)).toBeNull();
  });
});

describe('what reading a transcript costs', () => {
  const record = (): ConversationRecord => newRecord(1);

  /** A worker over a chat of CHAT entries (~510 KB as counted, 31 chunks) in tab 1, and a meter on storage reads. */
  const CHAT = 1450;
  async function longChat() {
    const w = new World(async () => aliceKey);
    const rights: PortRights = { kind: 'content', tabId: 1, frameId: 0, url: `${SITE}/`, origin: SITE };
    const page = w.connect(rights);
    await page.req({ type: 'hello', url: `${SITE}/` });
    await page.req(minichatConversation());
    const bob = ref(SITE, 'alice', 'bob');
    const entries = Array.from({ length: CHAT }, (_, i) => ({
      id: `in-${i}`,
      dir: 'in' as const,
      text: `${i} `.padEnd(20, 'x'),
      at: i,
      encrypted: true,
    }));
    for (let i = 0; i < entries.length; i += 500)
      await w.sessions.save(conversationId(bob), record(), {
        append: entries.slice(i, i + 500),
      });
    // A new worker: nothing of the transcript is in its memory.
    w.restart();
    const read = { chunks: 0, bytes: 0 };
    const get = w.area.get.bind(w.area);
    w.area.get = async (keys) => {
      const got = await get(keys);
      for (const [k, v] of Object.entries(got))
        if (k.startsWith('tc:')) {
          read.chunks++;
          read.bytes += storedBytes(k, v);
        }
      return got;
    };
    return { w, bob, read, stored: await w.sessions.usage() };
  }

  it('a panel’s hello reads the chunks holding the entries it shows, not the whole transcript', async () => {
    const { w, read, stored } = await longChat();
    const panel = w.connect({ kind: 'panel', url: 'chrome-extension://x/extension/panel/index.html?tab=1' });
    const hello = (await panel.req({ type: 'panel-hello', tabId: 1 })) as { transcript: { id: string }[] };
    expect(hello.transcript.map((e) => e.id)).toEqual(
      Array.from({ length: LIMITS.transcript }, (_, i) => `in-${CHAT - LIMITS.transcript + i}`),
    );
    // Before: every chunk (~440 KB). Now: the newest chunks up to 1,000 entries, one chunk more at most.
    expect(read.bytes).toBeLessThan(stored.transcripts * 0.75);
    expect(read.chunks).toBeLessThanOrEqual(Math.ceil((LIMITS.transcript / CHAT) * 32) + 1);
  });

  it('the panic wipe counts the entries it erases without reading any transcript', async () => {
    const { w, read } = await longChat();
    const popup = w.connect({
      kind: 'page',
      url: 'chrome-extension://x/extension/popup/index.html',
      tabId: null,
    });
    const report = (await popup.req({ type: 'panic-wipe' })) as {
      transcriptEntries: number;
      conversations: number;
    };
    expect(report).toMatchObject({ conversations: 1, transcriptEntries: CHAT });
    expect(read).toEqual({ chunks: 0, bytes: 0 });
    expect(await w.sessions.list()).toEqual([]);
  });
});

describe('everything a page can make us keep, at once, fits in storage.session (I8)', () => {
  const tabRecord = (n: number, url: string): TabRecord => ({
    url,
    origin: `https://site${n}.example`,
    connection: `c${n}`,
    conversation: null,
    ref: null,
    privateMode: false,
    badge: 'ready',
    alert: '',
  });

  it('the tab table refuses to grow past its budget, for the growing tab only; records may shrink or go', async () => {
    const area = new MemoryArea();
    const tabs = new TabTable(area, 8192);
    const url = (n: number, len: number) => `https://site${n}.example/${'p'.repeat(len)}`;
    let added = 0;
    for (let n = 1; n <= 10; n++) {
      try {
        await tabs.update(n, () => tabRecord(n, url(n, 2000)));
        added++;
      } catch (e) {
        expect(e).toBeInstanceOf(BudgetError);
      }
    }
    expect(added).toBe(3);
    const stored = area.data.get(TABS_KEY);
    expect(storedBytes(TABS_KEY, JSON.parse(stored!))).toBeLessThanOrEqual(8192);
    // Refused: nothing of it stored; the others unchanged.
    await expect(tabs.update(9, () => tabRecord(9, url(9, 2000)))).rejects.toBeInstanceOf(BudgetError);
    expect(area.data.get(TABS_KEY)).toBe(stored);
    expect(await tabs.get(9)).toBeNull();
    // A tab already there may still change to something smaller, and a closed tab makes room.
    await tabs.update(1, (old) => (old ? { ...old, url: url(1, 10) } : old));
    expect((await tabs.get(1))?.url).toBe(url(1, 10));
    await tabs.update(2, () => null);
    await tabs.update(9, () => tabRecord(9, url(9, 2000)));
    expect((await tabs.get(9))?.origin).toBe('https://site9.example');
  });

  it('the store, the tab table and the held inbox all full together leave room in the 10 MiB quota', async () => {
    const area = new MemoryArea(SESSION_QUOTA_BYTES); // throws "quota exceeded" as the browser does
    const store = new StorageSessionStore(area);
    // Conversations with large state records (a long outbox) and transcripts, site after site,
    // until the store refuses; every other failure (the quota) would throw here.
    let refused = false;
    let n = 0;
    for (let site = 0; site < 8 && !refused; site++)
      for (let p = 0; p < BUDGETS.conversationsPerSite && !refused; p++) {
        const id = `conv:${JSON.stringify([`https://s${site}.example`, 'me', 'proto', `p${p}`])}`;
        const rec: ConversationRecord = {
          v: 2,
          session: null,
          privateMode: true,
          outbox: [{ seq: 1, wire: 'o'.repeat(BUDGETS.stateBytes - 4000) }],
          nextSeq: 2,
          seen: '',
          fingerprintChanged: false,
          updated: ++n,
        };
        const append = Array.from({ length: 4 }, (_, i) => ({
          id: `e${n}-${i}`,
          dir: 'in' as const,
          text: 'x'.repeat(30_000),
          at: n,
          encrypted: true,
        }));
        try {
          await store.save(id, rec, { append });
        } catch (e) {
          expect(e).toBeInstanceOf(BudgetError);
          refused = true;
        }
      }
    expect(refused).toBe(true);
    expect((await store.usage()).total).toBeLessThanOrEqual(BUDGETS.total);
    // The tab table, full of the longest records the validators let through.
    const tabs = new TabTable(area);
    let tabsFull = false;
    for (let t = 1; t < 2000 && !tabsFull; t++)
      await tabs
        .update(t, () => tabRecord(t, `https://site${t}.example/${'\u0001'.repeat(LIMITS.url - 40)}`))
        .catch((e) => {
          expect(e).toBeInstanceOf(BudgetError);
          tabsFull = true;
        });
    expect(tabsFull).toBe(true);
    // The held inbox, full of control characters (6 bytes of JSON each).
    const inbox = new HeldInbox(area);
    const ref = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'bob' };
    let held = 0;
    while (await inbox.add({ tabId: 1, ref, msg: { id: `h${held}`, text: '\u0001'.repeat(5000) }, at: held }))
      held++;
    expect(held).toBeGreaterThan(0);
    // All three at their budgets: at least 1/16 of the quota is left for the small keys (lock,
    // keygen) and for a browser that counts a little differently.
    expect(area.bytesInUse()).toBeLessThanOrEqual(SESSION_QUOTA_BYTES - SESSION_QUOTA_BYTES / 16);
    expect(BUDGETS.total + TAB_TABLE_BYTES + HELD_MAX_BYTES).toBeLessThanOrEqual(
      SESSION_QUOTA_BYTES - SESSION_QUOTA_BYTES / 16,
    );
  });
});
