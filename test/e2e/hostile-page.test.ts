/**
 * The hostile page (I1): a script injected into The Lounge's main world BEFORE the app loads
 * records everything a malicious chat site could: every DOM mutation's text and attribute, every
 * keyboard / input / composition / clipboard / focus event with the target's value, every
 * postMessage, the text of every node it can reach (documents, open shadow roots, every shadow
 * root created through its patched attachShadow, same-origin frames), polled all along.
 * After a private conversation with known secret strings (typed key by key into offrecord's side
 * panel, and received from the buddy), none of them appears anywhere in its record.
 * Negative control in the same run: a canary typed into the page itself (private mode off) IS
 * found, key by key and in the DOM, so the recorder would catch a leak.
 */
import type { Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Lounge, type LoungeUser, startLounge } from './lib/lounge.js';
import { type Ngircd, startNgircd, waitFor } from './lib/ngircd.js';
import { ensureLounge } from './lib/node22.js';
import {
  endPrivate,
  goPrivate,
  openPerson,
  type Person,
  secureFrame,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from './lounge-private-helpers.js';

const ALICE: LoungeUser = { name: 'alice', password: 'alice-pw-h', nick: 'alice_h' };
const BOB: LoungeUser = { name: 'bob', password: 'bob-pw-h', nick: 'bob_h' };

/** Runs in the page's main world before any of the page's scripts. */
const HOSTILE = `(() => {
  const rec = { texts: [], keys: '', events: 0 };
  Object.defineProperty(window, '__hostile', { value: rec });
  const push = (s) => { if (typeof s === 'string' && s.length > 0) rec.texts.push(s.slice(0, 20000)); };
  const shadows = [];
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, { ...init, mode: 'open' });
    shadows.push(root);
    return root;
  };
  const observe = (target) => new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'characterData') push(r.target.data);
      if (r.type === 'attributes' && r.target.getAttribute) push(r.target.getAttribute(r.attributeName));
      for (const n of r.addedNodes) push(n.textContent);
    }
  }).observe(target, { subtree: true, childList: true, characterData: true, attributes: true });
  observe(document);
  const onEvent = (e) => {
    rec.events++;
    if (e.type === 'keydown' && e.currentTarget === window && typeof e.key === 'string' && e.key.length === 1) rec.keys += e.key;
    push(e.key); push(e.data);
    const t = e.target;
    if (t && 'value' in t) push(String(t.value));
    if (e.clipboardData) push(e.clipboardData.getData('text'));
    if (e.type === 'message') { try { push(JSON.stringify(e.data)); } catch { push(String(e.data)); } }
  };
  for (const type of ['keydown', 'keyup', 'keypress', 'beforeinput', 'input', 'change', 'compositionend',
    'paste', 'copy', 'cut', 'focusin', 'focusout', 'message', 'submit']) {
    window.addEventListener(type, onEvent, true);
    document.addEventListener(type, onEvent, true);
  }
  const sweep = () => {
    push(document.documentElement && document.documentElement.textContent);
    for (const el of document.querySelectorAll('input, textarea')) push(el.value);
    for (const root of shadows) push(root.textContent);
    for (const f of document.querySelectorAll('iframe')) {
      try { push(f.contentDocument && f.contentDocument.documentElement.textContent); } catch {}
      push(f.getAttribute('src'));
    }
    for (const el of document.querySelectorAll('*')) if (el.shadowRoot) push(el.shadowRoot.textContent);
  };
  setInterval(sweep, 250);
  window.__hostileSweep = sweep;
})();`;

interface Record_ {
  texts: string[];
  keys: string;
  events: number;
}

async function record(page: Page): Promise<Record_> {
  await page.evaluate(() => (window as unknown as { __hostileSweep: () => void }).__hostileSweep());
  return page.evaluate(() => {
    const r = (window as unknown as { __hostile: Record_ }).__hostile;
    return { texts: r.texts, keys: r.keys, events: r.events };
  });
}

function leaks(r: Record_, secrets: string[]): string[] {
  const all = `${r.texts.join('\n')}\n${r.keys}`;
  // The secrets' distinctive cores: a partial leak (a few keystrokes, a cut line) is caught too.
  return secrets.filter(
    (s) => all.includes(s) || all.includes(s.slice(0, 12)) || r.keys.includes(s.slice(-12)),
  );
}

describe('the hostile page never observes plaintext (I1)', () => {
  let irc: Ngircd;
  let lounge: Lounge;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    ensureLounge();
    irc = await startNgircd();
    lounge = await startLounge({ ircPort: irc.port, users: [ALICE, BOB] });
    alice = await openPerson({
      lounge,
      user: ALICE,
      peerNick: BOB.nick!,
      beforeLogin: async (page) => {
        await page.addInitScript(HOSTILE);
      },
    });
    bob = await openPerson({ lounge, user: BOB, peerNick: ALICE.nick! });
  });

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await lounge?.stop();
    await irc?.stop();
  });

  it('records nothing of a private conversation, and catches a deliberate leak', async () => {
    const secrets = {
      typed: ['QuokkaTyped-8821-alpha', 'Zebra typed 7714 ünïcødé'],
      received: ['MarmotRecv-5530-gamma', 'Otter recv 9902 日本語'],
    };
    await waitForQuery(alice, BOB.nick!);
    await waitForQuery(bob, ALICE.nick!);
    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 90_000);
    if (!(await secureFrame(bob.page, 'transcript', 15_000).catch(() => null))) await goPrivate(bob);
    await waitForStatus(bob.page, ['unverified', 'private'], 90_000);

    // Alice types her secrets key by key into the panel's compose box, as a person does.
    for (const s of secrets.typed) {
      const box = (await secureFrame(alice.page, 'compose')).getByTestId('compose-box');
      await box.click();
      await box.pressSequentially(s, { delay: 5 });
      await box.press('Enter');
      await waitForEntry(bob.page, 'in', s);
    }
    for (const s of secrets.received) {
      const box = (await secureFrame(bob.page, 'compose')).getByTestId('compose-box');
      await box.fill(s);
      await box.press('Enter');
      await waitForEntry(alice.page, 'in', s);
    }
    // The page also had its chance while the panel showed them.
    await new Promise((r) => setTimeout(r, 600));
    const during = await record(alice.page);
    expect(during.events).toBeGreaterThan(0);
    expect(during.texts.length).toBeGreaterThan(0);
    expect(leaks(during, [...secrets.typed, ...secrets.received])).toEqual([]);

    // Negative control: with private mode off, a canary typed into the page itself is caught.
    await endPrivate(alice);
    await waitFor('the cover gone', async () =>
      (await alice.page.locator('[data-offrecord-cover]').count()) === 0 ? true : undefined,
    );
    const canary = 'CanaryPlain-4242-delta';
    const pageBox = alice.page.locator('form#form textarea#input');
    await pageBox.click();
    await pageBox.pressSequentially(canary, { delay: 5 });
    await pageBox.press('Enter');
    await waitFor('the canary sent', async () => ((await pageBox.inputValue()) === '' ? true : undefined));
    const after = await record(alice.page);
    expect(after.keys).toContain(canary);
    expect(leaks(after, [canary])).toEqual([canary]);
    // And still nothing of the private part.
    expect(leaks(after, [...secrets.typed, ...secrets.received])).toEqual([]);
  });
});
