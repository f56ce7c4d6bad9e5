// Which tabs have a live content script. Kept in storage.session so a restarted worker still
// knows (I5); storage.session is not readable by content scripts.

import browser from 'webextension-polyfill';
import type { BadgeStatus, TabStatus } from '../shared/messages';
import { setBadge } from './badge';

const KEY = 'tabs';

interface TabRecord {
  url: string;
  badge: BadgeStatus;
  /** Which port said hello, so a late disconnect of the previous page's port does not erase it. */
  connection: string;
}

type TabTable = Record<string, TabRecord>;

async function load(): Promise<TabTable> {
  const got = await browser.storage.session.get(KEY);
  const table = got[KEY];
  return typeof table === 'object' && table !== null ? (table as TabTable) : {};
}

// All writes go through one chain so concurrent updates don't lose each other.
let chain: Promise<unknown> = Promise.resolve();
function update(fn: (t: TabTable) => void): Promise<void> {
  const next = chain.then(async () => {
    const t = await load();
    fn(t);
    await browser.storage.session.set({ [KEY]: t });
  });
  chain = next.catch(() => undefined);
  return next;
}

export async function tabConnected(tabId: number, url: string, connection: string): Promise<void> {
  await update((t) => {
    t[tabId] = { url, badge: 'ready', connection };
  });
  await setBadge(tabId, 'ready');
}

export async function tabDisconnected(tabId: number, connection: string): Promise<void> {
  let gone = false;
  await update((t) => {
    if (t[tabId]?.connection !== connection) return;
    delete t[tabId];
    gone = true;
  });
  if (gone) await setBadge(tabId, 'off');
}

export async function tabStatus(tabId: number): Promise<TabStatus> {
  const rec = (await load())[tabId];
  return rec
    ? { tabId, connected: true, url: rec.url, badge: rec.badge, alert: '' }
    : { tabId, connected: false, url: null, badge: 'off', alert: '' };
}

export function watchTabs(): void {
  browser.tabs.onRemoved.addListener((tabId) => {
    void update((t) => {
      delete t[tabId];
    });
  });
}
