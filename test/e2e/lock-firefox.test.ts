// Issue 18 in real Firefox ESR, one flow: the test-flavor extension (alice, minichat on 127.0.0.1)
// and tools/otr-peer (bob). A passphrase set, locked: no stored value holds x; a wrong passphrase
// changes nothing; bob's query while locked is held, answered after the unlock with nothing in
// clear; the event page unloads while unlocked and going private still works without asking;
// the panic wipe tells bob the end and leaves nothing of alice's stored.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { parsePrivateKeyFile } from '../../src/otr/keyfile';
import { type Minichat, startMinichat } from '../fixtures/minichat/server';
import { type Peer, type PeerEvent, startOffrecordPeer } from '../interop/lib';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { dumpStoredValues, encodingsOf } from './lib/lock';
import { isDhCommit, until as untilShared } from './lib/restart';

declare const browser: Browser;

const PASS = 'purple elephant 42';
let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 45_000) =>
  untilShared(what, f, ms, () => debugDump());

describe('the passphrase lock in Firefox', () => {
  let chat: Minichat;
  let bob: Peer;
  let ext: FirefoxExtension;
  let page: Page;
  let probe: Page;
  let tabId: number;
  let dir: string;
  const bobEvents: PeerEvent[] = [];
  const wire: { from: string; text: string }[] = [];
  let relay: Promise<unknown> = Promise.resolve();

  const tabRecord = () =>
    probe.evaluate(async () => {
      const { tabs } = (await browser.storage.session.get('tabs')) as {
        tabs?: Record<string, { connection: string; ref: { peer: string } | null }>;
      };
      return tabs ?? {};
    });

  const pageRequest = (body: Record<string, unknown>) =>
    probe.evaluate(
      (msg) =>
        new Promise((resolve, reject) => {
          const port = browser.runtime.connect({ name: 'offrecord' });
          port.onMessage.addListener((raw: unknown) => {
            const m = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
            if (m.type !== 'reply' || m.id !== 1) return;
            port.disconnect();
            if (m.ok) resolve(m.result);
            else reject(new Error(m.error));
          });
          port.postMessage({ ...msg, id: 1 });
          setTimeout(() => reject(new Error('no reply in 20 s')), 20_000);
        }),
      body,
    );
  const lock = async () => (await pageRequest({ type: 'lock-state' })) as { state: string; held: number };

  const bobDo = (op: Record<string, unknown>) => {
    const next = relay.then(async () => {
      const events = await bob.op(op as never);
      bobEvents.push(...events);
      for (const e of events) {
        if (e.event === 'wire') {
          const l = chat.post('bob', 'alice', (e as { wire: string }).wire);
          wire.push({ from: l.from, text: l.text });
        }
      }
    });
    relay = next.catch(() => undefined);
    return next;
  };
  const bobEncrypted = () =>
    bobEvents.filter((e) => e.event === 'state' && (e as { state: string }).state === 'encrypted').length;
  const aliceLines = () => wire.filter((l) => l.from === 'alice').map((l) => l.text);

  beforeAll(async () => {
    debugDump = () =>
      JSON.stringify(
        {
          wire: wire.map((w) => [w.from, w.text.slice(0, 60)]),
          bob: bobEvents.map((e) => JSON.stringify(e).slice(0, 120)),
        },
        null,
        1,
      );
    dir = mkdtempSync(join(tmpdir(), 'offrecord-lockff-'));
    chat = await startMinichat();
    bob = await startOffrecordPeer({
      account: 'bob',
      policy: 'manual',
      key: join(dir, 'bob.key'),
      maxMessage: 400,
    });
    chat.onLine((l) => {
      wire.push({ from: l.from, text: l.text });
      if (l.to === 'bob') void bobDo({ op: 'receive', peer: 'alice', wire: l.text });
    });
    // Firefox unloads an event page idle for this long even in the middle of a computation (the
    // launcher's 1 s would cut scrypt short under load; Firefox's own default is 30 s).
    ext = await launchFirefox({
      extensionDir: extensionDir('firefox', 'test'),
      prefs: { 'extensions.background.idle.timeout': 5000 },
    });
    probe = await ext.browser.newPage();
    await probe.goto(`${ext.baseUrl}extension/options/index.html`, { waitUntil: 'networkidle0' });
    page = await ext.browser.newPage();
    await page.goto(chat.pageUrl('alice', 'bob'));
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
    await bob?.close();
    await chat?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lock, refuse, hold, unlock, survive an unload, panic wipe', async () => {
    const plain = (await pageRequest({ type: 'key-export', passphrase: null })) as { text: string };
    const [entry] = parsePrivateKeyFile(plain.text);
    const encodings = encodingsOf(entry!.key.x, entry!.key.q, plain.text);
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

    await bobDo({ op: 'query', peer: 'alice' });
    await until('the query held', async () => ((await lock()).held === 1 ? true : undefined));
    expect(aliceLines()).toEqual([]);
    const t1 = Date.now();
    await pageRequest({ type: 'lock-unlock', passphrase: PASS });
    console.log(`Firefox: unlock round trip ${Date.now() - t1} ms`);
    await until('bob encrypted', async () => (bobEncrypted() === 1 ? true : undefined));
    expect(aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);

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
    await until('a second AKE after the unload', async () => (bobEncrypted() === 2 ? true : undefined));
    expect(wire.filter((l) => isDhCommit(l.text))).toHaveLength(2);

    const report = (await pageRequest({ type: 'panic-wipe' })) as { ended: number; keys: number };
    expect(report).toMatchObject({ ended: 1, keys: 1 });
    await until('bob sees the end', async () =>
      bobEvents.some((e) => e.event === 'state' && (e as { state: string }).state === 'finished')
        ? true
        : undefined,
    );
    const wiped = JSON.parse(await probe.evaluate(dumpStoredValues)) as {
      idb: Record<string, unknown[]>;
      local: Record<string, unknown>;
    };
    for (const [store, rows] of Object.entries(wiped.idb)) expect(rows, store).toEqual([]);
    expect(wiped.local).toEqual({});
    expect(aliceLines().every((l) => l.startsWith('?OTR'))).toBe(true);
  }, 180_000);
});
