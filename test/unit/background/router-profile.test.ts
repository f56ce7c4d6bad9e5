// The router's site-profile handlers (issue 9) with memory stores and fake ports that go through
// the same admission check as the real ones (ports.validateFor): a page saves a profile for its
// own origin only; the saved profile comes back in hello and survives a policy change; an imported
// file that is malformed, oversized or carries script is refused with the format's own error and
// stores nothing; export and import round-trip byte for byte; saving, importing and removing tell
// every tab of that site (and no other); what a page reports about itself lands in status.page.

import { describe, expect, it } from 'vitest';
import type { PageInfo, PushEvent } from '../../../extension/shared/messages';
import { LIMITS } from '../../../extension/shared/messages';
import { MAX_PROFILE_BYTES, type SiteProfile, serializeProfile } from '../../../src/profile/profile';
import { World as BaseWorld, type Port, SITE } from './harness';

const OTHER = 'http://127.0.0.1:9000';

function profile(site = SITE, extra: Partial<SiteProfile> = {}): SiteProfile {
  return {
    format: 'offrecord-site-profile',
    version: 1,
    site,
    name: 'Virtual chat',
    selectors: { compose: '#compose[contenteditable]', list: '#log', row: '.row', text: '.body' },
    senderAttribute: 'data-from',
    idAttribute: 'data-id',
    own: { match: 'row', selector: '.row.mine' },
    send: 'enter',
    maxMessageLength: 2000,
    ...extra,
  };
}

/** The shared harness, with no key generation (no test here needs a key: fail loudly if one is asked for) and the helpers these tests open ports with. */
class World extends BaseWorld {
  constructor() {
    super(async () => {
      throw new Error('no key generation in these tests');
    });
  }

  /** A content script in tab `tabId` of `origin` that has said hello. */
  async tab(tabId: number, origin = SITE): Promise<{ port: Port; hello: unknown }> {
    const url = `${origin}/chat.html`;
    const port = this.connect({ kind: 'content', tabId, frameId: 0, url, origin });
    const hello = await port.req({ type: 'hello', url });
    return { port, hello };
  }

  page(): Port {
    return this.connect({
      kind: 'page',
      url: 'chrome-extension://x/extension/options/index.html',
      tabId: null,
    });
  }
}

const changed = (p: Port) =>
  p.pushes.filter((e): e is Extract<PushEvent, { type: 'profile-changed' }> => e.type === 'profile-changed');

