/**
 * A real OTR client on the other end: Bob is libotr 4.1.1 (test/interop's C peer), bridged to
 * ngircd by a small IRC client in this test; Alice is Chromium with the built extension on The
 * Lounge. Alice turns private mode on, libotr answers her query, the AKE completes, messages go
 * each way (Unicode, one long enough for fragments), libotr reads Alice's as encrypted and Alice's
 * panel's transcript shows libotr's as encrypted. The bridge is Bob's view of IRC: every line it
 * got from Alice after the switch was OTR.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LibotrIrcBob, startLibotrIrcBob } from './lib/libotr-irc-bob.js';
import { type Lounge, type LoungeUser, startLounge } from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import {
  composeSend,
  goPrivate,
  openPerson,
  type Person,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-l', nick: 'alice_l' };
const BOB_NICK = 'bob_libotr';

describe('Alice (offrecord in Chromium on The Lounge) with Bob (libotr 4.1.1 over IRC)', () => {
  let irc: Ngircd;
  let lounge: Lounge;
  let alice: Person;
  let bob: LibotrIrcBob;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE] });
    bob = await startLibotrIrcBob({ nick: BOB_NICK, aliceNick: ALICE.nick!, ircPort: irc.port });
    alice = await openPerson({ lounge, user: ALICE, peerNick: BOB_NICK });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await lounge?.stop();
    await irc?.stop();
  });

  it('completes the AKE with libotr and exchanges messages both ways', async () => {
    await waitForQuery(alice, BOB_NICK);
    const firstOwnLine = bob.irc.privmsgs.length;
    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    await waitFor(
      'libotr encrypted',
      async () => (bob.states.includes('encrypted') ? true : undefined),
      30_000,
    );

    const toBob = [
      'hello libotr, from a browser',
      'Ünïcødé 日本語 ключ 🔑',
      `long ${'x1y2z3 '.repeat(200)}`.trim(),
    ];
    for (const t of toBob) {
      await composeSend(alice.page, t);
      await waitFor(`libotr read ${t.slice(0, 20)}`, async () =>
        bob.read.some((m) => m.text === t) ? true : undefined,
      );
      expect(bob.read.find((m) => m.text === t)?.encrypted).toBe(true);
    }
    const toAlice = [
      'hi from libotr 4.1.1',
      'ελληνικά and emoji 🎉',
      `fragmented ${'abc '.repeat(300)}`.trim(),
    ];
    for (const t of toAlice) {
      await bob.run({ op: 'send', peer: ALICE.nick!, text: t });
      const shown = await waitForEntry(alice.page, 'in', t, 60_000);
      expect(shown.encrypted).toBe(true);
    }
    const aliceSees = await transcript(alice.page);
    expect(aliceSees.filter((e) => e.dir === 'out' && e.encrypted).map((e) => e.text)).toEqual(toBob);

    // What Bob got over IRC from Alice after the switch: OTR only, nothing in clear.
    const fromAlice = bob.irc.privmsgs.slice(firstOwnLine).filter((m) => m.from === ALICE.nick);
    expect(fromAlice.length).toBeGreaterThan(3);
    for (const m of fromAlice) expect(m.text.startsWith('?OTR'), m.text.slice(0, 60)).toBe(true);
    for (const t of toBob) expect(fromAlice.some((m) => m.text.includes(t))).toBe(false);
  });
});
