/**
 * The side panel in Firefox ESR (issue 14): alice in Firefox on a minichat page with the built
 * extension, bob is tools/otr-peer (the engine on stdin/stdout) relaying through the same chat
 * server. The panel page bound to the chat tab (`?tab=N`: what the sidebar shows for that tab;
 * headless Firefox draws no sidebar). Text typed before private mode stays in the box, never sent;
 * "Go private" in the panel; messages both ways; bob's SMP question answered in its notice; bob
 * ends: the transcript stays readable, marked, and typing stays in the box with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Minichat, startMinichat } from '../fixtures/minichat/server';
import { type Peer, type PeerEvent, startOffrecordPeer } from '../interop/lib';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers';
import { tabOfPeer } from './lib/minichat-bob';
import { waitFor } from './lib/ngircd';
import { firefoxPanel, firefoxTranscript } from './lib/picker';

describe('the side panel in Firefox ESR', () => {
  let chat: Minichat;
  let bob: Peer;
  let ff: FirefoxExtension;
  let page: Page;
  let panel: Page;
  let tabId: number;
  let dir: string;
  const bobEvents: PeerEvent[] = [];
  let relay: Promise<unknown> = Promise.resolve();
  /** While set, lines to bob wait here (bob "offline"): the AKE cannot complete. */
  const link: { paused: string[] | null } = { paused: null };

  /** Bob's ops one at a time; each line he produces is posted to the chat. */
  const bobDo = (op: Record<string, unknown>) => {
    const next = relay.then(async () => {
      const events = await bob.op(op as never);
      bobEvents.push(...events);
      for (const e of events) if (e.event === 'wire') chat.post('bob', 'alice', (e as { wire: string }).wire);
    });
    relay = next.catch(() => undefined);
    return next;
  };
  const bobSaw = (pred: (e: PeerEvent) => boolean, what: string) =>
    waitFor(what, async () => (bobEvents.some(pred) ? true : undefined), 60_000, 100);
  const status = () => panel.$eval('[data-testid=panel-status]', (e) => e.getAttribute('data-status') ?? '');
  const waitStatus = (want: string[]) =>
    waitFor(
      `the panel to show ${want.join('|')}`,
      async () => (want.includes(await status()) ? true : undefined),
      60_000,
      150,
    );
  const box = () => panel.$eval('[data-testid=compose-box]', (t) => (t as HTMLTextAreaElement).value);
  const type = async (text: string) => {
    await panel.$eval('[data-testid=compose-box]', (t) => {
      (t as HTMLTextAreaElement).value = '';
    });
    await panel.type('[data-testid=compose-box]', text);
    await panel.keyboard.press('Enter');
  };
  const notices = () =>
    panel.$$eval('[data-testid=entry][data-dir=notice]', (lis) =>
      lis.map((li) => li.getAttribute('data-notice')),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offrecord-panelff-'));
    chat = await startMinichat();
    bob = await startOffrecordPeer({
      account: 'bob',
      policy: 'manual',
      key: join(dir, 'bob.key'),
      maxMessage: 400,
    });
    chat.onLine((l) => {
      if (l.to !== 'bob') return;
      if (link.paused) link.paused.push(l.text);
      else void bobDo({ op: 'receive', peer: 'alice', wire: l.text });
    });
    ff = await launchFirefox({ extensionDir: extensionDir('firefox', 'test') });
    const probe = await ff.browser.newPage();
    await probe.goto(`${ff.baseUrl}extension/options/index.html`, { waitUntil: 'networkidle0' });
    page = await ff.browser.newPage();
    await page.goto(chat.pageUrl('alice', 'bob'));
    tabId = await waitFor('the chat tab reported', () => tabOfPeer(probe, 'bob'));
    await probe.close();
    panel = await firefoxPanel(ff, page, tabId);
  }, 120_000);

  afterAll(async () => {
    await ff?.close();
    await bob?.close();
    await chat?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the chat; text typed before private mode stays in the box and is not sent', async () => {
    await waitFor('the panel on bob', async () =>
      (await panel.$eval('[data-testid=panel-buddy]', (e) => e.textContent).catch(() => null)) === 'bob'
        ? true
        : undefined,
    );
    expect(await status()).toBe('not-private');
    expect(await panel.$('[data-testid=security-mark]')).not.toBeNull();
    const before = chat.lines().length;
    await type('too early');
    await panel.waitForSelector('[data-testid=compose-reason]');
    expect(await box()).toBe('too early');
    expect(
      chat
        .lines()
        .slice(before)
        .some((l) => l.text.includes('too early')),
    ).toBe(false);
    await panel.$eval('[data-testid=compose-box]', (t) => {
      (t as HTMLTextAreaElement).value = '';
      t.dispatchEvent(new Event('input', { bubbles: true }));
    });
  });

  it('goes private from the panel; typed during the AKE is held (marked), then sent encrypted; both ways', async () => {
    link.paused = [];
    await panel.click('[data-testid=go-private]');
    await waitStatus(['starting']);
    // The page's compose box is inert under the cover as soon as private mode is on.
    await waitFor('the cover', async () =>
      (await page.$$eval('[data-offrecord-cover]', (els) => els.length)) === 1 ? true : undefined,
    );
    expect(await page.$eval('textarea#compose', (e) => e.hasAttribute('inert'))).toBe(true);
    await type('ff-secret to bob');
    await panel.waitForSelector('[data-testid=entry][data-dir=out][data-state=held]');
    expect(await box()).toBe('');
    expect(await panel.$eval('[data-testid=panel-status]', (e) => e.textContent ?? '')).toMatch(/1/);
    // Nothing of it reached the chat while held (I2): only the query so far.
    for (const l of chat.lines()) expect(l.text).not.toContain('ff-secret');
    const waiting = link.paused ?? [];
    link.paused = null;
    for (const w of waiting) void bobDo({ op: 'receive', peer: 'alice', wire: w });
    await waitStatus(['unverified', 'private']);
    await bobSaw(
      (e) => e.event === 'message' && (e as { text: string }).text === 'ff-secret to bob',
      'bob reads it',
    );
    await panel.waitForSelector('[data-testid=entry][data-dir=out][data-state=sent]');
    await bobDo({ op: 'send', peer: 'alice', text: 'peer-secret to alice' });
    await waitFor('alice reads it', async () =>
      (await firefoxTranscript(panel)).some(
        (e) => e.dir === 'in' && e.text === 'peer-secret to alice' && e.encrypted,
      )
        ? true
        : undefined,
    );
    expect(await notices()).toContain('started');
    for (const l of chat.lines())
      if (l.text.includes('secret')) throw new Error(`plaintext on the wire: ${l.text}`);
    expect(await page.evaluate(() => document.documentElement.textContent?.includes('secret'))).toBe(false);
  });

  it("bob's question is answered in its notice; then bob ends: readable, marked, typing refused", async () => {
    await bobDo({ op: 'smp', peer: 'alice', secret: 'blue', question: 'sky colour?' });
    await panel.waitForSelector('[data-testid=smp-answer-box]', { timeout: 60_000 });
    expect(await panel.$eval('[data-testid=smp-question]', (e) => e.textContent)).toBe('sky colour?');
    await panel.type('[data-testid=smp-answer-box]', 'blue');
    await panel.click('[data-testid=smp-answer-submit]');
    await bobSaw(
      (e) => e.event === 'smp' && (e as { result: string }).result === 'succeeded',
      'bob: SMP succeeded',
    );
    await waitFor('the result in the panel', async () =>
      (await notices()).includes('smp-succeeded') ? true : undefined,
    );

    await bobDo({ op: 'end', peer: 'alice' });
    await waitStatus(['finished']);
    expect(await notices()).toContain('buddy-ended');
    expect((await firefoxTranscript(panel)).map((e) => e.text)).toContain('ff-secret to bob');
    const before = chat.lines().length;
    await type('after the end');
    await panel.waitForSelector('[data-testid=compose-reason]');
    expect(await box()).toBe('after the end');
    expect(chat.lines().slice(before)).toEqual([]);
  });
});
