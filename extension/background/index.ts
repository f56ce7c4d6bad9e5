// The background: a service worker in Chrome, an event page in Firefox. Everything is registered
// synchronously at top level, as MV3 requires for events that wake the worker.

import browser, { type Runtime } from 'webextension-polyfill';
import { sitePatternFor } from '../shared/sites';
import { classifySender, MAX_INVALID_PER_PORT, type PortRights, validateFor } from './ports';
import { syncContentScripts, watchPermissions } from './registration';
import { Router, type RouterStats } from './router';
import { tabDisconnected, watchTabs } from './tabs';

const stats: RouterStats = { invalidMessages: 0 };
const router = new Router(stats);
// "chrome-extension://ID" or "moz-extension://UUID", without the trailing slash.
const extensionOrigin = browser.runtime.getURL('/').replace(/\/$/, '');

function logError(e: unknown): void {
  console.error('offrecord background:', e);
}

function refuse(port: Runtime.Port): void {
  stats.invalidMessages++;
  port.disconnect();
}

async function admitContent(rights: PortRights): Promise<boolean> {
  if (rights.kind !== 'content') return true;
  // A script left running on a site whose permission was since removed gets no service.
  // (Match patterns carry no port: Firefox rejects one that does.)
  const pattern = sitePatternFor(rights.url);
  return pattern !== null && browser.permissions.contains({ origins: [pattern] });
}

browser.runtime.onConnect.addListener((port) => {
  const rights = classifySender(port.sender, browser.runtime.id, extensionOrigin);
  if (!rights) {
    refuse(port);
    return;
  }
  const connection = crypto.randomUUID();
  let refused = 0;
  const admitted = admitContent(rights).catch(() => false);
  port.onMessage.addListener(async (msg: unknown) => {
    if (!(await admitted)) {
      refuse(port);
      return;
    }
    const req = validateFor(rights, msg);
    if (!req) {
      stats.invalidMessages++;
      if (++refused >= MAX_INVALID_PER_PORT) port.disconnect();
      return;
    }
    const reply = await router.handle(req, rights, connection);
    try {
      port.postMessage(reply);
    } catch {
      // The other end went away while we worked.
    }
  });
  if (rights.kind === 'content' && rights.frameId === 0) {
    port.onDisconnect.addListener(() => {
      tabDisconnected(rights.tabId, connection).catch(logError);
    });
  }
});

watchTabs();
watchPermissions(logError);
browser.runtime.onInstalled.addListener(() => {
  syncContentScripts().catch(logError);
});
browser.runtime.onStartup.addListener(() => {
  syncContentScripts().catch(logError);
});
syncContentScripts().catch(logError);
