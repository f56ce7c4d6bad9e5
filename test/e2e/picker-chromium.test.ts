/**
 * The element picker and a picker-made site profile in real Chromium (issue 9), on three chat
 * pages that differ in structure:
 * - the virtual chat fixture (contenteditable compose, 8 recycled rows, test/fixtures/virtualchat):
 *   alice and bob each start the picker the way the popup does, pick with trusted mouse clicks,
 *   press Save inside the picker's closed shadow root (found through CDP), and then hold a FULL
 *   private conversation through the profile: AKE, Unicode both ways, a fragmented message, SMP,
 *   a reload; the relay server saw only OTR. A click the page fakes is not a pick; a page that
 *   changed after the profile was saved is reported and refuses private mode.
 * - The Lounge (ngircd) and Converse.js (Prosody): the picker's profile is saved and reads the page
 *   as the built-in adapter does (the adapter stays in charge there).
 * The generic adapter's guess is checked on all three (docs/testing.md, "Site profiles and the picker").
 */
import type { Page } from 'playwright';
import { chromium } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageInfo } from '../../extension/shared/messages.js';
import type { SiteProfile } from '../../src/profile/profile.js';
import { startVirtualChat, type VirtualChat } from '../fixtures/virtualchat/server.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, extensionDir, launchChromium } from './lib/browsers.js';
import {
  type ConverseServer,
  converseLogin,
  converseOpenChat,
  converseRows,
  converseType,
  converseWaitForRow,
  startConverseServer,
} from './lib/converse.js';
import { IrcClient } from './lib/irc-client.js';
import {
  type Lounge,
  type LoungeUser,
  loungeRows,
  loungeType,
  loungeWaitForRow,
  startLounge,
} from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import {
  clickPickerButton,
  dropCdp,
  injectPickerLib,
  type PickTargets,
  pickerPart,
  pickerRoot,
  trustedClick,
  waitForPickerPart,
} from './lib/picker.js';
import { type Prosody, startProsody } from './lib/prosody.js';
import { openVirtualPerson, rowBody, visibleRows, waitForLoaded } from './lib/virtualchat.js';
import {
  composeSend,
  conversationPanel,
  endPrivate,
  goPrivate,
  openPerson,
  type Person,
  pageRequest,
  tabIdOf,
  transcript,
  waitForEntry,
  waitForStatus,
} from './lounge-private-helpers.js';

interface Status {
  page: PageInfo | null;
  conversation: { kind: string; peer: string | null; reason: string | null } | null;
  status: {
    privateMode: boolean;
    state: string;
    trust: string;
    smp: { state: string; result?: string };
  } | null;
}

interface PageLib {
  guess(doc: Document): {
    compose: { element: Element; confidence: number } | null;
    list: { element: Element; confidence: number } | null;
    confidence: number;
  };
  checkProfile(doc: Document, p: SiteProfile): { ok: boolean; problems: string[]; rows: number };
  readRow(row: Element, p: SiteProfile): { text: string; from: string | null; own: boolean } | null;
}
declare global {
  var __offrecordPickerLib: PageLib;
}

const status = async (p: Person): Promise<Status> =>
  (await pageRequest(p, { type: 'status', tabId: p.tabId })) as Status;

