/**
 * Shared by the private-mode e2e suites (lounge-private*, hostile-page, lounge-libotr,
 * lounge-firefox) and by `npm start` (scripts/demo.mjs): an IRC tap that records what the IRC
 * server carried, a person (Chromium profile with the built extension, signed in to The Lounge,
 * in a query), and ways to drive and read the side panel the way a user would.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { chromium, type Worker } from 'playwright';
import type { Browser } from 'webextension-polyfill';
import {
  CHROMIUM_ARGS,
  CHROMIUM_PATH,
  type ChromiumExtension,
  extensionDir,
  launchChromium,
} from './lib/browsers.js';
import { type Lounge, type LoungeUser, loungeLogin, loungeOpenQuery } from './lib/lounge.js';
import { waitFor } from './lib/ngircd.js';
import { startTcpRelay } from './lib/tcp-relay.js';

// Callbacks passed to evaluate() run in the browser, where `chrome` is the promise-based API.
declare const chrome: Browser;

// ---------------------------------------------------------------- what the people say

/** Message i of a side: numbered, Unicode, unique (so a tap can be searched for it). */
export function secretMessage(from: string, i: number): string {
  const samples = [
    'héllo wörld',
    'ключ 🔑 секрет',
    '日本語のテキスト',
    'emoji 👩‍💻🎉',
    'ascii only',
    'ελληνικά',
  ];
  return `${from}${i}-secret ${samples[i % samples.length]} #${i}`;
}

/**
 * 5,000 characters: far over The Lounge's 350-byte line, so OTR must fragment it on IRC; one XMPP
 * message on Converse (under that adapter's 10,000 limit).
 */
export const BIG_SECRET = `big-secret ${'0123456789abcdefghij-Ünïcødé-'.repeat(175)}`.slice(0, 5000);

// ---------------------------------------------------------------- the IRC tap

export interface TappedLine {
  /** 'up': a client (The Lounge) → ngircd; 'down': ngircd → a client. */
  dir: 'up' | 'down';
  /** Connection number (one per IRC client). */
  conn: number;
  line: string;
  at: number;
}

export interface IrcTap {
  /** Port to give The Lounge instead of ngircd's. */
  port: number;
  lines: TappedLine[];
  /** Texts of the PRIVMSGs clients SENT (each exactly once, as the server got them). */
  privmsgs(): { target: string; text: string }[];
  close(): Promise<void>;
}

/**
 * A TCP relay in front of ngircd that records every IRC line both ways: what the IRC server
 * carried, for every party (a raw client joined as witness cannot see a query between two others).
 */
export async function startIrcTap(ircPort: number, logFile?: string): Promise<IrcTap> {
  const lines: TappedLine[] = [];
  const record = (dir: 'up' | 'down', conn: number) => {
    let buf = '';
    return (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let i = buf.indexOf('\n');
      while (i >= 0) {
        const line = buf.slice(0, i).replace(/\r$/, '');
        buf = buf.slice(i + 1);
        lines.push({ dir, conn, line, at: Date.now() });
        if (logFile) appendFileSync(logFile, `${dir} ${conn} ${line}\n`);
        i = buf.indexOf('\n');
      }
    };
  };
  const relay = await startTcpRelay(ircPort, (conn) => ({
    up: record('up', conn),
    down: record('down', conn),
  }));
  return {
    port: relay.port,
    lines,
    privmsgs() {
      const out: { target: string; text: string }[] = [];
      for (const l of lines) {
        if (l.dir !== 'up') continue;
        const m = /^(?:@\S+ )?PRIVMSG (\S+) :?(.*)$/.exec(l.line);
        if (m?.[1] !== undefined && m[2] !== undefined) out.push({ target: m[1], text: m[2] });
      }
      return out;
    },
    close: relay.close,
  };
}

// ---------------------------------------------------------------- a person

export interface Person {
  user: LoungeUser;
  nick: string;
  ext: ChromiumExtension;
  page: Page;
  tabId: number;
  close(): Promise<void>;
}

/** The tab id of the first tab whose URL starts with `prefix`, as the extension sees it. */
export async function tabIdOf(ext: ChromiumExtension, prefix: string): Promise<number> {
  return waitFor(`the tab of ${prefix}`, async () => {
    const id = await ext.worker.evaluate(async (p) => {
      const tabs = await chrome.tabs.query({});
      return tabs.find((t) => t.url?.startsWith(p))?.id ?? null;
    }, prefix);
    return id ?? undefined;
  });
}

/**
 * A Chromium profile with the built test-flavor extension, signed in to The Lounge as `user`,
 * with the query with `peerNick` open. `headless: false` shows the window (the demo with $DISPLAY).
 */
