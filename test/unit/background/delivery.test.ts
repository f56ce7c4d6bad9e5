/**
 * Delivered means seen, in the SessionManager: a sent message is 'sending' (with how many of its
 * wire lines the page has shown back) until every line was seen, then 'sent'; a line not seen in
 * time makes it 'not-delivered' and takes the rest of its lines out of the outbox; Retry encrypts
 * it afresh (a new data message under a new counter, never the old ciphertext again) and the
 * buddy reads it once. Messages held before the AKE go 'sending' with the lines that carry them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type ConversationRef, SessionManager } from '../../../extension/background/session-manager';
import { REFUSAL } from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { MemoryKeyStore, MemorySessionStore } from '../../../src/store/memory';

let aliceKey: DsaPrivateKey;
let bobKey: DsaPrivateKey;
beforeAll(async () => {
  [aliceKey, bobKey] = await Promise.all([generateDsaKey(), generateDsaKey()]);
});

const A: ConversationRef = {
  site: 'http://127.0.0.1:1',
  account: 'alice',
  protocol: 'prpl-irc',
  peer: 'bob',
};
const B: ConversationRef = {
  site: 'http://127.0.0.1:1',
  account: 'bob',
  protocol: 'prpl-irc',
  peer: 'alice',
};

interface Party {
  mgr: SessionManager;
  ref: ConversationRef;
  read: string[];
  rows: number;
}

async function party(ref: ConversationRef, key: DsaPrivateKey): Promise<Party> {
  const keys = new MemoryKeyStore();
  await keys.putKey(ref.account, ref.protocol, key);
  return { mgr: new SessionManager({ keys, sessions: new MemorySessionStore() }), ref, read: [], rows: 0 };
}

/** Carries every pending line both ways (each seen back by its sender's page) until quiet. */
async function pump(x: Party, y: Party): Promise<void> {
  for (let round = 0; round < 50; round++) {
    let moved = false;
    for (const [from, to] of [
      [x, y],
      [y, x],
    ] as const) {
      for (const line of await from.mgr.pending(from.ref)) {
        const fx = await to.mgr.receive(to.ref, { id: `m${++to.rows}`, text: line.wire });
        for (const t of fx.transcript) if (t.dir === 'in') to.read.push(t.text);
        await from.mgr.delivered(from.ref, [line.seq]);
        moved = true;
      }
    }
    if (!moved) return;
  }
  throw new Error('did not settle');
}

async function privatePair(): Promise<[Party, Party]> {
  const alice = await party(A, aliceKey);
  const bob = await party(B, bobKey);
  await alice.mgr.goPrivate(A);
  await pump(alice, bob);
  expect((await alice.mgr.status(A)).state).toBe('encrypted');
  return [alice, bob];
}

const entry = async (p: Party, id: string) => (await p.mgr.transcript(p.ref)).find((t) => t.id === id);

