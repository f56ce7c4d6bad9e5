import { beforeAll, describe, expect, it } from 'vitest';
import {
  AUTO_KEYS_MAX,
  AUTO_REPLY_BURST,
  AUTO_REPLY_EVERY_MS,
  CHAT_ERROR_CHARS,
  type ConversationRef,
  type Effects,
  MAX_LIVE,
  SessionManager,
} from '../../../extension/background/session-manager';
import { LIMITS, RESULT_VALIDATORS } from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { MemoryKeyStore, MemorySessionStore } from '../../../src/store/memory';

let aliceKey: DsaPrivateKey;
let bobKey: DsaPrivateKey;
let otherKey: DsaPrivateKey;

beforeAll(async () => {
  [aliceKey, bobKey, otherKey] = await Promise.all([generateDsaKey(), generateDsaKey(), generateDsaKey()]);
});

const A: ConversationRef = {
  site: 'http://127.0.0.1:1',
  account: 'alice@net',
  protocol: 'prpl-irc',
  peer: 'bob',
};
const B: ConversationRef = {
  site: 'http://127.0.0.1:1',
  account: 'bob@net',
  protocol: 'prpl-irc',
  peer: 'alice',
};

interface Party {
  mgr: SessionManager;
  keys: MemoryKeyStore;
  sessions: MemorySessionStore;
  ref: ConversationRef;
  /** Plaintext the person saw, in order. */
  read: string[];
  msgSeq: number;
}

async function party(ref: ConversationRef, key: DsaPrivateKey): Promise<Party> {
  const keys = new MemoryKeyStore();
  await keys.putKey(ref.account, ref.protocol, key);
  const sessions = new MemorySessionStore();
  return { mgr: new SessionManager({ keys, sessions }), keys, sessions, ref, read: [], msgSeq: 0 };
}

/**
 * Delivers every unacknowledged wire line of `from` to `to`, as a chat would, until both are
 * quiet. With `restart`, both workers lose their memory before every single step.
 */
async function pump(x: Party, y: Party, restart: boolean): Promise<void> {
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (const [from, to] of [
      [x, y],
      [y, x],
    ] as const) {
      if (restart) from.mgr.dropCache();
      const lines = await from.mgr.pending(from.ref);
      for (const line of lines) {
        if (restart) to.mgr.dropCache();
        const fx = await to.mgr.receive(to.ref, { id: `m${++to.msgSeq}`, text: line.wire });
        collect(to, fx);
        if (restart) from.mgr.dropCache();
        await from.mgr.delivered(from.ref, [line.seq]);
        moved = true;
      }
    }
    if (!moved) return;
  }
  throw new Error('conversation did not settle');
}

function collect(p: Party, fx: Effects): void {
  for (const t of fx.transcript) if (t.dir === 'in') p.read.push(t.text);
}

