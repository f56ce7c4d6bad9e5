/**
 * A private conversation through offrecord on chat pages built from the real editor packages
 * (test/fixtures/editors: Lexical, slate-react, Draft.js, ProseMirror, Tiptap, Quill 2), each
 * read through a site profile, each page sending what ITS EDITOR'S OWN STATE holds. Two Chromium
 * profiles with the built extension (one browser each for the whole file); the user types in
 * the side panel (its page bound to the chat tab), so the chat page does not have the user's
 * keyboard when offrecord writes the OTR lines into the editor and sends them.
 * Per framework: the query and AKE, messages both ways, one of several fragments, the editor empty
 * after every send, the relay carrying only ?OTR lines after the switch, each line once.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFixturePages,
  COMPOSE_SELECTOR,
  EDITOR_FRAMEWORKS,
  type FixturePage,
} from '../fixtures/editors/build';
import { editorProfile } from '../fixtures/editors/profile';
import { type EditorChat, startEditorChat } from '../fixtures/editors/server';
import { type ChromiumExtension, extensionDir, launchChromium } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';
import {
  composeSend,
  conversationPanel,
  goPrivate,
  type Person,
  pageRequest,
  panelPage,
  tabIdOf,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

/** Lines of at most this many characters on these sites: the long message goes as fragments. */
const MAX_LINE = 400;

async function openOn(ext: ChromiumExtension, chat: EditorChat, me: string, peer: string): Promise<Person> {
  const page = await ext.context.newPage();
  await page.goto(chat.pageUrl(me, peer));
  await page.waitForSelector('html[data-loaded="true"]');
  const tabId = await tabIdOf(ext, chat.origin);
  return { user: { name: me, password: '' }, nick: me, ext, page, tabId, close: () => page.close() };
}

/** What the editor's own state holds (the fixture asks its framework). */
function editorText(page: Page): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
  return page.evaluate(() => (globalThis as any).__fixture.text() as string);
}

function sentByPage(page: Page): Promise<string[]> {
  // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
  return page.evaluate(() => [...(globalThis as any).__fixture.sent] as string[]);
}

/** The user types in the page's own editor (not private) and presses Enter. */
async function typeInPage(person: Person, fw: FixturePage, text: string): Promise<void> {
  await person.page.locator(COMPOSE_SELECTOR[fw as keyof typeof COMPOSE_SELECTOR]).click();
  await person.page.keyboard.type(text);
  await person.page.keyboard.press('Enter');
  await waitFor('the typed line sent', async () =>
    (await editorText(person.page)) === '' ? true : undefined,
  );
}

describe('private conversations on real editor frameworks (Chromium)', () => {
  let scripts: Record<FixturePage, string>;
  let aliceExt: ChromiumExtension;
  let bobExt: ChromiumExtension;

  beforeAll(async () => {
    scripts = await buildFixturePages();
    aliceExt = await launchChromium({ extensionDir: extensionDir('chrome') });
    bobExt = await launchChromium({ extensionDir: extensionDir('chrome') });
  });

  afterAll(async () => {
    await aliceExt?.close();
    await bobExt?.close();
  });

  for (const fw of EDITOR_FRAMEWORKS) {
    it(`${fw}: AKE, messages both ways, fragments; the editor empty after each send, only ?OTR on the wire`, async () => {
      const chat = await startEditorChat(fw, scripts[fw]);
      const people: Person[] = [];
      const errors: string[] = [];
      try {
        const alice = await openOn(aliceExt, chat, 'alice', 'bob');
        const bob = await openOn(bobExt, chat, 'bob', 'alice');
        people.push(alice, bob);
        for (const p of people) p.page.on('pageerror', (e) => errors.push(`${p.nick}: ${String(e)}`));
        for (const p of people)
          await pageRequest(p, {
            type: 'profile-import',
            text: JSON.stringify(editorProfile(fw, chat.origin, MAX_LINE)),
          });
        // Each says hello by typing in the page: the profile learns the names from the rows.
        await typeInPage(alice, fw, 'hi bob');
        await typeInPage(bob, fw, 'hi alice');
        await waitForQuery(alice, 'bob');
        await waitForQuery(bob, 'alice');
        await panelPage(alice.page);
        await panelPage(bob.page);
        const plainBefore = chat.lines().length;

        await goPrivate(alice);
        await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
        if (!(await conversationPanel(bob.page, 15_000).catch(() => null))) await goPrivate(bob);
        await waitForStatus(bob.page, ['unverified', 'private'], 60_000);

        const long = `${fw} long ${'Ünïcødé-fragment-0123456789 '.repeat(50)}`.trim();
        const fromAlice = [`${fw}: héllo bob 🔑`, long, `${fw}: after the fragments`];
        const fromBob = [`${fw}: ключ from bob`, `${fw}: 日本語 again`];
        for (const text of fromAlice) {
          await composeSend(alice.page, text);
          await waitForEntry(bob.page, 'in', text, 30_000);
          expect(await editorText(alice.page)).toBe('');
        }
        for (const text of fromBob) {
          await composeSend(bob.page, text);
          await waitForEntry(alice.page, 'in', text, 30_000);
          expect(await editorText(bob.page)).toBe('');
        }

        const lines = chat.lines().slice(plainBefore);
        const texts = lines.map((l) => l.text);
        // Only OTR after the switch (the query, AKE and data messages, fragments), each line once.
        expect(texts.every((t) => t.startsWith('?OTR'))).toBe(true);
        expect(new Set(texts).size).toBe(texts.length);
        expect(texts.every((t) => t.length <= MAX_LINE)).toBe(true);
        expect(texts.filter((t) => t.startsWith('?OTR|')).length).toBeGreaterThanOrEqual(3);
        for (const secret of [...fromAlice, ...fromBob].map((s) => s.slice(0, 12)))
          expect(texts.some((t) => t.includes(secret))).toBe(false);
        // Each page sent exactly what reached the relay: its editor held our line, nothing more.
        expect(await sentByPage(alice.page)).toEqual(
          chat
            .lines()
            .filter((l) => l.from === 'alice')
            .map((l) => l.text),
        );
        expect(await sentByPage(bob.page)).toEqual(
          chat
            .lines()
            .filter((l) => l.from === 'bob')
            .map((l) => l.text),
        );
        expect(await editorText(alice.page)).toBe('');
        expect(await editorText(bob.page)).toBe('');
        expect(errors).toEqual([]);
      } finally {
        for (const p of people) {
          const panel = await panelPage(p.page, 1000).catch(() => null);
          await panel?.close();
          await p.page.close();
        }
        await chat.close();
      }
    });
  }
});
