// The Router with memory stores and a fake port layer: a "worker" is a Router + SessionManager
// built over stores that outlive it (as IndexedDB and storage.session outlive the MV3 worker);
// restart() throws the worker away, drops every port, and builds a new one. The buddy is a plain
// SessionManager. Checks rights per port kind, that plaintext reaches only the panel showing the tab,
// that a conversation survives a restart between EVERY step (0 lost, 0 doubled, one D-H Commit),
// that a reconnecting content script gets the unacknowledged lines again, and that messages are
// handled while a key is being generated.

import { beforeAll, describe, expect, it } from 'vitest';
import type { PortRights } from '../../../extension/background/ports';
import { type ConversationRef, SessionManager } from '../../../extension/background/session-manager';
import { TabTable } from '../../../extension/background/tab-table';
import { REFUSAL } from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { MemoryKeyStore, MemorySessionStore } from '../../../src/store/memory';
import type { TranscriptEntry } from '../../../src/store/types';
import { minichatConversation, type Port, SITE, World } from './harness';

const TAB = 7;
const isDhCommit = (w: string) => /^\?OTR:AA[MI]C/.test(w);

let aliceKey: DsaPrivateKey;
let bobKey: DsaPrivateKey;
beforeAll(async () => {
  [aliceKey, bobKey] = await Promise.all([generateDsaKey(), generateDsaKey()]);
});

const contentRights: PortRights = {
  kind: 'content',
  tabId: TAB,
  frameId: 0,
  url: `${SITE}/?me=alice&peer=bob`,
  origin: SITE,
};
const panelRights: PortRights = {
  kind: 'panel',
  url: `chrome-extension://x/extension/panel/index.html?tab=${TAB}`,
};

/** A side panel showing TAB: its hello (the conversation id to bind sends to) and its port. */
async function openPanel(
  w: World,
  tabId = TAB,
): Promise<{ port: Port; conv: string | null; transcript: TranscriptEntry[] }> {
  const port = w.connect(panelRights);
  const r = (await port.req({ type: 'panel-hello', tabId })) as {
    conv: string | null;
    transcript: TranscriptEntry[];
  };
  return { port, conv: r.conv, transcript: r.transcript };
}
const pageRights: PortRights = {
  kind: 'page',
  url: 'chrome-extension://x/extension/popup/index.html',
  tabId: null,
};

/** The content script's side, as content-scripts/chat.ts behaves: hello, conversation, rows, acks. */
class Page {
  port!: Port;
  /** Rows the chat page shows (the buddy's and our own). */
  readonly rows: { id: string; from: string; text: string; own: boolean }[] = [];
  private reported = new Set<string>();
  private sentSeqs = new Set<number>();
  /** Lines this page put into the chat, in order. */
  readonly sentLines: string[] = [];

  constructor(private readonly world: World) {}

  async connect(): Promise<void> {
    this.port = this.world.connect(contentRights);
    await this.port.req({ type: 'hello', url: contentRights.kind === 'content' ? contentRights.url : '' });
    await this.port.req(minichatConversation());
    await this.report();
  }

  /** Reports rows not yet taken (acknowledged) by the background. */
  async report(): Promise<void> {
    const fresh = this.rows.filter((r) => !this.reported.has(r.id));
    if (fresh.length === 0) return;
    await this.port.req({ type: 'chat-messages', messages: fresh, history: false });
    for (const r of fresh) this.reported.add(r.id);
  }

  /**
   * Sends pushed lines into the chat (once each) and acks them; the chat shows each back as our
   * own row, which the content script reports as delivered. Returns what it sent now.
   */
  async drain(): Promise<string[]> {
    const out: string[] = [];
    const pushes = this.port.pushes.splice(0);
    for (const e of pushes) {
      if (e.type !== 'send-wire') continue;
      for (const l of e.lines) {
        if (!this.sentSeqs.has(l.seq)) {
          this.sentSeqs.add(l.seq);
          this.sentLines.push(l.wire);
          out.push(l.wire);
        }
        await this.port.req({ type: 'wire-sent', seq: l.seq });
        await this.port.req({ type: 'wire-delivered', seqs: [l.seq] });
      }
    }
    return out;
  }
}

/** The tab's page reporting that its chat is now with carol (a chat switch). */
const SWITCHED_TO_CAROL = minichatConversation('carol');

const BOB: ConversationRef = { site: SITE, account: 'bob', protocol: 'minichat', peer: 'alice' };

