// I8 in real Firefox ESR (issue 15), the Chromium flood's core in less time: a minichat page
// floods one conversation "from the buddy" with 350 rows of 3,000 characters (within the rate
// limit, over the conversation's transcript budget: trimmed), 150 rows of 99 KB and 3,000 small
// rows while, in
// another tab of the same site, alice goes private with bob (tools/otr-peer) and they talk both
// ways. Asserts: the other conversation works during the flood (each message read exactly once),
// every flood row is accounted for exactly once (processed: stored, trimmed since or not stored;
// or dropped by the rate limit), storage.session stays within the budgets (Firefox has no
// getBytesInUse: counted as the store counts, key + JSON in UTF-8), the browser never refused a
// save, and the flood tab's side panel page says what the budgets did.

import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { BUDGETS } from '../../src/store/budgets';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { floodAtRest, floodCount, type TranscriptIndex } from './lib/flood';
import { extensionRequest, type MinichatBob, startMinichatBob } from './lib/minichat-bob';
import { until as untilShared } from './lib/restart';

declare const browser: Browser;

let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000) =>
  untilShared(what, f, ms, () => debugDump());

/** Room beside the store's own budget for the tab table and the small keys. */
const OTHER_KEYS = 256 * 1024;
const MEDIUM = 350;
const BIG = 150;
const SMALL = 3000;

interface Stored {
  bytes: number;
  index: (TranscriptIndex & { convs: Record<string, { state: number }> }) | null;
  tabs: Record<string, { ref: { peer: string } | null; dropped?: number }>;
}

