// Key management on the options page in real Chromium (built test-flavor extension), against a
// buddy played by tools/otr-peer through the injected relay of popup-relay.ts:
//  - regenerate asks first (cancel keeps the key), shows the new fingerprint, and the buddy sees
//    the changed key at the next AKE;
//  - an import that would replace a key shows both fingerprints and asks: cancel changes nothing,
//    confirm stores it and the very next AKE uses it (the worker is not restarted);
//  - an exported private key comes with a warning and leaves the screen on its own.
// Screenshots land in test-results/screenshots/keys-*.png.

import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToBigInt } from '../../src/crypto/bytes';
import { modPow } from '../../src/crypto/modp';
import { parsePrivateKeyFile, serializePrivateKeyFile } from '../../src/otr/keyfile';
import { fingerprint, formatFingerprint } from '../../src/otr/pubkey';
import { type Peer, startOffrecordPeer, tempDir } from '../interop/lib';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';
import { openOptions } from './lib/options';
import { CHAT, ME, openChat, openPopup, Pump, SHOTS, statusOf } from './lib/popup-relay';

const BUDDY = 'bob';
const human = (fp: string) => fp.replace(/\s+/g, '').toUpperCase().match(/.{8}/g)?.join(' ') ?? '';

describe('options in Chromium: regenerate, import that replaces a key, export warning', () => {
  let server: StaticServer;
  let ext: ChromiumExtension;
  let bob: Peer;
  let pump: Pump;
  let chatTab: number;
  const files = tempDir('offrecord-keys-');
  let fp1 = '';
  let fp2 = '';
  /** The saved otr.private_key, its exact bytes (the download link, not the text shown). */
  let exported = Buffer.alloc(0);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startStaticServer({ files: { '/chat.html': CHAT } });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    bob = await startOffrecordPeer({ account: BUDDY, policy: 'manual', key: files.file('bob.private_key') });
  });
  afterAll(async () => {
    pump?.stop();
    await bob?.close();
    await ext?.close();
    await server?.close();
    files.cleanup();
  });

  /** The fingerprint of alice's key the buddy saw at the latest AKE, after going private or refreshing. */
  async function akeSeenByBuddy(
    action: 'Start private conversation' | 'Refresh private conversation',
  ): Promise<string> {
    const before = pump.states.filter((s) => s.state === 'encrypted').length;
    const popup = await openPopup(ext, chatTab);
    await popup.getByRole('button', { name: action }).click();
    await expect.poll(() => statusOf(popup).textContent(), { timeout: 60_000 }).toBe('Unverified');
    await expect
      .poll(() => pump.states.filter((s) => s.state === 'encrypted').length, { timeout: 60_000 })
      .toBeGreaterThan(before);
    await popup.close();
    return human(pump.states.filter((s) => s.state === 'encrypted').at(-1)?.fingerprint ?? '');
  }

  const keyRow = (options: Page, account = ME) =>
    options.getByRole('table', { name: 'My private keys' }).getByRole('row').filter({ hasText: account });

  it('regenerates only after a confirmation; the new fingerprint is shown and the buddy sees the changed key', async () => {
    const chat = await openChat(ext, `${server.origin}/chat.html`, { kind: 'one-to-one', peer: BUDDY });
    chatTab = chat.tabId;
    pump = new Pump(chat.page, bob);
    pump.start();
    fp1 = await akeSeenByBuddy('Start private conversation');
    expect(fp1).toMatch(/^([0-9A-F]{8} ){4}[0-9A-F]{8}$/);

    const options = await openOptions(ext);
    await keyRow(options).getByText(fp1).waitFor();

    // Export first (used by the import test): the private key comes with a warning.
    await options.getByRole('button', { name: 'Export otr.private_key' }).click();
    await options.getByRole('alert').filter({ hasText: 'This is your private key' }).waitFor();
    const box = options.getByRole('textbox', { name: 'Exported otr.private_key' });
    await expect.poll(() => box.inputValue()).toContain('(privkeys');
    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.getByRole('link', { name: 'Save otr.private_key' }).click(),
    ]);
    exported = readFileSync((await download.path())!);
    // Saved byte for byte as the key file libotr would write (not always UTF-8: docs/engine.md).
    expect(formatFingerprint(fingerprint(parsePrivateKeyFile(exported)[0]!.key))).toBe(fp1);
    await options.getByRole('button', { name: 'Hide it now' }).click();
    await expect.poll(() => box.count()).toBe(0);

    // Asked first; cancel keeps the key.
    await keyRow(options)
      .getByRole('button', { name: `Make a new key for ${ME}` })
      .click();
    const ask = options.getByRole('alertdialog', { name: `Replace the key of ${ME} with a new one?` });
    await ask.getByText('Your buddies will see a new fingerprint for you', { exact: false }).waitFor();
    await options.screenshot({ path: join(SHOTS, 'keys-regenerate-confirm.png'), fullPage: true });
    await ask.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => ask.count()).toBe(0);
    await keyRow(options).getByText(fp1).waitFor();

    await keyRow(options)
      .getByRole('button', { name: `Make a new key for ${ME}` })
      .click();
    await ask.getByRole('button', { name: 'Make a new key' }).click();
    await options
      .getByRole('status')
      .filter({ hasText: `New key for ${ME}:` })
      .waitFor({ timeout: 120_000 });
    fp2 = (await keyRow(options).getByTestId('key-fingerprint').textContent()) ?? '';
    expect(fp2).toMatch(/^([0-9A-F]{8} ){4}[0-9A-F]{8}$/);
    expect(fp2).not.toBe(fp1);
    expect(await options.getByRole('status').filter({ hasText: fp2 }).count()).toBe(1);
    await options.close();

    // The buddy sees the new key at the next AKE.
    expect(await akeSeenByBuddy('Refresh private conversation')).toBe(fp2);
  });

  it('an import that would replace a key shows both fingerprints and asks; cancel changes nothing; confirm is used at once', async () => {
    expect(exported.toString('latin1')).toContain('(privkeys');
    const options = await openOptions(ext);
    // The saved file, picked as a file: its exact bytes reach the background.
    await options
      .getByLabel('Or choose a otr.private_key file')
      .setInputFiles({ name: 'otr.private_key', mimeType: 'application/octet-stream', buffer: exported });
    const paste = options.getByRole('textbox', { name: 'Paste otr.private_key to import' });
    await expect.poll(() => paste.inputValue()).toContain('(privkeys');
    await options.getByRole('button', { name: 'Import otr.private_key' }).click();
    const ask = options.getByRole('alertdialog', { name: 'This import would replace a key you have' });
    await ask.waitFor();
    expect(await ask.getByTestId('fp-current').textContent()).toBe(fp2);
    expect(await ask.getByTestId('fp-new').textContent()).toBe(fp1);
    await options.screenshot({ path: join(SHOTS, 'keys-import-confirm.png'), fullPage: true });

    await ask.getByRole('button', { name: 'Cancel' }).click();
    await options
      .getByRole('status')
      .filter({ hasText: 'Nothing was imported; your keys are unchanged.' })
      .waitFor();
    await keyRow(options).getByText(fp2).waitFor();
    expect(await akeSeenByBuddy('Refresh private conversation')).toBe(fp2);

    await options.getByRole('button', { name: 'Import otr.private_key' }).click();
    await ask.getByRole('button', { name: 'Replace the key' }).click();
    await options.getByRole('status').filter({ hasText: 'Imported 1 key(s).' }).waitFor();
    await keyRow(options).getByText(fp1).waitFor();
    await options.close();

    // Used at once: the next AKE signs with the imported key, without restarting the worker.
    expect(await akeSeenByBuddy('Refresh private conversation')).toBe(fp1);
  });

  it('a damaged or wrong file is refused in plain words, with the technical detail behind a disclosure', async () => {
    const options = await openOptions(ext);
    const paste = options.getByRole('textbox', { name: 'Paste otr.private_key to import' });
    await paste.fill('hello, this is not a key');
    await options.getByRole('button', { name: 'Import otr.private_key' }).click();
    const alert = options.getByRole('alert').filter({ hasText: 'Nothing was imported' });
    await alert
      .getByText('This is not an otr.private_key file: it should begin with (privkeys', { exact: false })
      .waitFor();
    await alert.getByText('Technical detail').click();
    expect((await alert.locator('code.detail').textContent())?.length ?? 0).toBeGreaterThan(0);
    await keyRow(options).getByText(fp1).waitFor();
    await options.close();
  });

  it('a key file that is not UTF-8 (an x libgcrypt prints with raw Latin-1 bytes) is picked, imported and saved back byte for byte', async () => {
    const base = parsePrivateKeyFile(
      readFileSync(new URL('../fixtures/libotr/otr.private_key', import.meta.url)),
    )[0]!.key;
    const x = bytesToBigInt(Buffer.from('41e9a1204c6174696e2d3120ff2078', 'hex')); // "A\xe9\xa1 Latin-1 \xff x"
    const key = { ...base, x, y: modPow(base.g, x, base.p) };
    const file = serializePrivateKeyFile([{ account: 'latin1@example.net', protocol: 'prpl-jabber', key }]);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(file)).toThrow();

    const options = await openOptions(ext);
    await options.getByLabel('Or choose a otr.private_key file').setInputFiles({
      name: 'otr.private_key',
      mimeType: 'application/octet-stream',
      buffer: Buffer.from(file),
    });
    const paste = options.getByRole('textbox', { name: 'Paste otr.private_key to import' });
    await expect.poll(() => paste.inputValue()).toContain('latin1@example.net');
    await options.getByRole('button', { name: 'Import otr.private_key' }).click();
    await options.getByRole('status').filter({ hasText: 'Imported 1 key(s).' }).waitFor();
    await keyRow(options, 'latin1@example.net')
      .getByText(formatFingerprint(fingerprint(key)))
      .waitFor();

    await options.getByRole('button', { name: 'Export otr.private_key' }).click();
    const [download] = await Promise.all([
      options.waitForEvent('download'),
      options.getByRole('link', { name: 'Save otr.private_key' }).click(),
    ]);
    const saved = readFileSync((await download.path())!);
    // The account's part of the file, byte for byte as we (and libotr) write it.
    const part = Buffer.from(file.subarray('(privkeys\n'.length, file.length - ')\n'.length));
    expect(saved.includes(part)).toBe(true);
    expect(parsePrivateKeyFile(saved).find((e) => e.account === 'latin1@example.net')?.key).toEqual(key);
    await options.close();
  });

  it('the exported private key leaves the screen on its own', async () => {
    const options = await ext.context.newPage();
    await options.clock.install();
    await options.goto(`${ext.baseUrl}extension/options/index.html`);
    await options.getByRole('button', { name: 'Export otr.private_key' }).click();
    const shown = options.getByTestId('exported-key');
    await shown.getByRole('alert').waitFor();
    await options.clock.fastForward(30_000);
    expect(await shown.count()).toBe(1);
    await options.clock.fastForward(31_000);
    await expect.poll(() => shown.count()).toBe(0);
    await options.close();
  });
});
