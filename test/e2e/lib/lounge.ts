/**
 * The Lounge 4.5.2 (a real self-hosted web IRC client) on 127.0.0.1 for the e2e tests, in private
 * mode against an ngircd from ./ngircd.ts, plus helpers that drive its page in a real browser the
 * way a person would (log in, open a query, type a line, read the rows).
 *
 * The DOM facts come from TESTBED.md and content-scripts/sites/thelounge.ts (the adapter) and
 * were checked against the running page by test/e2e/lounge-testbed.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { IrcClient } from './irc-client.js';
import { freePort, spawnGroup, waitFor } from './ngircd.js';
import { ensureLounge, loungeFixtureDir, repoRoot } from './node22.js';

export interface LoungeUser {
  /** Login name of The Lounge account; also the IRC nick unless `nick` is given. */
  name: string;
  password: string;
  /** IRC nick (up to 30 characters on our ngircd). */
  nick?: string;
  /** Channels to join at connect. */
  join?: string[];
}

export interface Lounge {
  url: string;
  port: number;
  /** Everything The Lounge printed. */
  logPath: string;
  /** Process group id (= leader pid). */
  pid: number;
  stop(): Promise<void>;
}

/** The IRC username (ident) The Lounge uses for every user here; ngircd shows it as `~offrecord`. */
export const LOUNGE_IRC_USERNAME = 'offrecord';

/**
 * Starts The Lounge in private mode (users added with `thelounge add`, each with one locked network:
 * the ngircd on `ircPort`), in an own temp home. Resolves when the web server answers and every
 * user's nick is online on the IRC server.
 */
