/**
 * I7 against real libotr 4.1.1: libotr (test/interop/c/libotr-peer.c) is the buddy, offrecord
 * (tools/otr-peer) the side the replays go to. Random scenarios: either side starts, v3 or v2,
 * messages one way or both ways (so keys rotate or not), SMP runs, refreshes, offrecord's session
 * snapshotted and restored (a worker restart) between steps; at random points a
 * replayer injects random subsets of every line ever carried (both directions, any order) into
 * offrecord as if the buddy had sent them. Every line offrecord sends is checked on the bytes
 * (test/lib/replay-check.ts: no keys and counter twice, no AKE signature re-encrypted), every
 * message it shows must be new and really sent by libotr, and trust never changes (the
 * fingerprint reported stays libotr's; SMP results are only those of genuine runs).
 */
import fc from 'fast-check';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { utf8Encode } from '../../src/crypto/bytes';
import { ReplayChecker } from '../lib/replay-check';
import { harness } from './lib/scenarios';

type Action =
  | { t: 'send'; from: 'us' | 'them'; len: number }
  | { t: 'replay'; picks: number[] }
  | { t: 'refresh'; from: 'us' | 'them' }
  | { t: 'persist' }
  | { t: 'smp' };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('send' as const),
      from: fc.constantFrom<'us' | 'them'>('us', 'them'),
      len: fc.integer({ min: 12, max: 100 }),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      t: fc.constant('replay' as const),
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 10 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('refresh' as const),
      from: fc.constantFrom<'us' | 'them'>('us', 'them'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('persist' as const) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('smp' as const) }) },
);

/** The prefix libotr puts on a message it sends again in a new session (message.c, "[resent]"). */
const RESENT = '[resent] ';

