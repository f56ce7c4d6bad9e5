// Opening the side panel, which browsers allow only inside a user gesture's handler: call
// openPanel() FIRST in a click, command or action handler, before anything awaits.
// Chrome: sidePanel.open({tabId}) opens the tab's own panel (its path `?tab=N` was set by
// preparePanel when the tab's chat was reported) or else the global one. Firefox: the sidebar
// (sidebarAction.open() takes no tab: one sidebar per window follows the active tab).

import browser from 'webextension-polyfill';
import { panelPath } from './build-info';

interface ChromeSidePanel {
  open(options: { tabId?: number; windowId?: number }): Promise<void>;
  setOptions(options: { tabId?: number; path?: string; enabled?: boolean }): Promise<void>;
}

function sidePanel(): ChromeSidePanel | null {
  const chrome = (globalThis as { chrome?: { sidePanel?: ChromeSidePanel } }).chrome;
  return __OFFRECORD_TARGET__ === 'chrome' ? (chrome?.sidePanel ?? null) : null;
}

/** Opens the panel for `tabId`; resolves false when the browser refused (no user gesture). */
export function openPanel(tabId: number): Promise<boolean> {
  try {
    const sp = sidePanel();
    const opened = sp ? sp.open({ tabId }) : browser.sidebarAction.open();
    return opened.then(
      () => true,
      () => false,
    );
  } catch {
    return Promise.resolve(false);
  }
}

/** Chrome: the tab's own panel, bound to it (`?tab=N`). Firefox: nothing to do. */
export async function preparePanel(tabId: number): Promise<void> {
  const sp = sidePanel();
  if (sp) await sp.setOptions({ tabId, path: panelPath(tabId), enabled: true });
}
