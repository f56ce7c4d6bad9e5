/**
 * I7 (issue 15): whatever anyone replays, in any order, at any time, a side never encrypts two
 * messages under the same keys and counter, never re-encrypts a Reveal Signature or Signature
 * under used AKE keys, never derives a second session from a completed AKE's D-H values, never
 * shows a received message again, and never changes trust.
 *
 * Two engines talk (either one starts, v3 or v2, one way or alternating so keys rotate or not,
 * fragmented or not, snapshot and restore between steps, SMP runs, refreshes), while a replayer
 * feeds random subsets of every line ever carried, in random order, to either side at random
 * points. The checker (test/lib/replay-check.ts) looks at every line each side sends.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '../../../src/crypto/bytes';
import { ALLOW_V2, POLICY_MANUAL } from '../../../src/otr/policy';
import { fingerprint } from '../../../src/otr/pubkey';
import type { Output, SessionEvent } from '../../../src/otr/session';
import { ReplayChecker } from '../../lib/replay-check';
import { ALICE_KEY, BOB_KEY, type Party, party, persist } from './helpers';

type Side = 'a' | 'b';
const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

type Action =
  | { t: 'send'; side: Side; len: number }
  | { t: 'replay'; side: Side; picks: number[] }
  | { t: 'persist'; side: Side }
  | { t: 'refresh'; side: Side }
  | { t: 'smp'; side: Side };

const side = fc.constantFrom<Side>('a', 'b');
const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({ t: fc.constant('send' as const), side, len: fc.integer({ min: 8, max: 120 }) }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('replay' as const),
      side,
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('persist' as const), side }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('refresh' as const), side }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('smp' as const), side }) },
);

interface Scenario {
  version: 2 | 3;
  starter: Side;
  rotation: boolean;
  lineLimit: number;
  seed: number;
  actions: Action[];
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  version: fc.constantFrom<2 | 3>(3, 2),
  starter: side,
  rotation: fc.boolean(),
  lineLimit: fc.constantFrom(0, 0, 160),
  seed: fc.integer({ min: 1, max: 1 << 30 }),
  actions: fc.array(action, { minLength: 5, maxLength: 30 }),
});

function run(sc: Scenario): void {
  const policy = sc.version === 3 ? POLICY_MANUAL : ALLOW_V2;
  const parties: Record<Side, Party> = {
    a: party('alice', sc.seed, { policy, maxMessageSize: sc.lineLimit }),
    b: party('bob', sc.seed + 7, { policy, maxMessageSize: sc.lineLimit }),
  };
  const theirFingerprint: Record<Side, string> = {
    a: bytesToHex(fingerprint(BOB_KEY)),
    b: bytesToHex(fingerprint(ALICE_KEY)),
  };
  const checker = new ReplayChecker();
  const carried: string[] = [];
  const sent: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  const shown: Record<Side, Set<string>> = { a: new Set(), b: new Set() };
  const smpRuns = { a: 0, b: 0 };
  const smpResults: Record<Side, SessionEvent[]> = { a: [], b: [] };
  let counter = 0;

  const onEvents = (s: Side, events: readonly SessionEvent[]) => {
    for (const e of events) {
      if (e.type === 'message' && e.encrypted) {
        // Never shown twice, and only what the other side really sent.
        expect(shown[s].has(e.text), `${s} showed "${e.text}" again`).toBe(false);
        expect(sent[other(s)].has(e.text), `${s} showed "${e.text}", which was never sent`).toBe(true);
        shown[s].add(e.text);
      }
      if (e.type === 'message' && !e.encrypted)
        throw new Error(`${s} showed an OTR line as plain text: ${e.text}`);
      if (e.type === 'state' && e.state === 'encrypted') {
        expect(bytesToHex(e.fingerprint!)).toBe(theirFingerprint[s]);
      }
      if (e.type === 'smp') smpResults[s].push(e);
    }
  };

  /** Delivers `out` (what `from` produced) and every reply, until both are quiet. */
  const deliver = (from: Side, out: Output, plaintext?: Uint8Array) => {
    onEvents(from, out.events);
    let queue = out.wire.map((wire) => ({ wire, to: other(from) }));
    for (const w of out.wire) checker.observe(from, w, plaintext);
    for (let steps = 0; queue.length > 0; steps++) {
      if (steps > 60) throw new Error('the conversation does not settle');
      const next: typeof queue = [];
      for (const { wire, to } of queue) {
        carried.push(wire);
        const o = parties[to].session.receive(wire);
        onEvents(to, o.events);
        for (const w of o.wire) {
          checker.observe(to, w);
          next.push({ wire: w, to: other(to) });
        }
      }
      queue = next;
    }
  };

  deliver(sc.starter, parties[sc.starter].session.query());
  expect(parties.a.session.status.state).toBe('encrypted');
  expect(parties.b.session.status.state).toBe('encrypted');

  for (const act of sc.actions) {
    const s: Side = !sc.rotation && act.t === 'send' ? sc.starter : act.side;
    const p = parties[s];
    switch (act.t) {
      case 'send': {
        if (p.session.status.state !== 'encrypted') break;
        const text = `m${counter++} from ${s} `.padEnd(act.len, '.');
        sent[s].add(text);
        deliver(s, p.session.send(text), utf8Encode(text));
        break;
      }
      case 'replay': {
        if (carried.length === 0) break;
        const lines = act.picks.map((i) => carried[i % carried.length]!);
        for (const wire of lines) {
          const o = p.session.receive(wire);
          onEvents(s, o.events);
          deliver(s, { wire: o.wire, events: [] });
        }
        break;
      }
      case 'persist':
        parties[s] = persist(p);
        break;
      case 'refresh':
        deliver(s, p.session.query());
        break;
      case 'smp': {
        const q = parties[other(s)];
        if (p.session.status.state !== 'encrypted' || q.session.status.state !== 'encrypted') break;
        deliver(s, p.session.startSmp('the same secret'));
        if (q.session.smpQuestion === undefined && q.session.status.smpState !== 'question-asked') break;
        deliver(other(s), q.session.answerSmp('the same secret'));
        smpRuns[s]++;
        break;
      }
    }
  }
  // Still alive: a refresh gives a private conversation in which both sides are read.
  deliver('a', parties.a.session.query());
  expect(parties.a.session.status.state).toBe('encrypted');
  expect(parties.b.session.status.state).toBe('encrypted');
  for (const s of ['a', 'b'] as const) {
    const text = `last from ${s}, after every replay`;
    sent[s].add(text);
    deliver(s, parties[s].session.send(text), utf8Encode(text));
    expect(shown[other(s)].has(text)).toBe(true);
  }
  // Trust: every SMP result is one of a genuine run, and every genuine run succeeded.
  for (const s of ['a', 'b'] as const) {
    const results = smpResults[s].map((e) => (e as { result: string }).result);
    expect(results.filter((r) => r === 'failed' || r === 'error' || r === 'aborted')).toEqual([]);
    expect(results.filter((r) => r === 'succeeded').length).toBe(smpRuns.a + smpRuns.b);
  }
  expect(checker.counts.data).toBeGreaterThan(0);
}

