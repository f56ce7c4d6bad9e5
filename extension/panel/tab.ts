// Which chat tab the panel shows. `index.html?tab=N` binds it to tab N: Chrome's per-tab side
// panel is opened with that path (sidePanel.setOptions), and tests open the page so. Without it
// the panel follows the active tab of its own window (Firefox's one sidebar per window; Chrome's
// global panel): tab switches, navigations in the shown tab, and window focus.

import browser from 'webextension-polyfill';

export interface TabView {
  id: number;
  title: string;
}

export function boundTab(search: string): number | null {
  const param = new URLSearchParams(search).get('tab');
  return param !== null && /^\d{1,10}$/.test(param) ? Number(param) : null;
}

async function viewOf(id: number): Promise<TabView> {
  const tab = await browser.tabs.get(id).catch(() => null);
  return { id, title: tab?.title ?? '' };
}

/**
 * Calls `onTab` with the tab to show now and whenever it changes (also when the shown tab
 * navigates: its chat may have changed). Returns the stop function.
 */
export function followTab(search: string, onTab: (tab: TabView) => void): () => void {
  const bound = boundTab(search);
  let current: number | null = null;
  let windowId: number | null = null;
  let stopped = false;
  const show = (id: number | null) => {
    if (id === null || stopped) return;
    current = id;
    void viewOf(id).then((v) => {
      if (!stopped && current === id) onTab(v);
    });
  };
  const onActivated = (info: { tabId: number; windowId: number }) => {
    if (bound === null && info.windowId === windowId) show(info.tabId);
  };
  const onUpdated = (id: number, change: { url?: string; status?: string }) => {
    if (id === current && (change.url !== undefined || change.status === 'complete')) show(id);
  };
  const onFocus = (id: number) => {
    // One sidebar per window: it keeps showing its own window's active tab.
    if (bound === null && id === windowId) void activeIn(windowId).then(show);
  };
  if (bound !== null) {
    show(bound);
  } else {
    void browser.windows.getCurrent().then(async (w) => {
      windowId = w.id ?? null;
      show(await activeIn(windowId));
    });
    browser.tabs.onActivated.addListener(onActivated);
    browser.windows.onFocusChanged.addListener(onFocus);
  }
  browser.tabs.onUpdated.addListener(onUpdated);
  return () => {
    stopped = true;
    browser.tabs.onActivated.removeListener(onActivated);
    browser.windows.onFocusChanged.removeListener(onFocus);
    browser.tabs.onUpdated.removeListener(onUpdated);
  };
}

async function activeIn(windowId: number | null): Promise<number | null> {
  if (windowId === null) return null;
  const [tab] = await browser.tabs.query({ active: true, windowId });
  return tab?.id ?? null;
}
