/**
 * The offrecord column: the engine (src/otr/session.ts) driven in-process, two Sessions whose
 * `wire` lines are handed to each other's `receive` until both are quiet. Every run is checked;
 * a failed check throws (a failed run never counts as fast).
 */

import { bytesToBigInt } from '../src/crypto/bytes';
import type { DsaPrivateKey } from '../src/crypto/dsa';
import { generateDsaKey } from '../src/crypto/dsa-keygen';
import { MODP_P, MODP_Q, powG, powP } from '../src/crypto/modp';
import { cryptoRandom } from '../src/crypto/random';
import { POLICY_MANUAL } from '../src/otr/policy';
import { type Output, Session, type SessionEvent } from '../src/otr/session';
import { plainPow } from '../test/lib/plain-pow';
import {
  BIG_MESSAGE,
  type Counts,
  FRAGMENT_SIZE,
  type Rows,
  SMP_SECRET,
  textOf,
  timeMessageRows,
  timeRuns,
  WARMUP,
} from './common';

interface Side {
  s: Session;
  events: SessionEvent[];
}

function makePair(a: DsaPrivateKey, b: DsaPrivateKey, maxMessageSize = 0): [Side, Side] {
  const mk = (account: string, peer: string, key: DsaPrivateKey, tag: number): Side => ({
    s: new Session({
      account,
      protocol: 'bench',
      peer,
      privateKey: key,
      instanceTag: tag,
      policy: POLICY_MANUAL,
      maxMessageSize,
    }),
    events: [],
  });
  return [mk('alice', 'bob', a, 0x1234_5678), mk('bob', 'alice', b, 0x2345_6789)];
}

/**
 * Hands `out.wire` from `from` to the other side, and everything that comes back, until quiet.
 * Plain loops (no tuples, spreads or closures per line): the harness's own cost is part of the
 * one-way row's few microseconds, as the C harness's is of libotr's.
 */
function pump(from: Side, to: Side, out: Output): void {
  for (const e of out.events) from.events.push(e);
  deliver(from, to, out.wire);
}

function deliver(src: Side, dst: Side, lines: string[]): void {
  for (const wire of lines) {
    const r = dst.s.receive(wire);
    for (const e of r.events) dst.events.push(e);
    if (r.wire.length > 0) deliver(dst, src, r.wire);
  }
}

function checkNoErrors(...sides: Side[]): void {
  for (const x of sides) {
    for (const e of x.events) {
      if (e.type === 'error' || e.type === 'otr-error') throw new Error(`offrecord: ${JSON.stringify(e)}`);
    }
  }
}

function encrypted(x: Side): boolean {
  return (
    x.s.status.state === 'encrypted' && x.events.some((e) => e.type === 'state' && e.state === 'encrypted')
  );
}

function ake(a: Side, b: Side): void {
  a.events.length = 0;
  b.events.length = 0;
  pump(a, b, a.s.query());
  checkNoErrors(a, b);
  if (!encrypted(a) || !encrypted(b)) throw new Error('offrecord: AKE did not reach encrypted on both sides');
}

/** Sends one message and delivers it (the timed part of a message row). */
function deliverMessage(from: Side, to: Side, text: string): void {
  from.events.length = 0;
  to.events.length = 0;
  pump(from, to, from.s.send(text));
}

/** After deliverMessage: no error on either side, exactly one message, intact and encrypted. */
function checkMessage(from: Side, to: Side, text: string): void {
  checkNoErrors(from, to);
  let arrived = 0;
  for (const e of to.events) {
    if (e.type !== 'message') continue;
    if (e.text !== text || e.encrypted !== true) throw new Error('offrecord: message did not arrive intact');
    arrived++;
  }
  if (arrived !== 1) throw new Error('offrecord: message did not arrive intact');
}

function message(from: Side, to: Side, text: string): void {
  deliverMessage(from, to, text);
  checkMessage(from, to, text);
}

function smp(a: Side, b: Side): void {
  a.events.length = 0;
  b.events.length = 0;
  pump(a, b, a.s.startSmp(SMP_SECRET));
  if (!b.events.some((e) => e.type === 'smp' && e.result === 'question')) {
    throw new Error('offrecord: SMP: bob was not asked');
  }
  pump(b, a, b.s.answerSmp(SMP_SECRET));
  checkNoErrors(a, b);
  for (const x of [a, b]) {
    if (!x.events.some((e) => e.type === 'smp' && e.result === 'succeeded')) {
      throw new Error('offrecord: SMP did not succeed on both sides');
    }
  }
}

