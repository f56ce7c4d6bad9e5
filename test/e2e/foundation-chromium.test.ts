// The built extension in real Chromium: the worker starts, the content script runs on a page
// served from 127.0.0.1 and talks to the worker, the popup renders and its click reaches the
// worker (also across a worker restart), refused messages are counted, and the per-site
// permission flow drives the content script registration.

import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Permissions, Runtime } from 'webextension-polyfill';
import { PAGES } from '../../extension/shared/build-info';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  type StaticServer,
  startStaticServer,
  stopChromiumServiceWorker,
} from './lib/browsers';

// The callbacks below run inside the browser, where Chrome's promise-based `chrome` matches the
// polyfill's typings closely enough for these calls.
declare const chrome: Browser;

const CHAT = '<!doctype html><html><head><title>chat</title></head><body><p id="m">hello</p></body></html>';

async function tabIdOf(ext: ChromiumExtension, url: string): Promise<number> {
  const ids = await ext.worker.evaluate(
    async (u) => (await chrome.tabs.query({ url: u })).map((t) => t.id),
    url,
  );
  expect(ids).toHaveLength(1);
  return ids[0] as number;
}

async function openPopup(ext: ChromiumExtension, tabId: number): Promise<Page> {
  const popup = await ext.context.newPage();
  await popup.goto(`${ext.baseUrl}${PAGES.popup}?tab=${tabId}`);
  await popup.getByTestId('status').waitFor();
  return popup;
}

/** Waits until the worker has recorded the tab's content script hello (or its absence). */
async function waitForTab(ext: ChromiumExtension, tabId: number, connected: boolean): Promise<void> {
  await expect
    .poll(
      () =>
        ext.worker.evaluate(async (id) => {
          const { tabs } = (await chrome.storage.session.get('tabs')) as { tabs?: Record<string, unknown> };
          return tabs?.[id] !== undefined;
        }, tabId),
      { timeout: 15_000 },
    )
    .toBe(connected);
}

