/**
 * The content script's cost on The Lounge, measured in real Chromium (bench row group "content").
 *
 * A page with The Lounge 4.5.2's real DOM (the query snapshot test/fixtures/dom/thelounge/query.html,
 * its message list scaled to ROWS rows as The Lounge renders them) is served from 127.0.0.1 with the
 * content script's real code (content-scripts/chat.ts's ChatCore + the Lounge adapter) bundled by
 * esbuild from bench/content/entry.ts, talking to a port that answers every request at once. So the
 * figures are the content script's own work:
 *
 * - initial scan: ChatCore.start() until every row of the list has been read and what the
 *   background reads of history (the buddy's OTR lines, HISTORY_OTR_ROWS of them) reported;
 * - per new message: one row appended as The Lounge does; the CPU time of the append's task (its
 *   mutation-observer callbacks) plus the content script's timer tasks until the row was reported;
 * - JS heap: the page's heap after a forced GC, after the scan, minus before start() (what the
 *   content script holds for a 5,000-row chat).
 *
 * The page world stands in for the content script's isolated world: the DOM work is the same.
 */

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/e2e/lib/browsers';
import { CONTENT_ROWS, type Rows } from './common';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export { CONTENT_ROWS };

/**
 * Of the page's rows, every OTR_EVERY-th is an OTR line from the buddy (the rest plain): history
 * the content script must send (the background reads a buddy's OTR lines of history; plain text
 * and our own rows it passes over, and they are not sent). So the scan is checked to have read
 * every row: it must find exactly these.
 */
const OTR_EVERY = 500;
export const HISTORY_OTR_ROWS = Math.floor(CONTENT_ROWS / OTR_EVERY);

/**
 * The query snapshot with its list replaced by `rows` rows, oldest first, alternating senders;
 * every OTR_EVERY-th (a buddy's row) an OTR line.
 */
export function loungePage(rows: number): string {
  const html = readFileSync(join(root, 'test/fixtures/dom/thelounge/query.html'), 'utf8');
  const open = html.indexOf('<div class="messages" role="log"');
  const start = html.indexOf('>', open) + 1;
  const formAt = html.indexOf('<form id="form"');
  // The list ends with four closing divs before the form (</div> list, chat, ..., chat-view).
  const end = html.lastIndexOf('</div></div></div></div></div>', formAt);
  if (open < 0 || end < start) throw new Error('query.html: message list not found');
  const row = (i: number): string => {
    const [from, cls, color] = i % 2 ? ['carol', 'msg', 18] : ['alice', 'msg self', 31];
    const text =
      i % OTR_EVERY === OTR_EVERY - 1
        ? `?OTR:AAMDAAAAAQAAAAEAAADAVf3Ei72ZgFeKqWvLMnuVPVCwxWM+ history ${i}.`
        : `message ${i} of a long conversation between alice and carol, in plain text`;
    return `<div id="msg-${i + 1}" class="${cls}" data-type="message" data-from="${from}"><span aria-hidden="true" aria-label="23 November 2026, 11:39:29" class="time tooltipped tooltipped-e">11:39 </span><span class="from"><span class="only-copy" aria-hidden="true">&lt;</span><span class="user color-${color}" data-name="${from}" role="button">${from}</span><span class="only-copy" aria-hidden="true">&gt;&nbsp;</span></span><span class="content" dir="auto"><!----><!---->${text}</span></div><!----><!---->`;
  };
  const list: string[] = [];
  for (let i = 0; i < rows; i++) list.push(row(i));
  const page = html.slice(0, start) + list.join('') + html.slice(end);
  return page.replace('</body>', '<script src="/cs.js"></script></body>');
}

