// Issue 5 in real Firefox ESR: the same scripted OTR conversation as background-chromium.test.ts
// (the extension as alice in a minichat page, tools/otr-peer as bob), with the background event
// page UNLOADED between every step. Firefox unloads an idle event page after
// `extensions.background.idle.timeout` (1 s in launchFirefox); there is no command to stop it, so
// each step waits until it did: the content script's port drops, the script reconnects and says
// hello on a NEW connection (its id in the tab map changes) — proof that the background restarted.
// Asserts 0 lost, 0 doubled, 0 undecryptable messages and exactly one D-H Commit on the wire.

import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { extensionRequest, type MinichatBob, startMinichatBob, tabTable } from './lib/minichat-bob';
import { isDhCommit, until as untilShared } from './lib/restart';

let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 45_000) =>
  untilShared(what, f, ms, () => debugDump());

describe('background: a conversation survives the event page being unloaded at every step (Firefox)', () => {
  let duo: MinichatBob;
  let ext: FirefoxExtension;
  let page: Page;
  let probe: Page;
  let tabId: number;
  let restarts = 0;

  /** The tab's record in the background's tab map (storage.session). */
  const tabRecord = () => tabTable(probe);

  /** Waits until the background was unloaded and the content script reconnected to a new one. */
  const restarted = async () => {
    const before = (await tabRecord())[tabId]?.connection;
    await until('the background to unload and the tab to reconnect', async () => {
      const now = (await tabRecord())[tabId]?.connection;
      return now !== undefined && now !== before ? true : undefined;
    });
    restarts++;
  };

  /** A PageRequest from an extension page, as the popup sends it. */
  const pageRequest = (body: Record<string, unknown>) => extensionRequest(probe, body, 10_000);

  /** The side panel's page bound to the chat tab (what the sidebar shows for it), opened once. */
  let panel: Page | null = null;
  const panelPage = async (): Promise<Page> => {
    if (!panel || panel.isClosed()) {
      panel = await ext.browser.newPage();
      await panel.goto(`${ext.baseUrl}extension/panel/index.html?tab=${tabId}`, {
        waitUntil: 'networkidle0',
      });
      await page.bringToFront();
    }
    await until('the panel', async () => (await panel?.$('[data-testid=panel-status]')) ?? undefined);
    return panel;
  };

  const transcriptTexts = async (f: Page, sel: string) =>
    f.$$eval(sel, (els) => els.map((e) => e.textContent ?? ''));

  beforeAll(async () => {
    // Each line bob sends is posted after the background restarted.
    duo = await startMinichatBob({ prefix: 'offrecord-bgff-', beforeBobLine: restarted });
    debugDump = () => duo.dump({ restarts });
    // Unload the idle background quickly: each step waits for an unload.
    ext = await launchFirefox({
      extensionDir: extensionDir('firefox', 'test'),
      prefs: { 'extensions.background.idle.timeout': 300 },
    });
    probe = await ext.browser.newPage();
    await probe.goto(`${ext.baseUrl}extension/options/index.html`, { waitUntil: 'networkidle0' });
    page = await ext.browser.newPage();
    await page.goto(duo.chat.pageUrl('alice', 'bob'));
    tabId = await until('the tab to report its chat', async () => {
      for (const [id, r] of Object.entries(await tabRecord())) if (r.ref?.peer === 'bob') return Number(id);
      return undefined;
    });
    await page.bringToFront();
    await until('alice key', async () =>
      ((await pageRequest({ type: 'keys-list' })) as unknown[]).length > 0 ? true : undefined,
    );
  }, 120_000);

  afterAll(async () => {
    await ext?.close();
    await duo?.close();
  });

  it('go private, AKE, 3+3 messages, SMP: nothing lost, doubled or undecryptable, one AKE', async () => {
    await restarted();
    await pageRequest({ type: 'go-private', tabId });
    await until('bob encrypted', async () =>
      duo.events.some((e) => e.event === 'state' && (e as { state: string }).state === 'encrypted')
        ? true
        : undefined,
    );
    for (const text of ['alice one', 'alice two', 'alice three']) {
      await restarted();
      const compose = await panelPage();
      const box = await until(
        'the compose box',
        async () => (await compose.$('[data-testid=compose-box]')) ?? undefined,
      );
      await box.type(text);
      await box.press('Enter');
      await until(`bob to read ${text}`, async () =>
        duo.events.some((e) => e.event === 'message' && (e as { text: string }).text === text)
          ? true
          : undefined,
      );
    }
    for (const text of ['bob one', 'bob two', 'bob three']) {
      await restarted();
      await duo.do({ op: 'send', peer: 'alice', text });
      await until(`alice to read ${text}`, async () => {
        const f = await panelPage();
        return (await transcriptTexts(f, '[data-testid=entry] .text')).includes(text) ? true : undefined;
      });
    }
    await restarted();
    await pageRequest({ type: 'smp-start', tabId, secret: 'purple', question: 'colour?' });
    await until('bob asked', async () =>
      duo.events.some((e) => e.event === 'smp' && (e as { result: string }).result === 'question')
        ? true
        : undefined,
    );
    await restarted();
    await duo.do({ op: 'smp-answer', peer: 'alice', secret: 'purple' });
    await until('bob: SMP succeeded', async () =>
      duo.events.some((e) => e.event === 'smp' && (e as { result: string }).result === 'succeeded')
        ? true
        : undefined,
    );
    // Bob's last lines go out only after further unloads; polling the background meanwhile would
    // keep it awake, so wait for them first.
    await duo.idle();
    const status = await until('alice trusts bob', async () => {
      const r = (await pageRequest({ type: 'status', tabId })) as {
        status: { trust: string; state: string } | null;
        tab: { badge: string };
      };
      return r.status?.trust === 'smp' && r.tab.badge === 'private' ? r : undefined;
    });
    expect(status.status?.state).toBe('encrypted');

    const bobRead = duo.events.filter((e) => e.event === 'message').map((e) => (e as { text: string }).text);
    expect(bobRead).toEqual(['alice one', 'alice two', 'alice three']);
    const aliceRead = await until('transcript', async () => {
      const f = await panelPage();
      const lis = await transcriptTexts(f, '[data-testid=entry][data-dir="in"] .text');
      return lis.length >= 3 ? lis : undefined;
    });
    expect(aliceRead).toEqual(['bob one', 'bob two', 'bob three']);
    expect(duo.events.filter((e) => e.event === 'error')).toEqual([]);
    expect(duo.wire.filter((l) => l.text.startsWith('?OTR Error'))).toEqual([]);
    expect(duo.wire.filter((l) => isDhCommit(l.text))).toHaveLength(1);
    console.log(`${restarts} background restarts`);
    expect(restarts).toBeGreaterThanOrEqual(12);
  }, 180_000);
});
