/**
 * A private conversation on a chat whose message list is react-virtuoso
 * (test/fixtures/editors/virtuoso.jsx): 500 messages of history, only the rows in view in the
 * DOM, rows unmounted when scrolled away and mounted anew when scrolled back, every row
 * re-created by React every 700 ms with the same content, and a late message shown ABOVE rows
 * that arrived before it. Alice scrolls up and down the whole list while Bob writes; every
 * message must be read exactly once: each shows once in her panel, none missing, in order.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteProfile } from '../../src/profile/profile';
import { buildFixturePages } from '../fixtures/editors/build';
import { type EditorChat, startEditorChat } from '../fixtures/editors/server';
import { type ChromiumExtension, extensionDir, launchChromium } from './lib/browsers.js';
import {
  composeSend,
  goPrivate,
  type Person,
  pageRequest,
  panelPage,
  secureFrame,
  tabIdOf,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

const HISTORY = 500;

function profileFor(origin: string): SiteProfile {
  return {
    format: 'offrecord-site-profile',
    version: 1,
    site: origin,
    name: 'virtuoso chat',
    selectors: { compose: '#compose', list: '[data-testid=virtuoso-item-list]', row: '.row', text: '.body' },
    senderAttribute: 'data-author',
    idAttribute: 'data-id',
    own: { match: 'row', selector: '.out' },
    send: 'enter',
    maxMessageLength: 2000,
  };
}

async function openOn(ext: ChromiumExtension, chat: EditorChat, me: string, peer: string): Promise<Person> {
  const page = await ext.context.newPage();
  await page.setViewportSize({ width: 900, height: 700 });
  await page.goto(chat.pageUrl(me, peer));
  await page.waitForSelector('html[data-loaded="true"]');
  await page.waitForSelector('.row');
  const tabId = await tabIdOf(ext, chat.origin);
  return { user: { name: me, password: '' }, nick: me, ext, page, tabId, close: () => page.close() };
}

/** Scrolls the list to a fraction of its height (0 top, 1 bottom) and lets it render. */
async function scrollTo(page: Page, fraction: number): Promise<void> {
  await page.evaluate((f) => {
    // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
    const s = (globalThis as any).__fixture.scroller() as HTMLElement;
    s.scrollTop = Math.round((s.scrollHeight - s.clientHeight) * f);
  }, fraction);
  await page.waitForTimeout(150);
}

/** Rows in the DOM now (a window of the 500+). */
function shownIds(page: Page): Promise<number[]> {
  return page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
}

describe('a virtualized message list (react-virtuoso, Chromium)', () => {
  let script: string;
  let aliceExt: ChromiumExtension;
  let bobExt: ChromiumExtension;
  let chat: EditorChat;

  beforeAll(async () => {
    script = (await buildFixturePages()).virtuoso;
    chat = await startEditorChat('virtuoso', script);
    aliceExt = await launchChromium({ extensionDir: extensionDir('chrome') });
    bobExt = await launchChromium({ extensionDir: extensionDir('chrome') });
  });

  afterAll(async () => {
    await aliceExt?.close();
    await bobExt?.close();
    await chat?.close();
  });

  it('500 messages scrolled up and down during a private conversation: each read exactly once', async () => {
    for (let i = 1; i <= HISTORY; i++)
      chat.post(
        i % 2 ? 'bob' : 'alice',
        i % 2 ? 'alice' : 'bob',
        `history ${i} from ${i % 2 ? 'bob' : 'alice'}`,
      );
    const alice = await openOn(aliceExt, chat, 'alice', 'bob');
    const bob = await openOn(bobExt, chat, 'bob', 'alice');
    for (const p of [alice, bob])
      await pageRequest(p, { type: 'profile-import', text: JSON.stringify(profileFor(chat.origin)) });
    // Virtualized: a window of the list is in the DOM, not the 500.
    const shown = await shownIds(alice.page);
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(100);
    expect(Math.max(...shown)).toBe(HISTORY);

    await waitForQuery(alice, 'bob');
    await waitForQuery(bob, 'alice');
    await panelPage(alice.page);
    await panelPage(bob.page);
    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
    if (!(await secureFrame(bob.page, 'transcript', 15_000).catch(() => null))) await goPrivate(bob);
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);

    const fromBob: string[] = [];
    const fromAlice: string[] = [];
    const stops = [0, 0.5, 0.2, 0.8, 1];
    for (let round = 0; round < 6; round++) {
      const text = `bob round ${round} ключ 🔑`;
      fromBob.push(text);
      await composeSend(bob.page, text);
      if (round === 2) chat.post('bob', 'alice', '[late 250] a late message, shown above older rows');
      // Alice reads the whole list while it arrives: top, middle, back down.
      for (const f of stops) await scrollTo(alice.page, f);
      await waitForEntry(alice.page, 'in', text, 30_000);
      if (round % 2 === 1) {
        const mine = `alice round ${round} héllo`;
        fromAlice.push(mine);
        await scrollTo(alice.page, 0.1); // she writes while scrolled up: her row is not in view
        await composeSend(alice.page, mine);
        await waitForEntry(bob.page, 'in', mine, 30_000);
        await scrollTo(alice.page, 1);
      }
    }
    // Up and down twice more: rows mounted again are not read again.
    for (const f of [0, 0.3, 0.6, 1, 0, 1]) await scrollTo(alice.page, f);
    await alice.page.waitForTimeout(500);

    const got = await transcript(alice.page);
    const incoming = got.filter((e) => e.dir === 'in').map((e) => e.text);
    for (const t of fromBob) expect(incoming.filter((x) => x === t)).toHaveLength(1);
    expect(incoming.filter((x) => fromBob.includes(x))).toEqual(fromBob);
    expect(incoming.filter((x) => x.startsWith('[late 250]'))).toHaveLength(1);
    const atBob = (await transcript(bob.page)).filter((e) => e.dir === 'in').map((e) => e.text);
    for (const t of fromAlice) expect(atBob.filter((x) => x === t)).toHaveLength(1);
    // The whole history stayed history: no old row scrolled into view became a new message.
    expect(incoming.filter((x) => x.startsWith('history '))).toEqual([]);
  });
});
