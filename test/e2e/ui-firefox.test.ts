// The extension's own pages in real Firefox ESR (puppeteer-core over WebDriver BiDi), against the
// built test-flavor add-on and a minichat page where alice talks to bob (tools/otr-peer):
//  - axe-core on popup (with the chat open), options, help and the side panel, in the light and
//    the dark colour scheme (Firefox's content colour-scheme pref; the dark tokens are checked to
//    be in use): no serious or critical violation;
//  - the dark run is in German (Firefox with Debian's firefox-esr-l10n-de, intl.locale.requested
//    = de): the popup goes private with bob in German (Nicht privat → Unbestätigt), then options
//    and help, with none of the English left on the way.
// One Firefox per scheme (a pref set at launch), one minichat and bob for both. Extension pages are
// awaited with networkidle0 (their BiDi "load" did not arrive here; the other Firefox suites do
// the same).

import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGES } from '../../extension/shared/build-info';
import { seriousViolations } from './lib/axe';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { type MinichatBob, startMinichatBob, tabOfPeer } from './lib/minichat-bob';
import { waitFor } from './lib/ngircd';

const PANEL_PAGE = 'extension/panel/index.html';
/** tokens.css --or-bg, as the computed style gives it. */
const BODY_BG = { light: 'rgb(255, 255, 255)', dark: 'rgb(21, 24, 28)' };

const text = (page: Page, selector: string) =>
  page.$eval(selector, (el) => el.textContent ?? '').catch(() => '');

/** Clicks (a real input event) the button whose text is exactly `label`. */
async function clickButton(page: Page, label: string): Promise<void> {
  const handle = await waitFor(
    `the button ${label}`,
    async () => {
      for (const b of await page.$$('button'))
        if ((await b.evaluate((el) => el.textContent?.trim() ?? '')) === label) return b;
      return undefined;
    },
    15_000,
    100,
  );
  await handle.click();
}

/** Waits until `selector` shows in the page; returns the page. */
async function ready(page: Page, selector: string, ms = 30_000): Promise<Page> {
  await waitFor(selector, async () => ((await page.$(selector)) ? true : undefined), ms, 100);
  return page;
}

let duo: MinichatBob;
beforeAll(async () => {
  duo = await startMinichatBob({ prefix: 'offrecord-ui-ff-' });
}, 60_000);
afterAll(async () => {
  await duo?.close();
});

/** Firefox in a colour scheme (and language), with alice's chat with bob open in a tab. */
async function start(
  scheme: 'light' | 'dark',
  locale: 'en-US' | 'de',
): Promise<{ ext: FirefoxExtension; tabId: number; chat: Page }> {
  const ext = await launchFirefox({
    extensionDir: extensionDir('firefox', 'test'),
    prefs: {
      // 0 dark, 1 light: what prefers-color-scheme says to pages, extension pages included.
      'layout.css.prefers-color-scheme.content-override': scheme === 'dark' ? 0 : 1,
      'intl.locale.requested': locale,
      // scrypt-free, but key generation may take a while under load: no unload mid-way.
      'extensions.background.idle.timeout': 30_000,
    },
  });
  const chat = await ext.browser.newPage();
  await chat.goto(duo.chat.pageUrl('alice', 'bob'));
  const probe = await ext.browser.newPage();
  await probe.goto(`${ext.baseUrl}${PAGES.help}`, { waitUntil: 'networkidle0' });

  const tabId = await waitFor('the chat tab to report its chat', () => tabOfPeer(probe, 'bob'), 30_000, 200);
  await probe.close();
  await chat.bringToFront();
  return { ext, tabId, chat };
}

const PAGES_TO_CHECK: { name: string; path: (tabId: number) => string; ready: string }[] = [
  { name: 'popup', path: (tab) => `${PAGES.popup}?tab=${tab}`, ready: 'output.level' },
  { name: 'options', path: () => PAGES.options, ready: '#keys-title' },
  { name: 'help', path: () => PAGES.help, ready: '#help-title' },
  { name: 'panel', path: (tab) => `${PANEL_PAGE}?tab=${tab}`, ready: '[data-testid=panel-status]' },
];

