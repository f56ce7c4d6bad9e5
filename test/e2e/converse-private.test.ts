/**
 * Private mode on Converse.js 14 + Prosody 0.12 in real Chromium (issue 9): alice and bob, each a
 * browser profile with the built test-flavor extension, in a one-to-one XMPP chat. A group chat
 * refuses private mode with its reason; alice goes private with the in-page button, messages go
 * both ways through the side panel (Unicode, one of 5,000 characters, one of 15,000 that goes
 * as OTR fragments), SMP runs from the popup relay (a wrong answer fails, right ones verify both
 * sides), a message sent while alice looks at the group chat is read when she comes back, alice
 * reloads mid-conversation and goes on, and bob logs in a second time (another XMPP resource, another browser): OTR instance
 * tags keep alice <-> bob#1 apart from bob#2, which reads nothing and sends nothing; then bob#2
 * runs its own AKE with alice and both of bob's logins talk to her, each under its own tag.
 * Asserted on the panels' transcripts AND on what Prosody carried: an XMPP tap between Converse and
 * Prosody decodes every websocket frame (test/e2e/lib/converse-tap.ts): after the switch only
 * `?OTR` bodies, no plaintext anywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusResult } from '../../extension/shared/messages.js';
import {
  type ConverseServer,
  converseOpenChat,
  converseOpenRoom,
  converseRows,
  startConverseServer,
} from './lib/converse.js';
import { type ConversePerson, openConversePerson, snapshotExtension } from './lib/converse-person.js';
import { startXmppTap, type XmppTap } from './lib/converse-tap.js';
import { groupGone, waitFor } from './lib/ngircd.js';
import { type Prosody, startProsody } from './lib/prosody.js';
import {
  BIG_SECRET,
  composeSend,
  conversationPanel,
  goPrivate,
  pageRequest,
  secretMessage,
  transcript,
  waitForEntry,
  waitForStatus,
} from './lounge-private-helpers.js';

const ALICE = { name: 'alice', password: 'alice-pw-1' };
const BOB = { name: 'bob', password: 'bob-pw-2' };
const aliceJid = 'alice@localhost';
const bobJid = 'bob@localhost';
const ROOM = 'lobby@conference.localhost';

/** 15,000 characters: its OTR message is over the adapter's 10,000 limit, so it goes as fragments. */
const HUGE = `huge-secret ${'ΑΒΓΔ-абвг-0123456789-'.repeat(800)}`.slice(0, 15_000);

async function status(p: ConversePerson): Promise<StatusResult> {
  return (await pageRequest(p, { type: 'status', tabId: p.tabId })) as StatusResult;
}

/** Waits until the background knows the tab shows the one-to-one chat with `peer`. */
async function waitForChat(p: ConversePerson, peer: string): Promise<void> {
  await waitFor(
    `${p.jid}: the chat with ${peer} reported`,
    async () => {
      const s = await status(p);
      return s.conversation?.kind === 'one-to-one' && s.conversation.peer === peer ? true : undefined;
    },
    30_000,
    100,
  );
}

