/**
 * The The Lounge adapter on real page snapshots (test/fixtures/dom/thelounge/, captured from
 * The Lounge 4.5.2 by capture.ts there), parsed with happy-dom. The same functions are checked
 * in the live page by test/e2e/lounge-testbed.test.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  composeBox,
  conversation,
  detect,
  maxMessageLength,
  messageList,
  messageRows,
  ownIdentity,
  readMessage,
  send,
} from '../../../content-scripts/sites/thelounge.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/dom/thelounge');
const windows: Window[] = [];

function load(name: 'signin' | 'lobby' | 'channel' | 'query'): Document {
  const window = new Window({ url: 'http://127.0.0.1:9000/' });
  windows.push(window);
  const html = readFileSync(join(fixtures, `${name}.html`), 'utf8');
  const parsed = new window.DOMParser().parseFromString(html, 'text/html');
  // Move the parsed tree into the window's own document so events and forms behave as in a page.
  const doc = window.document;
  const imported = doc.importNode(parsed.documentElement, true);
  doc.documentElement.remove();
  doc.appendChild(imported);
  return doc as unknown as Document;
}

afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

/** Plays The Lounge's part of the compose form: keeps the draft on `input`, sends and clears on submit. */
function emulateLounge(doc: Document, opts: { connected: boolean }) {
  const box = doc.querySelector('#input') as HTMLTextAreaElement;
  const form = doc.querySelector('#form') as HTMLFormElement;
  const state = { pending: box.value, sent: [] as string[], inputEvents: 0 };
  box.addEventListener('input', (e) => {
    state.inputEvents += 1;
    state.pending = (e.target as HTMLTextAreaElement).value;
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!opts.connected || state.pending.length === 0) return;
    state.sent.push(state.pending);
    state.pending = '';
    box.value = '';
  });
  return state;
}