async function waitForPage(p: Person, what: string, ok: (info: PageInfo) => boolean, timeoutMs = 20_000) {
  let last: PageInfo | null = null;
  return waitFor(
    what,
    async () => {
      last = (await status(p)).page;
      return last && ok(last) ? last : undefined;
    },
    timeoutMs,
    150,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)} (last page-info: ${JSON.stringify(last)})`);
  });
}

async function savedProfile(p: Person, origin: string): Promise<SiteProfile | null> {
  return ((await pageRequest(p, { type: 'profile-get', origin })) as { profile: SiteProfile | null }).profile;
}

/**
 * Runs the picker as a person does: started from the popup, three trusted clicks (each once the
 * step text changed), the summary read, Save pressed inside the closed shadow root. Returns the
 * step texts and the summary.
 */
async function runPicker(p: Person, targets: PickTargets): Promise<{ steps: string[]; summary: string }> {
  await p.page.bringToFront();
  await pageRequest(p, { type: 'picker-start', tabId: p.tabId });
  const steps: string[] = [(await waitForPickerPart(p.page, 'step')).text];
  for (const target of [targets.compose, targets.buddyMessage, targets.ownMessage]) {
    const before = steps[steps.length - 1];
    await trustedClick(p.page, target, targets.at);
    if (target === targets.ownMessage) break;
    const next = await waitFor(
      'the picker to take the pick',
      async () => {
        const s = await pickerPart(p.page, 'step').catch(() => null);
        return s && s.text !== before ? s.text : undefined;
      },
      10_000,
      100,
    );
    steps.push(next);
  }
  const summary = (await waitForPickerPart(p.page, 'summary', /\S/)).text;
  await clickPickerButton(p.page, 'save');
  // Saved: the bar closes and the background has the profile for the page's origin.
  await waitFor('the picker closed after Save', async () =>
    (await pickerRoot(p.page)) === null ? true : undefined,
  );
  const origin = new URL(p.page.url()).origin;
  await waitFor('the profile saved', async () =>
    (await savedProfile(p, origin)) !== null ? true : undefined,
  );
  return { steps, summary };
}

/** Rows of the page read with `profile` (the real page, the bundled reader), oldest first. */
async function rowsByProfile(page: Page, profile: SiteProfile, rowFilter?: string) {
  await injectPickerLib(page);
  return page.evaluate(
    ([prof, filter]) => {
      const list = document.querySelector(prof.selectors.list);
      return Array.from(list?.children ?? [])
        .filter((r) => !filter || r.matches(filter))
        .map((r) => globalThis.__offrecordPickerLib.readRow(r, prof))
        .filter((r) => r !== null);
    },
    [profile, rowFilter ?? null] as const,
  );
}

/**
 * The generic adapter's guess run on the live page (the bundled code): whether it chose the
 * element `compose` selects as the text box and the one `list` selects as the message list.
 */
async function liveGuess(
  page: Page,
  compose: string,
  list: string,
): Promise<{ compose: boolean; list: boolean; confidence: number }> {
  await injectPickerLib(page);
  return page.evaluate(
    ([c, l]) => {
      const g = globalThis.__offrecordPickerLib.guess(document);
      return {
        compose: g.compose?.element === document.querySelector(c),
        list: g.list?.element === document.querySelector(l),
        confidence: g.confidence,
      };
    },
    [compose, list] as const,
  );
}

// ---------------------------------------------------------------- the virtual chat

describe('the picker on the virtual chat (contenteditable, recycled rows), and private mode through its profile', () => {
  let chat: VirtualChat;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    chat = await startVirtualChat();
    chat.post('bob', 'alice', 'hi alice');
    chat.post('alice', 'bob', 'hello bob');
    chat.post('bob', 'alice', 'how are you?');
    chat.post('alice', 'bob', 'fine, thanks');
    [alice, bob] = await Promise.all([
      openVirtualPerson(chat, 'alice', 'bob'),
      openVirtualPerson(chat, 'bob', 'alice'),
    ]);
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await chat?.close();
  });

  it("the generic adapter's guess: the contenteditable and the recycled-row container", async () => {
    // The content script may report before the page's first poll rendered rows (no list yet):
    // the report follows the page.
    const info = await waitForPage(
      alice,
      'a confident guess reported',
      (i) => (i.guess?.confidence ?? 0) > 0.3,
    );
    expect(info.adapter).toBeNull();
    expect(info.profile).toBeNull();
    expect(info.guess?.confidence).toBeGreaterThan(0.3);
    expect(info.guess?.reasons.join(' ')).toMatch(/several lines|textbox/);
    expect(info.guess?.reasons.join(' ')).toMatch(/repeated rows/);
    // The same guess, run on the live page: it points at the editor and the rows' container.
    const found = await liveGuess(alice.page, '.composer .editor', '#viewport > .spacer');
    expect(found).toMatchObject({ compose: true, list: true });
    // Without a profile there is nothing to go private with.
    expect((await status(alice)).status?.privateMode ?? false).toBe(false);
  });

  it('a click the page fakes is not a pick; Pick again and Cancel; trusted clicks make a profile that reads the page', async () => {
    await alice.page.bringToFront();
    await pageRequest(alice, { type: 'picker-start', tabId: alice.tabId });
    const first = await waitForPickerPart(alice.page, 'step');
    // The bar is in a CLOSED shadow root: invisible to the page.
    expect((await pickerRoot(alice.page))?.mode).toBe('closed');
    expect(
      await alice.page.evaluate(() => {
        const host = document.querySelector('[data-offrecord-picker-host]');
        return host ? host.shadowRoot : 'no host';
      }),
    ).toBeNull();
    // The page clicks its own compose box in every way a script can: none of it is trusted.
    await alice.page.evaluate(() => {
      const editor = document.querySelector('.composer .editor') as HTMLElement;
      const r = editor.getBoundingClientRect();
      const at = { bubbles: true, cancelable: true, composed: true, clientX: r.x + 5, clientY: r.y + 5 };
      editor.dispatchEvent(new PointerEvent('pointerdown', at));
      editor.dispatchEvent(new MouseEvent('mousedown', at));
      editor.dispatchEvent(new PointerEvent('pointerup', at));
      editor.dispatchEvent(new MouseEvent('mouseup', at));
      editor.dispatchEvent(new MouseEvent('click', at));
      editor.click();
    });
    await new Promise((r) => setTimeout(r, 600));
    expect((await pickerPart(alice.page, 'step'))?.text).toBe(first.text);
    expect(await pickerPart(alice.page, 'summary').then((s) => s?.text ?? '')).toBe('');
    // Trusted clicks are picks; at the review, Pick again goes back to the first step; then Cancel.
    await trustedClick(alice.page, alice.page.locator('.composer .editor'));
    await waitForPickerPart(alice.page, 'step', /buddy/);
    await trustedClick(alice.page, rowBody(alice.page, 'hi alice'), 'left');
    await waitForPickerPart(alice.page, 'step', /own/);
    await trustedClick(alice.page, rowBody(alice.page, 'hello bob'), 'left');
    await waitForPickerPart(alice.page, 'summary', /Messages found/);
    await clickPickerButton(alice.page, 'again');
    expect((await waitForPickerPart(alice.page, 'step', /message box/)).text).toBe(first.text);
    expect((await pickerPart(alice.page, 'summary'))?.text ?? '').toBe('');
    await clickPickerButton(alice.page, 'cancel');
    await waitFor('the picker gone', async () =>
      (await pickerRoot(alice.page)) === null ? true : undefined,
    );

    const run = await runPicker(alice, {
      compose: alice.page.locator('.composer .editor'),
      buddyMessage: rowBody(alice.page, 'how are you?'),
      ownMessage: rowBody(alice.page, 'fine, thanks'),
      at: 'left',
    });
    expect(new Set(run.steps).size).toBe(3);
    // The summary shown before Save says what was found and how the rows read.
    expect(run.summary).toContain(
      "Messages found: 4. offrecord can read 4 of them (2 yours, 2 your buddy's)",
    );
    expect(run.summary).toContain("Names read: yours alice; your buddy's bob");
    expect(run.summary).toContain('offrecord sends with the Enter key.');

    const profile = await savedProfile(alice, chat.origin);
    expect(profile).not.toBeNull();
    if (!profile) return;
    expect(profile.site).toBe(chat.origin);
    expect(profile.own).toEqual({ match: 'row', selector: '.out' });
    expect(profile.senderAttribute).toBe('data-author');
    expect(profile.selectors.text).toBe('p.body');
    // The rows' data-index (each message's place in the chat) grows down the list: their order.
    expect(profile.orderAttribute).toBe('data-index');
    // The selectors are the technical detail, behind a disclosure.
    expect(run.summary).toContain('Technical detail');
    expect(
      await alice.page.evaluate((s) => document.querySelectorAll(s).length, profile.selectors.compose),
    ).toBe(1);
    // The profile reads the rows the page shows.
    const shown = await visibleRows(alice.page);
    expect(await rowsByProfile(alice.page, profile)).toEqual(
      shown.map((r) => ({ text: r.text, from: r.from, own: r.own })),
    );
    const info = await waitForPage(alice, 'the profile in charge', (i) => i.adapter === 'profile');
    expect(info.profile).toEqual({ ok: true, problems: [], rows: shown.length });
    expect((await pickerRoot(alice.page)) === null).toBe(true);

    // Bob does the same in his browser (picking the other pair of messages).
    await runPicker(bob, {
      compose: bob.page.locator('.composer .editor'),
      buddyMessage: rowBody(bob.page, 'hello bob'),
      ownMessage: rowBody(bob.page, 'hi alice'),
      at: 'left',
    });
    const bobInfo = await waitForPage(bob, "bob's profile in charge", (i) => i.adapter === 'profile');
    expect(bobInfo.profile?.ok).toBe(true);
    expect((await savedProfile(bob, chat.origin))?.own).toEqual({ match: 'row', selector: '.out' });
  });

  it('a full private conversation through the profile: AKE, Unicode, fragments, SMP, a reload; the server saw only OTR', async () => {
    await waitFor('alice in a one-to-one chat', async () =>
      (await status(alice)).conversation?.kind === 'one-to-one' ? true : undefined,
    );
    await waitFor('bob in a one-to-one chat', async () =>
      (await status(bob)).conversation?.kind === 'one-to-one' ? true : undefined,
    );
    const before = chat.lines().length;
    await goPrivate(alice);
    await conversationPanel(alice.page);
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    if (!(await conversationPanel(bob.page, 15_000).catch(() => null))) await goPrivate(bob);
    await waitForStatus(bob.page, ['unverified', 'private'], 90_000);

    const fromAlice = ['a1-secret héllo wörld', 'a2-secret ключ 🔑 секрет', 'a3-secret 日本語のテキスト'];
    const fromBob = ['b1-secret emoji 👩‍💻🎉', 'b2-secret ελληνικά', 'b3-secret ascii only'];
    // Longer than any page line offrecord uses by default: OTR must fragment it.
    const big = `big-secret ${'0123456789abcdefghij-Ünïcødé-'.repeat(400)}`.slice(0, 12_000);
    const sentA: string[] = [];
    const sentB: string[] = [];
    for (let i = 0; i < fromAlice.length; i++) {
      if (i === 2) {
        // Alice reloads mid-conversation: the profile reads the reloaded page and the session goes on.
        await dropCdp(alice.page);
        await alice.page.reload();
        await waitForLoaded(alice.page);
        await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
      }
      await composeSend(alice.page, fromAlice[i] as string);
      sentA.push(fromAlice[i] as string);
      await waitForEntry(bob.page, 'in', fromAlice[i] as string);
      await composeSend(bob.page, fromBob[i] as string);
      sentB.push(fromBob[i] as string);
      await waitForEntry(alice.page, 'in', fromBob[i] as string);
    }
    const fragmentsBefore = chat.lines().filter((l) => l.text.startsWith('?OTR|')).length;
    await composeSend(alice.page, big);
    sentA.push(big);
    await waitForEntry(bob.page, 'in', big, 90_000);
    const fragments = chat.lines().filter((l) => l.text.startsWith('?OTR|')).length - fragmentsBefore;
    expect(fragments).toBeGreaterThan(1);

    // SMP with a shared secret (no question): both sides end up trusting.
    await pageRequest(alice, {
      type: 'smp-start',
      tabId: alice.tabId,
      secret: 'grüne Äpfel 🍏',
      question: null,
    });
    await waitFor(
      'bob asked for the secret',
      async () => {
        const s = (await status(bob)).status;
        return s && s.smp.state !== 'expect1' ? true : undefined;
      },
      60_000,
      200,
    );
    await pageRequest(bob, { type: 'smp-answer', tabId: bob.tabId, secret: 'grüne Äpfel 🍏' });
    for (const p of [alice, bob])
      await waitFor(
        `${p.nick} trusts after SMP`,
        async () => ((await status(p)).status?.trust === 'smp' ? true : undefined),
        60_000,
        200,
      );
    await waitForStatus(alice.page, 'private', 30_000);
    await waitForStatus(bob.page, 'private', 30_000);

    // Both transcripts: every message once, in order, encrypted.
    const aliceSees = await transcript(alice.page);
    const bobSees = await transcript(bob.page);
    expect(bobSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentA);
    expect(aliceSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentB);
    for (const e of [...aliceSees, ...bobSees].filter(
      (x) => sentA.includes(x.text) || sentB.includes(x.text),
    ))
      expect(e.encrypted).toBe(true);

    // What the relay server carried after the switch: OTR only, no plaintext.
    const carried = chat.lines().slice(before);
    // Far more lines than the page has row elements: the profile read recycled rows all along.
    expect(carried.length).toBeGreaterThan(2 * 8);
    expect((await visibleRows(alice.page)).length).toBeLessThanOrEqual(8);
    // Fragments within the profile's default line limit (2,000: derive sets no maxMessageLength).
    for (const l of carried) expect(l.text.length).toBeLessThanOrEqual(2000);
    for (const l of carried) expect(l.text.startsWith('?OTR'), l.text.slice(0, 80)).toBe(true);
    expect(carried.filter((l) => l.text.startsWith('?OTR:') || l.text.startsWith('?OTR|')).length).toBe(
      carried.filter((l) => !/^\?OTR(v[0-9]*\?|\?v)/.test(l.text) && !l.text.startsWith('?OTR Error')).length,
    );
    const all = carried.map((l) => l.text).join('\n');
    expect(all.includes('secret')).toBe(false);
    for (const t of [...sentA, ...sentB]) expect(all.includes(t.slice(0, 12))).toBe(false);
    // And the page itself holds no plaintext of it.
    const pageText = await alice.page.evaluate(() => document.documentElement.textContent ?? '');
    expect(pageText.includes('secret')).toBe(false);
  });

  it('a page that changed after the profile was saved is reported, and private mode refuses to start', async () => {
    await endPrivate(alice);
    await endPrivate(bob);
    await waitFor('alice out of private mode', async () =>
      (await status(alice)).status?.privateMode ? undefined : true,
    );
    // The site "redesigned" its message list: the saved list selector finds nothing any more.
    const listSelector = (await savedProfile(alice, chat.origin))?.selectors.list ?? '';
    await alice.page.evaluate(() => {
      const spacer = document.querySelector('#viewport > .spacer');
      if (spacer) spacer.className = 'rows-holder';
    });
    expect(await alice.page.evaluate((s) => document.querySelectorAll(s).length, listSelector)).toBe(0);
    // Something happens in the chat (the page itself still works).
    chat.post('bob', 'alice', 'are you there?');
    await waitFor('the page shows the new message', async () =>
      (await visibleRows(alice.page)).some((r) => r.text === 'are you there?') ? true : undefined,
    );
    const info = await waitForPage(alice, 'the profile reported broken', (i) => i.profile?.ok === false);
    expect(info.profile?.problems.join(' ')).toMatch(/list/i);
    const outcome = await pageRequest(alice, { type: 'go-private', tabId: alice.tabId }).then(
      (r) => ({ ok: true as const, r: r as { status: { privateMode: boolean } } }),
      (e: unknown) => ({ ok: false as const, e: String(e) }),
    );
    if (outcome.ok) {
      expect(outcome.r.status.privateMode).toBe(false);
      expect((await status(alice)).conversation?.reason).toMatch(/no longer matches/i);
    } else expect(outcome.e).toMatch(/no longer matches/i);
    await new Promise((r) => setTimeout(r, 300));
    expect(await alice.page.locator('[data-offrecord-cover]').count()).toBe(0);
  });
});

// ---------------------------------------------------------------- The Lounge

describe('the picker on The Lounge (the built-in adapter stays in charge)', () => {
  const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-p', nick: 'alice_pk' };
  const BUDDY = 'bob_pk';
  let irc: Ngircd;
  let lounge: Lounge;
  let buddy: IrcClient;
  let alice: Person;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE] });
    buddy = await IrcClient.connect({ port: irc.port, nick: BUDDY });
    alice = await openPerson({ lounge, user: ALICE, peerNick: BUDDY });
  });

  afterAll(async () => {
    await alice?.close();
    await buddy?.quit();
    await lounge?.stop();
    await irc?.stop();
  });

  it('a picker-made profile reads the query as the adapter does; the generic guess finds the box and the log', async () => {
    buddy.privmsg(ALICE.nick as string, 'hello from bob');
    await loungeWaitForRow(alice.page, (r) => r.text === 'hello from bob');
    await loungeType(alice.page, 'hi bob, alice here');
    await loungeWaitForRow(alice.page, (r) => r.text === 'hi bob, alice here' && r.self);
    const info = await waitForPage(alice, 'The Lounge adapter reported', (i) => i.adapter === 'thelounge');
    expect(info.profile).toBeNull();

    const run = await runPicker(alice, {
      compose: alice.page.locator('textarea#input'),
      buddyMessage: alice.page.locator('.msg[data-type="message"]:not(.self) .content').last(),
      ownMessage: alice.page.locator('.msg[data-type="message"].self .content').last(),
    });
    expect(run.summary).toContain(`Names read: yours ${ALICE.nick}; your buddy's ${BUDDY}`);
    const origin = new URL(lounge.url).origin;
    const profile = await savedProfile(alice, origin);
    expect(profile?.own).toEqual({ match: 'row', selector: '.self' });
    expect(profile?.senderAttribute).toBe('data-from');
    if (!profile) return;
    // The adapter stays in charge; the saved profile is checked against the page and fits.
    const after = await waitForPage(alice, 'the profile checked', (i) => i.profile !== null);
    expect(after.adapter).toBe('thelounge');
    expect(after.profile?.ok).toBe(true);
    expect(after.profile?.rows).toBeGreaterThan(0);
    // What the profile reads from the message rows = what the adapter's reading shows.
    const byProfile = await rowsByProfile(alice.page, profile, '.msg[data-type="message"]');
    const byAdapter = await loungeRows(alice.page);
    expect(byProfile).toEqual(byAdapter.map((r) => ({ text: r.text, from: r.from, own: r.self })));
    expect(byProfile.length).toBeGreaterThanOrEqual(2);

    // The generic guess (null in page-info while an adapter reads the page), on the live page.
    const guessed = await liveGuess(alice.page, 'textarea#input', '#chat .messages[role="log"]');
    expect(after.guess).toBeNull();
    expect(guessed.compose).toBe(true);
    expect(guessed.list).toBe(true);
    expect(guessed.confidence).toBeGreaterThan(0.3);
  });
});

