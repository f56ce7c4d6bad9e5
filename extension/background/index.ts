// The background: a service worker in Chrome, an event page in Firefox. Everything is registered
// synchronously at top level, as MV3 requires for events that wake the worker. The state lives in
// IndexedDB (long-term keys, fingerprints, sites) and storage.session (OTR sessions, outbox, tab
// map): the worker may be stopped at any moment and rebuilds from there (I5).

import browser, { type Runtime } from 'webextension-polyfill';
import { IdbKeyStore } from '../../src/store/idb';
import { Keyring } from '../../src/store/keyring';
import { StorageSessionStore } from '../../src/store/session-storage';
import type { RawKeyStore } from '../../src/store/types';
import { type PushEvent, type Reply, validateContentOneShot } from '../shared/messages';
import { openPanel, preparePanel } from '../shared/open-panel';
import { sitePatternFor } from '../shared/sites';
import { setBadge } from './badge';
import { onCommand } from './commands';
import { getCounter, incrementCounter } from './counter';
import { expireHeld, HELD_ALARM, HELD_CHECK_MINUTES } from './expiry';
import { LOCK_ALARM, LockService, SessionSecretCache } from './lock';
import { moveSettingsOutOfLocal } from './migrate-local';
import { classifySender, MAX_INVALID_PER_PORT, type PortRights, validateFor } from './ports';
import { grantedSites, syncContentScripts, watchPermissions } from './registration';
import { Router, type RouterStats } from './router';
import { SessionManager } from './session-manager';
import { TabTable } from './tab-table';

const stats: RouterStats = { invalidMessages: 0 };

// "chrome-extension://ID" or "moz-extension://UUID", without the trailing slash.
const extensionOrigin = browser.runtime.getURL('/').replace(/\/$/, '');

function logError(e: unknown): void {
  console.error('offrecord background:', e);
}

const sessions = new StorageSessionStore(browser.storage.session);
const tabs = new TabTable(browser.storage.session);

/** The KeyStore opens lazily; every call waits for it (events may arrive before it is open). */
let keyStore: Promise<RawKeyStore> | null = null;
function openKeys(): Promise<RawKeyStore> {
  keyStore ??= IdbKeyStore.open().catch((e: unknown) => {
    keyStore = null;
    throw e;
  });
  return keyStore;
}
const rawKeys = new Proxy({} as RawKeyStore, {
  get(_t, prop: keyof RawKeyStore) {
    return async (...args: unknown[]) => {
      const k = await openKeys();
      return (k[prop] as (...a: unknown[]) => unknown).apply(k, args);
    };
  },
});
// Everything reads keys through the Keyring: under a passphrase, sealed at rest, and only
// readable while unlocked (issue 18). The unlocked KEK waits in storage.session.
const keys = new Keyring(rawKeys, new SessionSecretCache(browser.storage.session));
const lock = new LockService({
  keyring: keys,
  session: browser.storage.session,
  settings: rawKeys,
  // The test build lets an e2e test set a few seconds (the auto-lock test).
  minAutoLockSeconds: __OFFRECORD_FLAVOR__ === 'test' ? 1 : 60,
  onLocked: () => manager.dropCache(),
  onChange: (info) => router.lockChanged(info),
});

let lastKeepAlive = 0;
const manager = new SessionManager({
  keys,
  sessions,
  onKeyProgress: (account, protocol, fraction) => {
    router.keyProgress(account, protocol, fraction);
    // An extension API call now and then keeps Chrome from stopping a worker that is busy
    // generating a key with no events coming in.
    const now = Date.now();
    if (now - lastKeepAlive > 10_000) {
      lastKeepAlive = now;
      void browser.storage.session.set({ keygen: { account, protocol, fraction, at: now } });
    }
  },
});

