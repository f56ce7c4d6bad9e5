/**
 * The Lounge 4.5.2 + ngircd testbed in real Chromium: two people in a query, a raw IRC witness,
 * the site adapter on the real page, and the measured line limit OTR fragments must respect.
 * The figures asserted here are recorded in docs/testing.md ("The Lounge + ngircd").
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { theLounge } from '../../content-scripts/sites/thelounge.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browsers';
import { IrcClient } from './lib/irc-client.js';
import {
  type Lounge,
  type LoungeUser,
  loungeInjectAdapter,
  loungeLogin,
  loungeOpenChannel,
  loungeOpenLobby,
  loungeOpenQuery,
  loungeRows,
  loungeType,
  loungeWaitForRow,
  startLounge,
} from './lib/lounge.js';
import { groupGone, type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';

type Adapter = typeof theLounge;
declare global {
  var __offrecordTheLounge: Adapter;
}

// Nicks at ngircd's configured maximum (30), the worst case for the relayed line's prefix.
const ALICE: LoungeUser = {
  name: 'alice',
  password: 'alice-pw-1',
  nick: `Alice_${'a'.repeat(24)}`,
  join: ['#offrecord'],
};
const BOB: LoungeUser = {
  name: 'bob',
  password: 'bob-pw-2',
  nick: `Bob_${'b'.repeat(26)}`,
  join: ['#offrecord'],
};
const WITNESS = `Witness_${'w'.repeat(22)}`;
const aliceNick = ALICE.nick!;
const bobNick = BOB.nick!;

/** A `?OTR|…` fragment-shaped line of exactly `length` ASCII bytes (OTR v3 fragment header + base64). */
function fragmentLine(length: number, tag: number): string {
  const header = `?OTR|${tag.toString(16).padStart(8, '0')}|0000abcd,00001,00002,`;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let body = '';
  while (header.length + body.length < length - 1) body += alphabet[(body.length * 7 + tag) % 64];
  return `${header}${body},`;
}

