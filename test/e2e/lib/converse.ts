/**
 * Converse.js 14 for the e2e tests: installs test/fixtures/converse (its own package.json and
 * committed lockfile) on first use, serves its index.html with `/dist/` = converse.js's dist from
 * 127.0.0.1 (a server inside the test process, nothing to stop but a socket), and page helpers.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright';
import { waitFor } from './ngircd.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const converseFixtureDir = join(repoRoot, 'test/fixtures/converse');
const distDir = join(converseFixtureDir, 'node_modules/converse.js/dist');
const stampFile = join(converseFixtureDir, 'node_modules/.offrecord-installed');

function installed(): boolean {
  if (!existsSync(join(distDir, 'converse.js')) || !existsSync(stampFile)) return false;
  return statSync(join(converseFixtureDir, 'package-lock.json')).mtimeMs <= statSync(stampFile).mtimeMs;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Installs test/fixtures/converse once (`npm ci`, guarded by a lock directory for parallel workers). */
export function ensureConverse(): void {
  if (installed()) return;
  const lock = join(converseFixtureDir, '.install-lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      const made = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if ((made !== undefined && Date.now() - made > 300_000) || Date.now() > deadline)
        rmSync(lock, { recursive: true, force: true });
      sleepSync(250);
      if (installed()) return;
    }
  }
  try {
    if (installed()) return;
    execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], {
      cwd: converseFixtureDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 280_000,
    });
    writeFileSync(stampFile, `${new Date().toISOString()}\n`);
    if (!installed()) throw new Error(`npm ci in ${converseFixtureDir} did not produce converse.js/dist`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
};

export interface ConverseServer {
  /** The page for a given Prosody websocket: `${url}/?ws=...`. */
  pageUrl(websocketUrl: string): string;
  url: string;
  stop(): Promise<void>;
}