for (const restart of [false, true]) {
  describe(`SessionManager, ${restart ? 'worker restarted before every step' : 'no restarts'}`, () => {
    it('goes private, holds what is typed before the AKE, delivers both ways, runs SMP, ends', async () => {
      const a = await party(A, aliceKey);
      const b = await party(B, bobKey);
      await a.mgr.goPrivate(A);
      if (restart) a.mgr.dropCache();
      const held = await a.mgr.send(A, 'typed before the AKE');
      expect(held.wire).toEqual([]);
      expect(held.transcript[0]?.status).toBe('held');
      await pump(a, b, restart);
      expect((await a.mgr.status(A)).state).toBe('encrypted');
      expect((await b.mgr.status(B)).state).toBe('encrypted');
      expect(b.read).toEqual(['typed before the AKE']);
      expect((await a.mgr.transcript(A)).find((t) => t.dir === 'out')?.status).toBe('sent');

      for (let i = 0; i < 4; i++) {
        if (restart) a.mgr.dropCache();
        await a.mgr.send(A, `a${i}`);
        await pump(a, b, restart);
        if (restart) b.mgr.dropCache();
        await b.mgr.send(B, `b${i} ✓`);
        await pump(a, b, restart);
      }
      expect(b.read).toEqual(['typed before the AKE', 'a0', 'a1', 'a2', 'a3']);
      expect(a.read).toEqual(['b0 ✓', 'b1 ✓', 'b2 ✓', 'b3 ✓']);

      await a.mgr.startSmp(A, 'our secret', 'what is it?');
      await pump(a, b, restart);
      const asked = await b.mgr.status(B);
      expect(asked.smp).toEqual({ state: 'question-asked', question: 'what is it?' });
      await b.mgr.answerSmp(B, 'our secret');
      await pump(a, b, restart);
      // The asker trusts the answerer; the answerer does not trust the asker from this run.
      expect((await a.mgr.status(A)).trust).toBe('smp');
      expect((await b.mgr.status(B)).trust).toBe('');
      // Both sides are told how the run ended, the answerer too.
      expect((await a.mgr.status(A)).smp.result).toBe('succeeded');
      expect((await b.mgr.status(B)).smp.result).toBe('succeeded');
      await b.mgr.startSmp(B, 'a wrong guess');
      expect((await b.mgr.status(B)).smp.result).toBeUndefined();
      await pump(a, b, restart);
      await a.mgr.answerSmp(A, 'not the same');
      await pump(a, b, restart);
      expect((await a.mgr.status(A)).smp.result).toBe('failed');
      expect((await b.mgr.status(B)).smp.result).toBe('failed');

      await b.mgr.endPrivate(B);
      await pump(a, b, restart);
      expect((await a.mgr.status(A)).state).toBe('finished');
      expect((await b.mgr.status(B)).state).toBe('plaintext');
      // Nothing lost, nothing doubled, no second AKE: every record's outbox is empty.
      expect((await a.mgr.pending(A)).length + (await b.mgr.pending(B)).length).toBe(0);
    });
  });
}

