// The runtime API of prompts/api.md: every request, result and push accepted in its exact shape,
// and refused with an extra key, a missing key, a wrong type or an overlong value.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ConversationStatus,
  LIMITS,
  RESULT_VALIDATORS,
  validateContentOneShot,
  validateContentRequest,
  validatePageRequest,
  validatePanelRequest,
  validatePush,
} from '../../extension/shared/messages';

const FP = '1234ABCD 1234ABCD 1234ABCD 1234ABCD 1234ABCD';
const status: ConversationStatus = {
  state: 'encrypted',
  version: 3,
  privateMode: true,
  trust: '',
  fingerprint: FP,
  ourFingerprint: FP,
  fingerprintChanged: false,
  authInProgress: false,
  smp: { state: 'question-asked', question: 'colour?' },
  held: 0,
  pendingWire: 2,
  siteError: null,
};

const content = [
  { type: 'hello', id: 1, url: 'http://127.0.0.1:8080/' },
  {
    type: 'conversation',
    id: 2,
    account: 'alice@net',
    protocol: 'irc',
    peer: 'bob',
    kind: 'one-to-one',
    reason: null,
    maxMessageSize: 350,
    composeFound: true,
    listFound: true,
  },
  {
    type: 'conversation',
    id: 3,
    account: 'alice@net',
    protocol: 'irc',
    peer: null,
    kind: 'group',
    reason: 'a channel: OTR is for two',
    maxMessageSize: 0,
    composeFound: true,
    listFound: false,
  },
  {
    type: 'chat-messages',
    id: 4,
    messages: [{ id: 'msg-1', from: 'bob', text: '?OTR:AAM', own: false }],
    history: true,
  },
  { type: 'wire-sent', id: 5, seq: 7 },
  { type: 'toggle-private', id: 6 },
  { type: 'wire-delivered', id: 7, seqs: [7, 8] },
  { type: 'wire-failed', id: 8, seqs: [9] },
  { type: 'site-error', id: 9, error: 'freenode: Disconnected' },
  { type: 'site-error', id: 10, error: null },
];

const CONV = 'conv:["http://127.0.0.1:8000","alice","minichat","bob"]';
const panel = [
  { type: 'panel-hello', id: 1, tabId: 3 },
  { type: 'panel-send', id: 2, tabId: 3, conv: CONV, text: 'hi' },
  { type: 'panel-send', id: 3, tabId: 3, conv: CONV, text: 'x'.repeat(LIMITS.composeText) },
];
/** What the panel shares with the popup, with the conversation it is bound to. */
const panelBound = [
  { type: 'go-private', id: 4, tabId: 3, conv: CONV },
  { type: 'refresh-private', id: 5, tabId: 3, conv: CONV },
  { type: 'end-private', id: 6, tabId: 3, conv: CONV },
  { type: 'smp-start', id: 7, tabId: 3, secret: 's', question: 'q?', conv: CONV },
  { type: 'smp-answer', id: 8, tabId: 3, secret: 's', conv: CONV },
  { type: 'smp-abort', id: 9, tabId: 3, conv: CONV },
  { type: 'set-trust', id: 10, tabId: 3, fingerprint: FP, trust: 'verified', conv: CONV },
  { type: 'retry-send-tab', id: 11, tabId: 3, entryId: 'out-1', conv: CONV },
];