describe('The Lounge adapter on saved pages', () => {
  it('detects The Lounge, signed in or not, and nothing else', () => {
    expect(detect(load('signin'))).toBe(true);
    expect(detect(load('query'))).toBe(true);
    const other = load('query');
    other.querySelector('meta[name="application-name"]')?.remove();
    expect(detect(other)).toBe(false);
  });

  it('tells a query (with the buddy) from a channel, a lobby and the sign-in page', () => {
    expect(conversation(load('query'))).toEqual({ kind: 'query', peer: 'carol' });
    expect(conversation(load('channel'))).toEqual({ kind: 'channel' });
    expect(conversation(load('lobby'))).toEqual({ kind: 'lobby' });
    expect(conversation(load('signin'))).toEqual({ kind: 'none' });
  });

  it('refuses a query whose name is not a plausible nick (untrusted page data)', () => {
    const doc = load('query');
    const view = doc.querySelector('#chat > .chat-view')!;
    view.setAttribute('aria-label', 'carol <script>');
    expect(conversation(doc)).toEqual({ kind: 'none' });
    view.setAttribute('aria-label', 'c'.repeat(65));
    expect(conversation(doc)).toEqual({ kind: 'none' });
  });

  it('reads own nick and the network of the open chat', () => {
    for (const page of ['query', 'channel', 'lobby'] as const) {
      expect(ownIdentity(load(page))).toEqual({ account: 'alice', network: 'ngircd' });
    }
    expect(ownIdentity(load('signin'))).toBeNull();
  });

  it('reads the query rows: id, sender, text, own-ness, in order', () => {
    const doc = load('query');
    expect(messageList(doc)?.getAttribute('role')).toBe('log');
    const messages = messageRows(doc).map(readMessage);
    expect(messages).toEqual([
      { id: 'msg-18', from: 'carol', text: 'hi alice, this is carol', own: false, order: 18 },
      {
        id: 'msg-19',
        from: 'carol',
        text: '?OTR:AAMCAAAAAQAAAAEAAADAVf3Ei72ZgFeKqWvLMnuVPLCTOFgjRP4EAFNW.',
        own: false,
        order: 19,
      },
      { id: 'msg-21', from: 'alice', text: 'hello carol ✓ with a mention of carol', own: true, order: 21 },
      {
        id: 'msg-22',
        from: 'alice',
        text: '?OTR|5a73a599|27e31597,00001,00002,AAMDJ+MVmSfjFZcAAAAAAQAAAAIAAADA,',
        own: true,
        order: 22,
      },
    ]);
  });

  it('reads channel messages (links as text) but not joins; lobby server lines are not messages', () => {
    const channel = load('channel');
    const messages = messageRows(channel).map(readMessage);
    expect(messages.map((m) => m?.text)).toEqual([
      'hello channel, see https://example.org/x',
      'hi carol, alice here in the channel',
    ]);
    expect(channel.querySelectorAll('.msg[data-type="join"]').length).toBeGreaterThan(0);
    const lobby = load('lobby');
    expect(messageRows(lobby).length).toBeGreaterThan(0);
    expect(
      messageRows(lobby)
        .map(readMessage)
        .every((m) => m === null),
    ).toBe(true);
  });

  it('tells own rows by the class "self" among the row\'s classes, not a class merely containing it', () => {
    const [row] = messageRows(load('query'));
    for (const [cls, own] of [
      ['msg self', true],
      ['self msg', true],
      ['msg\tself', true],
      ['msg  self  highlight', true],
      ['msg', false],
      ['msg selfish', false],
      ['msg not-self', false],
      ['msg myself self-x', false],
      ['msg myself self', true],
    ] as const) {
      row!.className = cls;
      expect(readMessage(row!)?.own, cls).toBe(own);
    }
  });

  it('rejects malformed rows: bad id, bad sender, not a message, oversized text', () => {
    const doc = load('query');
    const [first] = messageRows(doc);
    const row = first!;
    expect(readMessage(row)).not.toBeNull();
    for (const id of [
      'msg-x',
      'msg-',
      'msg-1a',
      'msg-1 ',
      'MSG-1',
      'xmsg-1',
      'msg--1',
      'msg-1234567890123456',
      '',
    ]) {
      row.id = id;
      expect(readMessage(row), id).toBeNull();
    }
    row.id = 'msg-123456789012345';
    expect(readMessage(row)?.order).toBe(123456789012345);
    row.id = 'msg-0';
    expect(readMessage(row)?.order).toBe(0);
    row.id = 'msg-18';
    row.setAttribute('data-from', 'two words');
    expect(readMessage(row)).toBeNull();
    row.setAttribute('data-from', 'carol');
    row.querySelector('.content')!.textContent = 'y'.repeat(100_001);
    expect(readMessage(row)).toBeNull();
    row.setAttribute('data-type', 'notice');
    expect(readMessage(row)).toBeNull();
  });

  it('finds the compose box only where there is one', () => {
    expect(composeBox(load('query'))?.id).toBe('input');
    expect(composeBox(load('signin'))).toBeNull();
  });

  it('send(): sets the value with an input event, submits the form, puts the draft back', () => {
    const doc = load('query');
    const lounge = emulateLounge(doc, { connected: true });
    expect(send(doc, '?OTRv3?')).toBe(true);
    expect(lounge.sent).toEqual(['?OTRv3?']);
    expect(composeBox(doc)?.value).toBe('');
    composeBox(doc)!.value = 'draft';
    composeBox(doc)!.dispatchEvent(new doc.defaultView!.Event('input', { bubbles: true }));
    expect(send(doc, '?OTR:AAMD.')).toBe(true);
    expect(lounge.sent).toEqual(['?OTRv3?', '?OTR:AAMD.']);
    expect(composeBox(doc)?.value).toBe('draft');
    expect(lounge.pending).toBe('draft');
  });

  it('send(): a leading "/" is escaped so The Lounge does not run it as a command', () => {
    const doc = load('query');
    const lounge = emulateLounge(doc, { connected: true });
    send(doc, '/quit now');
    expect(lounge.sent).toEqual(['//quit now']);
  });

  it('send(): returns false and restores the box when The Lounge does not take the line', () => {
    const doc = load('query');
    const lounge = emulateLounge(doc, { connected: false });
    expect(send(doc, '?OTR:AAMD.')).toBe(false);
    expect(lounge.sent).toEqual([]);
    expect(composeBox(doc)?.value).toBe('');
    expect(lounge.pending).toBe('');
  });

  it('send(): refuses what cannot go as one message, and pages without a compose box', () => {
    const doc = load('query');
    const lounge = emulateLounge(doc, { connected: true });
    expect(() => send(doc, 'a'.repeat(maxMessageLength + 1))).toThrow(/limit/);
    expect(() => send(doc, 'é'.repeat(maxMessageLength / 2 + 1))).toThrow(/limit/);
    expect(() => send(doc, 'two\nlines')).toThrow(/line breaks/);
    expect(() => send(doc, '')).toThrow(/empty/);
    expect(lounge.sent).toEqual([]);
    expect(send(doc, 'a'.repeat(maxMessageLength))).toBe(true);
    expect(() => send(load('signin'), 'hello')).toThrow(/compose box not found/);
  });

  it('uses the measured one-message limit of The Lounge + ngircd', () => {
    expect(maxMessageLength).toBe(350);
  });
});