const router: Router = new Router({
  manager,
  keys,
  sessions,
  tabs,
  stats,
  setBadge,
  grantedSites,
  siteEnabled: async (origin) => {
    const pattern = sitePatternFor(origin);
    return pattern !== null && browser.permissions.contains({ origins: [pattern] });
  },
  syncContentScripts,
  counter: { get: getCounter, increment: incrementCounter },
  notifySmp: () => {
    // The badge shows '?' already; a system notification needs the notifications permission,
    // which offrecord does not ask for.
  },
  lock,
  eraseStorage: async () => {
    const [local, session] = await Promise.all([
      browser.storage.local.get(null),
      browser.storage.session.get(null),
    ]);
    await Promise.all([browser.storage.local.clear(), browser.storage.session.clear()]);
    return Object.keys(local).length + Object.keys(session).length;
  },
});

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
  // Chrome: the tab's own side panel, bound to it, ready for a gesture to open it.
  if (rights.kind === 'content' && rights.frameId === 0) preparePanel(rights.tabId).catch(logError);
  router.attach(connection, rights, {
    post: (msg: { type: 'push'; event: PushEvent }) => port.postMessage(msg),
  });
  // Requests of one port are handled in order (a chat-messages batch before the wire-sent after it).
  let chain: Promise<unknown> = Promise.resolve();
  port.onMessage.addListener((msg: unknown) => {
    chain = chain.then(async () => {
      if (!(await admitted)) {
        refuse(port);
        return;
      }
      const req = validateFor(rights, msg);
      if (!req) {
        stats.invalidMessages++;
        if (++refused >= MAX_INVALID_PER_PORT) {
          port.disconnect();
          return;
        }
        // Say so when the request has an id, so the caller's promise settles instead of hanging.
        const id = (msg as { id?: unknown } | null)?.id;
        if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) {
          // i18n-exempt: a protocol answer to a misbehaving client (tests match it), never shown
          const error = 'refused: not a valid request for this port';
          const reply: Reply = { type: 'reply', id, ok: false, error };
          try {
            port.postMessage(reply);
          } catch {
            // The other end went away.
          }
        }
        return;
      }
      const reply = await router.handle(req, rights, connection);
      try {
        port.postMessage(reply);
      } catch {
        // The other end went away while we worked.
      }
    });
    chain = chain.catch(logError);
  });
  port.onDisconnect.addListener(() => {
    router.detach(connection).catch(logError);
  });
});

// The in-page cover and "Go private" button ask for the panel with a one-shot message, whose
// handler still runs inside the click's user gesture in Chrome: sidePanel.open() is called before
// anything awaits. Only our own content script in a tab may ask, and only for its own tab; opening
// the panel shows our own UI and nothing else, so a page that fakes the click gains nothing.
// (Firefox treats no click in a web page as a user action: there the cover says how to open it.)
browser.runtime.onMessage.addListener((msg: unknown, sender: Runtime.MessageSender) => {
  const rights = classifySender(sender, browser.runtime.id, extensionOrigin);
  if (rights?.kind !== 'content' || rights.frameId !== 0 || !validateContentOneShot(msg)) {
    stats.invalidMessages++;
    return undefined;
  }
  return openPanel(rights.tabId).then((opened) => ({ opened }));
});

browser.tabs.onRemoved.addListener((tabId) => {
  router.tabClosed(tabId).catch(logError);
});
watchPermissions(logError);

// Held-message expiry: an `alarms` alarm (manifest.json asks for the permission) wakes the worker
// once a minute (Firefox's minimum) to check the stored deadlines. Without the API (a build
// without the permission) they are checked at every wake and once a minute while awake.
const alarms = (browser as { alarms?: typeof browser.alarms }).alarms;
if (alarms) {
  alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === HELD_ALARM) expireHeld(manager).catch(logError);
    if (alarm.name === LOCK_ALARM) lock.checkAutoLock().catch(logError);
  });
  void alarms.get(HELD_ALARM).then((a) => {
    if (!a) void alarms.create(HELD_ALARM, { periodInMinutes: HELD_CHECK_MINUTES });
  });
  // The auto-lock deadline, checked once a minute even when nothing wakes the worker.
  void alarms.get(LOCK_ALARM).then((a) => {
    if (!a) void alarms.create(LOCK_ALARM, { periodInMinutes: 1 });
  });
} else {
  setInterval(() => expireHeld(manager).catch(logError), HELD_CHECK_MINUTES * 60_000);
  setInterval(() => lock.checkAutoLock().catch(logError), 60_000);
}
expireHeld(manager).catch(logError);

browser.commands.onCommand.addListener(
  onCommand({
    openPanel: (tabId) => void openPanel(tabId),
    goPrivate: (tabId) => router.goPrivate(tabId),
    lockNow: () => lock.lockNow(),
    activeTabId: async () => (await browser.tabs.query({ active: true, currentWindow: true }))[0]?.id ?? null,
    logError,
  }),
);

browser.runtime.onInstalled.addListener((details) => {
  syncContentScripts().catch(logError);
  if (details.reason === 'update') moveSettingsOutOfLocal(browser.storage.local, rawKeys).catch(logError);
});
browser.runtime.onStartup.addListener(() => {
  syncContentScripts().catch(logError);
  // A browser start is locked (storage.session starts empty anyway; this says so on purpose).
  lock.lockNow().catch(logError);
});
syncContentScripts().catch(logError);
// A restarted worker redraws every tab's badge from the tab map and SessionStore (I6).
router.restoreBadges().catch(logError);
// The auto-lock deadline may have passed while the worker was stopped; and a worker stopped in
// the middle of answering held messages goes on with them.
lock
  .checkAutoLock()
  .then(async (locked) => {
    if (!locked && (await keys.state()) !== 'locked') await router.drainHeld();
  })
  .catch(logError);