for (const [scheme, locale] of [
  ['light', 'en-US'],
  ['dark', 'de'],
] as const) {
  describe(`Firefox ESR, ${scheme}${locale === 'de' ? ', German' : ''}`, () => {
    let ext: FirefoxExtension;
    let tabId: number;

    beforeAll(async () => {
      ({ ext, tabId } = await start(scheme, locale));
    }, 120_000);
    afterAll(async () => {
      await ext?.close();
    });

    for (const target of PAGES_TO_CHECK) {
      it(`axe-core: ${target.name} has 0 serious or critical violations`, async () => {
        const page = await ext.browser.newPage();
        try {
          await page.setViewport(
            target.name === 'popup' ? { width: 360, height: 700 } : { width: 1000, height: 800 },
          );
          await page.goto(`${ext.baseUrl}${target.path(tabId)}`, { waitUntil: 'networkidle0' });
          await ready(page, target.ready);
          // The scheme really is in use (the tokens switched), so it is what axe measured.
          const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
          expect(bg).toBe(BODY_BG[scheme]);
          expect(await page.evaluate(() => document.documentElement.lang)).toBe(
            locale === 'de' ? 'de' : 'en',
          );
          expect(await seriousViolations(page)).toEqual([]);
        } finally {
          await page.close();
        }
      });
    }

    if (locale === 'de')
      it('goes private with bob in German: popup, then options and help, no English left', async () => {
        const popup = await ext.browser.newPage();
        await popup.setViewport({ width: 360, height: 700 });
        await popup.goto(`${ext.baseUrl}${PAGES.popup}?tab=${tabId}`, { waitUntil: 'networkidle0' });
        await ready(popup, 'output.level');
        const status = () => text(popup, 'output.level');
        await waitFor(
          'Nicht privat',
          async () => ((await status()) === 'Nicht privat' ? true : undefined),
          30_000,
          100,
        );
        expect(await popup.$eval('output.level', (el) => el.getAttribute('aria-label'))).toBe(
          'Vertraulichkeitsstatus: Nicht privat',
        );
        await clickButton(popup, 'Private Unterhaltung beginnen');
        await waitFor(
          'Unbestätigt',
          async () => ((await status()) === 'Unbestätigt' ? true : undefined),
          90_000,
          100,
        );
        // bob is private too (he is so once our last AKE message reached him).
        await waitFor(
          'bob encrypted',
          async () => (duo.encryptedCount() > 0 ? true : undefined),
          30_000,
          100,
        );
        const body = await text(popup, 'body');
        expect(body).toContain('bob wurde noch nicht authentifiziert.');
        expect(body).toContain('Kontakt authentifizieren');
        for (const english of [
          'Not private',
          'Unverified',
          'Start private conversation',
          'Settings',
          'Help ',
        ]) {
          expect(body).not.toContain(english);
        }
        await clickButton(popup, 'Private Unterhaltung beenden');
        await waitFor(
          'Nicht privat again',
          async () => ((await status()) === 'Nicht privat' ? true : undefined),
          30_000,
          100,
        );
        await popup.close();

        const options = await ext.browser.newPage();
        await options.goto(`${ext.baseUrl}${PAGES.options}`, { waitUntil: 'networkidle0' });
        await ready(options, '#keys-title');
        expect(await text(options, 'h1')).toBe('offrecord-Einstellungen');
        await ready(options, 'select[aria-label="Richtlinie für bob (alice)"]');
        const optionsText = await text(options, 'body');
        for (const german of [
          'Meine privaten Schlüssel',
          'otr.private_key exportieren',
          'Richtlinie pro Kontakt',
        ])
          expect(optionsText).toContain(german);
        await options.close();

        const help = await ext.browser.newPage();
        await help.goto(`${ext.baseUrl}${PAGES.help}`, { waitUntil: 'networkidle0' });
        await ready(help, '#help-title');
        expect(await text(help, 'h1')).toBe('Hilfe zu offrecord');
        expect(await help.title()).toBe('Hilfe zu offrecord');
        expect(await text(help, 'body')).toContain('Was jeder Status bedeutet');
        await help.close();
      }, 180_000);
  });
}
