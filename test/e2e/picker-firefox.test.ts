/**
 * The element picker and a picker-made site profile in Firefox ESR (issue 9), on the virtual chat
 * fixture (contenteditable compose, recycled rows, test/fixtures/virtualchat): alice in Firefox
 * (puppeteer-core over WebDriver BiDi, the built firefox-test extension) starts the picker as the
 * popup does. Clicks the page fakes are not picks; three trusted mouse clicks are. BiDi cannot
 * look into the picker's closed shadow root, so Save is reached as a keyboard user reaches it: the
 * review opens with Save focused and a trusted Enter saves. The profile then reads the page
 * (adapter 'profile'); bob (Chromium) imports the exported profile; AKE; two messages each way (one
 * Unicode), each read once and encrypted on the other side; the relay carried only ?OTR lines;
 * alice's page editor is empty at the end.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import type { PageInfo } from '../../extension/shared/messages.js';
import type { SiteProfile } from '../../src/profile/profile.js';
import { startVirtualChat, type VirtualChat } from '../fixtures/virtualchat/server.js';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';
import { firefoxPanel, firefoxRequest, firefoxTranscript, PICKER_HOST } from './lib/picker.js';
import { openVirtualPerson } from './lib/virtualchat.js';
import {
  composeSend,
  type Person,
  pageRequest,
  transcript,
  waitForEntry,
  waitForStatus,
} from './lounge-private-helpers.js';

interface Status {
  page: PageInfo | null;
  conversation: { kind: string; peer: string | null } | null;
  status: { privateMode: boolean; state: string } | null;
}

interface PageClick {
  trusted: boolean;
  prevented: boolean;
  target: string;
}
declare global {
  var __clicks: PageClick[];
}
declare const browser: Browser;

describe('the picker in Firefox ESR, and a private chat through its profile with Chromium', () => {
  let chat: VirtualChat;
  let ff: FirefoxExtension;
  let page: Page;
  let extPage: Page;
  let tabId: number;
  let bob: Person | undefined;

  const request = (body: Record<string, unknown>) => firefoxRequest(extPage, body);
  const status = async () => (await request({ type: 'status', tabId })) as Status;

  beforeAll(async () => {
    chat = await startVirtualChat();
    chat.post('bob', 'alice', 'hi alice');
    chat.post('alice', 'bob', 'hello bob');
    chat.post('bob', 'alice', 'how are you?');
    chat.post('alice', 'bob', 'fine, thanks');
    ff = await launchFirefox({ extensionDir: extensionDir('firefox', 'test') });
    page = await ff.browser.newPage();
    await page.setViewport({ width: 1000, height: 700 });
    await page.goto(chat.pageUrl('alice', 'bob'));
    await page.waitForSelector('html[data-loaded="true"]');
    extPage = await ff.browser.newPage();
    await extPage.goto(`${ff.baseUrl}extension/popup/index.html`, { waitUntil: 'networkidle0' });
    tabId = await waitFor('the chat tab', () =>
      extPage.evaluate(
        async (origin) =>
          (await browser.tabs.query({})).find((t) => t.url?.startsWith(origin))?.id ?? undefined,
        chat.origin,
      ),
    );
    await page.bringToFront();
  });

  afterAll(async () => {
    await ff?.close();
    await bob?.close();
    await chat?.close();
  });

  /** A trusted mouse click near the left edge of the element (the bar is centred at the top). */
  async function trustedClick(selector: string, text?: string): Promise<void> {
    const at = await page.evaluate(
      (sel, exact) => {
        const el = Array.from(document.querySelectorAll(sel)).find(
          (e) => exact === null || e.textContent === exact,
        );
        if (!el) return null;
        el.scrollIntoView({ block: 'nearest' });
        const r = el.getBoundingClientRect();
        return { x: r.left + Math.min(6, r.width / 2), y: r.top + r.height / 2 };
      },
      selector,
      text ?? null,
    );
    if (!at) throw new Error(`nothing matches ${selector} ${text ?? ''}`);
    await page.mouse.click(at.x, at.y);
  }

  /** Whether the focus is inside the picker (from the page's side: the host is the active element). */
  const pickerFocused = () =>
    page.evaluate((host) => document.activeElement?.matches(host) === true, PICKER_HOST);

  it('clicks the page fakes are not picks; three trusted picks; Enter saves; the profile reads the page', async () => {
    const before = await waitFor('the page reported', async () => (await status()).page ?? undefined);
    expect(before.adapter).toBeNull();
    expect(before.profile).toBeNull();

    await request({ type: 'picker-start', tabId });
    await page.waitForSelector(PICKER_HOST);
    expect(await page.$$eval(PICKER_HOST, (hosts) => hosts.map((h) => h.shadowRoot))).toEqual([null]);
    // The page's own listener records every click it gets to see.
    await page.evaluate(() => {
      globalThis.__clicks = [];
      document.addEventListener('click', (e) =>
        globalThis.__clicks.push({
          trusted: e.isTrusted,
          prevented: e.defaultPrevented,
          target: (e.target as Element).className,
        }),
      );
    });

    // The page fakes a whole pick sequence: the picker takes none of it (the page's handlers run,
    // nothing is prevented, no review opens: Save would have the focus).
    await page.evaluate(() => {
      const bodies = Array.from(document.querySelectorAll('.bubble p.body'));
      for (const el of [
        document.querySelector('.composer .editor'),
        bodies.find((b) => b.textContent === 'how are you?'),
        bodies.find((b) => b.textContent === 'fine, thanks'),
      ])
        (el as HTMLElement).click();
    });
    expect(await page.evaluate(() => globalThis.__clicks)).toEqual([
      { trusted: false, prevented: false, target: 'editor' },
      { trusted: false, prevented: false, target: 'body' },
      { trusted: false, prevented: false, target: 'body' },
    ]);
    expect(await pickerFocused()).toBe(false);

    // A person's three clicks: picks, which the page never sees; the review opens with Save focused.
    await trustedClick('.composer .editor');
    await trustedClick('.bubble p.body', 'how are you?');
    await trustedClick('.bubble p.body', 'fine, thanks');
    await waitFor(
      'the review, Save focused',
      async () => ((await pickerFocused()) ? true : undefined),
      10_000,
    );
    expect((await page.evaluate(() => globalThis.__clicks)).filter((c) => c.trusted)).toEqual([]);
    expect(
      await request({ type: 'profile-get', origin: chat.origin }).then(
        (r) => (r as { profile: unknown }).profile,
      ),
    ).toBeNull();

    // Enter (trusted, from the keyboard) saves: the bar closes and the background has the profile.
    await page.keyboard.press('Enter');
    await page.waitForSelector(PICKER_HOST, { hidden: true });
    const profile = await waitFor('the profile saved', async () => {
      const r = (await request({ type: 'profile-get', origin: chat.origin })) as {
        profile: SiteProfile | null;
      };
      return r.profile ?? undefined;
    });
    expect(profile.site).toBe(chat.origin);
    expect(profile.own).toEqual({ match: 'row', selector: '.out' });
    expect(profile.senderAttribute).toBe('data-author');
    expect(profile.selectors.text).toBe('p.body');
    expect(profile.send).toBe('enter');
    expect(await page.$$eval(profile.selectors.compose, (els) => els.map((e) => e.className))).toEqual([
      'editor',
    ]);

    // The content script now reads the page through the profile.
    const after = await waitFor('the profile in charge', async () => {
      const s = await status();
      return s.page?.adapter === 'profile' && s.conversation?.kind === 'one-to-one' ? s : undefined;
    });
    expect(after.page?.profile).toEqual({ ok: true, problems: [], rows: 4 });
    expect(after.conversation?.peer).toBe('bob');
  });

  it('bob (Chromium) imports the profile; AKE; two messages each way, read once and encrypted; the relay saw only OTR', async () => {
    bob = await openVirtualPerson(chat, 'bob', 'alice');
    const bobPerson = bob;
    const { text } = (await request({ type: 'profile-export', origin: chat.origin })) as { text: string };
    await pageRequest(bobPerson, { type: 'profile-import', text });
    await waitFor('bob in a one-to-one chat through the profile', async () => {
      const s = (await pageRequest(bobPerson, { type: 'status', tabId: bobPerson.tabId })) as Status;
      return s.page?.adapter === 'profile' && s.conversation?.kind === 'one-to-one' ? true : undefined;
    });

    const before = chat.lines().length;
    await page.bringToFront();
    await request({ type: 'go-private', tabId });
    await waitFor(
      'alice encrypted',
      async () => ((await status()).status?.state === 'encrypted' ? true : undefined),
      60_000,
      200,
    );
    // Private mode makes the page's own editor inert, under the cover pointing at the panel.
    expect(await page.$eval('.composer .editor', (e) => e.hasAttribute('inert'))).toBe(true);
    expect(await page.$$eval('[data-offrecord-cover]', (els) => els.length)).toBe(1);
    await waitForStatus(bobPerson.page, ['unverified', 'private'], 30_000);

    const fromAlice = ['ff-secret one', 'ff-secret Ünïcødé 🦊 ключ'];
    const fromBob = ['cr-secret two', 'cr-secret ελληνικά 👩‍💻'];
    const panel = await firefoxPanel(ff, page, tabId);
    for (let i = 0; i < 2; i++) {
      // Alice types in offrecord's panel (the sidebar's page) and sends with Enter.
      await panel.type('[data-testid=compose-box]', fromAlice[i] as string);
      await panel.keyboard.press('Enter');
      await waitFor('the panel compose emptied', async () =>
        (await panel.$eval('[data-testid=compose-box]', (t) => (t as HTMLTextAreaElement).value)) === ''
          ? true
          : undefined,
      );
      await waitForEntry(bobPerson.page, 'in', fromAlice[i] as string);
      await composeSend(bobPerson.page, fromBob[i] as string);
      await waitFor(`alice reads ${fromBob[i]}`, async () =>
        (await firefoxTranscript(panel)).some((e) => e.dir === 'in' && e.text === fromBob[i])
          ? true
          : undefined,
      );
    }

    // Each message read once, encrypted, on the other side.
    const bobIn = (await transcript(bobPerson.page)).filter((e) => e.dir === 'in');
    expect(bobIn.map((e) => e.text)).toEqual(fromAlice);
    expect(bobIn.every((e) => e.encrypted)).toBe(true);
    const aliceIn = (await firefoxTranscript(panel)).filter((e) => e.dir === 'in');
    expect(aliceIn.map((e) => e.text)).toEqual(fromBob);
    expect(aliceIn.every((e) => e.encrypted)).toBe(true);

    // The relay carried OTR only after the switch, and none of the plaintext.
    const carried = chat.lines().slice(before);
    expect(carried.length).toBeGreaterThanOrEqual(4 + 4);
    for (const l of carried) expect(l.text.startsWith('?OTR'), l.text.slice(0, 80)).toBe(true);
    const all = carried.map((l) => l.text).join('\n');
    expect(all.includes('secret')).toBe(false);
    // The page's own editor holds nothing of what alice typed, nor does the page.
    expect(await page.$eval('.composer .editor', (e) => e.textContent)).toBe('');
    expect(await page.evaluate(() => document.documentElement.textContent?.includes('secret'))).toBe(false);
  });

  it('a page that takes the focus back (un-inerts and focuses its editor) gets none of the keystrokes', async () => {
    const panel = await firefoxPanel(ff, page, tabId);
    await page.evaluate(() => {
      const w = window as unknown as { keys: string[] };
      w.keys = [];
      for (const t of ['keydown', 'keypress', 'input', 'beforeinput'])
        document.addEventListener(t, (e) => w.keys.push((e as KeyboardEvent).key ?? e.type), true);
      const editor = document.querySelector('.composer .editor') as HTMLElement;
      editor.removeAttribute('inert');
      editor.focus();
    });
    // The cover puts inert back; the user types in the panel, which the page cannot reach.
    await waitFor('the editor inert again', async () =>
      (await page.$eval('.composer .editor', (e) => e.hasAttribute('inert'))) ? true : undefined,
    );
    await panel.type('[data-testid=compose-box]', 'taken-back');
    expect(await page.evaluate(() => (window as unknown as { keys: string[] }).keys)).toEqual([]);
    expect(await page.$eval('.composer .editor', (e) => e.textContent)).toBe('');
    expect(await panel.$eval('[data-testid=compose-box]', (t) => (t as HTMLTextAreaElement).value)).toBe(
      'taken-back',
    );
  });
});
