/**
 * Issue 15: key bytes are overwritten when a key is rotated out and when the conversation ends;
 * a fragment buffer is capped per instance (a typed error, the buffer dropped, nothing else
 * changed) and snapshots carry partial messages only within their budget.
 */
import { describe, expect, it } from 'vitest';
import { utf8Encode } from '../../../src/crypto/bytes';
import { type AkeResult, generateDhKeyPair } from '../../../src/otr/ake';
import { openDataMessage, sealDataMessage } from '../../../src/otr/data';
import { KeyState, type SessionKeys } from '../../../src/otr/keys';
import { type DataMessage, decodeMessage, type Header } from '../../../src/otr/messages';
import { fragment, MAX_REASSEMBLED } from '../../../src/otr/proto';
import { type Session, SNAPSHOT_FRAGMENT_BUDGET } from '../../../src/otr/session';
import { seededRandom } from '../../lib/seeded-random';
import { BOB_TAG, party, persist, snap } from './helpers';

const HEADER: Header = { version: 3, type: 3, senderTag: 0x100, receiverTag: 0x101 };
const zero = (b: Uint8Array) => b.every((x) => x === 0);
const keyArrays = (k: SessionKeys) => [k.sendAes, k.sendMac, k.recvAes, k.recvMac, k.extraKey];

function pair() {
  const r = seededRandom(31);
  const a = generateDhKeyPair(r);
  const b = generateDhKeyPair(r);
  const res = (ours: typeof a, theirY: bigint) =>
    ({ ourKeyId: 1, ourDh: ours, theirKeyId: 1, theirY }) as AkeResult;
  return {
    ka: KeyState.fromAke(res(a, b.gx), seededRandom(32)),
    kb: KeyState.fromAke(res(b, a.gx), seededRandom(33)),
  };
}

function send(from: KeyState, to: KeyState, text: string, seed: number): void {
  const sealed = sealDataMessage(from, HEADER, utf8Encode(text), 0);
  openDataMessage(to, decodeMessage(sealed.bytes) as DataMessage, seededRandom(seed));
}

describe('key bytes are zeroed when dropped', () => {
  it('rotated-out cells, and every cell and revealed MAC key when the state is wiped', () => {
    const { ka, kb } = pair();
    send(ka, kb, 'one', 1);
    const firstOfA = ka.sendingKeys;
    const firstOfB = kb.receivingKeys(1, 1);
    expect(keyArrays(firstOfA).some(zero)).toBe(false);
    // Alternate until both of the first cells are rotated out on both sides.
    for (let i = 0; i < 4; i++) {
      send(kb, ka, `b${i}`, 10 + i);
      send(ka, kb, `a${i}`, 20 + i);
    }
    for (const k of [...keyArrays(firstOfA), ...keyArrays(firstOfB)]) expect(zero(k)).toBe(true);
    const live = ka.sendingKeys;
    expect(keyArrays(live).some(zero)).toBe(false);
    ka.wipe();
    for (const k of keyArrays(live)) expect(zero(k)).toBe(true);
  });

  it('a conversation that ends leaves no key bytes in its keys (Session.end, TLV 1 received)', () => {
    const a = party('alice', 41);
    const b = party('bob', 42);
    const lines = (out: { wire: string[] }, to: Session) => out.wire.flatMap((w) => to.receive(w).wire);
    let back = lines(a.session.query(), b.session);
    while (back.length)
      back = back.flatMap((w) => a.session.receive(w).wire).flatMap((w) => b.session.receive(w).wire);
    expect(a.session.status.state).toBe('encrypted');
    // biome-ignore lint/suspicious/noExplicitAny: reaching the live key state to watch its bytes
    const ctxOf = (s: Session) => (s as any).best() as { keys: KeyState | null };
    const ka = ctxOf(a.session).keys!;
    const kb = ctxOf(b.session).keys!;
    const aKeys = keyArrays(ka.sendingKeys);
    const bKeys = keyArrays(kb.receivingKeys(ka.ourKeyId - 1, ka.theirKeyId));
    for (const w of a.session.end().wire) b.session.receive(w);
    expect(b.session.status.state).toBe('finished');
    for (const k of [...aKeys, ...bKeys]) expect(zero(k)).toBe(true);
  });
});

describe('fragment reassembly buffer', () => {
  it('over 256 KB: a typed error, the buffer dropped, nothing else changed', () => {
    const b = party('bob', 51);
    const before = snap(b.session);
    const big = `?OTR:${'A'.repeat(MAX_REASSEMBLED + 400)}.`;
    const pieces = fragment(big, 100_000, 3, 0x5555_5555, BOB_TAG);
    expect(pieces.length).toBe(3);
    const events = pieces.flatMap((p) => b.session.receive(p).events);
    expect(events.map((e) => (e.type === 'error' ? e.code : e.type))).toEqual(['fragment-too-long']);
    expect(snap(b.session)).toBe(before);
  });

  it('a snapshot carries whole partial messages within its budget, smallest first; a restored one completes them', () => {
    const a = party('alice', 61, { maxMessageSize: 1000 });
    const b = party('bob', 62);
    let back = a.session.query().wire.flatMap((w) => b.session.receive(w).wire);
    while (back.length)
      back = back.flatMap((w) => a.session.receive(w).wire).flatMap((w) => b.session.receive(w).wire);
    const small = a.session.send('x'.repeat(3000)).wire;
    expect(small.length).toBeGreaterThan(2);
    b.session.receive(small[0]!);
    // A second sender (another instance tag) with a partial message bigger than the budget.
    const huge = fragment(
      `?OTR:${'B'.repeat(SNAPSHOT_FRAGMENT_BUDGET + 10)}.`,
      40_000,
      3,
      0x6666_6666,
      BOB_TAG,
    );
    b.session.receive(huge[0]!);
    b.session.receive(huge[1]!);
    const s = b.session.snapshot();
    expect(s.fragments.map((f) => f.tag)).toEqual([a.session.instanceTag]);
    const restored = persist(b);
    const shown = small.slice(1).flatMap((w) => restored.session.receive(w).events);
    expect(shown.filter((e) => e.type === 'message').map((e) => (e as { text: string }).text)).toEqual([
      'x'.repeat(3000),
    ]);
  });
});
