// Launch helpers for the e2e suites: the BUILT extension in real Chromium (Playwright) and real
// Firefox ESR (puppeteer-core over WebDriver BiDi), and a static file server on 127.0.0.1.
// Every launcher returns a close() that stops the browser and removes its profile.

import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { type BrowserContext, chromium, type Worker } from '@playwright/test';
import puppeteer, { type Browser as PuppeteerBrowser } from 'puppeteer-core';
import { distDirName, type Flavor, GECKO_ID, type Target } from '../../../extension/shared/build-info';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const CHROMIUM_PATH = '/usr/bin/chromium';
export const FIREFOX_PATH = '/usr/bin/firefox-esr';

/** Absolute path of a built extension, e.g. extensionDir('chrome') → <repo>/dist/chrome-test. */
export function extensionDir(target: Target, flavor: Flavor = 'test'): string {
  return join(REPO_ROOT, distDirName(target, flavor));
}

/** Flags that keep Chromium quiet on a closed network and pages on loopback. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost',
];

function assertBuilt(dir: string): void {
  if (!existsSync(join(dir, 'manifest.json'))) {
    throw new Error(`no built extension in ${dir}: run \`npm run build\` (the e2e globalSetup does)`);
  }
}

// ---------------------------------------------------------------- Chromium

export interface ChromiumExtension {
  context: BrowserContext;
  /** The extension's id: the host of its chrome-extension:// URLs. */
  extensionId: string;
  /** chrome-extension://ID/ */
  baseUrl: string;
  /** The extension's service worker (Playwright keeps this handle across worker restarts). */
  worker: Worker;
  userDataDir: string;
  close(): Promise<void>;
}

export interface LaunchChromiumOptions {
  extensionDir: string;
  /** Extra command-line flags. */
  args?: string[];
  /** Extra environment for the browser process (e.g. LANGUAGE=de: Chromium on Linux takes its UI language from it). */
  env?: Record<string, string>;
  /** Milliseconds to wait for the extension's worker (default 30 s); failing to start throws. */
  workerTimeout?: number;
}

/** Starts Chromium with the extension loaded; throws if its service worker does not come up. */
export async function launchChromium(opts: LaunchChromiumOptions): Promise<ChromiumExtension> {
  assertBuilt(opts.extensionDir);
  const userDataDir = mkdtempSync(join(tmpdir(), 'offrecord-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    args: [
      `--disable-extensions-except=${opts.extensionDir}`,
      `--load-extension=${opts.extensionDir}`,
      ...CHROMIUM_ARGS,
      ...(opts.args ?? []),
    ],
  });
  const close = async () => {
    await context.close().catch(() => undefined);
    rmSync(userDataDir, { recursive: true, force: true });
  };
  try {
    const isOurs = (w: Worker) => w.url().startsWith('chrome-extension://');
    const worker =
      context.serviceWorkers().find(isOurs) ??
      (await context.waitForEvent('serviceworker', {
        predicate: isOurs,
        timeout: opts.workerTimeout ?? 30_000,
      }));
    const extensionId = new URL(worker.url()).host;
    return {
      context,
      extensionId,
      baseUrl: `chrome-extension://${extensionId}/`,
      worker,
      userDataDir,
      close,
    };
  } catch (e) {
    await close();
    throw new Error(`the extension's service worker did not start: ${String(e)}`);
  }
}

/**
 * Stops the extension's MV3 service worker the way the browser does when idle
 * (CDP Target.closeTarget on its service_worker target). Returns how many workers were closed.
 * The worker restarts on the next event; Playwright's handle then points at the new one.
 */
export async function stopChromiumServiceWorker(
  context: BrowserContext,
  extensionId?: string,
): Promise<number> {
  const browser = context.browser();
  if (!browser) throw new Error('no browser behind this context');
  const cdp = await browser.newBrowserCDPSession();
  try {
    const { targetInfos } = (await cdp.send('Target.getTargets')) as {
      targetInfos: { targetId: string; type: string; url: string }[];
    };
    const prefix = extensionId ? `chrome-extension://${extensionId}/` : 'chrome-extension://';
    const workers = targetInfos.filter((t) => t.type === 'service_worker' && t.url.startsWith(prefix));
    for (const t of workers) await cdp.send('Target.closeTarget', { targetId: t.targetId });
    return workers.length;
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- Firefox

export interface FirefoxExtension {
  browser: PuppeteerBrowser;
  /** The add-on id (browser_specific_settings.gecko.id). */
  addonId: string;
  /** The fixed internal UUID of moz-extension:// URLs. */
  uuid: string;
  /** moz-extension://UUID/ */
  baseUrl: string;
  close(): Promise<void>;
}

export interface LaunchFirefoxOptions {
  extensionDir: string;
  /** Extra Firefox prefs. */
  prefs?: Record<string, unknown>;
  /**
   * Grant permissions.request() without a prompt (Firefox pref
   * extensions.webextOptionalPermissionPrompts=false): the real request path, auto-approved.
   */
  autoGrantOptionalPermissions?: boolean;
  /** Add-on id to pin the UUID for (default offrecord's). */
  addonId?: string;
}

/** Starts Firefox ESR headless and installs the extension as a temporary add-on. */
export async function launchFirefox(opts: LaunchFirefoxOptions): Promise<FirefoxExtension> {
  assertBuilt(opts.extensionDir);
  const addonId = opts.addonId ?? GECKO_ID;
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    args: ['--remote-allow-system-access'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [addonId]: uuid }),
      'extensions.background.idle.timeout': 1000,
      'network.dns.disableIPv6': true,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'app.update.enabled': false,
      ...(opts.autoGrantOptionalPermissions ? { 'extensions.webextOptionalPermissionPrompts': false } : {}),
      ...(opts.prefs ?? {}),
    },
  });
  const close = async () => {
    await browser.close().catch(() => undefined);
  };
  try {
    const installed = await browser.installExtension(opts.extensionDir);
    if (installed !== addonId) throw new Error(`installed add-on id ${installed}, expected ${addonId}`);
  } catch (e) {
    await close();
    throw new Error(`the extension did not install in Firefox: ${String(e)}`);
  }
  return { browser, addonId, uuid, baseUrl: `moz-extension://${uuid}/`, close };
}

// ---------------------------------------------------------------- static server

export interface StaticServer {
  /** http://127.0.0.1:PORT (no trailing slash) */
  origin: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
};

export interface StaticServerOptions {
  /** In-memory files by URL path ('/index.html' → body); checked before `root`. */
  files?: Record<string, string | Uint8Array>;
  /** A folder to serve (no listing; '/' serves index.html). */
  root?: string;
}

/** Serves files on 127.0.0.1 at a free port. */
export async function startStaticServer(opts: StaticServerOptions): Promise<StaticServer> {
  const root = opts.root ? resolve(opts.root) : null;
  const server: Server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (path.endsWith('/')) path += 'index.html';
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const mem = opts.files?.[path];
    if (mem !== undefined) {
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(mem);
      return;
    }
    if (root) {
      const file = normalize(join(root, path));
      if ((file === root || file.startsWith(root + sep)) && existsSync(file)) {
        try {
          res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' }).end(readFileSync(file));
          return;
        } catch {
          // a folder or unreadable: fall through to 404
        }
      }
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
