/**
 * Adapter for minichat, the tiny chat page the e2e tests serve from 127.0.0.1
 * (test/fixtures/minichat/server.ts). One selector object, small pure functions; everything read
 * from the page is bounded and read with textContent only (I3).
 */

import type { AdapterMessage, SiteAdapter } from './index';

export const selectors = {
  appMarker: 'meta[name="application-name"][content="offrecord-minichat"]',
  me: '#me',
  peer: '#peer',
  composeBox: 'textarea#compose',
  sendButton: 'button#send',
  messageList: 'ul#messages',
  messageRow: 'li.msg[data-id][data-from]',
} as const;

const MAX_NAME = 64;
const MAX_TEXT = 100_000;
const NAME = /^[A-Za-z0-9_.@-]+$/;
const ID = /^m[0-9]{1,12}$/;

function name(v: string | null | undefined): string | null {
  const s = v?.trim();
  return s && s.length <= MAX_NAME && NAME.test(s) ? s : null;
}

function me(doc: Document): string | null {
  return name(doc.querySelector(selectors.me)?.textContent);
}

export const minichat: SiteAdapter = {
  name: 'minichat',
  protocol: 'minichat',
  maxMessageLength: 400,
  detect: (doc) => doc.querySelector(selectors.appMarker) !== null,
  account: (doc) => me(doc),
  conversation(doc) {
    const peer = name(doc.querySelector(selectors.peer)?.textContent);
    return peer ? { kind: 'one-to-one', peer, reason: null } : { kind: 'none', peer: null, reason: null };
  },
  composeBox: (doc) => doc.querySelector(selectors.composeBox),
  messageList: (doc) => doc.querySelector(selectors.messageList),
  messageRows: (doc) => Array.from(doc.querySelectorAll(selectors.messageRow)),
  isRow: (el) => el.matches(selectors.messageRow),
  readMessage(row): AdapterMessage | null {
    if (!row.matches(selectors.messageRow)) return null;
    const id = row.getAttribute('data-id') ?? '';
    const from = name(row.getAttribute('data-from'));
    const text = row.textContent ?? '';
    if (!ID.test(id) || !from || text.length > MAX_TEXT) return null;
    const self = me(row.ownerDocument);
    return { id, from, text, own: from === self };
  },
  send(doc, text) {
    if (/[\r\n\0]/.test(text) || text.length === 0) throw new Error('minichat: one non-empty line only');
    if (text.length > minichat.maxMessageLength) throw new Error('minichat: line over the limit');
    const box = doc.querySelector(selectors.composeBox) as HTMLTextAreaElement | null;
    const button = doc.querySelector(selectors.sendButton) as HTMLButtonElement | null;
    if (!box || !button) throw new Error('minichat: compose box not found');
    const draft = box.value;
    box.value = text;
    button.click();
    const taken = box.value === '';
    if (draft !== '') box.value = draft;
    return taken;
  },
};
