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
  REPO_ROOT,
  type StaticServer,
  startStaticServer,
} from './lib/browsers';

declare const chrome: Browser;

const SHOTS = join(REPO_ROOT, 'test-results', 'screenshots');
const ME = 'alice';
const BUDDY = 'bob';
const OTHER = 'carol';

const CHAT = `<!doctype html><html><head><title>chat</title></head><body><div id="log"></div></body></html>`;

interface Kind {
  kind: 'one-to-one' | 'group' | 'none';
  peer: string | null;
}

/**
 * Runs in the worker: injects into the chat tab (chrome.scripting, isolated world) the relay
 * described above. Everything is inline and anonymous: Playwright and executeScript serialize it.
 */
async function injectRelay([tid, account, conv]: readonly [number, string, Kind]): Promise<void> {
  await chrome.scripting.executeScript({
    target: { tabId: tid },
    args: [account, conv],
    func: (account: string, conv: Kind) => {
      const port = chrome.runtime.connect({ name: 'offrecord' });
      let id = 1;
      const send = (body: Record<string, unknown>) => port.postMessage({ ...body, id: id++ });
      const log = document.getElementById('log') as HTMLElement;
      const written = new Set<number>();
      const reported = new Set<string>();
      port.onMessage.addListener((msg: unknown) => {
        const m = msg as { type?: string; event?: { type: string; lines?: { seq: number; wire: string }[] } };
        const reply = msg as { type?: string; ok?: boolean; error?: string };
        // The conversation goes after hello's reply: sent together, the background's two tab-map
        // updates can race and hello's may overwrite the conversation (reported to the lead).
        if (reply.type === 'reply' && (reply as { id?: number }).id === 1) {
          send({
            type: 'conversation',
            account,
            protocol: 'prpl-irc',
            peer: conv.peer,
            kind: conv.kind,
            reason: null,
            maxMessageSize: 0,
            composeFound: true,
            listFound: true,
          });
        }
        if (m.type !== 'push' || m.event?.type !== 'send-wire') return;
        for (const line of m.event.lines ?? []) {
          if (written.has(line.seq)) continue;
          written.add(line.seq);
          const row = document.createElement('div');
          row.className = 'msg own';
          row.dataset.id = `own-${line.seq}`;
          row.textContent = line.wire;
          log.append(row);
          send({ type: 'wire-sent', seq: line.seq });
        }
      });
      send({ type: 'hello', url: location.href });
      new MutationObserver(() => {
        const rows = [...log.querySelectorAll<HTMLElement>('.msg.buddy')].filter(
          (r) => !reported.has(r.dataset.id ?? ''),
        );
        if (rows.length === 0) return;
        for (const r of rows) reported.add(r.dataset.id ?? '');
        send({
          type: 'chat-messages',
          history: false,
          messages: rows.map((r) => ({ id: r.dataset.id, from: conv.peer, text: r.textContent, own: false })),
        });
      }).observe(log, { childList: true });
    },
  });
}

interface PeerEvent {
  event: string;
  wire?: string;
  result?: string;
  question?: string;
  state?: string;
  fingerprint?: string | null;
}

/**
 * Carries wire lines between the chat page and an otr-peer until stopped. The peer can be swapped
 * (the "same" buddy with another key): lines already carried are not carried again.
 */
class Pump {
  private forwarded = 0;
  private buddyRows = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running = false;
  readonly smpEvents: { result: string; question?: string | null }[] = [];
  readonly states: { state: string; fingerprint: string | null }[] = [];

  constructor(
    private readonly page: Page,
    public peer: Peer,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), 100);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Feeds events of the peer (wire lines to the page, SMP and state events recorded). */
  async deliver(events: PeerEvent[]): Promise<void> {
    for (const e of events) {
      if (e.event === 'wire' && e.wire !== undefined) {
        const n = this.buddyRows++;
        await this.page.evaluate(
          ([text, rowId]) => {
            const row = document.createElement('div');
            row.className = 'msg buddy';
            row.dataset.id = rowId;
            row.textContent = text;
            document.getElementById('log')?.append(row);
          },
          [e.wire, `buddy-${n}`] as const,
        );
      } else if (e.event === 'smp' && e.result !== undefined) {
        this.smpEvents.push({ result: e.result, question: e.question ?? null });
      } else if (e.event === 'state' && e.state !== undefined) {
        this.states.push({ state: e.state, fingerprint: e.fingerprint ?? null });
      }
    }
  }

  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const rows = await this.page.evaluate(() =>
        [...document.querySelectorAll('#log .msg.own')].map((r) => r.textContent ?? ''),
      );
      while (this.forwarded < rows.length) {
        const wire = rows[this.forwarded++] as string;
        await this.deliver((await this.peer.op({ op: 'receive', peer: ME, wire })) as PeerEvent[]);
      }
    } catch {
      // the page closed: the test is ending
    } finally {
      this.running = false;
    }
  }
}

async function tabIdOf(ext: ChromiumExtension, url: string): Promise<number> {
  const ids = await ext.worker.evaluate(
    async (u) => (await chrome.tabs.query({ url: u })).map((t) => t.id),
    url,
  );
  expect(ids).toHaveLength(1);
  return ids[0] as number;
}

/** Waits for the tab's own content script hello, then injects the relay (whose hello wins). */
async function openChat(
  ext: ChromiumExtension,
  url: string,
  conv: Kind,
): Promise<{ page: Page; tabId: number }> {
  const page = await ext.context.newPage();
  await page.goto(url);
  const tabId = await tabIdOf(ext, url);
  await expect
    .poll(
      () =>
        ext.worker.evaluate(async (tid) => {
          const { tabs } = (await chrome.storage.session.get('tabs')) as { tabs?: Record<string, unknown> };
          return tabs?.[tid] !== undefined;
        }, tabId),
      { timeout: 15_000 },
    )
    .toBe(true);
  await ext.worker.evaluate(injectRelay, [tabId, ME, conv] as const);
  return { page, tabId };
}

async function openPopup(ext: ChromiumExtension, tabId: number): Promise<Page> {
  const popup = await ext.context.newPage();
  popup.on('pageerror', (e) => console.error(`popup error: ${e.message}`));
  await popup.setViewportSize({ width: 360, height: 700 });
  await popup.goto(`${ext.baseUrl}${PAGES.popup}?tab=${tabId}`);
  await popup.getByRole('heading', { name: 'offrecord', level: 1 }).waitFor();
  return popup;
}

async function shot(popup: Page, name: string): Promise<void> {
  // The test build's diagnostics footer is not part of the product's look.
  await popup.addStyleTag({ content: 'footer.diag{display:none}' });
  await popup.screenshot({ path: join(SHOTS, `popup-more-${name}.png`), fullPage: true });
}

const statusOf = (popup: Page) => popup.getByRole('status', { name: /^Privacy status: / });
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
    await keys.getByRole('cell', { name: ME }).waitFor();
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