describe('a flooding page cannot exhaust storage nor stop another conversation (Firefox)', () => {
  let duo: MinichatBob;
  let ext: FirefoxExtension;
  let probe: Page;
  let flood: Page;
  let talk: Page;
  let floodTab: number;
  let talkTab: number;

  const pageRequest = (body: Record<string, unknown>) => extensionRequest(probe, body, 20_000);
  type Status = {
    tab: { dropped?: number } | null;
    status: { state: string; limits?: { truncated: number; trimmed: number; notStored: number } } | null;
  };
  const status = (tabId: number) => pageRequest({ type: 'status', tabId }) as Promise<Status>;

  /** Everything in storage.session, measured as the store measures it (key + JSON, UTF-8). */
  const stored = () =>
    probe.evaluate(async () => {
      const all = (await browser.storage.session.get(null)) as Record<string, unknown>;
      let bytes = 0;
      for (const [k, v] of Object.entries(all))
        bytes += new TextEncoder().encode(k).length + new TextEncoder().encode(JSON.stringify(v)).length;
      return {
        bytes,
        index: (all.txindex ?? null) as Stored['index'],
        tabs: (all.tabs ?? {}) as Stored['tabs'],
      } satisfies Stored;
    });

  const tabOf = (peer: string) =>
    until(`the ${peer} tab to report its chat`, async () => {
      for (const [id, r] of Object.entries((await stored()).tabs))
        if (r.ref?.peer === peer) return Number(id);
      return undefined;
    });

  const texts = (p: Page, sel: string) => p.$$eval(sel, (els) => els.map((e) => e.textContent ?? ''));

  beforeAll(async () => {
    duo = await startMinichatBob({ prefix: 'offrecord-budgetsff-' });
    debugDump = () => duo.dump();
    ext = await launchFirefox({ extensionDir: extensionDir('firefox', 'test') });
    probe = await ext.browser.newPage();
    await probe.goto(`${ext.baseUrl}extension/options/index.html`, { waitUntil: 'networkidle0' });
    flood = await ext.browser.newPage();
    await flood.goto(duo.chat.pageUrl('alice', 'mallory'));
    talk = await ext.browser.newPage();
    await talk.goto(duo.chat.pageUrl('alice', 'bob'));
    floodTab = await tabOf('mallory');
    talkTab = await tabOf('bob');
    await until(
      'alice key',
      async () => (((await pageRequest({ type: 'keys-list' })) as unknown[]).length > 0 ? true : undefined),
      90_000,
    );
  }, 150_000);

  afterAll(async () => {
    await ext?.close();
    await duo?.close();
  });

  it(`${MEDIUM} rows of 3,000 characters, ${BIG} of 99 KB and ${SMALL} small ones in one tab; the other tab goes private and talks both ways`, async () => {
    const medium = 'm'.repeat(3000);
    for (let i = 0; i < MEDIUM; i++) duo.chat.post('mallory', 'alice', `${i} ${medium}`);
    await until('the medium rows to be stored and trimmed', async () => {
      const s = await status(floodTab);
      return (s.status?.limits?.trimmed ?? 0) > 0 ? true : undefined;
    });
    const big = 'M'.repeat(99_000);
    for (let i = 0; i < BIG; i++) duo.chat.post('mallory', 'alice', `${i} ${big}`);
    await pageRequest({ type: 'go-private', tabId: talkTab });
    await until('bob encrypted', async () => (duo.encryptedCount() > 0 ? true : undefined));
    for (let i = 0; i < SMALL; i++) duo.chat.post('mallory', 'alice', `small row ${i}`);

    const panel = await ext.browser.newPage();
    await panel.goto(`${ext.baseUrl}extension/panel/index.html?tab=${talkTab}`, {
      waitUntil: 'networkidle0',
    });
    await talk.bringToFront();
    const box = await until(
      'the compose box',
      async () => (await panel.$('[data-testid=compose-box]')) ?? undefined,
    );
    await box.type('alice during the flood');
    await box.press('Enter');
    await until('bob to read it', async () =>
      duo.saw((e) => e.event === 'message' && e.text === 'alice during the flood') ? true : undefined,
    );
    await duo.do({ op: 'send', peer: 'alice', text: 'bob during the flood' });
    await until('alice to read it', async () =>
      (await texts(panel, '[data-testid=entry][data-dir="in"] .text')).includes('bob during the flood')
        ? true
        : undefined,
    );

    // Every row, exactly once, once the counts have come to rest.
    const rows = MEDIUM + BIG + SMALL;
    const accounted = async () => floodCount(await status(floodTab), (await stored()).index, 'mallory');
    await floodAtRest(accounted, rows, 150_000);
    const total = await accounted();
    console.log(`Firefox: flood rows accounted for: ${JSON.stringify(total)}`);
    expect(total.sum).toBe(rows);
    expect(total.dropped).toBeGreaterThan(0);

    // The other conversation still works after it, each message once.
    await box.type('alice after the flood');
    await box.press('Enter');
    await until('bob to read it', async () =>
      duo.saw((e) => e.event === 'message' && e.text === 'alice after the flood') ? true : undefined,
    );
    const bobRead = duo.events.filter((e) => e.event === 'message').map((e) => (e as { text: string }).text);
    expect(bobRead).toEqual(['alice during the flood', 'alice after the flood']);
    expect(await texts(panel, '[data-testid=entry][data-dir="in"] .text')).toEqual(['bob during the flood']);

    // Storage, as the store counts it, and the budgets.
    const s = await stored();
    console.log(`Firefox: storage.session after the flood: ${s.bytes} bytes`);
    expect(s.bytes).toBeLessThanOrEqual(BUDGETS.total + OTHER_KEYS);
    const convs = Object.values(s.index?.convs ?? {});
    expect(convs).toHaveLength(2);
    for (const c of convs) {
      expect(c.state).toBeLessThanOrEqual(BUDGETS.stateBytes);
      expect(c.chunks.reduce((a, [b]) => a + b, 0)).toBeLessThanOrEqual(BUDGETS.transcriptPerConversation);
    }
    const f = await status(floodTab);
    expect(f.status?.limits?.trimmed ?? 0).toBeGreaterThan(0);
    expect(f.status?.limits?.notStored ?? 0).toBe(0);
    expect((await status(talkTab)).status?.limits?.notStored ?? 0).toBe(0);

    // The flood tab's side panel page says what the budgets did, with the same counts.
    const floodPanel = await ext.browser.newPage();
    await floodPanel.goto(`${ext.baseUrl}extension/panel/index.html?tab=${floodTab}`, {
      waitUntil: 'networkidle0',
    });
    await flood.bringToFront();
    const line = await until('the budget line', async () => {
      const t = await floodPanel
        .$eval('[data-testid=budget-line]', (e) => e.textContent ?? '')
        .catch(() => '');
      return t.includes(`${f.tab?.dropped} messages the page showed too fast were skipped`) ? t : undefined;
    });
    expect(line).toContain(`${f.status?.limits?.trimmed} older lines were removed`);
  }, 300_000);
});