describe('router: site profiles', () => {
  it('lets a page save a profile for its own origin only, and tells that site`s tabs', async () => {
    const w = new World();
    const { port: a } = await w.tab(1);
    const { port: b } = await w.tab(2);
    const { port: other } = await w.tab(3, OTHER);

    await expect(a.req({ type: 'profile-save', profile: profile(OTHER) })).rejects.toThrow(
      'a page may save a profile for its own site only',
    );
    expect(await w.keys.listSites()).toEqual([]);
    expect(changed(other)).toEqual([]);

    await a.req({ type: 'profile-save', profile: profile() });
    expect((await w.keys.getSite(SITE))?.profile).toEqual(profile());
    expect(changed(a)).toEqual([{ type: 'profile-changed', profile: profile() }]);
    expect(changed(b)).toEqual([{ type: 'profile-changed', profile: profile() }]);
    expect(changed(other)).toEqual([]);
  });

  it('refuses a profile-save whose profile is not a valid profile before any handler runs', async () => {
    const w = new World();
    const { port } = await w.tab(1);
    const bad = { ...profile(), selectors: { ...profile().selectors, compose: 'javascript:alert(1)' } };
    expect(await port.send({ type: 'profile-save', id: 99, profile: bad })).toBeNull();
    expect(w.stats.invalidMessages).toBe(1);
    expect(await w.keys.listSites()).toEqual([]);
  });

  it('hands the saved profile to the page in hello, and null to a site without one', async () => {
    const w = new World();
    const { hello: before } = await w.tab(1);
    expect(before).toEqual({ tabId: 1, frameId: 0, profile: null });
    await w.page().req({ type: 'profile-import', text: serializeProfile(profile()) });
    const { hello } = await w.tab(2);
    expect(hello).toEqual({ tabId: 2, frameId: 0, profile: profile() });
    const { hello: otherHello } = await w.tab(3, OTHER);
    expect(otherHello).toEqual({ tabId: 3, frameId: 0, profile: null });
  });

  it('keeps the profile when the site`s policy changes, and keeps the policy when a profile is saved', async () => {
    const w = new World();
    const opts = w.page();
    await opts.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    await opts.req({ type: 'profile-import', text: serializeProfile(profile()) });
    expect(await w.keys.getSite(SITE)).toEqual({ origin: SITE, policy: 'always', profile: profile() });
    await opts.req({ type: 'site-policy', origin: SITE, policy: 'opportunistic' });
    expect(await w.keys.getSite(SITE)).toEqual({ origin: SITE, policy: 'opportunistic', profile: profile() });
    expect(await opts.req({ type: 'profile-get', origin: SITE })).toEqual({ profile: profile() });
    expect(await opts.req({ type: 'sites-list' })).toEqual([
      { origin: SITE, policy: 'opportunistic', maxMessageLength: null, pacing: null },
    ]);
  });

  it('a longest message set for the site wins over what the page says, until cleared; policy and profile kept', async () => {
    const w = new World();
    const opts = w.page();
    await opts.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    await opts.req({ type: 'profile-import', text: serializeProfile(profile()) });
    const { port } = await w.tab(5);
    const report = {
      type: 'conversation',
      account: 'alice@localhost',
      protocol: 'prpl-jabber',
      peer: 'bob@localhost',
      kind: 'one-to-one',
      reason: null,
      maxMessageSize: 10_000,
      composeFound: true,
      listFound: true,
    } as const;
    const shown = async () =>
      ((await opts.req({ type: 'status', tabId: 5 })) as { conversation: { maxMessageSize: number } })
        .conversation.maxMessageSize;
    await port.req(report);
    expect(await shown()).toBe(10_000);
    await opts.req({ type: 'site-max-length', origin: SITE, maxMessageLength: 1500 });
    await port.req(report);
    expect(await shown()).toBe(1500);
    expect(await w.keys.getSite(SITE)).toEqual({
      origin: SITE,
      policy: 'always',
      profile: profile(),
      maxMessageLength: 1500,
    });
    expect(await opts.req({ type: 'sites-list' })).toEqual([
      { origin: SITE, policy: 'always', maxMessageLength: 1500, pacing: null },
    ]);
    await opts.req({ type: 'site-max-length', origin: SITE, maxMessageLength: null });
    await port.req(report);
    expect(await shown()).toBe(10_000);
    expect(await w.keys.getSite(SITE)).toEqual({ origin: SITE, policy: 'always', profile: profile() });
    // Out of range: refused before any handler runs.
    for (const bad of [99, 100_001, 1.5, '2000'])
      expect(
        await opts.send({ type: 'site-max-length', id: 50, origin: SITE, maxMessageLength: bad }),
      ).toBeNull();
  });

  it("a site's pacing reaches its pages with the conversation reply, until cleared; other settings kept", async () => {
    const w = new World();
    const opts = w.page();
    await opts.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    const { port } = await w.tab(5);
    const report = {
      type: 'conversation',
      account: 'alice@localhost',
      protocol: 'prpl-jabber',
      peer: 'bob@localhost',
      kind: 'one-to-one',
      reason: null,
      maxMessageSize: 10_000,
      composeFound: true,
      listFound: true,
    } as const;
    const pacingOf = async () => ((await port.req(report)) as { pacing: unknown }).pacing;
    expect(await pacingOf()).toBeNull();
    await opts.req({ type: 'site-pacing', origin: SITE, pacing: { burst: 3, intervalMs: 1500 } });
    expect(await pacingOf()).toEqual({ burst: 3, intervalMs: 1500 });
    expect(await opts.req({ type: 'sites-list' })).toEqual([
      { origin: SITE, policy: 'always', maxMessageLength: null, pacing: { burst: 3, intervalMs: 1500 } },
    ]);
    await opts.req({ type: 'site-pacing', origin: SITE, pacing: null });
    expect(await pacingOf()).toBeNull();
    expect(await w.keys.getSite(SITE)).toEqual({ origin: SITE, policy: 'always' });
    for (const bad of [
      { burst: 0, intervalMs: 100 },
      { burst: 2, intervalMs: -1 },
      { burst: 2 },
      { burst: 1.5, intervalMs: 9 },
    ])
      expect(await opts.send({ type: 'site-pacing', id: 51, origin: SITE, pacing: bad })).toBeNull();
  });

  it('refuses malformed, oversized and script-carrying files with a clear error and stores nothing', async () => {
    const w = new World();
    const opts = w.page();
    const { port: tab } = await w.tab(1);
    const good = serializeProfile(profile());
    const refusals: [string, string | RegExp][] = [
      ['{"format": "offrecord-site-profile", ', 'profile file is not valid JSON'],
      ['[]', 'profile must be a JSON object'],
      [good.replace('"version": 1', '"version": 2'), /"version" 2 is not supported/],
      [
        good.replace('#compose[contenteditable]', 'javascript:alert(1)'),
        'selectors.compose looks like script',
      ],
      [
        good.replace('.row.mine', '.x{background:url(//evil)}'),
        /own.selector contains characters that are not CSS/,
      ],
      [good.replace('"#log"', '"#log\\" onclick=\\"x"'), /selectors.list /],
      [good.replace('"name": "Virtual chat"', '"onload": "alert(1)"'), 'profile: unknown key "onload"'],
      [good.replace('"data-from"', '"onmouseover"'), /"senderAttribute" must be an attribute name/],
      [
        good.replace('"name": "Virtual chat"', '"name": "<img src=x onerror=alert(1)>"'),
        /"name" must be a string/,
      ],
      [
        good.replace(`"site": "${SITE}"`, '"site": "javascript:alert(1)"'),
        /"site" must be an http or https origin/,
      ],
      // Within the message limit in characters but over it in UTF-8 bytes: the parser says so.
      [
        good.replace('"Virtual chat"', `"${'€'.repeat(100)}"`).padEnd(8000, ' '),
        /bytes; at most 8192 are allowed/,
      ],
    ];
    for (const [text, error] of refusals) {
      expect(text.length).toBeLessThanOrEqual(LIMITS.profileFile);
      await expect(opts.req({ type: 'profile-import', text }), text.slice(0, 80)).rejects.toThrow(error);
    }
    // Over the limit in characters: the message itself is refused before any handler sees it.
    const huge = good.replace('"Virtual chat"', `"${'x'.repeat(MAX_PROFILE_BYTES)}"`);
    expect(await opts.send({ type: 'profile-import', id: 1000, text: huge })).toBeNull();
    expect(w.stats.invalidMessages).toBe(1);

    expect(await w.keys.listSites()).toEqual([]);
    expect(changed(tab)).toEqual([]);
    // And the good file after all those is taken.
    expect(await opts.req({ type: 'profile-import', text: good })).toEqual({ origin: SITE });
  });

  it('exports exactly the text it imports, and the export of an import of an export is the same bytes', async () => {
    const w = new World();
    const opts = w.page();
    const text = serializeProfile(profile(SITE, { send: { button: 'form button[type=submit]' } }));
    await opts.req({ type: 'profile-import', text });
    const first = (await opts.req({ type: 'profile-export', origin: SITE })) as { text: string };
    expect(first.text).toBe(text);
    await opts.req({ type: 'profile-remove', origin: SITE });
    await expect(opts.req({ type: 'profile-export', origin: SITE })).rejects.toThrow(
      `No site profile is saved for ${SITE}.`,
    );
    // Another key order and spacing imports to the same profile and exports the canonical text.
    const shuffled = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text)).reverse()));
    expect(shuffled).not.toBe(text);
    await opts.req({ type: 'profile-import', text: shuffled });
    const again = (await opts.req({ type: 'profile-export', origin: SITE })) as { text: string };
    expect(new TextEncoder().encode(again.text)).toEqual(new TextEncoder().encode(text));
  });

  it('removing a profile (or the whole site) tells the site`s tabs with profile null, keeps the policy', async () => {
    const w = new World();
    const opts = w.page();
    const { port: a } = await w.tab(1);
    const { port: b } = await w.tab(2);
    const { port: other } = await w.tab(3, OTHER);
    await opts.req({ type: 'site-policy', origin: SITE, policy: 'always' });
    await opts.req({ type: 'profile-import', text: serializeProfile(profile()) });
    await opts.req({ type: 'profile-import', text: serializeProfile(profile(OTHER)) });
    for (const p of [a, b, other]) p.pushes.length = 0;

    await opts.req({ type: 'profile-remove', origin: SITE });
    expect(changed(a)).toEqual([{ type: 'profile-changed', profile: null }]);
    expect(changed(b)).toEqual([{ type: 'profile-changed', profile: null }]);
    expect(changed(other)).toEqual([]);
    expect(await w.keys.getSite(SITE)).toEqual({ origin: SITE, policy: 'always' });
    expect(await opts.req({ type: 'profile-get', origin: SITE })).toEqual({ profile: null });
    // Removing again: nothing to say, nobody told.
    await opts.req({ type: 'profile-remove', origin: SITE });
    expect(changed(a)).toHaveLength(1);

    await opts.req({ type: 'site-remove', origin: OTHER });
    expect(changed(other)).toEqual([{ type: 'profile-changed', profile: null }]);
    expect(await w.keys.getSite(OTHER)).toBeNull();
  });

  it('puts what the page reported into status.page, replaced by each new report', async () => {
    const w = new World();
    const popup = w.page();
    const { port } = await w.tab(5);
    const status = async () => ((await popup.req({ type: 'status', tabId: 5 })) as { page: unknown }).page;
    expect(await status()).toBeNull();

    const unknown: PageInfo = {
      adapter: null,
      profile: null,
      guess: { confidence: 0.72, reasons: ['a contenteditable box', '8 similar rows in a scrolling list'] },
    };
    await port.req({ type: 'page-info', info: unknown });
    expect(await status()).toEqual(unknown);

    const broken: PageInfo = {
      adapter: 'profile',
      profile: { ok: false, problems: ['selectors.list "#log" matches nothing on this page'], rows: 0 },
      guess: null,
    };
    await port.req({ type: 'page-info', info: broken });
    expect(await status()).toEqual(broken);
    // The page's chat reported after it (or again) keeps the page report.
    await port.req({
      type: 'conversation',
      account: 'alice',
      protocol: 'virtual',
      peer: 'bob',
      kind: 'one-to-one',
      reason: 'The site profile for this page stopped matching.',
      maxMessageSize: 2000,
      composeFound: true,
      listFound: false,
    });
    expect(await status()).toEqual(broken);
    // Another tab's status knows nothing of it.
    expect(((await popup.req({ type: 'status', tabId: 6 })) as { page: unknown }).page).toBeNull();
    // A report that breaks the limits is refused, and the last good one stays.
    const tooMany = { ...broken, profile: { ok: false, problems: Array(11).fill('x'), rows: 0 } };
    expect(await port.send({ type: 'page-info', id: 77, info: tooMany })).toBeNull();
    expect(await status()).toEqual(broken);
  });

  it('starts the picker in a tab that runs offrecord, and says so when it does not', async () => {
    const w = new World();
    const popup = w.page();
    const { port } = await w.tab(4);
    await popup.req({ type: 'picker-start', tabId: 4 });
    expect(port.pushes.filter((e) => e.type === 'start-picker')).toEqual([{ type: 'start-picker' }]);
    await expect(popup.req({ type: 'picker-start', tabId: 40 })).rejects.toThrow(
      'offrecord is not running in that tab',
    );
  });
});