function randomBits(bits: number): bigint {
  return bytesToBigInt(cryptoRandom(bits / 8)) | (1n << BigInt(bits - 1));
}

export async function runOffrecord(n: Counts, messageBytes: number): Promise<Rows> {
  const rows: Rows = {};
  const text = textOf(messageBytes);

  if (n.keygen > 0) {
    await generateDsaKey(); // warm-up (JIT)
    rows.keygen = [];
    for (let i = 0; i < n.keygen; i++) {
      const t0 = performance.now();
      await generateDsaKey();
      rows.keygen.push(performance.now() - t0);
    }
  }
  const needKeys = n.ake + n.oneway + n.alt + n.smp + n.frag > 0;
  const ka = needKeys ? await generateDsaKey() : null;
  const kb = needKeys ? await generateDsaKey() : null;

  if (ka && kb && n.ake > 0) {
    // The first AKE of this process, cold (JIT, g^x table), reported apart; then warm-ups.
    rows.akeCold = timeRuns(1, () => {
      const [a0, b0] = makePair(ka, kb);
      ake(a0, b0);
    });
    for (let i = 1; i < WARMUP.ake; i++) ake(...makePair(ka, kb));
    rows.ake = [];
    for (let i = 0; i < n.ake; i++) {
      const [a, b] = makePair(ka, kb);
      const t0 = performance.now();
      ake(a, b);
      rows.ake.push(performance.now() - t0);
    }
  }

  if (ka && kb && n.oneway + n.alt + n.smp > 0) {
    const [a, b] = makePair(ka, kb);
    ake(a, b);
    timeMessageRows(n, rows, a, b, {
      send: (from, to) => deliverMessage(from, to, text),
      check: (from, to) => checkMessage(from, to, text),
    });
    if (n.smp > 0) {
      for (let i = 0; i < WARMUP.smp; i++) smp(a, b);
      rows.smp = timeRuns(n.smp, () => smp(a, b));
    }
  }

  if (ka && kb && n.frag > 0) {
    const [fa, fb] = makePair(ka, kb, FRAGMENT_SIZE);
    ake(fa, fb);
    for (let i = 0; i < WARMUP.frag; i++) message(fa, fb, BIG_MESSAGE);
    rows.frag = timeRuns(
      n.frag,
      () => deliverMessage(fa, fb, BIG_MESSAGE),
      () => checkMessage(fa, fb, BIG_MESSAGE),
    );
  }

  if (n.modexp > 0) Object.assign(rows, modexpRows(n.modexp));
  return rows;
}

/** The floor: native BigInt modexp in the 1536-bit group, against powP and powG. */
function modexpRows(runs: number): Rows {
  const x = randomBits(1536) % MODP_P;
  const e320 = (): bigint => randomBits(320);
  const e1536 = (): bigint => randomBits(1536) % MODP_P;
  const exps320 = Array.from({ length: runs + 1 }, e320);
  const exps1536 = Array.from({ length: runs + 1 }, e1536);
  const check = (got: bigint, want: bigint): void => {
    if (got !== want) throw new Error('offrecord: modexp disagrees with plain square-and-multiply');
  };
  check(powP(x, exps320[0]!), plainPow(x, exps320[0]!, MODP_P));
  check(powG(exps320[0]!), plainPow(2n, exps320[0]!, MODP_P));
  check(powG(exps1536[0]! % MODP_Q), plainPow(2n, exps1536[0]! % MODP_Q, MODP_P));
  return {
    plain320: timeRuns(runs, (i) => plainPow(x, exps320[i + 1]!, MODP_P)),
    plain1536: timeRuns(runs, (i) => plainPow(x, exps1536[i + 1]!, MODP_P)),
    powP320: timeRuns(runs, (i) => powP(x, exps320[i + 1]!)),
    powP1536: timeRuns(runs, (i) => powP(x, exps1536[i + 1]!)),
    powG320: timeRuns(runs, (i) => powG(exps320[i + 1]!)),
    powG1536: timeRuns(runs, (i) => powG(exps1536[i + 1]!)),
  };
}
