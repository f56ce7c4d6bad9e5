/**
 * Profiling helper (not part of the bench): one way, the tree at BASE against this one, in ONE
 * Node process. A change of a few percent is below what separates two Node processes running
 * the same code (up to ~20% here), so each tree's Session is loaded side by side and they take
 * turns: batches of 200 messages, 60 of each, after 5,000 warm-up messages each.
 *
 *   git worktree add /tmp/base <commit> && ln -s "$PWD/node_modules" /tmp/base/node_modules
 *   npx tsx bench/ab-oneway.ts /tmp/base        # prints both medians (µs per message) and new/base
 *
 * Run it three times or more: the ratio is what to read, not the absolute figures.
 */
import { resolve } from 'node:path';
import { textOf } from './common';

type Send = (text: string) => { wire: string[] };
type Receive = (wire: string) => { wire: string[]; events: { type: string; text?: string }[] };
interface Party {
  send: Send;
  receive: Receive;
  query: () => { wire: string[] };
}

async function load(root: string): Promise<() => void> {
  const { generateDsaKey } = await import(`${root}/src/crypto/dsa-keygen.ts`);
  const { POLICY_MANUAL } = await import(`${root}/src/otr/policy.ts`);
  const { Session } = await import(`${root}/src/otr/session.ts`);
  const make = async (account: string, peer: string, tag: number): Promise<Party> =>
    new Session({
      account,
      protocol: 'bench',
      peer,
      privateKey: await generateDsaKey(),
      instanceTag: tag,
      policy: POLICY_MANUAL,
      maxMessageSize: 0,
    });
  const a = await make('alice', 'bob', 0x1234_5678);
  const b = await make('bob', 'alice', 0x2345_6789);
  const deliver = (to: Party, from: Party, lines: string[]): void => {
    for (const line of lines) deliver(from, to, to.receive(line).wire);
  };
  deliver(b, a, a.query().wire);
  const text = textOf(100);
  const message = (from: Party, to: Party): void => {
    for (const line of from.send(text).wire) {
      const r = to.receive(line);
      if (!r.events.some((e) => e.type === 'message' && e.text === text))
        throw new Error(`${root}: not delivered`);
    }
  };
  message(a, b);
  message(b, a);
  message(a, b);
  return () => message(a, b);
}

const base = process.argv[2];
if (!base) throw new Error('usage: npx tsx bench/ab-oneway.ts BASE_TREE');
const oldTree = await load(resolve(base));
const newTree = await load(resolve(import.meta.dirname, '..'));
for (let i = 0; i < 5000; i++) {
  oldTree();
  newTree();
}
const times = { base: [] as number[], new: [] as number[] };
const batch = (f: () => void, into: number[]): void => {
  const t0 = performance.now();
  for (let i = 0; i < 200; i++) f();
  into.push(((performance.now() - t0) * 1000) / 200);
};
for (let round = 0; round < 60; round++) {
  // Alternating which goes first, so neither always follows the other.
  if (round % 2) {
    batch(oldTree, times.base);
    batch(newTree, times.new);
  } else {
    batch(newTree, times.new);
    batch(oldTree, times.base);
  }
}
const median = (x: number[]): number => [...x].sort((p, q) => p - q)[x.length >> 1]!;
const [m0, m1] = [median(times.base), median(times.new)];
console.log(
  `base ${m0.toFixed(3)} µs, new ${m1.toFixed(3)} µs per message; new/base ${(m1 / m0).toFixed(3)}`,
);
