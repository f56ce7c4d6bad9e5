// Policy per buddy (issue 16, as pidgin-otr has it): the store keeps a buddy's own policy, the
// page port sets and lists it (a content script may not; a policy not in the list is refused
// before any handler runs), and the buddy's policy wins over the site's when a conversation with
// that buddy starts: "never" refuses Go private with words that say whose setting it is and
// changes nothing; "always" starts the AKE on a buddy's whitespace-tagged message where the site's
// "manual" does not; "default" gives the site's policy back. A change applies to a conversation
// already in memory, without a worker restart.

import { beforeAll, describe, expect, it } from 'vitest';
import type { PortRights } from '../../../extension/background/ports';
import { RESULT_VALIDATORS } from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { effectivePolicy } from '../../../src/otr/policy';
import { WHITESPACE_BASE, WHITESPACE_V3 } from '../../../src/otr/proto';
import { MemoryKeyStore } from '../../../src/store/memory';
import { minichatConversation, type Port, SITE, World } from './harness';

const TAB = 4;
const ACCOUNT = 'alice';
const PROTOCOL = 'minichat';
const BUDDY = 'bob';
const TAGGED = `hello${WHITESPACE_BASE}${WHITESPACE_V3}`;

let aliceKey: DsaPrivateKey;
beforeAll(async () => {
  aliceKey = await generateDsaKey();
});

const contentRights: PortRights = {
  kind: 'content',
  tabId: TAB,
  frameId: 0,
  url: `${SITE}/chat.html`,
  origin: SITE,
};
const pageRights: PortRights = {
  kind: 'page',
  url: 'chrome-extension://x/extension/options/index.html',
  tabId: null,
};

/** A chat tab with `peer` open, its content port, and the lines it was asked to send. */
async function chat(w: World, peer = BUDDY): Promise<{ port: Port; lines: () => string[] }> {
  const port = w.connect(contentRights);
  await port.req({ type: 'hello', url: `${SITE}/chat.html` });
  await port.req(minichatConversation(peer));
  const lines = () => port.pushes.flatMap((e) => (e.type === 'send-wire' ? e.lines.map((l) => l.wire) : []));
  return { port, lines };
}

let row = 0;
const buddySays = (port: Port, text: string) =>
  port.req({
    type: 'chat-messages',
    history: false,
    messages: [{ id: `r${++row}`, from: BUDDY, text, own: false }],
  });

const setBuddy = (page: Port, policy: string, buddy = BUDDY) =>
  page.req({ type: 'buddy-policy', account: ACCOUNT, protocol: PROTOCOL, buddy, policy });

describe('effective policy', () => {
  it("the buddy's own policy wins over the site's; the site's applies when the buddy has none; manual without either", () => {
    expect(effectivePolicy('always', 'never')).toBe('never');
    expect(effectivePolicy('never', 'opportunistic')).toBe('opportunistic');
    expect(effectivePolicy('always', null)).toBe('always');
    expect(effectivePolicy(undefined, 'always')).toBe('always');
    expect(effectivePolicy(null, null)).toBe('manual');
  });
});

describe('store: a buddy policy', () => {
  it('is kept per account, protocol and buddy, removed on its own, and erased (and counted) by a wipe', async () => {
    const keys = new MemoryKeyStore();
    expect(await keys.getBuddyPolicy(ACCOUNT, PROTOCOL, BUDDY)).toBeNull();
    await keys.putBuddyPolicy({ account: ACCOUNT, protocol: PROTOCOL, buddy: BUDDY, policy: 'never' });
    await keys.putBuddyPolicy({ account: 'carol', protocol: PROTOCOL, buddy: BUDDY, policy: 'always' });
    expect(await keys.getBuddyPolicy(ACCOUNT, PROTOCOL, BUDDY)).toBe('never');
    expect(await keys.getBuddyPolicy(ACCOUNT, 'other', BUDDY)).toBeNull();
    await keys.putBuddyPolicy({ account: ACCOUNT, protocol: PROTOCOL, buddy: BUDDY, policy: 'manual' });
    expect(await keys.listBuddyPolicies()).toHaveLength(2);
    await keys.deleteBuddyPolicy(ACCOUNT, PROTOCOL, BUDDY);
    expect(await keys.getBuddyPolicy(ACCOUNT, PROTOCOL, BUDDY)).toBeNull();
    expect(await keys.getBuddyPolicy('carol', PROTOCOL, BUDDY)).toBe('always');
    await keys.putSite({ origin: SITE, policy: 'manual' });
    expect((await keys.clearAll()).sites).toBe(2);
    expect(await keys.listBuddyPolicies()).toEqual([]);
  });
});

