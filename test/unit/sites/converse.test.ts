/**
 * The Converse.js adapter on real page snapshots (test/fixtures/dom/converse/, captured from
 * Converse.js 14.0.0 + Prosody 0.12 by capture.ts there), parsed with happy-dom. The same functions
 * are checked in the live page by test/e2e/converse-testbed.test.ts.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';
import { afterEach, describe, expect, it } from 'vitest';
import {
  composeBox,
  conversation,
  converse,
  createConverseAdapter,
  DEFAULT_MAX_MESSAGE_LENGTH,
  detect,
  MEASURED_MAX_MESSAGE_LENGTH,
  messageList,
  messageRows,
  ownIdentity,
  readMessage,
  send,
  senderResource,
} from '../../../content-scripts/sites/converse.js';
import { validateContentRequest } from '../../../extension/shared/messages.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/dom/converse');
const windows: Window[] = [];

type Snapshot = 'signed-out' | 'chat-alice' | 'chat-bob' | 'groupchat-alice';

function load(name: Snapshot): Document {
  const window = new Window({ url: 'http://127.0.0.1:9000/' });
  windows.push(window);
  const html = readFileSync(join(fixtures, `${name}.html`), 'utf8');
  const parsed = new window.DOMParser().parseFromString(html, 'text/html');
  const doc = window.document;
  const imported = doc.importNode(parsed.documentElement, true);
  doc.documentElement.remove();
  doc.appendChild(imported);
  return doc as unknown as Document;
}

afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

describe('Converse adapter on saved pages', () => {
  it('detects Converse signed in and out, not other pages', () => {
    expect(detect(load('signed-out'))).toBe(true);
    expect(detect(load('chat-alice'))).toBe(true);
    const lounge = new Window();
    windows.push(lounge);
    lounge.document.body.innerHTML = '<div id="app"></div>';
    expect(detect(lounge.document as unknown as Document)).toBe(false);
  });

  it('reads the own bare JID; none when signed out', () => {
    expect(ownIdentity(load('chat-alice'))).toEqual({ jid: 'alice@localhost' });
    expect(ownIdentity(load('chat-bob'))).toEqual({ jid: 'bob@localhost' });
    expect(ownIdentity(load('signed-out'))).toBeNull();
  });

  it('one-to-one chat with the buddy; group chat refused with the reason; none when signed out', () => {
    expect(conversation(load('chat-alice'))).toEqual({ kind: 'chat', peer: 'bob@localhost' });
    expect(conversation(load('chat-bob'))).toEqual({ kind: 'chat', peer: 'alice@localhost' });
    const group = conversation(load('groupchat-alice'));
    expect(group.kind).toBe('groupchat');
    expect(group.peer).toBeUndefined();
    expect(group.reason).toMatch(/group chat/);
    expect(conversation(load('signed-out'))).toEqual({ kind: 'none' });
    expect(composeBox(load('groupchat-alice'))).toBeNull();
  });

  it('reads rows: ids, sender bare JID and resource, raw text, own-ness', () => {
    const doc = load('chat-alice');
    expect(messageList(doc)).not.toBeNull();
    const rows = messageRows(doc).map((r) => readMessage(r));
    expect(rows).toHaveLength(3);
    expect(rows.map((r) => [r?.from, r?.own, r?.text])).toEqual([
      ['alice@localhost', true, 'Hallo Bob ✓ <b>not bold</b> https://example.org/x'],
      ['bob@localhost', false, '?OTRv23? *styled* _text_'],
      ['bob@localhost', false, 'second line from bob'],
    ]);
    for (const r of rows) expect(r?.id).toMatch(/^[0-9a-f-]{36}$/);
    for (const row of messageRows(doc)) expect(senderResource(row)).toMatch(/^converse\.js-/);
    expect(senderResource(doc.body)).toBeNull();
    // The same messages seen from bob's side: same ids, opposite own-ness.
    const bobRows = messageRows(load('chat-bob')).map((r) => readMessage(r));
    expect(bobRows.map((r) => r?.id)).toEqual(rows.map((r) => r?.id));
    expect(bobRows.map((r) => r?.own)).toEqual([false, true, true]);
  });

  it("rows pass the background's chat-messages validator as the content script sends them", () => {
    // Regression: readMessage once returned an extra `resource` key; the background's validator
    // (exact keys) refused every batch, so no Converse message ever reached OTR.
    for (const name of ['chat-alice', 'chat-bob'] as const) {
      const messages = messageRows(load(name)).map((r) => {
        const m = readMessage(r);
        if (!m) throw new Error('unreadable row');
        return { ...m, from: m.from.slice(0, 256) };
      });
      expect(messages).toHaveLength(3);
      for (const m of messages) expect(Object.keys(m).sort()).toEqual(['from', 'id', 'own', 'text']);
      const req = validateContentRequest({ type: 'chat-messages', id: 1, messages, history: false });
      expect(req).not.toBeNull();
    }
  });

  it('refuses malformed rows', () => {
    const doc = load('chat-alice');
    const row = messageRows(doc)[0];
    if (!row) throw new Error('no row');
    const bad = (mutate: (el: Element) => void) => {
      const copy = row.cloneNode(true) as Element;
      mutate(copy);
      return readMessage(copy);
    };
    expect(bad((el) => el.setAttribute('data-from', 'not a jid'))).toBeNull();
    expect(bad((el) => el.setAttribute('data-msgid', ''))).toBeNull();
    expect(bad((el) => el.setAttribute('data-msgid', 'x'.repeat(500)))).toBeNull();
    expect(bad((el) => el.querySelector('converse-chat-message-body')?.remove())).toBeNull();
    expect(
      bad((el) => el.querySelector('converse-chat-message-body')?.setAttribute('text', 'y'.repeat(300_000))),
    ).toBeNull();
    expect(readMessage(doc.body)).toBeNull();
  });

  it('send(): value + Enter keydown; refuses what Converse would change or cannot carry', async () => {
    const doc = load('chat-alice');
    const box = composeBox(doc);
    if (!box) throw new Error('no compose box');
    const seen: string[] = [];
    // Converse's handler disables the box synchronously when it takes a line.
    box.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key === 'Enter') {
        seen.push(box.value);
        box.setAttribute('disabled', 'disabled');
      }
    });
    expect(send(doc, '?OTR:AAMD.')).toBe(true);
    expect(seen).toEqual(['?OTR:AAMD.']);
    expect(() => send(doc, '')).toThrow(/empty/);
    expect(() => send(doc, 'a\nb')).toThrow(/line breaks/);
    expect(() => send(doc, ' tagged ')).toThrow(/whitespace/);
    expect(() => send(doc, '/me waves')).toThrow(/command/);
    expect(() => send(doc, 'x'.repeat(DEFAULT_MAX_MESSAGE_LENGTH + 1))).toThrow(/over the/);
    // A box that stays disabled (busy) takes nothing, once the wait is over.
    await expect(createConverseAdapter({ busyWaitMs: 30 }).send(doc, 'again')).resolves.toBe(false);
    expect(seen).toEqual(['?OTR:AAMD.']);
    expect(() => send(load('signed-out'), 'hi')).toThrow(/compose box/);
  });

  it('send() waits for a busy box (Converse sending the line before) and then sends', async () => {
    const doc = load('chat-alice');
    const box = composeBox(doc);
    if (!box) throw new Error('no compose box');
    const seen: string[] = [];
    box.addEventListener('keydown', (ev) => {
      if ((ev as KeyboardEvent).key !== 'Enter') return;
      seen.push(box.value);
      box.setAttribute('disabled', 'disabled');
      // Converse empties and re-enables the box once the stanza went out.
      setTimeout(() => {
        box.value = '';
        box.removeAttribute('disabled');
      }, 20);
    });
    // Two OTR fragments back to back: the second waits for the first to go, instead of failing.
    expect(send(doc, '?OTR|1|2,1,2,abc,')).toBe(true);
    const second = send(doc, '?OTR|1|2,2,2,def,');
    expect(second).toBeInstanceOf(Promise);
    await expect(second).resolves.toBe(true);
    expect(seen).toEqual(['?OTR|1|2,1,2,abc,', '?OTR|1|2,2,2,def,']);
  });

  it('send() never types a waiting line into a chat the user switched to', async () => {
    const doc = load('chat-alice');
    const box = composeBox(doc);
    if (!box) throw new Error('no compose box');
    box.setAttribute('disabled', 'disabled');
    const pending = send(doc, '?OTR:for-bob.');
    // The user opens another chat: Converse renders another compose box in place of this one.
    const replacement = box.cloneNode(true) as HTMLTextAreaElement;
    replacement.removeAttribute('disabled');
    const typed: string[] = [];
    replacement.addEventListener('keydown', () => typed.push(replacement.value));
    box.replaceWith(replacement);
    box.removeAttribute('disabled');
    await expect(pending).resolves.toBe(false);
    expect(typed).toEqual([]);
    expect(replacement.value).toBe('');
  });

  it('send() puts back a draft when Converse does not take the line', () => {
    const doc = load('chat-alice');
    const box = composeBox(doc);
    if (!box) throw new Error('no compose box');
    box.value = 'my draft';
    expect(send(doc, '?OTR:AAMD.')).toBe(false);
    expect(box.value).toBe('my draft');
  });

  it('maxMessageLength is configurable within the measured limit', () => {
    expect(converse.maxMessageLength).toBe(DEFAULT_MAX_MESSAGE_LENGTH);
    const big = createConverseAdapter({ maxMessageLength: 60_000 });
    expect(big.maxMessageLength).toBe(60_000);
    const doc = load('chat-alice');
    const box = composeBox(doc);
    box?.addEventListener('keydown', () => box.setAttribute('disabled', ''));
    expect(big.send(doc, 'x'.repeat(20_000))).toBe(true);
    expect(() => createConverseAdapter({ maxMessageLength: MEASURED_MAX_MESSAGE_LENGTH + 1 })).toThrow();
    expect(() => createConverseAdapter({ maxMessageLength: 10.5 })).toThrow();
    expect(() => createConverseAdapter({ maxMessageLength: 0 })).toThrow();
    expect(() => createConverseAdapter({ busyWaitMs: -1 })).toThrow();
    expect(() => createConverseAdapter({ busyWaitMs: 1.5 })).toThrow();
  });
});