export async function openPerson(opts: {
  lounge: Lounge;
  user: LoungeUser;
  peerNick: string;
  extensionDir?: string;
  headless?: boolean;
  beforeLogin?: (page: Page) => Promise<void>;
}): Promise<Person> {
  const dir = opts.extensionDir ?? extensionDir('chrome');
  const ext =
    opts.headless === false
      ? await launchHeaded(dir)
      : await launchChromium({ extensionDir: dir, args: ['--window-size=1100,800'] });
  try {
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.setViewportSize({ width: 1100, height: 760 }).catch(() => undefined);
    if (opts.beforeLogin) await opts.beforeLogin(page);
    await loungeLogin(page, opts.lounge, opts.user);
    await loungeOpenQuery(page, opts.peerNick);
    const tabId = await tabIdOf(ext, opts.lounge.url);
    return {
      user: opts.user,
      nick: opts.user.nick ?? opts.user.name,
      ext,
      page,
      tabId,
      close: () => ext.close(),
    };
  } catch (e) {
    await ext.close();
    throw e;
  }
}

/** launchChromium with a visible window (lib/browsers.ts launches headless only). */
async function launchHeaded(dir: string): Promise<ChromiumExtension> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'offrecord-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: false,
    viewport: null,
    args: [
      `--disable-extensions-except=${dir}`,
      `--load-extension=${dir}`,
      '--window-size=1100,800',
      ...CHROMIUM_ARGS,
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
      close,
    };
  } catch (e) {
    await close();
    throw e;
  }
}

// ---------------------------------------------------------------- the runtime API, as the popup uses it

let popupPages = new WeakMap<ChromiumExtension, Page>();

/**
 * Sends one PageRequest over a runtime port from an extension page (the popup page opened in a
 * tab, `?tab=N`), exactly as the popup does, and returns the reply's result (throws on error).
 */
export async function pageRequest(
  person: Person,
  body: Record<string, unknown> & { type: string },
): Promise<unknown> {
  let page = popupPages.get(person.ext);
  if (!page || page.isClosed()) {
    page = await person.ext.context.newPage();
    await page.goto(`${person.ext.baseUrl}extension/popup/index.html?tab=${person.tabId}`);
    popupPages.set(person.ext, page);
    // The chat page stays the one the user looks at.
    await person.page.bringToFront();
  }
  return page.evaluate(
    (msg) =>
      new Promise((resolve, reject) => {
        const port = chrome.runtime.connect({ name: 'offrecord' });
        const id = 1_000_000 + Math.floor(Math.random() * 1_000_000);
        port.onMessage.addListener((raw: unknown) => {
          const m = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
          if (m.type !== 'reply' || m.id !== id) return;
          port.disconnect();
          if (m.ok) resolve(m.result);
          else reject(new Error(m.error));
        });
        port.postMessage({ ...msg, id });
      }),
    body,
  );
}

export function resetPopupPages(): void {
  popupPages = new WeakMap();
}

/** Waits until the background knows the tab's open chat is the one-to-one query with `peer`. */
export async function waitForQuery(person: Person, peer: string, timeoutMs = 20_000): Promise<void> {
  await waitFor(
    `the query with ${peer} reported`,
    async () => {
      const s = (await pageRequest(person, { type: 'status', tabId: person.tabId })) as {
        conversation: { kind: string; peer: string | null } | null;
      };
      return s.conversation?.kind === 'one-to-one' && s.conversation.peer === peer ? true : undefined;
    },
    timeoutMs,
    100,
  );
}

/** Turns private mode on for the person's tab, as the popup's "Go private" does. */
export async function goPrivate(person: Person): Promise<void> {
  await pageRequest(person, { type: 'go-private', tabId: person.tabId });
}

export async function endPrivate(person: Person): Promise<void> {
  await pageRequest(person, { type: 'end-private', tabId: person.tabId });
}

// ---------------------------------------------------------------- the side panel

/** The panel's page, relative to the extension's base URL (`?tab=N` binds it to chat tab N). */
export const PANEL_PAGE = 'extension/panel/index.html';

let panels = new WeakMap<Page, Page>();

/** The extension's id and the tab id of a chat page, as the extension sees them. */
async function extensionAndTab(page: Page): Promise<{ baseUrl: string; tabId: number }> {
  const worker = page
    .context()
    .serviceWorkers()
    .find((w) => w.url().startsWith('chrome-extension://'));
  if (!worker) throw new Error('no extension worker in this browser');
  const baseUrl = `chrome-extension://${new URL(worker.url()).host}/`;
  const url = page.url();
  const tabId = await waitFor(`the tab of ${url}`, async () => {
    const id = await worker.evaluate(async (u) => {
      const tabs = await chrome.tabs.query({});
      const origin = new URL(u).origin;
      return (tabs.find((t) => t.url === u) ?? tabs.find((t) => t.url?.startsWith(origin)))?.id ?? null;
    }, url);
    return id ?? undefined;
  });
  return { baseUrl, tabId };
}

