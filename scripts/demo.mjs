#!/usr/bin/env node
// `npm start`: the two-party demo, on this machine only (127.0.0.1).
//   1. builds the extension (Chrome, test flavor: host access to http://127.0.0.1/* granted at
//      install, so no permission prompt is needed for the local chat),
//   2. starts ngircd (IRC server) and The Lounge (web IRC client) on 127.0.0.1, with a tap that
//      records every line the IRC server carries,
//   3. opens Chromium for Alice and for Bob (visible windows when $DISPLAY is set, headless
//      otherwise), signs both in, opens their query, and Alice turns private mode on,
//   4. exchanges messages both ways through offrecord's side panel (its page bound to each chat
//      tab, opened beside it: the same page Chrome shows in the tab's side panel),
//   5. prints side by side what IRC carried and what each person read, saves screenshots
//      (build/demo/alice.png, bob.png: the chat with the panel beside it; with windows, the REAL
//      side panel, opened by a click on the in-page cover, is typed into) and exits 0 only if the
//      conversation was
//      private end to end: every line between them after the switch was OTR, none of the
//      plaintext reached the IRC server or the chat pages, each side read every message encrypted.
//   npm start -- --interactive   leaves both windows open (Ctrl-C stops everything)
//   npm start -- --headless      never shows windows

import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureAptPackages, ensureNodeModules } from './ensure-deps.mjs';

// A fresh clone on a fresh machine: npm packages first, then what the demo runs (Chromium, ngircd).
try {
  ensureNodeModules();
  ensureAptPackages(['chromium', 'ngircd']);
} catch (e) {
  console.error(`npm start: ${e.message}`);
  process.exit(1);
}
const { build } = await import('./build.mjs');

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'build', 'demo');
const args = new Set(process.argv.slice(2));
for (const a of args) {
  if (!['--interactive', '--headless'].includes(a)) {
    console.error(`unknown argument ${a} (use --interactive and/or --headless)`);
    process.exit(2);
  }
}
const interactive = args.has('--interactive');
const headless = args.has('--headless') || !process.env.DISPLAY;

const step = (s) => console.log(`\n▶ ${s}`);

/** The test helpers are TypeScript: bundle them once with esbuild (no name-keeping, so functions
 * passed to the browser stay self-contained). */
