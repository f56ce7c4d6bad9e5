/**
 * A private conversation on a chat whose message list is react-virtuoso
 * (test/fixtures/editors/virtuoso.jsx) or react-window (window.jsx): 500 messages of history, only
 * the rows in view in the DOM, rows unmounted when scrolled away and mounted anew when scrolled
 * back, every row re-created by React every 700 ms with the same content, and a late message shown
 * ABOVE rows that arrived before it. Run with a profile that names the rows' server sequence as
 * their order (virtuoso), and with profiles that name none (virtuoso, react-window: rows are then
 * placed by where they sit in the list).
 * Alice scrolls up and down the whole list (mouse wheel) while Bob writes, and writes twice while
 * scrolled up: every message is read exactly once, in order, none of the history becomes a new
 * message, and hers count as delivered once she scrolls down. The late (plain) message is new with
 * an order; without one it counts as history, the documented cost (docs/architecture.md §10).
 * Then the page stops sending: the message shows "not delivered" with Retry, and Retry delivers
 * it once.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteProfile } from '../../src/profile/profile';
import { buildFixturePages } from '../fixtures/editors/build';
import { type EditorChat, startEditorChat } from '../fixtures/editors/server';
import { type ChromiumExtension, extensionDir, launchChromium } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';
import { postHistory, scrollDelta } from './lib/virtual-list.js';
import {
  composeSend,
  conversationPanel,
  goPrivate,
  type Person,
  pageRequest,
  panelPage,
  tabIdOf,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

const HISTORY = 500;

type ListPage = 'virtuoso' | 'window';

/** The list element of each page (its rows are its `.row` children). */
const LIST: Record<ListPage, string> = { virtuoso: '[data-testid=virtuoso-item-list]', window: '.rw-list' };

function profileFor(origin: string, page: ListPage, order: boolean): SiteProfile {
  const profile: SiteProfile = {
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
  if (order) profile.orderAttribute = 'data-id';
  return profile;
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

/**
 * Scrolls the list to a fraction of its height (0 top, 1 bottom) as a user does, with the mouse
 * wheel over it (offrecord keeps a list at its end unless the user scrolled it away), and lets it render.
 */
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
    await page.mouse.wheel(0, delta);
    await page.waitForTimeout(60);
  }
  await page.waitForTimeout(150);
}

/**
 * Scrolls to the end as a user who wants to see the newest rows does: again while the list grows
 * after the scroll (react-virtuoso measures rows as they mount, and offrecord collapses OTR rows,
 * so a list scrolled to its end can end up short of it), until it has stayed at its end for longer
 * than the content script's follow interval. (offrecord takes a list that grew away from the end
 * after the user's last scroll for one the user scrolled away: docs/architecture.md, "Virtualized
 * lists"; it then waits for the user to come back to the end.)
 */
async function settleAtEnd(page: Page): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await scrollTo(page, 1);
    await page.waitForTimeout(700);
    if (Math.abs(await page.evaluate(scrollDelta, 1)) < 8) return;
  }
  throw new Error('the list does not stay at its end');
}

/** Rows in the DOM now (a window of the 500+). */
function shownIds(page: Page): Promise<number[]> {
  return page.locator('.row').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-id'))));
}

/** Scrolls down from a third of the list in small steps until a row whose text starts with `prefix` is mounted. */
async function scrollUntilShown(page: Page, prefix: string): Promise<void> {
  for (let f = 0.3; f <= 0.85; f += 0.01) {
    await scrollTo(page, f);
    const shown = await page
      .locator('.row .body')
      .evaluateAll((els, p) => els.some((e) => (e.textContent ?? '').startsWith(p)), prefix);
    if (shown) return;
  }
  throw new Error(`no row starting ${prefix} came into view`);
}

