/**
 * The side panel is the private conversation (issue 14), in real Chromium on the virtual chat
 * fixture (read through a site profile): the panel page bound to the chat tab (`?tab=N`, the page
 * Chrome puts in that tab's side panel; headless Chromium draws no side panel UI). What a user does
 * there: text typed before going private stays in the box; "Go private" in the panel; messages
 * both ways with names and notices; the buddy's SMP question answered in its notice; the chat
 * switched under the typed text (kept, never sent elsewhere); the end (transcript still readable,
 * typing refused with the reason). The page meanwhile has its compose box inert under the cover
 * and never holds plaintext; the server carries only OTR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVirtualChat, type VirtualChat } from '../fixtures/virtualchat/server.js';
import { virtualChat } from '../unit/profile/virtual-chat.js';
import { waitFor } from './lib/ngircd.js';
import { openVirtualPair, waitForLoaded } from './lib/virtualchat.js';
import {
  composeSend,
  notices,
  type Person,
  pageRequest,
  panelPage,
  transcript,
  waitForEntry,
  waitForStatus,
} from './lounge-private-helpers.js';

interface Status {
  conversation: { kind: string; peer: string | null } | null;
  page: { adapter: string | null } | null;
  status: { state: string; trust: string; privateMode: boolean } | null;
}

const status = (p: Person) => pageRequest(p, { type: 'status', tabId: p.tabId }) as Promise<Status>;

describe('the side panel on the virtual chat (Chromium)', () => {
  let chat: VirtualChat;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    chat = await startVirtualChat();
    [alice, bob] = await openVirtualPair(chat, virtualChat().profile);
  }, 120_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await chat?.close();
  });

  it('shows the chat, the security mark, and keeps text typed before private mode (never sent)', async () => {
    const panel = await panelPage(alice.page);
    await waitForStatus(alice.page, 'not-private');
    expect(await panel.getByTestId('panel-buddy').textContent()).toBe('bob');
    expect(await panel.getByTestId('panel-account').textContent()).toContain('alice');
    // The security mark: generated at first use, shown in the header, kept by the user.
    const mark = (await panel.getByTestId('security-mark').first().textContent()) ?? '';
    expect(mark.split(' ').length).toBe(3);
    await panel.getByTestId('mark-accept').click();
    await panel.getByTestId('mark-setup').waitFor({ state: 'detached' });
    expect(await panel.getByTestId('security-mark').textContent()).toBe(mark);
    // Kept where content scripts cannot read it: not in storage.local (which Chrome exposes to
    // them), but in the extension's own IndexedDB, so a reloaded panel shows the same mark.
    const local = await panel.evaluate(async () => {
      const ext = globalThis as unknown as {
        chrome: { storage: { local: { get(k: null): Promise<object> } } };
      };
      return JSON.stringify(await ext.chrome.storage.local.get(null));
    });
    expect(local).not.toContain(mark);
    await panel.reload();
    await panel.getByTestId('security-mark').first().waitFor();
    expect(await panel.getByTestId('security-mark').first().textContent()).toBe(mark);
    expect(await panel.getByTestId('mark-setup').count()).toBe(0);
    // Not private yet: typed text stays in the box with the reason; nothing reaches the chat.
    const before = chat.lines().length;
    await panel.getByTestId('compose-box').fill('typed too early');
    await panel.getByTestId('compose-box').press('Enter');
    await panel.getByTestId('compose-reason').waitFor();
    expect(await panel.getByTestId('compose-box').inputValue()).toBe('typed too early');
    await new Promise((r) => setTimeout(r, 500));
    expect(
      chat
        .lines()
        .slice(before)
        .some((l) => l.text.includes('typed too early')),
    ).toBe(false);
    // The mark is the panel's: the page (and its content script's DOM) never has it.
    expect(await alice.page.content()).not.toContain(mark);
    await panel.getByTestId('compose-box').fill('');
  });

  it('goes private from the panel; messages both ways with names; the page holds no plaintext', async () => {
    const panel = await panelPage(alice.page);
    await panel.getByTestId('go-private').click();
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    await waitForStatus(bob.page, ['unverified', 'private'], 90_000);
    // In the page: the compose box inert under the cover that points at the panel.
    expect(await alice.page.locator('.composer .editor').getAttribute('inert')).toBe('');
    expect(await alice.page.locator('[data-offrecord-cover]').count()).toBe(1);

    const fromAlice = ['a1-secret héllo wörld', 'a2-secret 日本語'];
    const fromBob = ['b1-secret ключ 🔑'];
    for (const t of fromAlice) {
      await composeSend(alice.page, t);
      expect((await waitForEntry(bob.page, 'in', t)).encrypted).toBe(true);
    }
    for (const t of fromBob) {
      await composeSend(bob.page, t);
      expect((await waitForEntry(alice.page, 'in', t)).encrypted).toBe(true);
    }
    const aliceSees = await transcript(alice.page);
    expect(aliceSees.filter((e) => e.dir === 'out').map((e) => e.text)).toEqual(fromAlice);
    expect(aliceSees.filter((e) => e.dir === 'in' && e.encrypted).map((e) => e.text)).toEqual(fromBob);
    // Names and times on each line.
    const first = panel.locator('[data-testid=entry][data-dir=out]').first();
    expect(await first.getByTestId('entry-who').textContent()).toContain('alice');
    expect(await first.getByTestId('entry-time').getAttribute('datetime')).toMatch(/^\d{4}-/);
    expect((await notices(alice.page)).map((n) => n.notice)).toContain('started');
    // The server carried only OTR; neither page ever held a secret.
    for (const l of chat.lines().slice(2)) expect(l.text).toMatch(/\?OTR/);
    for (const p of [alice.page, bob.page]) {
      const html = await p.content();
      const text = await p.evaluate(() => document.documentElement.textContent ?? '');
      for (const s of [...fromAlice, ...fromBob]) {
        expect(html).not.toContain(s);
        expect(text).not.toContain(s);
      }
    }
  });

  it("the buddy's question is answered in its notice in the panel; the result says what stands", async () => {
    const panel = await panelPage(alice.page);
    await panel.getByTestId('verify-open').click();
    await panel.getByTestId('verify-method-question').check();
    await panel.getByTestId('verify-question').fill('our colour?');
    await panel.getByTestId('verify-secret').fill('purple');
    await panel.getByTestId('verify-start').click();
    const bobPanel = await panelPage(bob.page);
    const asked = bobPanel.locator('[data-testid=entry][data-notice=smp-asked]').last();
    await asked.waitFor({ timeout: 30_000 });
    expect(await asked.getByTestId('smp-question').textContent()).toBe('our colour?');
    await asked.getByTestId('smp-answer-box').fill('purple');
    await asked.getByTestId('smp-answer-submit').click();
    await waitForStatus(alice.page, 'private', 60_000);
    await waitFor('the result in both transcripts', async () =>
      (await notices(alice.page)).some((n) => n.notice === 'smp-succeeded') &&
      (await notices(bob.page)).some((n) => n.notice === 'smp-succeeded')
        ? true
        : undefined,
    );
    expect((await status(alice)).status?.trust).toBe('smp');
  });

  it('a chat switch under typed text: the text stays, marked for its buddy, and goes nowhere', async () => {
    const panel = await panelPage(alice.page);
    await panel.getByTestId('compose-box').fill('only for bob');
    // (The profile reads the buddy from their rows: carol has written once.)
    chat.post('carol', 'alice', 'hi from carol');
    const before = chat.lines().length;
    // The page switches alice's tab to a chat with carol (as a hostile page or the user may).
    await alice.page.goto(chat.pageUrl('alice', 'carol'));
    await waitForLoaded(alice.page);
    const switched = panel.getByTestId('panel-switched');
    await switched.waitFor({ timeout: 30_000 });
    await waitFor('the panel on carol', async () =>
      (await panel
        .getByTestId('panel-buddy')
        .textContent()
        .catch(() => '')) === 'carol'
        ? true
        : undefined,
    );
    expect(await switched.getAttribute('data-draft-kept')).toBe('true');
    expect(await panel.getByTestId('compose-box').inputValue()).toBe('only for bob');
    await panel.getByTestId('compose-box').press('Enter');
    await panel.getByTestId('compose-reason').waitFor();
    expect(await panel.getByTestId('compose-box').inputValue()).toBe('only for bob');
    await new Promise((r) => setTimeout(r, 800));
    expect(chat.lines().slice(before)).toEqual([]);
    // Back to bob: the text can go where it was typed for.
    await alice.page.goto(chat.pageUrl('alice', 'bob'));
    await waitForLoaded(alice.page);
    await waitFor('the panel on bob again', async () =>
      (await panel
        .getByTestId('panel-buddy')
        .textContent()
        .catch(() => '')) === 'bob'
        ? true
        : undefined,
    );
    await waitForStatus(alice.page, 'private', 30_000);
    await panel.getByTestId('compose-box').press('Enter');
    expect((await waitForEntry(bob.page, 'in', 'only for bob')).encrypted).toBe(true);
    expect(chat.lines().filter((l) => l.to === 'carol')).toEqual([]);
  });

  it('after the buddy ends: the transcript stays readable, marked; typing stays in the box', async () => {
    await (await panelPage(alice.page)).getByTestId('end-private').click();
    await waitForStatus(bob.page, 'finished', 60_000);
    const bobPanel = await panelPage(bob.page);
    expect((await notices(bob.page)).map((n) => n.notice)).toContain('buddy-ended');
    expect((await transcript(bob.page)).map((e) => e.text)).toContain('a1-secret héllo wörld');
    const before = chat.lines().length;
    await bobPanel.getByTestId('compose-box').fill('after the end');
    await bobPanel.getByTestId('compose-box').press('Enter');
    await bobPanel.getByTestId('compose-reason').waitFor();
    expect(await bobPanel.getByTestId('compose-box').inputValue()).toBe('after the end');
    await new Promise((r) => setTimeout(r, 500));
    expect(chat.lines().slice(before)).toEqual([]);
  });
});
