/**
 * The react-virtuoso and react-window chats (test/fixtures/editors/virtuoso.jsx, window.jsx: 500
 * messages of history, only the rows in view in the DOM, every row re-created by React every
 * 700 ms) in Firefox ESR, with a profile that names NO order: rows are placed by where they sit in
 * the list. Alice in Firefox
 * (puppeteer over WebDriver BiDi) scrolls the whole list with the mouse wheel while Bob (Chromium)
 * writes, and writes once while scrolled up: each of Bob's messages is read once and in order, no
 * history row becomes a new message, and Bob reads hers once.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { SiteProfile } from '../../src/profile/profile';
import { buildFixturePages } from '../fixtures/editors/build';
import { type EditorChat, startEditorChat } from '../fixtures/editors/server';
import { extensionDir, type FirefoxExtension, launchChromium, launchFirefox } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';
import { firefoxPanel, firefoxRequest, firefoxTranscript } from './lib/picker.js';
import { postHistory, scrollDelta } from './lib/virtual-list.js';
import {
  composeSend,
  type Person,
  pageRequest,
  panelPage,
  tabIdOf,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

declare const browser: Browser;

const HISTORY = 500;

type ListPage = 'virtuoso' | 'window';

/** The list element of each page (its rows are its `.row` children). */
const LIST: Record<ListPage, string> = { virtuoso: '[data-testid=virtuoso-item-list]', window: '.rw-list' };

/** The page's profile, without an orderAttribute. */
function profileFor(origin: string, page: ListPage): SiteProfile {
  return {
    format: 'offrecord-site-profile',
    version: 1,
    site: origin,
    name: `${page} chat`,
    selectors: { compose: '#compose', list: LIST[page], row: '.row', text: '.body' },
    senderAttribute: 'data-author',
    idAttribute: 'data-id',
    own: { match: 'row', selector: '.out' },
    send: 'enter',
    maxMessageLength: 2000,
  };
}

/** Scrolls the list to a fraction of its height (0 top, 1 bottom) with the mouse wheel over it. */
async function scrollTo(page: Page, fraction: number): Promise<void> {
  const scroller = await page.evaluateHandle(() =>
    (globalThis as unknown as { __fixture: { scroller(): HTMLElement } }).__fixture.scroller(),
  );
  const box = await scroller.asElement()?.boundingBox();
  if (!box) throw new Error('no list to scroll');
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  for (let i = 0; i < 30; i++) {
    const delta = await page.evaluate(scrollDelta, fraction);
    if (Math.abs(delta) < 8) break;
    await page.mouse.wheel({ deltaY: delta });
    await new Promise((r) => setTimeout(r, 60));
  }
  await new Promise((r) => setTimeout(r, 150));
}

