/**
 * snapshot()/restore() (I5): a scripted conversation — AKE with fragments, held messages, data
 * both ways, SMP with a question, the extra symmetric key, heartbeats, end, finished, a second
 * AKE — run twice: once in memory, once persisting both sessions through JSON before EVERY line
 * delivered and every user action. With cloned random streams, every wire line and every event
 * must be byte-identical.
 */
import { describe, expect, it } from 'vitest';
import { OtrError } from '../../../src/otr/errors';
import { POLICY_ALWAYS } from '../../../src/otr/policy';
import { Session, type SessionSnapshot } from '../../../src/otr/session';
import { type Party, party, persist, snap } from './helpers';

type Name = 'a' | 'b';
type Action = (p: Record<Name, Party>) => { from: Name; out: { wire: string[]; events: unknown[] } } | null;

function script(): (Action | 'deliver-all')[] {
  const act =
    (from: Name, f: (s: Session) => { wire: string[]; events: unknown[] }): Action =>
    (p) => ({ from, out: f(p[from].session) });
  return [
    act('a', (s) => s.send('held one')),
    act('a', (s) => s.send('held two ✓')),
    'deliver-all',
    act('b', (s) => s.send('hi alice')),
    act('a', (s) => s.send('hi bob '.repeat(40))),
    'deliver-all',
    act('a', (s) => s.startSmp('the secret', 'where did we meet?')),
    'deliver-all',
    act('b', (s) => s.answerSmp('the secret')),
    'deliver-all',
    act('b', (s) => {
      const r = s.extraSymmetricKey(7, Uint8Array.of(1, 2, 3));
      return { wire: r.wire, events: [...r.events, { key: Buffer.from(r.key).toString('hex') }] };
    }),
    'deliver-all',
    (p) => {
      p.a.clock.t += 61_000;
      p.b.clock.t += 61_000;
      return null;
    },
    act('a', (s) => s.send('after a minute')),
    'deliver-all',
    act('a', (s) => s.startSmp('wrong')),
    'deliver-all',
    act('b', (s) => s.answerSmp('right')),
    'deliver-all',
    act('b', (s) => s.end()),
    'deliver-all',
    act('a', (s) => s.send('into the void')),
    act('a', (s) => s.end()),
    act('a', (s) => s.send('held again')),
    'deliver-all',
    act('b', (s) => s.send('second session')),
    'deliver-all',
  ];
}

function run(persistEverything: boolean): string[] {
  let p: Record<Name, Party> = {
    a: party('alice', 1000, { policy: POLICY_ALWAYS, maxMessageSize: 120 }),
    b: party('bob', 2000, { maxMessageSize: 120 }),
  };
  const log: string[] = [];
  const queue: { to: Name; wire: string }[] = [];
  const other = (n: Name): Name => (n === 'a' ? 'b' : 'a');
  const save = () => {
    if (!persistEverything) return;
    const before = { a: snap(p.a.session), b: snap(p.b.session) };
    p = { a: persist(p.a), b: persist(p.b) };
    // restore(snapshot) snapshots to the same JSON
    expect(snap(p.a.session)).toBe(before.a);
    expect(snap(p.b.session)).toBe(before.b);
  };
  const record = (from: Name, out: { wire: string[]; events: unknown[] }) => {
    log.push(`${from}: ${JSON.stringify(out.events)}`);
    for (const w of out.wire) {
      log.push(`${from} -> ${w}`);
      queue.push({ to: other(from), wire: w });
    }
  };
  for (const step of script()) {
    if (step === 'deliver-all') {
      for (let i = 0; queue.length > 0; i++) {
        expect(i).toBeLessThan(500);
        const { to, wire } = queue.shift()!;
        save();
        record(to, p[to].session.receive(wire));
      }
      continue;
    }
    save();
    const r = step(p);
    if (r) record(r.from, r.out);
  }
  log.push(snap(p.a.session), snap(p.b.session));
  return log;
}

describe('snapshot → JSON → restore at every step', () => {
  it('gives byte-identical wire lines and events for a whole scripted conversation', () => {
    const plain = run(false);
    const persisted = run(true);
    // sanity: the script did what it says
    const all = plain.join('\n');
    expect(all).toContain('"text":"held one"');
    expect(all).toContain('"text":"held two ✓"');
    expect(all).toContain('"result":"succeeded"');
    expect(all).toContain('"result":"failed"');
    expect(all).toContain('"type":"symkey"');
    expect(all).toContain('"state":"finished"');
    expect(all).toContain('"type":"not-sent"');
    expect(all).toContain('"text":"second session"');
    expect(plain.filter((l) => l.includes('-> ?OTR|')).length).toBeGreaterThan(20);
    expect(persisted).toEqual(plain);
  });
});

describe('restore refuses invalid snapshots with an OtrError', () => {
  const base = () => party('alice', 3000);
  const good = (): SessionSnapshot => JSON.parse(snap(base().session));
  const invalid: [string, (s: SessionSnapshot) => unknown][] = [
    ['another version', (s) => ({ ...s, v: 3 })],
    ['a malformed AKE history', (s) => ({ ...s, history: ['not a hash'] })],
    [
      'fragment buffers beyond the budget',
      (s) => ({ ...s, fragments: [{ tag: 0, k: 1, n: 2, pieces: 'x'.repeat(300 * 1024) }] }),
    ],
    ['null', () => null],
    ['a bad msgstate', (s) => ({ ...s, master: { ...s.master, msgstate: 'open' } })],
    ['a bad AKE state', (s) => ({ ...s, master: { ...s.master, ake: { ...s.master.ake, state: 'x' } } })],
    ['an encrypted context without keys', (s) => ({ ...s, master: { ...s.master, msgstate: 'encrypted' } })],
    ['an instance with tag 5', (s) => ({ ...s, instances: [{ ...s.master, theirTag: 5 }] })],
  ];
  for (const [name, mutate] of invalid) {
    it(name, () => {
      const p = base();
      expect(() => Session.restore(mutate(good()) as SessionSnapshot, p.opts)).toThrow(OtrError);
    });
  }
  it('a valid snapshot restores to the same snapshot', () => {
    const p = base();
    expect(snap(Session.restore(good(), p.opts))).toBe(snap(p.session));
  });
});