describe('Router: rights per port', () => {
  it('refuses requests a port kind may not send, and counts them', async () => {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const content = w.connect(contentRights);
    const panel = w.connect(panelRights);
    const page = w.connect(pageRights);
    const spoofs: [Port, Record<string, unknown>][] = [
      [content, { type: 'key-export', id: 1 }],
      [content, { type: 'go-private', id: 2, tabId: TAB }],
      [content, { type: 'panel-send', id: 3, tabId: TAB, conv: 'c', text: 'hi' }],
      [content, { type: 'chat-messages', id: 4, messages: 'x', history: false }],
      [content, { type: 'panel-hello', id: 10, tabId: TAB }],
      [panel, { type: 'keys-list', id: 5 }],
      [panel, { type: 'chat-messages', id: 6, messages: [], history: false }],
      [panel, { type: 'panel-send', id: 11, tabId: TAB, text: 'no conversation named' }],
      [panel, { type: 'key-export', id: 12 }],
      [page, { type: 'wire-sent', id: 7, seq: 1 }],
      [page, { type: 'panel-send', id: 8, tabId: TAB, conv: 'c', text: 'hi' }],
      [page, { type: 'go-private', id: 9, tabId: 'x' }],
    ];
    for (const [p, m] of spoofs) expect(await p.send(m)).toBeNull();
    expect(w.stats.invalidMessages).toBe(spoofs.length);
  });

  it('takes the conversation site from the sender, and a content script never receives plaintext', async () => {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const page = new Page(w);
    await page.connect();
    // hello with another origin's URL is refused (identity comes from the sender).
    await expect(page.port.req({ type: 'hello', url: 'http://evil.example/' })).rejects.toThrow();
    const tabs = await new TabTable(w.area).get(TAB);
    expect(tabs?.ref?.site).toBe(SITE);
    // Plain chat row from the buddy: handled, shown in the panel only.
    const { port: transcript, conv } = await openPanel(w);
    // A panel showing another tab hears nothing of this one.
    const other = await openPanel(w, TAB + 1);
    page.rows.push({ id: 'm1', from: 'bob', text: 'hello in clear', own: false });
    page.rows.push({ id: 'm2', from: 'alice', text: 'my own echo', own: true });
    await page.report();
    const shown = transcript.pushes.flatMap((e) =>
      e.type === 'transcript' ? e.entries.map((t) => t.text) : [],
    );
    expect(shown).toEqual(['hello in clear']);
    expect(other.port.pushes.filter((e) => e.type === 'transcript')).toEqual([]);
    expect(page.port.pushes.every((e) => e.type === 'send-wire' || e.type === 'private-mode')).toBe(true);
    // The panel never sends in clear.
    expect(conv).not.toBeNull();
    await expect(
      transcript.req({ type: 'panel-send', tabId: TAB, conv: conv as string, text: 'secret' }),
    ).rejects.toThrow(REFUSAL.notPrivate);
    expect(await page.drain()).toEqual([]);
  });
});

