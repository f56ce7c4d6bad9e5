/**
 * Every check on a received SMP message rejects a bad value: the reply is an abort TLV, the event is
 * 'error', nothing throws, and the receiver is back in expect1 (libotr: "cheated", then abort).
 */
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/crypto/bytes';
import { MODP_P, MODP_Q } from '../../../src/crypto/modp';
import { Writer } from '../../../src/otr/serial';
import { Smp, type SmpSnapshot } from '../../../src/otr/smp';
import { TLV_SMP1, TLV_SMP1Q, type Tlv } from '../../../src/otr/tlv';
import { seededRandom } from '../../lib/seeded-random';
import { decode, encode, expectAbortReply, newSmp, withMpi } from './helpers';

const SECRET = 0xc0ffeen;

interface Target {
  name: string;
  /** The receiver, frozen just before it gets the message. */
  receiver: SmpSnapshot;
  message: Tlv;
  state: string;
  group: number[];
  exponents: number[];
  hashes: number[];
  count: number;
}

function targets(): Target[] {
  const a = newSmp();
  const b = newSmp();
  const b1 = b.snapshot();
  const m1 = a.start(SECRET)[0]!;
  b.receive(m1);
  const a2 = a.snapshot();
  const m2 = b.answer(SECRET)[0]!;
  const b3 = b.snapshot();
  const m3 = a.receive(m2).reply[0]!;
  const a4 = a.snapshot();
  const m4 = b.receive(m3).reply[0]!;
  return [
    {
      name: 'SMP1',
      receiver: b1,
      message: m1,
      state: 'expect1',
      group: [0, 3],
      exponents: [2, 5],
      hashes: [1, 4],
      count: 6,
    },
    {
      name: 'SMP2',
      receiver: a2,
      message: m2,
      state: 'expect2',
      group: [0, 3, 6, 7],
      exponents: [2, 5, 9, 10],
      hashes: [1, 4, 8],
      count: 11,
    },
    {
      name: 'SMP3',
      receiver: b3,
      message: m3,
      state: 'expect3',
      group: [0, 1, 5],
      exponents: [3, 4, 7],
      hashes: [2, 6],
      count: 8,
    },
    {
      name: 'SMP4',
      receiver: a4,
      message: m4,
      state: 'expect4',
      group: [0],
      exponents: [2],
      hashes: [1],
      count: 3,
    },
  ];
}

function rejects(t: Target, bad: Tlv, why: RegExp): void {
  const s = Smp.restore(t.receiver, seededRandom(99));
  expect(s.state).toBe(t.state);
  let r: ReturnType<Smp['receive']> | undefined;
  expect(() => {
    r = s.receive(bad);
  }).not.toThrow();
  expectAbortReply(r!.reply);
  expect(r!.event?.result).toBe('error');
  expect(r!.event?.message).toMatch(why);
  // Only a bad SMP3/SMP4 at the last step is "final" (libotr clears trust then).
  expect(r!.event?.final).toBe(t.name === 'SMP3' || t.name === 'SMP4' ? true : undefined);
  expect(s.state).toBe('expect1');
  expect(s.snapshot().values).toEqual({});
}

const OUT_OF_GROUP = /not in \[2, p-2\]/;
const OUT_OF_EXPONENTS = /not in \[1, q\)/;
const PROOF = /does not verify/;

