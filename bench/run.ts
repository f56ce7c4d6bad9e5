/**
 * `npm run bench [-- --quick]`: offrecord against libotr 4.1.1 and the `otr` npm package, all
 * measured in this one run on this machine. Prints one table and writes the same figures to
 * bench/results/latest.json. See bench/README.md for what each row measures.
 *
 * Each column runs in its own process, so one library's garbage and JIT state cannot slow
 * another: offrecord and otr in a child Node process (this file with --worker NAME), libotr in
 * the C harness bench/c/libotr-bench.c (built into build/bench/ when stale). Each process times
 * its operations in-process and checks that every run succeeded; the parent only collects.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTENT_ROWS as CONTENT_ROWS_N, type Counts, type Rows } from './common';
import type { ContentResult } from './content-script';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const MESSAGE_BYTES = 100;

/** Run counts. `otr` is 100-1000x slower on the big-number rows: it gets fewer runs there. */
const COUNTS: Record<'full' | 'quick', Record<'offrecord' | 'libotr' | 'otr', Counts>> = {
  full: {
    offrecord: { keygen: 21, ake: 51, oneway: 1001, alt: 301, smp: 21, frag: 21, modexp: 51 },
    libotr: { keygen: 21, ake: 51, oneway: 1001, alt: 301, smp: 21, frag: 21, modexp: 0 },
    otr: { keygen: 5, ake: 11, oneway: 301, alt: 21, smp: 5, frag: 11, modexp: 0 },
  },
  quick: {
    offrecord: { keygen: 5, ake: 11, oneway: 201, alt: 41, smp: 5, frag: 5, modexp: 11 },
    libotr: { keygen: 5, ake: 11, oneway: 201, alt: 41, smp: 5, frag: 5, modexp: 0 },
    otr: { keygen: 1, ake: 3, oneway: 51, alt: 5, smp: 1, frag: 3, modexp: 0 },
  },
};

/**
 * Processes per column for a row (default 1); the row's median is the median of the processes'
 * medians (`stat`). One way is a few microseconds per message, and on this machine a process now
 * and then runs everything ~40% slower from start to end (seen in both columns: libotr 1.9 or
 * 2.8 µs, offrecord 5.5 or 7.9 µs, the same code; not the JIT: every function slower alike). One
 * process per column could land in that mode and decide the ratio. Several invocations, each
 * measured at steady state, are the textbook remedy (Georges, Buytaert and Eeckhout,
 * "Statistically Rigorous Java Performance Evaluation", OOPSLA 2007); with five, the median is a
 * usual process's unless most of them are slow. libotr gets the same number of processes, and
 * latest.json lists each process's median.
 */
const INVOCATIONS: Partial<Record<keyof Counts, number>> = { oneway: 5 };

interface RowSpec {
  key: string;
  label: string;
  /** The issue's target for offrecord, if any. */
  target?: { vsLibotr?: number; ms?: number };
  /** A row for information: no target at all (not even the ≤0.1× otr every issue row has). */
  info?: true;
}

const ROWS: RowSpec[] = [
  { key: 'keygen', label: 'DSA-1024 key generation', target: { ms: 300 } },
  { key: 'ake', label: 'full AKE, both sides, in-process', target: { vsLibotr: 1 } },
  { key: 'oneway', label: `message one way (${MESSAGE_BYTES} B, no DH rotation)`, target: { ms: 0.1 } },
  {
    key: 'onewayFirst',
    label: 'message one way, the first ones of a fresh process (JIT at work)',
    info: true,
  },
  { key: 'alt', label: `message alternating (${MESSAGE_BYTES} B, DH rotation)`, target: { vsLibotr: 1 } },
  { key: 'smp', label: 'full SMP, both sides', target: { vsLibotr: 1 } },
  { key: 'frag', label: '64 KB message, fragmented at 400, reassembled' },
];

/** The content script on The Lounge (bench/content-script.ts): page loads (one scan each), new messages. */
const CONTENT_COUNTS = { full: { scans: 5, appends: 101 }, quick: { scans: 3, appends: 21 } };

const CONTENT_ROWS: RowSpec[] = [
  {
    key: 'csScan',
    label: `content script, The Lounge, ${CONTENT_ROWS_N.toLocaleString('en')} rows: initial scan`,
    target: { ms: 50 },
  },
  { key: 'csMessage', label: 'content script, The Lounge: per new message (CPU)', target: { ms: 2 } },
  { key: 'csHeap', label: 'content script, The Lounge: JS heap held after the scan (MB)' },
];

