// More of the popup and options in real Chromium (built test-flavor extension), driven by role and
// name, against tools/otr-peer through the same injected relay as popup-chromium.test.ts (copied
// here: importing a test file would run its tests too):
//  - a libotr-made otr.private_key imported on the options page, then an AKE in which the buddy
//    sees that key's fingerprint;
//  - the changed-fingerprint warning: a manually verified buddy comes back with another key;
//  - Authenticate by shared secret, success;
//  - an SMP the buddy starts while the popup is closed: the "?" badge, then the question first.
// Screenshots land in test-results/screenshots/popup-more-*.png.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { PAGES } from '../../extension/shared/build-info';
import { buildC } from '../interop/build-c';
import { type Peer, startOffrecordPeer, tempDir } from '../interop/lib';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';
import {
  CHAT,
  ME,
  openChat,
  openPopup,
  type PeerEvent,
  Pump,
  SHOTS,
  shot as shotAs,
  statusOf,
} from './lib/popup-relay';

declare const chrome: Browser;

const BUDDY = 'bob';
const OTHER = 'carol';

const shot = (popup: Page, name: string) => shotAs(popup, name, 'popup-more');
const changedAlert = (popup: Page) => popup.getByRole('alert', { name: 'Warning: fingerprint changed' });
const human = (fp: string) => fp.replace(/\s+/g, '').toUpperCase().match(/.{8}/g)?.join(' ') ?? '';

async function badgeOf(ext: ChromiumExtension, tabId: number): Promise<string> {
  return ext.worker.evaluate((tid) => chrome.action.getBadgeText({ tabId: tid }), tabId);
}

/** Manual fingerprint verification in the popup. */
async function verifyManually(popup: Page, fp: string): Promise<void> {
  await popup.getByRole('button', { name: 'Authenticate buddy' }).click();
  await popup.getByRole('radio', { name: 'Manual fingerprint verification' }).check();
  await popup
    .locator('.auth code.fp')
    .filter({ hasText: human(fp) })
    .waitFor();
  await popup
    .getByRole('checkbox', { name: 'I have verified that this is in fact the correct fingerprint.' })
    .check();
}

