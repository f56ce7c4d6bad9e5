import { describe, expect, it } from 'vitest';
import {
  MAX_PROFILE_BYTES,
  ProfileError,
  parseProfile,
  type SiteProfile,
  selectorProblem,
  serializeProfile,
} from '../../../src/profile/profile.js';

const good: SiteProfile = {
  format: 'offrecord-site-profile',
  version: 1,
  site: 'https://chat.example.org',
  name: 'Example',
  selectors: {
    compose: 'div.editor[contenteditable="true"]',
    list: '#viewport > .spacer',
    row: 'div.bubble',
    text: 'p.body',
  },
  senderAttribute: 'data-author',
  own: { match: 'row', selector: '.out' },
  send: 'enter',
  maxMessageLength: 2000,
};

function withChange(change: (p: Record<string, unknown>) => void): string {
  const p = JSON.parse(JSON.stringify(good)) as Record<string, unknown>;
  change(p);
  return JSON.stringify(p);
}

describe('site profile format', () => {
  it('round-trips a valid profile', () => {
    const text = serializeProfile(good);
    expect(parseProfile(text)).toEqual(good);
    expect(parseProfile(JSON.stringify({ ...good, send: { button: 'button.send' } })).send).toEqual({
      button: 'button.send',
    });
  });

  it('refuses malformed files with a clear error', () => {
    expect(() => parseProfile('{"format":')).toThrow(/not valid JSON/);
    expect(() => parseProfile('[]')).toThrow(/JSON object/);
    expect(() => parseProfile(withChange((p) => (p.version = 2)))).toThrow(/"version" 2 is not supported/);
    expect(() => parseProfile(withChange((p) => (p.format = 'x')))).toThrow(/format/);
    expect(() => parseProfile(withChange((p) => (p.site = 'https://a.org/path')))).toThrow(/origin only/);
    expect(() => parseProfile(withChange((p) => (p.site = 'file:///etc')))).toThrow(/http or https/);
    expect(() =>
      parseProfile(withChange((p) => delete (p.selectors as Record<string, unknown>).row)),
    ).toThrow(/selectors.row must be a string/);
    expect(() => parseProfile(withChange((p) => (p.own = { match: 'sometimes', selector: '.x' })))).toThrow(
      /own.match/,
    );
    expect(() => parseProfile(withChange((p) => (p.maxMessageLength = 5)))).toThrow(/maxMessageLength/);
    expect(() => parseProfile(withChange((p) => (p.selectors = { ...good.selectors, row: 'div[' })))).toThrow(
      /unbalanced/,
    );
  });

  it('refuses unknown keys', () => {
    expect(() => parseProfile(withChange((p) => (p.extra = 1)))).toThrow(/unknown key "extra"/);
    expect(() =>
      parseProfile(withChange((p) => ((p.selectors as Record<string, unknown>).onclick = '.x'))),
    ).toThrow(/unknown key "onclick"/);
  });

  it('an order attribute is an attribute name, kept on a round trip', () => {
    const ordered = { ...good, idAttribute: 'data-id', orderAttribute: 'data-ts' };
    expect(parseProfile(serializeProfile(ordered))).toEqual(ordered);
    expect(() => parseProfile(withChange((p) => (p.orderAttribute = 'onload')))).toThrow(/orderAttribute/);
    expect(() => parseProfile(withChange((p) => (p.orderAttribute = 3)))).toThrow(/orderAttribute/);
  });

  it('refuses an oversized file', () => {
    const big = withChange((p) => (p.name = 'x'.repeat(MAX_PROFILE_BYTES)));
    expect(() => parseProfile(big)).toThrow(new RegExp(`at most ${MAX_PROFILE_BYTES}`));
    expect(() =>
      parseProfile(withChange((p) => (p.selectors = { ...good.selectors, row: `.a${'b'.repeat(400)}` }))),
    ).toThrow(/longer than 300/);
  });

  it('refuses script-carrying profiles', () => {
    const attempts = [
      'div{}</style><script>alert(1)</script>',
      'a[href="javascript:alert(1)"]',
      'div; background:url(http://x)',
      'img[onerror=alert(1)]',
      '.x\\3c script',
    ];
    for (const row of attempts) {
      expect(() => parseProfile(withChange((p) => (p.selectors = { ...good.selectors, row }))), row).toThrow(
        ProfileError,
      );
    }
    expect(() => parseProfile(withChange((p) => (p.senderAttribute = 'onmouseover')))).toThrow(
      /event handler/,
    );
    expect(() => parseProfile(withChange((p) => (p.name = '<img src=x onerror=alert(1)>')))).toThrow(/name/);
    expect(() => parseProfile(withChange((p) => (p.send = 'function(){}')))).toThrow(/send/);
  });

  it('selectorProblem accepts ordinary selectors', () => {
    for (const s of [
      'converse-chat-message .chat-msg[data-from]',
      '#chat > .chat-view[data-type="query"]',
      'div.msg:not(.system) > p:nth-child(2)',
      '[data-from="alice@localhost"]',
    ])
      expect(selectorProblem(s), s).toBeNull();
  });
});