/** Serves the fixture page and converse.js's dist on 127.0.0.1 (a free port). */
export async function startConverseServer(): Promise<ConverseServer> {
  ensureConverse();
  const index = readFileSync(join(converseFixtureDir, 'index.html'));
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': TYPES['.html'] as string, 'cache-control': 'no-store' });
      res.end(index);
      return;
    }
    if (path.startsWith('/dist/')) {
      const file = normalize(join(distDir, path.slice('/dist/'.length)));
      if (file.startsWith(distDir + sep) && existsSync(file) && statSync(file).isFile()) {
        res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
        res.end(readFileSync(file));
        return;
      }
    }
    res.writeHead(404);
    res.end();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  const url = `http://127.0.0.1:${address.port}`;
  return {
    url,
    pageUrl: (ws) => `${url}/?ws=${encodeURIComponent(ws)}`,
    stop: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** Logs in on the Converse login form; resolves when the roster (controlbox, signed in) shows. */
export async function converseLogin(
  page: Page,
  pageUrl: string,
  jid: string,
  password: string,
): Promise<void> {
  await page.goto(pageUrl);
  await converseSignIn(page, jid, password);
}

/**
 * Fills the login form of the page as it is (after a reload, say) and waits until signed in.
 * `jid` may carry a resource (`bob@localhost/second`) to choose the XMPP resource.
 */
export async function converseSignIn(page: Page, jid: string, password: string): Promise<void> {
  await page.locator('converse-login-form input[name="jid"]').fill(jid);
  await page.locator('converse-login-form input[name="password"]').fill(password);
  await page.locator('converse-login-form [type="submit"]').click();
  await page
    .locator('converse-roster, converse-user-profile, .controlbox-section')
    .first()
    .waitFor({ timeout: 30_000 });
  await waitFor(
    `${jid} connected`,
    async () =>
      (await page.evaluate(() => document.querySelector('converse-login-form') === null)) ? true : undefined,
    30_000,
  );
}

/**
 * Opens (or shows again) the one-to-one chat with `jid`; resolves when its compose box shows.
 * A chat Converse already knows is shown by clicking it in the control box's list (the
 * `#converse/chat?jid=` route opens a new chat but does not show a hidden one); a new one by the route.
 */
export async function converseOpenChat(page: Page, jid: string): Promise<void> {
  const box = page.locator(`converse-chat[jid="${jid}"] textarea.chat-textarea`);
  await showFromListOrRoute(
    page,
    `the chat with ${jid} shown`,
    () => box.isVisible(),
    page.locator(`converse-roster a.open-chat[data-jid="${jid}"]`),
    `converse/chat?jid=${jid}`,
  );
}

/**
 * Waits until `shown()`, meanwhile clicking the control box's entry `listed` when it is there, else
 * (once) going to the Converse route `hash`: a route opens a new chat or room but does not show a
 * hidden one, so one Converse already knows is shown by clicking it.
 */
async function showFromListOrRoute(
  page: Page,
  what: string,
  shown: () => Promise<boolean>,
  listed: Locator,
  hash: string,
): Promise<void> {
  let routed = false;
  await waitFor(
    what,
    async () => {
      if (await shown()) return true;
      if ((await listed.count()) > 0) {
        await listed
          .first()
          .click({ timeout: 2000 })
          .catch(() => undefined);
      } else if (!routed) {
        routed = true;
        await page.evaluate((h) => {
          location.hash = h;
        }, hash);
      }
      return undefined;
    },
    30_000,
    250,
  );
}

/**
 * Opens (joins) the group chat `roomJid` (nickname from the JID), or shows it again from the
 * control box's room list; resolves when the room element is there and the one-to-one chat is not.
 */
export async function converseOpenRoom(page: Page, roomJid: string): Promise<void> {
  const room = page.locator(`converse-chats converse-muc[jid="${roomJid}"]`);
  await showFromListOrRoute(
    page,
    `the room ${roomJid} shown`,
    () =>
      page.evaluate(
        (j) =>
          document.querySelector(`converse-chats converse-muc[jid="${j}"]`) !== null &&
          document.querySelector('converse-chats converse-chat') === null,
        roomJid,
      ),
    page.locator(`converse-rooms-list a.open-room[data-room-jid="${roomJid}"]`),
    `converse/room?jid=${roomJid}`,
  );
  await room.waitFor({ state: 'attached', timeout: 5000 });
}

export interface ConverseRow {
  id: string;
  from: string;
  text: string;
  me: boolean;
}

/** Message rows of the chat with `jid`, oldest first. */
export function converseRows(page: Page, jid: string): Promise<ConverseRow[]> {
  return page.evaluate((j) => {
    const chat = document.querySelector(`converse-chat[jid="${j}"]`);
    if (!chat) return [];
    return Array.from(chat.querySelectorAll('converse-chat-message .chat-msg[data-msgid]')).map((row) => ({
      id: row.getAttribute('data-msgid') ?? '',
      from: row.getAttribute('data-from') ?? '',
      text: row.querySelector('.chat-msg__text')?.textContent ?? '',
      me: row.querySelector('.chat-msg__content--me') !== null || row.classList.contains('chat-msg--me'),
    }));
  }, jid);
}

/** Waits for a row in the chat with `jid` whose text equals `text`. */
export function converseWaitForRow(
  page: Page,
  jid: string,
  text: string,
  timeoutMs = 30_000,
): Promise<ConverseRow> {
  return waitFor(
    `row ${JSON.stringify(text.slice(0, 40))} in chat with ${jid}`,
    async () => (await converseRows(page, jid)).find((r) => r.text === text),
    timeoutMs,
    100,
  );
}

/** Types `text` into the chat with `jid` and presses Enter; resolves when the box is empty again. */
export async function converseType(page: Page, jid: string, text: string): Promise<void> {
  const box = page.locator(`converse-chat[jid="${jid}"] textarea.chat-textarea`);
  await box.fill(text);
  await box.press('Enter');
  await waitFor(
    'compose box emptied',
    async () => ((await box.inputValue()) === '' ? true : undefined),
    15_000,
  );
}

let adapterSource: Promise<string> | undefined;

/** The Converse adapter compiled for the page's main world, as `globalThis.__offrecordConverse`. */
export function converseAdapterSource(): Promise<string> {
  adapterSource ??= (async () => {
    // Bundled, not transformed: the adapter imports the i18n helper (its reasons are localized), and
    // a page's main world has no module loader.
    const { build } = await import('esbuild');
    const built = await build({
      entryPoints: [join(repoRoot, 'content-scripts/sites/converse.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__offrecordConverseModule',
      target: 'es2022',
    });
    const out = { code: built.outputFiles[0]?.text ?? '' };
    return `(() => {\n${out.code}\nglobalThis.__offrecordConverse = __offrecordConverseModule.converse;\n})();`;
  })();
  return adapterSource;
}

/** Puts the adapter into the page (again after a reload). */
export async function converseInjectAdapter(page: Page): Promise<void> {
  const present = await page.evaluate(() => '__offrecordConverse' in globalThis);
  if (!present) await page.evaluate(await converseAdapterSource());
}
