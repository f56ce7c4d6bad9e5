/**
 * A person on the virtual chat fixture (test/fixtures/virtualchat/server.ts): a Chromium profile
 * with the built test-flavor extension, with the page of `me` chatting with `peer` open. The
 * result is a `Person` of lounge-private-helpers, so pageRequest, goPrivate, the secure-frame
 * helpers and the rest work on it unchanged.
 */
import type { Locator, Page } from 'playwright';
import { type SiteProfile, serializeProfile } from '../../../src/profile/profile.js';
import type { VirtualChat } from '../../fixtures/virtualchat/server.js';
import type { Person } from '../lounge-private-helpers.js';
import { pageRequest, tabIdOf } from '../lounge-private-helpers.js';
import { extensionDir, launchChromium } from './browsers.js';
import { waitFor } from './ngircd.js';

export async function openVirtualPerson(
  chat: VirtualChat,
  me: string,
  peer: string,
  dir: string = extensionDir('chrome'),
): Promise<Person> {
  const ext = await launchChromium({
    extensionDir: dir,
    args: ['--window-size=1000,760'],
  });
  try {
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.setViewportSize({ width: 1000, height: 700 });
    await page.goto(chat.pageUrl(me, peer));
    await waitForLoaded(page);
    const tabId = await tabIdOf(ext, chat.origin);
    return { user: { name: me, password: '' }, nick: me, ext, page, tabId, close: () => ext.close() };
  } catch (e) {
    await ext.close();
    throw e;
  }
}

/** Imports `profile` for the chat's site; resolves once the person's page reads the chat with `peer` through it. */
export async function useProfile(
  p: Person,
  chat: VirtualChat,
  peer: string,
  profile: SiteProfile,
): Promise<void> {
  await pageRequest(p, { type: 'profile-import', text: serializeProfile({ ...profile, site: chat.origin }) });
  await waitFor(
    `${p.nick} in a one-to-one chat with ${peer}`,
    async () => {
      const s = (await pageRequest(p, { type: 'status', tabId: p.tabId })) as {
        conversation: { peer: string | null } | null;
        page: { adapter: string | null } | null;
      };
      return s.page?.adapter === 'profile' && s.conversation?.peer === peer ? true : undefined;
    },
    30_000,
    150,
  );
}

/** Alice and bob on the virtual chat (a greeting each way in its history), both reading it through `profile`. */
export async function openVirtualPair(chat: VirtualChat, profile: SiteProfile): Promise<[Person, Person]> {
  chat.post('bob', 'alice', 'hi alice');
  chat.post('alice', 'bob', 'hello bob');
  const [alice, bob] = await Promise.all([
    openVirtualPerson(chat, 'alice', 'bob'),
    openVirtualPerson(chat, 'bob', 'alice'),
  ]);
  await Promise.all([useProfile(alice, chat, 'bob', profile), useProfile(bob, chat, 'alice', profile)]);
  return [alice, bob];
}

/** Waits until the page has shown the stored history (after a load or a reload). */
export async function waitForLoaded(page: Page): Promise<void> {
  await page.waitForSelector('html[data-loaded="true"]', { timeout: 15_000 });
}

/** The rows the page has in its DOM now (a window of at most 8 recycled elements). */
export async function visibleRows(
  page: Page,
): Promise<{ index: number; from: string; text: string; own: boolean }[]> {
  return page.locator('#viewport > div > .bubble').evaluateAll((rows) =>
    rows
      .map((r) => ({
        index: Number(r.getAttribute('data-index')),
        from: r.getAttribute('data-author') ?? '',
        text: r.querySelector('.body')?.textContent ?? '',
        own: r.classList.contains('out'),
      }))
      .sort((a, b) => a.index - b.index),
  );
}

/** The body of the shown row holding exactly `text`. */
export function rowBody(page: Page, text: string): Locator {
  const exact = new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
  return page.locator('#viewport > div > .bubble > .body').filter({ hasText: exact });
}

/** Types into the page's own compose box (not private) and sends with Enter. */
export async function pageSend(page: Page, text: string): Promise<void> {
  const editor = page.locator('.composer .editor');
  await editor.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
  await waitFor('the page compose box emptied', async () =>
    ((await editor.textContent()) ?? '') === '' ? true : undefined,
  );
}
