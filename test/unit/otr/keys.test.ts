/**
 * keys.ts and data.ts: session keys, key rotation as libotr rotates (checked against the key ids
 * and revealed-MAC counts of a real libotr conversation), counters, replays, unknown keys, and
 * the MAC checked before anything changes.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, utf8Decode, utf8Encode } from '../../../src/crypto/bytes';
import { sha1, sha256 } from '../../../src/crypto/hash';
import { MODP_P, powG, powP } from '../../../src/crypto/modp';
import { type AkeResult, generateDhKeyPair } from '../../../src/otr/ake';
import { openDataMessage, sealDataMessage } from '../../../src/otr/data';
import { OtrError } from '../../../src/otr/errors';
import { compareCounters, computeSessionKeys, incrementCounter, KeyState } from '../../../src/otr/keys';
import { type DataMessage, dearmor, decodeMessage, type Header } from '../../../src/otr/messages';
import { classify, type FragmentState, reassemble } from '../../../src/otr/proto';
import { encodeMpi } from '../../../src/otr/serial';
import { encodeDataAuthenticated, encodeDataTail } from '../../lib/data-message';
import { fixtures, TestRandom } from './helpers';

const HEADER: Header = { version: 3, type: 3, senderTag: 0x100, receiverTag: 0x101 };

interface Side {
  name: string;
  keys: KeyState;
  rng: TestRandom;
  /** MAC keys that verified messages this side received. */
  usedMacKeys: string[];
  /** MAC keys this side revealed so far. */
  revealed: string[];
}

function pair(seed = 1): [Side, Side] {
  const rng = new TestRandom(seed);
  const a = generateDhKeyPair(rng.source);
  const b = generateDhKeyPair(rng.source);
  const result = (ours: typeof a, theirY: bigint) =>
    ({ ourKeyId: 1, ourDh: ours, theirKeyId: 1, theirY }) as AkeResult;
  const ra = new TestRandom(seed + 100);
  const rb = new TestRandom(seed + 200);
  return [
    { name: 'a', keys: KeyState.fromAke(result(a, b.gx), ra.source), rng: ra, usedMacKeys: [], revealed: [] },
    { name: 'b', keys: KeyState.fromAke(result(b, a.gx), rb.source), rng: rb, usedMacKeys: [], revealed: [] },
  ];
}

function seal(from: Side, text: string, flags = 0): { bytes: Uint8Array; msg: DataMessage } {
  const sealed = sealDataMessage(from.keys, HEADER, utf8Encode(text), flags);
  const msg = decodeMessage(sealed.bytes) as DataMessage;
  for (let i = 0; i < msg.oldMacKeys.length; i += 20)
    from.revealed.push(bytesToHex(msg.oldMacKeys.slice(i, i + 20)));
  return { bytes: sealed.bytes, msg };
}

function open(to: Side, msg: DataMessage): string {
  const mac = to.keys.receivingKeys(msg.senderKeyId, msg.recipientKeyId).recvMac;
  const text = utf8Decode(openDataMessage(to.keys, msg, to.rng.source).plaintext);
  to.usedMacKeys.push(bytesToHex(mac));
  return text;
}

function errCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OtrError) return e.code;
    throw e;
  }
  return 'ok';
}

/** HMAC-SHA1 by node:crypto: a reference independent of src/crypto/sha1.ts. */
const nodeHmacSha1 = (key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac('sha1', key).update(data).digest());

