/**
 * Issue 14 in real Chromium, HEADED on an X server of its own (Xvfb), with the REAL side panel:
 * a chat page written to attack offrecord (test/fixtures/pages/hostile-chat.html) runs each attack
 * while the user types a secret with OS-level key events (xdotool, XTEST: the keyboard a person
 * uses) into the panel. The panel is opened the way a user does, through a gesture: the keyboard
 * command (Alt+Shift+O) pressed on the chat window. The buddy is tools/otr-peer on the page's relay.
 *
 * Pass: every keystroke lands in the panel and none in the page (the page records every key
 * event, every value and every text it can read), no secret typed or received appears in what the
 * page recorded, every secret reaches the buddy encrypted, and nothing goes to a conversation other
 * than the one shown. Negative control first: the same xdotool typing into the page's own box IS
 * recorded, key by key.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HostileChat, startHostileChat } from '../fixtures/hostilechat/server';
import { extensionDir } from './lib/browsers';
import { RelayedBuddy } from './lib/buddy';
import {
  browserCdp,
  clickAt,
  ExtensionTarget,
  focusWindow,
  type HeadedChromium,
  launchHeadedChromium,
  pressKeys,
  startXvfb,
  typeText,
  viewportOrigin,
  windowByTitle,
  type Xvfb,
} from './lib/headed';
import { waitFor } from './lib/ngircd';
import {
  acceptMarkIfAsked,
  PANEL_PAGE,
  type PanelView,
  panelState,
  rectOf,
  untilPanel,
  waitForPanelEntry,
  waitForPanelStatus,
} from './lib/panel';
import { tabIdOf } from './lounge-private-helpers';

interface HostileRecord {
  texts: string[];
  keys: string;
  keyEvents: { type: string; key: string | null; data: string | null; target: string }[];
  events: number;
  focusCalls: number;
  attacks: string[];
  removed?: number;
}

async function record(page: Page): Promise<HostileRecord> {
  return page.evaluate(() => {
    const w = window as unknown as { __hostileSweep: () => void; __hostile: HostileRecord };
    w.__hostileSweep();
    const r = w.__hostile;
    return { ...r, texts: r.texts.slice() };
  });
}

/** The secrets (and their distinctive parts: a few leaked keys or a cut line count) found in `r`. */
function leaks(r: HostileRecord, secrets: string[]): string[] {
  const all = `${r.texts.join('\n')}\n${r.keys}`;
  return secrets.filter(
    (s) => all.includes(s) || all.includes(s.slice(0, 10)) || r.keys.includes(s.slice(-8)),
  );
}

const startAttack = (page: Page, name: string) =>
  page.evaluate(
    (n) => (window as unknown as { __attacks: { start(n: string): void } }).__attacks.start(n),
    name,
  );
const stopAttacks = (page: Page) =>
  page.evaluate(() => (window as unknown as { __attacks: { stopAll(): void } }).__attacks.stopAll());

