// Site profiles in the popup and the options page (issue 9), in real Chromium with the built
// test-flavor extension and its real content script, on a chat page offrecord has no adapter for:
// the virtual-chat fixture (contenteditable compose, recycled rows) served as a static page.
// - the popup shows the generic adapter's guess and "Show offrecord where the chat is";
// - a profile file imported on the options page makes the popup show the profile, matching;
// - the page changes (its message list removed): the popup says the profile stopped matching,
//   with the problem, and private mode is refused with that reason (by the popup and the background);
// - Export (popup and options) gives back exactly the imported JSON;
// - malformed, script-carrying and oversized files are refused with their own error;
// - Remove (asked twice) brings back the unknown-chat view, and the options table says none;
//   the options table's own Import and Remove work on the site's row.
// Screenshots (360 px wide) land in test-results/screenshots/popup-profile-*.png.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Download, Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeProfile } from '../../src/profile/profile';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  REPO_ROOT,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';
import { openOptions } from './lib/options';
import { openPopup, pageInfoOf, pageRequest, SHOTS, shot, tabIdOf } from './lib/popup-relay';

const FIXTURE = readFileSync(join(REPO_ROOT, 'test/fixtures/pages/virtual-chat.html'), 'utf8');

interface PageInfoLike {
  adapter: string | null;
  profile: { ok: boolean; problems: string[]; rows: number } | null;
  guess: { confidence: number; reasons: string[] } | null;
}

/** A profile of the virtual chat, as a user would have made it with the picker. */
function profileText(site: string): string {
  return serializeProfile({
    format: 'offrecord-site-profile',
    version: 1,
    site,
    name: 'Virtual chat',
    selectors: {
      compose: '.composer .editor',
      list: '#viewport .spacer',
      row: '.bubble',
      text: '.body',
      sender: '.who',
      peer: '.peer-name',
    },
    own: { match: 'row', selector: '.bubble.out' },
    send: { button: '.composer .send' },
    maxMessageLength: 2000,
  });
}

async function downloaded(d: Download): Promise<string> {
  const path = await d.path();
  return readFileSync(path, 'utf8');
}