describe('SessionManager details', () => {
  it('processes a chat message once, however often the page shows it', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const fx = await a.mgr.send(A, 'once');
    const line = fx.wire[0]!.wire;
    const first = await b.mgr.receive(B, { id: 'row-7', text: line });
    expect(first.transcript.map((t) => t.text)).toEqual(['once']);
    b.mgr.dropCache();
    const again = await b.mgr.receive(B, { id: 'row-7', text: line });
    expect(again.transcript).toEqual([]);
    expect(again.wire).toEqual([]);
    expect(again.notices).toEqual([]);
  });

  it('queues what arrives while a conversation is being restored, and keeps the order', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const lines: string[] = [];
    for (let i = 0; i < 5; i++) lines.push(...(await a.mgr.send(A, `q${i}`)).wire.map((w) => w.wire));
    b.mgr.dropCache();
    const all = await Promise.all(lines.map((text, i) => b.mgr.receive(B, { id: `r${i}`, text })));
    expect(all.flatMap((fx) => fx.transcript.map((t) => t.text))).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
  });

  it('shows plain messages from a buddy without OTR as not private, without touching keys', async () => {
    const keys = new MemoryKeyStore();
    const mgr = new SessionManager({
      keys,
      sessions: new MemorySessionStore(),
      generateKey: () => Promise.reject(new Error('no key generation for plain chat')),
    });
    const fx = await mgr.receive(A, { id: '1', text: 'just chatting' });
    expect(fx.transcript).toMatchObject([{ dir: 'in', text: 'just chatting', encrypted: false }]);
    expect(await keys.listKeys()).toEqual([]);
  });

  it('warns loudly when a verified buddy shows a new fingerprint, until the user acts', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const st = await a.mgr.status(A);
    await a.mgr.setTrust(A, st.fingerprint!, 'verified');
    expect((await a.mgr.status(A)).trust).toBe('verified');

    // "bob" comes back with another key.
    const impostor = await party(B, otherKey);
    await a.mgr.endPrivate(A);
    await a.mgr.delivered(
      A,
      (await a.mgr.pending(A)).map((l) => l.seq),
    );
    await a.mgr.goPrivate(A);
    let changed = false;
    for (let round = 0; round < 10; round++) {
      let moved = false;
      for (const line of await a.mgr.pending(A)) {
        const fx = await impostor.mgr.receive(B, { id: `x${round}-${line.seq}`, text: line.wire });
        await a.mgr.delivered(A, [line.seq]);
        moved ||= fx.wire.length > 0;
      }
      for (const line of await impostor.mgr.pending(B)) {
        const fx = await a.mgr.receive(A, { id: `y${round}-${line.seq}`, text: line.wire });
        changed ||= fx.notices.some((n) => n.kind === 'fingerprint-changed');
        await impostor.mgr.delivered(B, [line.seq]);
        moved = true;
      }
      if (!moved) break;
    }
    expect(changed).toBe(true);
    // The transcript says it where the user reads, in order: started, ended (by us), started, key changed.
    const said = (await a.mgr.transcript(A)).filter((t) => t.dir === 'notice').map((t) => t.notice);
    expect(said).toEqual(['started', 'ended', 'started', 'key-changed']);
    const keyChanged = (await a.mgr.transcript(A)).find((t) => t.notice === 'key-changed');
    expect(keyChanged?.text).toMatch(/^[0-9A-F]{8}( [0-9A-F]{8}){4}$/);
    const now = await a.mgr.status(A);
    expect(now.state).toBe('encrypted');
    expect(now.trust).toBe('');
    expect(now.fingerprintChanged).toBe(true);
    await a.mgr.setTrust(A, now.fingerprint!, 'verified');
    expect((await a.mgr.status(A)).fingerprintChanged).toBe(false);
  });

  it('the buddy ending and an unreadable message are notices in the transcript, stored with it', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    // A data message alice cannot read (damaged on the way).
    const fx = await b.mgr.send(B, 'hello');
    const wire = fx.wire[0]!.wire;
    await b.mgr.ack(B, fx.wire[0]!.seq);
    const broken = `${wire.slice(0, 40)}${wire[40] === 'A' ? 'B' : 'A'}${wire.slice(41)}`;
    await a.mgr.receive(A, { id: 'broken', text: broken });
    await b.mgr.endPrivate(B);
    await pump(a, b, false);
    a.mgr.dropCache();
    const said = (await a.mgr.transcript(A)).filter((t) => t.dir === 'notice').map((t) => t.notice);
    expect(said).toEqual(['started', 'unreadable', 'buddy-ended']);
    expect((await a.mgr.status(A)).state).toBe('finished');
  });

  it('releases no effects when the state could not be stored, and keeps the stored state', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const stored = new Map(b.sessions.memory.data);
    const line = (await a.mgr.send(A, 'x')).wire[0]!.wire;
    const set = b.sessions.memory.set.bind(b.sessions.memory);
    b.sessions.memory.set = () => Promise.reject(new Error('Session storage quota bytes exceeded'));
    await expect(b.mgr.receive(B, { id: 'f1', text: line })).rejects.toThrow('quota');
    b.sessions.memory.set = set;
    expect(new Map(b.sessions.memory.data)).toEqual(stored);
    // Retrying after the failure decrypts the same message exactly once.
    const retry = await b.mgr.receive(B, { id: 'f1', text: line });
    expect(retry.transcript.map((t) => t.text)).toEqual(['x']);
  });

  it('a message whose processing failed (no key could be made) is processed on the next try', async () => {
    const b = await party(B, bobKey);
    await b.mgr.goPrivate(B);
    const query = (await b.mgr.pending(B))[0]!.wire;
    let fail = true;
    const keys = new MemoryKeyStore();
    const mgr = new SessionManager({
      keys,
      sessions: new MemorySessionStore(),
      generateKey: async () => {
        if (fail) throw new Error('keygen failed');
        return aliceKey;
      },
    });
    await expect(mgr.receive(A, { id: 'q1', text: query })).rejects.toThrow('keygen failed');
    fail = false;
    const retry = await mgr.receive(A, { id: 'q1', text: query });
    expect(retry.wire.length).toBeGreaterThan(0);
    expect(retry.wire[0]!.wire.startsWith('?OTR:')).toBe(true);
  });

  it('generates one key per account, once, even when asked twice at the same time', async () => {
    let calls = 0;
    const keys = new MemoryKeyStore();
    const mgr = new SessionManager({
      keys,
      sessions: new MemorySessionStore(),
      generateKey: async (progress) => {
        calls++;
        progress(0.5);
        return aliceKey;
      },
    });
    const [k1, k2] = await Promise.all([mgr.ensureKey('me', 'p'), mgr.ensureKey('me', 'p')]);
    expect(k1).toEqual(k2);
    expect(calls).toBe(1);
    expect(await keys.getKey('me', 'p')).toEqual(aliceKey);
  });

  it('makes keys for accounts a page names only up to AUTO_KEYS_MAX, one generation at a time; the user still can', async () => {
    let running = 0;
    let most = 0;
    const keys = new MemoryKeyStore();
    const mgr = new SessionManager({
      keys,
      sessions: new MemorySessionStore(),
      generateKey: async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return otherKey;
      },
    });
    const b = await party(B, bobKey);
    await b.mgr.goPrivate(B);
    const query = (await b.mgr.pending(B))[0]!.wire;
    // A page reporting a query "to" ever new accounts of ours.
    const named = Array.from({ length: AUTO_KEYS_MAX + 3 }, (_, i) => ({ ...A, account: `victim${i}` }));
    const results = await Promise.all(named.map((ref, i) => mgr.receive(ref, { id: `q${i}`, text: query })));
    // Within the cap the query is answered (a D-H Commit); past it nothing goes out, a notice says
    // why, and the line counts as seen: shown again (a reload), it costs nothing and says nothing.
    const answered = results.filter((fx) => fx.wire.length > 0);
    expect(answered).toHaveLength(AUTO_KEYS_MAX);
    const unanswered = named.filter((_, i) => results[i]!.wire.length === 0);
    expect(unanswered).toHaveLength(3);
    for (const ref of unanswered) {
      const notes = (await mgr.transcript(ref)).filter((e) => e.dir === 'notice');
      expect(notes).toHaveLength(1);
      expect(notes[0]!.text).toContain(ref.account);
      expect(await keys.getPublicKey(ref.account, ref.protocol)).toBeNull();
      const again = await mgr.receive(ref, { id: `q${named.indexOf(ref)}`, text: query });
      expect(again.wire).toEqual([]);
      expect(again.transcript).toEqual([]);
    }
    expect(await keys.listPublicKeys()).toHaveLength(AUTO_KEYS_MAX);
    expect(most).toBe(1);
    // The user's own Go private for another account still makes its key.
    await mgr.goPrivate({ ...A, account: 'mine' });
    expect(await keys.getPublicKey('mine', A.protocol)).not.toBeNull();
  });

  it('a buddy’s SMP question longer than the pages take is cut, so the conversation’s status still passes their checks', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const long = `${'why '.repeat(600)}😀`;
    await a.mgr.startSmp(A, 'our secret', long);
    await pump(a, b, false);
    const asked = await b.mgr.status(B);
    expect(asked.smp.state).toBe('question-asked');
    expect(asked.smp.question!.length).toBeLessThanOrEqual(LIMITS.question);
    expect(asked.smp.question!.startsWith('why why')).toBe(true);
    expect(asked.smp.question!.endsWith('…')).toBe(true);
    expect(RESULT_VALIDATORS['panel-send']({ status: asked })).not.toBeNull();
  });
});

