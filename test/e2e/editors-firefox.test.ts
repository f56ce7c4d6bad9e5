/**
 * Lexical and Quill 2 in Firefox ESR: Alice in Firefox (puppeteer over WebDriver BiDi) types in the
 * panel page bound to her chat tab; offrecord writes the OTR lines into the page's editor and
 * sends them the site's way (Quill runs its Enter binding only while it has the focus). Bob is in
 * Chromium. The query and AKE, messages both ways including one of several fragments, the editor
 * empty after each send, only ?OTR on the wire after the switch.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { buildFixturePages, COMPOSE_SELECTOR, type FixturePage } from '../fixtures/editors/build';
import { editorProfile } from '../fixtures/editors/profile';
import { startEditorChat } from '../fixtures/editors/server';
import { extensionDir, type FirefoxExtension, launchChromium, launchFirefox } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';
import { firefoxPanel, firefoxRequest, firefoxTranscript } from './lib/picker.js';
import {
  composeSend,
  type Person,
  pageRequest,
  panelPage,
  tabIdOf,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

declare const browser: Browser;

const MAX_LINE = 400;

describe('Lexical and Quill 2 in Firefox ESR', () => {
  let scripts: Record<FixturePage, string>;
  let ff: FirefoxExtension;
  let extPage: Page;
  let bobExt: Awaited<ReturnType<typeof launchChromium>>;

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
  });

  for (const fw of ['lexical', 'quill'] as const) {
    it(`${fw}: AKE, messages both ways, fragments, the editor empty, only ?OTR on the wire`, async () => {
      const chat = await startEditorChat(fw, scripts[fw]);
      const request = (body: Record<string, unknown>) => firefoxRequest(extPage, body);
      const editorText = (p: { evaluate: Page['evaluate'] }) =>
        // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
        p.evaluate(() => (globalThis as any).__fixture.text() as string);
      try {
        const page = await ff.browser.newPage();
        await page.setViewport({ width: 1000, height: 700 });
        await page.goto(chat.pageUrl('alice', 'bob'));
        await page.waitForSelector('html[data-loaded="true"]');
        const tabId = await waitFor('the chat tab', () =>
          extPage.evaluate(
            async (origin) =>
              (await browser.tabs.query({})).find((t) => t.url?.startsWith(origin))?.id ?? undefined,
            chat.origin,
          ),
        );
        const bobPage = await bobExt.context.newPage();
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
        const text = JSON.stringify(editorProfile(fw, chat.origin, MAX_LINE));
        await request({ type: 'profile-import', text });
        await pageRequest(bob, { type: 'profile-import', text });

        // Each says hello by typing in the page (the profile learns the names from the rows).
        await page.bringToFront();
        await page.click(COMPOSE_SELECTOR[fw]);
        await page.keyboard.type('hi bob');
        await page.keyboard.press('Enter');
        await waitFor('alice typed', async () => (chat.lines().length === 1 ? true : undefined));
        await bobPage.click(COMPOSE_SELECTOR[fw]);
        await bobPage.keyboard.type('hi alice');
        await bobPage.keyboard.press('Enter');
        await waitFor('bob typed', async () => (chat.lines().length === 2 ? true : undefined));
        await waitForQuery(bob, 'alice');
        await waitFor('alice in a one-to-one chat through the profile', async () => {
          const s = (await request({ type: 'status', tabId })) as {
            conversation: { kind: string; peer: string | null } | null;
          };
          return s.conversation?.kind === 'one-to-one' && s.conversation.peer === 'bob' ? true : undefined;
        });
        await panelPage(bobPage);
        const panel = await firefoxPanel(ff, page, tabId);
        const before = chat.lines().length;

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
        await waitForStatus(bobPage, ['unverified', 'private'], 30_000);

        const long = `${fw} firefox long ${'Ünïcødé-fragment-0123456789 '.repeat(40)}`.trim();
        const fromAlice = [`${fw} ff: héllo 🦊`, long];
        const fromBob = [`${fw} cr: ключ back`];
        for (const t of fromAlice) {
          await panel.type('[data-testid=compose-box]', t);
          await panel.keyboard.press('Enter');
          await waitForEntry(bobPage, 'in', t, 30_000);
          expect(await editorText(page)).toBe('');
        }
        for (const t of fromBob) {
          await composeSend(bobPage, t);
          await waitFor(`alice reads ${t}`, async () =>
            (await firefoxTranscript(panel)).some((e) => e.dir === 'in' && e.text === t) ? true : undefined,
          );
          expect(await editorText(bobPage)).toBe('');
        }
        const carried = chat
          .lines()
          .slice(before)
          .map((l) => l.text);
        expect(carried.every((t) => t.startsWith('?OTR'))).toBe(true);
        expect(new Set(carried).size).toBe(carried.length);
        expect(carried.filter((t) => t.startsWith('?OTR|')).length).toBeGreaterThanOrEqual(3);
        expect(carried.join('\n').includes('héllo')).toBe(false);
        // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
        const sent = await page.evaluate(() => [...(globalThis as any).__fixture.sent] as string[]);
        expect(sent).toEqual(
          chat
            .lines()
            .filter((l) => l.from === 'alice')
            .map((l) => l.text),
        );
        expect(await editorText(page)).toBe('');
        await panel.close();
        await page.close();
        await bobPage.close();
      } finally {
        await chat.close();
      }
    });
  }
});