describe('a hostile page cannot read what is typed into the real side panel (Chromium, headed, xdotool)', () => {
  let x: Xvfb;
  let chat: HostileChat;
  let dir: string;
  let bob: RelayedBuddy;
  let ext: HeadedChromium;
  let page: Page;
  let tabId: number;
  let chatWindow: string;
  let panel: ExtensionTarget;
  let view: PanelView;
  let panelOrigin: { x: number; y: number };
  const typed: string[] = [];
  const received: string[] = [];

  /** Clicks the panel's compose box where it is drawn on the screen, as the user does. */
  const focusCompose = async () => {
    const r = await view.run<{ x: number; y: number; width: number; height: number } | null>(
      rectOf('compose-box'),
    );
    if (!r) throw new Error('no compose box in the panel');
    clickAt(x, panelOrigin.x + r.x + r.width / 2, panelOrigin.y + r.y + r.height / 2);
    await untilPanel(
      view,
      'the compose box to have the focus',
      (s) => s.hasFocus && s.focused === 'compose-box',
      5_000,
    );
  };

  /** Types `text` + Enter with OS key events into the panel's compose box. */
  const typeInPanel = async (text: string, enter = true) => {
    await focusCompose();
    typeText(x, text);
    if (enter) pressKeys(x, 'Return');
  };

  beforeAll(async () => {
    x = await startXvfb({ width: 1400, height: 900 });
    dir = mkdtempSync(join(tmpdir(), 'offrecord-hostile-'));
    chat = await startHostileChat();
    bob = await RelayedBuddy.start(chat, { me: 'bob', them: 'alice', dir });
    ext = await launchHeadedChromium({ extensionDir: extensionDir('chrome', 'test'), xvfb: x });
    page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.goto(chat.pageUrl('alice', 'bob'));
    tabId = await tabIdOf(ext, chat.origin);
    chatWindow = await windowByTitle(x, 'hostile chat');
  });

  afterAll(async () => {
    await panel?.close();
    await ext?.close();
    await bob?.close();
    await chat?.close();
    await x?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('negative control: the same OS-level typing into the page itself is recorded key by key', async () => {
    focusWindow(x, chatWindow);
    const origin = await viewportOrigin(x, (e) => page.evaluate(e), { x: 300, y: 300 });
    const box = await page.locator('#compose').boundingBox();
    if (!box) throw new Error('no compose box in the page');
    clickAt(x, origin.x + box.x + box.width / 2, origin.y + box.y + box.height / 2);
    const canary = 'CanaryPlain4242delta';
    typeText(x, canary);
    await waitFor('the page to see the canary', async () =>
      (await record(page)).keys.includes(canary) ? true : undefined,
    );
    const r = await record(page);
    expect(leaks(r, [canary])).toEqual([canary]);
    expect(r.keyEvents.filter((e) => e.type === 'keydown').length).toBeGreaterThanOrEqual(canary.length);
    await page.locator('#compose').fill('');
    expect(tabId).toBeGreaterThan(0);
  });

  it('the keyboard command opens the real side panel (a user gesture) and starts the AKE', async () => {
    const before = (await record(page)).keyEvents.length;
    focusWindow(x, chatWindow);
    pressKeys(x, 'alt+shift+o');
    const cdp = await browserCdp(ext);
    panel = await ExtensionTarget.find(cdp, `${ext.baseUrl}${PANEL_PAGE}`);
    view = { run: (src) => panel.evaluate(`(() => { const doc = document; return ${src}; })()`) };
    await acceptMarkIfAsked(view);
    await waitForPanelStatus(view, ['unverified', 'private'], 90_000);
    await waitFor('bob encrypted', async () => (bob.isEncrypted() ? true : undefined));
    const s = await panelState(view);
    expect(s.buddy).toBe('bob');
    expect(s.account).toBe('alice');
    panelOrigin = await viewportOrigin(x, (e) => panel.evaluate(e), {
      x: ext.xvfb.width > 1300 ? 1300 - 120 : ext.xvfb.width - 120,
      y: 450,
    });
    // The command's keys: the page saw the chord (it had the focus then), nothing else.
    const r = await record(page);
    expect(r.keyEvents.slice(before).every((e) => ['Alt', 'Shift', 'O', 'o'].includes(e.key ?? ''))).toBe(
      true,
    );
  });

  const SINGLE = [
    'focus-blur',
    'focus-timer',
    'lookalike',
    'move-target',
    'invisible-modal',
    'remove-overlay',
  ];
  for (const [i, attack] of SINGLE.entries()) {
    it(`${attack}: every keystroke lands in the panel, the page records none`, async () => {
      const before = await record(page);
      await startAttack(page, attack);
      await new Promise((r) => setTimeout(r, 400));
      const secret = `Secret${i}-${attack}-QuokkaZebra${1000 + i}`;
      typed.push(secret);
      await typeInPanel(secret);
      await bob.waitToRead(secret);
      const entry = await waitForPanelEntry(view, 'out', secret);
      expect(entry.encrypted).toBe(true);
      const after = await record(page);
      await stopAttacks(page);
      expect(after.keyEvents.length).toBe(before.keyEvents.length);
      expect(leaks(after, typed)).toEqual([]);
      if (attack.startsWith('focus')) expect(after.focusCalls).toBeGreaterThan(before.focusCalls);
      if (attack === 'remove-overlay') expect(after.removed ?? 0).toBeGreaterThan(0);
      expect((await panelState(view)).compose).toBe('');
    });
  }

  it('plaintext rows claiming to come from the buddy are shown as unencrypted, never as private', async () => {
    await startAttack(page, 'fake-rows');
    const fakes = await untilPanel(view, 'the fake rows in the panel', (s) => {
      const f = s.entries.filter((e) => e.dir === 'in' && e.text.includes('please type your passphrase'));
      return f.length >= 2 ? f : null;
    });
    for (const f of fakes) {
      expect(f.encrypted).toBe(false);
      expect(f.plainMark).toBe(true);
    }
    const secret = 'SecretFake-rows-OtterMarmot77';
    typed.push(secret);
    await typeInPanel(secret);
    await bob.waitToRead(secret);
    await stopAttacks(page);
    expect(leaks(await record(page), typed)).toEqual([]);
  });

  it('the displayed buddy switched mid-typing: the text stays in the box, sent to no one, then to bob', async () => {
    const secret = 'SecretSwitch-PangolinNarwhal55';
    const half = secret.slice(0, 14);
    typed.push(secret);
    const bobRead = bob.read().length;
    await typeInPanel(half, false);
    await startAttack(page, 'switch-buddy');
    await untilPanel(view, 'the panel to follow the switch', (s) => s.buddy === 'mallory');
    await focusCompose();
    typeText(x, secret.slice(14));
    pressKeys(x, 'Return');
    const held = await untilPanel(view, 'the text kept with a reason', (s) =>
      s.compose === secret && s.reason !== '' ? s : null,
    );
    expect(held.buddy).toBe('mallory');
    await new Promise((r) => setTimeout(r, 1500));
    expect(chat.lines().filter((l) => l.to === 'mallory')).toEqual([]);
    expect(bob.read().length).toBe(bobRead);
    // The page shows bob again: the text still belongs to bob's conversation and goes there.
    await stopAttacks(page);
    await untilPanel(view, 'the panel back on bob', (s) => s.buddy === 'bob' && s.status !== 'none');
    await focusCompose();
    pressKeys(x, 'Return');
    await bob.waitToRead(secret);
    expect(chat.lines().filter((l) => l.to === 'mallory')).toEqual([]);
    expect(leaks(await record(page), typed)).toEqual([]);
  });

  it('everything at once, both ways: the page records no keystroke and no plaintext', async () => {
    const before = await record(page);
    for (const a of [
      'focus-blur',
      'focus-timer',
      'lookalike',
      'move-target',
      'invisible-modal',
      'remove-overlay',
    ]) {
      await startAttack(page, a);
    }
    for (const s of ['RecvSecret-Okapi-3141 ünï', 'RecvSecret-Tapir-2718 日本']) {
      received.push(s);
      await bob.send(s);
      const e = await waitForPanelEntry(view, 'in', s);
      expect(e.encrypted).toBe(true);
    }
    const secret = 'SecretAll-at-once-Axolotl9001';
    typed.push(secret);
    await typeInPanel(secret);
    await bob.waitToRead(secret);
    await new Promise((r) => setTimeout(r, 500)); // the page's sweep had its turn at everything shown
    const after = await record(page);
    await stopAttacks(page);
    expect(after.keyEvents.length).toBe(before.keyEvents.length);
    expect(leaks(after, [...typed, ...received])).toEqual([]);
    // Every secret reached bob once, encrypted; nothing left alice in clear after going private.
    for (const s of typed) expect(bob.read().filter((t) => t === s)).toEqual([s]);
    expect(bob.readPlain()).toEqual([]);
    const fromAlice = chat.lines().filter((l) => l.from === 'alice');
    expect(fromAlice.every((l) => l.text.startsWith('?OTR'))).toBe(true);
    for (const s of [...typed, ...received]) expect(fromAlice.some((l) => l.text.includes(s))).toBe(false);
    expect(chat.lines().filter((l) => l.to !== 'alice' && l.to !== 'bob')).toEqual([]);
  });
});
