// The shared message module and the background's port admission: what is accepted, what is
// refused, and that nothing from outside can make a validator throw.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifySender, type Sender, validateFor } from '../../extension/background/ports';
import {
  LIMITS,
  RESULT_VALIDATORS,
  validateContentRequest,
  validatePageRequest,
  validateReply,
  validateStatusResult,
} from '../../extension/shared/messages';
import { siteMatches, sitePatternFor } from '../../extension/shared/sites';

describe('request validators', () => {
  it('accept each well-formed request, as a fresh object', () => {
    const hello = { type: 'hello', id: 1, url: 'https://chat.example.org/room?x=1' };
    expect(validateContentRequest(hello)).toEqual(hello);
    expect(validateContentRequest(hello)).not.toBe(hello);
    expect(validatePageRequest({ type: 'status', id: 0, tabId: 7 })).toEqual({
      type: 'status',
      id: 0,
      tabId: 7,
    });
    expect(validatePageRequest({ type: 'status', id: 2, tabId: null })).toEqual({
      type: 'status',
      id: 2,
      tabId: null,
    });
    expect(validatePageRequest({ type: 'increment', id: 3 })).toEqual({ type: 'increment', id: 3 });
  });

  it.each([
    ['extra key', { type: 'hello', id: 1, url: 'https://a.example/', admin: true }],
    ['missing url', { type: 'hello', id: 1 }],
    ['non-http url', { type: 'hello', id: 1, url: 'javascript:alert(1)' }],
    ['file url', { type: 'hello', id: 1, url: 'file:///etc/passwd' }],
    ['unparsable url', { type: 'hello', id: 1, url: 'http://' }],
    ['overlong url', { type: 'hello', id: 1, url: `https://a.example/${'x'.repeat(LIMITS.url)}` }],
    ['negative id', { type: 'hello', id: -1, url: 'https://a.example/' }],
    ['fractional id', { type: 'hello', id: 1.5, url: 'https://a.example/' }],
    ['string id', { type: 'hello', id: '1', url: 'https://a.example/' }],
    ['page message from content', { type: 'increment', id: 1 }],
    ['unknown type', { type: 'hello2', id: 1, url: 'https://a.example/' }],
    ['array', ['hello']],
    ['null', null],
  ])('content: refuse %s', (_why, msg) => {
    expect(validateContentRequest(msg)).toBeNull();
  });

  it.each([
    ['content message from a page', { type: 'hello', id: 1, url: 'https://a.example/' }],
    ['extra key', { type: 'increment', id: 1, by: 100 }],
    ['negative tab', { type: 'status', id: 1, tabId: -1 }],
    ['missing tabId', { type: 'status', id: 1 }],
    ['string tabId', { type: 'status', id: 1, tabId: '3' }],
    ['huge id', { type: 'increment', id: 2 ** 53 }],
    ['prototype pollution', JSON.parse('{"type":"increment","id":1,"__proto__":{"x":1}}')],
  ])('page: refuse %s', (_why, msg) => {
    expect(validatePageRequest(msg)).toBeNull();
  });

  it('never throw, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything({ withObjectString: true, withNullPrototype: true }), (x) => {
        validateContentRequest(x);
        validatePageRequest(x);
        validateReply(x);
        for (const v of Object.values(RESULT_VALIDATORS)) v(x);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('reply validators', () => {
  it('accept ok and error replies and refuse the rest', () => {
    expect(validateReply({ type: 'reply', id: 4, ok: true, result: { counter: 1 } })).toEqual({
      type: 'reply',
      id: 4,
      ok: true,
      result: { counter: 1 },
    });
    expect(validateReply({ type: 'reply', id: 4, ok: false, error: 'no' })).toEqual({
      type: 'reply',
      id: 4,
      ok: false,
      error: 'no',
    });
    expect(validateReply({ type: 'reply', id: 4, ok: 'yes', result: 1 })).toBeNull();
    expect(
      validateReply({ type: 'reply', id: 4, ok: false, error: 'x'.repeat(LIMITS.error + 1) }),
    ).toBeNull();
    expect(validateReply({ type: 'reply', id: 4, ok: true, result: 1, error: 'both' })).toBeNull();
  });

  it('check each result shape', () => {
    const status = {
      tab: { tabId: 3, connected: true, url: 'http://127.0.0.1:8080/c', badge: 'ready', alert: '' },
      counter: 2,
      invalidMessages: 0,
      sites: ['http://127.0.0.1/*'],
      site: { origin: 'http://127.0.0.1:8080', enabled: true },
      conversation: null,
      status: null,
      keygen: null,
      page: {
        adapter: null,
        profile: { ok: false, problems: ['message box: 0 matches'], rows: 0 },
        guess: null,
      },
      lock: { state: 'locked', autoLockSeconds: 900, held: 1, offer: false },
    };
    expect(validateStatusResult(status)).toEqual(status);
    expect(validateStatusResult({ ...status, lock: { ...status.lock, state: 'open' } })).toBeNull();
    expect(validateStatusResult({ ...status, lock: { ...status.lock, kek: 'ab' } })).toBeNull();
    expect(validateStatusResult({ ...status, page: { ...status.page, adapter: 'x\n' } })).toBeNull();
    expect(
      validateStatusResult({ ...status, page: { ...status.page, guess: { confidence: 1.5, reasons: [] } } }),
    ).toBeNull();
    expect(validateStatusResult({ ...status, tab: null })).toEqual({ ...status, tab: null });
    expect(validateStatusResult({ ...status, tab: { ...status.tab, badge: 'private!' } })).toBeNull();
    expect(validateStatusResult({ ...status, sites: [1] })).toBeNull();
    expect(validateStatusResult({ ...status, counter: -1 })).toBeNull();
    expect(RESULT_VALIDATORS.hello({ tabId: 1, frameId: 0, profile: null })).toEqual({
      tabId: 1,
      frameId: 0,
      profile: null,
    });
    expect(RESULT_VALIDATORS.hello({ tabId: 1, frameId: 0 })).toBeNull();
    const profile = {
      format: 'offrecord-site-profile',
      version: 1,
      site: 'http://127.0.0.1:8080',
      selectors: { compose: '.editor', list: '#list', row: '.row' },
      own: { match: 'row', selector: '.out' },
      send: 'enter',
    };
    expect(RESULT_VALIDATORS.hello({ tabId: 1, frameId: 0, profile })).toEqual({
      tabId: 1,
      frameId: 0,
      profile,
    });
    expect(
      RESULT_VALIDATORS.hello({ tabId: 1, frameId: 0, profile: { ...profile, send: 'javascript:alert(1)' } }),
    ).toBeNull();
    expect(RESULT_VALIDATORS.increment({ counter: 5 })).toEqual({ counter: 5 });
    expect(RESULT_VALIDATORS.increment({ counter: '5' })).toBeNull();
  });
});

describe('classifySender: rights from the browser-given sender', () => {
  const ID = 'abcdefghijklmnop';
  const ORIGIN = 'chrome-extension://abcdefghijklmnop';
  const tab = { id: 12, index: 0, highlighted: true, active: true, pinned: false, incognito: false };

  it('grants page rights to our own extension pages', () => {
    expect(classifySender({ id: ID, url: `${ORIGIN}/extension/popup/index.html` }, ID, ORIGIN)).toEqual({
      kind: 'page',
      url: `${ORIGIN}/extension/popup/index.html`,
      tabId: null,
    });
    // The side panel (no tab), or its page opened as a tab (tests): panel rights, naming no tab.
    const panel: Sender = { id: ID, url: `${ORIGIN}/extension/panel/index.html`, origin: ORIGIN };
    expect(classifySender(panel, ID, ORIGIN)).toEqual({
      kind: 'panel',
      url: `${ORIGIN}/extension/panel/index.html`,
    });
    const asTab: Sender = { ...panel, url: `${ORIGIN}/extension/panel/index.html?tab=3`, tab, frameId: 0 };
    expect(classifySender(asTab, ID, ORIGIN)).toEqual({
      kind: 'panel',
      url: `${ORIGIN}/extension/panel/index.html?tab=3`,
    });
    // Never as a subframe of some page (the page would control focus and layout around it).
    expect(classifySender({ ...asTab, frameId: 3 }, ID, ORIGIN)).toBeNull();
    // Another extension's "panel" is nobody.
    expect(classifySender({ ...panel, id: 'other' }, ID, ORIGIN)).toBeNull();
    // The options page opened in a tab keeps page rights.
    const options: Sender = { id: ID, url: `${ORIGIN}/extension/options/index.html`, tab, origin: ORIGIN };
    expect(classifySender(options, ID, ORIGIN)).toMatchObject({ kind: 'page', tabId: 12 });
  });

  it('grants content rights to a content script in a web page tab', () => {
    const s: Sender = {
      id: ID,
      url: 'https://chat.example.org/r/1',
      tab,
      frameId: 0,
      origin: 'https://chat.example.org',
    };
    expect(classifySender(s, ID, ORIGIN)).toEqual({
      kind: 'content',
      tabId: 12,
      frameId: 0,
      url: 'https://chat.example.org/r/1',
      origin: 'https://chat.example.org',
    });
  });

  it.each<[string, Sender | undefined]>([
    ['no sender', undefined],
    ['another extension', { id: 'other', url: `${ORIGIN}/x.html` }],
    ['another extension origin', { id: ID, url: 'chrome-extension://zzzz/x.html' }],
    ['web page without a tab', { id: ID, url: 'https://a.example/' }],
    ['negative tab id', { id: ID, url: 'https://a.example/', tab: { ...tab, id: -1 } }],
    ['no url', { id: ID, tab }],
    ['origin disagrees with url', { id: ID, url: 'https://a.example/', tab, origin: 'https://b.example' }],
    ['privileged scheme', { id: ID, url: 'chrome://settings/', tab }],
    ['file scheme', { id: ID, url: 'file:///tmp/x.html', tab }],
  ])('refuses %s', (_why, sender) => {
    expect(classifySender(sender, ID, ORIGIN)).toBeNull();
  });

  it('validates messages by the rights fixed at connect', () => {
    const content = classifySender({ id: ID, url: 'https://a.example/', tab, frameId: 0 }, ID, ORIGIN)!;
    const page = classifySender({ id: ID, url: `${ORIGIN}/p.html` }, ID, ORIGIN)!;
    expect(validateFor(content, { type: 'increment', id: 1 })).toBeNull();
    expect(validateFor(page, { type: 'increment', id: 1 })).toEqual({ type: 'increment', id: 1 });
    expect(validateFor(page, { type: 'hello', id: 1, url: 'https://a.example/' })).toBeNull();
    expect(validateFor(content, { type: 'hello', id: 1, url: 'https://a.example/' })).not.toBeNull();
  });
});

describe('site patterns', () => {
  it.each([
    ['https://chat.example.org/room/1?x#y', 'https://chat.example.org/*'],
    ['chat.example.org', 'https://chat.example.org/*'],
    ['  http://127.0.0.1:9000/a ', 'http://127.0.0.1/*'],
    ['HTTP://Chat.Example.ORG', 'http://chat.example.org/*'],
    ['http://[::1]:8080/', 'http://[::1]/*'],
  ])('%s → %s', (input, pattern) => {
    expect(sitePatternFor(input)).toBe(pattern);
  });

  it.each([
    '',
    'ftp://a.example/',
    'file:///x',
    'javascript:alert(1)',
    'https://u:p@a.example/',
    'https://*.example/',
    'http://',
  ])('refuses %j', (input) => {
    expect(sitePatternFor(input)).toBeNull();
  });

  it('keeps only web host patterns among granted origins, sorted and unique', () => {
    expect(
      siteMatches([
        'https://b.example/*',
        'moz-extension://u/*',
        'http://a.example/*',
        'https://b.example/*',
        '<all_urls>',
      ]),
    ).toEqual(['http://a.example/*', 'https://b.example/*']);
  });
});
