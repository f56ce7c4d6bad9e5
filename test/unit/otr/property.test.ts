/**
 * fast-check properties of Session.receive: random and mutated wire lines never make it throw,
 * and a line it rejects or ignores leaves the session exactly as it was (snapshot JSON-equal);
 * random conversations with persistence at random points stay in sync.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { base64Encode } from '../../../src/crypto/bytes';
import { dearmor } from '../../../src/otr/messages';
import { POLICY_MANUAL, POLICY_OPPORTUNISTIC } from '../../../src/otr/policy';
import { classify } from '../../../src/otr/proto';
import { type Output, Session } from '../../../src/otr/session';
import { type Party, party, persist, snap } from './helpers';

/** Lines bob received in a conversation, with bob's snapshot just before each. */
interface Recorded {
  wire: string;
  before: string;
}

interface Recording {
  lines: Recorded[];
  bobOpts: Party['opts'];
}

function rejected(out: Output): boolean {
  return (
    out.events.every((e) => e.type === 'error' || e.type === 'ignored') &&
    out.wire.every((w) => w.startsWith('?OTR Error:'))
  );
}

function record(policy: number): Recording {
  let recorded: Recorded[] = [];
  // alice and bob, 200-character lines so some messages are fragmented
  const a = party('alice', 4000, { maxMessageSize: 200, policy });
  const b = party('bob', 5000, { maxMessageSize: 200, policy });
  const toBob: string[] = [];
  const deliver = (out: Output, from: 'a' | 'b') => {
    let queue = out.wire.map((w) => ({ w, to: from === 'a' ? 'b' : 'a' }));
    while (queue.length) {
      const next: typeof queue = [];
      for (const { w, to } of queue) {
        if (to === 'b') {
          recorded.push({ wire: w, before: snap(b.session) });
          toBob.push(w);
        }
        const o = (to === 'b' ? b : a).session.receive(w);
        for (const x of o.wire) next.push({ w: x, to: to === 'b' ? 'a' : 'b' });
      }
      queue = next;
    }
  };
  deliver(a.session.query(), 'a');
  deliver(a.session.send('hello bob'), 'a');
  deliver(b.session.send('hello alice'), 'b');
  deliver(a.session.send('a longer message that will not fit in one line of 200 characters '.repeat(3)), 'a');
  deliver(a.session.startSmp('s3cret', 'q?'), 'a');
  deliver(b.session.answerSmp('s3cret'), 'b');
  deliver(a.session.send('after smp'), 'a');
  expect(b.session.status.state).toBe('encrypted');
  expect(recorded.length).toBeGreaterThan(10);
  recorded = recorded.filter((r) => r.wire.length > 0);
  return { lines: recorded, bobOpts: b.opts };
}

/** Flip one bit of the binary message inside an encoded line (or of a character, for other lines). */
function flip(wire: string, pos: number, bit: number): string {
  if (wire.startsWith('?OTR:')) {
    const bytes = dearmor(wire);
    const i = pos % bytes.length;
    bytes[i]! ^= 1 << bit;
    return `?OTR:${base64Encode(bytes)}.`;
  }
  const i = pos % wire.length;
  return wire.slice(0, i) + String.fromCharCode(wire.charCodeAt(i) ^ (1 << bit)) + wire.slice(i + 1);
}

/**
 * The snapshot without the reassembly buffers (any non-fragment line empties them: spec,
 * Fragmentation) and without the whitespace-offer hint (any line with "?OTR" in it counts as an
 * answer to our offer, before it is parsed, exactly as in libotr's otrl_message_receiving).
 */
function core(s: Session): string {
  return JSON.stringify({ ...s.snapshot(), fragments: [], offer: '' });
}

function checkReceive(s: Session, line: string): Output {
  const before = core(s);
  let out: Output;
  try {
    out = s.receive(line);
  } catch (e) {
    throw new Error(`receive threw on ${JSON.stringify(line.slice(0, 120))}: ${e}`);
  }
  if (rejected(out) && classify(line).kind !== 'fragment') {
    expect(s.snapshot().fragments).toEqual([]);
    expect(
      core(s),
      `rejected line changed the session: ${out.events.map((e) => JSON.stringify(e)).join(' ')}`,
    ).toBe(before);
  }
  return out;
}

