// Headed browsers for the side-panel tests: an X server of our own (Xvfb on a free display, stopped
// after), Chromium with a visible window on it, OS-level input with xdotool (keys go to whatever
// holds the X focus, exactly as a user's keyboard; no window manager needed), and the extension
// pages Playwright does not list: the REAL side panel is a CDP target of type 'page' with the
// panel's URL that Playwright neither attaches to nor shows in context.pages(). `ExtensionTarget`
// reaches it over the browser's CDP session (Target.attachToTarget without flatten, then
// Target.sendMessageToTarget), which is all the tests need: evaluate expressions in it.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CDPSession, chromium, type Page, type Worker } from '@playwright/test';
import puppeteer, { type Page as PuppeteerPage } from 'puppeteer-core';
import { GECKO_ID, PAGES } from '../../../extension/shared/build-info';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  type ChromiumExtension,
  FIREFOX_PATH,
  type FirefoxExtension,
} from './browsers';
import { waitFor } from './ngircd';

// ---------------------------------------------------------------- Xvfb

export interface Xvfb {
  /** ':N' */
  display: string;
  /** process.env with DISPLAY set to this server. */
  env: NodeJS.ProcessEnv;
  width: number;
  height: number;
  stop(): Promise<void>;
}

/** Starts Xvfb on a display it picks itself (-displayfd: no race with other servers). */
export async function startXvfb(opts: { width?: number; height?: number } = {}): Promise<Xvfb> {
  const width = opts.width ?? 1400;
  const height = opts.height ?? 900;
  const child: ChildProcess = spawn(
    'Xvfb',
    ['-displayfd', '3', '-screen', '0', `${width}x${height}x24`, '-nolisten', 'tcp'],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  const n = await new Promise<string>((ok, fail) => {
    let out = '';
    const fd3 = child.stdio[3] as NodeJS.ReadableStream;
    fd3.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('\n')) ok(out.trim());
    });
    child.once('exit', (code) => fail(new Error(`Xvfb exited (${code}): ${stderr.slice(-500)}`)));
    setTimeout(() => fail(new Error(`Xvfb did not report a display: ${stderr.slice(-500)}`)), 15_000);
  }).catch(async (e) => {
    child.kill('SIGKILL');
    await exited;
    throw e;
  });
  const display = `:${n}`;
  return {
    display,
    env: { ...process.env, DISPLAY: display },
    width,
    height,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

// ---------------------------------------------------------------- xdotool

/** Runs xdotool on this X server; returns its stdout, trimmed. */
export function xdotool(x: Xvfb, ...args: string[]): string {
  return execFileSync('xdotool', args, { env: x.env, encoding: 'utf8', timeout: 60_000 }).trim();
}

/** The X window id of the (only) visible window whose title contains `title`. */
export async function windowByTitle(x: Xvfb, title: string): Promise<string> {
  return waitFor(`an X window titled ${JSON.stringify(title)}`, async () => {
    try {
      const ids = xdotool(x, 'search', '--onlyvisible', '--name', title).split('\n').filter(Boolean);
      return ids.at(-1);
    } catch {
      return undefined; // xdotool search exits 1 when nothing matches
    }
  });
}

/** Gives a window the X input focus (no window manager: this is what a click on it would do). */
export function focusWindow(x: Xvfb, windowId: string): void {
  xdotool(x, 'windowfocus', '--sync', windowId);
}

/** Presses a key combination (xdotool syntax: 'alt+shift+o', 'Return') on the focused window. */
export function pressKeys(x: Xvfb, combo: string): void {
  xdotool(x, 'key', '--clearmodifiers', combo);
}

/**
 * Types `text` with real key events (XTEST) into whatever has the focus, `delayMs` between keys.
 * Not `--window`: that sends synthetic XSendEvents, which Chromium ignores.
 */
export function typeText(x: Xvfb, text: string, delayMs = 25): void {
  xdotool(x, 'type', '--delay', String(delayMs), '--', text);
}

export function clickAt(x: Xvfb, sx: number, sy: number): void {
  xdotool(x, 'mousemove', '--sync', String(Math.round(sx)), String(Math.round(sy)));
  xdotool(x, 'click', '1');
}

// ---------------------------------------------------------------- headed Chromium

export interface HeadedChromium extends ChromiumExtension {
  xvfb: Xvfb;
}

/**
 * Chromium with the extension and a visible 1300×850 window at 0,0 on `xvfb`. The window's
 * viewport is the window's own (no emulation), so screen coordinates mean what the user sees.
 */
export async function launchHeadedChromium(opts: {
  extensionDir: string;
  xvfb: Xvfb;
  args?: string[];
}): Promise<HeadedChromium> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'offrecord-headed-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: false,
    viewport: null,
    env: opts.xvfb.env,
    args: [
      `--disable-extensions-except=${opts.extensionDir}`,
      `--load-extension=${opts.extensionDir}`,
      '--window-position=0,0',
      `--window-size=${Math.min(1300, opts.xvfb.width)},${Math.min(850, opts.xvfb.height)}`,
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
      (await context.waitForEvent('serviceworker', { predicate: isOurs, timeout: 30_000 }));
    const extensionId = new URL(worker.url()).host;
    return {
      context,
      extensionId,
      baseUrl: `chrome-extension://${extensionId}/`,
      worker,
      userDataDir,
      xvfb: opts.xvfb,
      close,
    };
  } catch (e) {
    await close();
    throw new Error(`the extension's service worker did not start: ${String(e)}`);
  }
}

