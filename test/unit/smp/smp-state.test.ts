/** Snapshot/restore at every step, snapshot validation, smpSecret known answers, random input. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToBigInt, concatBytes, hexToBytes, utf8Encode } from '../../../src/crypto/bytes';
import { MODP_P } from '../../../src/crypto/modp';
import { OtrError } from '../../../src/otr/errors';
import { Smp, type SmpSnapshot, smpSecret } from '../../../src/otr/smp';
import {
  TLV_SMP_ABORT,
  TLV_SMP1,
  TLV_SMP1Q,
  TLV_SMP2,
  TLV_SMP3,
  TLV_SMP4,
  type Tlv,
} from '../../../src/otr/tlv';
import { seededRandom } from '../../lib/seeded-random';
import { encode, newSmp, runSmp } from './helpers';

const S = 0xabcdefn;

describe('snapshot / restore', () => {
  it('restoring both sides before every step gives the same outcomes', () => {
    expect(runSmp(newSmp(), newSmp(), S, S, 'naïve? ✓', true).alice?.result).toBe('succeeded');
    const r = runSmp(newSmp(), newSmp(), S, S + 1n, undefined, true);
    expect(r.alice).toEqual({ result: 'failed', initiator: true, withQuestion: false, final: true });
    expect(r.bob).toEqual({ result: 'failed', initiator: false, withQuestion: false, final: true });
  });

  it('a snapshot is plain JSON and keeps state, role, question', () => {
    const a = newSmp();
    const b = newSmp();
    b.receive(a.start(S, 'q?')[0]!);
    const snap = b.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toMatchObject({
      v: 1,
      state: 'question-asked',
      initiator: false,
      withQuestion: true,
      question: 'q?',
    });
    const restored = Smp.restore(JSON.parse(JSON.stringify(snap)), seededRandom(3));
    expect(restored.question).toBe('q?');
    expect(restored.snapshot()).toEqual(snap);
    expect(Object.keys(a.snapshot().values).sort()).toEqual(['secret', 'x2', 'x3']);
  });

  it('a finished run keeps no secret values', () => {
    const r = runSmp(newSmp(), newSmp(), S, S);
    expect(r.a.snapshot().values).toEqual({});
    expect(r.b.snapshot().values).toEqual({});
  });

  function snapIn(state: 'expect2' | 'question-asked' | 'expect3' | 'expect4'): SmpSnapshot {
    const a = newSmp();
    const b = newSmp();
    const m1 = a.start(S, 'q');
    if (state === 'expect2') return a.snapshot();
    b.receive(m1[0]!);
    if (state === 'question-asked') return b.snapshot();
    const m2 = b.answer(S);
    if (state === 'expect3') return b.snapshot();
    a.receive(m2[0]!);
    return a.snapshot();
  }

  const bad: [string, (s: SmpSnapshot) => unknown][] = [
    ['null', () => null],
    ['a string', () => 'expect1'],
    ['version 2', (s) => ({ ...s, v: 2 })],
    ['unknown state', (s) => ({ ...s, state: 'expect5' })],
    ['initiator not boolean', (s) => ({ ...s, initiator: 'yes' })],
    ['question not a string', (s) => ({ ...s, question: 5 })],
    ['values missing', (s) => ({ ...s, values: undefined })],
    ['values an array', (s) => ({ ...s, values: [] })],
    ['a value missing', (s) => ({ ...s, values: { ...s.values, x3: undefined } })],
    ['an unknown value', (s) => ({ ...s, values: { ...s.values, x9: '01' } })],
    ['a value not hex', (s) => ({ ...s, values: { ...s.values, x3: 'xyz' } })],
    ['a value with 0x', (s) => ({ ...s, values: { ...s.values, x3: '0x12' } })],
    ['a value too long', (s) => ({ ...s, values: { ...s.values, x3: 'f'.repeat(385) } })],
    ['a value the state does not keep', (s) => ({ ...s, values: { ...s.values, x2: '05', secret: '01' } })],
    ['g3o out of the group', (s) => ({ ...s, values: { ...s.values, g3o: '1' } })],
    ['g3o = p', (s) => ({ ...s, values: { ...s.values, g3o: MODP_P.toString(16) } })],
    ['expect1 with values', (s) => ({ ...s, state: 'expect1' })],
  ];
  for (const [what, mutate] of bad) {
    it(`restore refuses a snapshot with ${what}`, () => {
      const snap = snapIn('expect4');
      expect(() => Smp.restore(mutate(structuredClone(snap)) as SmpSnapshot, seededRandom(1))).toThrow(
        expect.objectContaining({ name: 'OtrError', code: 'malformed' }),
      );
    });
  }

  it('restore accepts every reachable state', () => {
    for (const st of ['expect2', 'question-asked', 'expect3', 'expect4'] as const) {
      expect(Smp.restore(snapIn(st), seededRandom(1)).state).toBe(st);
    }
    expect(Smp.restore(newSmp().snapshot(), seededRandom(1)).state).toBe('expect1');
  });
});

describe('smpSecret', () => {
  const fpA = hexToBytes('0102030405060708090a0b0c0d0e0f1011121314');
  const fpB = hexToBytes('a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4');
  const ssid = hexToBytes('f0e1d2c3b4a59687');

  it('is SHA-256(0x01 || initiator fp || responder fp || ssid || secret) as an integer', () => {
    const secret = utf8Encode('Grüße, Welt');
    const expected = createHash('sha256')
      .update(Uint8Array.of(1))
      .update(fpA)
      .update(fpB)
      .update(ssid)
      .update(secret)
      .digest('hex');
    expect(smpSecret(fpA, fpB, ssid, secret)).toBe(BigInt(`0x${expected}`));
  });

  it('matches a fixed known answer', () => {
    // printf '\x01<fpA><fpB><ssid>secret' | sha256sum, computed outside this code base.
    const hex = '879c4da72efade12101234117ee236c5183dcc8b1bd735f5b9a83822cd87b425';
    expect(smpSecret(fpA, fpB, ssid, utf8Encode('secret'))).toBe(bytesToBigInt(hexToBytes(hex)));
  });

  it('depends on the order of the fingerprints, so both sides put the initiator first', () => {
    const s = utf8Encode('x');
    expect(smpSecret(fpA, fpB, ssid, s)).not.toBe(smpSecret(fpB, fpA, ssid, s));
  });

  it('answers are compared exactly: case matters, an empty secret is allowed', () => {
    expect(smpSecret(fpA, fpB, ssid, utf8Encode('Blue'))).not.toBe(
      smpSecret(fpA, fpB, ssid, utf8Encode('blue')),
    );
    expect(smpSecret(fpA, fpB, ssid, new Uint8Array(0)) < 1n << 256n).toBe(true);
  });

  it('refuses fingerprints and session ids of the wrong length', () => {
    expect(() => smpSecret(fpA.subarray(1), fpB, ssid, fpA)).toThrow(OtrError);
    expect(() => smpSecret(fpA, concatBytes(fpB, fpB), ssid, fpA)).toThrow(OtrError);
    expect(() => smpSecret(fpA, fpB, ssid.subarray(1), fpA)).toThrow(OtrError);
  });

  it('secrets derived on both sides make SMP succeed', () => {
    const sa = smpSecret(fpA, fpB, ssid, utf8Encode('pass'));
    const sb = smpSecret(fpA, fpB, ssid, utf8Encode('pass'));
    expect(runSmp(newSmp(), newSmp(), sa, sb).bob?.result).toBe('succeeded');
  });
});

describe('random input never throws', () => {
  // One receiver per state, restored fresh for every input.
  const a = newSmp();
  const b = newSmp();
  const snaps: SmpSnapshot[] = [a.snapshot()];
  const m1 = a.start(S);
  snaps.push(a.snapshot());
  b.receive(m1[0]!);
  snaps.push(b.snapshot());
  const m2 = b.answer(S);
  snaps.push(b.snapshot());
  a.receive(m2[0]!);
  snaps.push(a.snapshot());

  const smpType = fc.constantFrom(TLV_SMP1, TLV_SMP1Q, TLV_SMP2, TLV_SMP3, TLV_SMP4, TLV_SMP_ABORT, 0, 1, 8);
  const mpi = fc.oneof(
    fc.bigInt({ min: 0n, max: (1n << 1600n) - 1n }),
    fc.constantFrom(0n, 1n, 2n, MODP_P - 2n, MODP_P - 1n, MODP_P),
  );
  const structured = fc
    .tuple(fc.integer({ min: 0, max: 12 }), fc.array(mpi, { maxLength: 12 }))
    .map(([count, values]) => encode(values, count));
  const value = fc.oneof(fc.uint8Array({ maxLength: 200 }), structured);

  function check(snap: SmpSnapshot, tlv: Tlv): void {
    const s = Smp.restore(snap, seededRandom(7));
    const r = s.receive(tlv);
    for (const t of r.reply) expect([TLV_SMP_ABORT, TLV_SMP2, TLV_SMP3, TLV_SMP4]).toContain(t.type);
    if (r.event?.result === 'error') {
      expect(r.reply.map((t) => t.type)).toEqual([TLV_SMP_ABORT]);
      expect(s.state).toBe('expect1');
    }
  }

  it('arbitrary TLVs in every state: no exception, an error always aborts and resets', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: snaps.length - 1 }), smpType, value, (i, type, v) => {
        check(snaps[i]!, { type, value: v });
      }),
      { numRuns: 400 },
    );
  });

  it('valid messages with one byte flipped: no exception', () => {
    const valid: [number, Tlv][] = [
      [0, m1[0]!],
      [1, m2[0]!],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...valid),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ([i, tlv], pos, x) => {
          const v = tlv.value.slice();
          const k = pos % v.length;
          v[k] = v[k]! ^ x;
          check(snaps[i]!, { type: tlv.type, value: v });
        },
      ),
      { numRuns: 60 },
    );
  });
});
