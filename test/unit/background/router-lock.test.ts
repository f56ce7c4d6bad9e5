// The passphrase lock through the Router (issue 18), with memory stores and fake ports (harness.ts)
// and bob as a plain SessionManager: a query arriving while locked is held and answered only after
// the unlock (nothing goes out meanwhile), a wrong passphrase changes nothing, a worker restart while
// unlocked does not ask again, auto-lock fires on the clock, and the panic wipe tells bob the end and
// leaves no record behind.

import { beforeAll, describe, expect, it } from 'vitest';
import { HELD_KEY, HELD_MAX_BYTES, HeldInbox } from '../../../extension/background/held-inbox';
import type { PortRights } from '../../../extension/background/ports';
import { type ConversationRef, SessionManager } from '../../../extension/background/session-manager';
import {
  type KeyExport,
  LIMITS,
  type LockInfo,
  type StatusResult,
  type WipeReport,
} from '../../../extension/shared/messages';
import { base64Decode, bytesToHex } from '../../../src/crypto/bytes';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { parsePrivateKeyFile } from '../../../src/otr/keyfile';
import { storedBytes } from '../../../src/store/budgets';
import { MemoryArea, MemoryKeyStore, MemorySessionStore } from '../../../src/store/memory';
import { minichatConversation, type Port, SITE, World } from './harness';

const TAB = 7;
const PASS = 'correct horse battery';
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
const pageRights: PortRights = {
  kind: 'page',
  url: 'chrome-extension://x/extension/popup/index.html',
  tabId: null,
};
const BOB: ConversationRef = { site: SITE, account: 'bob', protocol: 'minichat', peer: 'alice' };

/** alice's worker (World), her chat page, her popup; bob's engine; the chat between them. */
async function setup() {
  const w = new World();
  await w.keys.putKey('alice', 'minichat', aliceKey);
  const bobKeys = new MemoryKeyStore();
  await bobKeys.putKey('bob', 'minichat', bobKey);
  const bob = new SessionManager({ keys: bobKeys, sessions: new MemorySessionStore() });
  let content!: Port;
  let popup!: Port;
  let row = 0;
  const aliceSent: string[] = [];
  const bobRead: string[] = [];
  const bobStates: string[] = [];
  const connect = async () => {
    content = w.connect(contentRights);
    popup = w.connect(pageRights);
    await content.req({ type: 'hello', url: `${SITE}/?me=alice&peer=bob` });
    await content.req(minichatConversation());
  };
  await connect();
  /** bob's lines reach alice's page; alice's page sends what it was pushed; until quiet. */
  const pump = async (fromBob: string[]) => {
    let inbound = fromBob;
    for (let round = 0; round < 20; round++) {
      if (inbound.length > 0) {
        await content.req({
          type: 'chat-messages',
          messages: inbound.map((text) => ({ id: `r${++row}`, from: 'bob', text, own: false })),
          history: false,
        });
      }
      inbound = [];
      const lines = content.pushes.splice(0).flatMap((e) => (e.type === 'send-wire' ? e.lines : []));
      for (const l of lines) {
        aliceSent.push(l.wire);
        await content.req({ type: 'wire-sent', seq: l.seq }).catch(() => undefined);
        const fx = await bob.receive(BOB, { id: `r${++row}`, text: l.wire });
        for (const t of fx.transcript) if (t.dir === 'in') bobRead.push(t.text);
        for (const n of fx.notices) if (n.kind === 'state') bobStates.push(n.state);
        for (const o of fx.wire) await bob.ack(BOB, o.seq);
        inbound.push(...fx.wire.map((o) => o.wire));
      }
      if (inbound.length === 0 && lines.length === 0) return;
    }
  };
  const status = async () => (await popup.req({ type: 'status', tabId: TAB })) as StatusResult;
  return {
    w,
    bob,
    pump,
    status,
    aliceSent,
    bobRead,
    bobStates,
    popup: () => popup,
    content: () => content,
    nextRow: () => `r${++row}`,
    restart: async () => {
      w.restart();
      await connect();
    },
  };
}