describe('The Lounge + ngircd testbed (Chromium)', () => {
  let irc: Ngircd;
  let lounge: Lounge;
  let browser: Browser;
  let aliceCtx: BrowserContext;
  let bobCtx: BrowserContext;
  let alice: Page;
  let bob: Page;
  let witness: IrcClient;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE, BOB] });
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    aliceCtx = await browser.newContext();
    bobCtx = await browser.newContext();
    alice = await aliceCtx.newPage();
    bob = await bobCtx.newPage();
    await Promise.all([loungeLogin(alice, lounge, ALICE), loungeLogin(bob, lounge, BOB)]);
    witness = await IrcClient.connect({ port: irc.port, nick: WITNESS });
  });

  afterAll(async () => {
    await witness?.quit();
    await browser?.close();
    const pids = [lounge?.pid, irc?.pid].filter((p): p is number => p !== undefined);
    await lounge?.stop();
    await irc?.stop();
    // Every process the testbed started is gone, children included.
    for (const pid of pids) expect(groupGone(pid)).toBe(true);
  });

  it('Alice and Bob exchange messages both ways in a query', async () => {
    await loungeOpenQuery(alice, bobNick);
    await loungeType(alice, 'Hello Bob — ünïcödé ✓ 🎉');
    // Bob's query opens by itself when the message comes in; he switches to it from the sidebar.
    await loungeOpenQuery(bob, aliceNick);
    const got = await loungeWaitForRow(bob, (r) => r.text === 'Hello Bob — ünïcödé ✓ 🎉');
    expect(got).toMatchObject({ from: aliceNick, self: false });
    await loungeType(bob, 'Hi Alice, loud and clear');
    const back = await loungeWaitForRow(alice, (r) => r.text === 'Hi Alice, loud and clear');
    expect(back).toMatchObject({ from: bobNick, self: false });
    const own = await loungeWaitForRow(alice, (r) => r.text === 'Hello Bob — ünïcödé ✓ 🎉');
    expect(own).toMatchObject({ from: aliceNick, self: true });
    expect(own.id).toMatch(/^msg-\d+$/);
  });

  it('a raw IRC user sees the PRIVMSGs typed into The Lounge, and is seen', async () => {
    await loungeOpenQuery(alice, WITNESS);
    await loungeType(alice, 'for the witness');
    const m = await witness.waitForMessage((p) => p.text === 'for the witness');
    expect(m).toMatchObject({ from: aliceNick, target: WITNESS });
    witness.privmsg(aliceNick, 'witness says hi');
    await loungeWaitForRow(alice, (r) => r.text === 'witness says hi' && r.from === WITNESS);
  });

  it('the site adapter reads and drives the real page', async () => {
    await loungeOpenQuery(alice, bobNick);
    await loungeInjectAdapter(alice);
    const facts = await alice.evaluate(() => {
      const a = globalThis.__offrecordTheLounge;
      return {
        detect: a.detect(document),
        identity: a.ownIdentity(document),
        conversation: a.conversation(document),
        hasCompose: a.composeBox(document) !== null,
        hasList: a.messageList(document) !== null,
        messages: a.messageRows(document).map((r) => a.readMessage(r)),
      };
    });
    expect(facts.detect).toBe(true);
    expect(facts.identity).toEqual({ account: aliceNick, network: 'ngircd' });
    expect(facts.conversation).toEqual({ kind: 'query', peer: bobNick });
    expect(facts.hasCompose && facts.hasList).toBe(true);
    const rows = await loungeRows(alice);
    expect(facts.messages).toEqual(
      rows.map((r) => ({ id: r.id, from: r.from, text: r.text, own: r.self, order: Number(r.id.slice(4)) })),
    );

    // send(): the line goes out as if typed, and a draft in the box survives it.
    await alice.locator('#input').fill('my unsent draft');
    const taken = await alice.evaluate(() =>
      globalThis.__offrecordTheLounge.send(document, '?OTRv23? sent by the adapter'),
    );
    expect(taken).toBe(true);
    await loungeWaitForRow(bob, (r) => r.text === '?OTRv23? sent by the adapter' && r.from === aliceNick);
    expect(await alice.locator('#input').inputValue()).toBe('my unsent draft');
    await alice.locator('#input').fill('');
    // A line starting with '/' is sent as text, not run as a command.
    await alice.evaluate(() => globalThis.__offrecordTheLounge.send(document, '/me is not a command'));
    await loungeWaitForRow(bob, (r) => r.text === '/me is not a command');
    // Over the limit or multi-line: refused, nothing sent.
    const refused = await alice.evaluate(() => {
      const a = globalThis.__offrecordTheLounge;
      const errors: string[] = [];
      for (const t of ['x'.repeat(a.maxMessageLength + 1), 'two\nlines', '']) {
        try {
          a.send(document, t);
        } catch (e) {
          errors.push(String(e));
        }
      }
      return errors.length;
    });
    expect(refused).toBe(3);

    // Channel and lobby are told apart from a query.
    await loungeOpenChannel(alice, '#offrecord');
    expect(await alice.evaluate(() => globalThis.__offrecordTheLounge.conversation(document))).toEqual({
      kind: 'channel',
    });
    await loungeOpenLobby(alice);
    expect(await alice.evaluate(() => globalThis.__offrecordTheLounge.conversation(document))).toEqual({
      kind: 'lobby',
    });
    expect(
      await alice.evaluate(() => globalThis.__offrecordTheLounge.messageRows(document).length),
    ).toBeGreaterThan(0);
    expect(
      await alice.evaluate(() => {
        const a = globalThis.__offrecordTheLounge;
        // Server lines in the lobby have no sender: they are not chat messages.
        return a.messageRows(document).filter((r) => a.readMessage(r) !== null).length;
      }),
    ).toBe(0);
  });

  it('measures the longest ?OTR| line that arrives as ONE message: 350 bytes', async () => {
    await loungeOpenQuery(alice, bobNick);
    await loungeOpenQuery(bob, aliceNick);
    await loungeInjectAdapter(alice);
    const lengths = [200, 300, 340, 349, 350, 351, 352, 400, 500, 700];
    const arrived = new Map<number, string[]>();
    for (const [i, length] of lengths.entries()) {
      const line = fragmentLine(length, 0x1000 + i);
      expect(line.length).toBe(length);
      // Typed through the compose box (Playwright fill + Enter), as the adapter's send() would.
      await loungeType(alice, line);
      await loungeType(alice, `end-${length}`);
      const rows = await waitFor(`end-${length} at Bob`, async () => {
        const all = await loungeRows(bob);
        const end = all.findIndex((r) => r.text === `end-${length}`);
        if (end < 0) return undefined;
        const start = all.findIndex((r) => r.text.startsWith(line.slice(0, 14)));
        return all.slice(start, end).map((r) => r.text);
      });
      arrived.set(length, rows);
      expect(rows.join('')).toBe(line);
    }
    const intact = lengths.filter((l) => arrived.get(l)?.length === 1);
    const longestIntact = Math.max(...intact);
    expect(longestIntact).toBe(350);
    // Past 350 bytes The Lounge cuts the line into 350-byte pieces, each its own message row.
    expect(arrived.get(351)?.map((t) => t.length)).toEqual([350, 1]);
    expect(arrived.get(700)?.map((t) => t.length)).toEqual([350, 350]);
    const adapterLimit = await alice.evaluate(() => globalThis.__offrecordTheLounge.maxMessageLength);
    expect(adapterLimit).toBe(longestIntact);

    // On the wire: the 350-byte line relayed to a 30-character nick, from a 30-character nick.
    await loungeOpenQuery(alice, WITNESS);
    const line = fragmentLine(350, 0x2000);
    await loungeType(alice, line);
    const relayed = await witness.waitForMessage((p) => p.text === line);
    // `:Alice…!~offrecord@127.0.0.1 PRIVMSG Witness… :<350 bytes>` = 443 bytes, well under 510.
    expect(relayed.lineBytes).toBe(443);
  });

  it('ngircd: relays at most 510 bytes per line and disconnects a client sending over 512', async () => {
    const sender = await IrcClient.connect({ port: irc.port, nick: `Sender_${'s'.repeat(23)}` });
    try {
      // The longest text a raw client can send to a 30-character nick: 512 - CRLF - "PRIVMSG <30> :".
      const text = 'x'.repeat(512 - 2 - `PRIVMSG ${WITNESS} :`.length);
      sender.privmsg(WITNESS, text);
      const got = await witness.waitForMessage((p) => p.from === sender.nick && p.text.startsWith('xxxx'));
      expect(got.lineBytes).toBeLessThanOrEqual(510);
      expect(got.text.length).toBeLessThan(text.length);
      sender.sendUnchecked(`PRIVMSG ${WITNESS} :${'y'.repeat(520)}`);
      await waitFor(
        'ngircd to drop the over-long client',
        () => (sender.isClosed ? true : undefined),
        15_000,
      );
      expect(witness.privmsgs.some((p) => p.text.startsWith('yyyy'))).toBe(false);
    } finally {
      await sender.quit();
    }
  });

  it('whitespace: leading kept, trailing stripped by ngircd, so an OTR whitespace tag must not end the line', async () => {
    // The OTR whitespace tag: base tag (16 bytes) then the v3 tag (8 bytes).
    const tag = ' \t  \t\t\t\t \t \t \t  ' + '  \t\t  \t\t';
    // ngircd itself drops trailing spaces and tabs of every line (raw client to raw client).
    const sender = await IrcClient.connect({ port: irc.port, nick: `Raw_${'r'.repeat(26)}` });
    try {
      for (const text of ['raw trailing  ', `raw tagged${tag}`, `raw inner${tag}end`, `${tag}raw leading`]) {
        sender.privmsg(WITNESS, text);
      }
      sender.privmsg(WITNESS, 'raw done');
      await witness.waitForMessage((p) => p.from === sender.nick && p.text === 'raw done');
      expect(witness.privmsgs.filter((p) => p.from === sender.nick).map((p) => p.text)).toEqual([
        'raw trailing',
        'raw tagged',
        `raw inner${tag}end`,
        `${tag}raw leading`,
        'raw done',
      ]);
    } finally {
      await sender.quit();
    }

    // Through The Lounge (the adapter's send()), to the witness on the wire and to Bob's page.
    const cases: [sent: string, arrives: string][] = [
      ['  two leading spaces', '  two leading spaces'],
      ['two trailing spaces  ', 'two trailing spaces'],
      [`tagged hello${tag}`, 'tagged hello'],
      [`${tag}tag first`, `${tag}tag first`],
      [`tag${tag}inside`, `tag${tag}inside`],
    ];
    await loungeOpenQuery(alice, WITNESS);
    await loungeInjectAdapter(alice);
    for (const [sent, arrives] of cases) {
      expect(await alice.evaluate((t) => globalThis.__offrecordTheLounge.send(document, t), sent)).toBe(true);
      const wire = await witness.waitForMessage((p) => p.from === aliceNick && p.text.trim() === sent.trim());
      expect(wire.text).toBe(arrives);
    }
    // The Lounge's page renders every control character, TAB included, as a space (its
    // parseStyle.ts: /[\u0000-\u0009\u000B-\u001F]/ -> ' '): a whitespace tag cannot be read from the DOM.
    const shown = (t: string) => t.replace(/\t/g, ' ');
    // Its own line (echoed locally, ngircd has no echo-message) is shown as sent, untrimmed.
    const own: string[] = [];
    for (const [sent] of cases) {
      own.push((await loungeWaitForRow(alice, (r) => r.self && r.text.trim() === shown(sent).trim())).text);
    }
    expect(own).toEqual(cases.map(([sent]) => shown(sent)));
    await loungeOpenQuery(bob, aliceNick);
    await loungeOpenQuery(alice, bobNick);
    await loungeInjectAdapter(alice);
    for (const [sent, arrives] of cases) {
      await alice.evaluate((t) => globalThis.__offrecordTheLounge.send(document, t), sent);
      const row = await loungeWaitForRow(
        bob,
        (r) => r.from === aliceNick && r.text.trim() === shown(sent).trim(),
      );
      // The receiver's row holds what ngircd relayed, tabs shown as spaces.
      expect(row.text).toBe(shown(arrives));
      expect(row.text).not.toContain('\t');
    }
  });

  it('a long typed line is split by The Lounge at spaces into messages of at most 350 bytes', async () => {
    // A 5,000-character line with spaces, typed: The Lounge splits it at spaces into ≤350-byte messages.
    const words = Array.from({ length: 500 }, (_, i) => `w${String(i).padStart(4, '0')}long`).join(' ');
    await loungeOpenQuery(alice, WITNESS);
    await loungeType(alice, words);
    await witness.waitForMessage((p) => p.from === aliceNick && p.text.endsWith('w0499long'));
    const pieces = witness.privmsgs.filter((p) => p.from === aliceNick && /^w\d{4}long/.test(p.text));
    expect(pieces.length).toBeGreaterThanOrEqual(Math.ceil(Buffer.byteLength(words) / 350));
    for (const p of pieces) expect(Buffer.byteLength(p.text)).toBeLessThanOrEqual(350);
    expect(pieces.map((p) => p.text).join(' ')).toBe(words);
  });
});
