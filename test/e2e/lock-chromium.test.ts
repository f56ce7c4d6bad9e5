// Issue 18 in real Chromium: the passphrase lock with the test-flavor extension (alice, in a
// minichat page on 127.0.0.1) and tools/otr-peer (bob). One browser for the file, steps in order:
// set a passphrase in the options page (the forgotten-passphrase warning shown first), lock from
// the popup and scan every stored value for alice's x in every encoding; a wrong passphrase is
// refused and changes nothing; going private while locked sends nothing; bob's query while locked
// is held and answered after the unlock, with nothing in clear; the worker killed while unlocked
// keeps the conversation without asking again (the side panel reads and sends); auto-lock fires (a few seconds, allowed only in the
// test build); the panic wipe tells bob the end and leaves nothing of alice's in storage.

import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyExport } from '../../extension/shared/messages';
import { base64Decode } from '../../src/crypto/bytes';
import { parsePrivateKeyFile } from '../../src/otr/keyfile';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  stopChromiumServiceWorker,
} from './lib/browsers';
import { dumpStoredValues, encodingsOf } from './lib/lock';
import { extensionRequest, type MinichatBob, startMinichatBob, tabOfPeer } from './lib/minichat-bob';
import { isDhCommit, until as untilShared } from './lib/restart';

const PASS = 'purple elephant 42';
let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000) =>
  untilShared(what, f, ms, () => debugDump());

