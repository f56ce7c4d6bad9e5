/**
 * What the three columns of the bench share: the row names, the run counts, the messages (byte
 * for byte the same as bench/c/libotr-bench.c builds them) and the timing helper.
 */

/** Measured runs per row (after one warm-up run that is not counted). */
export interface Counts {
  keygen: number;
  ake: number;
  oneway: number;
  alt: number;
  smp: number;
  frag: number;
  modexp: number;
}

/**
 * Untimed runs before the timed ones, the same for the two JavaScript columns (offrecord and
 * otr): V8 compiles hot code in tiers, and the first runs of a fresh process measure the
 * compiler, not the library (offrecord's first AKE also builds its g^x table). libotr, compiled
 * C, gets one warm-up run per row. What a fresh process pays is reported apart: offrecord's
 * first AKE as `akeCold`, and the first one-way messages of both JavaScript columns as
 * `onewayFirst`. otr's SMP and key generation take seconds per run; one warm-up is plenty there.
 *
 * One way gets 5,000: a message runs each function of the data-message path about once, and V8
 * 11.3 (Node 20) optimizes a function once it has run enough of its own bytecode, which for
 * these takes 500 to 3,000 messages (`node --trace-opt`: the last of them, the decoder and the
 * armoring, around message 2,500). With 50, the timed messages were half still interpreted and
 * the median drifted with the process (11-20 µs for the same code); after 5,000 it is steady
 * (the same within ~5% from one process to the next, and after 20,000).
 */
export const WARMUP = { ake: 5, oneway: 5000, alt: 10, smp: 2, frag: 3 } as const;

/** Row name -> the time of each measured run, in milliseconds. */
export type Rows = Record<string, number[]>;

export const FRAGMENT_SIZE = 400;
/** The message rows of the content-script bench's page (bench/content-script.ts). */
export const CONTENT_ROWS = 5000;
export const BIG_MESSAGE_BYTES = 65536;
export const SMP_SECRET = 'the secret both of them know';

/** The one-way / alternating message: `bytes` ASCII letters (as the C harness's MSG). */
export function textOf(bytes: number): string {
  let s = '';
  for (let i = 0; i < bytes; i++) s += String.fromCharCode(97 + (i % 26));
  return s;
}

/** 64 KB of printable ASCII, no backslash, caret or backtick (as the C harness's `big`). */
export const BIG_MESSAGE: string = (() => {
  const chars: string[] = [];
  for (let i = 0; i < BIG_MESSAGE_BYTES; i++) {
    const c = 65 + ((i * 7) % 58);
    chars.push(c === 92 || c === 94 || c === 96 ? 'x' : String.fromCharCode(c));
  }
  return chars.join('');
})();

/**
 * Runs `f` n times (f gets the run index) and returns each run's time in ms. `check`, when
 * given, runs after each run, outside the timed part, and throws if the run did not succeed: as
 * the C harness checks a message after its clock stops (bench/c/libotr-bench.c `message`).
 */
export function timeRuns(n: number, f: (i: number) => void, check?: (i: number) => void): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f(i);
    out.push(performance.now() - t0);
    check?.(i);
  }
  return out;
}

/** One message of an implementation: `send` delivers it (timed), `check` verifies it arrived intact. */
export interface MessageStep<S> {
  send: (from: S, to: S) => void;
  check: (from: S, to: S) => void;
}

/**
 * The one-way and alternating rows, timed the same way for every JavaScript implementation on a
 * pair that has finished its AKE: three messages to settle the keys (both directions), warm-up
 * runs, then the timed runs. One way also times its first messages (`onewayFirst`), which count
 * towards its warm-up. Each message is delivered inside the timed part and checked right
 * after it, outside (every one of them, warm-ups included).
 */
export function timeMessageRows<S>(
  n: Pick<Counts, 'oneway' | 'alt'>,
  rows: Rows,
  a: S,
  b: S,
  step: MessageStep<S>,
): void {
  const message = (from: S, to: S): void => {
    step.send(from, to);
    step.check(from, to);
  };
  message(a, b);
  message(b, a);
  message(a, b);
  if (n.oneway > 0) {
    // The first messages of the process, as they come (the JIT still at work), then the rest of
    // the warm-up and the row itself.
    rows.onewayFirst = timeRuns(
      n.oneway,
      () => step.send(a, b),
      () => step.check(a, b),
    );
    for (let i = n.oneway; i < WARMUP.oneway; i++) message(a, b);
    rows.oneway = timeRuns(
      n.oneway,
      () => step.send(a, b),
      () => step.check(a, b),
    );
  }
  if (n.alt > 0) {
    const from = (i: number): S => (i % 2 ? a : b);
    const to = (i: number): S => (i % 2 ? b : a);
    for (let i = 0; i < WARMUP.alt; i++) message(from(i), to(i));
    rows.alt = timeRuns(
      n.alt,
      (i) => step.send(from(i), to(i)),
      (i) => step.check(from(i), to(i)),
    );
  }
}
