/**
 * The `otr` (npm 0.2.16, arlolra/otr) column: two OTR objects in-process.
 *
 * The library hands outgoing lines to its `io` method, which queues them and emits each one on
 * a `setTimeout` (its `send_interval` pacing for chat servers). That is transport, not OTR work,
 * and a timer would put milliseconds of idle time into every run; so each object's `io` is
 * replaced by a synchronous push onto its outbox, and the pump below delivers outboxes until
 * both are empty, exactly like the other two columns. Everything else (AKE, data messages,
 * SMP, fragmentation) is the library's own code. All of its work is synchronous once `io` is
 * (its SMP web-worker mode is off), so a run is complete when the pump returns; every run is
 * checked through the library's own events ('status', 'ui', 'smp').
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

interface OtrKey {
  fingerprint(): string;
  packPrivate(): string;
}
interface OtrObject {
  msgstate: number;
  io: (msg: string | string[]) => void;
  on(ev: string, f: (...args: unknown[]) => void): void;
  sendQueryMsg(): void;
  sendMsg(text: string): void;
  receiveMsg(wire: string): void;
  smpSecret(secret: string, question?: string): void;
}
interface OtrModule {
  DSA: {
    new (obj?: unknown, opts?: { nocache?: boolean }): OtrKey;
    parsePrivate(packed: string): OtrKey;
  };
  OTR: {
    new (opts: { priv: OtrKey; instance_tag?: string; fragment_size?: number }): OtrObject;
    makeInstanceTag(): string;
    CONST: { MSGSTATE_ENCRYPTED: number; STATUS_AKE_SUCCESS: number };
  };
}

const otr = createRequire(import.meta.url)('otr') as OtrModule;

interface Side {
  o: OtrObject;
  outbox: string[];
  status: number[];
  received: { text: string; encrypted: boolean }[];
  smp: { type: string; trust?: unknown }[];
  errors: string[];
}

function side(priv: OtrKey, fragmentSize: number): Side {
  const o = new otr.OTR({ priv, instance_tag: otr.OTR.makeInstanceTag(), fragment_size: fragmentSize });
  const x: Side = { o, outbox: [], status: [], received: [], smp: [], errors: [] };
  o.io = (msg) => {
    if (Array.isArray(msg)) x.outbox.push(...msg);
    else x.outbox.push(msg);
  };
  o.on('status', (s) => x.status.push(s as number));
  o.on('ui', (text, encrypted) => x.received.push({ text: text as string, encrypted: encrypted === true }));
  o.on('smp', (type, data) => x.smp.push({ type: type as string, trust: data }));
  o.on('error', (err, severity) => {
    if (severity !== 'warn') x.errors.push(String(err));
  });
  return x;
}

function pump(a: Side, b: Side): void {
  for (;;) {
    if (a.outbox.length) b.o.receiveMsg(a.outbox.shift()!);
    else if (b.outbox.length) a.o.receiveMsg(b.outbox.shift()!);
    else return;
  }
}

function checkNoErrors(...sides: Side[]): void {
  for (const x of sides) if (x.errors.length) throw new Error(`otr: ${x.errors.join('; ')}`);
}

/** Returns false when the AKE did not complete (arlolra/otr's known failures are counted, not timed). */
function ake(a: Side, b: Side): boolean {
  a.o.sendQueryMsg();
  pump(a, b);
  const ok = [a, b].every(
    (x) =>
      x.o.msgstate === otr.OTR.CONST.MSGSTATE_ENCRYPTED &&
      x.status.includes(otr.OTR.CONST.STATUS_AKE_SUCCESS),
  );
  return ok && a.errors.length === 0 && b.errors.length === 0;
}

/** Sends one message and delivers it (the timed part of a message row). */
function deliverMessage(from: Side, to: Side, text: string): void {
  to.received.length = 0;
  from.o.sendMsg(text);
  pump(from, to);
}

/** After deliverMessage: no error on either side, exactly one message, intact and encrypted. */
function checkMessage(from: Side, to: Side, text: string): void {
  checkNoErrors(from, to);
  const got = to.received;
  if (got.length !== 1 || got[0]!.text !== text || !got[0]!.encrypted) {
    throw new Error('otr: message did not arrive intact');
  }
}