for (const [name, policy] of [
  ['manual', POLICY_MANUAL],
  ['opportunistic', POLICY_OPPORTUNISTIC],
] as const) {
  describe(`Session.receive never throws; a rejected line changes nothing (${name})`, () => {
    let rec: Recording;
    let recorded: Recorded[];
    beforeAll(() => {
      rec = record(policy);
      recorded = rec.lines;
    });
    const bobAt = (i: number): Session => Session.restore(JSON.parse(recorded[i]!.before), rec.bobOpts);

    const garbage = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.uint8Array({ maxLength: 300 }).map((b) => `?OTR:${base64Encode(b)}.`),
      fc
        .tuple(
          fc.constantFrom(0, 2, 3, 4),
          fc.constantFrom(2, 3, 10, 17, 18, 99),
          fc.uint8Array({ maxLength: 250 }),
        )
        .map(([v, t, b]) => `?OTR:${base64Encode(Uint8Array.of(0, v, t, ...b))}.`),
      fc.tuple(fc.nat(99999), fc.nat(99999), fc.string()).map(([k, n, p]) => `?OTR,${k},${n},${p},`),
      fc
        .tuple(fc.nat(0xffffffff), fc.nat(0xffffffff), fc.nat(99999), fc.nat(99999), fc.string())
        .map(([s, r, k, n, p]) => `?OTR|${s.toString(16)}|${r.toString(16)},${k},${n},${p},`),
      fc.string().map((s) => `?OTR Error:${s}`),
      fc.string().map((s) => `?OTRv${s}`),
    );
    it('random lines, at every point of a real conversation', () => {
      fc.assert(
        fc.property(fc.nat(), garbage, (at, line) => {
          checkReceive(bobAt(at % recorded.length), line);
        }),
        { numRuns: 500 },
      );
    });
    it('bit flips of real lines', () => {
      fc.assert(
        fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (at, pos, bit) => {
          const i = at % recorded.length;
          checkReceive(bobAt(i), flip(recorded[i]!.wire, pos, bit));
        }),
        { numRuns: 500 },
      );
    });
    it('truncated real lines', () => {
      fc.assert(
        fc.property(fc.nat(), fc.nat(), (at, cut) => {
          const i = at % recorded.length;
          const w = recorded[i]!.wire;
          checkReceive(bobAt(i), w.slice(0, cut % w.length));
        }),
        { numRuns: 300 },
      );
    });
    it('duplicated lines (replays): the second copy is rejected or harmless', () => {
      for (let i = 0; i < recorded.length; i++) {
        const s = bobAt(i);
        const first = s.receive(recorded[i]!.wire);
        const second = checkReceive(s, recorded[i]!.wire);
        // a replayed data message is never shown twice
        if (first.events.some((e) => e.type === 'message' && e.encrypted)) {
          expect(second.events.some((e) => e.type === 'message')).toBe(false);
        }
      }
    });
    it('reordered lines: a later line delivered early never throws; rejected ones change nothing', () => {
      fc.assert(
        fc.property(fc.nat(), fc.integer({ min: 1, max: 6 }), (at, ahead) => {
          const i = at % recorded.length;
          const j = Math.min(recorded.length - 1, i + ahead);
          checkReceive(bobAt(i), recorded[j]!.wire);
        }),
        { numRuns: 200 },
      );
    });
  });
}

describe('random conversations stay in sync', () => {
  type Cmd =
    | { kind: 'send'; from: 'a' | 'b'; text: string }
    | { kind: 'deliver'; n: number }
    | { kind: 'persist'; who: 'a' | 'b' };
  const cmd: fc.Arbitrary<Cmd> = fc.oneof(
    fc.record({
      kind: fc.constant('send' as const),
      from: fc.constantFrom('a' as const, 'b' as const),
      text: fc.string({ minLength: 1, maxLength: 300 }).filter((t) => !t.includes('\0')),
    }),
    fc.record({ kind: fc.constant('deliver' as const), n: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constant('persist' as const), who: fc.constantFrom('a' as const, 'b' as const) }),
  );
  it('in-order delivery with persistence anywhere: every message arrives once, in order, intact', () => {
    let delivered = 0;
    fc.assert(
      fc.property(
        fc.array(cmd, { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 60, max: 400 }),
        (cmds, max) => {
          const p = {
            a: party('alice', 6000 + max, { maxMessageSize: max }),
            b: party('bob', 7000 + max, { maxMessageSize: max }),
          };
          const queue: { to: 'a' | 'b'; wire: string }[] = [];
          const got = { a: [] as string[], b: [] as string[] };
          const sent = { a: [] as string[], b: [] as string[] };
          const push = (from: 'a' | 'b', out: Output) => {
            for (const w of out.wire) queue.push({ to: from === 'a' ? 'b' : 'a', wire: w });
          };
          const deliver = (n: number) => {
            for (let k = 0; k < n && queue.length; k++) {
              const { to, wire } = queue.shift()!;
              const out = p[to].session.receive(wire);
              for (const e of out.events) {
                expect(e.type).not.toBe('error');
                if (e.type === 'message') got[to].push(e.text);
              }
              push(to, out);
            }
          };
          push('a', p.a.session.query());
          deliver(100);
          for (const c of cmds) {
            if (c.kind === 'send') {
              sent[c.from].push(c.text);
              push(c.from, p[c.from].session.send(c.text));
            } else if (c.kind === 'deliver') deliver(c.n);
            else p[c.who] = persist(p[c.who]);
          }
          deliver(10_000);
          expect(got.b).toEqual(sent.a);
          expect(got.a).toEqual(sent.b);
          expect(p.a.session.status.state).toBe('encrypted');
          expect(p.b.session.status.state).toBe('encrypted');
          delivered += got.a.length + got.b.length;
        },
      ),
      { numRuns: 30 },
    );
    expect(delivered).toBeGreaterThan(30);
  });
});