describe('Router: a conversation with the worker restarted between every step', () => {
  /**
   * alice: the extension behind the Router (content script, frames, popup as fake ports);
   * bob: a SessionManager. Every line crosses "the chat"; with `restart`, alice's worker is
   * thrown away before each delivery and each user action, and every port reconnects.
   */
  async function conversation(restart: boolean) {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const bobKeys = new MemoryKeyStore();
    await bobKeys.putKey('bob', 'minichat', bobKey);
    const bob = new SessionManager({ keys: bobKeys, sessions: new MemorySessionStore() });
    const page = new Page(w);
    const wire: { from: string; text: string }[] = [];
    const bobRead: string[] = [];
    let aliceView: TranscriptEntry[] = [];
    let transcript: Port;
    let conv = '';
    let rowId = 0;

    const reconnect = async () => {
      if (restart) w.restart();
      if (!page.port?.alive) await page.connect();
      if (!transcript?.alive) {
        // As the panel does: the whole transcript on every (re)connect, pushes merged by id.
        const r = await openPanel(w);
        transcript = r.port;
        conv = r.conv ?? '';
        aliceView = r.transcript;
      }
    };
    const collectAlice = () => {
      for (const e of transcript.pushes.splice(0))
        if (e.type === 'transcript')
          for (const t of e.entries) if (!aliceView.some((o) => o.id === t.id)) aliceView.push(t);
    };
    /** Moves lines both ways until quiet. */
    const pump = async () => {
      for (let round = 0; round < 40; round++) {
        await reconnect();
        const fromAlice = await page.drain();
        collectAlice();
        for (const text of fromAlice) {
          wire.push({ from: 'alice', text });
          const fx = await bob.receive(BOB, { id: `m${++rowId}`, text });
          for (const t of fx.transcript) if (t.dir === 'in') bobRead.push(t.text);
          for (const l of fx.wire) await bob.delivered(BOB, [l.seq]);
          for (const l of fx.wire) {
            wire.push({ from: 'bob', text: l.wire });
            page.rows.push({ id: `m${++rowId}`, from: 'bob', text: l.wire, own: false });
          }
        }
        await reconnect();
        const before = page.sentLines.length;
        await page.report();
        collectAlice();
        const moved =
          fromAlice.length > 0 ||
          page.port.pushes.some((e) => e.type === 'send-wire') ||
          page.sentLines.length > before;
        if (!moved) return;
      }
      throw new Error('did not settle');
    };
    const popup = async (msg: Record<string, unknown>) => {
      await reconnect();
      return w.connect(pageRights).req(msg);
    };
    const aliceSays = async (text: string) => {
      await reconnect();
      await transcript.req({ type: 'panel-send', tabId: TAB, conv, text });
      await pump();
    };
    const bobSays = async (text: string) => {
      const fx = await bob.send(BOB, text);
      for (const l of fx.wire) {
        await bob.delivered(BOB, [l.seq]);
        wire.push({ from: 'bob', text: l.wire });
        page.rows.push({ id: `m${++rowId}`, from: 'bob', text: l.wire, own: false });
      }
      await pump();
    };

    await reconnect();
    await popup({ type: 'go-private', tabId: TAB });
    await pump();
    expect((await bob.status(BOB)).state).toBe('encrypted');
    for (const t of ['a1', 'a2', 'a3']) await aliceSays(t);
    for (const t of ['b1', 'b2', 'b3']) await bobSays(t);
    await popup({ type: 'smp-start', tabId: TAB, secret: 'purple', question: 'colour?' });
    await pump();
    const fx = await bob.answerSmp(BOB, 'purple');
    for (const l of fx.wire) {
      await bob.delivered(BOB, [l.seq]);
      page.rows.push({ id: `m${++rowId}`, from: 'bob', text: l.wire, own: false });
    }
    await pump();
    // Reported as history (a reload's first scan, old rows a virtualized list mounts again): an
    // old plain row is not a new message; ciphertext that arrived meanwhile is read.
    const late = await bob.send(BOB, 'b4 during a reload');
    for (const l of late.wire) await bob.delivered(BOB, [l.seq]);
    await reconnect();
    await page.port.req({
      type: 'chat-messages',
      history: true,
      messages: [
        { id: 'old-1', from: 'bob', text: 'an old row in clear', own: false },
        ...late.wire.map((l) => ({ id: `m${++rowId}`, from: 'bob', text: l.wire, own: false })),
      ],
    });
    await pump();
    const status = (await popup({ type: 'status', tabId: TAB })) as {
      status: { state: string; trust: string };
      tab: { badge: string };
    };
    const aliceRead = aliceView.filter((t) => t.dir === 'in').map((t) => t.text);
    const notices = aliceView.filter((t) => t.dir === 'notice').map((t) => t.notice);
    return { w, bobRead, aliceRead, wire, status, notices };
  }

  for (const restart of [false, true]) {
    it(restart ? 'restarted before every step: same outcome' : 'without restarts', async () => {
      const r = await conversation(restart);
      expect(r.bobRead).toEqual(['a1', 'a2', 'a3']);
      expect(r.aliceRead).toEqual(['b1', 'b2', 'b3', 'b4 during a reload']);
      expect(r.wire.filter((l) => isDhCommit(l.text))).toHaveLength(1);
      expect(r.wire.filter((l) => l.text.startsWith('?OTR Error'))).toEqual([]);
      expect(r.status.status.state).toBe('encrypted');
      expect(r.status.status.trust).toBe('smp');
      expect(r.status.tab.badge).toBe('private');
      // What happened is in the transcript, in order, once each (memory only, like the messages).
      expect(r.notices).toEqual(['started', 'smp-succeeded']);
      expect(r.w.badges.get(TAB)).toEqual(['private', '']);
      if (restart) expect(r.w.restarts).toBeGreaterThan(30);
    }, 60_000);
  }

  it('a line produced while the tab had no live port is pushed again when it reconnects', async () => {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const page = new Page(w);
    await page.connect();
    // The popup asks for privacy; the tab's port died with the worker right after.
    await w.connect(pageRights).req({ type: 'go-private', tabId: TAB });
    page.port.alive = false;
    w.restart();
    await page.connect();
    const sent = await page.drain();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^\?OTRv/);
    // Acked now: a further reconnect sends nothing again.
    w.restart();
    await page.connect();
    expect(await page.drain()).toEqual([]);
  });
});