function message(from: Side, to: Side, text: string): void {
  deliverMessage(from, to, text);
  checkMessage(from, to, text);
}

function smp(a: Side, b: Side): void {
  a.smp.length = 0;
  b.smp.length = 0;
  a.o.smpSecret(SMP_SECRET);
  pump(a, b);
  if (!b.smp.some((e) => e.type === 'question')) throw new Error('otr: SMP: bob was not asked');
  b.o.smpSecret(SMP_SECRET);
  pump(a, b);
  checkNoErrors(a, b);
  for (const x of [a, b]) {
    if (!x.smp.some((e) => e.type === 'trust' && e.trust === true))
      throw new Error('otr: SMP did not succeed');
  }
}

/**
 * The two long-term keys of the non-keygen rows. Made once per bench run and kept in the file
 * BENCH_OTR_KEYS names (otr takes seconds per key), outside every timed part.
 */
function keys(): [OtrKey, OtrKey] {
  const file = process.env.BENCH_OTR_KEYS;
  if (file && existsSync(file)) {
    const [a, b] = JSON.parse(readFileSync(file, 'utf8')) as [string, string];
    return [otr.DSA.parsePrivate(a), otr.DSA.parsePrivate(b)];
  }
  // The second key shares the first one's domain parameters (otr's per-process cache): setup
  // only, and p, q, g are public anyway.
  const made: [OtrKey, OtrKey] = [new otr.DSA(), new otr.DSA()];
  if (file) writeFileSync(file, JSON.stringify(made.map((k) => k.packPrivate())));
  return made;
}

export function runOtr(n: Counts, messageBytes: number): { rows: Rows; akeFailures: number } {
  const rows: Rows = {};
  const text = textOf(messageBytes);
  // nocache: otr caches the DSA domain parameters (p, q, g) per process and would otherwise
  // only draw x and compute y; every other column generates p, q and g each time.
  if (n.keygen > 0) rows.keygen = timeRuns(n.keygen, () => new otr.DSA(null, { nocache: true }));
  let akeFailures = 0;
  if (n.ake + n.oneway + n.alt + n.smp + n.frag === 0) return { rows, akeFailures };
  const [ka, kb] = keys();

  // A fresh pair per AKE, built outside the timed part, like the other columns.
  const pairFor = (size = 0): [Side, Side] => [side(ka, size), side(kb, size)];
  const established = (size = 0): [Side, Side] => {
    for (let tries = 0; tries < 20; tries++) {
      const p = pairFor(size);
      if (ake(p[0], p[1])) return p;
      akeFailures++;
    }
    throw new Error('otr: no AKE succeeded in 20 tries');
  };
  if (n.ake > 0) {
    for (let i = 0; i < WARMUP.ake; i++) established();
    rows.ake = [];
    while (rows.ake.length < n.ake) {
      const [a, b] = pairFor();
      const t0 = performance.now();
      const ok = ake(a, b);
      const t = performance.now() - t0;
      if (ok) rows.ake.push(t);
      else if (++akeFailures > 20 + n.ake) throw new Error('otr: too many failed AKEs');
    }
  }

  if (n.oneway + n.alt + n.smp > 0) {
    const [a, b] = established();
    timeMessageRows(n, rows, a, b, {
      send: (from, to) => deliverMessage(from, to, text),
      check: (from, to) => checkMessage(from, to, text),
    });
    if (n.smp > 0) {
      smp(a, b); // warm-up (one: each run takes seconds)
      rows.smp = timeRuns(n.smp, () => smp(a, b));
    }
  }

  if (n.frag > 0) {
    const [fa, fb] = established(FRAGMENT_SIZE);
    for (let i = 0; i < WARMUP.frag; i++) message(fa, fb, BIG_MESSAGE);
    rows.frag = timeRuns(
      n.frag,
      () => deliverMessage(fa, fb, BIG_MESSAGE),
      () => checkMessage(fa, fb, BIG_MESSAGE),
    );
  }
  return { rows, akeFailures };
}