const page = [
  { type: 'status', id: 1, tabId: 3 },
  { type: 'go-private', id: 2, tabId: 3 },
  { type: 'refresh-private', id: 3, tabId: 3 },
  { type: 'end-private', id: 4, tabId: 3 },
  { type: 'smp-start', id: 5, tabId: 3, secret: 's', question: null },
  { type: 'smp-start', id: 6, tabId: 3, secret: 's', question: 'q?' },
  { type: 'smp-answer', id: 7, tabId: 3, secret: 's' },
  { type: 'smp-abort', id: 8, tabId: 3 },
  { type: 'set-trust', id: 9, tabId: 3, fingerprint: FP, trust: 'verified' },
  { type: 'site-enabled', id: 10, origin: 'https://chat.example.org' },
  { type: 'keys-list', id: 11 },
  { type: 'key-generate', id: 12, account: 'alice@net', protocol: 'irc' },
  { type: 'key-export', id: 13, passphrase: null },
  { type: 'key-export', id: 13, passphrase: 'correct horse' },
  { type: 'key-import', id: 14, text: '(privkeys)', encoding: 'text' },
  { type: 'key-import', id: 14, text: 'KHByaXZrZXlzKQ==', encoding: 'base64' },
  { type: 'key-import-preview', id: 14, text: '(privkeys)', encoding: 'text' },
  { type: 'fingerprints-list', id: 15 },
  {
    type: 'fingerprint-trust',
    id: 16,
    account: 'a',
    protocol: 'irc',
    buddy: 'bob',
    fingerprint: FP.replace(/ /g, ''),
    trust: '',
  },
  { type: 'fingerprint-forget', id: 17, account: 'a', protocol: 'irc', buddy: 'bob', fingerprint: FP },
  { type: 'fingerprints-export', id: 18 },
  { type: 'fingerprints-import', id: 19, text: 'bob\ta\tirc\t00\t' },
  { type: 'sites-list', id: 20 },
  { type: 'site-policy', id: 21, origin: 'http://127.0.0.1:8080', policy: 'opportunistic' },
  { type: 'site-remove', id: 22, origin: 'http://127.0.0.1:8080' },
  { type: 'site-max-length', id: 23, origin: 'http://127.0.0.1:8080', maxMessageLength: 1500 },
  { type: 'site-max-length', id: 24, origin: 'http://127.0.0.1:8080', maxMessageLength: null },
  { type: 'site-pacing', id: 25, origin: 'http://127.0.0.1:8080', pacing: { burst: 4, intervalMs: 1100 } },
  { type: 'site-pacing', id: 26, origin: 'http://127.0.0.1:8080', pacing: null },
  { type: 'retry-send-tab', id: 27, tabId: 3, entryId: 'out-1' },
  { type: 'buddy-policies', id: 28 },
  { type: 'buddy-policy', id: 29, account: 'alice', protocol: 'prpl-irc', buddy: 'bob', policy: 'never' },
  { type: 'buddy-policy', id: 29, account: 'alice', protocol: 'prpl-irc', buddy: 'bob', policy: 'default' },
  { type: 'lock-state', id: 30 },
  { type: 'lock-set', id: 31, passphrase: 'correct horse' },
  { type: 'lock-unlock', id: 32, passphrase: 'correct horse' },
  { type: 'lock-now', id: 33 },
  { type: 'lock-change', id: 34, oldPassphrase: 'correct horse', newPassphrase: 'battery staple' },
  { type: 'lock-remove', id: 35, passphrase: 'correct horse' },
  { type: 'lock-auto', id: 36, autoLockSeconds: 900 },
  { type: 'lock-offer-dismiss', id: 37 },
  { type: 'panic-wipe', id: 38 },
];