describe('a virtualized message list without an order (react-virtuoso, react-window; Firefox ESR)', () => {
  let scripts: Record<ListPage, string>;
  let ff: FirefoxExtension;
  let extPage: Page;
  let bobExt: Awaited<ReturnType<typeof launchChromium>>;
  const chats: EditorChat[] = [];

  beforeAll(async () => {
    scripts = await buildFixturePages();
    ff = await launchFirefox({ extensionDir: extensionDir('firefox', 'test') });
    extPage = await ff.browser.newPage();
    await extPage.goto(`${ff.baseUrl}extension/popup/index.html`, { waitUntil: 'networkidle0' });
    bobExt = await launchChromium({ extensionDir: extensionDir('chrome') });
  });

  afterAll(async () => {
    await ff?.close();
    await bobExt?.close();
    for (const c of chats) await c.close();
  });

  it.each(['virtuoso', 'window'] as const)(
    '%s: 500 messages scrolled up and down during a private conversation: each read exactly once',
    async (list) => {
      // Each run on its own origin (a profile is per site), in the same two browsers.
      const chat = await startEditorChat(list, scripts[list]);
      chats.push(chat);
      postHistory(chat, HISTORY);
      const request = (body: Record<string, unknown>) => firefoxRequest(extPage, body);
      const page = await ff.browser.newPage();
      await page.setViewport({ width: 900, height: 700 });
      await page.goto(chat.pageUrl('alice', 'bob'));
      await page.waitForSelector('html[data-loaded="true"]');
      await page.waitForSelector('.row');
      const tabId = await waitFor('the chat tab', () =>
        extPage.evaluate(
          async (origin) =>
            (await browser.tabs.query({})).find((t) => t.url?.startsWith(origin))?.id ?? undefined,
          chat.origin,
        ),
      );
      const bobPage = await bobExt.context.newPage();
      await bobPage.setViewportSize({ width: 900, height: 700 });
      await bobPage.goto(chat.pageUrl('bob', 'alice'));
      await bobPage.waitForSelector('html[data-loaded="true"]');
      const bob: Person = {
        user: { name: 'bob', password: '' },
        nick: 'bob',
        ext: bobExt,
        page: bobPage,
        tabId: await tabIdOf(bobExt, chat.origin),
        close: () => bobPage.close(),
      };
      const text = JSON.stringify(profileFor(chat.origin, list));
      await request({ type: 'profile-import', text });
      await pageRequest(bob, { type: 'profile-import', text });
      // Virtualized: a window of the list is in the DOM, not the 500.
      const shown = await page.$$eval('.row', (rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
      expect(shown.length).toBeGreaterThan(5);
      expect(shown.length).toBeLessThan(100);
      expect(Math.max(...shown)).toBe(HISTORY);

      await waitFor('alice in a one-to-one chat through the profile', async () => {
        const s = (await request({ type: 'status', tabId })) as {
          conversation: { kind: string; peer: string | null } | null;
        };
        return s.conversation?.kind === 'one-to-one' && s.conversation.peer === 'bob' ? true : undefined;
      });
      await waitForQuery(bob, 'alice');
      await panelPage(bobPage);
      const panel = await firefoxPanel(ff, page, tabId);
      await request({ type: 'go-private', tabId });
      await waitFor(
        'alice encrypted',
        async () =>
          ((await request({ type: 'status', tabId })) as { status?: { state?: string } }).status?.state ===
          'encrypted'
            ? true
            : undefined,
        60_000,
        200,
      );
      await waitForStatus(bobPage, ['unverified', 'private'], 60_000);

      const fromBob: string[] = [];
      const fromAlice: string[] = [];
      const incoming = async () =>
        (await firefoxTranscript(panel)).filter((e) => e.dir === 'in').map((e) => e.text);
      for (let round = 0; round < 4; round++) {
        const t = `bob round ${round} ключ 🔑`;
        fromBob.push(t);
        await composeSend(bobPage, t);
        await page.bringToFront();
        // Alice reads the whole list while it arrives: top, middle, back down.
        for (const f of [0, 0.5, 0.2, 1]) await scrollTo(page, f);
        await waitFor(
          `alice reads ${t}`,
          async () => ((await incoming()).includes(t) ? true : undefined),
          30_000,
        );
        if (round === 1) {
          const mine = `alice round ${round} héllo`;
          fromAlice.push(mine);
          await scrollTo(page, 0.1); // she writes while scrolled up: her row is not in view
          await panel.type('[data-testid=compose-box]', mine);
          await panel.keyboard.press('Enter');
          await page.bringToFront();
          await waitForEntry(bobPage, 'in', mine, 30_000);
          await scrollTo(page, 1);
        }
      }
      // Up and down twice more: rows mounted again are not read again.
      for (const f of [0, 0.3, 0.6, 1, 0, 1]) await scrollTo(page, f);
      await new Promise((r) => setTimeout(r, 500));

      const got = await incoming();
      for (const t of fromBob) expect(got.filter((x) => x === t)).toHaveLength(1);
      expect(got.filter((x) => fromBob.includes(x))).toEqual(fromBob);
      // The whole history stayed history: no old row scrolled into view became a new message.
      expect(got.filter((x) => x.startsWith('history '))).toEqual([]);
      const atBob = (await transcript(bobPage)).filter((e) => e.dir === 'in').map((e) => e.text);
      for (const t of fromAlice) expect(atBob.filter((x) => x === t)).toHaveLength(1);
      await panel.close();
      await page.close();
      await bobPage.close();
    },
  );
});
