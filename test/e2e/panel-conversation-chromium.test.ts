/**
 * Issue 14: the side panel as the private conversation, in Chromium (headless: the panel page is
 * opened bound to the chat tab, `index.html?tab=N`, in a window of its own beside the chat, as
 * `npm start` does without a display). Alice is the extension on minichat; bob is tools/otr-peer on
 * the page's relay. The user's typing goes into the panel with real input events (CDP key events).
 *
 * 1. The worker is killed while the panel is open, before every step: nothing typed or received is
 *    lost or shown twice, the panel keeps working, and there is exactly one AKE (one D-H Commit).
 * 2. Bob asks to authenticate with a question: the panel shows the question in a notice with an
 *    answer field; the answer typed there verifies (bob: succeeded) and the panel says so. Alice
 *    then verifies bob (libotr's one-way rule) and the panel says Private.
 * 3. Bob ends the conversation: the panel says so, status Finished, the transcript stays readable;
 *    what is typed then stays in the box with the reason and is never sent.
 * 4. The verified buddy's key changes (a new install, same name): the loud key-changed notice.
 * 5. Alice ends it: the transcript stays, with the 'ended' notice; it is in memory only: nothing of
 *    it in storage.local or IndexedDB.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { type Minichat, startMinichat } from '../fixtures/minichat/server';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  stopChromiumServiceWorker,
} from './lib/browsers';
import { RelayedBuddy } from './lib/buddy';
import { waitFor } from './lib/ngircd';
import {
  acceptMarkIfAsked,
  PANEL_PAGE,
  type PanelView,
  panelState,
  untilPanel,
  waitForNotice,
  waitForPanelEntry,
  waitForPanelStatus,
} from './lib/panel';
import { isDhCommit } from './lib/restart';
import { type Person, pageRequest, tabIdOf } from './lounge-private-helpers';

declare const chrome: Browser;

/** Opens the panel page bound to `tabId` in a window of its own (the chat tab stays active). */
async function openPanelWindow(ext: ChromiumExtension, tabId: number): Promise<Page> {
  const url = `${ext.baseUrl}${PANEL_PAGE}?tab=${tabId}`;
  const opened = ext.context.waitForEvent('page', { predicate: (p) => p.url() === url, timeout: 30_000 });
  await ext.worker.evaluate(
    (u) => chrome.windows.create({ url: u, width: 420, height: 800, focused: true }).then(() => true),
    url,
  );
  const page = await opened;
  await page.waitForLoadState('domcontentloaded');
  return page;
}

const pageView = (p: Page): PanelView => ({
  run: (src) => p.evaluate(`(() => { const doc = document; return ${src}; })()`),
});