describe('delivered means seen', () => {
  it('sending, with lines seen counted, until every line was seen: then sent', async () => {
    const [alice, bob] = await privatePair();
    alice.mgr.dropCache();
    const fx = await alice.mgr.send({ ...A, maxMessageSize: 300 }, 'x'.repeat(1500));
    const id = fx.transcript[0]!.id;
    const n = fx.wire.length;
    expect(n).toBeGreaterThan(3);
    expect(fx.transcript[0]).toMatchObject({ status: 'sending', progress: { done: 0, total: n } });
    // The site took every line (typed): still sending, nothing seen.
    for (const l of fx.wire) await alice.mgr.ack(A, l.seq);
    expect(await entry(alice, id)).toMatchObject({ status: 'sending', progress: { done: 0, total: n } });
    // Typed lines are never typed again: pending marks them.
    expect((await alice.mgr.pending(A)).every((l) => l.typed === true)).toBe(true);
    const two = await alice.mgr.delivered(A, [fx.wire[0]!.seq, fx.wire[1]!.seq]);
    expect(two.transcript).toEqual([
      expect.objectContaining({ id, status: 'sending', progress: { done: 2, total: n } }),
    ]);
    expect(two.status.pendingWire).toBe(n - 2);
    const rest = await alice.mgr.delivered(
      A,
      fx.wire.slice(2).map((l) => l.seq),
    );
    expect(rest.transcript[0]).toMatchObject({ id, status: 'sent' });
    expect(rest.transcript[0]!.progress).toBeUndefined();
    expect(rest.status.pendingWire).toBe(0);
    // The buddy reads it (the lines did get there).
    for (const l of fx.wire) await bob.mgr.receive(B, { id: `r${l.seq}`, text: l.wire });
    expect((await bob.mgr.transcript(B)).filter((t) => t.dir === 'in').map((t) => t.text)).toEqual([
      'x'.repeat(1500),
    ]);
  });

  it('a line not seen in time: not delivered, the rest of its lines dropped; Retry encrypts afresh and the buddy reads it once', async () => {
    const [alice, bob] = await privatePair();
    const other = await alice.mgr.send({ ...A, maxMessageSize: 300 }, 'another message');
    const fx = await alice.mgr.send({ ...A, maxMessageSize: 300 }, 'lost under a network cut '.repeat(20));
    const id = fx.transcript[0]!.id;
    const lostWire = fx.wire.map((l) => l.wire);
    // The first fragment was typed but never showed; the others never went.
    const failed = await alice.mgr.failed(A, [fx.wire[0]!.seq]);
    expect(failed.dropped.sort((a, b) => a - b)).toEqual(fx.wire.map((l) => l.seq));
    expect(failed.transcript).toEqual([expect.objectContaining({ id, status: 'not-delivered' })]);
    // The other message's lines stay.
    expect((await alice.mgr.pending(A)).map((l) => l.seq)).toEqual(other.wire.map((l) => l.seq));
    await pump(alice, bob);
    expect(bob.read).toEqual(['another message']);

    const retry = await alice.mgr.retry(A, id);
    expect(retry.transcript).toEqual([expect.objectContaining({ id, status: 'sending' })]);
    expect(retry.wire.length).toBeGreaterThan(0);
    // Fresh encryption: none of the old lines again, and a different ciphertext throughout.
    for (const l of retry.wire) expect(lostWire).not.toContain(l.wire);
    await pump(alice, bob);
    expect(bob.read).toEqual(['another message', 'lost under a network cut '.repeat(20)]);
    expect(await entry(alice, id)).toMatchObject({ status: 'sent' });
    // A delivered message is not retried.
    await expect(alice.mgr.retry(A, id)).rejects.toThrow(/not delivered/);
    await expect(alice.mgr.retry(A, 'out-nope')).rejects.toThrow(/no such message/);
  });

  it('after the user ended the conversation, neither Retry nor a send puts the text on the wire in clear', async () => {
    const [alice] = await privatePair();
    const fx = await alice.mgr.send({ ...A, maxMessageSize: 300 }, 'SECRET PLAINTEXT');
    const id = fx.transcript[0]!.id;
    await alice.mgr.failed(A, [fx.wire[0]!.seq]);
    await alice.mgr.endPrivate(A);
    const before = (await alice.mgr.pending(A)).map((l) => l.wire);
    await expect(alice.mgr.retry(A, id)).rejects.toThrow(REFUSAL.notPrivate);
    await expect(alice.mgr.send(A, 'SECRET TOO')).rejects.toThrow(REFUSAL.notPrivate);
    const after = (await alice.mgr.pending(A)).map((l) => l.wire);
    expect(after).toEqual(before);
    expect(after.join('\n')).not.toContain('SECRET');
    // Refused, the entry stays what it was: not delivered, ready for a Retry once private again.
    expect(await entry(alice, id)).toMatchObject({ status: 'not-delivered' });
  });

  it('a held message that expired before the AKE finished stays not sent: never sent, never shown as sent', async () => {
    let clock = 1_000_000;
    const keys = new MemoryKeyStore();
    await keys.putKey(A.account, A.protocol, aliceKey);
    const alice: Party = {
      mgr: new SessionManager({ keys, sessions: new MemorySessionStore(), now: () => clock }),
      ref: A,
      read: [],
      rows: 0,
    };
    const bob = await party(B, bobKey);
    await alice.mgr.goPrivate(A);
    const held = await alice.mgr.send(A, 'typed before private');
    const id = held.transcript[0]!.id;
    clock += 6 * 60_000;
    expect((await alice.mgr.expireHeld(5 * 60_000)).map((x) => x.expired)).toEqual([1]);
    await pump(alice, bob);
    expect((await alice.mgr.status(A)).state).toBe('encrypted');
    expect(bob.read).toEqual([]);
    expect(await entry(alice, id)).toMatchObject({ status: 'not-sent' });
  });

  it('a message whose lines do not fit the outbox is not delivered, none of its fragments queued; the buddy reads each queued one whole', async () => {
    const [alice, bob] = await privatePair();
    const R = { ...A, maxMessageSize: 300 };
    const results: { id: string; status: string | undefined; lines: number }[] = [];
    // The page never takes a line: the outbox fills up.
    for (let i = 0; i < 40; i++) {
      const fx = await alice.mgr.send(R, `${i} ${'long message '.repeat(300)}`);
      results.push({ id: fx.transcript[0]!.id, status: fx.transcript[0]!.status, lines: fx.wire.length });
    }
    const refused = results.filter((r) => r.status === 'not-delivered');
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.lines).toBe(0);
    expect((await alice.mgr.status(A)).limits?.outboxDropped).toBeGreaterThan(0);
    // Every message that was queued has all its fragments: the buddy reads exactly those, whole.
    const queued = results.filter((r) => r.status === 'sending');
    await pump(alice, bob);
    expect(bob.read).toHaveLength(queued.length);
    for (const t of bob.read) expect(t.endsWith('long message ')).toBe(true);
    for (const r of refused) expect(await entry(alice, r.id)).toMatchObject({ status: 'not-delivered' });
  });

  it('messages held before the AKE go out with it: sending, then sent once seen', async () => {
    const alice = await party(A, aliceKey);
    const bob = await party(B, bobKey);
    await alice.mgr.goPrivate(A);
    const held = await alice.mgr.send(A, 'typed before private');
    expect(held.transcript[0]).toMatchObject({ status: 'held' });
    expect(held.wire).toEqual([]);
    await pump(alice, bob);
    expect(bob.read).toEqual(['typed before private']);
    expect(await entry(alice, held.transcript[0]!.id)).toMatchObject({ status: 'sent' });
  });

  it('the site error is part of the status until it goes', async () => {
    const alice = await party(A, aliceKey);
    expect((await alice.mgr.status(A)).siteError).toBeNull();
    expect((await alice.mgr.setSiteError(A, 'net: Disconnected')).siteError).toBe('net: Disconnected');
    expect((await alice.mgr.status(A)).siteError).toBe('net: Disconnected');
    expect((await alice.mgr.setSiteError(A, null)).siteError).toBeNull();
  });
});