describe('session keys (spec: Computing AES keys and MAC keys)', () => {
  it('known answer from the spec formulas; the high end sends with 0x01', () => {
    const ours = { x: 5n, gx: powG(5n) };
    const theirY = powG(7n);
    const s = encodeMpi(powG(35n));
    const k = computeSessionKeys(ours, theirY);
    const high = ours.gx > theirY;
    const h1 = (b: number) => sha1(concatBytes(Uint8Array.of(b), s)).slice(0, 16);
    expect(bytesToHex(k.sendAes)).toBe(bytesToHex(h1(high ? 1 : 2)));
    expect(bytesToHex(k.recvAes)).toBe(bytesToHex(h1(high ? 2 : 1)));
    expect(bytesToHex(k.sendMac)).toBe(bytesToHex(sha1(k.sendAes)));
    expect(bytesToHex(k.recvMac)).toBe(bytesToHex(sha1(k.recvAes)));
    expect(bytesToHex(k.extraKey)).toBe(bytesToHex(sha256(concatBytes(Uint8Array.of(0xff), s))));
    expect(bytesToHex(k.sendCtr)).toBe('0000000000000000');
  });
  it('the two ends agree: my send keys are your receive keys, and the extra key is shared', () => {
    const a = { x: 11n, gx: powG(11n) };
    const b = { x: 13n, gx: powG(13n) };
    const ka = computeSessionKeys(a, b.gx);
    const kb = computeSessionKeys(b, a.gx);
    expect(bytesToHex(ka.sendAes)).toBe(bytesToHex(kb.recvAes));
    expect(bytesToHex(ka.recvAes)).toBe(bytesToHex(kb.sendAes));
    expect(bytesToHex(ka.extraKey)).toBe(bytesToHex(kb.extraKey));
    expect(powP(b.gx, a.x)).toBe(powP(a.gx, b.x));
  });
});

describe('counters', () => {
  it('increment carries across all 8 bytes and wraps', () => {
    const c = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0xff);
    incrementCounter(c);
    expect(bytesToHex(c)).toBe('0000000000000100');
    const m = Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    incrementCounter(m);
    expect(bytesToHex(m)).toBe('0100000000000000');
    const w = new Uint8Array(8).fill(0xff);
    incrementCounter(w);
    expect(bytesToHex(w)).toBe('0000000000000000');
  });
  it('compare is big-endian unsigned', () => {
    expect(
      compareCounters(
        Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0),
        Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff),
      ),
    ).toBeGreaterThan(0);
    expect(compareCounters(new Uint8Array(8), new Uint8Array(8))).toBe(0);
  });
  it('a burst of messages with the same keys carries counters 1, 2, 3…', () => {
    const [a, b] = pair(2);
    for (let i = 1; i <= 10; i++) {
      const { msg } = seal(a, `m${i}`);
      expect(bytesToHex(msg.ctr)).toBe(i.toString(16).padStart(16, '0'));
      expect([msg.senderKeyId, msg.recipientKeyId]).toEqual([1, 1]);
      expect(open(b, msg)).toBe(`m${i}`);
    }
  });
});

describe('replays, reordering, unknown keys', () => {
  it('a replayed message is refused (bad-counter) and changes nothing', () => {
    const [a, b] = pair(3);
    const { msg } = seal(a, 'once');
    expect(open(b, msg)).toBe('once');
    const before = JSON.stringify(b.keys.snapshot());
    expect(errCode(() => open(b, msg))).toBe('bad-counter');
    expect(JSON.stringify(b.keys.snapshot())).toBe(before);
  });
  it('an older message with the same keys after a newer one is refused', () => {
    const [a, b] = pair(4);
    const m1 = seal(a, 'one').msg;
    const m2 = seal(a, 'two').msg;
    expect(open(b, m2)).toBe('two');
    expect(errCode(() => open(b, m1))).toBe('bad-counter');
  });
  it('a message sent with the previous key pair is still read after a rotation', () => {
    const [a, b] = pair(5);
    const m1 = seal(a, 'one').msg;
    const m2 = seal(a, 'two').msg;
    expect(open(b, m1)).toBe('one');
    // b has rotated a's key (a advertised its next one in m1); m2 names a's previous key.
    expect(b.keys.theirKeyId).toBe(m2.senderKeyId + 1);
    expect(open(b, m2)).toBe('two');
    expect(errCode(() => open(b, m2))).toBe('bad-counter');
  });
  it('a message for keys two rotations old is refused as unknown', () => {
    const [a, b] = pair(15);
    const early = seal(a, 'early').msg;
    const first = seal(a, 'first').msg;
    expect(open(b, first)).toBe('first');
    expect(open(a, seal(b, 'reply').msg)).toBe('reply');
    const late = seal(a, 'late').msg;
    expect([late.senderKeyId, late.recipientKeyId]).toEqual([2, 2]);
    expect(open(b, late)).toBe('late');
    expect(errCode(() => open(b, early))).toBe('unknown-key');
  });
  it('unknown key ids are refused before the MAC is even looked at', () => {
    const [a, b] = pair(6);
    const { msg } = seal(a, 'x');
    const before = JSON.stringify(b.keys.snapshot());
    for (const [s, r] of [
      [0, 1],
      [1, 0],
      [2, 1],
      [1, 3],
      [0xffffffff, 1],
    ] as const) {
      expect(
        errCode(() => openDataMessage(b.keys, { ...msg, senderKeyId: s, recipientKeyId: r }, b.rng.source)),
      ).toBe('unknown-key');
    }
    // their previous key when they have none yet
    expect(errCode(() => b.keys.receivingKeys(0, 1))).toBe('unknown-key');
    expect(JSON.stringify(b.keys.snapshot())).toBe(before);
  });
});