/** bob asks for OTR (a Query Message: what his "go private" sends). */
async function bobQuery(bob: SessionManager): Promise<string[]> {
  const fx = await bob.goPrivate(BOB);
  for (const o of fx.wire) await bob.ack(BOB, o.seq);
  return fx.wire.map((o) => o.wire);
}

describe('Router: the passphrase lock', () => {
  it('holds a query that arrives while locked, answers it after the unlock; a wrong passphrase changes nothing', async () => {
    const s = await setup();
    const popup = s.popup();
    expect(((await popup.req({ type: 'lock-set', passphrase: PASS })) as LockInfo).state).toBe('unlocked');
    expect(((await popup.req({ type: 'lock-now' })) as LockInfo).state).toBe('locked');

    await s.pump(await bobQuery(s.bob));
    // Held: nothing was sent, not even an OTR error or a plain answer.
    expect(s.aliceSent).toEqual([]);
    let st = await s.status();
    expect(st.lock).toEqual({ state: 'locked', autoLockSeconds: 900, held: 1, offer: false });
    expect(popup.pushes.some((e) => e.type === 'lock' && e.lock.held === 1)).toBe(true);
    // Going private asks to unlock, sends nothing.
    await expect(popup.req({ type: 'go-private', tabId: TAB })).rejects.toThrow(/locked/);
    await s.pump([]);
    expect(s.aliceSent).toEqual([]);

    const before = JSON.stringify([...s.w.area.data.entries()]);
    await expect(popup.req({ type: 'lock-unlock', passphrase: 'not my passphrase' })).rejects.toThrow(
      'Wrong passphrase. Nothing was changed.',
    );
    expect(JSON.stringify([...s.w.area.data.entries()])).toBe(before);
    expect((await s.status()).lock.state).toBe('locked');

    const info = (await popup.req({ type: 'lock-unlock', passphrase: PASS })) as LockInfo;
    expect(info).toEqual({ state: 'unlocked', autoLockSeconds: 900, held: 0, offer: false });
    await s.pump([]);
    expect(s.bobStates).toContain('encrypted');
    st = await s.status();
    expect(st.status?.state).toBe('encrypted');
    // Every line alice sent after the unlock was OTR (the AKE and nothing else).
    expect(s.aliceSent.length).toBeGreaterThan(0);
    expect(s.aliceSent.every((l) => l.startsWith('?OTR'))).toBe(true);
  });

  it('a worker restart while unlocked keeps the conversation without asking; after lock the status still shows it', async () => {
    const s = await setup();
    await s.popup().req({ type: 'lock-set', passphrase: PASS });
    await s.popup().req({ type: 'go-private', tabId: TAB });
    await s.pump([]);
    expect(s.bobStates).toContain('encrypted');
    await s.restart();
    expect((await s.status()).lock.state).toBe('unlocked');
    const fx = await s.bob.send(BOB, 'after the restart');
    await s.pump(fx.wire.map((o) => o.wire));
    const transcript = await s.w.sessions.transcript((await s.w.sessions.list())[0]!);
    expect(transcript.map((t) => t.text)).toContain('after the restart');

    await s.popup().req({ type: 'lock-now' });
    // Locked: the status comes from the stored snapshot (still encrypted, the buddy's fingerprint).
    const st = await s.status();
    expect(st.lock.state).toBe('locked');
    expect(st.status?.state).toBe('encrypted');
    expect(st.status?.fingerprint).not.toBeNull();
    expect(st.status?.ourFingerprint).not.toBeNull();
    // A data message from bob waits for the unlock, then reads once.
    const later = await s.bob.send(BOB, 'while you were locked');
    await s.pump(later.wire.map((o) => o.wire));
    expect((await s.status()).lock.held).toBe(1);
    await s.popup().req({ type: 'lock-unlock', passphrase: PASS });
    const t2 = await s.w.sessions.transcript((await s.w.sessions.list())[0]!);
    expect(t2.filter((t) => t.text === 'while you were locked')).toHaveLength(1);
  });

  it('after lock nothing in storage holds x; the key is sealed', async () => {
    const s = await setup();
    await s.popup().req({ type: 'lock-set', passphrase: PASS });
    await s.popup().req({ type: 'lock-now' });
    const xHex = aliceKey.x.toString(16);
    const stored = JSON.stringify(
      {
        rows: await s.w.keys.listKeyRows(),
        session: [...s.w.area.data.entries()],
        local: [...s.w.local.data.entries()],
      },
      (_k, v) => (v instanceof Uint8Array ? bytesToHex(v) : v),
    );
    expect(stored).not.toContain(xHex);
    expect(stored).not.toContain(aliceKey.x.toString(10));
    expect(s.w.area.data.has('lock:kek')).toBe(false);
  });

  it('auto-lock fires once the idle time has passed; reads do not count as use', async () => {
    const s = await setup();
    const popup = s.popup();
    await popup.req({ type: 'lock-set', passphrase: PASS });
    await expect(popup.req({ type: 'lock-auto', autoLockSeconds: 0.5 })).rejects.toThrow();
    expect(((await popup.req({ type: 'lock-auto', autoLockSeconds: 60 })) as LockInfo).autoLockSeconds).toBe(
      60,
    );
    s.w.clock += 30_000;
    expect((await s.status()).lock.state).toBe('unlocked');
    s.w.clock += 31_000;
    // The status read is not use: it finds the deadline passed and locks.
    expect((await s.status()).lock.state).toBe('locked');
    expect(s.w.area.data.has('lock:kek')).toBe(false);
    await expect(popup.req({ type: 'go-private', tabId: TAB })).rejects.toThrow(/locked/);
  });

  it('lock settings live where content scripts cannot write them: a planted storage.local value changes nothing', async () => {
    const s = await setup();
    const popup = s.popup();
    await popup.req({ type: 'lock-set', passphrase: PASS });
    await popup.req({ type: 'lock-auto', autoLockSeconds: 60 });
    expect(s.w.local.data.size).toBe(0);
    // What a compromised content script could do to storage.local: auto-lock "never".
    await s.w.local.set({ 'lock:settings': { autoLockSeconds: 0, offerDismissed: true } });
    expect((await s.status()).lock.autoLockSeconds).toBe(60);
    s.w.clock += 61_000;
    expect((await s.status()).lock.state).toBe('locked');
  });

  it('the panel reconnecting (a hello after every worker restart or chat switch) is not use: auto-lock still fires', async () => {
    const s = await setup();
    const popup = s.popup();
    await popup.req({ type: 'lock-set', passphrase: PASS });
    await popup.req({ type: 'lock-auto', autoLockSeconds: 60 });
    const panel = s.w.connect({
      kind: 'panel',
      url: `chrome-extension://x/extension/panel/index.html?tab=${TAB}`,
    });
    for (let i = 0; i < 4; i++) {
      s.w.clock += 20_000;
      await panel.req({ type: 'panel-hello', tabId: TAB });
    }
    // 80 s without the user doing anything: locked, although the panel said hello every 20 s.
    expect((await s.status()).lock.state).toBe('locked');
  });

  it('export needs the passphrase while one is set', async () => {
    const s = await setup();
    const popup = s.popup();
    const clear = (await popup.req({ type: 'key-export', passphrase: null })) as KeyExport;
    // (Not '(x #': about 1 x in 270 prints as a quoted string or a token.)
    expect(parsePrivateKeyFile(base64Decode(clear.file)!)[0]?.key).toEqual(aliceKey);
    await popup.req({ type: 'lock-set', passphrase: PASS });
    await expect(popup.req({ type: 'key-export', passphrase: null })).rejects.toThrow(/passphrase/);
    await expect(popup.req({ type: 'key-export', passphrase: 'wrong passphrase' })).rejects.toThrow(
      /Wrong passphrase/,
    );
    await popup.req({ type: 'lock-now' });
    const again = (await popup.req({ type: 'key-export', passphrase: PASS })) as KeyExport;
    expect(again).toEqual(clear);
    expect((await s.status()).lock.state).toBe('locked');
  });

  it('panic wipe (locked): bob sees the end, then nothing of alice is stored', async () => {
    const s = await setup();
    const popup = s.popup();
    await popup.req({ type: 'lock-set', passphrase: PASS });
    await popup.req({ type: 'go-private', tabId: TAB });
    await s.pump([]);
    expect(s.bobStates).toContain('encrypted');
    await s.w.keys.putSite({ origin: SITE, policy: 'opportunistic' });
    await popup.req({ type: 'lock-now' });

    const report = (await popup.req({ type: 'panic-wipe' })) as WipeReport;
    expect(report).toMatchObject({ ended: 1, unreachable: 0, keys: 1, sites: 1, conversations: 1 });
    expect(report.fingerprints).toBe(1);
    await s.pump([]);
    expect((await s.bob.status(BOB)).state).toBe('finished');
    expect(await s.w.keys.listKeyRows()).toEqual([]);
    expect(await s.w.keys.listFingerprints()).toEqual([]);
    expect(await s.w.keys.listSites()).toEqual([]);
    expect(await s.w.keys.getLock()).toBeNull();
    expect([...s.w.area.data.keys()]).toEqual([]);
    expect([...s.w.local.data.keys()]).toEqual([]);
    expect(await s.w.sessions.list()).toEqual([]);
  });

  it('panic wipe with a receive in flight: the record it loaded is not written back after the erase', async () => {
    const s = await setup();
    const popup = s.popup();
    await popup.req({ type: 'go-private', tabId: TAB });
    await s.pump([]);
    expect(s.bobStates).toContain('encrypted');
    const content = s.content();
    const fx = await s.bob.send(BOB, 'in flight during the wipe');
    // bob's message arrives just as the wipe erases the conversation: its batch has loaded the
    // record and waits for the key (to restore the engine) while the erase runs.
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let held!: () => void;
    const holding = new Promise<void>((r) => {
      held = r;
    });
    let receiving: Promise<unknown> | null = null;
    const keyring = s.w.keyring;
    const getKey = keyring.getKey.bind(keyring);
    keyring.getKey = async (account, protocol) => {
      if (receiving) {
        held();
        await released;
      }
      return getKey(account, protocol);
    };
    const store = s.w.sessions;
    const remove = store.remove.bind(store);
    store.remove = async (id) => {
      if (!receiving) {
        receiving = content
          .req({
            type: 'chat-messages',
            messages: fx.wire.map((o) => ({ id: s.nextRow(), from: 'bob', text: o.wire, own: false })),
            history: false,
          })
          .catch((e: unknown) => e);
        await holding;
      }
      return remove(id);
    };
    const wiping = popup.req({ type: 'panic-wipe' });
    // Let the wipe run as far as it goes while that batch waits, then let the batch go on.
    await Promise.race([wiping, new Promise((r) => setTimeout(r, 500))]);
    release();
    const report = (await wiping) as WipeReport;
    await receiving;
    expect(report.conversations).toBe(1);
    expect(await s.w.sessions.list()).toEqual([]);
    expect([...s.w.area.data.keys()].filter((k) => k.startsWith('conv:') || k.startsWith('tc:'))).toEqual([]);
    // After the wipe, the worker stores again: a new conversation is kept as usual.
    const ALICE: ConversationRef = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'bob' };
    await s.w.manager.receive(ALICE, { id: s.nextRow(), text: 'hello again' });
    expect(await s.w.sessions.list()).toHaveLength(1);
  });

  it('holds at most LIMITS.heldWhileLocked messages while locked (I8): a flood is dropped, not stored', async () => {
    const s = await setup();
    await s.popup().req({ type: 'lock-set', passphrase: PASS });
    await s.popup().req({ type: 'go-private', tabId: TAB });
    await s.pump([]);
    await s.popup().req({ type: 'lock-now' });
    const sentBefore = s.aliceSent.length;
    const flood = Array.from(
      { length: LIMITS.heldWhileLocked + 50 },
      (_, i) => `?OTR:AAMD${'A'.repeat(40)}${i}.`,
    );
    for (let i = 0; i < flood.length; i += 100) await s.pump(flood.slice(i, i + 100));
    expect((await s.status()).lock.held).toBe(LIMITS.heldWhileLocked);
    // The ones the full inbox could not take are dropped and counted as such (the popup says so).
    expect((await s.status()).tab?.dropped).toBe(50);
    // Nothing answered while locked.
    expect(s.aliceSent.length).toBe(sentBefore);
    expect(storedBytes(HELD_KEY, await s.w.lock.inbox.all())).toBeLessThanOrEqual(HELD_MAX_BYTES);
    // After the unlock the held lines are fed to the engine (bogus here: refused one by one) and gone.
    await s.popup().req({ type: 'lock-unlock', passphrase: PASS });
    expect((await s.status()).lock.held).toBe(0);
    expect((await s.status()).status?.state).toBe('encrypted');
  });

  it('a row shown again while locked is held once: a page replaying it cannot fill the inbox', async () => {
    const s = await setup();
    await s.popup().req({ type: 'lock-set', passphrase: PASS });
    await s.popup().req({ type: 'go-private', tabId: TAB });
    await s.pump([]);
    await s.popup().req({ type: 'lock-now' });
    const row = { id: s.nextRow(), from: 'bob', text: `?OTR:AAMD${'A'.repeat(40)}.`, own: false };
    const replay = Array(LIMITS.chatBatch).fill(row);
    for (let i = 0; i < 3; i++)
      await s.content().req({ type: 'chat-messages', messages: replay, history: false });
    expect((await s.status()).lock.held).toBe(1);
    // A new message still finds room, nothing is counted as dropped.
    await s.content().req({
      type: 'chat-messages',
      messages: [{ ...row, id: s.nextRow() }],
      history: false,
    });
    expect((await s.status()).lock.held).toBe(2);
    expect((await s.status()).tab?.dropped).toBeUndefined();
  });

  it('the held inbox is bounded in bytes as storage counts them, not in characters', async () => {
    // A control character is one character and six bytes of JSON (\u0001): 100 such lines of
    // 2,000 are 200,000 characters but 1.2 MB stored.
    const area = new MemoryArea();
    const inbox = new HeldInbox(area);
    const ref = { site: SITE, account: 'alice', protocol: 'minichat', peer: 'bob' };
    let taken = 0;
    for (let i = 0; i < 100; i++)
      if (await inbox.add({ tabId: 1, ref, msg: { id: `r${i}`, text: '\u0001'.repeat(2000) }, at: i }))
        taken++;
    expect(taken).toBeGreaterThan(30);
    expect(taken).toBeLessThan(50);
    expect(area.bytesInUse()).toBeLessThanOrEqual(HELD_MAX_BYTES);
    expect(storedBytes(HELD_KEY, await inbox.all())).toBeLessThanOrEqual(HELD_MAX_BYTES);
    // What was taken stays in order, and a small line still fits once the inbox is drained a bit.
    expect((await inbox.first())?.msg.id).toBe('r0');
    await inbox.shift();
    expect(await inbox.add({ tabId: 1, ref, msg: { id: 'small', text: 'hi' }, at: 200 })).toBe(true);
  });

  it('the side panel shows the lock, unlocks and locks; it may not change or wipe', async () => {
    const s = await setup();
    await s.popup().req({ type: 'lock-set', passphrase: PASS });
    const panel = s.w.connect({
      kind: 'panel',
      url: 'chrome-extension://x/extension/panel/index.html?tab=7',
    });
    expect(((await panel.req({ type: 'lock-now' })) as LockInfo).state).toBe('locked');
    expect(panel.pushes.some((e) => e.type === 'lock' && e.lock.state === 'locked')).toBe(true);
    expect(((await panel.req({ type: 'lock-state' })) as LockInfo).state).toBe('locked');
    await expect(panel.req({ type: 'lock-unlock', passphrase: 'wrong passphrase' })).rejects.toThrow(
      /Wrong passphrase/,
    );
    expect(((await panel.req({ type: 'lock-unlock', passphrase: PASS })) as LockInfo).state).toBe('unlocked');
    await expect(panel.req({ type: 'panic-wipe' })).rejects.toThrow('refused');
    await expect(
      panel.req({ type: 'lock-change', oldPassphrase: PASS, newPassphrase: 'x'.repeat(9) }),
    ).rejects.toThrow('refused');
  });
});