describe('foundation in Chromium (test flavor, 127.0.0.1 pre-granted)', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;

  beforeAll(async () => {
    server = await startStaticServer({ files: { '/chat.html': CHAT } });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('starts the service worker of the built extension', async () => {
    expect(ext.worker.url()).toBe(`${ext.baseUrl}service-worker-loader.js`);
    const manifest = await ext.worker.evaluate(() => chrome.runtime.getManifest());
    expect(manifest.manifest_version).toBe(3);
    expect(manifest.host_permissions).toEqual(['http://127.0.0.1/*']);
    // The content script is injected through the scripting API and must not be web-accessible
    // (any page could fetch it to detect offrecord).
    const exposed = (manifest.web_accessible_resources ?? []).flatMap((r) =>
      typeof r === 'string' ? [r] : r.resources,
    );
    expect(exposed.filter((f) => f.startsWith('content-scripts/'))).toEqual([]);
  });

  it('registers the content script for the granted site only', async () => {
    await expect
      .poll(() =>
        ext.worker.evaluate(async () =>
          (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches),
        ),
      )
      .toEqual([['http://127.0.0.1/*']]);
  });

  it('runs the content script on a 127.0.0.1 page, which says hello to the worker', async () => {
    const page = await ext.context.newPage();
    const url = `${server.origin}/chat.html`;
    await page.goto(url);
    const tabId = await tabIdOf(ext, url);
    await waitForTab(ext, tabId, true);
    const rec = await ext.worker.evaluate(async (id) => {
      const { tabs } = (await chrome.storage.session.get('tabs')) as {
        tabs: Record<string, { url: string }>;
      };
      return tabs[id];
    }, tabId);
    expect(rec?.url).toBe(url);
    // 'ready': offrecord runs in the tab, no private conversation (badge.ts: "off" on grey).
    expect(await ext.worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId)).toBe('off');
    // The page sees nothing of it: no added nodes or attributes.
    expect(await page.evaluate(() => document.documentElement.outerHTML)).toBe(
      '<html><head><title>chat</title></head><body><p id="m">hello</p></body></html>',
    );

    const popup = await openPopup(ext, tabId);
    await expect.poll(() => popup.getByTestId('tab-state').textContent()).toBe('offrecord active');
    expect(await popup.getByTestId('badge').textContent()).toBe('ready');

    // Leaving the page disconnects the content script's port: the worker forgets the tab.
    await page.goto('about:blank');
    await waitForTab(ext, tabId, false);
    expect(await ext.worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId)).toBe('');
    await popup.close();
    await page.close();
  });

  it('renders the popup, whose click reaches the worker and survives a worker restart', async () => {
    const stored = async () =>
      Number((await ext.worker.evaluate(() => chrome.storage.local.get('counter'))).counter ?? 0);
    const popup = await ext.context.newPage();
    await popup.goto(`${ext.baseUrl}${PAGES.popup}`);
    await popup.getByTestId('increment').waitFor();
    const before = await stored();
    await popup.getByTestId('increment').click();
    await expect.poll(stored).toBe(before + 1);

    // Kill the worker the way Chrome does when idle; a click wakes a new one. (The popup's port
    // died with the worker: its client reconnects on the next request.)
    expect(await stopChromiumServiceWorker(ext.context, ext.extensionId)).toBe(1);
    await expect
      .poll(
        async () => {
          await popup.getByTestId('increment').click();
          return stored();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBeGreaterThanOrEqual(before + 2);
    // The restarted worker counts on from what the old one stored.
    const after = await stored();
    await popup.reload();
    await expect.poll(() => popup.getByTestId('counter').textContent()).toBe(String(after));
    await popup.close();
  });

  it('refuses and counts malformed messages and messages a page may not send', async () => {
    const page = await ext.context.newPage();
    await page.goto(`${ext.baseUrl}${PAGES.options}`);
    const result = await page.evaluate(async () => {
      const ask = (port: Runtime.Port, msg: { id: number; type: string; tabId?: null }) =>
        new Promise<unknown>((resolve) => {
          port.onMessage.addListener(function on(reply) {
            if ((reply as { id?: number }).id !== msg.id) return;
            port.onMessage.removeListener(on);
            resolve(reply);
          });
          port.postMessage(msg);
        });
      const port = chrome.runtime.connect({ name: 'offrecord' });
      const refusals: unknown[] = [];
      port.onMessage.addListener((m) => {
        if ((m as { ok?: boolean }).ok === false) refusals.push(m);
      });
      const first = (await ask(port, { type: 'status', id: 1, tabId: null })) as {
        result: { invalidMessages: number };
      };
      port.postMessage({ type: 'increment', id: 2, extra: true }); // extra key
      port.postMessage({ type: 'hello', id: 3, url: 'http://127.0.0.1/' }); // content-only message
      port.postMessage({ type: 'status', id: -1, tabId: null }); // bad id
      port.postMessage('status');
      const second = (await ask(port, { type: 'status', id: 4, tabId: null })) as {
        id: number;
        ok: boolean;
        result: { invalidMessages: number };
      };
      return {
        before: first.result.invalidMessages,
        after: second.result.invalidMessages,
        id: second.id,
        ok: second.ok,
        refused: refusals.map((m) => (m as { id: number }).id),
      };
    });
    // All four counted; the two with a usable id were told so (ids 2 and 3), the others not.
    expect(result).toEqual({
      before: result.before,
      after: result.before + 4,
      id: 4,
      ok: true,
      refused: [2, 3],
    });
    await page.close();
  });

  it('follows permission changes: revoked site → unregistered, granted again → registered and injected', async () => {
    const page = await ext.context.newPage();
    const url = `${server.origin}/chat.html?again`;
    await page.goto(url);
    const tabId = await tabIdOf(ext, url);
    await waitForTab(ext, tabId, true);

    // chrome://extensions' "site access" is the user's switch; its API is developerPrivate.
    const settings = await ext.context.newPage();
    await settings.goto(`chrome://extensions/?id=${ext.extensionId}`);
    const devPrivate = (op: 'removeHostPermission' | 'addHostPermission') =>
      settings.evaluate(
        ([id, o]) =>
          (
            chrome as unknown as {
              developerPrivate: Record<string, (id: string, host: string) => Promise<void>>;
            }
          ).developerPrivate[o as string]?.(id as string, 'http://127.0.0.1/*'),
        [ext.extensionId, op],
      );

    await devPrivate('removeHostPermission');
    await expect
      .poll(() =>
        ext.worker.evaluate(async () => (await chrome.scripting.getRegisteredContentScripts()).length),
      )
      .toBe(0);
    await page.reload();
    await waitForTab(ext, tabId, false);

    await devPrivate('addHostPermission');
    // onAdded: registered again, and injected into the tab that is already open (no reload).
    await waitForTab(ext, tabId, true);
    expect(
      await ext.worker.evaluate(async () =>
        (await chrome.scripting.getRegisteredContentScripts()).map((s) => s.matches),
      ),
    ).toEqual([['http://127.0.0.1/*']]);
    await settings.close();
    await page.close();
  });
});

describe('foundation in Chromium (release build: no site granted at install)', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;

  beforeAll(async () => {
    server = await startStaticServer({ files: { '/chat.html': CHAT } });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'release') });
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('holds no host permission and runs nowhere until the user allows a site', async () => {
    const perms = await ext.worker.evaluate(() => chrome.permissions.getAll());
    expect(perms.origins).toEqual([]);
    expect(await ext.worker.evaluate(() => chrome.runtime.getManifest().optional_host_permissions)).toEqual([
      'http://*/*',
      'https://*/*',
    ]);
    const page = await ext.context.newPage();
    const url = `${server.origin}/chat.html`;
    await page.goto(url);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await ext.worker.evaluate(() => chrome.scripting.getRegisteredContentScripts())).toEqual([]);
    expect(await ext.worker.evaluate(() => chrome.storage.session.get('tabs'))).toEqual({});
    await page.close();
  });

  it('asks the browser for the site when the user clicks Allow in the options page', async () => {
    const options = await ext.context.newPage();
    await options.goto(`${ext.baseUrl}${PAGES.options}`);
    await options.getByTestId('no-sites').waitFor();
    // Spy on the real API to see the request go out with the right pattern (the prompt itself is
    // browser UI that headless Chromium cannot click: the grant is tested in Firefox and above).
    await options.evaluate(() => {
      const real = chrome.permissions.request.bind(chrome.permissions);
      (window as unknown as { asked: unknown[] }).asked = [];
      chrome.permissions.request = (p: Permissions.Permissions) => {
        (window as unknown as { asked: unknown[] }).asked.push(p);
        return real(p);
      };
    });
    await options.getByTestId('site-input').fill(`${server.origin}/some/room`);
    await options.getByTestId('site-add').click();
    await expect
      .poll(() => options.evaluate(() => (window as unknown as { asked: unknown[] }).asked))
      .toEqual([{ origins: ['http://127.0.0.1/*'] }]);
    await options.close();
  });
});
