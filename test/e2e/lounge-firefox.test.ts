/**
 * Firefox ESR, the core flow through The Lounge: Alice in Firefox (puppeteer-core over WebDriver
 * BiDi, the built firefox-test extension), Bob in Chromium. Alice turns private mode on from an
 * extension page (as the popup does), the AKE completes, messages go each way through the
 * side panel (the sidebar's page, bound to the chat tab), each side reads the other's encrypted.
 */
import type { Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { extensionDir, type FirefoxExtension, launchFirefox } from './lib/browsers.js';
import { type Lounge, type LoungeUser, loungeDom, startLounge } from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import { firefoxPanel, firefoxTranscript } from './lib/picker.js';
import {
  composeSend,
  openPerson,
  type Person,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

declare const browser: Browser;

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-f', nick: 'alice_ff' };
const BOB: LoungeUser = { name: 'bob', password: 'bob-pw-f', nick: 'bob_cr' };

/** One request over a runtime port from an extension page, as the popup sends it. */
function request(extPage: Page, body: Record<string, unknown>): Promise<unknown> {
  return extPage.evaluate(
    (msg) =>
      new Promise((resolve, reject) => {
        const port = browser.runtime.connect({ name: 'offrecord' });
        port.onMessage.addListener((raw) => {
          const r = raw as { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string };
          if (r.type !== 'reply' || r.id !== 7) return;
          port.disconnect();
          if (r.ok) resolve(r.result);
          else reject(new Error(r.error));
        });
        port.postMessage({ ...msg, id: 7 });
        setTimeout(() => reject(new Error('no reply in 10 s')), 10_000);
      }),
    body,
  );
}

/** Every transcript entry kept in the background's storage.session, read from an extension page. */
function sessionEntries(extPage: Page): Promise<{ dir: string; text: string; encrypted: boolean }[]> {
  return extPage.evaluate(async () => {
    const out: { dir: string; text: string; encrypted: boolean }[] = [];
    const walk = (x: unknown): void => {
      if (Array.isArray(x)) {
        for (const y of x) walk(y);
      } else if (typeof x === 'object' && x !== null) {
        const o = x as Record<string, unknown>;
        if (
          typeof o.text === 'string' &&
          (o.dir === 'in' || o.dir === 'out') &&
          typeof o.encrypted === 'boolean'
        ) {
          out.push({ dir: o.dir, text: o.text, encrypted: o.encrypted });
        }
        for (const v of Object.values(o)) walk(v);
      } else if (typeof x === 'string' && x.startsWith('{')) {
        try {
          walk(JSON.parse(x));
        } catch {
          // not JSON
        }
      }
    };
    walk(await browser.storage.session.get(null));
    return out;
  });
}

describe('private mode on The Lounge in Firefox ESR', () => {
  let irc: Ngircd;
  let lounge: Lounge;
  let ff: FirefoxExtension;
  let page: Page;
  let extPage: Page;
  let tabId: number;
  let bob: Person;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE, BOB] });
    ff = await launchFirefox({ extensionDir: extensionDir('firefox') });
    page = await ff.browser.newPage();
    await page.goto(lounge.url);
    await page.waitForSelector(loungeDom.username);
    await page.type(loungeDom.username, ALICE.name);
    await page.type(loungeDom.password, ALICE.password);
    await page.keyboard.press('Enter');
    await page.waitForSelector(loungeDom.compose);
    await page.type(loungeDom.compose, `/query ${BOB.nick}`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(loungeDom.sidebarItem('query', BOB.nick!));
    await page.click(loungeDom.sidebarItem('query', BOB.nick!));
    await page.waitForSelector(loungeDom.openChat('query', BOB.nick!));
    extPage = await ff.browser.newPage();
    await extPage.goto(`${ff.baseUrl}extension/popup/index.html`, { waitUntil: 'networkidle0' });
    tabId = await waitFor('the Firefox tab of The Lounge', async () => {
      const id = await extPage.evaluate(
        async (u) => (await browser.tabs.query({})).find((t) => t.url?.startsWith(u))?.id ?? null,
        lounge.url,
      );
      return id ?? undefined;
    });
    bob = await openPerson({ lounge, user: BOB, peerNick: ALICE.nick! });
  });

  afterAll(async () => {
    await ff?.close();
    await bob?.close();
    await lounge?.stop();
    await irc?.stop();
  });

  it('completes the AKE with a Chromium buddy', async () => {
    await waitFor('Alice’s query reported', async () => {
      const s = (await request(extPage, { type: 'status', tabId })) as {
        conversation: { kind: string; peer: string | null } | null;
      };
      return s.conversation?.kind === 'one-to-one' && s.conversation.peer === BOB.nick ? true : undefined;
    });
    await waitForQuery(bob, ALICE.nick!);
    await request(extPage, { type: 'go-private', tabId });
    // The AKE runs in Firefox's background over The Lounge: the session is encrypted (v3).
    const st = await waitFor(
      'Alice’s session encrypted',
      async () => {
        const r = (await request(extPage, { type: 'status', tabId })) as {
          status: { state: string; version: number } | null;
        };
        return r.status?.state === 'encrypted' ? r.status : undefined;
      },
      90_000,
      300,
    );
    expect(st.version).toBe(3);
    // Private mode never falls back to the page: The Lounge's compose box is inert under the overlay.
    expect(await page.$eval(loungeDom.compose, (e) => e.hasAttribute('inert'))).toBe(true);
  });

  it('carries messages both ways through the side panel', async () => {
    // Alice types in offrecord's panel (the sidebar's page, bound to The Lounge's tab); what she
    // read is taken from the background's session transcript (storage.session) and her panel.
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);
    const panel = await firefoxPanel(ff, page, tabId);
    const fromAlice = ['hello from Firefox', 'Ünïcødé 日本語 🦊'];
    for (const t of fromAlice) {
      await panel.type('[data-testid=compose-box]', t);
      await panel.keyboard.press('Enter');
      const shown = await waitForEntry(bob.page, 'in', t, 60_000);
      expect(shown.encrypted).toBe(true);
    }
    // Nothing Alice typed reached The Lounge's own compose box.
    expect(await page.$eval(loungeDom.compose, (e) => (e as HTMLTextAreaElement).value)).toBe('');
    const fromBob = ['hello from Chromium', 'ελληνικά 🎉'];
    for (const t of fromBob) await composeSend(bob.page, t);
    const entries = await waitFor('Alice’s session transcript', async () => {
      const all = await sessionEntries(extPage);
      return [...fromAlice, ...fromBob].every((t) => all.some((e) => e.text === t)) ? all : undefined;
    });
    for (const t of fromAlice)
      expect(entries.find((e) => e.text === t)).toMatchObject({ dir: 'out', encrypted: true });
    for (const t of fromBob)
      expect(entries.find((e) => e.text === t)).toMatchObject({ dir: 'in', encrypted: true });
    // The panel draws from the background's push, which can follow the stored transcript by a moment.
    const shown = await waitFor('Bob’s lines in Alice’s panel', async () => {
      const rows = await firefoxTranscript(panel);
      return fromBob.every((t) => rows.some((r) => r.text === t)) ? rows : undefined;
    });
    for (const t of fromBob) expect(shown).toContainEqual({ dir: 'in', text: t, encrypted: true });
  });
});