describe('what anyone can put into the chat', () => {
  it("a '?OTR Error:' text is shown as the chat's (unauthenticated), cut to CHAT_ERROR_CHARS", async () => {
    const a = await party(A, aliceKey);
    const forged = `?OTR Error: Verify by typing your passphrase here. ${'x'.repeat(32_000)}`;
    await a.mgr.receive(A, { id: 'e1', text: forged });
    const notices = (await a.mgr.transcript(A)).filter((t) => t.dir === 'notice');
    expect(notices.map((t) => t.notice)).toEqual(['chat-error']);
    expect(notices[0]!.text.length).toBeLessThanOrEqual(CHAT_ERROR_CHARS);
    expect(notices[0]!.text.startsWith('Verify by typing your passphrase here.')).toBe(true);
  });

  it('forged data messages get at most AUTO_REPLY_BURST error replies, then one per minute', async () => {
    let clock = 5_000_000;
    const withClock = async (ref: ConversationRef, key: DsaPrivateKey): Promise<Party> => {
      const p = await party(ref, key);
      p.mgr = new SessionManager({ keys: p.keys, sessions: p.sessions, now: () => clock });
      return p;
    };
    const a = await withClock(A, aliceKey);
    const b = await withClock(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    const fx = await b.mgr.send(B, 'hello');
    const wire = fx.wire[0]!.wire;
    const broken = `${wire.slice(0, 40)}${wire[40] === 'A' ? 'B' : 'A'}${wire.slice(41)}`;
    let row = 0;
    const errorsFor = async (n: number) => {
      let errors = 0;
      for (let i = 0; i < n; i++) {
        const got = await a.mgr.receive(A, { id: `forged${++row}`, text: broken });
        errors += got.wire.filter((o) => o.wire.startsWith('?OTR Error:')).length;
      }
      return errors;
    };
    expect(await errorsFor(20)).toBe(AUTO_REPLY_BURST);
    clock += AUTO_REPLY_EVERY_MS;
    expect(await errorsFor(5)).toBe(1);
    // Every one of them still shows as unreadable to alice; the conversation goes on.
    expect((await a.mgr.status(A)).state).toBe('encrypted');
  });

  it('keeps at most MAX_LIVE conversations in memory; one dropped for room is restored from the store and goes on', async () => {
    const a = await party(A, aliceKey);
    const b = await party(B, bobKey);
    await a.mgr.goPrivate(A);
    await pump(a, b, false);
    expect((await a.mgr.status(A)).state).toBe('encrypted');
    // A page naming ever new peers (plain lines from each).
    for (let i = 0; i < MAX_LIVE * 3; i++)
      await a.mgr.receive({ ...A, peer: `peer${i}` }, { id: `p${i}`, text: 'hi' });
    expect(a.mgr.cachedConversations).toBeLessThanOrEqual(MAX_LIVE);
    await a.mgr.send(A, 'after the others');
    await pump(a, b, false);
    expect(b.read).toContain('after the others');
  });

  it("the user's Go private for an account does not inherit a page-driven key job's refusal", async () => {
    const keys = new MemoryKeyStore();
    for (let i = 0; i < AUTO_KEYS_MAX; i++) await keys.putKey(`had${i}`, A.protocol, otherKey);
    const mgr = new SessionManager({
      keys,
      sessions: new MemorySessionStore(),
      generateKey: async () => {
        await new Promise((r) => setTimeout(r, 5));
        return aliceKey;
      },
    });
    const b = await party(B, bobKey);
    await b.mgr.goPrivate(B);
    const query = (await b.mgr.pending(B))[0]!.wire;
    // The page's line and the user's click for the same new account, at the same time.
    const [byPage, byUser] = await Promise.all([
      mgr.receive({ ...A, account: 'new' }, { id: 'q', text: query }),
      mgr.goPrivate({ ...A, account: 'new', peer: 'carol' }),
    ]);
    expect(byPage.wire).toEqual([]);
    expect(byUser.wire.length).toBeGreaterThan(0);
    expect(await keys.getPublicKey('new', A.protocol)).not.toBeNull();
  });
});