/** Two Chromium profiles with the built extension on the virtual chat (bench/private-speed.ts). */
const SPEED_RUNS = { full: 5, quick: 3 };

const SPEED_ROWS: RowSpec[] = [
  { key: 'goPrivate', label: 'Go private -> Private, virtual chat, real Chromium', target: { ms: 1000 } },
  { key: 'message', label: "message: Enter in the panel -> buddy's panel shows it", target: { ms: 300 } },
];

const FLOOR_ROWS: RowSpec[] = [
  { key: 'akeCold', label: 'full AKE, the first of a fresh process (cold JIT, table builds)' },
  { key: 'plain320', label: 'BigInt floor: x^e mod p, e 320-bit, square-and-multiply' },
  { key: 'plain1536', label: 'BigInt floor: x^e mod p, e 1536-bit, square-and-multiply' },
  { key: 'powP320', label: 'powP(x, e), e 320-bit (sliding windows)' },
  { key: 'powP1536', label: 'powP(x, e), e 1536-bit (sliding windows)' },
  { key: 'powG320', label: 'powG(e), e 320-bit (fixed-base table)' },
  { key: 'powG1536', label: 'powG(e), e 1536-bit (fixed-base table)' },
];

interface Stat {
  median: number;
  min: number;
  max: number;
  runs: number;
  /** With several processes: each one's median (the reported median is their median). */
  processMedians?: number[];
}

function medianOf(sorted: number[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The runs of one row and column, from one process or several (`Processes`). From several, the
 * median is the median of the processes' medians (a process that ran slow throughout moves
 * it only if it is one of most; see INVOCATIONS), min and max are over every run.
 */
function stat(processes: number[][] | undefined): Stat | null {
  const all = (processes ?? []).flat();
  if (all.length === 0) return null;
  const s = [...all].sort((a, b) => a - b);
  const runs = processes!.filter((p) => p.length > 0);
  if (runs.length === 1) return { median: medianOf(s), min: s[0]!, max: s[s.length - 1]!, runs: s.length };
  const processMedians = runs.map((p) => medianOf([...p].sort((a, b) => a - b)));
  return {
    median: medianOf([...processMedians].sort((a, b) => a - b)),
    min: s[0]!,
    max: s[s.length - 1]!,
    runs: s.length,
    processMedians,
  };
}

function buildHarness(): string {
  const src = join(root, 'bench/c/libotr-bench.c');
  const outDir = join(root, 'build/bench');
  const out = join(outDir, 'libotr-bench');
  if (!existsSync('/usr/include/libotr/proto.h')) {
    throw new Error('libotr headers are missing: apt-get install libotr5-dev');
  }
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', out, src, '-lotr', '-lgcrypt'], {
      stdio: 'inherit',
    });
  }
  return out;
}