async function loadHelpers() {
  const { build: esbuild } = await import('esbuild');
  // Three folders below the repository, like test/e2e/lib/: the helpers find the repository
  // (the built extension, The Lounge's fixture) relative to their own file.
  const outfile = join(OUT, 'lib', 'helpers.mjs');
  await esbuild({
    entryPoints: [join(ROOT, 'scripts/demo-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return import(pathToFileURL(outfile).href);
}

const ALICE = { name: 'alice', password: 'alice-demo-pw', nick: 'alice' };
const BOB = { name: 'bob', password: 'bob-demo-pw', nick: 'bob' };
const SCRIPT = [
  ['alice', 'Hi Bob — this line is end-to-end encrypted 🔒'],
  ['bob', 'Hi Alice! The IRC server only sees ?OTR: gibberish.'],
  ['alice', 'Ünïcødé works too: 日本語, ключ, 👩‍💻'],
  ['bob', `A long one that needs fragments: ${'lorem ipsum dolor sit amet '.repeat(30)}`.trim()],
  ['alice', 'Great. Talk soon, off the record.'],
];

function cut(s, n) {
  const flat = s.replace(/\s+/g, ' ');
  return flat.length <= n ? flat.padEnd(n) : `${flat.slice(0, n - 1)}…`;
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  step('building the extension (Chrome, test flavor)');
  build(['--flavor', 'test', '--target', 'chrome', '--if-stale', '--quiet']);
  const h = await loadHelpers();

  const cleanups = [];
  const cleanup = async () => {
    while (cleanups.length > 0)
      await cleanups
        .pop()()
        .catch(() => undefined);
  };
  process.on('SIGINT', () => {
    cleanup().finally(() => process.exit(130));
  });

  try {
    step('starting ngircd and The Lounge on 127.0.0.1 (The Lounge is installed on first use)');
    h.ensureLounge();
    const irc = await h.startNgircd();
    cleanups.push(() => irc.stop());
    const tap = await h.startIrcTap(irc.port, join(OUT, 'irc.log'));
    cleanups.push(() => tap.close());
    const lounge = await h.startLounge({ ircPort: tap.port, users: [ALICE, BOB] });
    cleanups.push(() => lounge.stop());
    console.log(`  IRC server 127.0.0.1:${irc.port}, The Lounge ${lounge.url}`);

    step(`opening Chromium for Alice and Bob (${headless ? 'headless' : 'windows'})`);
    const alice = await h.openPerson({ lounge, user: ALICE, peerNick: BOB.nick, headless });
    cleanups.push(() => alice.close());
    const bob = await h.openPerson({ lounge, user: BOB, peerNick: ALICE.nick, headless });
    cleanups.push(() => bob.close());
    const people = { alice, bob };

    step('Alice turns private mode on (as the popup does); the OTR AKE runs over IRC');
    const before = tap.privmsgs().length;
    await h.waitForQuery(alice, BOB.nick);
    await h.waitForQuery(bob, ALICE.nick);
    await h.goPrivate(alice);
    await h.waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    if (!(await h.secureFrame(bob.page, 'transcript', 15_000).catch(() => null))) await h.goPrivate(bob);
    await h.waitForStatus(bob.page, ['unverified', 'private'], 90_000);
    console.log(
      '  both sides private (unverified: verify with SMP or fingerprints from the panel or the popup)',
    );

    // With windows: the REAL side panel, opened as a user does, by a click on the in-page cover
    // over The Lounge's compose box (Chrome lets the cover open it inside the click's gesture).
    const sidePanels = {};
    if (!headless) {
      for (const [who, p] of Object.entries(people)) {
        sidePanels[who] = await h.openSidePanelByCover(p, 'textarea#input').catch((e) => {
          console.log(`  (${who}'s side panel did not open: ${e.message}; the panel page is used)`);
          return null;
        });
      }
    }

    step("exchanging messages through offrecord's side panel");
    for (const [who, text] of SCRIPT) {
      const from = people[who];
      const to = who === 'alice' ? bob : alice;
      if (sidePanels[who]) await sidePanels[who].typeAndEnter('compose-box', text);
      else await h.composeSend(from.page, text);
      await h.waitForEntry(to.page, 'in', text, 60_000);
      console.log(`  ${who}: ${cut(text, 70)}`);
    }

    const aliceRead = await h.transcript(alice.page);
    const bobRead = await h.transcript(bob.page);
    const between = tap
      .privmsgs()
      .slice(before)
      .filter((m) => m.target === 'alice' || m.target === 'bob');

    step('what the IRC server carried  |  what each person read');
    const W = 70;
    console.log(`${'IRC server (PRIVMSG text)'.padEnd(W)} | Alice / Bob read (their panels)`);
    console.log(`${'-'.repeat(W)}-+-${'-'.repeat(60)}`);
    const left = between.map((m) => `→${m.target}: ${m.text}`);
    const right = [
      ...aliceRead.map(
        (e) =>
          `Alice ${e.dir === 'out' ? 'wrote' : 'read '}: ${e.text}${e.encrypted ? ' 🔒' : ' (NOT PRIVATE)'}`,
      ),
      '',
      ...bobRead.map(
        (e) =>
          `Bob   ${e.dir === 'out' ? 'wrote' : 'read '}: ${e.text}${e.encrypted ? ' 🔒' : ' (NOT PRIVATE)'}`,
      ),
    ];
    const rows = Math.max(left.length, right.length);
    for (let i = 0; i < rows; i++) console.log(`${cut(left[i] ?? '', W)} | ${cut(right[i] ?? '', 60)}`);

    // Each person's screenshot: the chat page and, beside it, the panel (the real side panel as
    // drawn when there are windows, else the same panel page bound to the chat tab).
    for (const [who, p] of Object.entries(people)) {
      const chatPng = await p.page.screenshot();
      let panelPng;
      if (sidePanels[who]) panelPng = await sidePanels[who].screenshot();
      else {
        // The panel page at a side panel's size.
        const panel = await h.panelPage(p.page);
        await panel.setViewportSize({ width: 420, height: 760 });
        panelPng = await panel.screenshot();
      }
      await h.sideBySide(p.page.context(), [chatPng, panelPng], join(OUT, `${who}.png`));
    }
    console.log(
      `\n  screenshots (chat | panel): ${join(OUT, 'alice.png')}, ${join(OUT, 'bob.png')}; IRC log: ${join(OUT, 'irc.log')}`,
    );

    // The verdict.
    const problems = [];
    const wire = tap.lines.map((l) => l.line).join('\n');
    const pages = [
      await alice.page.evaluate(() => document.documentElement.textContent ?? ''),
      await bob.page.evaluate(() => document.documentElement.textContent ?? ''),
    ].join('\n');
    for (const m of between)
      if (!m.text.startsWith('?OTR')) problems.push(`IRC carried a non-OTR line: ${cut(m.text, 60)}`);
    for (const [who, text] of SCRIPT) {
      if (wire.includes(text)) problems.push(`IRC carried the plaintext of: ${cut(text, 40)}`);
      if (pages.includes(text)) problems.push(`a chat page holds the plaintext of: ${cut(text, 40)}`);
      const sender = who === 'alice' ? aliceRead : bobRead;
      const reader = who === 'alice' ? bobRead : aliceRead;
      if (!sender.some((e) => e.dir === 'out' && e.text === text && e.encrypted))
        problems.push(`${who} did not send encrypted: ${cut(text, 40)}`);
      if (!reader.some((e) => e.dir === 'in' && e.text === text && e.encrypted))
        problems.push(`not read encrypted: ${cut(text, 40)}`);
    }
    if (between.length === 0) problems.push('nothing went over IRC');

    if (problems.length > 0) {
      console.log('\n✗ NOT private end to end:');
      for (const p of problems) console.log(`  - ${p}`);
      process.exitCode = 1;
    } else {
      console.log(
        `\n✓ private end to end: ${between.length} IRC lines between Alice and Bob, all OTR; ${SCRIPT.length} messages read encrypted; no plaintext on IRC or in either chat page.`,
      );
    }

    if (interactive) {
      console.log('\n--interactive: the windows stay open. Ctrl-C stops everything.');
      await new Promise(() => undefined);
    }
  } finally {
    await cleanup();
    rmSync(join(OUT, 'lib'), { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`\n✗ demo failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.exit(1);
});
