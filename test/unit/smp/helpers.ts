/** Shared helpers for the SMP tests: run two Smp instances against each other, rewrite messages. */
import { expect } from 'vitest';
import { Reader, Writer } from '../../../src/otr/serial';
import { Smp, type SmpEvent } from '../../../src/otr/smp';
import { TLV_SMP_ABORT, type Tlv } from '../../../src/otr/tlv';
import { seededRandom } from '../../lib/seeded-random';

let seed = 1;
/** A fresh Smp with its own deterministic random stream. */
export function newSmp(): Smp {
  seed += 7919;
  return new Smp(seededRandom(seed));
}

/** Snapshot through JSON and back, as the worker would store it. */
export function roundTrip(smp: Smp): Smp {
  seed += 104729;
  return Smp.restore(JSON.parse(JSON.stringify(smp.snapshot())), seededRandom(seed));
}

export interface RunResult {
  alice: SmpEvent | undefined;
  bob: SmpEvent | undefined;
  question: SmpEvent | undefined;
}

/**
 * A whole run: alice starts, bob answers. With `persist`, both sides are snapshotted and restored
 * (through JSON) before every step.
 */
export function runSmp(
  a: Smp,
  b: Smp,
  secretA: bigint,
  secretB: bigint,
  question?: string,
  persist = false,
): RunResult & { a: Smp; b: Smp } {
  const p = (s: Smp) => (persist ? roundTrip(s) : s);
  a = p(a);
  const m1 = a.start(secretA, question);
  expect(m1).toHaveLength(1);
  b = p(b);
  const r1 = b.receive(m1[0]!);
  expect(r1.reply).toEqual([]);
  expect(b.state).toBe('question-asked');
  b = p(b);
  const m2 = b.answer(secretB);
  a = p(a);
  const r2 = a.receive(m2[0]!);
  expect(r2.event).toBeUndefined();
  expect(r2.reply).toHaveLength(1);
  b = p(b);
  const r3 = b.receive(r2.reply[0]!);
  expect(r3.reply).toHaveLength(1);
  a = p(a);
  const r4 = a.receive(r3.reply[0]!);
  expect(r4.reply).toEqual([]);
  expect(a.state).toBe('expect1');
  expect(b.state).toBe('expect1');
  return { alice: r4.event, bob: r3.event, question: r1.event, a, b };
}

export function decode(value: Uint8Array): bigint[] {
  const r = new Reader(value);
  const n = r.int();
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) out.push(r.mpi());
  r.end();
  return out;
}

export function encode(values: readonly bigint[], count = values.length): Uint8Array {
  const w = new Writer().int(count);
  for (const v of values) w.mpi(v);
  return w.bytes();
}

/** The same TLV with MPI i replaced. */
export function withMpi(tlv: Tlv, i: number, v: bigint): Tlv {
  const m = decode(tlv.value);
  m[i] = v;
  return { type: tlv.type, value: encode(m) };
}

export function expectAbortReply(reply: readonly Tlv[]): void {
  expect(reply).toHaveLength(1);
  expect(reply[0]!.type).toBe(TLV_SMP_ABORT);
  expect(reply[0]!.value).toHaveLength(0);
}