describe('Router: key generation does not block message handling', () => {
  it('answers status and handles chat rows while the key is being generated', async () => {
    let release: (k: DsaPrivateKey) => void = () => undefined;
    let started = 0;
    const w = new World((progress) => {
      started++;
      progress(0.5);
      return new Promise<DsaPrivateKey>((r) => {
        release = r;
      });
    });
    const page = new Page(w);
    await page.connect(); // reporting the chat starts the key generation in the background
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toBe(1);
    const popup = w.connect(pageRights);
    const st = (await popup.req({ type: 'status', tabId: TAB })) as { keygen: { fraction: number } | null };
    expect(st.keygen?.fraction).toBe(0.5);
    const { port: transcript } = await openPanel(w);
    page.rows.push({ id: 'm1', from: 'bob', text: 'plain hello while the key is made', own: false });
    await page.report();
    expect(transcript.pushes.some((e) => e.type === 'transcript')).toBe(true);
    // Going private waits for the key, then sends the query.
    const going = popup.req({ type: 'go-private', tabId: TAB });
    release(aliceKey);
    await going;
    const sent = await page.drain();
    expect(sent[0]).toMatch(/^\?OTRv/);
    expect(((await popup.req({ type: 'keys-list' })) as unknown[]).length).toBe(1);
    expect(started).toBe(1);
  });
});

describe('Router: a send is bound to the conversation it was typed for', () => {
  it('refuses a send (and any bound operation) once the tab shows another chat; the panel is told', async () => {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const page = new Page(w);
    await page.connect();
    const panel = await openPanel(w);
    await w.connect(pageRights).req({ type: 'go-private', tabId: TAB });
    expect((await page.drain())[0]).toMatch(/^\?OTRv/);
    // Typed for bob while the AKE runs: held, not refused.
    await panel.port.req({ type: 'panel-send', tabId: TAB, conv: panel.conv, text: 'for bob' });
    // The page switches to carol (the page may do this at any moment).
    await page.port.req(SWITCHED_TO_CAROL);
    expect(panel.port.pushes.some((e) => e.type === 'panel-switch' && e.tabId === TAB)).toBe(true);
    const before = page.sentLines.length;
    await expect(
      panel.port.req({ type: 'panel-send', tabId: TAB, conv: panel.conv, text: 'also for bob' }),
    ).rejects.toThrow(REFUSAL.changed);
    await expect(
      panel.port.req({ type: 'smp-answer', tabId: TAB, conv: panel.conv, secret: 'our secret' }),
    ).rejects.toThrow(REFUSAL.changed);
    await expect(panel.port.req({ type: 'go-private', tabId: TAB, conv: panel.conv })).rejects.toThrow(
      REFUSAL.changed,
    );
    await page.drain();
    expect(page.sentLines.length).toBe(before);
    // carol's conversation has nothing of it; a fresh hello names carol's conversation.
    const again = await openPanel(w);
    expect(again.conv).not.toBe(panel.conv);
    expect(again.transcript.filter((t) => t.dir !== 'notice')).toEqual([]);
  });

  it('a chat switch that lands while a bound operation runs does not redirect it to the new chat', async () => {
    const w = new World();
    await w.keys.putKey('alice', 'minichat', aliceKey);
    const page = new Page(w);
    await page.connect();
    const panel = await openPanel(w);
    // The page reports carol right after the router checked the panel's binding (its first read
    // of the tab), before the operation itself runs.
    const get = TabTable.prototype.get;
    let armed = true;
    TabTable.prototype.get = async function (this: TabTable, id: number) {
      const rec = await get.call(this, id);
      if (armed) {
        armed = false;
        await page.port.req(SWITCHED_TO_CAROL);
      }
      return rec;
    };
    try {
      await panel.port.req({ type: 'go-private', tabId: TAB, conv: panel.conv });
    } finally {
      TabTable.prototype.get = get;
    }
    const status = async (peer: string) =>
      (await w.manager.status({ site: SITE, account: 'alice', protocol: 'minichat', peer })).privateMode;
    expect(await status('bob')).toBe(true);
    expect(await status('carol')).toBe(false);
  });
});
