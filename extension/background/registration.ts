// The content script is registered at run time for exactly the sites offrecord holds host
// permission for (granted per site by the user; the test flavor is pre-granted 127.0.0.1).
// Synced at every worker start, on permissions.onAdded (also injecting into tabs already open on
// the new sites) and on permissions.onRemoved.

import browser from 'webextension-polyfill';
import contentScriptFile from '../../content-scripts/main.ts?script&iife';
import { siteMatches } from '../shared/sites';

export const CONTENT_SCRIPT_ID = 'offrecord-content';
export { contentScriptFile };

/** Host patterns the browser currently grants us. */
export async function grantedSites(): Promise<string[]> {
  const all = await browser.permissions.getAll();
  return siteMatches(all.origins ?? []);
}

let chain: Promise<unknown> = Promise.resolve();

/** Makes the registration match the granted sites; resolves with those sites. */
export function syncContentScripts(): Promise<string[]> {
  const next = chain.then(async () => {
    const matches = await grantedSites();
    const existing = await browser.scripting.getRegisteredContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    if (matches.length === 0) {
      if (existing.length > 0) await browser.scripting.unregisterContentScripts({ ids: [CONTENT_SCRIPT_ID] });
    } else if (existing.length > 0) {
      await browser.scripting.updateContentScripts([{ id: CONTENT_SCRIPT_ID, matches }]);
    } else {
      await browser.scripting.registerContentScripts([
        {
          id: CONTENT_SCRIPT_ID,
          js: [contentScriptFile],
          matches,
          runAt: 'document_idle',
          allFrames: false,
          persistAcrossSessions: true,
        },
      ]);
      // A registration applies to page loads from now on. Pages that loaded before it (tabs open
      // when the extension was installed, updated or reloaded, or a page that won the race with
      // the worker's first start) would stay without offrecord: run the script there too.
      await injectIntoOpenTabs(matches);
    }
    return matches;
  });
  chain = next.catch(() => undefined);
  return next;
}

/** Runs the content script in tabs already open on newly granted sites (it guards against running twice). */
async function injectIntoOpenTabs(origins: string[]): Promise<void> {
  const patterns = siteMatches(origins);
  if (patterns.length === 0) return;
  const tabs = await browser.tabs.query({ url: patterns });
  await Promise.all(
    tabs.map(async (tab) => {
      if (typeof tab.id !== 'number') return;
      try {
        await browser.scripting.executeScript({ target: { tabId: tab.id }, files: [contentScriptFile] });
      } catch {
        // The tab navigated away or is not scriptable: the registration covers its next load.
      }
    }),
  );
}

export function watchPermissions(onError: (e: unknown) => void): void {
  browser.permissions.onAdded.addListener((p) => {
    syncContentScripts()
      .then(() => injectIntoOpenTabs(p.origins ?? []))
      .catch(onError);
  });
  browser.permissions.onRemoved.addListener(() => {
    syncContentScripts().catch(onError);
  });
}
