/** Two Smp instances talk: outcomes, questions, aborts at every step, restarts, wrong states. */
import { describe, expect, it } from 'vitest';
import { concatBytes, utf8Encode } from '../../../src/crypto/bytes';
import { OtrError } from '../../../src/otr/errors';
import type { Smp } from '../../../src/otr/smp';
import {
  TLV_SMP_ABORT,
  TLV_SMP1,
  TLV_SMP1Q,
  TLV_SMP2,
  TLV_SMP3,
  TLV_SMP4,
  type Tlv,
} from '../../../src/otr/tlv';
import { decode, encode, expectAbortReply, newSmp, runSmp } from './helpers';

const S1 = 0x1234567890abcdefn;
const S2 = 0x1234567890abcdeen;

describe('SMP between two instances', () => {
  it('same secret: both succeed; the events say who started', () => {
    const r = runSmp(newSmp(), newSmp(), S1, S1);
    expect(r.question).toEqual({ result: 'question', initiator: false, withQuestion: false });
    expect(r.alice).toEqual({ result: 'succeeded', initiator: true, withQuestion: false, final: true });
    expect(r.bob).toEqual({ result: 'succeeded', initiator: false, withQuestion: false, final: true });
  });

  it('different secrets: both fail', () => {
    const r = runSmp(newSmp(), newSmp(), S1, S2);
    expect(r.alice).toEqual({ result: 'failed', initiator: true, withQuestion: false, final: true });
    expect(r.bob).toEqual({ result: 'failed', initiator: false, withQuestion: false, final: true });
  });

  it('a secret of 0 and the largest 256-bit secret work', () => {
    expect(runSmp(newSmp(), newSmp(), 0n, 0n).alice?.result).toBe('succeeded');
    const max = (1n << 256n) - 1n;
    expect(runSmp(newSmp(), newSmp(), max, max).bob?.result).toBe('succeeded');
    expect(runSmp(newSmp(), newSmp(), max, 0n).bob?.result).toBe('failed');
  });

  it('a question arrives intact, Unicode included, and marks both sides withQuestion', () => {
    const q = 'Où étions-nous le 1ᵉʳ mai? 猫の名前は 🐈‍⬛ — «ok»';
    const a = newSmp();
    const m1 = a.start(S1, q);
    expect(m1[0]!.type).toBe(TLV_SMP1Q);
    // libotr's layout: UTF-8 question, NUL, then the SMP1 payload.
    const qb = utf8Encode(q);
    expect(m1[0]!.value.subarray(0, qb.length)).toEqual(qb);
    expect(m1[0]!.value[qb.length]).toBe(0);
    expect(decode(m1[0]!.value.subarray(qb.length + 1))).toHaveLength(6);

    const r = runSmp(newSmp(), newSmp(), S1, S1, q);
    expect(r.question).toEqual({ result: 'question', question: q, initiator: false, withQuestion: true });
    expect(r.alice).toEqual({ result: 'succeeded', initiator: true, withQuestion: true, final: true });
    expect(r.bob).toEqual({ result: 'succeeded', initiator: false, withQuestion: true, final: true });
  });

  it('an empty question is still a question (SMP1Q)', () => {
    const r = runSmp(newSmp(), newSmp(), S1, S1, '');
    expect(r.question?.question).toBe('');
    expect(r.bob?.withQuestion).toBe(true);
  });

  it('the pending question is readable until answered', () => {
    const a = newSmp();
    const b = newSmp();
    b.receive(a.start(S1, 'colour?')[0]!);
    expect(b.question).toBe('colour?');
    b.answer(S1);
    expect(b.question).toBeUndefined();
  });

  it('invalid UTF-8 in a received question becomes U+FFFD, the run goes on', () => {
    const a = newSmp();
    const b = newSmp();
    const m1 = a.start(S1);
    const value = concatBytes(Uint8Array.of(0x41, 0xff, 0x42, 0), m1[0]!.value);
    const r1 = b.receive({ type: TLV_SMP1Q, value });
    expect(r1.event).toEqual({
      result: 'question',
      question: 'A\uFFFDB',
      initiator: false,
      withQuestion: true,
    });
    const r2 = a.receive(b.answer(S1)[0]!);
    const r3 = b.receive(r2.reply[0]!);
    expect(a.receive(r3.reply[0]!).event?.result).toBe('succeeded');
    expect(r3.event?.result).toBe('succeeded');
  });

  it('refuses a question containing NUL and a secret out of range', () => {
    const a = newSmp();
    expect(() => a.start(S1, 'a\u0000b')).toThrow(OtrError);
    expect(() => a.start(-1n)).toThrow(RangeError);
    expect(a.state).toBe('expect1');
    // A question that cannot fit in one TLV (65535 bytes with the payload) is refused up front.
    expect(() => a.start(S1, 'é'.repeat(32_500))).toThrow(/too long/);
    expect(a.state).toBe('expect1');
    expect(a.start(S1, 'é'.repeat(32_000))[0]!.value.length).toBeLessThanOrEqual(0xffff);
  });

  it('answer without a pending SMP1 throws bad-state', () => {
    const b = newSmp();
    expect(() => b.answer(S1)).toThrow(expect.objectContaining({ code: 'bad-state' }));
    const a = newSmp();
    a.start(S1);
    expect(() => a.answer(S1)).toThrow(expect.objectContaining({ code: 'bad-state' }));
    expect(a.state).toBe('expect2');
  });

  it('a new run works after success, failure and again', () => {
    let a = newSmp();
    let b = newSmp();
    for (const [x, y, want] of [
      [S1, S1, 'succeeded'],
      [S1, S2, 'failed'],
      [S2, S2, 'succeeded'],
    ] as const) {
      const r = runSmp(a, b, x, y);
      expect(r.alice?.result).toBe(want);
      expect(r.bob?.result).toBe(want);
      a = r.a;
      b = r.b;
    }
    // Roles swap: bob starts now.
    expect(runSmp(b, a, S2, S2).alice?.result).toBe('succeeded');
  });
});