describe('offrecord ↔ libotr: replayed lines never reuse a keystream (I7)', () => {
  const h = harness();
  afterEach(() => h.stop());
  afterAll(() => h.keys.cleanup());

  it('random scenarios, replays injected into offrecord', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          versions: fc.constantFrom('3', '2'),
          starter: fc.constantFrom<'us' | 'them'>('us', 'them'),
          rotation: fc.boolean(),
          actions: fc.array(action, { minLength: 6, maxLength: 18 }),
        }),
        async (sc) => {
          await h.stop();
          const p = await h.pair('offrecord', 'libotr', { versions: sc.versions }, { versions: sc.versions });
          const us = p.a;
          const them = p.b;
          const checker = new ReplayChecker();
          const sentByThem = new Set<string>();
          const shown = new Set<string>();
          const resent = new Map<string, number>();
          let sessions = 0;
          let smpRuns = 0;
          const smpResults: string[] = [];
          let checked = 0;
          let persisted = 0;
          let counter = 0;
          let plaintextFor: { text: string; from: number } | null = null;

          /** Checks the lines offrecord sent since the last call, and what it reported. */
          const check = (trace: {
            kind: (peer: typeof us, k: 'message' | 'state' | 'smp') => unknown[];
            toString(): string;
          }) => {
            if (process.env.REPLAY_DEBUG) console.log(String(trace));
            for (let i = checked; i < p.net.log.length; i++) {
              const l = p.net.log[i]!;
              if (l.fromLabel !== us.label) continue;
              const known = plaintextFor && i >= plaintextFor.from ? plaintextFor : null;
              checker.observe('offrecord', l.wire, known ? utf8Encode(known.text) : undefined);
              if (known) plaintextFor = null;
            }
            checked = p.net.log.length;
            for (const s of trace.kind(us, 'state') as { state: string; fingerprint: string }[]) {
              if (s.state !== 'encrypted') continue;
              expect(s.fingerprint).toBe(them.fingerprint);
              sessions++;
            }
            for (const m of trace.kind(us, 'message') as { text: string; encrypted: boolean }[]) {
              if (!m.encrypted) {
                // libotr may really send in clear while offrecord is private: a D-H Key from
                // offrecord's instance while libotr's master context still awaits one (it keeps
                // its last D-H Commit's state after every AKE) sets libotr's instance context to
                // the master's msgstate, PLAINTEXT (libotr 4.1.1 message.c, otrl_message_receiving,
                // "Switching from m_context to existing instance context"). Offrecord answers a
                // replayed D-H Commit with a new D-H Key, as the spec says; if that AKE does not
                // complete (a replayed commit that is not libotr's latest), libotr stays in
                // plaintext and, under its opportunistic policy, sends the next message in clear
                // with a whitespace tag (message.c, otrl_message_sending, OTRL_MSGSTATE_PLAINTEXT;
                // seed -632069007). Such a line is shown, marked unencrypted, and a replay of it is
                // shown again: no key protects it. What must hold: libotr put exactly this text
                // on the wire in clear.
                const inClear = p.net.log.some(
                  (l) =>
                    l.fromLabel === them.label &&
                    l.wire.startsWith(m.text) &&
                    /^[ \t]*$/.test(l.wire.slice(m.text.length)),
                );
                expect(inClear, `shown in clear, never sent in clear: ${JSON.stringify(m.text)}`).toBe(true);
                expect(sentByThem.has(m.text), `never sent: ${JSON.stringify(m.text)}`).toBe(true);
                continue;
              }
              if (m.text.startsWith(RESENT)) {
                // libotr's own retransmission of its last message in a new session (after our
                // error reply to an unreadable replay): a new encryption by libotr, at most once
                // per session; what it resends may itself be a resent message.
                let base = m.text;
                while (base.startsWith(RESENT)) base = base.slice(RESENT.length);
                // An empty base is libotr's own last data message with no text: the SMP TLVs it
                // sent (seed -1355605571: SMP first, then a replay made a new session).
                if (base === '') continue;
                expect(sentByThem.has(base), `never sent (resent): ${JSON.stringify(m.text)}`).toBe(true);
                const n = (resent.get(base) ?? 0) + 1;
                expect(n, `resent more often than there were sessions: ${base}`).toBeLessThanOrEqual(
                  sessions,
                );
                resent.set(base, n);
                continue;
              }
              expect(shown.has(m.text), `shown again: ${m.text}`).toBe(false);
              expect(sentByThem.has(m.text), `never sent: ${JSON.stringify(m.text)}`).toBe(true);
              shown.add(m.text);
            }
            for (const e of trace.kind(us, 'smp') as { result: string }[]) smpResults.push(e.result);
          };

          const [x, y] = sc.starter === 'us' ? [us, them] : [them, us];
          check(await p.net.run(x, { op: 'query', peer: y.account }));
          for (const act of sc.actions) {
            if (process.env.REPLAY_DEBUG)
              console.log(Date.now() % 100000, JSON.stringify(act), p.net.log.length);
            switch (act.t) {
              case 'send': {
                const from = sc.rotation ? act.from : sc.starter;
                const text = `m${counter++} from ${from} `.padEnd(act.len, '.');
                if (from === 'them') sentByThem.add(text);
                else plaintextFor = { text, from: p.net.log.length };
                const [s, r] = from === 'us' ? [us, them] : [them, us];
                check(await p.net.run(s, { op: 'send', peer: r.account, text }));
                plaintextFor = null;
                break;
              }
              case 'replay': {
                const log = p.net.log.slice();
                for (const i of act.picks) {
                  check(await p.net.inject(them.account, us.account, log[i % log.length]!.wire));
                }
                break;
              }
              case 'refresh': {
                const [s, r] = act.from === 'us' ? [us, them] : [them, us];
                check(await p.net.run(s, { op: 'query', peer: r.account }));
                break;
              }
              case 'persist': {
                // A worker restart on offrecord's side: its session through a JSON snapshot and back.
                const t = await p.net.run(us, { op: 'persist', peer: them.account });
                const done = t.kind(us, 'persisted');
                expect(done.length).toBe(1);
                expect(done[0]!.bytes).toBeGreaterThan(0);
                persisted++;
                check(t);
                break;
              }
              case 'smp': {
                const t1 = await p.net.run(us, { op: 'smp', peer: them.account, secret: 'one secret' });
                check(t1);
                if (!t1.kind(them, 'smp').some((e) => e.result === 'question')) break;
                check(await p.net.run(them, { op: 'smp-answer', peer: us.account, secret: 'one secret' }));
                smpRuns++;
                break;
              }
            }
          }
          // Still alive: a refresh, then libotr's message is read.
          check(await p.net.run(us, { op: 'query', peer: them.account }));
          const last = 'the last message, after every replay';
          sentByThem.add(last);
          check(await p.net.run(them, { op: 'send', peer: us.account, text: last }));
          expect(shown.has(last)).toBe(true);
          expect(smpResults.filter((r) => r !== 'succeeded')).toEqual([]);
          expect(smpResults.length).toBe(smpRuns);
          expect(checker.counts.data).toBeGreaterThan(0);
          expect(persisted).toBe(sc.actions.filter((a) => a.t === 'persist').length);
        },
      ),
      {
        numRuns: Number(process.env.REPLAY_RUNS ?? 8),
        endOnFailure: !process.env.REPLAY_SHRINK,
        ...(process.env.REPLAY_SEED ? { seed: Number(process.env.REPLAY_SEED) } : {}),
        ...(process.env.REPLAY_PATH ? { path: process.env.REPLAY_PATH } : {}),
      },
    );
  });
});
