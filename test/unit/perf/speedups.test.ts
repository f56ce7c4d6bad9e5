/**
 * The speed tricks of issue 8 give the same answers as the plain way: per-owner Yao tables in
 * modp.ts (PowerCache), the AKE's shared secret reused for the first data keys, and
 * session keys computed on first use (keys.ts), with snapshots that do not depend on which
 * cells happen to be computed.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '../../../src/crypto/bytes';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { MODP_P, type PowerCache, powP, powProduct } from '../../../src/crypto/modp';
import { type AkeResult, generateDhKeyPair } from '../../../src/otr/ake';
import { openDataMessage, sealDataMessage } from '../../../src/otr/data';
import { computeSessionKeys, KeyState } from '../../../src/otr/keys';
import { type DataMessage, decodeMessage, type Header } from '../../../src/otr/messages';
import { POLICY_MANUAL } from '../../../src/otr/policy';
import { type Output, Session, type SessionEvent } from '../../../src/otr/session';
import { plainPow } from '../../lib/plain-pow';
import { seededRandom } from '../../lib/seeded-random';

const element = fc.bigInt({ min: 3n, max: MODP_P - 2n });
const longExp = fc.bigInt({ min: 1n << 1000n, max: (1n << 1536n) - 1n });
const anyExp = fc.bigInt({ min: 0n, max: (1n << 1536n) - 1n });

describe('PowerCache: per-owner Yao tables', () => {
  it('powP of one base to many exponents (table built on the first long one, then reused) matches plain', () => {
    fc.assert(
      fc.property(element, longExp, fc.array(anyExp, { minLength: 1, maxLength: 4 }), (x, first, more) => {
        const cache: PowerCache = new Map();
        expect(powP(x, first, cache)).toBe(plainPow(x, first, MODP_P));
        expect(cache.has(x)).toBe(true);
        for (const e of more) expect(powP(x, e, cache)).toBe(plainPow(x, e, MODP_P));
      }),
      { numRuns: 6 },
    );
  });

  it('powProduct with a tabled base on either side, or both, matches plain', () => {
    fc.assert(
      fc.property(element, element, longExp, anyExp, anyExp, (a, b, ea, e1, e2) => {
        const want = (plainPow(a, e1, MODP_P) * plainPow(b, e2, MODP_P)) % MODP_P;
        const cache: PowerCache = new Map();
        powP(a, ea, cache); // a now has a table
        expect(powProduct(a, e1, b, e2, MODP_P, cache)).toBe(want);
        expect(powProduct(b, e2, a, e1, MODP_P, cache)).toBe(want);
        powP(b, ea, cache);
        expect(powProduct(a, e1, b, e2, MODP_P, cache)).toBe(want);
      }),
      { numRuns: 4 },
    );
  });

  it('edges: exponent 0, bases 0, 1, 2, p-1 and negative, exponents of 1536 bits and longer', () => {
    const cache: PowerCache = new Map();
    const x = 0x1234567890abcdefn ** 20n % MODP_P;
    const huge = (1n << 1600n) + 12345n;
    const full = (1n << 1536n) - 1n;
    powP(x, full, cache);
    for (const e of [0n, 1n, 2n, full, huge]) expect(powP(x, e, cache)).toBe(plainPow(x, e, MODP_P));
    for (const b of [0n, 1n, 2n, MODP_P - 1n, -x])
      expect(powP(b, full, cache)).toBe(plainPow(b, full, MODP_P));
    expect(powProduct(x, huge, x, 0n, MODP_P, cache)).toBe(plainPow(x, huge, MODP_P));
    expect(() => powP(x, -1n, cache)).toThrow(RangeError);
  });

  it('keeps at most 8 bases, least recently used out; nothing is kept without a cache; owners never share', () => {
    const cache: PowerCache = new Map();
    const bases = Array.from({ length: 10 }, (_, i) => (123456789n + BigInt(i)) ** 40n % MODP_P);
    const e = (1n << 1200n) + 7n;
    for (const b of bases.slice(0, 8)) powP(b, e, cache);
    expect(cache.size).toBe(8);
    powP(bases[0]!, 5n, cache); // a short exponent on a cached base: uses the table, refreshes it
    powP(bases[8]!, e, cache); // evicts bases[1], the least recently used
    expect(cache.has(bases[0]!)).toBe(true);
    expect(cache.has(bases[1]!)).toBe(false);
    expect(cache.size).toBe(8);
    const other: PowerCache = new Map();
    powP(bases[9]!, e, other);
    expect(other.has(bases[9]!)).toBe(true);
    expect(cache.has(bases[9]!)).toBe(false);
    powP(bases[1]!, e);
    expect(cache.has(bases[1]!)).toBe(false);
  });

  it('a short exponent never builds a table', () => {
    const cache: PowerCache = new Map();
    const x = 98765432123456789n ** 30n % MODP_P;
    expect(powP(x, (1n << 320n) - 1n, cache)).toBe(plainPow(x, (1n << 320n) - 1n, MODP_P));
    expect(cache.size).toBe(0);
  });
});

describe('data-message keys: the AKE secret reused, cells computed on first use', () => {
  const HEADER: Header = { version: 3, type: 3, senderTag: 0x100, receiverTag: 0x101 };

  it('computeSessionKeys with the known secret equals computing it', () => {
    const r = seededRandom(5);
    const a = generateDhKeyPair(r);
    const b = generateDhKeyPair(r);
    const withSecret = computeSessionKeys(a, b.gx, powP(b.gx, a.x));
    const computed = computeSessionKeys(a, b.gx);
    expect(bytesToHex(withSecret.sendAes)).toBe(bytesToHex(computed.sendAes));
    expect(bytesToHex(withSecret.recvMac)).toBe(bytesToHex(computed.recvMac));
    expect(bytesToHex(withSecret.extraKey)).toBe(bytesToHex(computed.extraKey));
  });

  it('a conversation with the AKE secret, with snapshots restored at every step, gives the same bytes', () => {
    // Two runs from the same random streams: one plain (no secret, never restored), one with the
    // AKE's secret handed over and both KeyStates snapshotted and restored before every message.
    const run = (fast: boolean): string[] => {
      const r = seededRandom(11);
      const a = generateDhKeyPair(r);
      const b = generateDhKeyPair(r);
      const result = (ours: typeof a, theirY: bigint, secret?: bigint): AkeResult =>
        ({ ourKeyId: 1, ourDh: ours, theirKeyId: 1, theirY, ...(secret ? { secret } : {}) }) as AkeResult;
      const ra = seededRandom(12);
      const rb = seededRandom(13);
      let ka = KeyState.fromAke(result(a, b.gx, fast ? powP(b.gx, a.x) : undefined), ra);
      let kb = KeyState.fromAke(result(b, a.gx, fast ? powP(a.gx, b.x) : undefined), rb);
      const wire: string[] = [];
      // Directions: a run one way, then alternating, then the other way.
      const script = 'aaababababbbbabbaab';
      for (let i = 0; i < script.length; i++) {
        if (fast) {
          ka = KeyState.restore(JSON.parse(JSON.stringify(ka.snapshot())));
          kb = KeyState.restore(JSON.parse(JSON.stringify(kb.snapshot())));
        }
        const [from, to, rng] = script[i] === 'a' ? [ka, kb, rb] : [kb, ka, ra];
        const sealed = sealDataMessage(from, HEADER, utf8Encode(`message ${i}`), 0);
        wire.push(bytesToHex(sealed.bytes));
        const opened = openDataMessage(to, decodeMessage(sealed.bytes) as DataMessage, rng);
        expect(new TextDecoder().decode(opened.plaintext)).toBe(`message ${i}`);
        wire.push(JSON.stringify(to.snapshot()).length.toString());
      }
      return wire;
    };
    expect(run(true)).toEqual(run(false));
  });

  it('a snapshot does not depend on which cells were computed, and untouched cells are written as null', () => {
    const r = seededRandom(21);
    const a = generateDhKeyPair(r);
    const b = generateDhKeyPair(r);
    const ks = KeyState.fromAke({ ourKeyId: 1, ourDh: a, theirKeyId: 1, theirY: b.gx } as AkeResult, r);
    const before = JSON.stringify(ks.snapshot());
    expect(ks.snapshot().sessions.flat()).toEqual([null, null, null, null]);
    ks.receivingKeys(1, 2); // computes cell [0][0] without using it
    ks.receivingKeys(1, 1);
    expect(JSON.stringify(ks.snapshot())).toBe(before);
  });
});

describe('Session: SMP with the per-session tables', () => {
  function pump(from: Session, to: Session, out: Output, evFrom: SessionEvent[], evTo: SessionEvent[]): void {
    evFrom.push(...out.events);
    const q: [Session, Session, SessionEvent[], SessionEvent[], string][] = out.wire.map((w) => [
      from,
      to,
      evFrom,
      evTo,
      w,
    ]);
    for (let i = 0; i < q.length; i++) {
      const [src, dst, es, ed, w] = q[i]!;
      const r = dst.receive(w);
      ed.push(...r.events);
      for (const x of r.wire) q.push([dst, src, ed, es, x]);
    }
  }

  it('runs SMP three times on one pair (same, different, same secret) with the right outcomes', async () => {
    const [ka, kb] = await Promise.all([generateDsaKey(), generateDsaKey()]);
    const mk = (account: string, peer: string, key: typeof ka, tag: number) =>
      new Session({ account, protocol: 'p', peer, privateKey: key, instanceTag: tag, policy: POLICY_MANUAL });
    const a = mk('alice', 'bob', ka, 0x111);
    const b = mk('bob', 'alice', kb, 0x222);
    const ea: SessionEvent[] = [];
    const eb: SessionEvent[] = [];
    pump(a, b, a.query(), ea, eb);
    expect(a.status.state).toBe('encrypted');
    for (const [secretA, secretB, want] of [
      ['one', 'one', 'succeeded'],
      ['one', 'two', 'failed'],
      ['three', 'three', 'succeeded'],
    ] as const) {
      ea.length = 0;
      eb.length = 0;
      pump(a, b, a.startSmp(secretA), ea, eb);
      expect(eb.some((e) => e.type === 'smp' && e.result === 'question')).toBe(true);
      pump(b, a, b.answerSmp(secretB), eb, ea);
      for (const ev of [ea, eb]) {
        const last = ev.filter((e) => e.type === 'smp').at(-1);
        expect(last?.type === 'smp' && last.result).toBe(want);
      }
    }
  }, 30_000);
});