describe('requests of api.md', () => {
  it.each(content)('content accepts $type', (m) => {
    expect(validateContentRequest(m)).toEqual(m);
    expect(validatePanelRequest(m)).toBeNull();
    expect(validatePageRequest(m)).toBeNull();
  });
  it.each(panel)('panel accepts $type', (m) => {
    expect(validatePanelRequest(m)).toEqual(m);
    expect(validateContentRequest(m)).toBeNull();
    expect(validatePageRequest(m)).toBeNull();
  });
  it.each(panelBound)('panel accepts $type only bound to a conversation, the popup the same without', (m) => {
    expect(validatePanelRequest(m)).toEqual(m);
    const { conv: _c, ...unbound } = m;
    // Chat-switch safety never rests on the panel remembering to name the conversation.
    expect(validatePanelRequest(unbound)).toBeNull();
    expect(validatePageRequest(unbound)).toEqual(unbound);
    expect(validatePageRequest(m)).toBeNull();
    expect(validatePanelRequest({ ...m, conv: '' })).toBeNull();
    expect(validatePanelRequest({ ...m, conv: 'c'.repeat(LIMITS.conv + 1) })).toBeNull();
  });
  it.each(
    page.filter(
      (m) =>
        !['status', 'go-private', 'refresh-private', 'end-private'].includes(m.type) &&
        !m.type.startsWith('smp-') &&
        m.type !== 'set-trust' &&
        m.type !== 'retry-send-tab' &&
        // The panel asks for the passphrase and locks (issue 18); changing, removing, wiping stay in popup/options.
        !['lock-state', 'lock-unlock', 'lock-now'].includes(m.type),
    ),
  )('panel may not send the popup/options request $type', (m) => {
    expect(validatePanelRequest(m)).toBeNull();
  });
  it.each(page)('page accepts $type', (m) => {
    expect(validatePageRequest(m)).toEqual(m);
    expect(validateContentRequest(m)).toBeNull();
  });
  it('the panel may ask for the lock state, unlock and lock; nothing else of the lock', () => {
    for (const m of [
      { type: 'lock-state', id: 1 },
      { type: 'lock-unlock', id: 2, passphrase: 'correct horse' },
      { type: 'lock-now', id: 3 },
    ])
      expect(validatePanelRequest(m)).toEqual(m);
    expect(validatePanelRequest({ type: 'lock-unlock', id: 2, passphrase: '' })).toBeNull();
    expect(
      validatePanelRequest({ type: 'lock-change', id: 4, oldPassphrase: 'a', newPassphrase: 'b' }),
    ).toBeNull();
    expect(validatePanelRequest({ type: 'panic-wipe', id: 5 })).toBeNull();
  });
  it('the one content one-shot message: open-panel, nothing more', () => {
    expect(validateContentOneShot({ type: 'open-panel' })).toEqual({ type: 'open-panel' });
    expect(validateContentOneShot({ type: 'open-panel', tabId: 3 })).toBeNull();
    expect(validateContentOneShot({ type: 'go-private' })).toBeNull();
    expect(validateContentOneShot('open-panel')).toBeNull();
  });

  it('refuses every request with an extra key or any key missing', () => {
    for (const [validate, list] of [
      [validateContentRequest, content],
      [validatePanelRequest, panel],
      [validatePageRequest, page],
    ] as const) {
      for (const m of list) {
        expect(validate({ ...m, tabId: 99, extra: 1 })).toBeNull();
        for (const k of Object.keys(m)) {
          const copy: Record<string, unknown> = { ...m };
          delete copy[k];
          expect(validate(copy), `${m.type} without ${k}`).toBeNull();
        }
      }
    }
  });

  it.each([
    ['a content script naming a tab', { type: 'wire-sent', id: 1, seq: 1, tabId: 4 }],
    ['a content script asking for keys', { type: 'key-export', id: 1 }],
    ['a content script asking for the transcript', { type: 'panel-hello', id: 1, tabId: 3 }],
    ['a negative seq', { type: 'wire-sent', id: 1, seq: -1 }],
    ['an unknown kind', { type: 'conversation', ...content[1], kind: 'muc' }],
    ['a control character in the account', { ...content[1], account: 'a\nb' }],
    ['an empty account', { ...content[1], account: '' }],
    ['an overlong peer', { ...content[1], peer: 'p'.repeat(LIMITS.peer + 1) }],
    // Too short to fragment into: the engine would fail after changing its state.
    ['a line limit too small to fragment into', { ...content[1], maxMessageSize: 37 }],
    [
      'too many chat rows',
      {
        type: 'chat-messages',
        id: 1,
        history: false,
        messages: Array.from({ length: LIMITS.chatBatch + 1 }, (_, i) => ({
          id: `m${i}`,
          from: 'b',
          text: 't',
          own: false,
        })),
      },
    ],
    [
      'a row with an extra key',
      { ...content[3], messages: [{ id: 'x', from: 'b', text: 't', own: false, html: 1 }] },
    ],
    [
      'an overlong row',
      {
        ...content[3],
        messages: [{ id: 'x', from: 'b', text: 't'.repeat(LIMITS.chatText + 1), own: false }],
      },
    ],
  ])('content refuses %s', (_why, m) => {
    expect(validateContentRequest(m)).toBeNull();
  });

  it.each([
    ['an empty compose', { type: 'panel-send', id: 1, tabId: 3, conv: CONV, text: '' }],
    [
      'an overlong compose',
      { type: 'panel-send', id: 1, tabId: 3, conv: CONV, text: 'x'.repeat(LIMITS.composeText + 1) },
    ],
    ['a send bound to no conversation', { type: 'panel-send', id: 1, tabId: 3, text: 'x' }],
    ['a send without a tab', { type: 'panel-send', id: 1, conv: CONV, text: 'x' }],
    ['a hello for no tab', { type: 'panel-hello', id: 1, tabId: null }],
  ])('panel refuses %s', (_why, m) => {
    expect(validatePanelRequest(m)).toBeNull();
  });

  it.each([
    ['smp trust from the page', { type: 'set-trust', id: 1, tabId: 1, fingerprint: FP, trust: 'smp' }],
    ['a short fingerprint', { type: 'set-trust', id: 1, tabId: 1, fingerprint: 'abcd', trust: '' }],
    [
      'a non-hex fingerprint',
      { type: 'set-trust', id: 1, tabId: 1, fingerprint: FP.replace('A', 'Z'), trust: '' },
    ],
    ['an origin with a path', { type: 'site-remove', id: 1, origin: 'https://a.example/x' }],
    ['a non-web origin', { type: 'site-remove', id: 1, origin: 'chrome-extension://abc' }],
    ['an unknown policy', { type: 'site-policy', id: 1, origin: 'https://a.example', policy: 'yolo' }],
    ['an empty secret', { type: 'smp-answer', id: 1, tabId: 1, secret: '' }],
    ['a tab-less go-private', { type: 'go-private', id: 1, tabId: null }],
    [
      'an overlong key file',
      { type: 'key-import', id: 1, text: 'x'.repeat(LIMITS.keyFile + 1), encoding: 'text' },
    ],
    ['a key file without its encoding', { type: 'key-import', id: 1, text: '(privkeys)' }],
    [
      'a key file in an unknown encoding',
      { type: 'key-import', id: 1, text: '(privkeys)', encoding: 'latin1' },
    ],
  ])('page refuses %s', (_why, m) => {
    expect(validatePageRequest(m)).toBeNull();
  });

  it('never throws, whatever arrives', () => {
    fc.assert(
      fc.property(fc.anything(), (x) => {
        validateContentRequest(x);
        validatePanelRequest(x);
        validateContentOneShot(x);
        validatePageRequest(x);
        validatePush(x);
        for (const v of Object.values(RESULT_VALIDATORS)) v(x);
      }),
    );
  });
});

