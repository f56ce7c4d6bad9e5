// The options page in real Chromium (built test-flavor extension), driven by role and name:
// generate a key with a progress bar, export then import otr.private_key (and a refused import),
// otr.fingerprints import / verify / revoke / export / forget, a site's policy, removing a site.
// A screenshot of the page lands in test-results/screenshots/options.png.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';
import { openOptions } from './lib/options';
import { SHOTS } from './lib/popup-relay';

const FP = '0123456789abcdef0123456789abcdef01234567';
const FP_HUMAN = '01234567 89ABCDEF 01234567 89ABCDEF 01234567';

describe('options page in Chromium', () => {
  let ext: ChromiumExtension;
  let server: StaticServer;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startStaticServer({ files: {} });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    page = await openOptions(ext);
  });
  afterAll(async () => {
    await ext?.close();
    await server?.close();
  });

  it('generates a key for an account offrecord has seen (picked, not typed) with a progress bar, exports it and imports it back', async () => {
    await page.getByText('No private keys yet.', { exact: false }).waitFor();
    // No account seen yet: nothing to generate for, and no free-text account or protocol anywhere.
    await page.getByText('Every account offrecord has seen has a key.', { exact: false }).waitFor();
    expect(await page.getByRole('textbox', { name: 'Account' }).count()).toBe(0);
    expect(await page.getByRole('textbox', { name: 'Protocol' }).count()).toBe(0);
    // A known buddy of carol@example.org (an otr.fingerprints import) makes carol's account seen.
    const buddies = page.getByRole('region', { name: 'Known fingerprints' });
    await buddies
      .getByRole('textbox', { name: 'Paste otr.fingerprints to import' })
      .fill(`dave\tcarol@example.org\tprpl-jabber\t${FP}\t\n`);
    await buddies.getByRole('button', { name: 'Import otr.fingerprints' }).click();
    await buddies.getByRole('status').filter({ hasText: 'Imported 1 fingerprint(s).' }).waitFor();
    await page.reload();
    const account = page.getByRole('combobox', { name: 'Account (seen on your allowed sites)' });
    await account.waitFor();
    expect(await account.locator('option').allTextContents()).toEqual(['carol@example.org (prpl-jabber)']);
    // Key generation can take 20 ms: a waitFor could miss a bar that came and went, so record it.
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        const bar = document.querySelector('[role="progressbar"], progress');
        if (bar?.getAttribute('aria-label') === 'Key generation progress') w.sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true, attributes: true });
    });
    await page.getByRole('button', { name: 'Generate' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Generated a key for carol@example.org' })
      .waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    const keys = page.getByRole('table', { name: 'My private keys' });
    await keys.getByRole('cell', { name: 'carol@example.org', exact: true }).waitFor();
    const fp = (await keys.locator('code.fp').first().textContent()) ?? '';
    expect(fp).toMatch(/^([0-9A-F]{8} ){4}[0-9A-F]{8}$/);

    await page.getByRole('button', { name: 'Export otr.private_key' }).click();
    const exported = page.getByRole('textbox', { name: 'Exported otr.private_key' });
    await expect.poll(() => exported.inputValue()).toContain('(privkeys');
    const text = await exported.inputValue();
    expect(text).toContain('carol@example.org');
    await page.getByRole('link', { name: 'Save otr.private_key' }).waitFor();

    // A damaged file imports nothing and says why.
    await page.getByRole('textbox', { name: 'Paste otr.private_key to import' }).fill('(privkeys (account');
    await page.getByRole('button', { name: 'Import otr.private_key' }).click();
    await page.getByRole('alert').filter({ hasText: 'Nothing was imported' }).waitFor();
    // The exported file imports back whole, the same fingerprint.
    await page.getByRole('textbox', { name: 'Paste otr.private_key to import' }).fill(text);
    await page.getByRole('button', { name: 'Import otr.private_key' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported 1 key(s).' }).waitFor();
    expect(await keys.locator('code.fp').first().textContent()).toBe(fp);
  });

  it('imports, verifies, revokes, exports and forgets known fingerprints', async () => {
    const section = page.getByRole('region', { name: 'Known fingerprints' });
    await section
      .getByRole('textbox', { name: 'Paste otr.fingerprints to import' })
      .fill(`dave\tcarol@example.org\tprpl-jabber\t${FP}\t\n`);
    await section.getByRole('button', { name: 'Import otr.fingerprints' }).click();
    await section.getByRole('status').filter({ hasText: 'Imported 1 fingerprint(s).' }).waitFor();
    const table = section.getByRole('table', { name: 'Known fingerprints' });
    const row = table.getByRole('row').filter({ hasText: 'dave' });
    await row.getByRole('cell', { name: 'Unverified' }).waitFor();
    await row.getByText(FP_HUMAN).waitFor();

    await row.getByRole('button', { name: `Verify dave's fingerprint ${FP_HUMAN}` }).click();
    await row.getByRole('cell', { name: 'Verified', exact: true }).waitFor();
    await page.screenshot({ path: join(SHOTS, 'options.png'), fullPage: true });
    await section.getByRole('button', { name: 'Export otr.fingerprints' }).click();
    const exported = section.getByRole('textbox', { name: 'Exported otr.fingerprints' });
    await expect
      .poll(() => exported.inputValue())
      .toBe(`dave\tcarol@example.org\tprpl-jabber\t${FP}\tverified\n`);

    await row.getByRole('button', { name: `Revoke verification of dave's fingerprint ${FP_HUMAN}` }).click();
    await row.getByRole('cell', { name: 'Unverified' }).waitFor();
    await row.getByRole('button', { name: `Forget dave's fingerprint ${FP_HUMAN}` }).click();
    await section.getByText('No known fingerprints yet.').waitFor();

    // Round trip: the exported file brings it back, verified.
    await section
      .getByRole('textbox', { name: 'Paste otr.fingerprints to import' })
      .fill(await exported.inputValue());
    await section.getByRole('button', { name: 'Import otr.fingerprints' }).click();
    await section
      .getByRole('table', { name: 'Known fingerprints' })
      .getByRole('cell', { name: 'Verified', exact: true })
      .waitFor();
  });

  it('sets a site policy, keeps it across a reload, and forgets the site', async () => {
    const section = page.getByRole('region', { name: 'Sites' });
    await section.getByRole('listitem').filter({ hasText: 'http://127.0.0.1/*' }).waitFor();
    await section.getByRole('textbox', { name: 'Allow a site' }).fill(`${server.origin}/room`);
    await section.getByRole('button', { name: 'Allow' }).click();
    const select = section.getByRole('combobox', { name: `Policy for ${server.origin}` });
    await select.waitFor();
    expect(await select.inputValue()).toBe('manual');
    await select.selectOption({ label: 'Always: require private messaging' });
    await section
      .getByRole('status')
      .filter({ hasText: `${server.origin}: Always` })
      .waitFor();
    // The longest message the site carries: refused out of range, kept when valid, cleared when emptied.
    const longest = section.getByRole('spinbutton', {
      name: `Longest message on ${server.origin}`,
      exact: false,
    });
    await longest.fill('50');
    await longest.press('Enter');
    await section.getByRole('alert').filter({ hasText: 'Enter a number from 100 to 100000' }).waitFor();
    await longest.fill('1500');
    await longest.press('Enter');
    await section
      .getByRole('status')
      .filter({ hasText: `${server.origin}: messages longer than 1500 characters now go in pieces.` })
      .waitFor();
    await page.screenshot({ path: join(SHOTS, 'options-sites.png'), fullPage: true });
    await page.reload();
    const again = page.getByRole('combobox', { name: `Policy for ${server.origin}` });
    await expect.poll(() => again.inputValue()).toBe('always');
    const longestAgain = page.getByRole('spinbutton', {
      name: `Longest message on ${server.origin}`,
      exact: false,
    });
    expect(await longestAgain.inputValue()).toBe('1500');
    await longestAgain.fill('');
    await longestAgain.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `${server.origin}: back to the site's own limit.` })
      .waitFor();
    expect(await longestAgain.inputValue()).toBe('');
    await expect.poll(() => again.inputValue()).toBe('always');
    await page.getByRole('button', { name: `Forget the settings of ${server.origin}` }).click();
    await page.getByText('No site settings yet', { exact: false }).waitFor();
  });
});
