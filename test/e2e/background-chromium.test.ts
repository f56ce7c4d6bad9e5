// Issue 5 in real Chromium: a scripted OTR conversation between the extension (alice, in a
// minichat page served from 127.0.0.1) and tools/otr-peer (bob), with the service worker STOPPED
// before every line bob sends and between every step: go private, AKE, messages both ways, SMP.
// Asserts 0 lost, 0 doubled, 0 undecryptable messages and exactly one D-H Commit on the wire.
// Plus: spoofed messages (wrong shape, a content script asking for keys / naming a tab) refused.

import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import {
  type ChromiumExtension,
  extensionDir,
  launchChromium,
  stopChromiumServiceWorker,
} from './lib/browsers';
import { extensionRequest, type MinichatBob, startMinichatBob, tabOfPeer } from './lib/minichat-bob';
import { isDhCommit, until as untilShared } from './lib/restart';

declare const chrome: Browser;

let debugDump: () => string = () => '';
const until = <T>(what: string, f: () => Promise<T | undefined>, ms = 60_000) =>
  untilShared(what, f, ms, () => debugDump());

describe('background: a conversation survives the worker being stopped at every step (Chromium)', () => {
  let duo: MinichatBob;
  let ext: ChromiumExtension;
  let page: Page;
  let popup: Page;
  let tabId: number;
  let stops = 0;

  const stop = async () => {
    stops += await stopChromiumServiceWorker(ext.context, ext.extensionId);
  };

  /** Sends a PageRequest from an extension page, as the popup does. */
  const pageRequest = (body: Record<string, unknown>) => extensionRequest(popup, body);

  /** The side panel's page bound to the chat tab (headless Chromium draws no side panel UI). */
  let panel: Page | null = null;
  const panelPage = async (): Promise<Page> => {
    if (!panel || panel.isClosed()) {
      panel = await ext.context.newPage();
      await panel.goto(`${ext.baseUrl}extension/panel/index.html?tab=${tabId}`);
      await page.bringToFront();
    }
    await panel.locator('[data-testid=panel-status]').waitFor();
    return panel;
  };

  beforeAll(async () => {
    // Every line bob sends goes out after the worker was stopped.
    duo = await startMinichatBob({ prefix: 'offrecord-bg-', beforeBobLine: stop });
    debugDump = () => duo.dump();
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    page = await ext.context.newPage();
    await page.goto(duo.chat.pageUrl('alice', 'bob'));
    tabId = await until('the tab to report its chat', async () => tabOfPeer(ext.worker, 'bob'));
    popup = await ext.context.newPage();
    await popup.goto(`${ext.baseUrl}extension/popup/index.html?tab=${tabId}`);
    await page.bringToFront();
    // The account's key is generated in the background as soon as the chat is reported.
    const t0 = Date.now();
    await until('alice key', async () =>
      ((await pageRequest({ type: 'keys-list' })) as unknown[]).length > 0 ? true : undefined,
    );
    console.log(`key ready ${Date.now() - t0} ms after the popup opened`);
  }, 90_000);

  afterAll(async () => {
    await ext?.close();
    await duo?.close();
  });

  it('go private, AKE, 3+3 messages, SMP: nothing lost, doubled or undecryptable, one AKE', async () => {
    await stop();
    await pageRequest({ type: 'go-private', tabId });
    // The AKE runs with the worker stopped before each of bob's lines.
    await until('bob encrypted', async () =>
      duo.events.some((e) => e.event === 'state' && (e as { state: string }).state === 'encrypted')
        ? true
        : undefined,
    );
    const compose = await panelPage();
    for (const text of ['alice one', 'alice two', 'alice three']) {
      await stop();
      const box = compose.getByTestId('compose-box');
      await box.fill(text);
      await box.press('Enter');
      await until(`bob to read ${text}`, async () =>
        duo.events.some((e) => e.event === 'message' && (e as { text: string }).text === text)
          ? true
          : undefined,
      );
    }
    const transcriptFrame = await panelPage();
    for (const text of ['bob one', 'bob two', 'bob three']) {
      await stop();
      await duo.do({ op: 'send', peer: 'alice', text });
      await until(`alice to read ${text}`, async () =>
        (await transcriptFrame.locator('[data-testid=entry] .text').allTextContents()).includes(text)
          ? true
          : undefined,
      );
    }
    // SMP started by alice from the popup; bob answers; alice's side then trusts (libotr's rule).
    await stop();
    await pageRequest({ type: 'smp-start', tabId, secret: 'purple', question: 'colour?' });
    await until('bob asked', async () =>
      duo.events.some((e) => e.event === 'smp' && (e as { result: string }).result === 'question')
        ? true
        : undefined,
    );
    await stop();
    await duo.do({ op: 'smp-answer', peer: 'alice', secret: 'purple' });
    await until('bob: SMP succeeded', async () =>
      duo.events.some((e) => e.event === 'smp' && (e as { result: string }).result === 'succeeded')
        ? true
        : undefined,
    );
    const status = await until('alice trusts bob', async () => {
      await stop();
      const r = (await pageRequest({ type: 'status', tabId })) as {
        status: { trust: string; state: string } | null;
        tab: { badge: string };
      };
      return r.status?.trust === 'smp' && r.tab.badge === 'private' ? r : undefined;
    });
    expect(status.status?.state).toBe('encrypted');

    // Exactly once each, in order, both ways.
    const bobRead = duo.events.filter((e) => e.event === 'message').map((e) => (e as { text: string }).text);
    expect(bobRead).toEqual(['alice one', 'alice two', 'alice three']);
    const aliceRead = await until('transcript', async () => {
      const lis = await transcriptFrame.locator('[data-testid=entry][data-dir="in"] .text').allTextContents();
      return lis.length >= 3 ? lis : undefined;
    });
    expect(aliceRead).toEqual(['bob one', 'bob two', 'bob three']);
    // Nothing undecryptable on either side: no error events at bob, no OTR error lines from alice.
    expect(duo.events.filter((e) => e.event === 'error')).toEqual([]);
    expect(duo.wire.filter((l) => l.text.startsWith('?OTR Error'))).toEqual([]);
    // One AKE: exactly one D-H Commit on the wire.
    expect(duo.wire.filter((l) => isDhCommit(l.text))).toHaveLength(1);
    expect(stops).toBeGreaterThanOrEqual(12);
  }, 110_000);

  it('refuses what the real content script may not ask, sent from its own isolated world', async () => {
    // The content script's world: the isolated execution context Chromium created for offrecord
    // in the chat page (found over CDP), where chrome.runtime.connect is the real one.
    const cdp = await ext.context.newCDPSession(page);
    const contexts: { id: number; origin: string; auxData?: { type?: string }; name: string }[] = [];
    cdp.on('Runtime.executionContextCreated', (e) => contexts.push(e.context as never));
    await cdp.send('Runtime.enable');
    const world = await until('the content script world', async () =>
      contexts.find(
        (c) =>
          c.auxData?.type === 'isolated' &&
          (c.origin.includes(ext.extensionId) || c.name.startsWith('offrecord')),
      ),
    );
    const before = ((await pageRequest({ type: 'status', tabId })) as { invalidMessages: number })
      .invalidMessages;
    const spoofs = [
      { type: 'key-export', id: 1 },
      { type: 'keys-list', id: 2 },
      { type: 'go-private', id: 3, tabId },
      { type: 'smp-start', id: 4, tabId, secret: 'x', question: null },
      { type: 'panel-hello', id: 5, tabId },
      { type: 'panel-send', id: 6, tabId, conv: 'x', text: 'typed by the page' },
      { type: 'conversation', id: 7, account: 'a', protocol: 'p', peer: 'b', kind: 'one-to-one' },
    ];
    const expression = `new Promise((resolve) => {
      const port = chrome.runtime.connect({ name: 'offrecord' });
      const got = [];
      port.onMessage.addListener((m) => got.push(m));
      for (const m of ${JSON.stringify(spoofs)}) port.postMessage(m);
      // A valid request after them: its reply proves the port was heard.
      port.postMessage({ type: 'hello', id: 99, url: location.href });
      const t = setInterval(() => {
        if (got.some((m) => m.id === 99)) { clearInterval(t); port.disconnect(); resolve(JSON.stringify(got)); }
      }, 50);
    })`;
    const r = (await cdp.send('Runtime.evaluate', {
      expression,
      contextId: world.id,
      awaitPromise: true,
      returnByValue: true,
    })) as { result: { value?: string }; exceptionDetails?: unknown };
    expect(r.exceptionDetails).toBeUndefined();
    const got = JSON.parse(r.result.value ?? '[]') as { type: string; id?: number; ok?: boolean }[];
    // Only the hello was answered with a result; each spoof got a refusal, and no plaintext or key came back.
    expect(got.filter((m) => m.type === 'reply' && m.ok === true).map((m) => m.id)).toEqual([99]);
    expect(got.filter((m) => m.type === 'reply' && m.ok === false).map((m) => m.id)).toEqual(
      spoofs.map((m) => m.id),
    );
    // Besides replies, a content port may only get the content script's own pushes. Its hello can
    // bring a re-push of wire lines still awaiting their delivery (the conversation above): those
    // are ciphertext, every one of them.
    const pushes = got.filter((m) => m.type !== 'reply') as { type: string; lines?: { wire: string }[] }[];
    for (const p of pushes) {
      expect(['send-wire', 'private-mode', 'profile-changed']).toContain(p.type);
      for (const l of p.lines ?? []) expect(l.wire.startsWith('?OTR')).toBe(true);
    }
    expect(JSON.stringify(got)).not.toContain('PRIVATE KEY');
    const after = ((await pageRequest({ type: 'status', tabId })) as { invalidMessages: number })
      .invalidMessages;
    expect(after - before).toBe(spoofs.length);
    await cdp.detach();
  }, 60_000);

  it('refuses spoofed messages and counts them', async () => {
    const before = ((await pageRequest({ type: 'status', tabId })) as { invalidMessages: number })
      .invalidMessages;
    // From the chat page's content script world we cannot run code; a page-world script has no
    // runtime.connect (no externally_connectable). So spoof from the extension page with shapes a
    // popup may not send, and check the background's counter and replies.
    const spoofs = [
      { type: 'go-private', id: 1, tabId: 'x' },
      { type: 'chat-messages', id: 2, messages: [], history: false },
      { type: 'panel-send', id: 3, tabId: 1, conv: 'x', text: 'hi' },
      { type: 'key-export', id: 4, extra: true },
    ];
    const replies = await popup.evaluate(
      (msgs) =>
        new Promise<unknown[]>((resolve) => {
          const port = chrome.runtime.connect({ name: 'offrecord' });
          const got: unknown[] = [];
          port.onMessage.addListener((m) => got.push(m));
          for (const m of msgs) port.postMessage(m);
          setTimeout(() => {
            port.disconnect();
            resolve(got);
          }, 500);
        }),
      spoofs,
    );
    // Each refused with an error (so a caller's promise settles), none carried out. An extension
    // page's port also receives the background's pushes (status of a live conversation while the
    // spoofs are in flight): only the replies are the background's answers to the spoofs.
    expect(replies.filter((m) => (m as { type?: string }).type === 'reply')).toEqual(
      spoofs.map((m) => ({
        type: 'reply',
        id: m.id,
        ok: false,
        error: 'refused: not a valid request for this port',
      })),
    );
    const after = ((await pageRequest({ type: 'status', tabId })) as { invalidMessages: number })
      .invalidMessages;
    expect(after - before).toBe(spoofs.length);
  }, 30_000);
});