/**
 * The exchange as a list of steps; abort() by one side after step k, the abort TLV delivered to the
 * other, then a full successful run.
 */
describe('abort at every step by either side', () => {
  type Step = (a: Smp, b: Smp, wire: Tlv[]) => Tlv[];
  const steps: Step[] = [
    (a) => a.start(S1, 'q'),
    (_a, b, w) => b.receive(w[0]!).reply,
    (_a, b) => b.answer(S1),
    (a, _b, w) => a.receive(w[0]!).reply,
    (_a, b, w) => b.receive(w[0]!).reply,
  ];
  for (let k = 0; k <= steps.length; k++) {
    for (const who of ['alice', 'bob'] as const) {
      it(`${who} aborts after ${k} steps`, () => {
        const a = newSmp();
        const b = newSmp();
        let wire: Tlv[] = [];
        for (let i = 0; i < k; i++) wire = steps[i]!(a, b, wire);
        const [me, other] = who === 'alice' ? [a, b] : [b, a];
        const abort = me.abort();
        expectAbortReply(abort);
        expect(me.state).toBe('expect1');
        const r = other.receive(abort[0]!);
        expect(r.reply).toEqual([]);
        expect(r.event?.result).toBe('aborted');
        expect(other.state).toBe('expect1');
        // A redo from either side succeeds.
        const redo = k % 2 === 0 ? runSmp(a, b, S2, S2, 'again?') : runSmp(b, a, S2, S2);
        expect(redo.alice?.result).toBe('succeeded');
        expect(redo.bob?.result).toBe('succeeded');
      });
    }
  }

  it('the aborted event tells which role the receiver had', () => {
    const a = newSmp();
    const b = newSmp();
    b.receive(a.start(S1, 'q')[0]!);
    expect(a.receive(b.abort()[0]!).event).toEqual({
      result: 'aborted',
      initiator: true,
      withQuestion: true,
    });
  });
});

describe('starting while a run is in progress', () => {
  it('start() replaces our own run: only the newest SMP1 counts', () => {
    const a = newSmp();
    const b = newSmp();
    a.start(S2);
    const second = a.start(S1);
    b.receive(second[0]!);
    const r2 = a.receive(b.answer(S1)[0]!);
    const r3 = b.receive(r2.reply[0]!);
    expect(r3.event?.result).toBe('succeeded');
    expect(a.receive(r3.reply[0]!).event?.result).toBe('succeeded');
  });

  it('a new SMP1 while we wait for our user replaces the pending question (libotr: still expect1)', () => {
    const a = newSmp();
    const b = newSmp();
    b.receive(a.start(S2, 'first')[0]!);
    const r = b.receive(a.start(S1, 'second')[0]!);
    expect(r.event?.question).toBe('second');
    const r2 = a.receive(b.answer(S1)[0]!);
    const r3 = b.receive(r2.reply[0]!);
    expect(r3.event?.result).toBe('succeeded');
  });

  it('the responder starting its own run mid-way: the old initiator gets SMP1 in expect4, aborts', () => {
    const a = newSmp();
    const b = newSmp();
    b.receive(a.start(S1)[0]!);
    const r2 = a.receive(b.answer(S1)[0]!); // a: expect4
    expect(a.state).toBe('expect4');
    const restart = b.start(S2); // b drops its run and starts over
    const r = a.receive(restart[0]!);
    expectAbortReply(r.reply);
    expect(r.event?.result).toBe('error');
    expect(a.state).toBe('expect1');
    // The stale SMP3 reaches b, which now expects SMP2: another abort.
    const stale = b.receive(r2.reply[0]!);
    expectAbortReply(stale.reply);
    expect(b.state).toBe('expect1');
    // Both aborts arrive, and a new run still works.
    a.receive(stale.reply[0]!);
    b.receive(r.reply[0]!);
    expect(runSmp(a, b, S2, S2).bob?.result).toBe('succeeded');
  });

  it('both start at once: each gets SMP1 in expect2, both abort, then a redo works', () => {
    const a = newSmp();
    const b = newSmp();
    const ma = a.start(S1);
    const mb = b.start(S1);
    const ra = a.receive(mb[0]!);
    const rb = b.receive(ma[0]!);
    expectAbortReply(ra.reply);
    expectAbortReply(rb.reply);
    expect(ra.event).toMatchObject({ result: 'error', initiator: true });
    expect(a.receive(rb.reply[0]!).event?.result).toBe('aborted');
    expect(b.receive(ra.reply[0]!).event?.result).toBe('aborted');
    expect(runSmp(a, b, S1, S1).alice?.result).toBe('succeeded');
  });
});

