// The chat side of the popup e2e tests: a relay injected into a plain page on 127.0.0.1 that
// speaks the content script's messages (api.md), and a pump that carries its wire lines to and from
// a tools/otr-peer process. Only ciphertext crosses the page. Shared by popup-chromium and
// popup-more-chromium (a test file cannot import another without running its tests).

import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { PAGES } from '../../../extension/shared/build-info';
import type { Peer } from '../../interop/lib';
import { type ChromiumExtension, REPO_ROOT } from './browsers';

declare const chrome: Browser;

export const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
/** Our account in the relayed chat. */
export const ME = 'alice';

export const CHAT = `<!doctype html><html><head><title>chat</title></head><body><div id="log"></div></body></html>`;

export interface Kind {
  kind: 'one-to-one' | 'group' | 'none';
  peer: string | null;
}

/**
 * Runs in the worker: injects into the chat tab (chrome.scripting, isolated world) the relay
 * described above. Everything is inline and anonymous: Playwright and executeScript serialize it.
 */
export async function injectRelay([tid, account, conv]: readonly [number, string, Kind]): Promise<void> {
  await chrome.scripting.executeScript({
    target: { tabId: tid },
    args: [account, conv],
    func: (account: string, conv: Kind) => {
      const port = chrome.runtime.connect({ name: 'offrecord' });
      let id = 1;
      const send = (body: Record<string, unknown>) => port.postMessage({ ...body, id: id++ });
      const log = document.getElementById('log') as HTMLElement;
      const written = new Set<number>();
      const reported = new Set<string>();
      port.onMessage.addListener((msg: unknown) => {
        const m = msg as { type?: string; event?: { type: string; lines?: { seq: number; wire: string }[] } };
        const reply = msg as { type?: string; ok?: boolean; error?: string };
        // The conversation goes after hello's reply: sent together, the background's two tab-map
        // updates can race and hello's may overwrite the conversation (reported to the lead).
        if (reply.type === 'reply' && (reply as { id?: number }).id === 1) {
          send({
            type: 'conversation',
            account,
            protocol: 'prpl-irc',
            peer: conv.peer,
            kind: conv.kind,
            reason: null,
            maxMessageSize: 0,
            composeFound: true,
            listFound: true,
          });
        }
        if (m.type !== 'push' || m.event?.type !== 'send-wire') return;
        for (const line of m.event.lines ?? []) {
          if (written.has(line.seq)) continue;
          written.add(line.seq);
          const row = document.createElement('div');
          row.className = 'msg own';
          row.dataset.id = `own-${line.seq}`;
          row.textContent = line.wire;
          log.append(row);
          send({ type: 'wire-sent', seq: line.seq });
        }
      });
      send({ type: 'hello', url: location.href });
      new MutationObserver(() => {
        const rows = [...log.querySelectorAll<HTMLElement>('.msg.buddy')].filter(
          (r) => !reported.has(r.dataset.id ?? ''),
        );
        if (rows.length === 0) return;
        for (const r of rows) reported.add(r.dataset.id ?? '');
        send({
          type: 'chat-messages',
          history: false,
          messages: rows.map((r) => ({ id: r.dataset.id, from: conv.peer, text: r.textContent, own: false })),
        });
      }).observe(log, { childList: true });
    },
  });
}

export interface PeerEvent {
  event: string;
  wire?: string;
  result?: string;
  question?: string;
  state?: string;
  fingerprint?: string | null;
}

/**
 * Carries wire lines between the chat page and an otr-peer until stopped. The peer can be swapped
 * (the "same" buddy with another key): lines already carried are not carried again.
 */
export class Pump {
  private forwarded = 0;
  private buddyRows = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running = false;
  /** While true, lines from the page wait (to watch a run in progress). */
  paused = false;
  readonly smpEvents: { result: string; question?: string | null }[] = [];
  readonly states: { state: string; fingerprint: string | null }[] = [];