describe('MAC first: a tampered data message changes nothing', () => {
  it('every byte flipped: refused with an OtrError and the KeyState unchanged (except the unMACed revealed keys)', () => {
    const [a, b] = pair(7);
    for (let i = 0; a.keys.oldMacKeys.length === 0; i++) {
      expect(i).toBeLessThan(6);
      open(b, seal(a, 'warm up').msg);
      open(a, seal(b, 'reply').msg);
    }
    const { bytes, msg } = seal(a, 'the real one');
    expect(msg.oldMacKeys.length).toBeGreaterThan(0);
    const macEnd = msg.authenticated.length + 20;
    const before = JSON.stringify(b.keys.snapshot());
    for (let i = 0; i < bytes.length; i++) {
      const t = bytes.slice();
      t[i]! ^= 0x01 << (i % 8);
      let m: DataMessage;
      try {
        m = decodeMessage(t) as DataMessage;
      } catch (e) {
        expect(e).toBeInstanceOf(OtrError);
        continue;
      }
      if (i >= macEnd + 4) {
        // The revealed MAC keys are outside the MAC (by design): the message is still good.
        continue;
      }
      expect(
        errCode(() => openDataMessage(b.keys, m, b.rng.source)),
        `byte ${i}`,
      ).not.toBe('ok');
      expect(JSON.stringify(b.keys.snapshot())).toBe(before);
    }
    expect(open(b, msg)).toBe('the real one');
  });
  it('a MACed message whose next DH key is out of range is refused with nothing changed', () => {
    const [a, b] = pair(8);
    for (const bad of [0n, 1n, MODP_P - 1n, MODP_P]) {
      const sk = a.keys.sendingKeys;
      const ctr = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 9);
      const auth = encodeDataAuthenticated(
        HEADER,
        0,
        a.keys.ourKeyId - 1,
        a.keys.theirKeyId,
        bad,
        ctr,
        Uint8Array.of(1),
      );
      const msg = decodeMessage(
        encodeDataTail(auth, nodeHmacSha1(sk.sendMac, auth), new Uint8Array(0)),
      ) as DataMessage;
      const before = JSON.stringify(b.keys.snapshot());
      expect(errCode(() => openDataMessage(b.keys, msg, b.rng.source))).toBe('bad-group-element');
      expect(JSON.stringify(b.keys.snapshot())).toBe(before);
    }
  });
});