describe('SMP message checks', () => {
  for (const t of targets()) {
    describe(t.name, () => {
      it('the unmodified message is accepted by the frozen receiver', () => {
        const s = Smp.restore(t.receiver, seededRandom(5));
        const r = s.receive(t.message);
        expect(r.event?.result ?? 'none').not.toBe('error');
        expect(s.state).not.toBe(t.state === 'expect1' ? 'expect1' : t.state);
      });

      for (const i of t.group) {
        for (const [label, v] of [
          ['0', 0n],
          ['1', 1n],
          ['p-1', MODP_P - 1n],
          ['p', MODP_P],
          ['p+2', MODP_P + 2n],
        ] as const) {
          it(`group element ${i} = ${label} is refused by the range check`, () => {
            rejects(t, withMpi(t.message, i, v), OUT_OF_GROUP);
          });
        }
        it(`group element ${i} replaced by another valid element breaks a proof`, () => {
          rejects(t, withMpi(t.message, i, 4n), PROOF);
        });
      }

      for (const i of t.exponents) {
        for (const [label, v] of [
          ['0', 0n],
          ['q', MODP_Q],
          ['q+1', MODP_Q + 1n],
          ['p', MODP_P],
        ] as const) {
          it(`exponent ${i} = ${label} is refused by the range check`, () => {
            rejects(t, withMpi(t.message, i, v), OUT_OF_EXPONENTS);
          });
        }
        it(`exponent ${i} off by one breaks a proof`, () => {
          const d = decode(t.message.value)[i]!;
          rejects(t, withMpi(t.message, i, d === 1n ? 2n : d - 1n), PROOF);
        });
      }

      for (const i of t.hashes) {
        it(`challenge ${i} off by one breaks a proof`, () => {
          const c = decode(t.message.value)[i]!;
          rejects(t, withMpi(t.message, i, c ^ 1n), PROOF);
        });
        it(`challenge ${i} of 2^256 or more (no SHA-256 output) is refused`, () => {
          rejects(t, withMpi(t.message, i, (1n << 256n) + decode(t.message.value)[i]!), PROOF);
          rejects(t, withMpi(t.message, i, MODP_P - 2n), PROOF);
        });
      }

      it('a wrong MPI count is refused, with or without matching MPIs', () => {
        const m = decode(t.message.value);
        rejects(t, { type: t.message.type, value: encode(m, t.count - 1) }, /MPIs instead of/);
        rejects(t, { type: t.message.type, value: encode(m, t.count + 1) }, /MPIs instead of/);
        rejects(t, { type: t.message.type, value: encode(m.slice(0, -1)) }, /MPIs instead of/);
        rejects(t, { type: t.message.type, value: encode([...m, 5n]) }, /MPIs instead of/);
        rejects(t, { type: t.message.type, value: encode([]) }, /MPIs instead of/);
      });

      it('trailing bytes are refused', () => {
        rejects(
          t,
          { type: t.message.type, value: concatBytes(t.message.value, Uint8Array.of(0)) },
          /trailing/,
        );
        rejects(
          t,
          { type: t.message.type, value: concatBytes(t.message.value, new Uint8Array(4)) },
          /trailing/,
        );
      });

      it('a truncated message is refused at every cut', () => {
        const v = t.message.value;
        for (const cut of [0, 1, 3, 4, 5, 8, 9, v.length >> 1, v.length - 1]) {
          rejects(t, { type: t.message.type, value: v.subarray(0, cut) }, /truncated/);
        }
      });

      it('an MPI length that overruns the message is refused', () => {
        const m = decode(t.message.value);
        const w = new Writer().int(t.count).int(0xffffffff);
        for (const x of m) w.mpi(x);
        rejects(t, { type: t.message.type, value: w.bytes() }, /too long|truncated/);
      });

      it('non-minimal MPIs (leading zero bytes) are read like libotr does', () => {
        const m = decode(t.message.value);
        const w = new Writer().int(t.count);
        for (const x of m) {
          const min = new Writer().mpi(x).bytes().subarray(4);
          w.data(concatBytes(Uint8Array.of(0, 0), min));
        }
        const s = Smp.restore(t.receiver, seededRandom(5));
        const r = s.receive({ type: t.message.type, value: w.bytes() });
        expect(r.event?.result ?? 'none').not.toBe('error');
      });
    });
  }

  describe('SMP1Q framing', () => {
    const m1 = newSmp().start(SECRET)[0]!;
    const t: Target = {
      name: 'SMP1Q',
      receiver: newSmp().snapshot(),
      message: m1,
      state: 'expect1',
      group: [],
      exponents: [],
      hashes: [],
      count: 6,
    };
    it('an empty SMP1Q is refused', () => {
      rejects(t, { type: TLV_SMP1Q, value: new Uint8Array(0) }, /NUL/);
    });
    it('a question without its NUL is refused', () => {
      rejects(t, { type: TLV_SMP1Q, value: Uint8Array.of(0x41, 0x42) }, /NUL/);
    });
    it('a question NUL followed by a bad payload is refused', () => {
      rejects(
        t,
        { type: TLV_SMP1Q, value: concatBytes(Uint8Array.of(0x41, 0), m1.value, Uint8Array.of(1)) },
        /trailing/,
      );
      rejects(t, { type: TLV_SMP1Q, value: Uint8Array.of(0x41, 0) }, /truncated/);
    });
    it('a plain SMP1 carrying a question prefix is malformed', () => {
      rejects(
        t,
        { type: TLV_SMP1, value: concatBytes(Uint8Array.of(0x41, 0), m1.value) },
        /MPIs instead of|truncated/,
      );
    });
  });

  it('a refused SMP1 in question-asked drops the pending question too', () => {
    const b = newSmp();
    const a = newSmp();
    b.receive(a.start(SECRET, 'first')[0]!);
    const bad = withMpi(a.start(SECRET)[0]!, 0, 1n);
    const r = b.receive(bad);
    expectAbortReply(r.reply);
    expect(b.state).toBe('expect1');
    expect(b.question).toBeUndefined();
    expect(() => b.answer(SECRET)).toThrow(expect.objectContaining({ code: 'bad-state' }));
  });
});
