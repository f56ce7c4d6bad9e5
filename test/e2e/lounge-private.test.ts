/**
 * Private mode on The Lounge + ngircd in real Chromium (issue 6): Alice and Bob, each a browser
 * profile with the built test-flavor extension, in a query. Alice turns private mode on the way
 * the popup does, the AKE completes, 20 messages go each way (Unicode, one of 5 KB that needs
 * fragments), Alice reloads mid-conversation and goes on, Bob ends, Alice sees "finished".
 * Asserted on both panels' transcripts AND on what the IRC server carried (a TCP tap between
 * The Lounge and ngircd records every line): after the switch only `?OTR` traffic, no plaintext.
 * Also: a channel refuses private mode with its reason; an unfindable compose box refuses too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Lounge,
  type LoungeUser,
  loungeOpenChannel,
  loungeOpenQuery,
  startLounge,
} from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import {
  BIG_SECRET,
  composeSend,
  conversationPanel,
  endPrivate,
  goPrivate,
  type IrcTap,
  openPerson,
  type Person,
  pageRequest,
  secretMessage,
  startIrcTap,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-1', nick: 'alice_or', join: ['#offrecord'] };
const BOB: LoungeUser = { name: 'bob', password: 'bob-pw-2', nick: 'bob_or', join: ['#offrecord'] };

describe('private mode on The Lounge (Chromium, two people)', () => {
  let irc: Ngircd;
  let tap: IrcTap;
  let lounge: Lounge;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    tap = await startIrcTap(irc.port);
    lounge = await startLounge({ ircPort: tap.port, users: [ALICE, BOB] });
    alice = await openPerson({ lounge, user: ALICE, peerNick: BOB.nick! });
    bob = await openPerson({ lounge, user: BOB, peerNick: ALICE.nick! });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await lounge?.stop();
    await tap?.close();
    await irc?.stop();
  });

  it('refuses private mode in a channel, with the reason', async () => {
    await loungeOpenChannel(alice.page, '#offrecord');
    const status = await waitFor('the channel reported', async () => {
      const s = (await pageRequest(alice, { type: 'status', tabId: alice.tabId })) as {
        conversation: { kind: string; reason: string | null } | null;
      };
      return s.conversation?.kind === 'group' ? s : undefined;
    });
    expect(status.conversation?.reason).toMatch(/two|group|channel/i);
    const outcome = await pageRequest(alice, { type: 'go-private', tabId: alice.tabId }).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e: String(e) }),
    );
    if (outcome.ok) {
      expect((outcome.r as { status: { privateMode: boolean } }).status.privateMode).toBe(false);
    } else {
      expect(outcome.e).toMatch(/two|group|channel/i);
    }
    // No private-mode cover over the channel's compose box, and nothing went to IRC.
    await new Promise((r) => setTimeout(r, 500));
    expect(await alice.page.locator('[data-offrecord-cover]').count()).toBe(0);
    expect(tap.privmsgs().filter((m) => m.text.startsWith('?OTR'))).toEqual([]);
    await loungeOpenQuery(alice.page, BOB.nick!);
  });

  it('goes private, talks both ways through a reload, and ends; IRC carries only OTR', async () => {
    const before = tap.privmsgs().length;
    await waitForQuery(alice, BOB.nick!);
    await waitForQuery(bob, ALICE.nick!);
    // Alice uses the in-page "Go private" button (bottom right, in a closed shadow root, so it is
    // clicked where it is drawn). Clicking again while it goes private does no harm: it only turns
    // private mode on.
    const view = alice.page.viewportSize() ?? { width: 1280, height: 720 };
    await waitFor('private mode turned on by the in-page button', async () => {
      await alice.page.mouse.click(view.width - 60, view.height - 30);
      const s = (await pageRequest(alice, { type: 'status', tabId: alice.tabId })) as {
        status: { privateMode: boolean } | null;
      };
      return s.status?.privateMode ? true : undefined;
    });
    // The compose box is covered at once; the AKE runs over IRC.
    await conversationPanel(alice.page);
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    // Bob's side goes private when the buddy's AKE completes (or when Bob turns it on too).
    const bobFrame = await conversationPanel(bob.page, 15_000).catch(() => null);
    if (!bobFrame) await goPrivate(bob);
    await waitForStatus(bob.page, ['unverified', 'private'], 90_000);

    const sentByAlice: string[] = [];
    const sentByBob: string[] = [];
    // Eight messages each way (the 5 KB one among them) and a reload between the fourth and fifth:
    // enough to see order, no loss and no doubling across a reload; every line crosses ngircd's
    // flood delay, so each further message costs about a second and a half.
    for (let i = 0; i < 8; i++) {
      if (i === 4) {
        // Alice reloads mid-conversation: the session and its transcript go on.
        await alice.page.reload();
        await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
      }
      const a = i === 2 ? BIG_SECRET : secretMessage('a', i);
      await composeSend(alice.page, a);
      sentByAlice.push(a);
      await waitForEntry(bob.page, 'in', a, 60_000);
      const b = secretMessage('b', i);
      await composeSend(bob.page, b);
      sentByBob.push(b);
      await waitForEntry(alice.page, 'in', b, 60_000);
    }

    const aliceSees = await transcript(alice.page);
    const bobSees = await transcript(bob.page);
    for (const t of sentByAlice) {
      expect(aliceSees.find((e) => e.dir === 'out' && e.text === t)?.encrypted).toBe(true);
      expect(bobSees.find((e) => e.dir === 'in' && e.text === t)?.encrypted).toBe(true);
    }
    for (const t of sentByBob) {
      expect(bobSees.find((e) => e.dir === 'out' && e.text === t)?.encrypted).toBe(true);
      expect(aliceSees.find((e) => e.dir === 'in' && e.text === t)?.encrypted).toBe(true);
    }
    // Each message shown once on each side, in order.
    expect(aliceSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByBob);
    expect(bobSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByAlice);

    // While private, in Alice's page, every row of the query is a collapsed ciphertext: no plaintext anywhere.
    const pageText = await alice.page.evaluate(() => document.documentElement.textContent ?? '');
    for (const t of [...sentByAlice, ...sentByBob]) expect(pageText.includes(t)).toBe(false);
    const uncollapsed = async () =>
      alice.page
        .locator('#chat .messages .msg[data-type=message]')
        .evaluateAll((els) =>
          els
            .filter(
              (e) => (e.textContent ?? '').includes('?OTR') && !e.hasAttribute('data-offrecord-collapsed'),
            )
            .map((e) => `${e.id} ${(e.textContent ?? '').trim().slice(0, 60)}`),
        );
    expect(await alice.page.locator('#chat .messages .msg[data-type=message]').count()).toBeGreaterThan(16);
    await expect.poll(uncollapsed, { timeout: 5000 }).toEqual([]);

    // Bob ends the private conversation; Alice sees "finished" and her compose says so.
    await endPrivate(bob);
    await waitForStatus(alice.page, 'finished', 60_000);

    // What IRC carried between them after the switch: only OTR, every line within 350 bytes.
    const carried = tap.privmsgs().slice(before);
    const between = carried.filter((m) => m.target === BOB.nick || m.target === ALICE.nick);
    expect(between.length).toBeGreaterThan(16);
    for (const m of between) {
      expect(m.text.startsWith('?OTR'), m.text.slice(0, 80)).toBe(true);
      expect(Buffer.byteLength(m.text)).toBeLessThanOrEqual(350);
    }
    const wire = tap.lines.map((l) => l.line).join('\n');
    for (const t of [...sentByAlice, ...sentByBob]) expect(wire.includes(t)).toBe(false);
    expect(wire.includes('secret')).toBe(false);
    // The 5 KB message went as fragments.
    expect(between.filter((m) => m.text.startsWith('?OTR|')).length).toBeGreaterThan(10);
  });

  it('refuses private mode when the compose box cannot be found', async () => {
    // The Lounge without its compose box (as a redesign that broke the adapter would look).
    await bob.page.evaluate(() => {
      const box = document.querySelector('form#form textarea#input');
      box?.setAttribute('id', 'renamed-by-test');
    });
    await loungeOpenChannel(bob.page, '#offrecord');
    await loungeOpenQuery(bob.page, ALICE.nick!);
    const status = await waitFor('the missing compose box reported', async () => {
      const s = (await pageRequest(bob, { type: 'status', tabId: bob.tabId })) as {
        conversation: { peer: string | null; reason: string | null } | null;
      };
      // Wait for the query's report: the channel opened before it reports a reason of its own.
      return s.conversation?.peer === ALICE.nick ? s : undefined;
    });
    expect(status.conversation?.reason).toMatch(/message box/i);
    const outcome = await pageRequest(bob, { type: 'go-private', tabId: bob.tabId }).then(
      (r) => (r as { status: { privateMode: boolean } }).status.privateMode,
      (e: unknown) => String(e),
    );
    if (typeof outcome === 'boolean') expect(outcome).toBe(false);
    else expect(outcome).toMatch(/message box/i);
  });
});
