/**
 * Firefox ESR, the core flow through The Lounge: Alice in Firefox (puppeteer-core over WebDriver
 * BiDi, the built firefox-test extension), Bob in Chromium. Alice turns private mode on from an
 * extension page (as the popup does), the AKE completes, messages go each way through the secure
 * frames (moz-extension:// iframes in the page), each side reads the other's encrypted.
 */
import type { Frame, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers.js';
import { type Lounge, type LoungeUser, loungeDom, startLounge } from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import {
  composeSend,
  openPerson,
  type Person,
  secureFrame,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

declare const browser: Browser;

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-f', nick: 'alice_ff' };
const BOB: LoungeUser = { name: 'bob', password: 'bob-pw-f', nick: 'bob_cr' };

/** One request over a runtime port from an extension page, as the popup sends it. */
function request(extPage: Page, body: Record<string, unknown>): Promise<unknown> {
  return extPage.evaluate(
    (msg) =>
      new Promise((resolve, reject) => {
        const port = browser.runtime.connect({ name: 'offrecord' });
        port.onMessage.addListener((raw) => {
          const r = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
          if (r.type !== 'reply' || r.id !== 7) return;
          port.disconnect();
          if (r.ok) resolve(r.result);
          else reject(new Error(r.error));
        });
        port.postMessage({ ...msg, id: 7 });
        setTimeout(() => reject(new Error('no reply in 10 s')), 10_000);
      }),
    body,
  );
}

async function ffFrame(page: Page, role: 'compose' | 'transcript'): Promise<Frame> {
  return waitFor(
    `Firefox secure ${role} frame`,
    async () => {
      for (const f of page.frames()) {
        if (!f.url().includes(`extension/frames/${role}.html`)) continue;
        if (await f.$('[data-status]').catch(() => null)) return f;
      }
      return undefined;
    },
    30_000,
    200,
  );
}

async function ffStatus(page: Page): Promise<string> {
  const f = await ffFrame(page, 'transcript');
  return f.$eval('[data-status]', (e) => e.getAttribute('data-status') ?? '');
}

async function ffEntries(page: Page): Promise<{ dir: string; text: string; encrypted: boolean }[]> {
  const f = await ffFrame(page, 'transcript');
  return f.$$eval('ol.transcript > li', (lis) =>
    lis.map((li) => ({
      dir: li.getAttribute('data-dir') ?? '',
      text: li.querySelector('.text')?.textContent ?? '',
      encrypted: li.getAttribute('data-encrypted') === 'true',
    })),
  );
}

describe('private mode on The Lounge in Firefox ESR', () => {
  let irc: Ngircd;
  let lounge: Lounge;
  let ff: FirefoxExtension;
  let page: Page;
  let extPage: Page;
  let tabId: number;
  let bob: Person;
  const consoleLines: string[] = [];

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE, BOB] });
    ff = await launchFirefox({ extensionDir: extensionDir('firefox') });
    page = await ff.browser.newPage();
    page.on('console', (m) => consoleLines.push(m.text()));
    await page.goto(lounge.url);
    await page.waitForSelector(loungeDom.username);
    await page.type(loungeDom.username, ALICE.name);
    await page.type(loungeDom.password, ALICE.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector(loungeDom.compose);
    await page.type(loungeDom.compose, `/query ${BOB.nick}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(loungeDom.sidebarItem('query', BOB.nick!));
    await page.click(loungeDom.sidebarItem('query', BOB.nick!));
    await page.waitForSelector(loungeDom.openChat('query', BOB.nick!));
    extPage = await ff.browser.newPage();
    await extPage.goto(`${ff.baseUrl}extension/popup/index.html`, { waitUntil: 'networkidle0' });
    tabId = await waitFor('the Firefox tab of The Lounge', async () => {
      const id = await extPage.evaluate(
        async (u) => (await browser.tabs.query({})).find((t) => t.url?.startsWith(u))?.id ?? null,
        lounge.url,
      );
      return id ?? undefined;
    });
    bob = await openPerson({ lounge, user: BOB, peerNick: ALICE.nick! });
  });

  afterAll(async () => {
    await ff?.close();
    await bob?.close();
    await lounge?.stop();
    await irc?.stop();
  });

  it('completes the AKE with a Chromium buddy', async () => {
    await waitFor('Alice’s query reported', async () => {
      const s = (await request(extPage, { type: 'status', tabId })) as {
        conversation: { kind: string; peer: string | null } | null;
      };
      return s.conversation?.kind === 'one-to-one' && s.conversation.peer === BOB.nick ? true : undefined;
    });
    await waitForQuery(bob, ALICE.nick!);
    await request(extPage, { type: 'go-private', tabId });
    // The AKE runs in Firefox's background over The Lounge: the session is encrypted (v3).
    const st = await waitFor(
      'Alice’s session encrypted',
      async () => {
        const r = (await request(extPage, { type: 'status', tabId })) as {
          status: { state: string; version: number } | null;
        };
        return r.status?.state === 'encrypted' ? r.status : undefined;
      },
      90_000,
      300,
    );
    expect(st.version).toBe(3);
    // Private mode never falls back to the page: The Lounge's compose box is inert under the overlay.
    expect(await page.$eval(loungeDom.compose, (e) => e.hasAttribute('inert'))).toBe(true);
  });

  it('shows the secure frames over The Lounge and carries messages both ways', async () => {
    await waitFor(
      'Firefox frames private',
      async () =>
        ['unverified', 'private'].includes(await ffStatus(page).catch(() => '')) ? true : undefined,
      20_000,
      300,
    ).catch((e: unknown) => {
      // Seen on Firefox ESR 153: the frames stay about:blank under The Lounge's CSP (default-src 'none').
      const frames = page.frames().map((f) => f.url());
      throw new Error(
        `${String(e)}; frames: ${frames.join(', ')}; console: ${consoleLines.join(' | ').slice(0, 800)}`,
      );
    });
    if (!(await secureFrame(bob.page, 'transcript', 15_000).catch(() => null))) {
      throw new Error('Bob’s secure frames did not appear');
    }
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);

    const fromAlice = ['hello from Firefox', 'Ünïcødé 日本語 🦊'];
    for (const t of fromAlice) {
      const f = await ffFrame(page, 'compose');
      await f.click('textarea');
      await f.type('textarea', t);
      await page.keyboard.press('Enter');
      const shown = await waitForEntry(bob.page, 'in', t, 60_000);
      expect(shown.encrypted).toBe(true);
    }
    const fromBob = ['hello from Chromium', 'ελληνικά 🎉'];
    for (const t of fromBob) {
      await composeSend(bob.page, t);
      const e = await waitFor(`Alice reads ${t}`, async () =>
        (await ffEntries(page).catch(() => [])).find((x) => x.dir === 'in' && x.text === t),
      );
      expect(e.encrypted).toBe(true);
    }
    const mine = (await ffEntries(page)).filter((e) => e.dir === 'out');
    expect(mine.map((e) => e.text)).toEqual(fromAlice);
    expect(mine.every((e) => e.encrypted)).toBe(true);
  });
});