describe('a virtualized message list (react-virtuoso, react-window; Chromium)', () => {
  let scripts: Record<ListPage, string>;
  let aliceExt: ChromiumExtension;
  let bobExt: ChromiumExtension;
  const chats: EditorChat[] = [];
  const people: Person[] = [];

  beforeAll(async () => {
    scripts = await buildFixturePages();
    aliceExt = await launchChromium({ extensionDir: extensionDir('chrome') });
    bobExt = await launchChromium({ extensionDir: extensionDir('chrome') });
  });

  afterAll(async () => {
    for (const p of people) await p.close().catch(() => undefined);
    await aliceExt?.close();
    await bobExt?.close();
    for (const c of chats) await c.close();
  });

  it.each([
    { list: 'virtuoso' as const, order: true, what: 'rows with an order (the server sequence)' },
    { list: 'virtuoso' as const, order: false, what: 'rows without an order (placed by where they sit)' },
    { list: 'window' as const, order: false, what: 'rows without an order (placed by where they sit)' },
  ])(
    '$list: 500 messages scrolled up and down during a private conversation, $what: each read exactly once',
    async ({ list, order }) => {
      // Each run on its own origin (a profile is per site), in the same two browsers.
      const chat = await startEditorChat(list, scripts[list]);
      chats.push(chat);
      postHistory(chat, HISTORY);
      const alice = await openOn(aliceExt, chat, 'alice', 'bob');
      const bob = await openOn(bobExt, chat, 'bob', 'alice');
      people.push(alice, bob);
      for (const p of [alice, bob])
        await pageRequest(p, {
          type: 'profile-import',
          text: JSON.stringify(profileFor(chat.origin, list, order)),
        });
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
      if (!(await conversationPanel(bob.page, 15_000).catch(() => null))) await goPrivate(bob);
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
      // The late row sits near the middle; the stops above may all miss its window (the list grew
      // taller meanwhile): scroll until it is mounted, as a user looking for it would.
      await scrollUntilShown(alice.page, '[late 250]');
      // Up and down twice more: rows mounted again are not read again.
      for (const f of [0, 0.3, 0.6, 1, 0, 1]) await scrollTo(alice.page, f);
      await alice.page.waitForTimeout(500);

      const got = await transcript(alice.page);
      const incoming = got.filter((e) => e.dir === 'in').map((e) => e.text);
      for (const t of fromBob) expect(incoming.filter((x) => x === t)).toHaveLength(1);
      expect(incoming.filter((x) => fromBob.includes(x))).toEqual(fromBob);
      // The whole history stayed history: no old row scrolled into view became a new message.
      expect(incoming.filter((x) => x.startsWith('history '))).toEqual([]);
      // The late message, shown above rows read before: new by its order; without one, history
      // (plain history is not a new message).
      expect(incoming.filter((x) => x.startsWith('[late 250]'))).toHaveLength(order ? 1 : 0);
      const atBob = (await transcript(bob.page)).filter((e) => e.dir === 'in').map((e) => e.text);
      for (const t of fromAlice) expect(atBob.filter((x) => x === t)).toHaveLength(1);
      // Alice's own rows showed once she scrolled down: her messages count as delivered ("sent").
      for (const t of fromAlice)
        expect((await waitForEntry(alice.page, 'out', t, 30_000)).state).toBe('sent');
      await waitFor(
        "alice's messages seen",
        async () =>
          (await transcript(alice.page)).every((e) => e.dir !== 'out' || e.state === 'sent')
            ? true
            : undefined,
        30_000,
      );

      // The site stops sending (its Enter does nothing, the text stays in its box): retried, then
      // "not delivered" with Retry, and nothing reached the chat; Retry once it sends again: read once.
      await settleAtEnd(alice.page);
      const blocked = 'alice while the site does not send';
      await alice.page.evaluate(() => {
        const block = (e: KeyboardEvent) => {
          if (e.key === 'Enter') e.stopImmediatePropagation();
        };
        // biome-ignore lint/suspicious/noExplicitAny: the test's own hook
        (globalThis as any).__unblock = () => document.removeEventListener('keydown', block, true);
        document.addEventListener('keydown', block, true);
      });
      const linesBefore = chat.lines().length;
      await composeSend(alice.page, blocked);
      const failed = await waitForEntry(alice.page, 'out', blocked, 5_000);
      expect(failed.state).toBe('sending');
      await waitFor(
        'not delivered',
        async () =>
          (await transcript(alice.page)).find((e) => e.text === blocked && e.state === 'not-delivered'),
        45_000,
      );
      expect(chat.lines().length).toBe(linesBefore);
      // biome-ignore lint/suspicious/noExplicitAny: the test's own hook
      await alice.page.evaluate(() => (globalThis as any).__unblock());
      const panel = await panelPage(alice.page);
      await settleAtEnd(alice.page);
      await panel
        .locator('[data-testid=transcript] > li[data-dir=out]', { hasText: blocked })
        .locator('[data-action=retry]')
        .click();
      await waitForEntry(bob.page, 'in', blocked, 30_000);
      await waitFor(
        'sent after Retry',
        async () => (await transcript(alice.page)).find((e) => e.text === blocked && e.state === 'sent'),
        30_000,
      );
      const bobGot = (await transcript(bob.page)).filter((e) => e.dir === 'in' && e.text === blocked);
      expect(bobGot).toHaveLength(1);
    },
  );
});
