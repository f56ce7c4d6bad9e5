// The popup's side of the runtime API (api.md): one client, the tab the popup is about, and the
// shapes it reads from `status`. Everything the popup sends goes through here.

import browser from 'webextension-polyfill';
import type { LockSend } from '../shared/lock/api';
import type { LockInfo, PageInfo, PageRequest, RequestBody, ResultMap, SmpOutcome } from '../shared/messages';
import { PortClient } from '../shared/port-client';
import { sitePatternFor } from '../shared/sites';
import { isSmpOutcome, type StatusLike } from './model';

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
  /** What the tab's content script found on the page (adapter, profile fit, guess), if it said. */
  page: PageInfo | null;
  /** The passphrase lock (issue 18). */
  lock: LockInfo;
  /** What the byte budgets (I8) dropped, cut or did not store in this tab's chat. */
  budget: BudgetCounts | null;
}

import { type BudgetCounts, budgetCounts } from '../shared/budget-lines';

export type { BudgetCounts };

/** The requests the popup sends (api.md PageRequest), without their ids. */
export type PopupRequest = Extract<
  RequestBody<PageRequest>,
  {
    type:
      | 'go-private'
      | 'refresh-private'
      | 'end-private'
      | 'smp-start'
      | 'smp-answer'
      | 'smp-abort'
      | 'set-trust'
      | 'retry-send-tab'
      | 'site-enabled'
      | 'picker-start';
  }
>;

export function tabRequest(body: PopupRequest): Promise<unknown> {
  return client.request(body);
}

/** The site-profile requests (issue 9), with their typed results. */
export type ProfileRequest = Extract<
  RequestBody<PageRequest>,
  { type: 'profile-get' | 'profile-import' | 'profile-export' | 'profile-remove' }
>;

export function profileRequest<B extends ProfileRequest>(body: B): Promise<ResultMap[B['type']]> {
  return client.request(body);
}

/** The foundation's diagnostics (test builds only): the tab's port and badge, the click counter. */
export interface Diagnostics {
  connected: boolean | null;
  badge: string | null;
  counter: number | null;
}

export type PopupRead = PopupState & { smpOutcome: SmpOutcome | null; diagnostics: Diagnostics };

/**
 * The status of the tab. The background knows the site only once its content script runs there;
 * before that (offrecord not on for the site) the popup works it out from the tab's URL and the
 * granted host patterns.
 */
export async function readStatus(tab: TabInfo): Promise<PopupRead> {
  const r = await client.request({ type: 'status', tabId: tab.id });
  let site = r.site;
  if (site === null && tab.url !== null) {
    const pattern = sitePatternFor(tab.url);
    if (pattern !== null) site = { origin: new URL(tab.url).origin, enabled: r.sites.includes(pattern) };
  }
  // A background that knows how the last SMP run ended may add smp.result (not in api.md yet).
  const smp = r.status?.smp as { result?: unknown } | undefined;
  return {
    site,
    conversation: r.conversation,
    status: r.status,
    keygen: r.keygen,
    page: r.page,
    budget: budgetCounts(r.status?.limits, r.tab ? (r.tab.dropped ?? 0) : undefined),
    lock: r.lock,
    smpOutcome: isSmpOutcome(smp?.result) ? smp.result : null,
    diagnostics: {
      connected: r.tab?.connected ?? null,
      badge: r.tab?.badge ?? null,
      counter: r.counter,
    },
  };
}

/** Calls `onChange` when the background pushes news about this tab; returns the unsubscribe. */
export function watchPushes(tabId: number | null, onChange: () => void): () => void {
  return client.onPush((ev) => {
    if (ev.type === 'lock') onChange();
    else if (
      (ev.type === 'status' || ev.type === 'smp-request') &&
      (ev.tabId === undefined || ev.tabId === tabId)
    )
      onChange();
  });
}

/** The lock requests (issue 18) through the popup's client. */
export const lockSend: LockSend = (body) => client.request(body);

/** The foundation's click counter (test builds: the worker-restart e2e tests use it). */
export function increment(): Promise<unknown> {
  return client.request({ type: 'increment' });
}