describe('the passphrase lock in Chromium', () => {
  let duo: MinichatBob;
  let ext: ChromiumExtension;
  let page: Page;
  let popup: Page;
  let tabId: number;
  let encodings: string[] = [];

  /** Sends a PageRequest from an extension page, as the popup does. */
  const pageRequest = (body: Record<string, unknown>) => extensionRequest(popup, body);

  const lockState = async () =>
    ((await pageRequest({ type: 'lock-state' })) as { state: string; held: number }).state;

  /** Every value offrecord stores: IndexedDB (all stores), storage.local, storage.session; bytes as hex. */
  const storedDump = () => popup.evaluate(dumpStoredValues);

  /** The side panel bound to the chat tab, opened as a page (as the panel suites do). */
  let panel: Page | null = null;
  const panelPage = async () => {
    if (!panel || panel.isClosed()) {
      panel = await ext.context.newPage();
      await panel.goto(`${ext.baseUrl}extension/panel/index.html?tab=${tabId}`);
      await page.bringToFront();
    }
    return panel;
  };
  const panelSend = async (text: string) => {
    const p = await panelPage();
    await p.getByTestId('compose-box').fill(text);
    await p.getByTestId('compose-box').press('Enter');
  };
  const panelRead = async () =>
    (await panelPage())
      .locator('[data-testid=entry][data-dir=in] [data-testid=entry-text]')
      .allTextContents();

  beforeAll(async () => {
    duo = await startMinichatBob({ prefix: 'offrecord-lock-' });
    debugDump = () => duo.dump();
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    page = await ext.context.newPage();
    await page.goto(duo.chat.pageUrl('alice', 'bob'));
    tabId = await until('the tab to report its chat', async () => tabOfPeer(ext.worker, 'bob'));
    popup = await ext.context.newPage();
    await popup.goto(`${ext.baseUrl}extension/popup/index.html?tab=${tabId}`);
    await until('alice key', async () =>
      ((await pageRequest({ type: 'keys-list' })) as unknown[]).length > 0 ? true : undefined,
    );
  }, 120_000);

  afterAll(async () => {
    await ext?.close();
    await duo?.close();
  });

  it('offers a passphrase, sets it in the options page after the warning, locks from the popup; then no stored value holds x', async () => {
    await popup.reload();
    await popup.getByTestId('lock-offer').waitFor();
    const options = await ext.context.newPage();
    await options.goto(`${ext.baseUrl}extension/options/index.html`);
    await expect
      .poll(() => options.getByTestId('lock-forget-warning').textContent())
      .toContain('If you forget this passphrase, your private keys are gone');
    const plainExport = (await pageRequest({ type: 'key-export', passphrase: null })) as KeyExport;
    const exportFile = base64Decode(plainExport.file)!;
    const [entry] = parsePrivateKeyFile(exportFile);
    encodings = encodingsOf(entry!.key.x, entry!.key.q, exportFile);
    // Before: the key is stored in clear (the scan finds it, so the scan can find it).
    const before = await storedDump();
    expect(encodings.some((e) => before.includes(e))).toBe(true);

    const section = options.getByTestId('lock-section');
    await section.getByTestId('lock-new').fill(PASS);
    await section.getByTestId('lock-again').fill(PASS);
    const t0 = Date.now();
    await section.getByRole('button', { name: 'Protect my keys with this passphrase' }).click();
    await expect
      .poll(() => options.getByTestId('lock-state').textContent(), { timeout: 30_000 })
      .toContain('Unlocked');
    console.log(`set passphrase (scrypt + seal, from the click): ${Date.now() - t0} ms`);
    await options.close();
    // Under a passphrase the export needs it.
    await expect(pageRequest({ type: 'key-export', passphrase: null })).rejects.toThrow(/passphrase/);

    await popup.reload();
    await popup.getByTestId('lock-now').click();
    await popup.getByTestId('lock-unlock').waitFor();
    expect(await lockState()).toBe('locked');
    const after = await storedDump();
    for (const e of encodings) expect(after, `x as ${e.slice(0, 12)}…`).not.toContain(e);
    expect(after).not.toContain('lock:kek');
  }, 120_000);

  it('refuses a wrong passphrase with a clear error and changes nothing', async () => {
    const before = await storedDump();
    await popup.getByTestId('lock-passphrase').fill('not my passphrase');
    await popup.getByTestId('lock-unlock').getByRole('button', { name: 'Unlock' }).click();
    await expect
      .poll(() => popup.getByTestId('lock-unlock').getByRole('alert').textContent(), { timeout: 20_000 })
      .toBe('Wrong passphrase. Nothing was changed.');
    expect(await lockState()).toBe('locked');
    const after = JSON.parse(await storedDump()) as {
      idb: unknown;
      local: unknown;
      session: { tabs?: unknown };
    };
    const was = JSON.parse(before) as typeof after;
    expect(after.idb).toEqual(was.idb);
    expect(after.local).toEqual(was.local);
    const noTabs = (s: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(s).filter(([k]) => k !== 'tabs'));
    expect(noTabs(after.session as Record<string, unknown>)).toEqual(
      noTabs(was.session as Record<string, unknown>),
    );
  }, 60_000);

  it('while locked, going private sends nothing and a query from bob is held; after the unlock it is answered, never in clear', async () => {
    await expect(pageRequest({ type: 'go-private', tabId })).rejects.toThrow(/locked/);
    await duo.do({ op: 'query', peer: 'alice' });
    await until('the query held', async () =>
      ((await pageRequest({ type: 'lock-state' })) as { held: number }).held === 1 ? true : undefined,
    );
    await popup.reload();
    await expect
      .poll(() => popup.getByTestId('lock-unlock').textContent())
      .toContain('Messages waiting for you to unlock: 1');
    // Held means handled: the query was taken and answered with nothing (no wait needed).
    expect(duo.aliceLines()).toEqual([]);

    // The side panel asks too; unlock there.
    const p = await panelPage();
    await expect
      .poll(() => p.getByTestId('lock-unlock').textContent())
      .toContain('Messages waiting for you to unlock: 1');
    const t0 = Date.now();
    await p.getByTestId('lock-passphrase').fill(PASS);
    await p.getByTestId('lock-unlock').getByRole('button', { name: 'Unlock' }).click();
    await until('bob encrypted', async () =>
      duo.saw((e) => e.event === 'state' && e.state === 'encrypted') ? true : undefined,
    );
    console.log(`unlock click → bob encrypted: ${Date.now() - t0} ms`);
    expect(await lockState()).toBe('unlocked');
    expect(duo.aliceLines().length).toBeGreaterThan(0);
    expect(duo.aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);
    expect(duo.aliceLines().filter(isDhCommit)).toHaveLength(1);

    // Going private works now: alice's query makes bob start a fresh AKE, which completes.
    const encryptedBefore = duo.events.filter(
      (e) => e.event === 'state' && (e as { state: string }).state === 'encrypted',
    ).length;
    await pageRequest({ type: 'refresh-private', tabId });
    await until('a second AKE', async () =>
      duo.events.filter((e) => e.event === 'state' && (e as { state: string }).state === 'encrypted').length >
      encryptedBefore
        ? true
        : undefined,
    );
    expect(duo.wire.filter((l) => isDhCommit(l.text))).toHaveLength(2);
    await expect.poll(async () => (await p.getByTestId('lock-unlock').count()) === 0).toBe(true);
    await panelSend('hello after unlock');
    await until('bob reads alice', async () =>
      duo.saw((e) => e.event === 'message' && e.text === 'hello after unlock') ? true : undefined,
    );
    expect(duo.aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);
  }, 120_000);

  it('the worker killed while unlocked keeps the conversation without asking again', async () => {
    expect(await stopChromiumServiceWorker(ext.context, ext.extensionId)).toBeGreaterThan(0);
    await duo.do({ op: 'send', peer: 'alice', text: 'bob after the restart' });
    await until('alice reads bob', async () =>
      (await panelRead()).includes('bob after the restart') ? true : undefined,
    );
    await stopChromiumServiceWorker(ext.context, ext.extensionId);
    expect(await lockState()).toBe('unlocked');
    await panelSend('alice after the restart');
    await until('bob reads alice again', async () =>
      duo.saw((e) => e.event === 'message' && e.text === 'alice after the restart') ? true : undefined,
    );
    expect(duo.events.filter((e) => e.event === 'error')).toEqual([]);
  }, 90_000);

  it('auto-lock fires after the idle time (seconds in the test build) and forgets the key', async () => {
    await pageRequest({ type: 'lock-auto', autoLockSeconds: 3 });
    // Only status reads from here on: they are not use.
    await until('auto-locked', async () => ((await lockState()) === 'locked' ? true : undefined), 30_000);
    const dump = await storedDump();
    expect(dump).not.toContain('lock:kek');
    for (const e of encodings) expect(dump).not.toContain(e);
    // The unlock's cost in the worker: the round trip of lock-unlock is scrypt + the check.
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await pageRequest({ type: 'lock-unlock', passphrase: PASS });
      times.push(Math.round(performance.now() - t0));
    }
    console.log(`lock-unlock round trips (scrypt N=2^15 r=8 p=1 in the worker): ${times.join(', ')} ms`);
    await pageRequest({ type: 'lock-auto', autoLockSeconds: 0 });
  }, 60_000);

  it('panic wipe from the popup: bob sees the end, then nothing of alice is stored', async () => {
    await popup.reload();
    await popup.getByTestId('panic-start').click();
    await popup.getByTestId('panic-confirm').click();
    const report = await popup.getByTestId('panic-report').textContent({ timeout: 30_000 });
    expect(report).toContain('Private conversations ended: 1');
    expect(report).toContain('Private keys: 1');
    await until('bob sees the end', async () =>
      duo.saw((e) => e.event === 'state' && e.state === 'finished') ? true : undefined,
    );
    const dump = JSON.parse(await storedDump()) as {
      idb: Record<string, unknown[]>;
      local: Record<string, unknown>;
      session: Record<string, unknown>;
    };
    for (const [store, rows] of Object.entries(dump.idb)) expect(rows, store).toEqual([]);
    expect(dump.local).toEqual({});
    const text = JSON.stringify(dump);
    for (const e of encodings) expect(text).not.toContain(e);
    for (const s of ['hello after unlock', 'bob after the restart', 'alice after the restart'])
      expect(text).not.toContain(s);
  }, 90_000);
});