describe('results', () => {
  it('conversation statuses, with and without an SMP question', () => {
    expect(RESULT_VALIDATORS['go-private']({ status })).toEqual({ status });
    const idle = { ...status, smp: { state: 'expect1' } };
    expect(RESULT_VALIDATORS['smp-abort']({ status: idle })).toEqual({ status: idle });
    expect(
      RESULT_VALIDATORS['smp-abort']({ status: { ...idle, smp: { state: 'expect1', question: undefined } } }),
    ).toBeNull();
    expect(RESULT_VALIDATORS['go-private']({ status: { ...status, state: 'private' } })).toBeNull();
    expect(RESULT_VALIDATORS['go-private']({ status: { ...status, secret: 'x' } })).toBeNull();
  });

  it('panel-hello carries the transcript with its notices; content replies carry none', () => {
    const transcript = [
      { id: 'in-1', dir: 'in', text: 'hello', at: 1, encrypted: true },
      { id: 'out-1', dir: 'out', text: 'hi', at: 2, encrypted: true, status: 'held' },
      { id: 'n-1', dir: 'notice', text: 'colour?', at: 3, encrypted: false, notice: 'smp-asked' },
    ];
    const conversation = {
      account: 'alice',
      protocol: 'minichat',
      peer: 'bob',
      kind: 'one-to-one',
      reason: null,
      maxMessageSize: 0,
    };
    const hello = { tabId: 3, site: 'http://127.0.0.1:8000', conv: CONV, conversation, status, transcript };
    expect(RESULT_VALIDATORS['panel-hello'](hello)).toEqual(hello);
    const none = { tabId: 3, site: null, conv: null, conversation: null, status: null, transcript: [] };
    expect(RESULT_VALIDATORS['panel-hello'](none)).toEqual(none);
    expect(
      RESULT_VALIDATORS['panel-hello']({
        ...hello,
        transcript: [{ ...transcript[2], notice: 'something-else' }],
      }),
    ).toBeNull();
    expect(RESULT_VALIDATORS['panel-hello']({ ...hello, site: 'javascript:alert(1)' })).toBeNull();
    expect(RESULT_VALIDATORS.conversation({ privateMode: true, pacing: null })).toEqual({
      privateMode: true,
      pacing: null,
    });
    const pacing = { burst: 4, intervalMs: 1100 };
    expect(RESULT_VALIDATORS.conversation({ privateMode: false, pacing })).toEqual({
      privateMode: false,
      pacing,
    });
    expect(RESULT_VALIDATORS.conversation({ privateMode: true })).toBeNull();
    // The content script never gets the conversation's status (the SMP question, trust, fingerprints).
    expect(RESULT_VALIDATORS.conversation({ privateMode: true, status, pacing: null })).toBeNull();
    expect(
      RESULT_VALIDATORS.conversation({ privateMode: true, pacing: { burst: 0, intervalMs: 5 } }),
    ).toBeNull();
    const sending = {
      id: 'out-2',
      dir: 'out',
      text: 'x',
      at: 3,
      encrypted: true,
      status: 'sending',
      progress: { done: 2, total: 8 },
    };
    expect(RESULT_VALIDATORS['panel-hello']({ ...hello, transcript: [sending] })).toEqual({
      ...hello,
      transcript: [sending],
    });
    expect(
      RESULT_VALIDATORS['panel-hello']({ ...hello, transcript: [{ ...sending, status: 'lost' }] }),
    ).toBeNull();
    expect(
      RESULT_VALIDATORS['panel-hello']({
        ...hello,
        transcript: [{ ...sending, progress: { done: -1, total: 8 } }],
      }),
    ).toBeNull();
    expect(
      RESULT_VALIDATORS['panel-send']({ status: { ...status, siteError: 'net: Disconnected' } }),
    ).not.toBeNull();
    expect(RESULT_VALIDATORS['panel-send']({ status: { ...status, siteError: 5 } })).toBeNull();
    expect(RESULT_VALIDATORS['wire-failed']({ dropped: [3, 4] })).toEqual({ dropped: [3, 4] });
    expect(RESULT_VALIDATORS['wire-failed']({ dropped: [-1] })).toBeNull();
    expect(RESULT_VALIDATORS['chat-messages']({})).toEqual({});
    expect(RESULT_VALIDATORS['chat-messages']({ transcript })).toBeNull();
  });

  it('options lists', () => {
    const keys = [{ account: 'a', protocol: 'irc', fingerprint: FP, created: 5 }];
    expect(RESULT_VALIDATORS['keys-list'](keys)).toEqual(keys);
    const fps = [{ account: 'a', protocol: 'irc', buddy: 'b', fingerprint: FP, trust: 'smp', lastSeen: 1 }];
    expect(RESULT_VALIDATORS['fingerprints-list'](fps)).toEqual(fps);
    expect(RESULT_VALIDATORS['fingerprints-list']([{ ...fps[0], trust: 'maybe' }])).toBeNull();
    const sites = [
      { origin: 'http://127.0.0.1:8080', policy: 'manual', maxMessageLength: null, pacing: null },
      {
        origin: 'http://127.0.0.1:8081',
        policy: 'always',
        maxMessageLength: 5000,
        pacing: { burst: 3, intervalMs: 1500 },
      },
    ];
    expect(RESULT_VALIDATORS['sites-list'](sites)).toEqual(sites);
    expect(
      RESULT_VALIDATORS['sites-list']([{ origin: 'http://127.0.0.1:8080', policy: 'manual' }]),
    ).toBeNull();
    expect(RESULT_VALIDATORS['sites-list']([{ ...sites[1], maxMessageLength: 50 }])).toBeNull();
    expect(
      RESULT_VALIDATORS['sites-list']([{ ...sites[1], pacing: { burst: 101, intervalMs: 0 } }]),
    ).toBeNull();
    expect(
      RESULT_VALIDATORS['sites-list']([{ ...sites[1], pacing: { burst: 2, intervalMs: 60_001 } }]),
    ).toBeNull();
    expect(RESULT_VALIDATORS['key-import']({ imported: 2 })).toEqual({ imported: 2 });
    const exported = { text: '(privkeys)', file: 'KHByaXZrZXlzKQ==' };
    expect(RESULT_VALIDATORS['key-export'](exported)).toEqual(exported);
    expect(RESULT_VALIDATORS['key-export']({ text: '(privkeys)' })).toBeNull();
  });
});

