/**
 * A server that disconnects floods (issue 17): The Lounge on ircd-hybrid, its stock "users" class
 * (recvq 2,560 bytes: 14 lines of 350 bytes at once end in "Excess Flood"). Alice is Chromium with
 * the built extension on The Lounge, connected to ircd-hybrid through a TCP relay the test can cut;
 * Bob is libotr 4.1.1 (test/interop's C peer) behind a raw IRC client on the same server.
 *
 * 1. An AKE, then a 3,000- and a 10,000-character private message and five short ones typed at
 *    once: offrecord paces its lines (The Lounge: 4 at once, then one per 1.1 s), the connection
 *    survives (no "Excess Flood", no reconnect), libotr reads all seven, in order, encrypted, and
 *    each shows "sent" only once The Lounge showed all its lines as Alice's own.
 * 2. The network cut under a message: The Lounge shows its network disconnected, offrecord shows
 *    that (status.siteError) and pauses; the message ends "not delivered"; after The Lounge has
 *    reconnected, Retry sends it (encrypted afresh) and libotr reads it once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { type IrcdHybrid, startIrcdHybrid } from './lib/ircd-hybrid.js';
import { type LibotrIrcBob, startLibotrIrcBob } from './lib/libotr-irc-bob.js';
import {
  type Lounge,
  type LoungeUser,
  loungeDom,
  loungeOpenLobby,
  loungeOpenQuery,
  startLounge,
} from './lib/lounge.js';
import { waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import { startTcpRelay, type TcpRelay } from './lib/tcp-relay.js';
import {
  composeSend,
  conversationPanel,
  goPrivate,
  openPerson,
  type Person,
  pageRequest,
  transcript,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

// Callbacks passed to evaluate() run in the browser, where `chrome` is the promise-based API.
declare const chrome: Browser;

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-h', nick: 'alice_h' };
const BOB_NICK = 'bob_hybrid';

describe('The Lounge on ircd-hybrid (flood limits): paced, delivered means seen, a network cut', () => {
  let hybrid: IrcdHybrid;
  let relay: TcpRelay;
  let lounge: Lounge;
  let alice: Person;
  let bob: LibotrIrcBob;

  /** The wire lines the background holds in its outbox (session storage), by seq. */
  const outboxLines = async (): Promise<{ seq: number; wire: string }[]> =>
    alice.ext.worker.evaluate(async () => {
      const all = await chrome.storage.session.get(null);
      const lines: { seq: number; wire: string }[] = [];
      for (const [key, rec] of Object.entries(all))
        if (key.startsWith('conv:'))
          for (const o of (rec as { outbox?: { seq: number; wire: string }[] }).outbox ?? [])
            lines.push({ seq: o.seq, wire: o.wire });
      return lines.sort((a, b) => a.seq - b.seq);
    });

  const siteError = async () =>
    (
      (await pageRequest(alice, { type: 'status', tabId: alice.tabId })) as {
        status: { siteError: string | null } | null;
      }
    ).status?.siteError ?? null;

  beforeAll(async () => {
    ensureLounge();
    hybrid = await startIrcdHybrid();
    relay = await startTcpRelay(hybrid.port, () => ({ up: () => undefined, down: () => undefined }));
    lounge = await startLounge({ ircPort: relay.port, users: [ALICE] });
    bob = await startLibotrIrcBob({ nick: BOB_NICK, aliceNick: ALICE.nick!, ircPort: hybrid.port });
    alice = await openPerson({ lounge, user: ALICE, peerNick: BOB_NICK });
  }, 120_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await lounge?.stop();
    await relay?.close();
    await hybrid?.stop();
  });

  const long3k = `three thousand ${'0123456789 abcdefghij '.repeat(140)}`.slice(0, 3000);
  const long10k = `ten thousand ${'Ünïcødé 日本語 and ascii words '.repeat(400)}`.slice(0, 10_000);
  const short = ['one', 'two', 'three', 'four', 'five'].map((w) => `quick ${w}`);

  it('an AKE, 3,000 + 10,000 characters and five quick messages: all read, never flooded off', async () => {
    await waitForQuery(alice, BOB_NICK);
    const connectionsBefore = relay.connections;
    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    await waitFor(
      'libotr encrypted',
      async () => (bob.states.includes('encrypted') ? true : undefined),
      30_000,
    );

    const all = [long3k, long10k, ...short];
    for (const t of all) await composeSend(alice.page, t);
    // While lines wait their turn, the long ones show as sending.
    const during = await transcript(alice.page);
    expect(during.filter((e) => e.dir === 'out' && e.state === 'sending').length).toBeGreaterThan(0);
    await waitFor(
      'libotr read all seven',
      async () => (bob.read.length >= all.length ? true : undefined),
      240_000,
      500,
    );
    expect(bob.read.map((m) => m.text)).toEqual(all);
    expect(bob.read.every((m) => m.encrypted)).toBe(true);
    await waitFor(
      'every message shown as sent (seen back on the page)',
      async () => {
        const out = (await transcript(alice.page)).filter((e) => e.dir === 'out');
        return out.length === all.length && out.every((e) => e.state === 'sent') ? true : undefined;
      },
      30_000,
      300,
    );
    // The connection survived: no flood kill, no reconnect.
    expect(hybrid.log()).not.toMatch(/Excess Flood/i);
    expect(relay.connections).toBe(connectionsBefore);
    expect(await siteError()).toBeNull();
  }, 300_000);

  it('the network cut under a message: not delivered; Retry after the reconnect delivers it once, encrypted afresh', async () => {
    const text = 'sent while the network was cut';
    relay.cut();
    const error = await waitFor('the site error', async () => (await siteError()) ?? undefined, 30_000, 250);
    expect(error).toMatch(/Disconnected/i);
    const seqBefore = Math.max(0, ...(await outboxLines()).map((l) => l.seq));
    await composeSend(alice.page, text);
    // The lines offrecord made for the message (held back: the site shows its error), as the
    // background keeps them until the page has shown them or they are given up.
    const first = await waitFor(
      'the first ciphertext in the outbox',
      async () => {
        const [message] = reassemble(
          (await outboxLines()).filter((l) => l.seq > seqBefore).map((l) => l.wire),
        );
        return message;
      },
      10_000,
      100,
    );
    const failed = await waitFor(
      'not delivered',
      async () => {
        const e = (await transcript(alice.page)).find((x) => x.dir === 'out' && x.text === text);
        return e?.state === 'not-delivered' ? e : undefined;
      },
      60_000,
      300,
    );
    expect(failed.encrypted).toBe(true);
    expect(bob.read.some((m) => m.text === text)).toBe(false);

    // Back online, as a user gets there: The Lounge gave up reconnecting on its own (its one retry
    // met the cut), so the user types /connect in the network's lobby, then returns to the query.
    relay.restore();
    await loungeOpenLobby(alice.page);
    await alice.page
      .locator(loungeDom.openChat('lobby', 'ngircd'))
      .getByText(/will not reconnect/i)
      .first()
      .waitFor({ timeout: 30_000 });
    const connectionsBefore = relay.connections;
    // The Lounge offers to complete a command as it is typed: the first Enter takes the
    // completion, the next one sends (as a user presses it again when the box still holds it).
    const box = alice.page.locator(loungeDom.compose);
    await box.fill('/connect');
    await waitFor(
      '/connect sent',
      async () => {
        if ((await box.inputValue()) === '') return true;
        await box.press('Enter');
        return undefined;
      },
      10_000,
      300,
    );
    await waitFor(
      'The Lounge connected again',
      async () =>
        relay.connections > connectionsBefore &&
        (await alice.page.locator(loungeDom.sidebarItem('lobby', 'ngircd')).count()) > 0 &&
        (await alice.page.locator('.network.not-connected').count()) === 0
          ? true
          : undefined,
      30_000,
      200,
    );
    await loungeOpenQuery(alice.page, BOB_NICK);
    await waitForQuery(alice, BOB_NICK);
    await waitFor(
      'no site error',
      async () => ((await siteError()) === null ? true : undefined),
      30_000,
      250,
    );

    const wiresBefore = bob.irc.privmsgs.length;
    const panel = await conversationPanel(alice.page);
    await panel.locator('[data-action="retry"]').first().click();
    await waitFor(
      'libotr read the retried message',
      async () => (bob.read.some((m) => m.text === text) ? true : undefined),
      60_000,
    );
    await waitFor(
      'shown as sent',
      async () =>
        (await transcript(alice.page)).find((e) => e.dir === 'out' && e.text === text)?.state === 'sent'
          ? true
          : undefined,
      30_000,
      300,
    );
    expect(bob.read.filter((m) => m.text === text)).toEqual([{ text, encrypted: true }]);
    // The retry is a new encryption: another ciphertext, under another (keys, counter) pair, so no
    // keystream is used twice; the first ciphertext never reached the server.
    const retried = reassemble(
      bob.irc.privmsgs
        .slice(wiresBefore)
        .filter((m) => m.from === ALICE.nick)
        .map((m) => m.text),
    );
    expect(retried).toHaveLength(1);
    expect(retried[0]).not.toBe(first);
    expect(
      reassemble(bob.irc.privmsgs.filter((m) => m.from === ALICE.nick).map((m) => m.text)),
    ).not.toContain(first);
    expect(keystreamOf(retried[0]!)).not.toEqual(keystreamOf(first));
    expect(hybrid.log()).not.toMatch(/Excess Flood/i);
  }, 240_000);
});