describe('popup and options in Chromium: imported libotr key, changed fingerprint, shared secret, SMP while closed', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;
  const peers: Peer[] = [];
  const files = tempDir('offrecord-popup-more-');

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startStaticServer({ files: { '/chat.html': CHAT, '/chat2.html': CHAT } });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
  });
  afterAll(async () => {
    for (const p of peers) await p.close();
    await ext?.close();
    await server?.close();
    files.cleanup();
  });

  async function peer(account: string, key: string): Promise<Peer> {
    const p = await startOffrecordPeer({ account, policy: 'manual', key: files.file(key) });
    peers.push(p);
    return p;
  }

  it('imports a libotr otr.private_key on the options page; then the buddy sees its fingerprint; a changed key is a warning until verified again', async () => {
    // libotr makes alice's key.
    const keytool = buildC('keytool');
    const keyFile = files.file('alice.private_key');
    execFileSync(keytool, ['gen', keyFile, ME, 'prpl-irc']);
    const listed = execFileSync(keytool, ['keys', keyFile], { encoding: 'utf8' }).trim().split('\t');
    expect(listed.slice(0, 2)).toEqual([ME, 'prpl-irc']);
    const libotrFp = human(listed[2] ?? '');
    expect(libotrFp).toMatch(/^([0-9A-F]{8} ){4}[0-9A-F]{8}$/);

    const options = await ext.context.newPage();
    await options.goto(`${ext.baseUrl}${PAGES.options}`);
    await options.getByRole('heading', { name: 'offrecord options', level: 1 }).waitFor();
    await options
      .getByRole('textbox', { name: 'Paste otr.private_key to import' })
      .fill(readFileSync(keyFile, 'utf8'));
    await options.getByRole('button', { name: 'Import otr.private_key' }).click();
    await options.getByRole('status').filter({ hasText: 'Imported 1 key(s).' }).waitFor();
    const keys = options.getByRole('table', { name: 'My private keys' });
    await keys.getByRole('cell', { name: ME, exact: true }).waitFor();
    await keys.locator('code.fp').filter({ hasText: libotrFp }).waitFor();
    await options.screenshot({ path: join(SHOTS, 'popup-more-options-imported-key.png'), fullPage: true });
    await options.close();

    // The AKE with that key: otr-peer (bob, key K1) reports alice's fingerprint = libotr's.
    const k1 = await peer(BUDDY, 'bob-k1.private_key');
    const { page, tabId } = await openChat(ext, `${server.origin}/chat.html`, {
      kind: 'one-to-one',
      peer: BUDDY,
    });
    const pump = new Pump(page, k1);
    pump.start();
    try {
      let popup = await openPopup(ext, tabId);
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 15_000 }).toBe('Not private');
      await popup.getByRole('button', { name: 'Start private conversation' }).click();
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 60_000 }).toBe('Unverified');
      // otr-peer goes encrypted on alice's Signature, a moment after alice does.
      await expect
        .poll(() => pump.states.filter((s) => s.state === 'encrypted').length, { timeout: 30_000 })
        .toBeGreaterThan(0);
      const encrypted = pump.states.filter((s) => s.state === 'encrypted');
      expect(human(encrypted.at(-1)?.fingerprint ?? '')).toBe(libotrFp);

      // Verified by hand: Private, no warning.
      await verifyManually(popup, k1.fingerprint);
      await expect.poll(() => statusOf(popup).textContent()).toBe('Private');
      expect(await changedAlert(popup).count()).toBe(0);
      await popup.getByRole('button', { name: 'End private conversation' }).click();
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 15_000 }).toBe('Not private');
      await popup.close();

      // "bob" comes back with another key K2.
      const k2 = await peer(BUDDY, 'bob-k2.private_key');
      expect(k2.fingerprint).not.toBe(k1.fingerprint);
      pump.peer = k2;
      popup = await openPopup(ext, tabId);
      await popup.getByRole('button', { name: 'Start private conversation' }).click();
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 60_000 }).toBe('Unverified');
      await changedAlert(popup).waitFor({ timeout: 15_000 });
      await changedAlert(popup).getByText(`${BUDDY} has a different fingerprint`, { exact: false }).waitFor();
      await expect.poll(() => badgeOf(ext, tabId), { timeout: 15_000 }).toBe('!');
      await popup.getByText("Buddy's fingerprint").click();
      await popup
        .locator('details code.fp')
        .filter({ hasText: human(k2.fingerprint) })
        .waitFor();
      await shot(popup, 'fingerprint-changed');

      // The warning stays across a reopen, until the user verifies the new key.
      await popup.close();
      popup = await openPopup(ext, tabId);
      await changedAlert(popup).waitFor({ timeout: 15_000 });
      await expect.poll(() => statusOf(popup).textContent()).toBe('Unverified');
      await verifyManually(popup, k2.fingerprint);
      await expect.poll(() => statusOf(popup).textContent()).toBe('Private');
      await expect.poll(() => changedAlert(popup).count()).toBe(0);
      await expect.poll(() => badgeOf(ext, tabId), { timeout: 15_000 }).toBe('OTR');
      await shot(popup, 'fingerprint-verified-again');
      await popup.close();
    } finally {
      pump.stop();
      await page.close();
    }
  });

  it('authenticates by shared secret, then shows an SMP the buddy started while the popup was closed', async () => {
    const carol = await peer(OTHER, 'carol.private_key');
    const { page, tabId } = await openChat(ext, `${server.origin}/chat2.html`, {
      kind: 'one-to-one',
      peer: OTHER,
    });
    const pump = new Pump(page, carol);
    pump.start();
    try {
      let popup = await openPopup(ext, tabId);
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 15_000 }).toBe('Not private');
      await popup.getByRole('button', { name: 'Start private conversation' }).click();
      await expect.poll(() => statusOf(popup).textContent(), { timeout: 60_000 }).toBe('Unverified');

      // Shared secret: both type it.
      await popup.getByRole('button', { name: 'Authenticate buddy' }).click();
      await popup.getByRole('radio', { name: 'Shared secret' }).check();
      expect(await popup.getByRole('textbox', { name: 'Enter question here:' }).count()).toBe(0);
      await popup.getByLabel('Enter secret here:').fill('correct horse');
      await shot(popup, 'auth-secret');
      await popup.getByRole('button', { name: 'Authenticate', exact: true }).click();
      await expect.poll(() => pump.smpEvents.map((e) => e.result), { timeout: 30_000 }).toContain('question');
      expect(pump.smpEvents.at(-1)?.question ?? null).toBeNull();
      await pump.deliver(
        (await carol.op({ op: 'smp-answer', peer: ME, secret: 'correct horse' })) as PeerEvent[],
      );
      await popup.getByRole('heading', { name: 'Authentication successful.' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => statusOf(popup).textContent()).toBe('Private');
      await expect
        .poll(() => pump.smpEvents.map((e) => e.result), { timeout: 30_000 })
        .toContain('succeeded');
      await shot(popup, 'secret-success');
      await popup.close();

      // The buddy asks while the popup is closed: the badge says "?"; the popup shows the question first.
      await expect.poll(() => badgeOf(ext, tabId), { timeout: 15_000 }).toBe('OTR');
      await pump.deliver(
        (await carol.op({ op: 'smp', peer: ME, secret: 'Porto', question: 'Which city?' })) as PeerEvent[],
      );
      await expect.poll(() => badgeOf(ext, tabId), { timeout: 30_000 }).toBe('?');
      popup = await openPopup(ext, tabId);
      const asked = popup.getByRole('region', { name: `Authentication from ${OTHER}` });
      await asked.waitFor({ timeout: 15_000 });
      await asked.getByText('Which city?').waitFor();
      expect(await popup.getByRole('heading', { level: 2 }).first().textContent()).toBe(
        `Authentication from ${OTHER}`,
      );
      await shot(popup, 'asked-while-closed');
      await asked.getByLabel('Enter secret answer here:').fill('Porto');
      await asked.getByRole('button', { name: 'Send answer' }).click();
      await expect
        .poll(() => pump.smpEvents.filter((e) => e.result === 'succeeded').length, { timeout: 30_000 })
        .toBe(2);
      // The background learns the run's result (libotr tells the answerer too): the secrets matched.
      await popup.getByRole('heading', { name: 'Authentication successful.' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => statusOf(popup).textContent()).toBe('Private');
      await shot(popup, 'answered-while-closed');
      await expect.poll(() => badgeOf(ext, tabId), { timeout: 15_000 }).toBe('OTR');
      await popup.close();
    } finally {
      pump.stop();
      await page.close();
    }
  });
});