describe('pushes', () => {
  it.each([
    { type: 'send-wire', lines: [{ seq: 1, wire: '?OTR:AAMC...' }] },
    { type: 'private-mode', on: true, reason: null },
    { type: 'private-mode', on: false, reason: 'group chat' },
    { type: 'start-picker' },
    {
      type: 'transcript',
      tabId: 4,
      conv: CONV,
      entries: [{ id: 'in-1', dir: 'in', text: 'x', at: 1, encrypted: true }],
    },
    { type: 'panel-switch', tabId: 4 },
    { type: 'status', status },
    { type: 'status', status, tabId: 4 },
    { type: 'keygen', account: 'a', protocol: 'irc', fraction: 0.5 },
    { type: 'smp-request', tabId: 4, question: null },
  ])('accepts $type', (event) => {
    expect(validatePush({ type: 'push', event })).toEqual(event);
  });

  it.each([
    ['not a push', { type: 'reply', event: { type: 'start-picker' } }],
    ['an extra key', { type: 'push', event: { type: 'start-picker' }, x: 1 }],
    ['an extra event key', { type: 'push', event: { type: 'start-picker', x: 1 } }],
    ['an empty wire line', { type: 'push', event: { type: 'send-wire', lines: [{ seq: 1, wire: '' }] } }],
    [
      'a fraction over 1',
      { type: 'push', event: { type: 'keygen', account: 'a', protocol: 'p', fraction: 2 } },
    ],
    ['an unknown event', { type: 'push', event: { type: 'eval', code: '1' } }],
    [
      'a transcript not naming its conversation',
      { type: 'push', event: { type: 'transcript', tabId: 4, entries: [] } },
    ],
    ['an inherited type', { type: 'push', event: { type: 'toString' } }],
  ])('refuses %s', (_why, m) => {
    expect(validatePush(m)).toBeNull();
  });
});
