// The two-party harness the minichat e2e files share (background-, lock- in Chromium and Firefox):
// the minichat page server on 127.0.0.1 and tools/otr-peer as bob. Every line a page posts is
// logged and handed to bob; bob's ops run one at a time, and each wire line he produces is posted
// to alice's chat after an optional step (the background suites stop the worker there, so each of
// bob's lines wakes a fresh one). Also the one request helper for extension pages in both browsers.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page as PlaywrightPage, Worker } from '@playwright/test';
import type { Page as PuppeteerPage } from 'puppeteer-core';
import { type Minichat, startMinichat } from '../../fixtures/minichat/server';
import { type Peer, type PeerEvent, startOffrecordPeer } from '../../interop/lib';

export interface WireLine {
  from: string;
  text: string;
}

export interface MinichatBob {
  readonly dir: string;
  readonly chat: Minichat;
  readonly bob: Peer;
  /** Every event bob's otr-peer reported, in order. */
  readonly events: PeerEvent[];
  /** Every line on the chat, alice's and bob's, in order. */
  readonly wire: WireLine[];
  /** Runs one of bob's ops after the ones before it; his wire lines are posted to alice. */
  do(op: Record<string, unknown>): Promise<void>;
  /** Resolves when every op asked of bob so far has run and its lines were posted. */
  idle(): Promise<void>;
  /** Whether bob reported an event matching `pred`. */
  saw(pred: (e: PeerEvent & Record<string, unknown>) => boolean): boolean;
  /** How many times bob's session became encrypted. */
  encryptedCount(): number;
  /** The lines alice's page posted. */
  aliceLines(): string[];
  /** What went over the chat and what bob saw, for a timeout's message. */
  dump(extra?: Record<string, unknown>): string;
  close(): Promise<void>;
}

export async function startMinichatBob(opts: {
  /** A prefix for the temporary folder holding bob's key. */
  prefix: string;
  /** Runs before each of bob's wire lines is posted (e.g. stop the service worker). */
  beforeBobLine?: () => Promise<void>;
}): Promise<MinichatBob> {
  const dir = mkdtempSync(join(tmpdir(), opts.prefix));
  const events: PeerEvent[] = [];
  const wire: WireLine[] = [];
  let relay: Promise<unknown> = Promise.resolve();
  let chat: Minichat | undefined;
  let bob: Peer | undefined;
  try {
    chat = await startMinichat();
    bob = await startOffrecordPeer({
      account: 'bob',
      policy: 'manual',
      key: join(dir, 'bob.key'),
      maxMessage: 400,
    });
  } catch (e) {
    await chat?.close();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const c = chat;
  const b = bob;
  const run = (op: Record<string, unknown>): Promise<void> => {
    const next = relay.then(async () => {
      const out = await b.op(op as never);
      events.push(...out);
      for (const e of out) {
        if (e.event !== 'wire') continue;
        await opts.beforeBobLine?.();
        // chat.onLine hears only what pages send: bob's lines are logged here.
        const l = c.post('bob', 'alice', (e as { wire: string }).wire);
        wire.push({ from: l.from, text: l.text });
      }
    });
    relay = next.catch(() => undefined);
    return next;
  };
  c.onLine((l) => {
    wire.push({ from: l.from, text: l.text });
    if (l.to === 'bob') void run({ op: 'receive', peer: 'alice', wire: l.text });
  });
  const saw = (pred: (e: PeerEvent & Record<string, unknown>) => boolean) =>
    events.some((e) => pred(e as PeerEvent & Record<string, unknown>));
  return {
    dir,
    chat: c,
    bob: b,
    events,
    wire,
    do: run,
    idle: () => relay.then(() => undefined),
    saw,
    encryptedCount: () =>
      events.filter((e) => e.event === 'state' && (e as { state: string }).state === 'encrypted').length,
    aliceLines: () => wire.filter((l) => l.from === 'alice').map((l) => l.text),
    dump: (extra = {}) =>
      JSON.stringify(
        {
          ...extra,
          wire: wire.map((w) => [w.from, w.text.slice(0, 60)]),
          bob: events.map((e) => JSON.stringify(e).slice(0, 120)),
        },
        null,
        1,
      ),
    close: async () => {
      await b.close();
      await c.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One PageRequest over a runtime port from an extension page (Chromium or Firefox: both have the
 * `chrome` namespace), exactly as the popup sends it; resolves with the reply's result, rejects
 * with its error or after `timeoutMs` without a reply.
 */
export function extensionRequest(
  page: PlaywrightPage | PuppeteerPage,
  body: Record<string, unknown>,
  timeoutMs = 20_000,
): Promise<unknown> {
  // Both take (function, argument); the page is either kind, the call the same.
  return (page as PlaywrightPage).evaluate(
    ([msg, ms]: readonly [Record<string, unknown>, number]) =>
      new Promise<unknown>((resolve, reject) => {
        const rt = (
          globalThis as unknown as { chrome: { runtime: { connect(i: { name: string }): ChromePort } } }
        ).chrome.runtime;
        interface ChromePort {
          postMessage(m: unknown): void;
          disconnect(): void;
          onMessage: { addListener(f: (m: unknown) => void): void };
        }
        const port = rt.connect({ name: 'offrecord' });
        const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
        const timer = setTimeout(() => {
          port.disconnect();
          reject(new Error(`no reply in ${ms} ms`));
        }, ms);
        port.onMessage.addListener((raw: unknown) => {
          const m = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
          if (m.type !== 'reply' || m.id !== id) return;
          clearTimeout(timer);
          port.disconnect();
          if (m.ok) resolve(m.result);
          else reject(new Error(m.error));
        });
        port.postMessage({ ...msg, id });
      }),
    [body, timeoutMs] as const,
  );
}

/** A row of the background's tab table (storage.session `tabs`), the fields the suites read. */
export interface TabRow {
  /** Changes on every new connection of the tab's content script (a background restart). */
  connection: string;
  ref: { peer: string } | null;
  dropped?: number;
}

/** The background's tab table, read from an extension page or the Chromium worker. */
export function tabTable(ctx: PlaywrightPage | PuppeteerPage | Worker): Promise<Record<string, TabRow>> {
  return (ctx as PlaywrightPage).evaluate(async () => {
    const area = (
      globalThis as unknown as {
        chrome: { storage: { session: { get(k: string): Promise<Record<string, unknown>> } } };
      }
    ).chrome.storage.session;
    const { tabs } = (await area.get('tabs')) as { tabs?: Record<string, TabRow> };
    return tabs ?? {};
  });
}

/** The id of the tab whose chat is with `peer`, once its content script reported it. */
export async function tabOfPeer(
  ctx: PlaywrightPage | PuppeteerPage | Worker,
  peer: string,
): Promise<number | undefined> {
  for (const [id, r] of Object.entries(await tabTable(ctx))) if (r.ref?.peer === peer) return Number(id);
  return undefined;
}
