/**
 * The content script's real code (ChatCore + The Lounge adapter) bundled for the bench page by
 * bench/content-script.ts, with a port that answers every request at once, so what the bench times
 * is the content script's own work. Exposes `window.offrecordBench` for the runner:
 *
 *   start()        starts ChatCore on the page; resolves with the initial scan's time (ms: from
 *                  start() until the task that reported the last of the page's rows has ended)
 *                  and the number of rows reported
 *   append(text)   appends one row as The Lounge renders it; resolves when the content script has
 *                  reported it, with its CPU cost (ms: the append's own task including its
 *                  mutation-observer callbacks, plus every timer task the content script ran until
 *                  the row was reported) and its latency (append -> reported, ms)
 *
 * Runs what content-scripts/main.ts runs (see startContentScript), so it keeps working while
 * chat.ts changes. The port JSON-serializes every request, as a real runtime port does in the
 * content script's thread (Chrome serializes extension messages as JSON).
 */

import * as chat from '../../content-scripts/chat';
import { pickAdapter, type SiteAdapter } from '../../content-scripts/sites/index';

/**
 * What the content script's entry (content-scripts/main.ts) runs: the ContentController (hello,
 * picks the adapter, runs a ChatCore and attaches it) where chat.ts has one, else a ChatCore
 * started (and attached, if it has attach()) directly. Typed loosely on purpose: chat.ts is
 * changing while this bench is used.
 */
interface Startable {
  start(): void;
  attach?: () => Promise<void>;
}
const chatModule = chat as unknown as {
  ContentController?: new (
    client: PortClient<ContentRequest>,
    doc: Document,
    options: { url: () => string },
  ) => Startable;
  ChatCore: new (client: PortClient<ContentRequest>, doc: Document, adapter: SiteAdapter) => Startable;
};

function startContentScript(): void {
  const Controller = chatModule.ContentController;
  if (Controller) {
    new Controller(port, document, { url: () => location.href }).start();
    return;
  }
  const adapter = pickAdapter(document);
  if (!adapter) throw new Error('bench page: no adapter recognised it');
  const core = new chatModule.ChatCore(port, document, adapter);
  core.start();
  void core.attach?.();
}

import type { ContentRequest, PushEvent } from '../../extension/shared/messages';
import type { PortClient } from '../../extension/shared/port-client';

interface Reported {
  count: number;
  ids: Set<string>;
  lastRequestSize: number;
  serializedBytes: number;
}

const reported: Reported = { count: 0, ids: new Set(), lastRequestSize: 0, serializedBytes: 0 };

/** Resolves after the current task and all its microtasks: the next message-channel task. */
function afterThisTask(): Promise<number> {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve(performance.now());
    };
    ch.port2.postMessage(null);
  });
}

// Every timer task the content script runs is timed: its callback plus the microtasks it starts
// (the whole debounced tick, since the bench port answers at once), measured up to the next
// message-channel task.
let timerBusy = 0;
const realSetTimeout = globalThis.setTimeout.bind(globalThis);
globalThis.setTimeout = ((handler: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) =>
  realSetTimeout(() => {
    const t0 = performance.now();
    void afterThisTask().then((t1) => {
      timerBusy += t1 - t0;
    });
    handler(...args);
  }, ms)) as unknown as typeof setTimeout;

const waiters: { id: string; resolve: () => void }[] = [];

function answer(body: { type: string } & Record<string, unknown>): unknown {
  reported.serializedBytes += JSON.stringify(body).length;
  switch (body.type) {
    case 'hello':
      return { tabId: 1, frameId: 0, profile: null };
    case 'conversation':
      return { privateMode: false, status: null };
    case 'chat-messages': {
      const messages = body.messages as { id: string }[];
      reported.count += messages.length;
      reported.lastRequestSize = messages.length;
      for (const m of messages) reported.ids.add(m.id);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i] as { id: string; resolve: () => void };
        if (reported.ids.has(w.id)) {
          waiters.splice(i, 1);
          w.resolve();
        }
      }
      return {};
    }
    case 'toggle-private':
      return { privateMode: false };
    default:
      return {};
  }
}

const pushListeners = new Set<(e: PushEvent) => void>();
const port = {
  onPush(listener: (e: PushEvent) => void): () => void {
    pushListeners.add(listener);
    return () => pushListeners.delete(listener);
  },
  keepConnected(onConnected: () => void): void {
    queueMicrotask(onConnected);
  },
  request(body: { type: string } & Record<string, unknown>): Promise<unknown> {
    return Promise.resolve(answer(body));
  },
  close(): void {},
} as unknown as PortClient<ContentRequest>;

let nextId = 0;
let template: Element | null = null;

/**
 * The scan's task holds nothing but the content script's start: the bench reads no row before it
 * (a row read once has its wrapper object made, and the scan would find it made).
 */
async function start(): Promise<{ ms: number; rows: number }> {
  const t0 = performance.now();
  startContentScript();
  const t1 = await afterThisTask();
  return { ms: t1 - t0, rows: reported.count };
}

async function append(text: string): Promise<{ cost: number; latency: number }> {
  const list = document.querySelector('.messages[role="log"]');
  if (!list) throw new Error('bench page: no list');
  if (!template) {
    // The page's newest row, as The Lounge renders one (after the scan: the first append is a warm-up).
    const rows = list.querySelectorAll('.msg[data-type="message"]');
    template = rows[rows.length - 1]?.cloneNode(true) as Element | null;
    if (!template) throw new Error('bench page: no row');
    nextId = rows.length + 1000;
  }
  const row = template.cloneNode(true) as Element;
  const id = `msg-${nextId++}`;
  row.id = id;
  const content = row.querySelector('.content');
  if (content) content.textContent = text;
  timerBusy = 0;
  const done = new Promise<void>((resolve) => waiters.push({ id, resolve }));
  const t0 = performance.now();
  list.appendChild(row);
  // The append's task ends with the mutation observers' callbacks (microtasks).
  const t1 = await afterThisTask();
  const appendTask = t1 - t0;
  await done;
  const reportedAt = performance.now();
  await afterThisTask(); // let the timer task that reported it finish its accounting
  return { cost: appendTask + timerBusy, latency: reportedAt - t0 };
}

(globalThis as unknown as Record<string, unknown>).offrecordBench = {
  start,
  append,
  reported: () => ({
    count: reported.count,
    unique: reported.ids.size,
    serializedBytes: reported.serializedBytes,
  }),
};