describe('replayed lines never reuse a keystream, show a message twice or change trust (I7)', () => {
  it('two engines, random scenarios with a replayer', () => {
    fc.assert(
      fc.property(scenario, (sc) => run(sc)),
      { numRuns: 30 },
    );
  });

  it('the measured attack: the buddy D-H Key and Signature replayed to the side that sent the D-H Commit', () => {
    for (const version of [3, 2] as const) {
      const policy = version === 3 ? POLICY_MANUAL : ALLOW_V2;
      const a = party('alice', 901, { policy });
      const b = party('bob', 902, { policy });
      const checker = new ReplayChecker();
      const toA: string[] = [];
      const hop = (fromName: Side, out: Output, pt?: Uint8Array): void => {
        let queue = out.wire.map((w) => ({ w, from: fromName }));
        for (const w of out.wire) checker.observe(fromName, w, pt);
        while (queue.length) {
          const next: typeof queue = [];
          for (const { w, from: f } of queue) {
            const dst = f === 'a' ? b : a;
            if (f === 'b') toA.push(w);
            const o = dst.session.receive(w);
            for (const x of o.wire) {
              checker.observe(f === 'a' ? 'b' : 'a', x);
              next.push({ w: x, from: f === 'a' ? 'b' : 'a' });
            }
          }
          queue = next;
        }
      };
      // Bob asks; alice answers the query with the D-H Commit.
      hop('b', b.session.query());
      expect(a.session.status.state).toBe('encrypted');
      const first = 'the first message, known to the attacker';
      hop('a', a.session.send(first), utf8Encode(first));
      // Bob's D-H Key and Signature (all he sent but the query) replayed to alice.
      for (const w of toA.filter((l) => l.startsWith('?OTR:'))) {
        const o = a.session.receive(w);
        expect(o.events.filter((e) => e.type === 'state')).toEqual([]);
        expect(o.events.filter((e) => e.type === 'message')).toEqual([]);
        for (const x of o.wire) checker.observe('a', x);
      }
      const second = 'the second message, secret to the attacker';
      hop('a', a.session.send(second), utf8Encode(second));
      expect(checker.counts.knownPlaintexts).toBe(2);
    }
  });
});