function runLibotr(n: Counts): Rows {
  const bin = buildHarness();
  const args = Object.entries({ ...n, modexp: undefined, MSG: MESSAGE_BYTES })
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${v}`);
  if (Object.values(n).every((v) => v === 0)) return {};
  return JSON.parse(execFileSync(bin, args, { encoding: 'utf8', maxBuffer: 1 << 24 })) as Rows;
}

function runWorker(
  name: 'offrecord' | 'otr',
  n: Counts,
  otrKeys: string,
): { rows: Rows; akeFailures?: number } {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--worker', name, '--counts', JSON.stringify(n)],
    {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, BENCH_OTR_KEYS: otrKeys },
    },
  );
  return JSON.parse(out) as { rows: Rows; akeFailures?: number };
}

/** Row name -> the runs of each process that measured it (one process for most rows). */
type Processes = Record<string, number[][]>;

/** Adds one process's rows to `into`. */
function pool(into: Processes, more: Rows): void {
  for (const [key, times] of Object.entries(more)) {
    const processes = into[key] ?? [];
    processes.push(times);
    into[key] = processes;
  }
}

/** `n` with every row but `row` set to 0 runs. */
function only(n: Counts, row: keyof Counts): Counts {
  const out: Counts = { keygen: 0, ake: 0, oneway: 0, alt: 0, smp: 0, frag: 0, modexp: 0 };
  out[row] = n[row];
  return out;
}

function fmt(s: Stat | null): string {
  if (!s) return '—';
  const f = (x: number): string =>
    x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 0.1 ? x.toFixed(2) : x.toFixed(4);
  return `${f(s.median)} [${f(s.min)}–${f(s.max)}]`;
}

function ratio(a: Stat | null, b: Stat | null): number | null {
  return a && b && b.median > 0 ? a.median / b.median : null;
}

function fmtRatio(r: number | null): string {
  if (r === null) return '—';
  return r >= 10 ? `${r.toFixed(0)}×` : `${r.toFixed(2)}×`;
}

async function worker(name: string, n: Counts): Promise<void> {
  if (name === 'offrecord') {
    const { runOffrecord } = await import('./impl-offrecord');
    const rows = await runOffrecord(n, MESSAGE_BYTES);
    process.stdout.write(JSON.stringify({ rows }));
  } else if (name === 'otr') {
    const { runOtr } = await import('./impl-otr');
    process.stdout.write(JSON.stringify(runOtr(n, MESSAGE_BYTES)));
  } else {
    throw new Error(`unknown worker ${name}`);
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const wi = argv.indexOf('--worker');
  if (wi >= 0) {
    await worker(argv[wi + 1] ?? '', JSON.parse(argv[argv.indexOf('--counts') + 1] ?? '{}') as Counts);
    return;
  }
  const mode = argv.includes('--quick') ? 'quick' : 'full';
  const started = performance.now();
  const loadBefore = loadavg();
  // Row by row, the three columns one after the other: on a machine shared with other work,
  // the columns of one row then see the same load (the whole of one column first, then the
  // next, would compare minutes apart).
  const libotr: Processes = {};
  const offrecord: Processes = {};
  const otrRun: { rows: Processes; akeFailures: number } = { rows: {}, akeFailures: 0 };
  const otrKeys = join(mkdtempSync(join(tmpdir(), 'offrecord-bench-')), 'otr-keys.json');
  const n = COUNTS[mode];
  try {
    for (const row of ['keygen', 'ake', 'oneway', 'alt', 'smp', 'frag', 'modexp'] as const) {
      for (let k = 0; k < (INVOCATIONS[row] ?? 1); k++) {
        process.stderr.write(`bench (${mode}) ${row}${k > 0 ? ` (process ${k + 1})` : ''}: libotr… `);
        if (row !== 'modexp') pool(libotr, runLibotr(only(n.libotr, row)));
        process.stderr.write('offrecord… ');
        pool(offrecord, runWorker('offrecord', only(n.offrecord, row), otrKeys).rows);
        process.stderr.write('otr…\n');
        if (row !== 'modexp') {
          const r = runWorker('otr', only(n.otr, row), otrKeys);
          pool(otrRun.rows, r.rows);
          otrRun.akeFailures += r.akeFailures ?? 0;
        }
      }
    }
  } finally {
    rmSync(dirname(otrKeys), { recursive: true, force: true });
  }
  process.stderr.write(`bench (${mode}) content script in Chromium…\n`);
  // Imported here, not at the top: a worker process holds only the library it measures (with
  // Playwright and the page code loaded too, offrecord's one-way row was ~10% slower).
  const { runContent, START_SETTLE_MS } = await import('./content-script');
  const content: ContentResult = await runContent(CONTENT_COUNTS[mode].scans, CONTENT_COUNTS[mode].appends);
  process.stderr.write(`bench (${mode}) go private and a message, two Chromium profiles…\n`);
  const { runSpeed, speedBreakdown } = await import('./private-speed');
  const speed = await runSpeed(SPEED_RUNS[mode]);
  const loadAfter = loadavg();

  const results: Record<string, unknown> = {};
  const lines: string[][] = [
    [
      'operation (ms: median [min–max])',
      'offrecord',
      'libotr 4.1.1',
      'otr 0.2.16',
      'ofr/libotr',
      'ofr/otr',
      'target',
    ],
  ];
  for (const row of ROWS) {
    const o = stat(offrecord[row.key]);
    const l = stat(libotr[row.key]);
    const j = stat(otrRun.rows[row.key]);
    const rl = ratio(o, l);
    const rj = ratio(o, j);
    const goals: string[] = [];
    let met: boolean | null = true;
    if (row.target?.vsLibotr !== undefined) {
      goals.push(`≤${row.target.vsLibotr}× libotr`);
      met &&= rl !== null && rl <= row.target.vsLibotr;
    }
    if (row.target?.ms !== undefined) {
      goals.push(row.target.ms < 1 ? `≤${row.target.ms * 1000} µs` : `≤${row.target.ms} ms`);
      met &&= o !== null && o.median <= row.target.ms;
    }
    if (row.info) met = null;
    else {
      goals.push('≤0.1× otr');
      met &&= rj !== null && rj <= 0.1;
    }
    const target = met === null ? '' : `${goals.join(', ')}: ${met ? 'met' : 'MISSED'}`;
    // Ratios of the fastest runs too: on a loaded machine the minimum is the run least disturbed.
    const minRatio = (x: Stat | null, y: Stat | null): number | null =>
      x && y && y.min > 0 ? x.min / y.min : null;
    results[row.key] = {
      label: row.label,
      offrecord: o,
      libotr: l,
      otr: j,
      ratioLibotr: rl,
      ratioOtr: rj,
      ratioLibotrOfMins: minRatio(o, l),
      ratioOtrOfMins: minRatio(o, j),
      target,
      met,
    };
    lines.push([row.label, fmt(o), fmt(l), fmt(j), fmtRatio(rl), fmtRatio(rj), target]);
  }
  const msTarget = (row: RowSpec, o: Stat | null): { target: string; met: boolean | null } => {
    if (row.target?.ms === undefined) return { target: '', met: null };
    const met = o !== null && o.median <= row.target.ms;
    return { target: `≤${row.target.ms} ms: ${met ? 'met' : 'MISSED'}`, met };
  };
  for (const row of CONTENT_ROWS) {
    const times = content.rows[row.key];
    const o = stat(times ? [times] : undefined);
    const { target, met } = msTarget(row, o);
    results[row.key] = { label: row.label, offrecord: o, libotr: 'n/a', otr: 'n/a', target, met };
    lines.push([row.label, fmt(o), 'n/a', 'n/a', '', '', target]);
  }
  const speedRows: Record<string, number[]> = { goPrivate: speed.goPrivateMs, message: speed.messageMs };
  for (const row of SPEED_ROWS) {
    const o = stat([speedRows[row.key] ?? []]);
    const { target, met } = msTarget(row, o);
    results[row.key] = { label: row.label, offrecord: o, libotr: 'n/a', otr: 'n/a', target, met };
    lines.push([row.label, fmt(o), 'n/a', 'n/a', '', '', target]);
  }
  for (const row of FLOOR_ROWS) {
    const o = stat(offrecord[row.key]);
    results[row.key] = { label: row.label, offrecord: o };
    lines.push([row.label, fmt(o), '', '', '', '', '']);
  }
  const widths = lines[0]!.map((_, c) => Math.max(...lines.map((l) => l[c]!.length)));
  const render = (l: string[]): string => `| ${l.map((cell, c) => cell.padEnd(widths[c]!)).join(' | ')} |`;
  const table = [
    render(lines[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...lines.slice(1).map(render),
  ];
  const elapsed = (performance.now() - started) / 1000;
  const load = `load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${loadAfter.map((x) => x.toFixed(2)).join(' ')} after`;
  console.log(table.join('\n'));
  const lat = stat([content.latency]);
  console.log(
    `content script: Chromium ${content.chromium}; initial scan, CPU (thread time of its task) ${fmt(stat([content.scanCpu]))} ms, the whole start (every task until ${START_SETTLE_MS} ms after it) ${fmt(stat([content.startCpu]))} ms; per new message, append -> reported ${fmt(lat)} ms (reported in the task after the change: no debounce since issue 17); ${content.reportedAgain} rows reported again during ${CONTENT_COUNTS[mode].appends + 1} appends`,
  );
  console.log(content.breakdown);
  console.log(speedBreakdown(speed));
  if (otrRun.akeFailures) console.log(`otr: ${otrRun.akeFailures} AKE(s) failed and were not timed`);
  console.log(
    `${mode} run, ${elapsed.toFixed(1)} s, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${load}, Node ${process.version}`,
  );

  const json = {
    date: new Date().toISOString(),
    mode,
    seconds: elapsed,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? null,
      loadBefore,
      loadAfter,
      node: process.version,
    },
    messageBytes: MESSAGE_BYTES,
    counts: COUNTS[mode],
    invocations: INVOCATIONS,
    rows: results,
    otrAkeFailures: otrRun.akeFailures ?? 0,
    speed,
    content: {
      breakdown: content.breakdown,
      chromium: content.chromium,
      listRows: CONTENT_ROWS_N,
      counts: CONTENT_COUNTS[mode],
      latencyMs: lat,
      reportedAgain: content.reportedAgain,
      scanCpuMs: stat([content.scanCpu]),
      startCpuMs: stat([content.startCpu]),
      heapBytes: {
        beforeStart: content.heapBefore,
        afterScan: content.heapAfterScan,
        afterAppends: content.heapAfterAppends,
      },
    },
  };
  mkdirSync(join(root, 'bench/results'), { recursive: true });
  writeFileSync(join(root, 'bench/results/latest.json'), `${JSON.stringify(json, null, 2)}\n`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
