// Issue 18 in real Firefox ESR, one flow: the test-flavor extension (alice, minichat on 127.0.0.1)
// and tools/otr-peer (bob). A passphrase set, locked: no stored value holds x; a wrong passphrase
// changes nothing; bob's query while locked is held, answered after the unlock with nothing in
// clear; the event page unloads while unlocked and going private still works without asking;
// the panic wipe tells bob the end and leaves nothing of alice's stored.

import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyExport } from '../../extension/shared/messages';
import { base64Decode } from '../../src/crypto/bytes';
import { parsePrivateKeyFile } from '../../src/otr/keyfile';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { dumpStoredValues, encodingsOf } from './lib/lock';
import { extensionRequest, type MinichatBob, startMinichatBob, tabTable } from './lib/minichat-bob';
import { isDhCommit, until as untilShared } from './lib/restart';

const PASS = 'purple elephant 42';
let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 45_000) =>
  untilShared(what, f, ms, () => debugDump());

describe('the passphrase lock in Firefox', () => {
  let duo: MinichatBob;
  let ext: FirefoxExtension;
  let page: Page;
  let probe: Page;
  let tabId: number;

  const tabRecord = () => tabTable(probe);

  const pageRequest = (body: Record<string, unknown>) => extensionRequest(probe, body);
  const lock = async () => (await pageRequest({ type: 'lock-state' })) as { state: string; held: number };

  beforeAll(async () => {
    duo = await startMinichatBob({ prefix: 'offrecord-lockff-' });
    debugDump = () => duo.dump();
    // Firefox unloads an event page idle for this long even in the middle of a computation (the
    // launcher's 1 s would cut scrypt short under load; Firefox's own default is 30 s).
    ext = await launchFirefox({
      extensionDir: extensionDir('firefox', 'test'),
      prefs: { 'extensions.background.idle.timeout': 5000 },
    });
    probe = await ext.browser.newPage();
    await probe.goto(`${ext.baseUrl}extension/options/index.html`, { waitUntil: 'networkidle0' });
    page = await ext.browser.newPage();
    await page.goto(duo.chat.pageUrl('alice', 'bob'));
    tabId = await until('the tab to report its chat', async () => {
      for (const [id, r] of Object.entries(await tabRecord())) if (r.ref?.peer === 'bob') return Number(id);
      return undefined;
    });
    await until('alice key', async () =>
      ((await pageRequest({ type: 'keys-list' })) as unknown[]).length > 0 ? true : undefined,
    );
  }, 120_000);

  afterAll(async () => {
    await ext?.close();
    await duo?.close();
  });

  it('lock, refuse, hold, unlock, survive an unload, panic wipe', async () => {
    const plain = (await pageRequest({ type: 'key-export', passphrase: null })) as KeyExport;
    const exportFile = base64Decode(plain.file)!;
    const [entry] = parsePrivateKeyFile(exportFile);
    const encodings = encodingsOf(entry!.key.x, entry!.key.q, exportFile);
    const t0 = Date.now();
    await pageRequest({ type: 'lock-set', passphrase: PASS });
    console.log(`Firefox: set passphrase round trip ${Date.now() - t0} ms`);
    await pageRequest({ type: 'lock-now' });
    expect((await lock()).state).toBe('locked');
    const locked = await probe.evaluate(dumpStoredValues);
    for (const e of encodings) expect(locked, `x as ${e.slice(0, 12)}…`).not.toContain(e);

    await expect(pageRequest({ type: 'lock-unlock', passphrase: 'not my passphrase' })).rejects.toThrow(
      'Wrong passphrase. Nothing was changed.',
    );
    const after = JSON.parse(await probe.evaluate(dumpStoredValues)) as { idb: unknown; local: unknown };
    const was = JSON.parse(locked) as typeof after;
    expect(after.idb).toEqual(was.idb);
    expect(after.local).toEqual(was.local);

    await duo.do({ op: 'query', peer: 'alice' });
    await until('the query held', async () => ((await lock()).held === 1 ? true : undefined));
    expect(duo.aliceLines()).toEqual([]);
    const t1 = Date.now();
    await pageRequest({ type: 'lock-unlock', passphrase: PASS });
    console.log(`Firefox: unlock round trip ${Date.now() - t1} ms`);
    await until('bob encrypted', async () => (duo.encryptedCount() === 1 ? true : undefined));
    expect(duo.aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);

    // The event page unloads when idle (1 s): wait until the tab's port is a new one.
    const before = (await tabRecord())[tabId]?.connection;
    await until(
      'the event page to unload and come back',
      async () => {
        const now = (await tabRecord())[tabId]?.connection;
        return now !== undefined && now !== before ? true : undefined;
      },
      60_000,
    );
    expect((await lock()).state).toBe('unlocked');
    await pageRequest({ type: 'refresh-private', tabId });
    await until('a second AKE after the unload', async () => (duo.encryptedCount() === 2 ? true : undefined));
    expect(duo.wire.filter((l) => isDhCommit(l.text))).toHaveLength(2);

    const report = (await pageRequest({ type: 'panic-wipe' })) as { ended: number; keys: number };
    expect(report).toMatchObject({ ended: 1, keys: 1 });
    await until('bob sees the end', async () =>
      duo.events.some((e) => e.event === 'state' && (e as { state: string }).state === 'finished')
        ? true
        : undefined,
    );
    const wiped = JSON.parse(await probe.evaluate(dumpStoredValues)) as {
      idb: Record<string, unknown[]>;
      local: Record<string, unknown>;
    };
    for (const [store, rows] of Object.entries(wiped.idb)) expect(rows, store).toEqual([]);
    expect(wiped.local).toEqual({});
    expect(duo.aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);
  }, 180_000);
});