// ---------------------------------------------------------------- targets Playwright does not list

export interface TargetInfo {
  targetId: string;
  type: string;
  url: string;
  attached: boolean;
}

export async function browserCdp(ext: ChromiumExtension): Promise<CDPSession> {
  const browser = ext.context.browser();
  if (!browser) throw new Error('no browser behind this context');
  return browser.newBrowserCDPSession();
}

export async function listTargets(cdp: CDPSession): Promise<TargetInfo[]> {
  return ((await cdp.send('Target.getTargets')) as { targetInfos: TargetInfo[] }).targetInfos;
}

/**
 * One extension page reached over CDP (the side panel): evaluate() runs an expression in it and
 * returns its value (awaiting promises). Detach with close().
 */
export class ExtensionTarget {
  private next = 0;
  private readonly waiting = new Map<
    number,
    (m: { result?: unknown; error?: { message: string } }) => void
  >();

  private constructor(
    private readonly cdp: CDPSession,
    private readonly sessionId: string,
    readonly info: TargetInfo,
  ) {
    cdp.on('Target.receivedMessageFromTarget', (e: { sessionId: string; message: string }) => {
      if (e.sessionId !== this.sessionId) return;
      const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
      if (m.id === undefined) return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
  }

  /** Waits for a page target whose URL starts with `urlPrefix` and attaches to it. */
  static async find(cdp: CDPSession, urlPrefix: string, timeoutMs = 20_000): Promise<ExtensionTarget> {
    const info = await waitFor(
      `a page target at ${urlPrefix}`,
      async () => (await listTargets(cdp)).find((t) => t.type === 'page' && t.url.startsWith(urlPrefix)),
      timeoutMs,
      100,
    );
    const { sessionId } = (await cdp.send('Target.attachToTarget', {
      targetId: info.targetId,
      flatten: false,
    })) as { sessionId: string };
    return new ExtensionTarget(cdp, sessionId, info);
  }

  /** Sends one CDP command to this target (Runtime.*, Input.*, Page.*). */
  send(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = ++this.next;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        fail(new Error(`${method} on ${this.info.url}: no answer`));
      }, 30_000);
      this.waiting.set(id, (m) => {
        clearTimeout(timer);
        if (m.error) fail(new Error(`${method}: ${m.error.message}`));
        else ok(m.result);
      });
      this.cdp
        .send('Target.sendMessageToTarget', {
          sessionId: this.sessionId,
          message: JSON.stringify({ id, method, params }),
        })
        .catch((e: unknown) => {
          clearTimeout(timer);
          this.waiting.delete(id);
          fail(e);
        });
    });
  }

  /** The value of `expression` (an expression, or `(() => …)()`; promises are awaited). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', {
      expression,
      returnByValue: true,
      awaitPromise: true,
    })) as {
      result: { value?: T };
      exceptionDetails?: { text: string; exception?: { description?: string } };
    };
    if (r.exceptionDetails) {
      throw new Error(
        `in ${this.info.url}: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`,
      );
    }
    return r.result.value as T;
  }

  /** A PNG of what the target shows (the side panel as drawn). */
  async screenshot(): Promise<Buffer> {
    const r = (await this.send('Page.captureScreenshot', { format: 'png' })) as { data: string };
    return Buffer.from(r.data, 'base64');
  }

  /**
   * Types `text` into the element with data-testid `testId` and presses Enter, with CDP input
   * events to this target (trusted key events, not OS-level: for the demo, not for the I1 tests).
   */
  async typeAndEnter(testId: string, text: string): Promise<void> {
    const focused = await this.evaluate<boolean>(`(() => {
      const el = document.querySelector('[data-testid=${JSON.stringify(testId)}]');
      if (!el) return false;
      el.focus();
      return document.activeElement === el;
    })()`);
    if (!focused) throw new Error(`no ${testId} to type into in ${this.info.url}`);
    await this.send('Input.insertText', { text });
    for (const type of ['keyDown', 'keyUp']) {
      await this.send('Input.dispatchKeyEvent', {
        type,
        key: 'Enter',
        code: 'Enter',
        windowsVirtualKeyCode: 13,
        nativeVirtualKeyCode: 13,
        ...(type === 'keyDown' ? { text: '\r' } : {}),
      });
    }
  }

  async close(): Promise<void> {
    await this.cdp.send('Target.detachFromTarget', { sessionId: this.sessionId }).catch(() => undefined);
  }
}