describe('router: policy per buddy', () => {
  it('lists every known buddy (open chat, known fingerprint) with the default, and what was set', async () => {
    const w = new World();
    await w.keys.putKey(ACCOUNT, PROTOCOL, aliceKey);
    const page = w.connect(pageRights);
    expect(await page.req({ type: 'buddy-policies' })).toEqual([]);
    await chat(w);
    await w.keys.putFingerprint({
      account: ACCOUNT,
      protocol: 'prpl-jabber',
      buddy: 'dave@example.org',
      fingerprint: '0'.repeat(40),
      trust: '',
      firstSeen: 1,
      lastSeen: 1,
    });
    await setBuddy(page, 'always', 'erin');
    const listed = await page.req({ type: 'buddy-policies' });
    expect(RESULT_VALIDATORS['buddy-policies'](listed)).toEqual(listed);
    expect(listed).toEqual([
      { account: ACCOUNT, protocol: PROTOCOL, buddy: BUDDY, policy: 'default' },
      { account: ACCOUNT, protocol: 'prpl-jabber', buddy: 'dave@example.org', policy: 'default' },
      { account: ACCOUNT, protocol: PROTOCOL, buddy: 'erin', policy: 'always' },
    ]);
    await setBuddy(page, 'never');
    await setBuddy(page, 'default', 'erin');
    expect(await w.keys.getBuddyPolicy(ACCOUNT, PROTOCOL, BUDDY)).toBe('never');
    expect(await w.keys.getBuddyPolicy(ACCOUNT, PROTOCOL, 'erin')).toBeNull();
    expect(await page.req({ type: 'buddy-policies' })).toEqual([
      { account: ACCOUNT, protocol: PROTOCOL, buddy: BUDDY, policy: 'never' },
      { account: ACCOUNT, protocol: 'prpl-jabber', buddy: 'dave@example.org', policy: 'default' },
    ]);
  });

  it('refuses a buddy policy from a content script, and a policy that is not one of the list, storing nothing', async () => {
    const w = new World();
    const { port } = await chat(w);
    const page = w.connect(pageRights);
    const body = {
      type: 'buddy-policy',
      account: ACCOUNT,
      protocol: PROTOCOL,
      buddy: BUDDY,
      policy: 'never',
    };
    expect(await port.send({ ...body, id: 90 })).toBeNull();
    expect(await page.send({ ...body, id: 91, policy: 'sometimes' })).toBeNull();
    expect(await page.send({ ...body, id: 92, buddy: '' })).toBeNull();
    expect(w.stats.invalidMessages).toBe(3);
    expect(await w.keys.listBuddyPolicies()).toEqual([]);
  });

  it('"never" for the buddy refuses Go private in words, sends nothing and keeps the conversation not private; the site\'s "always" does not override it', async () => {
    const w = new World();
    await w.keys.putKey(ACCOUNT, PROTOCOL, aliceKey);
    const page = w.connect(pageRights);
    await page.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    await setBuddy(page, 'never');
    const { port, lines } = await chat(w);
    await expect(page.req({ type: 'go-private', tabId: TAB })).rejects.toThrow(
      'Private messaging is turned off for bob: your policy for this buddy is Never.',
    );
    expect(lines()).toEqual([]);
    const st = (await page.req({ type: 'status', tabId: TAB })) as {
      status: { privateMode: boolean; state: string };
    };
    expect(st.status).toMatchObject({ privateMode: false, state: 'plaintext' });
    // The buddy's tagged message does not start anything either (OTR is off for this buddy).
    await buddySays(port, TAGGED);
    expect(lines()).toEqual([]);

    // Back to the site's policy: Go private works (a Query goes out).
    await setBuddy(page, 'default');
    await page.req({ type: 'go-private', tabId: TAB });
    expect(lines().some((l) => l.startsWith('?OTRv'))).toBe(true);
  });

  it('the site\'s "never" refuses Go private naming the site, unless the buddy has a policy of its own', async () => {
    const w = new World();
    await w.keys.putKey(ACCOUNT, PROTOCOL, aliceKey);
    const page = w.connect(pageRights);
    await page.req({ type: 'site-policy', origin: SITE, policy: 'never' });
    const { lines } = await chat(w);
    await expect(page.req({ type: 'go-private', tabId: TAB })).rejects.toThrow(
      `Private messaging is turned off on ${SITE}: the site's policy is Never.`,
    );
    expect(lines()).toEqual([]);
    await setBuddy(page, 'manual');
    await page.req({ type: 'go-private', tabId: TAB });
    expect(lines().filter((l) => l.startsWith('?OTRv'))).toHaveLength(1);
  });

  it('"always" for the buddy starts the AKE on a whitespace-tagged message where the site\'s manual does not, and the change applies to the conversation already in memory', async () => {
    const w = new World();
    await w.keys.putKey(ACCOUNT, PROTOCOL, aliceKey);
    const page = w.connect(pageRights);
    const { port, lines } = await chat(w);
    // Site default (manual): a tagged plain message is shown, nothing is started.
    await buddySays(port, TAGGED);
    expect(lines()).toEqual([]);
    await setBuddy(page, 'always');
    await buddySays(port, TAGGED);
    expect(lines().filter((l) => /^\?OTR:AAMC/.test(l))).toHaveLength(1);
  });

  it('the buddy\'s "manual" keeps a tagged message from starting the AKE on a site whose policy is "always"', async () => {
    const w = new World();
    await w.keys.putKey(ACCOUNT, PROTOCOL, aliceKey);
    const page = w.connect(pageRights);
    await page.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    await setBuddy(page, 'manual');
    const { port, lines } = await chat(w);
    await buddySays(port, TAGGED);
    expect(lines()).toEqual([]);
    // The control: without the buddy's own policy the site's "always" starts it.
    await setBuddy(page, 'default');
    await buddySays(port, TAGGED);
    expect(lines().filter((l) => /^\?OTR:AAMC/.test(l))).toHaveLength(1);
  });
});