describe('a TLV in the wrong state aborts and resets to expect1', () => {
  // A well-formed message of each type, so that only the state can be wrong.
  function messages(): Record<number, Tlv> {
    const a = newSmp();
    const b = newSmp();
    const m1 = a.start(S1);
    b.receive(m1[0]!);
    const m2 = b.answer(S1);
    const m3 = a.receive(m2[0]!).reply;
    const m4 = b.receive(m3[0]!).reply;
    const m1q = newSmp().start(S1, 'q');
    return {
      [TLV_SMP1]: m1[0]!,
      [TLV_SMP1Q]: m1q[0]!,
      [TLV_SMP2]: m2[0]!,
      [TLV_SMP3]: m3[0]!,
      [TLV_SMP4]: m4[0]!,
    };
  }
  const msgs = messages();

  // Brings a fresh pair into each state; returns the side that is in it.
  const into: Record<string, () => Smp> = {
    expect1: () => newSmp(),
    'question-asked': () => {
      const b = newSmp();
      b.receive(newSmp().start(S1)[0]!);
      return b;
    },
    expect2: () => {
      const a = newSmp();
      a.start(S1);
      return a;
    },
    expect3: () => {
      const b = newSmp();
      b.receive(newSmp().start(S1)[0]!);
      b.answer(S1);
      return b;
    },
    expect4: () => {
      const a = newSmp();
      const b = newSmp();
      b.receive(a.start(S1)[0]!);
      a.receive(b.answer(S1)[0]!);
      return a;
    },
  };
  const allowed: Record<string, number[]> = {
    expect1: [TLV_SMP1, TLV_SMP1Q],
    'question-asked': [TLV_SMP1, TLV_SMP1Q],
    expect2: [TLV_SMP2],
    expect3: [TLV_SMP3],
    expect4: [TLV_SMP4],
  };
  for (const state of Object.keys(into)) {
    for (const type of [TLV_SMP1, TLV_SMP1Q, TLV_SMP2, TLV_SMP3, TLV_SMP4]) {
      if (allowed[state]!.includes(type)) continue;
      it(`TLV ${type} in ${state}`, () => {
        const s = into[state]!();
        expect(s.state).toBe(state);
        const r = s.receive(msgs[type]!);
        expectAbortReply(r.reply);
        expect(r.event?.result).toBe('error');
        expect(r.event?.message).toMatch(/unexpected/);
        expect(r.event?.final).toBeUndefined();
        expect(s.state).toBe('expect1');
      });
    }
  }

  it('a run is possible right after a wrong-state abort', () => {
    const a = into.expect2!();
    a.receive(msgs[TLV_SMP3]!);
    expect(runSmp(a, newSmp(), S1, S1).alice?.result).toBe('succeeded');
  });

  it('an abort TLV in expect1 is reported and changes nothing; its value is ignored', () => {
    const s = newSmp();
    const r = s.receive({ type: TLV_SMP_ABORT, value: Uint8Array.of(1, 2, 3) });
    expect(r).toEqual({ reply: [], event: { result: 'aborted', initiator: false, withQuestion: false } });
    expect(s.state).toBe('expect1');
  });

  it('TLVs that are not SMP are ignored without an event', () => {
    const s = into.expect3!();
    for (const type of [0, 1, 8, 9, 0xffff]) {
      expect(s.receive({ type, value: encode([5n]) })).toEqual({ reply: [] });
    }
    expect(s.state).toBe('expect3');
  });
});