/**
 * The side panel showing the chat in `page`. Headless Chromium shows no side panel UI, so the panel
 * page is opened as a tab of its own bound to the chat's tab (`?tab=N`), exactly the page Chrome
 * puts in the tab's side panel; the chat page is then brought back to the front. One per chat page.
 */
export async function panelPage(page: Page, timeoutMs = 30_000): Promise<Page> {
  let panel = panels.get(page);
  if (!panel || panel.isClosed()) {
    const { baseUrl, tabId } = await extensionAndTab(page);
    panel = await page.context().newPage();
    await panel.goto(`${baseUrl}${PANEL_PAGE}?tab=${tabId}`);
    panels.set(page, panel);
    await page.bringToFront();
  }
  await panel.locator('[data-testid=panel-status]').waitFor({ timeout: timeoutMs });
  return panel;
}

export function resetPanels(): void {
  panels = new WeakMap();
}

/** The panel of `page` once it shows a conversation. */
export async function conversationPanel(page: Page, timeoutMs = 30_000): Promise<Page> {
  const panel = await panelPage(page, timeoutMs);
  await waitFor(
    'the panel to show a conversation',
    async () => ((await panelStatus(page)) !== 'none' ? true : undefined),
    timeoutMs,
    100,
  );
  return panel;
}

/** The status the panel shows: none | not-private | starting | unverified | private | finished. */
export async function panelStatus(page: Page): Promise<string> {
  const panel = await panelPage(page);
  return (await panel.locator('[data-testid=panel-status]').getAttribute('data-status')) ?? '';
}

export async function waitForStatus(page: Page, want: string | string[], timeoutMs = 60_000): Promise<void> {
  const wanted = Array.isArray(want) ? want : [want];
  let last = '';
  await waitFor(
    `the panel to show ${wanted.join('|')}`,
    async () => {
      last = await panelStatus(page).catch(() => '');
      return wanted.includes(last) ? true : undefined;
    },
    timeoutMs,
    200,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)} (last: ${last})`);
  });
}

/** Types `text` into the panel's compose box and presses Enter, as the user does; waits until it was taken. */
export async function composeSend(page: Page, text: string): Promise<void> {
  const panel = await conversationPanel(page);
  const box = panel.locator('[data-testid=compose-box]');
  await box.fill(text);
  await box.press('Enter');
  await waitFor(
    'the panel compose box emptied',
    async () => {
      const reason = await panel
        .locator('[data-testid=compose-reason]')
        .textContent({ timeout: 50 })
        .catch(() => null);
      if (reason) throw new Error(`the panel kept the text: ${reason}`);
      return (await box.inputValue()) === '' ? true : undefined;
    },
    30_000,
    50,
  );
}

export interface ShownEntry {
  dir: 'in' | 'out';
  text: string;
  encrypted: boolean;
  state: string;
}

export interface ShownNotice {
  notice: string;
  text: string;
}

/** The messages the panel's transcript shows, in order (notices left out: see notices()). */
export async function transcript(page: Page): Promise<ShownEntry[]> {
  const panel = await conversationPanel(page);
  return panel
    .locator('[data-testid=transcript] > li[data-dir=in], [data-testid=transcript] > li[data-dir=out]')
    .evaluateAll((lis) =>
      lis.map((li) => ({
        dir: (li.getAttribute('data-dir') ?? '') as 'in' | 'out',
        text: li.querySelector('[data-testid=entry-text]')?.textContent ?? '',
        encrypted: li.getAttribute('data-encrypted') === 'true',
        state: li.getAttribute('data-state') ?? '',
      })),
    );
}

/** The notices in the panel's transcript, in order. */
export async function notices(page: Page): Promise<ShownNotice[]> {
  const panel = await conversationPanel(page);
  return panel.locator('[data-testid=transcript] > li[data-dir=notice]').evaluateAll((lis) =>
    lis.map((li) => ({
      notice: li.getAttribute('data-notice') ?? '',
      text: li.querySelector('[data-testid=entry-text]')?.textContent ?? '',
    })),
  );
}

/** Waits until the transcript shows an entry in direction `dir` with exactly `text`. */
export async function waitForEntry(
  page: Page,
  dir: 'in' | 'out',
  text: string,
  timeoutMs = 60_000,
): Promise<ShownEntry> {
  return waitFor(
    `transcript entry (${dir}) ${JSON.stringify(text.slice(0, 40))}`,
    async () => (await transcript(page).catch(() => [])).find((e) => e.dir === dir && e.text === text),
    timeoutMs,
    150,
  );
}

/** The texts of The Lounge's own message rows as the page shows them (collapsed rows included). */
export async function pageRowTexts(page: Page): Promise<string[]> {
  return page
    .locator('#chat .messages .msg[data-type=message] .content')
    .evaluateAll((els) => els.map((e) => e.textContent ?? ''));
}