describe('private mode on Converse.js + Prosody (Chromium)', () => {
  let prosody: Prosody;
  let tap: XmppTap;
  let web: ConverseServer;
  let url: string;
  let ext: ReturnType<typeof snapshotExtension>;
  let alice: ConversePerson;
  let bob: ConversePerson;
  let bob2: ConversePerson | undefined;
  /** Everything each side sent and the other must have read, in order. */
  const sentByAlice: string[] = [];
  const sentByBob: string[] = [];
  /** Plaintexts sent outside sentByAlice / sentByBob (to or from bob#2). */
  const extraSecrets: string[] = [];
  /** Index into tap.stanzas when private mode went on. */
  let privateFrom = 0;

  async function aliceSays(text: string, readers: ConversePerson[] = [bob]): Promise<void> {
    await composeSend(alice.page, text);
    sentByAlice.push(text);
    for (const r of readers) await waitForEntry(r.page, 'in', text, 30_000);
  }

  async function bobSays(text: string): Promise<void> {
    await composeSend(bob.page, text);
    sentByBob.push(text);
    await waitForEntry(alice.page, 'in', text, 30_000);
  }

  /** Resolves every promise; throws the first failure once all settled (nothing started is lost). */
  async function settled<T>(promises: Promise<T>[], keep: (v: T) => void): Promise<void> {
    const out = await Promise.allSettled(promises);
    for (const o of out) if (o.status === 'fulfilled') keep(o.value);
    const failed = out.find((o) => o.status === 'rejected');
    if (failed) throw failed.reason;
  }

  beforeAll(async () => {
    await settled<Prosody | ConverseServer>(
      [startProsody({ users: [ALICE, BOB] }), startConverseServer()],
      (v) => {
        if ('c2sPort' in v) prosody = v;
        else web = v;
      },
    );
    tap = await startXmppTap(prosody.httpPort);
    url = web.pageUrl(tap.websocketUrl);
    ext = snapshotExtension();
    const opened: ConversePerson[] = [];
    await settled(
      [
        openConversePerson({
          pageUrl: url,
          jid: `${aliceJid}/web`,
          password: ALICE.password,
          peer: bobJid,
          extensionDir: ext.dir,
        }),
        openConversePerson({
          pageUrl: url,
          jid: `${bobJid}/first`,
          password: BOB.password,
          peer: aliceJid,
          extensionDir: ext.dir,
        }),
      ],
      (p) => opened.push(p),
    ).finally(() => {
      alice = opened.find((p) => p.jid.startsWith(aliceJid)) as ConversePerson;
      bob = opened.find((p) => p.jid.startsWith(bobJid)) as ConversePerson;
    });
  }, 90_000);

  afterAll(async () => {
    for (const p of [bob2, alice, bob]) await p?.close();
    await web?.stop();
    await tap?.close();
    const pid = prosody?.pid;
    await prosody?.stop();
    ext?.remove();
    if (pid !== undefined) expect(groupGone(pid)).toBe(true);
  }, 30_000);

  it('refuses private mode in a group chat, with the reason', async () => {
    await converseOpenRoom(alice.page, ROOM);
    const s = await waitFor(
      'the group chat reported',
      async () => {
        const st = await status(alice);
        return st.conversation?.kind === 'group' ? st : undefined;
      },
      30_000,
      100,
    );
    expect(s.conversation?.reason).toMatch(/group chat.*two people/i);
    // The popup says why, where the page cannot draw (I6).
    const popup = await alice.ext.context.newPage();
    await popup.goto(`${alice.ext.baseUrl}extension/popup/index.html?tab=${alice.tabId}`);
    await popup.getByText(s.conversation?.reason ?? '-', { exact: true }).waitFor({ timeout: 15_000 });
    await popup.close();
    await alice.page.bringToFront();
    const outcome = await pageRequest(alice, { type: 'go-private', tabId: alice.tabId }).then(
      (r) => (r as { status: { privateMode: boolean } }).status.privateMode,
      (e: unknown) => String(e),
    );
    if (typeof outcome === 'boolean') expect(outcome).toBe(false);
    else expect(outcome).toMatch(/group|two/i);
    expect(await alice.page.locator('[data-offrecord-cover]').count()).toBe(0);
    expect(tap.messages().filter((m) => m.body?.startsWith('?OTR'))).toEqual([]);
    await converseOpenChat(alice.page, bobJid);
    await waitForChat(alice, bobJid);
  }, 60_000);

  it('goes private from the in-page button; messages both ways; Prosody carries only OTR', async () => {
    await waitForChat(alice, bobJid);
    await waitForChat(bob, aliceJid);
    privateFrom = tap.stanzas.length;
    // The in-page "Go private" button (bottom right, closed shadow root): clicked where it is drawn.
    const view = alice.page.viewportSize() ?? { width: 1100, height: 760 };
    await waitFor(
      'private mode turned on by the in-page button',
      async () => {
        await alice.page.mouse.click(view.width - 60, view.height - 30);
        return (await status(alice)).status?.privateMode ? true : undefined;
      },
      30_000,
      250,
    );
    await conversationPanel(alice.page);
    await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
    const bobFrame = await conversationPanel(bob.page, 15_000).catch(() => null);
    if (!bobFrame) await goPrivate(bob);
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);

    for (let i = 0; i < 6; i++) {
      await aliceSays(i === 3 ? BIG_SECRET : secretMessage('a', i));
      await bobSays(i === 4 ? HUGE : secretMessage('b', i));
    }
    const aliceSees = await transcript(alice.page);
    const bobSees = await transcript(bob.page);
    expect(aliceSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByBob);
    expect(bobSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByAlice);
    for (const e of [...aliceSees, ...bobSees]) expect(e.encrypted).toBe(true);
    expect(bobSees.find((e) => e.text === BIG_SECRET)?.text.length).toBe(5000);
    expect(aliceSees.find((e) => e.text === HUGE)?.text.length).toBe(15_000);

    // Converse's own view of the chat: every row since the switch is OTR (the page never saw plaintext).
    for (const [p, peer] of [
      [alice, bobJid],
      [bob, aliceJid],
    ] as const) {
      const pageText = await p.page.evaluate(() => document.documentElement.textContent ?? '');
      for (const t of [...sentByAlice, ...sentByBob]) expect(pageText.includes(t)).toBe(false);
      const rows = await converseRows(p.page, peer);
      expect(rows.length).toBeGreaterThanOrEqual(12);
      for (const r of rows) expect(r.text.startsWith('?OTR'), r.text.slice(0, 60)).toBe(true);
      // In private mode every ciphertext row of the page is collapsed to a placeholder.
      const uncollapsed = () =>
        p.page
          .locator(`converse-chat[jid="${peer}"] converse-chat-message .chat-msg[data-msgid]`)
          .evaluateAll((els) =>
            els
              .filter((e) => !e.hasAttribute('data-offrecord-collapsed'))
              .map((e) => (e.textContent ?? '').trim().slice(0, 60)),
          );
      await expect.poll(uncollapsed, { timeout: 5000 }).toEqual([]);
    }

    // What Prosody carried since the switch: every message body between them is OTR.
    const between = tap.messages().filter((m) => m.index >= privateFrom && m.body !== null && m.dir === 'up');
    expect(between.length).toBeGreaterThanOrEqual(12);
    for (const m of between) expect(m.body?.startsWith('?OTR'), m.body?.slice(0, 80)).toBe(true);
    // BIG_SECRET went whole (one stanza under the 10,000 limit); HUGE as OTR fragments within the limit.
    const fragments = between.filter((m) => m.body?.startsWith('?OTR|'));
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    for (const m of between) expect(m.body?.length ?? 0).toBeLessThanOrEqual(10_000);
    expect(between.some((m) => !m.body?.startsWith('?OTR|') && (m.body?.length ?? 0) > 6000)).toBe(true);
    const wire = tap.stanzas
      .slice(privateFrom)
      .map((s) => s.text)
      .join('\n');
    for (const t of [...sentByAlice, ...sentByBob]) expect(wire.includes(t)).toBe(false);
    expect(wire.includes('secret')).toBe(false);
  }, 120_000);

  it('SMP from the popup: a wrong answer fails; right answers verify both sides', async () => {
    const question = 'Where did we first meet?';
    const ask = async (from: ConversePerson, to: ConversePerson, secret: string, q: string | null) => {
      await pageRequest(from, { type: 'smp-start', tabId: from.tabId, secret, question: q });
      const s = await waitFor(
        `${to.jid}: the SMP request shown`,
        async () => {
          const st = (await status(to)).status;
          return st?.smp.state === 'question-asked' ? st : undefined;
        },
        30_000,
        100,
      );
      if (q === null) expect(s.smp.question).toBeUndefined();
      else expect(s.smp.question).toBe(q);
    };
    const outcome = (p: ConversePerson, want: string) =>
      waitFor(
        `${p.jid}: SMP ${want}`,
        async () => {
          const st = (await status(p)).status;
          return st?.smp.result === want && st.smp.state === 'expect1' ? st : undefined;
        },
        30_000,
        100,
      );

    // alice asks, bob answers wrong: both learn it failed, nobody is verified.
    await ask(alice, bob, 'Lisbon', question);
    await pageRequest(bob, { type: 'smp-answer', tabId: bob.tabId, secret: 'Porto' });
    expect((await outcome(alice, 'failed')).trust).toBe('');
    expect((await outcome(bob, 'failed')).trust).toBe('');

    // alice asks again, bob answers right: alice (the asker) verifies bob.
    await ask(alice, bob, 'Lisbon', question);
    await pageRequest(bob, { type: 'smp-answer', tabId: bob.tabId, secret: 'Lisbon' });
    expect((await outcome(alice, 'succeeded')).trust).toBe('smp');
    // An answerer of a question does not trust on it (libotr's rule): bob asks back, no question.
    expect((await outcome(bob, 'succeeded')).trust).toBe('');
    await ask(bob, alice, 'correct horse battery', null);
    await pageRequest(alice, { type: 'smp-answer', tabId: alice.tabId, secret: 'correct horse battery' });
    expect((await outcome(bob, 'succeeded')).trust).toBe('smp');
    expect((await outcome(alice, 'succeeded')).trust).toBe('smp');
    await waitForStatus(alice.page, 'private', 15_000);
    await waitForStatus(bob.page, 'private', 15_000);

    await aliceSays(secretMessage('a', 10));
    await bobSays(secretMessage('b', 10));
  }, 120_000);

  it('a message bob sends while alice looks at a group chat is read when she comes back', async () => {
    await converseOpenRoom(alice.page, ROOM);
    await waitFor(
      'the group chat reported',
      async () => ((await status(alice)).conversation?.kind === 'group' ? true : undefined),
      15_000,
      100,
    );
    const mark = tap.stanzas.length;
    const text = secretMessage('b', 15);
    await composeSend(bob.page, text);
    sentByBob.push(text);
    // Prosody delivered it to alice's browser, where Converse keeps it in the hidden chat.
    await waitFor(
      'the message delivered to alice',
      () =>
        tap
          .messages()
          .find(
            (m) =>
              m.index >= mark &&
              m.dir === 'down' &&
              m.client.startsWith(`${aliceJid}/`) &&
              m.body?.startsWith('?OTR:'),
          )
          ? true
          : undefined,
      15_000,
      50,
    );
    await converseOpenChat(alice.page, bobJid);
    await waitForChat(alice, bobJid);
    await waitForEntry(alice.page, 'in', text, 30_000);
    await waitForStatus(alice.page, 'private', 15_000);
    await aliceSays(secretMessage('a', 15));
  }, 60_000);

  it('alice reloads mid-conversation; the conversation goes on both ways', async () => {
    await alice.reload();
    await waitForChat(alice, bobJid);
    await waitForStatus(alice.page, 'private', 30_000);
    for (let i = 11; i < 14; i++) {
      await aliceSays(secretMessage('a', i));
      await bobSays(i === 4 ? HUGE : secretMessage('b', i));
    }
    const aliceSees = await transcript(alice.page);
    const bobSees = await transcript(bob.page);
    // Each message read exactly once, in order, across the reload.
    expect(aliceSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByBob);
    expect(bobSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByAlice);
    expect(aliceSees.filter((e) => e.dir === 'out').map((e) => e.text)).toEqual(sentByAlice);
  }, 120_000);

  it('bob logged in twice: instance tags keep alice <-> bob#1 apart from bob#2', async () => {
    const mark = tap.stanzas.length;
    const second = `${bobJid}/second`;
    bob2 = await openConversePerson({
      pageUrl: url,
      jid: second,
      password: BOB.password,
      peer: aliceJid,
      extensionDir: ext.dir,
    });
    const b2 = bob2;
    await waitForChat(b2, aliceJid);
    const before = { alice: sentByAlice.length, bob: sentByBob.length };
    for (let i = 20; i < 23; i++) {
      await aliceSays(secretMessage('a', i));
      await bobSays(secretMessage('b', i));
    }
    const newFromAlice = sentByAlice.slice(before.alice);
    const newFromBob = sentByBob.slice(before.bob);
    // bob#2's Converse got it all: alice's messages (sent to the bare JID) and bob#1's as carbons.
    const rows = await waitFor(
      'bob#2 shows the 6 new messages',
      async () => {
        const r = await converseRows(b2.page, aliceJid);
        return r.filter((x) => !x.me).length >= 3 && r.filter((x) => x.me).length >= 3 ? r : undefined;
      },
      15_000,
      100,
    );
    for (const r of rows) expect(r.text.startsWith('?OTR:'), r.text.slice(0, 60)).toBe(true);
    // ...and could read none of it: not private, no cover, no plaintext in its page.
    const s2 = await status(b2);
    expect(s2.status?.privateMode ?? false).toBe(false);
    expect(s2.status?.state ?? 'plaintext').toBe('plaintext');
    // Its extension did take the ciphertext in (a session with bob#2's own key) and learnt no buddy key.
    expect(s2.status?.ourFingerprint).toMatch(/^[0-9A-F]{8}( [0-9A-F]{8}){4}$/);
    expect(s2.status?.fingerprint ?? null).toBeNull();
    expect(s2.status?.ourFingerprint).not.toBe((await status(bob)).status?.ourFingerprint);
    expect(await b2.page.locator('[data-offrecord-cover]').count()).toBe(0);
    const text2 = await b2.page.evaluate(() => document.documentElement.textContent ?? '');
    for (const t of [...sentByAlice, ...sentByBob]) expect(text2.includes(t)).toBe(false);
    // bob#2 sent nothing at all into the chat: no OTR error, no query, no AKE message.
    const fromBob2 = tap.messages().filter((m) => m.index >= mark && m.dir === 'up' && m.client === second);
    expect(fromBob2.filter((m) => m.body !== null)).toEqual([]);
    // alice <-> bob#1 is intact: both still private, every message read exactly once.
    expect((await status(alice)).status?.state).toBe('encrypted');
    expect((await status(bob)).status?.state).toBe('encrypted');
    const aliceSees = await transcript(alice.page);
    const bobSees = await transcript(bob.page);
    expect(aliceSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByBob);
    expect(bobSees.filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(sentByAlice);
    expect(newFromAlice).toHaveLength(3);
    expect(newFromBob).toHaveLength(3);
    const errors = tap.messages().filter((m) => m.index >= mark && m.body?.startsWith('?OTR Error'));
    expect(errors).toEqual([]);
  }, 120_000);

  it('bob#2 runs its own AKE with alice; alice <-> bob#1 goes on', async () => {
    const b2 = bob2 as ConversePerson;
    const mark = tap.stanzas.length;
    const bobKey = (await status(bob)).status?.ourFingerprint;
    const bob2Key = (await status(b2)).status?.ourFingerprint;
    const aliceKey = (await status(alice)).status?.ourFingerprint;
    await goPrivate(b2);
    await waitForStatus(b2.page, ['unverified', 'private'], 30_000);
    expect((await status(b2)).status?.fingerprint).toBe(aliceKey);
    // alice answered bob#2's query with a D-H Commit to instance 0, which bob#1 answered too: wait
    // until no AKE is left in flight anywhere.
    await waitFor(
      'every AKE done',
      async () => {
        const all = await Promise.all([alice, bob, b2].map(async (p) => (await status(p)).status));
        return all.every((st) => st?.state === 'encrypted' && !st.authInProgress) ? true : undefined;
      },
      30_000,
      100,
    );
    // alice now holds two private instances of bob and writes to the one she heard from last
    // (libotr's "best" instance): first bob#2, then bob#1.
    const z = 'z-secret from bob#2 ✓';
    await composeSend(b2.page, z);
    await waitForEntry(alice.page, 'in', z, 30_000);
    let sa = (await status(alice)).status;
    expect(sa?.fingerprint).toBe(bob2Key);
    // alice is told: the key now speaking for bob is not the one she verified.
    expect(sa?.trust).toBe('');
    expect(sa?.fingerprintChanged).toBe(true);
    const x = 'x-secret from alice to bob#2';
    await composeSend(alice.page, x);
    await waitForEntry(b2.page, 'in', x, 30_000);

    const y = 'y-secret from bob#1 ✓';
    await bobSays(y);
    sa = (await status(alice)).status;
    expect(sa?.fingerprint).toBe(bobKey);
    expect(sa?.trust).toBe('smp');
    const w = 'w-secret from alice to bob#1';
    await aliceSays(w);
    extraSecrets.push(x, z);

    // Each read exactly once, by the login it was for; bob#1 still private with alice's verified key.
    expect((await transcript(alice.page)).filter((e) => e.dir === 'in').map((e) => e.text)).toEqual([
      ...sentByBob.slice(0, -1),
      z,
      y,
    ]);
    expect((await transcript(bob.page)).filter((e) => e.dir === 'in').map((e) => e.text)).toEqual(
      sentByAlice,
    );
    expect((await transcript(b2.page)).filter((e) => e.dir === 'in').map((e) => e.text)).toEqual([x]);
    const s1 = (await status(bob)).status;
    expect(s1?.fingerprint).toBe(aliceKey);
    expect(s1?.trust).toBe('smp');
    // Nobody sent an OTR error; every body since is OTR.
    const since = tap.messages().filter((m) => m.index >= mark && m.body !== null && m.dir === 'up');
    expect(since.filter((m) => m.body?.startsWith('?OTR Error'))).toEqual([]);
    for (const m of since) expect(m.body?.startsWith('?OTR'), m.body?.slice(0, 60)).toBe(true);
  }, 120_000);

  it('Prosody carried only OTR between them after the switch, and no plaintext anywhere', () => {
    const bodies = tap.messages().filter((m) => m.index >= privateFrom && m.body !== null && m.dir === 'up');
    expect(bodies.length).toBeGreaterThanOrEqual(40);
    for (const m of bodies) expect(m.body?.startsWith('?OTR'), m.body?.slice(0, 80)).toBe(true);
    const wire = tap.stanzas.map((s) => s.text).join('\n');
    for (const t of [...sentByAlice, ...sentByBob, ...extraSecrets, 'Lisbon', 'Porto', 'correct horse']) {
      expect(wire.includes(t)).toBe(false);
    }
    // Converse addresses every message to the bare JID (Prosody then delivers it to every resource).
    const fromAlice = bodies.filter((m) => m.client.startsWith(`${aliceJid}/`));
    expect(fromAlice.length).toBeGreaterThan(10);
    for (const m of fromAlice) expect(m.to).toBe(bobJid);
    // The question of an SMP travels encrypted too.
    expect(wire.includes('first meet')).toBe(false);
  });
});