describe('revealed MAC keys', () => {
  it('each revealed key is one that verified a message of the buddy, revealed once; it re-MACs that message', () => {
    const [a, b] = pair(9);
    const sent: Record<string, DataMessage[]> = { a: [], b: [] };
    const script = 'ab aab abbb ba a b aaab bbba abab'.replace(/ /g, '');
    for (const [i, who] of [...script].entries()) {
      const [from, to] = who === 'a' ? [a, b] : [b, a];
      const { msg } = seal(from, `${who}${i}`);
      sent[from.name]!.push(msg);
      expect(open(to, msg)).toBe(`${who}${i}`);
    }
    for (const side of [a, b]) {
      expect(new Set(side.revealed).size).toBe(side.revealed.length);
      for (const k of side.revealed) expect(side.usedMacKeys).toContain(k);
      // Deniability: the revealed key forges the MAC of a message the other side sent.
      const theirs = sent[side === a ? 'b' : 'a']!;
      for (const k of side.revealed) {
        const key = Uint8Array.from(Buffer.from(k, 'hex'));
        expect(theirs.some((m) => bytesToHex(nodeHmacSha1(key, m.authenticated)) === bytesToHex(m.mac))).toBe(
          true,
        );
      }
      expect(side.revealed.length).toBeGreaterThan(0);
      // All but the keys still in use (at most the 2x2 grid) have been revealed.
      expect(new Set(side.usedMacKeys).size - side.revealed.length).toBeLessThanOrEqual(4);
    }
  });

  interface WireFixture {
    lines: { from: 'alice' | 'bob'; step: string; wire: string }[];
  }
  for (const name of ['v3', 'v2', 'v3-frag', 'v2-frag']) {
    it(`key ids and revealed-MAC counts are exactly libotr's (${name} fixture)`, () => {
      const f = JSON.parse(readFileSync(join(fixtures, `wire/libotr-${name}.json`), 'utf8')) as WireFixture;
      const state: Record<string, FragmentState> = {
        alice: { k: 0, n: 0, pieces: '' },
        bob: { k: 0, n: 0, pieces: '' },
      };
      const data: { from: 'alice' | 'bob'; msg: DataMessage }[] = [];
      for (const l of f.lines) {
        const c = classify(l.wire);
        let text = l.wire;
        if (c.kind === 'fragment') {
          const step = reassemble(state[l.from]!, c);
          state[l.from] = step.state;
          if (step.complete === undefined) continue;
          text = step.complete;
        }
        if (!text.startsWith('?OTR:')) continue;
        const m = decodeMessage(dearmor(text));
        if (m.kind === 'data') data.push({ from: l.from, msg: m });
      }
      expect(data.length).toBeGreaterThanOrEqual(6);
      // Bob sent the D-H Commit in the recording; the key schedule is symmetric anyway.
      const [alice, bob] = pair(10);
      for (const { from, msg } of data) {
        const [s, r] = from === 'alice' ? [alice, bob] : [bob, alice];
        const ours = seal(s, 'x', msg.flags).msg;
        expect([ours.senderKeyId, ours.recipientKeyId, ours.oldMacKeys.length]).toEqual([
          msg.senderKeyId,
          msg.recipientKeyId,
          msg.oldMacKeys.length,
        ]);
        open(r, ours);
      }
    });
  }
});

describe('property: random schedules of sending and delayed delivery', () => {
  it('every delivered message decrypts to what was sent or is refused with a typed error; in-order delivery never fails', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ who: fc.boolean(), deliver: fc.nat(3) }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 1000 }),
        (ops, seed) => {
          const [a, b] = pair(seed);
          const queues: Record<string, { text: string; msg: DataMessage }[]> = { a: [], b: [] };
          let n = 0;
          // Once a queue has been delivered newest-first, its older messages may be stale.
          const reordered: Record<string, boolean> = { a: false, b: false };
          const deliverSome = (to: Side, from: Side, count: number, inOrder: boolean) => {
            const q = queues[from.name]!;
            if (!inOrder && count > 0 && q.length > 1) reordered[from.name] = true;
            for (let i = 0; i < count && q.length > 0; i++) {
              const { text, msg } = inOrder ? q.shift()! : q.pop()!;
              try {
                expect(open(to, msg)).toBe(text);
              } catch (e) {
                if (inOrder && !reordered[from.name]) throw e;
                expect(e).toBeInstanceOf(OtrError);
                expect(['bad-counter', 'unknown-key']).toContain((e as OtrError).code);
              }
            }
          };
          for (const op of ops) {
            const [from, to] = op.who ? [a, b] : [b, a];
            const text = `msg ${n++}`;
            queues[from.name]!.push({ text, msg: seal(from, text).msg });
            // newest-first delivery reorders; oldest-first keeps order
            deliverSome(to, from, op.deliver, op.deliver !== 3);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
