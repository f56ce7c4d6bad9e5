/**
 * The Converse.js 14 + Prosody 0.12 testbed in real Chromium: alice and bob in a one-to-one chat,
 * messages both ways (Unicode, a 3,000-character line), a second login of bob (another XMPP
 * resource), the longest line carried intact, and the Converse adapter on the real page.
 * The figures asserted here are recorded in docs/testing.md ("Converse.js + Prosody").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { converse } from '../../content-scripts/sites/converse.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browsers.js';
import {
  type ConverseServer,
  converseInjectAdapter,
  converseLogin,
  converseOpenChat,
  converseRows,
  converseType,
  converseWaitForRow,
  startConverseServer,
} from './lib/converse.js';
import { groupGone, waitFor } from './lib/ngircd.js';
import { type Prosody, startProsody } from './lib/prosody.js';

type Adapter = typeof converse;
declare global {
  var __offrecordConverse: Adapter;
}

const ALICE = { name: 'alice', password: 'alice-pw-1' };
const BOB = { name: 'bob', password: 'bob-pw-2' };
const aliceJid = 'alice@localhost';
const bobJid = 'bob@localhost';

/** ASCII line of exactly `length` characters, base64-like like an OTR data message. */
function longLine(length: number, seed: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let s = `?OTR:${seed}:`;
  while (s.length < length - 1) s += alphabet[(s.length * 7 + seed) % 64];
  return `${s}.`;
}

describe('Converse.js + Prosody testbed (Chromium)', () => {
  let prosody: Prosody;
  let web: ConverseServer;
  const contexts: BrowserContext[] = [];
  const dirs: string[] = [];
  let alice: Page;
  let bob: Page;

  async function newPage(): Promise<Page> {
    const dir = mkdtempSync(join(tmpdir(), 'offrecord-converse-profile-'));
    dirs.push(dir);
    const ctx = await chromium.launchPersistentContext(dir, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
    contexts.push(ctx);
    return ctx.pages()[0] ?? (await ctx.newPage());
  }

  beforeAll(async () => {
    [prosody, web] = await Promise.all([startProsody({ users: [ALICE, BOB] }), startConverseServer()]);
    [alice, bob] = await Promise.all([newPage(), newPage()]);
    const url = web.pageUrl(prosody.websocketUrl);
    await Promise.all([
      converseLogin(alice, url, aliceJid, ALICE.password),
      converseLogin(bob, url, bobJid, BOB.password),
    ]);
  }, 60_000);

  afterAll(async () => {
    for (const ctx of contexts) await ctx.close().catch(() => undefined);
    await web?.stop();
    const pid = prosody?.pid;
    await prosody?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (pid !== undefined) expect(groupGone(pid)).toBe(true);
  }, 30_000);

  it('carries messages both ways: Unicode and a 3,000-character line', async () => {
    await converseOpenChat(alice, bobJid);
    const hello = 'Grüße, Bob ✓ — привет 你好 🔐';
    await converseType(alice, bobJid, hello);
    // A chat opened by an incoming message stays hidden (not rendered) in fullscreen mode: bob opens it.
    await converseOpenChat(bob, aliceJid);
    const got = await converseWaitForRow(bob, aliceJid, hello);
    expect(got.me).toBe(false);
    expect(got.from.startsWith(`${aliceJid}/`)).toBe(true);

    const line = longLine(3000, 1);
    await converseType(bob, aliceJid, line);
    const back = await converseWaitForRow(alice, bobJid, line);
    expect(back.text.length).toBe(3000);
    expect(back.from.startsWith(`${bobJid}/`)).toBe(true);
    const own = (await converseRows(alice, bobJid)).find((r) => r.text === hello);
    expect(own?.me).toBe(true);
  }, 60_000);

  it('carries lines up to 65,536 characters intact', async () => {
    // Lines of 30,000-66,000 all arrived intact here; some longer ones (70,000, 80,000, 130,000)
    // made Prosody close the sender's websocket: the line was lost while the sender's Converse
    // showed it as sent (docs/testing.md). The adapter's limit stays far below.
    for (const [i, length] of [10_000, 30_000, 65_536].entries()) {
      const line = longLine(length, 10 + i);
      await converseType(alice, bobJid, line);
      const row = await converseWaitForRow(bob, aliceJid, line, 30_000);
      expect(row.text.length).toBe(length);
    }
  }, 60_000);

  it('reads the real page with the adapter', async () => {
    await converseInjectAdapter(alice);
    const seen = await alice.evaluate(() => {
      const a = globalThis.__offrecordConverse;
      const rows = a.messageRows(document).map((r) => a.readMessage(r));
      return {
        detect: a.detect(document),
        identity: a.ownIdentity(document),
        conversation: a.conversation(document),
        compose: a.composeBox(document) !== null,
        list: a.messageList(document) !== null,
        rows,
      };
    });
    expect(seen.detect).toBe(true);
    expect(seen.identity).toEqual({ jid: aliceJid });
    expect(seen.conversation).toEqual({ kind: 'chat', peer: bobJid });
    expect(seen.compose).toBe(true);
    expect(seen.list).toBe(true);
    const dom = await converseRows(alice, bobJid);
    expect(seen.rows.map((r) => r?.id)).toEqual(dom.map((r) => r.id));
    expect(seen.rows[0]?.own).toBe(true);
    expect(seen.rows.some((r) => r?.own === false && r.from === bobJid)).toBe(true);

    // send() through the adapter goes out like a typed line and arrives at bob.
    const sent = await alice.evaluate(() =>
      globalThis.__offrecordConverse.send(document, '?OTRv23? via adapter'),
    );
    expect(sent).toBe(true);
    await converseWaitForRow(bob, aliceJid, '?OTRv23? via adapter');
  }, 40_000);

  it('a second login of bob (another resource) gets messages to the bare JID too', async () => {
    const bob2 = await newPage();
    await converseLogin(bob2, web.pageUrl(prosody.websocketUrl), bobJid, BOB.password);
    await converseOpenChat(bob2, aliceJid);
    const text = `to every bob ${Date.now()}`;
    await converseType(alice, bobJid, text);
    const [r1, r2] = await Promise.all([
      converseWaitForRow(bob, aliceJid, text),
      converseWaitForRow(bob2, aliceJid, text),
    ]);
    expect(r1.id).toBe(r2.id);
    // What bob sends from one resource shows at the other as his own (message carbons).
    const fromBob = `from bob's first login ${Date.now()}`;
    await converseType(bob, aliceJid, fromBob);
    const [atAlice, atBob2] = await Promise.all([
      converseWaitForRow(alice, bobJid, fromBob),
      converseWaitForRow(bob2, aliceJid, fromBob),
    ]);
    expect(atBob2.me).toBe(true);
    expect(atAlice.from).toBe(atBob2.from);
    // alice's chat with bob is one chat whatever resource wrote: rows carry the full JID.
    const bobResources = new Set(
      (await converseRows(alice, bobJid)).filter((r) => !r.me).map((r) => r.from.split('/')[1]),
    );
    expect(bobResources.size).toBe(1);
    const bob2Says = `from bob's second login ${Date.now()}`;
    await converseType(bob2, aliceJid, bob2Says);
    const fromBob2 = await converseWaitForRow(alice, bobJid, bob2Says);
    expect(fromBob2.from).not.toBe(atAlice.from);
    expect(fromBob2.from.startsWith(`${bobJid}/`)).toBe(true);
    await waitFor('bob2 line at bob (carbon)', async () =>
      (await converseRows(bob, aliceJid)).find((r) => r.text === bob2Says && r.me),
    );
  }, 40_000);
});