  constructor(
    private readonly page: Page,
    public peer: Peer,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Feeds events of the peer (wire lines to the page, SMP and state events recorded). */
  async deliver(events: PeerEvent[]): Promise<void> {
    for (const e of events) {
      if (e.event === 'wire' && e.wire !== undefined) {
        const n = this.buddyRows++;
        await this.page.evaluate(
          ([text, rowId]) => {
            const row = document.createElement('div');
            row.className = 'msg buddy';
            row.dataset.id = rowId;
            row.textContent = text;
            document.getElementById('log')?.append(row);
          },
          [e.wire, `buddy-${n}`] as const,
        );
      } else if (e.event === 'smp' && e.result !== undefined) {
        this.smpEvents.push({ result: e.result, question: e.question ?? null });
      } else if (e.event === 'state' && e.state !== undefined) {
        this.states.push({ state: e.state, fingerprint: e.fingerprint ?? null });
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.running || this.paused) return;
    this.running = true;
    try {
      const rows = await this.page.evaluate(() =>
        [...document.querySelectorAll('#log .msg.own')].map((r) => r.textContent ?? ''),
      );
      while (this.forwarded < rows.length) {
        const wire = rows[this.forwarded++] as string;
        await this.deliver((await this.peer.op({ op: 'receive', peer: ME, wire })) as PeerEvent[]);
      }
    } catch {
      // the page closed: the test is ending
    } finally {
      this.running = false;
    }
  }
}

export async function tabIdOf(ext: ChromiumExtension, url: string): Promise<number> {
  const ids = await ext.worker.evaluate(
    async (u) => (await chrome.tabs.query({ url: u })).map((t) => t.id),
    url,
  );
  expect(ids).toHaveLength(1);
  return ids[0] as number;
}

/** Waits for the tab's own content script hello, then injects the relay (whose hello wins). */
export async function openChat(
  ext: ChromiumExtension,
  url: string,
  conv: Kind,
): Promise<{ page: Page; tabId: number }> {
  const page = await ext.context.newPage();
  await page.goto(url);
  const tabId = await tabIdOf(ext, url);
  await expect
    .poll(
      () =>
        ext.worker.evaluate(async (tid) => {
          const { tabs } = (await chrome.storage.session.get('tabs')) as { tabs?: Record<string, unknown> };
          return tabs?.[tid] !== undefined;
        }, tabId),
      { timeout: 15_000 },
    )
    .toBe(true);
  await ext.worker.evaluate(injectRelay, [tabId, ME, conv] as const);
  return { page, tabId };
}

export async function openPopup(ext: ChromiumExtension, tabId: number): Promise<Page> {
  const popup = await ext.context.newPage();
  popup.on('pageerror', (e) => console.error(`popup error: ${e.message}`));
  popup.on('console', (m) => {
    if (m.type() === 'error') console.error(`popup console: ${m.text()}`);
  });
  await popup.setViewportSize({ width: 360, height: 700 });
  await popup.goto(`${ext.baseUrl}${PAGES.popup}?tab=${tabId}`);
  await popup.getByRole('heading', { name: 'offrecord', level: 1 }).waitFor();
  return popup;
}

export async function shot(popup: Page, name: string, prefix = 'popup'): Promise<void> {
  // The test build's diagnostics footer is not part of the product's look.
  await popup.addStyleTag({ content: 'footer.diag{display:none}' });
  await popup.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: true });
}

export const statusOf = (popup: Page) => popup.getByRole('status', { name: /^Privacy status: / });

/** What the tab's content script last reported about its page (status.page), from the worker's tab map. */
export async function pageInfoOf(ext: ChromiumExtension, tabId: number): Promise<unknown> {
  return ext.worker.evaluate(async (tid) => {
    const { tabs } = (await chrome.storage.session.get('tabs')) as {
      tabs?: Record<string, { page?: unknown }>;
    };
    return tabs?.[tid]?.page ?? null;
  }, tabId);
}

/**
 * Sends one request to the background from an extension page, as the popup would, and returns the
 * reply ({ok, result} or {ok: false, error}); for checking what the background itself refuses.
 */
export async function pageRequest(page: Page, body: Record<string, unknown>): Promise<unknown> {
  return page.evaluate(
    (b) =>
      new Promise((resolve) => {
        const port = chrome.runtime.connect({ name: 'offrecord' });
        port.onMessage.addListener((m: unknown) => {
          const r = m as { type?: string; id?: number };
          if (r.type === 'reply' && r.id === 1) {
            port.disconnect();
            resolve(m);
          }
        });
        port.postMessage({ ...b, id: 1 });
      }),
    body,
  );
}