// ---------------------------------------------------------------- Converse.js

describe('the picker on Converse.js (the built-in adapter stays in charge)', () => {
  const ALICE = { name: 'alice', password: 'alice-pw-c' };
  const BOB = { name: 'bob', password: 'bob-pw-c' };
  const aliceJid = 'alice@localhost';
  const bobJid = 'bob@localhost';
  let prosody: Prosody;
  let web: ConverseServer;
  let alice: Person;
  let closeBob: () => Promise<void> = async () => undefined;

  beforeAll(async () => {
    [prosody, web] = await Promise.all([startProsody({ users: [ALICE, BOB] }), startConverseServer()]);
    const url = web.pageUrl(prosody.websocketUrl);
    // Bob: a plain browser (no extension) that only talks.
    const bobBrowser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    closeBob = () => bobBrowser.close();
    const bobPage = await (await bobBrowser.newContext()).newPage();
    const ext = await launchChromium({
      extensionDir: extensionDir('chrome'),
      args: ['--window-size=1100,800'],
    });
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.setViewportSize({ width: 1100, height: 760 });
    alice = {
      user: { name: ALICE.name, password: ALICE.password },
      nick: aliceJid,
      ext,
      page,
      tabId: -1,
      close: () => ext.close(),
    };
    await Promise.all([
      converseLogin(page, url, aliceJid, ALICE.password),
      converseLogin(bobPage, url, bobJid, BOB.password),
    ]);
    alice.tabId = await tabIdOf(ext, web.url);
    await converseOpenChat(page, bobJid);
    await converseOpenChat(bobPage, aliceJid);
    // A few messages each way (with only two rows, a hidden button group looks as much like a list).
    for (const [who, text] of [
      ['bob', 'hello from bob ✓'],
      ['alice', 'hi bob, alice here'],
      ['bob', 'how are you?'],
      ['alice', 'fine — and you?'],
      ['bob', 'all good 👍'],
    ] as const) {
      if (who === 'bob') await converseType(bobPage, aliceJid, text);
      else await converseType(page, bobJid, text);
      await converseWaitForRow(page, bobJid, text);
    }
  });

  afterAll(async () => {
    await alice?.close();
    await closeBob();
    await web?.stop();
    await prosody?.stop();
  });

  it('a picker-made profile reads the chat as the adapter does; the generic guess finds the box and the history', async () => {
    const info = await waitForPage(alice, 'the Converse adapter reported', (i) => i.adapter === 'converse');
    expect(info.profile).toBeNull();
    const chat = `converse-chat[jid="${bobJid}"]`;
    await runPicker(alice, {
      compose: alice.page.locator(`${chat} textarea.chat-textarea`),
      buddyMessage: alice.page.locator(`${chat} converse-chat-message-body`, { hasText: 'hello from bob' }),
      ownMessage: alice.page.locator(`${chat} converse-chat-message-body`, { hasText: 'hi bob, alice here' }),
    });
    const profile = await savedProfile(alice, web.url);
    expect(profile?.own.match).toBe('descendant');
    if (!profile) return;
    const after = await waitForPage(alice, 'the profile checked', (i) => i.profile !== null);
    expect(after.adapter).toBe('converse');
    expect(after.profile?.ok).toBe(true);
    expect(after.profile?.rows).toBeGreaterThan(0);
    const byProfile = await rowsByProfile(alice.page, profile);
    const byAdapter = await converseRows(alice.page, bobJid);
    expect(byProfile.map((r) => [r.text, r.own])).toEqual(byAdapter.map((r) => [r.text, r.me]));

    const guessed = await liveGuess(
      alice.page,
      `${chat} textarea.chat-textarea`,
      `${chat} converse-message-history`,
    );
    expect(after.guess).toBeNull();
    expect(guessed).toEqual({ compose: true, list: true, confidence: expect.any(Number) });
  });
});