/**
 * Where a page's viewport starts on the X screen: the mouse is moved there by xdotool and the page
 * reports the mousemove's client coordinates. `run` evaluates a JS expression in that page; `at`
 * is a screen point inside it.
 */
export async function viewportOrigin(
  x: Xvfb,
  run: <T>(expression: string) => Promise<T>,
  at: { x: number; y: number },
): Promise<{ x: number; y: number }> {
  await run(`(() => {
    window.__lastMove = null;
    if (!window.__moveHook) {
      window.__moveHook = true;
      addEventListener('mousemove', (e) => { window.__lastMove = [e.clientX, e.clientY]; }, { capture: true });
    }
    return true;
  })()`);
  for (const dx of [0, 9, 17]) {
    xdotool(x, 'mousemove', '--sync', String(at.x + dx), String(at.y + dx));
    const seen = await waitFor(
      'the page to see the mouse',
      async () => (await run<[number, number] | null>('window.__lastMove')) ?? undefined,
      3_000,
      50,
    ).catch(() => null);
    if (seen) return { x: at.x + dx - seen[0], y: at.y + dx - seen[1] };
  }
  throw new Error(`the mouse at ${at.x},${at.y} is not over that page`);
}

// ---------------------------------------------------------------- headed Firefox

/**
 * Firefox ESR with a visible window on `xvfb` and the extension installed (lib/browsers.ts
 * launchFirefox, headed). Firefox's sidebar is browser UI: no WebDriver BiDi context shows it;
 * `sidebarView` reads it from another extension page.
 */
export async function launchHeadedFirefox(opts: {
  extensionDir: string;
  xvfb: Xvfb;
  prefs?: Record<string, unknown>;
}): Promise<FirefoxExtension> {
  const addonId = GECKO_ID;
  const uuid = randomUUID();
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: false,
    env: opts.xvfb.env,
    args: ['--remote-allow-system-access', '--width=1300', '--height=850'],
    extraPrefsFirefox: {
      'extensions.webextensions.uuids': JSON.stringify({ [addonId]: uuid }),
      'network.dns.disableIPv6': true,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'app.update.enabled': false,
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

/**
 * A way to read Firefox's real sidebar: an extension page of ours in a window of its own (so the
 * chat window's active tab, which the sidebar follows, stays the chat), where
 * browser.extension.getViews({ type: 'sidebar' }) gives the sidebar's window. `run` evaluates a JS
 * expression with `doc` = the sidebar's document and `win` = its window.
 */
export async function sidebarProbe(
  ff: FirefoxExtension,
  probePath = 'extension/options/index.html',
): Promise<{ run<T>(src: string): Promise<T>; page: PuppeteerPage }> {
  const url = `${ff.baseUrl}${probePath}?probe=sidebar`;
  const tab = await ff.browser.newPage();
  await tab.goto(`${ff.baseUrl}${probePath}`, { waitUntil: 'networkidle0' });
  await tab.evaluate(
    `browser.windows.create({ url: ${JSON.stringify(url)}, focused: false, left: 900, top: 600, width: 400, height: 250 }).then(() => true)`,
  );
  await tab.close();
  const page = await waitFor('the probe window', async () => {
    for (const p of await ff.browser.pages()) {
      const href = await p.evaluate('location.href').catch(() => '');
      if (href === url) return p;
    }
    return undefined;
  });
  return {
    page,
    run: <T>(src: string) =>
      page.evaluate(`(() => {
        const win = browser.extension.getViews({ type: 'sidebar' })[0];
        if (!win) throw new Error('no sidebar open');
        const doc = win.document;
        return ${src};
      })()`) as Promise<T>,
  };
}

/**
 * Opens the REAL side panel of a chat tab in headed Chromium the way a user does: a click where the
 * in-page cover lies (over the site's compose box `composeSelector`); the cover asks the background
 * to open the panel inside the click's user gesture. Returns the panel's target.
 */
export async function openSidePanelByCover(
  person: { ext: ChromiumExtension; page: Page; tabId: number },
  composeSelector: string,
  timeoutMs = 15_000,
): Promise<ExtensionTarget> {
  const box = await person.page.locator(composeSelector).boundingBox();
  if (!box) throw new Error(`no ${composeSelector} under the cover`);
  await person.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const cdp = await browserCdp(person.ext);
  return ExtensionTarget.find(cdp, `${person.ext.baseUrl}${PAGES.panel}?tab=${person.tabId}`, timeoutMs);
}
