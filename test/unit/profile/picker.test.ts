/** The picker's derive-a-profile logic on three structurally different saved chat pages. */

import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkProfile,
  deriveProfile,
  orderAttributeOf,
  PickError,
  readRow,
} from '../../../content-scripts/picker/derive.js';
import { parseProfile, serializeProfile } from '../../../src/profile/profile.js';
import { closeWindows, loadPage, windows } from './load.js';
import { q, virtualChat } from './virtual-chat.js';

afterEach(closeWindows);

function rowsOf(doc: Document, profile: ReturnType<typeof deriveProfile>) {
  const list = doc.querySelector(profile.selectors.list);
  return Array.from(list?.children ?? [])
    .map((r) => readRow(r, profile))
    .filter((r) => r !== null);
}

describe('picker: derive a profile from three picks', () => {
  it('the virtualized fixture page (contenteditable, recycled rows)', () => {
    const { doc, profile } = virtualChat();
    expect(profile.own).toEqual({ match: 'row', selector: '.out' });
    expect(profile.senderAttribute).toBe('data-author');
    expect(profile.selectors.text).toBe('p.body');
    expect(doc.querySelector(profile.selectors.compose)).toBe(q(doc, '.editor'));
    expect(rowsOf(doc, profile)).toEqual([
      { text: 'hi alice', from: 'bob', own: false },
      { text: 'hello bob', from: 'alice', own: true },
      { text: 'how are you?', from: 'bob', own: false },
      { text: 'fine, thanks', from: 'alice', own: true },
    ]);
    expect(checkProfile(doc, profile)).toEqual({ ok: true, problems: [], rows: 4 });
    // The rows' data-index (the message's place in the chat, 0..3) is their order.
    expect(profile.orderAttribute).toBe('data-index');
    // The profile survives export and import.
    expect(parseProfile(serializeProfile(profile))).toEqual(profile);
  });

  it('Converse.js (own-ness from a descendant class)', () => {
    const doc = loadPage('dom/converse/chat-alice.html');
    const profile = deriveProfile(
      doc,
      {
        compose: q(doc, 'textarea.chat-textarea'),
        buddyMessage: q(doc, 'converse-chat-message-body', 1),
        ownMessage: q(doc, 'converse-chat-message-body', 0),
      },
      'http://127.0.0.1:9000',
    );
    expect(profile.own.match).toBe('descendant');
    // No sender attribute on Converse's rows: the sender is read from the author element.
    expect(profile.senderAttribute).toBeUndefined();
    expect(profile.selectors.sender).toBe('span.chat-msg__author');
    // Converse's rows carry ids (UUIDs, stanza ids), nothing that grows: no order.
    expect(profile.orderAttribute).toBeUndefined();
    expect(rowsOf(doc, profile).map((r) => r.from)).toEqual(['alice@localhost', 'bob@localhost', null]);
    expect(rowsOf(doc, profile).map((r) => [r.text, r.own])).toEqual([
      ['Hallo Bob ✓ <b>not bold</b> https://example.org/x', true],
      ['?OTRv23? *styled* _text_', false],
      ['second line from bob', false],
    ]);
    expect(checkProfile(doc, profile).ok).toBe(true);
  });

  it('The Lounge (own-ness from the row class, sender from data-from)', () => {
    const doc = loadPage('dom/thelounge/query.html');
    const own = doc.querySelector('.msg[data-type="message"].self .content');
    const buddy = doc.querySelector('.msg[data-type="message"]:not(.self) .content');
    if (!own || !buddy) throw new Error('snapshot lacks messages');
    const profile = deriveProfile(
      doc,
      { compose: q(doc, 'textarea#input'), buddyMessage: buddy, ownMessage: own },
      'http://127.0.0.1:9000',
    );
    expect(profile.own).toEqual({ match: 'row', selector: '.self' });
    expect(profile.senderAttribute).toBe('data-from');
    // The Lounge numbers its rows id="msg-N" in the server's order.
    expect(profile.orderAttribute).toBe('id');
    const rows = rowsOf(doc, profile);
    expect(rows.some((r) => r.own)).toBe(true);
    expect(rows.some((r) => !r.own)).toBe(true);
  });

  it('a page without sender attributes: the sender element is found (not the time, not the text)', () => {
    const window = new Window({ url: 'http://127.0.0.1:9000/' });
    windows.push(window);
    const doc = window.document as unknown as Document;
    const row = (cls: string, who: string, time: string, text: string) =>
      `<div class="line ${cls}"><span class="stamp">${time}</span><b class="nick">${who}</b><p class="txt">${text}</p></div>`;
    doc.body.innerHTML = `<main><div class="log">${[
      row('theirs', 'bob', '12:01', 'hi'),
      row('mine', 'alice', '12:02', 'hello'),
      row('theirs', 'bob', '12:03', 'how are you'),
    ].join('')}</div><textarea class="say"></textarea></main>`; // test page setup only
    const profile = deriveProfile(
      doc,
      { compose: q(doc, 'textarea'), buddyMessage: q(doc, '.theirs .txt'), ownMessage: q(doc, '.mine .txt') },
      'http://127.0.0.1:9000',
    );
    expect(profile.senderAttribute).toBeUndefined();
    expect(profile.selectors.sender).toBe('b.nick');
    expect(rowsOf(doc, profile)).toEqual([
      { text: 'hi', from: 'bob', own: false },
      { text: 'hello', from: 'alice', own: true },
      { text: 'how are you', from: 'bob', own: false },
    ]);
  });

  it("takes a number that grows down the list as the rows' order, and nothing else", () => {
    const window = new Window({ url: 'http://127.0.0.1:9000/' });
    windows.push(window);
    const doc = window.document as unknown as Document;
    /** Rows with these attributes each (test page setup only). */
    const rowsWith = (attrs: Record<string, string>[]) => {
      doc.body.innerHTML = `<ol>${attrs
        .map(
          (a) =>
            `<li ${Object.entries(a)
              .map(([k, v]) => `${k}="${v}"`)
              .join(' ')}>x</li>`,
        )
        .join('')}</ol>`;
      return Array.from(doc.querySelectorAll('li'));
    };
    // A virtualized list (react-virtuoso's rows): the site's own id beats the position on screen,
    // and the measured size, which happens to grow here, is never an order.
    const virtuoso = rowsWith(
      [0, 1, 2, 3].map((i) => ({
        'data-index': String(250 + i),
        'data-known-size': String(40 + i),
        'data-id': `msg-${1043 + i * 2}`,
      })),
    );
    expect(orderAttributeOf(virtuoso)).toBe('data-id');
    expect(orderAttributeOf(virtuoso, ['data-id'])).toBe('data-index');
    // Times with a date: two in one minute still grow (never fall).
    const times = ['2026-12-07T16:20', '2026-12-07T16:20', '2026-12-07T16:21', '2026-12-07T17:02'];
    expect(orderAttributeOf(rowsWith(times.map((t) => ({ 'data-time': t }))))).toBe('data-time');
    // Not an order: a value that falls (a late row above), one missing, words, one value for all,
    // times of day alone, and too few rows to tell.
    for (const values of [
      ['5', '6', '4', '7'],
      ['msg-1', 'msg-2', '', 'msg-4'],
      ['a', 'b', 'c', 'd'],
      ['7', '7', '7', '7'],
      ['12:01', '12:02', '12:03', '12:04'],
      ['1', '2'],
    ])
      expect(orderAttributeOf(rowsWith(values.map((v) => ({ 'data-n': v })))), values.join()).toBeNull();
  });

  it('refuses picks that make no sense, and reports a profile that stopped matching', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const body = q(doc, '.bubble.in p.body');
    expect(() =>
      deriveProfile(
        doc,
        { compose: q(doc, 'h1'), buddyMessage: body, ownMessage: q(doc, '.bubble.out p.body') },
        'http://127.0.0.1:9000',
      ),
    ).toThrow(/text field/);
    expect(() =>
      deriveProfile(
        doc,
        { compose: q(doc, '.editor'), buddyMessage: body, ownMessage: body },
        'http://127.0.0.1:9000',
      ),
    ).toThrow(PickError);
    expect(() =>
      deriveProfile(
        doc,
        {
          compose: q(doc, '.editor'),
          buddyMessage: q(doc, '.bubble.in p.body'),
          ownMessage: q(doc, '.bubble.in p.body', 1),
        },
        'http://127.0.0.1:9000',
      ),
    ).toThrow(/look the same/);
    const profile = deriveProfile(
      doc,
      { compose: q(doc, '.editor'), buddyMessage: body, ownMessage: q(doc, '.bubble.out p.body') },
      'http://127.0.0.1:9000',
    );
    q(doc, '.editor').remove();
    const check = checkProfile(doc, profile);
    expect(check.ok).toBe(false);
    expect(check.problems[0]).toMatch(/message box: 0 matches/);
  });
});