describe('popup and options in Chromium: site profiles on a chat without an adapter', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;
  let chat: Page;
  let tabId: number;
  let options: Page;
  let host: string;
  let text: string;

  /** The tab's page report, once the content script has made one that passes `ok`. */
  const reported = async (ok: (p: PageInfoLike) => boolean, timeout = 15_000): Promise<PageInfoLike> => {
    let last: PageInfoLike | null = null;
    await expect
      .poll(
        async () => {
          last = (await pageInfoOf(ext, tabId)) as PageInfoLike | null;
          return last !== null && ok(last);
        },
        { timeout },
      )
      .toBe(true);
    return last as unknown as PageInfoLike;
  };

  const sitesRow = () =>
    options
      .getByRole('table', { name: 'Policy per site' })
      .getByRole('row')
      .filter({ hasText: server.origin });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startStaticServer({ files: { '/virtual.html': FIXTURE } });
    host = new URL(server.origin).host;
    text = profileText(server.origin);
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    chat = await ext.context.newPage();
    await chat.goto(`${server.origin}/virtual.html`);
    tabId = await tabIdOf(ext, `${server.origin}/virtual.html`);
    options = await openOptions(ext);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('on a chat offrecord does not know, shows the guess and the button to show it where the chat is', async () => {
    const info = await reported((p) => p.adapter === null && p.guess !== null);
    const popup = await openPopup(ext, tabId);
    await popup.getByRole('heading', { name: "offrecord doesn't know this chat." }).waitFor();
    const pct = Math.round((info.guess?.confidence ?? 0) * 100);
    await popup
      .getByText(pct >= 50 ? `Looks like a chat: ${pct}% sure.` : `(${pct}% sure)`, { exact: false })
      .waitFor();
    // The reasons, one click away, as the page's generic adapter gave them.
    await popup.getByText('Why offrecord thinks so').click();
    for (const r of info.guess?.reasons ?? [])
      await popup.getByRole('listitem').filter({ hasText: r }).waitFor();
    // "No chat open" would only confuse here; and there is no Start button to press.
    expect(await popup.getByText(/found no one-to-one chat/).count()).toBe(0);
    expect(await popup.getByRole('button', { name: 'Start private conversation' }).count()).toBe(0);
    await shot(popup, 'unknown', 'popup-profile');

    await popup.getByRole('button', { name: 'Show offrecord where the chat is' }).click();
    await popup
      .getByRole('status')
      .filter({ hasText: 'Click the elements offrecord asks for in the page' })
      .waitFor();
    await shot(popup, 'teaching', 'popup-profile');
    await popup.close();
    // Leave the picker: a fresh page.
    await chat.reload();
  });

  it('imports a profile file on the options page; the popup shows it, matching the page', async () => {
    await options
      .getByLabel('Import a site profile file (.json)')
      .setInputFiles({ name: 'virtual.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await options
      .getByRole('status')
      .filter({ hasText: `Imported the site profile for ${server.origin}.` })
      .waitFor();
    await sitesRow().getByTestId('profile-state').filter({ hasText: 'saved (Virtual chat)' }).waitFor();

    const info = await reported((p) => p.profile?.ok === true);
    const popup = await openPopup(ext, tabId);
    await popup.getByRole('heading', { name: `Site profile for ${host}` }).waitFor();
    await popup.getByText(`Matches this page: ${info.profile?.rows} messages found.`).waitFor();
    expect(info.profile?.rows).toBeGreaterThan(0);
    // What the profile says, as the user can compare it with the page.
    const lines = popup.locator('dl.profile-lines');
    for (const [term, value] of [
      ['Message box', '.composer .editor'],
      ['Message list', '#viewport .spacer'],
      ['One message', '.bubble'],
      ['My messages', 'messages that match .bubble.out'],
      ['Send with', 'the button .composer .send'],
      ['Longest message', '2000'],
    ] as const) {
      const dt = lines.locator('dt', { hasText: term });
      await dt.waitFor();
      expect(
        (await dt.locator('xpath=following-sibling::dd[1]').textContent())?.replace(/\s+/g, ' ').trim(),
      ).toBe(value);
    }
    expect(await popup.getByRole('alert').count()).toBe(0);
    await shot(popup, 'matching', 'popup-profile');
    await popup.close();
  });

  it('says the profile stopped matching when the page changes, and private mode is refused with that reason', async () => {
    await chat.evaluate(() => document.getElementById('viewport')?.remove());
    const info = await reported((p) => p.profile?.ok === false);
    expect(info.profile?.problems.length).toBeGreaterThan(0);
    const popup = await openPopup(ext, tabId);
    const warning = popup.getByRole('alert').filter({ hasText: 'The site profile stopped matching' });
    await warning.waitFor();
    for (const p of info.profile?.problems ?? [])
      await warning.getByRole('listitem').filter({ hasText: p }).waitFor();
    await warning.getByRole('button', { name: 'Show offrecord where the chat is' }).waitFor();

    // The reason private mode is refused, as the page reported it (the first problem in it).
    const st = (await pageRequest(popup, { type: 'status', tabId })) as {
      result: { conversation: { reason: string | null } | null };
    };
    const reason = st.result.conversation?.reason ?? '';
    expect(reason).toContain(info.profile?.problems[0] ?? '?');
    // The popup does not offer to start: a Start button, if shown at all, is disabled with the reason.
    const start = popup.getByRole('button', { name: 'Start private conversation' });
    if ((await start.count()) > 0) {
      expect(await start.isDisabled()).toBe(true);
      expect(await popup.locator('#start-refused').textContent()).toBe(reason);
    } else {
      await popup.getByRole('status').filter({ hasText: reason }).waitFor();
    }
    // And the background refuses it with that reason.
    const reply = (await pageRequest(popup, { type: 'go-private', tabId })) as {
      ok: boolean;
      error?: string;
    };
    expect(reply).toMatchObject({ ok: false, error: reason });
    await shot(popup, 'stopped-matching', 'popup-profile');
    await popup.close();

    // The page as it was: the profile matches again.
    await chat.reload();
    await reported((p) => p.profile?.ok === true);
  });

  it('exports exactly the imported JSON, from the popup and from the options page', async () => {
    const popup = await openPopup(ext, tabId);
    await popup.getByRole('heading', { name: `Site profile for ${host}` }).waitFor();
    const [fromPopup] = await Promise.all([
      popup.waitForEvent('download'),
      popup.getByRole('button', { name: 'Export site profile' }).click(),
    ]);
    expect(fromPopup.suggestedFilename()).toBe(`offrecord-profile-${host.replace(':', '_')}.json`);
    expect(await downloaded(fromPopup)).toBe(text);
    await popup.close();

    const [fromOptions] = await Promise.all([
      options.waitForEvent('download'),
      sitesRow()
        .getByRole('button', { name: `Export the site profile of ${server.origin}` })
        .click(),
    ]);
    expect(await downloaded(fromOptions)).toBe(text);
  });

  it('refuses a malformed, a script-carrying and an oversized file with its own error, keeping the saved profile', async () => {
    const input = options.getByLabel('Import a site profile file (.json)');
    const refusals: [string, string][] = [
      ['{"format": "offrecord-site-profile",', 'profile file is not valid JSON'],
      [
        text.replace('.composer .editor', 'javascript:alert(1)'),
        'selectors.compose looks like script, not a selector',
      ],
      [text.replace('"name": "Virtual chat"', '"onload": "alert(1)"'), 'profile: unknown key "onload"'],
      [`${text}${' '.repeat(9000)}`, `profile file is ${text.length + 9000} bytes; at most 8192 are allowed`],
    ];
    for (const [body, error] of refusals) {
      await input.setInputFiles({
        name: 'bad.json',
        mimeType: 'application/json',
        buffer: Buffer.from(body),
      });
      await options
        .getByRole('alert')
        .filter({ hasText: `This file was not imported: ${error}` })
        .waitFor();
    }
    await options.screenshot({ path: join(SHOTS, 'options-profile.png'), fullPage: true });

    // In the popup too.
    const popup = await openPopup(ext, tabId);
    await popup
      .getByLabel('Import a site profile')
      .setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('[]') });
    await popup
      .getByRole('alert')
      .filter({ hasText: 'This file was not imported: profile must be a JSON object' })
      .waitFor();
    await shot(popup, 'import-refused', 'popup-profile');
    // Nothing changed: still saved, still the same text.
    await popup.getByText(/^Matches this page: \d+ messages found\.$/).waitFor();
    const kept = (await pageRequest(popup, { type: 'profile-export', origin: server.origin })) as {
      result: { text: string };
    };
    expect(kept.result.text).toBe(text);
    await popup.close();
  });

  it('removes the profile after asking; the popup is back to the guess and the options say none', async () => {
    const popup = await openPopup(ext, tabId);
    await popup.getByRole('button', { name: 'Remove site profile' }).click();
    const ask = popup.getByRole('group', { name: `Remove the site profile for ${host}?`, exact: false });
    await ask.waitFor();
    await shot(popup, 'remove-confirm', 'popup-profile');
    await ask.getByRole('button', { name: 'Cancel' }).click();
    expect(await ask.count()).toBe(0);
    expect(
      (
        (await pageRequest(popup, { type: 'profile-get', origin: server.origin })) as {
          result: { profile: unknown };
        }
      ).result.profile,
    ).not.toBeNull();

    await popup.getByRole('button', { name: 'Remove site profile' }).click();
    await ask.getByRole('button', { name: 'Yes, remove it' }).click();
    await popup
      .getByRole('status')
      .filter({ hasText: `The site profile for ${host} was removed.` })
      .waitFor();
    await reported((p) => p.profile === null && p.adapter === null);
    await popup.getByRole('heading', { name: "offrecord doesn't know this chat." }).waitFor();
    await popup.close();

    await options.reload();
    await sitesRow().getByTestId('profile-state').filter({ hasText: 'none' }).waitFor();
    expect(
      await sitesRow()
        .getByRole('button', { name: /^Export the site profile/ })
        .count(),
    ).toBe(0);

    // The site's own row imports and removes too (asked twice there as well); the page follows.
    await sitesRow()
      .getByLabel(`Import a site profile file for ${server.origin}`)
      .setInputFiles({ name: 'virtual.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await sitesRow().getByTestId('profile-state').filter({ hasText: 'saved (Virtual chat)' }).waitFor();
    await reported((p) => p.profile?.ok === true);
    await sitesRow()
      .getByRole('button', { name: `Remove the site profile of ${server.origin}` })
      .click();
    const confirm = sitesRow().getByRole('group', { name: /^Remove the site profile for / });
    await confirm.getByRole('button', { name: 'Yes, remove it' }).click();
    await sitesRow().getByTestId('profile-state').filter({ hasText: 'none' }).waitFor();
    await reported((p) => p.profile === null);
    expect(
      (await pageRequest(options, { type: 'profile-get', origin: server.origin })) as object,
    ).toMatchObject({
      result: { profile: null },
    });

    // And a good file picked in the popup's unknown-chat view is taken there and then.
    const again = await openPopup(ext, tabId);
    await again.getByRole('heading', { name: "offrecord doesn't know this chat." }).waitFor();
    await again
      .getByLabel('Import a site profile')
      .setInputFiles({ name: 'virtual.json', mimeType: 'application/json', buffer: Buffer.from(text) });
    await again
      .getByRole('status')
      .filter({ hasText: `Imported the site profile for ${host}.` })
      .waitFor();
    await again.getByText(/^Matches this page: [1-9]\d* messages found\.$/).waitFor();
    await again.close();
  });
});