/**
 * The whole OTR messages in a run of wire lines: `?OTR:` lines as they are, v3 fragments
 * (`?OTR|sender|receiver,k,n,piece,`) joined once all n pieces are there, in order.
 */
function reassemble(lines: readonly string[]): string[] {
  const out: string[] = [];
  let pieces: string[] = [];
  for (const line of lines) {
    if (line.startsWith('?OTR:')) {
      out.push(line);
      continue;
    }
    const m = /^\?OTR\|[0-9a-fA-F]+\|[0-9a-fA-F]+,0*(\d+),0*(\d+),([^,]*),$/.exec(line);
    if (!m) continue;
    const [k, n] = [Number(m[1]), Number(m[2])];
    if (k === 1) pieces = [];
    if (pieces.length !== k - 1) continue;
    pieces.push(m[3]!);
    if (k === n) out.push(pieces.join(''));
  }
  return out;
}

/**
 * What picks an OTR data message's AES-CTR keystream (Protocol-v3: sender and recipient key ids
 * choose the keys, the top half of the counter the stream): the three fields as hex.
 */
function keystreamOf(wire: string): { keys: string; ctr: string } {
  const b = Buffer.from(wire.slice('?OTR:'.length, wire.lastIndexOf('.')), 'base64');
  const version = b.readUInt16BE(0);
  if (b[2] !== 0x03) throw new Error(`not a data message: type ${b[2]}`);
  let at = 3 + (version === 3 ? 8 : 0) + 1; // instance tags, flags
  const keys = b.subarray(at, at + 8).toString('hex'); // sender keyid, recipient keyid
  at += 8;
  at += 4 + b.readUInt32BE(at); // next D-H key (MPI)
  return { keys, ctr: b.subarray(at, at + 8).toString('hex') };
}