/** The content script for the bench page (bench/content/entry.ts and what it imports), one IIFE. */
export async function bundle(): Promise<string> {
  const esbuild = await import('esbuild');
  const out = await esbuild.build({
    entryPoints: [join(here, 'content/entry.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'chrome120',
    alias: { 'webextension-polyfill': join(here, 'content/browser-stub.ts') },
    logLevel: 'silent',
  });
  const file = out.outputFiles[0];
  if (!file) throw new Error('esbuild wrote nothing');
  return file.text;
}

export interface ContentResult {
  rows: Rows;
  /** Where the content script's time goes (a CPU profile of an extra scan and extra messages). */
  breakdown: string;
  /** Per new message: append -> reported (includes the content script's debounce). */
  latency: number[];
  /**
   * Per initial scan: the CPU time of the scan's task on the page's main thread (Chrome's trace
   * `tdur`, thread time), which a loaded machine stretches far less than the wall clock of the row.
   */
  scanCpu: number[];
  /**
   * Per page load: the CPU time of every task the page's main thread ran from the start until
   * START_SETTLE_MS after the scan (the scan, the in-page button drawn in a task of its own, the
   * ticks its mutations cause, and the bench's own evaluate calls): what starting costs in all.
   */
  startCpu: number[];
  rowsReported: number;
  /** Rows reported more than once during the appends (chat.ts forgets ids beyond 5,000). */
  reportedAgain: number;
  heapBefore: number;
  heapAfterScan: number;
  heapAfterAppends: number;
  chromium: string;
}

/** Runs `runs` page loads (one scan each) and `appends` new messages on the last one. */
export async function runContent(runs: number, appends: number): Promise<ContentResult> {
  const script = await bundle();
  const page = loungePage(CONTENT_ROWS);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    if (url === '/' || url.startsWith('/?')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (url === '/cs.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    } else if (url.startsWith('/blank.html')) {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>frame</title>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const { chromium } = await import('playwright');
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const scan: number[] = [];
  const scanCpu: number[] = [];
  const startCpu: number[] = [];
  const perMessage: number[] = [];
  const latency: number[] = [];
  const heap = { before: 0, scan: 0, appends: 0 };
  let rowsReported = 0;
  let reportedAgain = 0;
  let breakdown = '';
  try {
    for (let r = 0; r < runs; r++) {
      const tab = await browser.newPage();
      await tab.goto(base, { waitUntil: 'load' });
      const cdp = await tab.context().newCDPSession(tab);
      const heapUsed = async (): Promise<number> => {
        await cdp.send('HeapProfiler.collectGarbage');
        return (await cdp.send('Runtime.getHeapUsage')).usedSize;
      };
      const before = await heapUsed();
      const traced = await traceTasks(cdp, () =>
        tab.evaluate(() =>
          (
            window as unknown as { offrecordBench: { start(): Promise<{ ms: number; rows: number }> } }
          ).offrecordBench.start(),
        ),
      );
      const s = traced.result;
      scanCpu.push(traced.longestTaskCpuMs);
      startCpu.push(traced.allTasksCpuMs);
      if (s.rows !== HISTORY_OTR_ROWS) {
        throw new Error(
          `content script reported ${s.rows} rows of history, expected the buddy's ${HISTORY_OTR_ROWS} OTR lines`,
        );
      }
      rowsReported = s.rows;
      scan.push(s.ms);
      if (r === runs - 1) {
        // Let the start's own follow-ups (the in-page button's mutations -> one more tick) settle.
        await tab.waitForTimeout(500);
        heap.before = before;
        heap.scan = await heapUsed();
        for (let i = 0; i <= appends; i++) {
          const m = await tab.evaluate(
            (text) =>
              (
                window as unknown as {
                  offrecordBench: { append(t: string): Promise<{ cost: number; latency: number }> };
                }
              ).offrecordBench.append(text),
            `new message ${i}, as long as a chat line usually is`,
          );
          if (i === 0) continue; // warm-up
          perMessage.push(m.cost);
          latency.push(m.latency);
        }
        const total = await tab.evaluate(() =>
          (
            window as unknown as { offrecordBench: { reported(): { count: number; unique: number } } }
          ).offrecordBench.reported(),
        );
        if (total.unique !== HISTORY_OTR_ROWS + appends + 1) {
          throw new Error(
            `content script reported ${total.unique} rows, expected ${HISTORY_OTR_ROWS + appends + 1}`,
          );
        }
        reportedAgain = total.count - total.unique;
        heap.appends = await heapUsed();
      }
      await tab.close();
    }
    breakdown = await profiled(browser, base);
    return {
      rows: { csScan: scan, csMessage: perMessage, csHeap: [(heap.scan - heap.before) / 2 ** 20] },
      breakdown,
      latency,
      scanCpu,
      startCpu,
      rowsReported,
      reportedAgain,
      heapBefore: heap.before,
      heapAfterScan: heap.scan,
      heapAfterAppends: heap.appends,
      chromium: browser.version(),
    };
  } finally {
    await browser.close();
    await new Promise((ok) => server.close(ok));
  }
}

/** How long after the scan the start's own follow-up tasks are counted in `startCpu` (ms). */
export const START_SETTLE_MS = 300;

/**
 * Runs `what` under Chrome's tracing (the `toplevel` tasks) and returns its result with the thread
 * (CPU) time of the longest task the page ran meanwhile: the scan, which runs in one task (the
 * bench port answers at once, so the whole scan is that task's microtasks); and the thread time
 * of all the page's main-thread tasks until START_SETTLE_MS after it.
 */
async function traceTasks<T>(
  cdp: import('playwright').CDPSession,
  what: () => Promise<T>,
): Promise<{ result: T; longestTaskCpuMs: number; allTasksCpuMs: number }> {
  type TraceEvent = {
    name: string;
    ph: string;
    pid: number;
    tid: number;
    dur?: number;
    tdur?: number;
    args?: { name?: string };
  };
  const events: TraceEvent[] = [];
  const collect = (e: { value: unknown[] }) => {
    events.push(...(e.value as TraceEvent[]));
  };
  cdp.on('Tracing.dataCollected', collect);
  const complete = new Promise<void>((ok) => cdp.once('Tracing.tracingComplete', () => ok()));
  await cdp.send('Tracing.start', {
    traceConfig: { includedCategories: ['toplevel', '__metadata'], recordMode: 'recordAsMuchAsPossible' },
    transferMode: 'ReportEvents',
  });
  try {
    const result = await what();
    await new Promise((ok) => setTimeout(ok, START_SETTLE_MS));
    await cdp.send('Tracing.end');
    await complete;
    // The page's main thread (Chrome names it), its longest task.
    const main = new Set(
      events
        .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
        .map((e) => `${e.pid}:${e.tid}`),
    );
    let longest = { dur: 0, tdur: 0 };
    let all = 0;
    for (const e of events) {
      if (e.ph !== 'X' || !/RunTask$/.test(e.name) || !main.has(`${e.pid}:${e.tid}`)) continue;
      all += e.tdur ?? 0;
      if ((e.dur ?? 0) > longest.dur) longest = { dur: e.dur ?? 0, tdur: e.tdur ?? 0 };
    }
    return { result, longestTaskCpuMs: longest.tdur / 1000, allTasksCpuMs: all / 1000 };
  } finally {
    cdp.off('Tracing.dataCollected', collect);
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

/** Sampled self time per function (ms), the bundle's names (esbuild's numeric suffixes dropped). */
function selfTimes(profile: {
  nodes: ProfileNode[];
  samples?: number[];
  timeDeltas?: number[];
}): Map<string, number> {
  const byNode = new Map<number, number>();
  const samples = profile.samples ?? [];
  samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas?.[i] ?? 0) / 1000);
  });
  const out = new Map<string, number>();
  for (const n of profile.nodes) {
    const t = byNode.get(n.id) ?? 0;
    const name = (n.callFrame.functionName || '(anonymous)').replace(/\d+$/, '');
    out.set(name, (out.get(name) ?? 0) + t);
  }
  return out;
}

/** The bench's own code and the profiler's bookkeeping: not the content script's time. */
const NOT_OURS = new Set([
  '(idle)',
  '(program)',
  'append',
  'afterThisTask',
  'start',
  'evaluate',
  'UtilityScript',
  'postMessage',
  'MessageChannel',
  'close',
  'ch.port1.onmessage',
  'cloneNode',
  'appendChild',
]);

function top(times: Map<string, number>, per: number, n: number): string {
  return [...times.entries()]
    .filter(([k, t]) => !NOT_OURS.has(k) && t > 0)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${k} ${(t / per).toFixed(2)}`)
    .join(', ');
}

/**
 * One more page load and 20 more messages under the CPU profiler (1 ms → 100 µs sampling): the
 * functions the time goes to, in ms (per scan, per message). Not counted in the rows (the
 * profiler slows what it watches). Names are the bundle's: the content script's own
 * (reportRows, readMessage, capture, …) and the browser's (querySelectorAll, garbage collector).
 */
async function profiled(browser: import('playwright').Browser, base: string): Promise<string> {
  const tab = await browser.newPage();
  try {
    await tab.goto(base, { waitUntil: 'load' });
    const cdp = await tab.context().newCDPSession(tab);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    await tab.evaluate(() =>
      (window as unknown as { offrecordBench: { start(): Promise<unknown> } }).offrecordBench.start(),
    );
    const scan = selfTimes((await cdp.send('Profiler.stop')).profile);
    await tab.waitForTimeout(500);
    const n = 20;
    await cdp.send('Profiler.start');
    for (let i = 0; i < n; i++)
      await tab.evaluate(
        (text) =>
          (
            window as unknown as { offrecordBench: { append(t: string): Promise<unknown> } }
          ).offrecordBench.append(text),
        `profiled message ${i}, as long as a chat line usually is`,
      );
    const messages = selfTimes((await cdp.send('Profiler.stop')).profile);
    return (
      `content script, where the time goes (CPU profile, ms of self time, the top functions):\n` +
      `  initial scan of ${CONTENT_ROWS} rows: ${top(scan, 1, 10)}\n` +
      `  per new message (mean of ${n}): ${top(messages, n, 8)}`
    );
  } finally {
    await tab.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runs = Number(process.argv[2] ?? '3');
  const appends = Number(process.argv[3] ?? '21');
  runContent(runs, appends).then(
    (r) => console.log(JSON.stringify(r, null, 1)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