export async function startLounge(opts: {
  ircPort: number;
  users: LoungeUser[];
  port?: number;
}): Promise<Lounge> {
  const install = ensureLounge();
  const port = opts.port ?? (await freePort());
  const home = mkdtempSync(join(tmpdir(), 'offrecord-lounge-'));
  const logPath = join(home, 'thelounge.log');
  const config = {
    public: false,
    host: '127.0.0.1',
    port,
    reverseProxy: false,
    maxHistory: 10000,
    theme: 'default',
    prefetch: false,
    disableMediaPreview: true,
    prefetchStorage: false,
    fileUpload: { enable: false },
    transports: ['websocket', 'polling'],
    leaveMessage: '',
    messageStorage: [],
    storagePolicy: { enabled: false },
    lockNetwork: true,
    defaults: {
      name: 'ngircd',
      host: '127.0.0.1',
      port: opts.ircPort,
      password: '',
      tls: false,
      rejectUnauthorized: false,
      nick: 'lounge%%',
      username: LOUNGE_IRC_USERNAME,
      realname: 'offrecord test',
      join: '',
      leaveMessage: '',
    },
    identd: { enable: false },
    ldap: { enable: false },
  };
  writeFileSync(
    join(home, 'config.js'),
    `'use strict';\nmodule.exports = ${JSON.stringify(config, null, 2)};\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    THELOUNGE_HOME: home,
    NODE_OPTIONS: '',
    // Vitest sets NODE_ENV=test, which makes The Lounge look for its source tree instead of dist/.
    NODE_ENV: 'production',
    // No colours in the log.
    FORCE_COLOR: '0',
  };
  const nodeArgs = ['--require', install.loopbackPreload, install.loungeEntry];
  mkdirSync(join(home, 'users'));
  for (const user of opts.users) {
    // `add` writes users/NAME.json (it refuses to run unless the users folder exists).
    execFileSync(install.node, [...nodeArgs, 'add', user.name, '--password', user.password], {
      cwd: loungeFixtureDir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const file = join(home, 'users', `${user.name}.json`);
    const account = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    account.networks = [
      {
        name: 'ngircd',
        host: '127.0.0.1',
        port: opts.ircPort,
        tls: false,
        rejectUnauthorized: false,
        nick: user.nick ?? user.name,
        username: LOUNGE_IRC_USERNAME,
        realname: `${user.name} (offrecord test)`,
        commands: [],
        ignoreList: [],
        channels: (user.join ?? []).map((name) => ({ name })),
      },
    ];
    writeFileSync(file, JSON.stringify(account, null, 2));
  }
  const group = spawnGroup(install.node, [...nodeArgs, 'start'], { cwd: loungeFixtureDir, env, logPath });
  let exited = false;
  void group.exited.then(() => {
    exited = true;
  });
  const url = `http://127.0.0.1:${port}/`;
  let witness: IrcClient | undefined;
  try {
    await waitFor(
      `The Lounge at ${url}`,
      async () => {
        if (exited) throw new Error(`The Lounge exited at start:\n${readFileSync(logPath, 'utf8')}`);
        try {
          const res = await fetch(url);
          return res.ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      60_000,
      100,
    );
    const nicks = opts.users.map((u) => u.nick ?? u.name);
    if (nicks.length > 0) {
      witness = await IrcClient.connect({
        port: opts.ircPort,
        nick: `lw${process.pid % 100000}${port % 1000}`,
      });
      const client = witness;
      await waitFor(
        `users ${nicks.join(', ')} online on IRC`,
        async () => {
          const online = new Set((await client.ison(nicks)).map((n) => n.toLowerCase()));
          return nicks.every((n) => online.has(n.toLowerCase())) ? true : undefined;
        },
        60_000,
        200,
      );
    }
  } catch (e) {
    await witness?.quit();
    await group.stop();
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  await witness?.quit();
  return {
    url,
    port,
    logPath,
    pid: group.pid,
    stop: async () => {
      await group.stop();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Driving the page. Selectors as in content-scripts/sites/thelounge.ts (kept literal here so a
// change of the adapter cannot silently change what the testbed checks).

export const loungeDom = {
  username: '#signin-username',
  password: '#signin-password',
  compose: 'form#form textarea#input',
  ownNick: 'form#form span#nick',
  sidebarItem: (type: 'query' | 'channel' | 'lobby', name: string) =>
    `.channel-list-item[data-type=${type}][data-name="${cssString(name)}"]`,
  openChat: (type: 'query' | 'channel' | 'lobby', name: string) =>
    `#chat > .chat-view[data-type=${type}][aria-label="${cssString(name)}"]`,
  /** Message rows of the open chat (The Lounge renders only the open one). */
  messageRows: '#chat > .chat-view .messages[role=log] .msg[data-type=message]',
} as const;

function cssString(value: string): string {
  return value.replace(/["\\]/g, (c) => `\\${c}`);
}

/** Opens The Lounge, signs in, and waits until the client shows the user's nick. */
export async function loungeLogin(page: Page, lounge: { url: string }, user: LoungeUser): Promise<void> {
  await page.goto(lounge.url);
  await page.locator(loungeDom.username).fill(user.name);
  await page.locator(loungeDom.password).fill(user.password);
  await page.locator(loungeDom.password).press('Enter');
  await page.locator(loungeDom.sidebarItem('lobby', 'ngircd')).waitFor({ state: 'visible' });
  const nick = user.nick ?? user.name;
  await waitFor(`own nick ${nick} shown`, async () =>
    (await page.locator(loungeDom.ownNick).textContent()) === nick ? true : undefined,
  );
}

/** Types a line into the open chat's compose box and presses Enter, as a user would. */
export async function loungeType(page: Page, text: string): Promise<void> {
  const box = page.locator(loungeDom.compose);
  await box.fill(text);
  await box.press('Enter');
  await waitFor('compose box emptied after send', async () =>
    (await box.inputValue()) === '' ? true : undefined,
  );
}

/** Opens (or switches to) the query with `nick`: `/query nick` if there is none yet, then a click on its sidebar item. */
export async function loungeOpenQuery(page: Page, nick: string): Promise<void> {
  const item = page.locator(loungeDom.sidebarItem('query', nick));
  if ((await item.count()) === 0) {
    await loungeType(page, `/query ${nick}`);
    await item.waitFor({ state: 'visible' });
  }
  await item.click();
  await page.locator(loungeDom.openChat('query', nick)).waitFor({ state: 'visible' });
  await waitFor(`query ${nick} active in sidebar`, async () =>
    (await item.getAttribute('class'))?.split(/\s+/).includes('active') ? true : undefined,
  );
}

/** Opens a channel's view by clicking its sidebar item. */
export async function loungeOpenChannel(page: Page, channel: string): Promise<void> {
  await page.locator(loungeDom.sidebarItem('channel', channel)).click();
  await page.locator(loungeDom.openChat('channel', channel)).waitFor({ state: 'visible' });
}

export interface LoungeRow {
  id: string;
  from: string;
  text: string;
  self: boolean;
}

/** The message rows of the open chat, in order. */
export async function loungeRows(page: Page): Promise<LoungeRow[]> {
  return page.locator(loungeDom.messageRows).evaluateAll((rows) =>
    rows.map((row) => ({
      id: row.id,
      from: row.getAttribute('data-from') ?? '',
      text: row.querySelector('.content')?.textContent ?? '',
      self: row.classList.contains('self'),
    })),
  );
}

/** Waits until the open chat has a row matching `match`, and returns it. */
export async function loungeWaitForRow(
  page: Page,
  match: (row: LoungeRow) => boolean,
  timeoutMs = 20_000,
): Promise<LoungeRow> {
  return waitFor('a matching message row', async () => (await loungeRows(page)).find(match), timeoutMs, 100);
}

/** Opens the network's lobby by clicking its sidebar item. */
export async function loungeOpenLobby(page: Page, network = 'ngircd'): Promise<void> {
  await page.locator(loungeDom.sidebarItem('lobby', network)).click();
  await page.locator(loungeDom.openChat('lobby', network)).waitFor({ state: 'visible' });
}

let adapterSource: Promise<string> | undefined;

/**
 * The site adapter (content-scripts/sites/thelounge.ts, which imports nothing) compiled to a
 * script that sets `globalThis.__offrecordTheLounge`, to try it in the real page (main world).
 */
export function loungeAdapterSource(): Promise<string> {
  adapterSource ??= (async () => {
    const { transform } = await import('esbuild');
    const file = join(repoRoot, 'content-scripts/sites/thelounge.ts');
    const out = await transform(readFileSync(file, 'utf8'), {
      loader: 'ts',
      format: 'iife',
      globalName: '__offrecordTheLoungeModule',
      target: 'es2022',
    });
    return `(() => {\n${out.code}\nglobalThis.__offrecordTheLounge = __offrecordTheLoungeModule.theLounge;\n})();`;
  })();
  return adapterSource;
}

/** Puts the adapter into the page (again after a reload); evaluate through `globalThis.__offrecordTheLounge`. */
export async function loungeInjectAdapter(page: Page): Promise<void> {
  const present = await page.evaluate(() => '__offrecordTheLounge' in globalThis);
  if (!present) await page.evaluate(await loungeAdapterSource());
}
