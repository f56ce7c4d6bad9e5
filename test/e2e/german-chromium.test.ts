// The German UI end to end in real Chromium started in German (LANGUAGE=de, --lang=de): the
// toolbar tooltip and badge, the popup going private with a buddy played by tools/otr-peer, the
// options and help pages, all in German from _locales/de, none of the English left on the way.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { PAGES } from '../../extension/shared/build-info';
import { type Peer, startOffrecordPeer, tempDir } from '../interop/lib';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';
import { CHAT, openChat, Pump } from './lib/popup-relay';

declare const chrome: Browser;

describe('German UI in Chromium', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;
  let bob: Peer;
  let pump: Pump;
  const files = tempDir('offrecord-de-');

  beforeAll(async () => {
    server = await startStaticServer({ files: { '/chat.html': CHAT } });
    ext = await launchChromium({
      extensionDir: extensionDir('chrome', 'test'),
      args: ['--lang=de'],
      env: { LANGUAGE: 'de', LANG: 'de_DE.UTF-8', LC_ALL: 'de_DE.UTF-8' },
    });
    bob = await startOffrecordPeer({ account: 'bob', policy: 'manual', key: files.file('bob.private_key') });
  });
  afterAll(async () => {
    pump?.stop();
    await bob?.close();
    await ext?.close();
    await server?.close();
    files.cleanup();
  });

  it('goes private in German: toolbar, popup, options and help', async () => {
    expect(await ext.worker.evaluate(() => chrome.i18n.getUILanguage())).toMatch(/^de/);
    const chat = await openChat(ext, `${server.origin}/chat.html`, { kind: 'one-to-one', peer: 'bob' });
    pump = new Pump(chat.page, bob);
    pump.start();
    const title = (tabId: number) =>
      ext.worker.evaluate((id) => chrome.action.getTitle({ tabId: id }), tabId);
    const badge = (tabId: number) =>
      ext.worker.evaluate((id) => chrome.action.getBadgeText({ tabId: id }), tabId);
    await expect.poll(() => title(chat.tabId), { timeout: 15_000 }).toContain('Nicht privat');
    expect(await badge(chat.tabId)).toBe('aus');

    const popup = await ext.context.newPage();
    await popup.setViewportSize({ width: 360, height: 700 });
    await popup.goto(`${ext.baseUrl}${PAGES.popup}?tab=${chat.tabId}`);
    expect(await popup.evaluate(() => document.documentElement.lang)).toBe('de');
    const status = popup.getByRole('status', { name: /^Vertraulichkeitsstatus: / });
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('Nicht privat');
    await popup.getByRole('button', { name: 'Private Unterhaltung beginnen' }).click();
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Unbestätigt');
    await popup.getByText('bob wurde noch nicht authentifiziert.', { exact: false }).waitFor();
    await popup.getByRole('button', { name: 'Kontakt authentifizieren' }).waitFor();
    await expect.poll(() => title(chat.tabId), { timeout: 15_000 }).toContain('Unbestätigt');
    expect(await badge(chat.tabId)).toBe('OTR?');
    const popupText = (await popup.locator('body').textContent()) ?? '';
    for (const english of ['Not private', 'Unverified', 'Start private conversation', 'Settings', 'Help ']) {
      expect(popupText).not.toContain(english);
    }
    await popup.getByRole('button', { name: 'Private Unterhaltung beenden' }).click();
    await expect.poll(() => status.textContent(), { timeout: 15_000 }).toBe('Nicht privat');
    await popup.close();

    const options = await ext.context.newPage();
    await options.goto(`${ext.baseUrl}${PAGES.options}`);
    await options.getByRole('heading', { name: 'offrecord-Einstellungen', level: 1 }).waitFor();
    await options.getByRole('table', { name: 'Meine privaten Schlüssel' }).waitFor();
    await options.getByRole('button', { name: 'otr.private_key exportieren' }).waitFor();
    await options.close();

    const help = await ext.context.newPage();
    await help.goto(`${ext.baseUrl}${PAGES.help}`);
    await help.getByRole('heading', { name: 'Hilfe zu offrecord', level: 1 }).waitFor();
    await help.getByRole('heading', { name: 'Was jeder Status bedeutet' }).waitFor();
    expect(await help.title()).toBe('Hilfe zu offrecord');
    await help.close();
  });
});