describe('the side panel holds the private conversation (Chromium)', () => {
  let chat: Minichat;
  let dir: string;
  let bob: RelayedBuddy;
  let ext: ChromiumExtension;
  let alice: Person;
  let panelPage: Page;
  let view: PanelView;
  let stops = 0;
  const stop = async () => {
    stops += await stopChromiumServiceWorker(ext.context, ext.extensionId);
  };

  /** Types into the panel's compose box with key events and presses Enter. */
  const typeAndSend = async (text: string) => {
    const box = panelPage.getByTestId('compose-box');
    await box.click();
    await box.pressSequentially(text, { delay: 2 });
    await box.press('Enter');
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'offrecord-panel-'));
    chat = await startMinichat();
    bob = await RelayedBuddy.start(chat, { me: 'bob', them: 'alice', dir });
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.goto(chat.pageUrl('alice', 'bob'));
    const tabId = await tabIdOf(ext, chat.origin);
    alice = {
      user: { name: 'alice', password: '' },
      nick: 'alice',
      ext,
      page,
      tabId,
      close: () => ext.close(),
    };
    panelPage = await openPanelWindow(ext, tabId);
    view = pageView(panelPage);
    await acceptMarkIfAsked(view);
  });

  afterAll(async () => {
    await ext?.close();
    await bob?.close();
    await chat?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows whom the conversation is with, goes private, and survives the worker killed at every step', async () => {
    const s0 = await untilPanel(view, 'the panel to show the chat', (s) => (s.buddy === 'bob' ? s : null));
    expect(s0.account).toBe('alice');
    expect(s0.status).toBe('not-private');
    await stop();
    await pageRequest(alice, { type: 'go-private', tabId: alice.tabId });
    await waitForPanelStatus(view, ['unverified', 'private'], 90_000);
    await waitFor('bob encrypted', async () => (bob.isEncrypted() ? true : undefined));
    const out = ['alice one ünï', 'alice two 日本', 'alice three 🔑'];
    const inn = ['bob one', 'bob two ключ', 'bob three'];
    for (let i = 0; i < 3; i++) {
      await stop();
      await typeAndSend(out[i] as string);
      await bob.waitToRead(out[i] as string);
      await stop();
      await bob.send(inn[i] as string);
      await waitForPanelEntry(view, 'in', inn[i] as string);
    }
    const s = await panelState(view);
    expect(s.entries.filter((e) => e.dir === 'out').map((e) => [e.text, e.encrypted])).toEqual(
      out.map((t) => [t, true]),
    );
    expect(s.entries.filter((e) => e.dir === 'in').map((e) => [e.text, e.encrypted])).toEqual(
      inn.map((t) => [t, true]),
    );
    expect(bob.read()).toEqual(out);
    expect(chat.lines().filter((l) => isDhCommit(l.text))).toHaveLength(1);
    expect(chat.lines().filter((l) => l.text.startsWith('?OTR Error'))).toEqual([]);
    expect(stops).toBeGreaterThanOrEqual(7);
  });

  it("answers the buddy's SMP question from the panel's notice (the worker killed meanwhile)", async () => {
    await stop();
    await bob.do({ op: 'smp', peer: 'alice', secret: 'blue whale 🐋', question: 'Where did we meet? 海' });
    const asked = await waitForNotice(view, 'smp-asked');
    expect(asked.question).toBe('Where did we meet? 海');
    await stop();
    const answer = panelPage.getByTestId('smp-answer-box');
    await answer.click();
    await answer.pressSequentially('blue whale 🐋', { delay: 2 });
    await panelPage.getByTestId('smp-answer-submit').click();
    await bob.waitForEvent(
      'bob: SMP succeeded',
      (e) => e.event === 'smp' && (e as { result: string }).result === 'succeeded',
    );
    await waitForNotice(view, 'smp-succeeded');
    // The answer is a secret: not in the transcript, not on the wire.
    const s = await panelState(view);
    expect(JSON.stringify(s.entries)).not.toContain('blue whale');
    expect(chat.lines().some((l) => l.text.includes('blue whale'))).toBe(false);
    // libotr's one-way rule: the answerer does not trust yet. Alice asks back (as the popup does).
    await pageRequest(alice, {
      type: 'smp-start',
      tabId: alice.tabId,
      secret: 'red fox',
      question: 'Colour?',
    });
    await bob.waitForEvent(
      'bob asked',
      (e) => e.event === 'smp' && (e as { result: string }).result === 'question',
    );
    await bob.do({ op: 'smp-answer', peer: 'alice', secret: 'red fox' });
    await waitForPanelStatus(view, ['private']);
  });

  it('keeps the transcript readable after the buddy ends it; what is typed then stays, sent to no one', async () => {
    await bob.do({ op: 'end', peer: 'alice' });
    await waitForNotice(view, 'buddy-ended');
    await waitForPanelStatus(view, ['finished']);
    const linesBefore = chat.lines().length;
    await typeAndSend('typed after the end');
    const s = await untilPanel(view, 'the text kept with its reason', (st) =>
      st.compose === 'typed after the end' && st.reason !== '' ? st : null,
    );
    for (const t of ['alice one ünï', 'bob two ключ', 'alice three 🔑']) {
      expect(s.entries.some((e) => e.text === t)).toBe(true);
    }
    // A negative: nothing may follow. The panel kept the text (above); give a send that should not
    // happen the time one takes here (tens of milliseconds) many times over.
    await new Promise((r) => setTimeout(r, 500));
    expect(
      chat
        .lines()
        .slice(linesBefore)
        .filter((l) => l.from === 'alice'),
    ).toEqual([]);
    await panelPage.getByTestId('compose-box').fill('');
  });

  it("shows the loud key-changed notice when the verified buddy's key changes", async () => {
    const oldFp = bob.fingerprint;
    await bob.newKey();
    expect(bob.fingerprint).not.toBe(oldFp);
    await bob.do({ op: 'query', peer: 'alice' });
    const n = await waitForNotice(view, 'key-changed', 90_000);
    expect(n.dir).toBe('notice');
    await waitForPanelStatus(view, ['unverified']);
    await typeAndSend('after the new key');
    await bob.waitToRead('after the new key');
  });

  it('after we end it the transcript stays, marked ended, and none of it is on disk', async () => {
    await pageRequest(alice, { type: 'end-private', tabId: alice.tabId });
    await waitForNotice(view, 'ended');
    const s = await panelState(view);
    for (const t of ['alice one ünï', 'bob three', 'after the new key']) {
      expect(s.entries.some((e) => e.text === t)).toBe(true);
    }
    // Off the record: none of it on disk (storage.local, IndexedDB).
    const disk = await ext.worker.evaluate(async () => {
      const local = JSON.stringify(await chrome.storage.local.get(null));
      const dbs: string[] = [];
      for (const info of await indexedDB.databases()) {
        if (!info.name) continue;
        const db = await new Promise<IDBDatabase>((ok, fail) => {
          const r = indexedDB.open(info.name as string);
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        for (const store of Array.from(db.objectStoreNames)) {
          const all = await new Promise<unknown[]>((ok, fail) => {
            const r = db.transaction(store).objectStore(store).getAll();
            r.onsuccess = () => ok(r.result);
            r.onerror = () => fail(r.error);
          });
          dbs.push(JSON.stringify(all));
        }
        db.close();
      }
      return `${local}\n${dbs.join('\n')}`;
    });
    expect(disk.length).toBeGreaterThan(0);
    for (const t of ['alice one', 'bob two', 'after the new key', 'typed after the end']) {
      expect(disk.includes(t)).toBe(false);
    }
  });
});
