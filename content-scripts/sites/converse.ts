/**
 * Site adapter for Converse.js 14 (web XMPP client, https://conversejs.org), fullscreen mode.
 *
 * DOM only: no extension API, no OTR. Every selector lives in `selectors`; every function is small
 * and pure over the document it is given. Everything read from the page is untrusted (I3):
 * bounded in length, read with textContent / attributes only.
 *
 * Checked against the real Converse.js 14.0.0 + Prosody 0.12 by test/e2e/converse-testbed.test.ts
 * (the adapter alone) and test/e2e/converse-private.test.ts (a whole private conversation through
 * the extension), and on saved snapshots (test/fixtures/dom/converse/) by
 * test/unit/sites/converse.test.ts.
 *
 * DOM facts (Converse 14, verified in the live page): only shown chats are rendered (a chat opened
 * by an incoming message stays hidden, i.e. absent, until the user opens it); in fullscreen mode
 * one chat is shown at a time, as `converse-chat[jid]` (one-to-one) or `converse-muc[jid]` (group);
 * own bare JID in the control box's `converse-user-profile .username`; rows
 * `converse-chat-message > .chat-msg[data-msgid][data-from=FULL-JID]`, own ones with
 * `.chat-msg__content--me`; the body `converse-chat-message-body.chat-msg__text` carries the raw
 * text in its `text` attribute (the rendered content may add styling and link markup).
 */

import { t } from '../../extension/shared/i18n';

export const selectors = {
  /** Converse's root element (present signed in or not). */
  appRoot: 'converse-root',
  /** Own bare JID in the control box's profile. */
  ownJid: 'converse-user-profile .username',
  /** The shown one-to-one chat and group chat. */
  openChat: 'converse-chats converse-chat[jid]',
  openGroupChat: 'converse-chats converse-muc[jid]',
  composeBox: 'converse-message-form textarea.chat-textarea',
  messageList: 'converse-chat-content converse-message-history',
  messageRow: 'converse-chat-message .chat-msg[data-msgid][data-from]',
  ownMarker: '.chat-msg__content--me',
  messageBody: 'converse-chat-message-body.chat-msg__text',
} as const;

export type ConversationKind = 'chat' | 'groupchat' | 'none';

export interface Conversation {
  kind: ConversationKind;
  /** The buddy's bare JID, for a one-to-one chat. */
  peer?: string;
  /** Why OTR cannot run here (group chats). */
  reason?: string;
}

export interface Identity {
  /** Own bare JID (`local@domain`). */
  jid: string;
}

/**
 * One row, in exactly the shape the content script reports (`ChatMessage` of
 * extension/shared/messages.ts, whose validator refuses any other key: a `resource` field here
 * once made the background drop every Converse message). The sender's resource is read apart,
 * by `senderResource`.
 */
export interface SiteMessage {
  /** Converse's message id (`data-msgid`, the stanza id or a UUID). */
  id: string;
  /** Sender's bare JID. */
  from: string;
  text: string;
  own: boolean;
}

/**
 * Default longest line this adapter sends as one message. XMPP has no line limit worth
 * fragmenting for: Converse 14 + Prosody 0.12 carried every line up to 66,000 characters
 * intact (some longer ones made Prosody drop the sender's websocket; docs/testing.md). 10,000 keeps a stanza small while no OTR message of ordinary chat text
 * comes near it; `createConverseAdapter({ maxMessageLength })` sets another figure.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = 10_000;
/** The longest line measured to arrive intact every time; a configured limit may not exceed it. */
export const MEASURED_MAX_MESSAGE_LENGTH = 65_536;

const GROUP_REASON = (): string => t('ui_reasonGroupRoom');
const MAX_JID = 3071; // RFC 7622: each of local, domain, resource up to 1023 bytes.
const MAX_ID = 200;
const MAX_TEXT = 200_000;
/** A bare JID as Converse shows it: local@domain, no spaces, no resource. */
const BARE_JID = /^[^\s@/<>'"&]{1,1023}@[^\s@/<>'"&]{1,1023}$/;

function bareJid(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const jid = value.trim();
  return jid.length <= MAX_JID && BARE_JID.test(jid) ? jid.toLowerCase() : undefined;
}

/** Splits a full JID `local@domain/resource` into bare JID and resource. */
function splitJid(value: string | null | undefined): { bare: string; resource: string } | undefined {
  if (value === null || value === undefined || value.length > MAX_JID) return undefined;
  const slash = value.indexOf('/');
  const bare = bareJid(slash < 0 ? value : value.slice(0, slash));
  if (!bare) return undefined;
  const resource = slash < 0 ? '' : value.slice(slash + 1);
  if (/[\0\r\n]/.test(resource)) return undefined;
  return { bare, resource };
}

/** Whether `doc` is a Converse.js page (signed in or not). */
export function detect(doc: Document): boolean {
  return doc.querySelector(selectors.appRoot) !== null;
}

/** Own bare JID, or null when signed out. */
export function ownIdentity(doc: Document): Identity | null {
  const jid = bareJid(doc.querySelector(selectors.ownJid)?.textContent);
  return jid ? { jid } : null;
}

function openChat(doc: Document): Element | null {
  const chats = doc.querySelectorAll(selectors.openChat);
  // Fullscreen mode shows one chat; more than one would be a layout we do not understand.
  return chats.length === 1 ? (chats[0] ?? null) : null;
}

/** What the shown chat is: one-to-one (with the buddy's bare JID), a group chat (refused), or none. */
export function conversation(doc: Document): Conversation {
  if (doc.querySelector(selectors.openGroupChat) !== null)
    return { kind: 'groupchat', reason: GROUP_REASON() };
  const peer = bareJid(openChat(doc)?.getAttribute('jid'));
  return peer ? { kind: 'chat', peer } : { kind: 'none' };
}

/** The shown chat's compose textarea, or null. */
export function composeBox(doc: Document): HTMLTextAreaElement | null {
  const box = openChat(doc)?.querySelector(selectors.composeBox);
  return box !== null && box !== undefined && box.tagName === 'TEXTAREA'
    ? (box as HTMLTextAreaElement)
    : null;
}

/** The shown chat's message list, or null. */
export function messageList(doc: Document): Element | null {
  return openChat(doc)?.querySelector(selectors.messageList) ?? null;
}

/** The shown chat's message rows, oldest first. */
export function messageRows(doc: Document): Element[] {
  const list = messageList(doc);
  return list ? Array.from(list.querySelectorAll(selectors.messageRow)) : [];
}

/** Reads one row; null for anything that is not a well-formed chat message. */
export function readMessage(row: Element): SiteMessage | null {
  if (!row.matches(selectors.messageRow)) return null;
  const id = row.getAttribute('data-msgid') ?? '';
  if (id.length === 0 || id.length > MAX_ID || !/^[\x21-\x7e]+$/.test(id)) return null;
  const sender = splitJid(row.getAttribute('data-from'));
  if (!sender) return null;
  const body = row.querySelector(selectors.messageBody);
  if (!body) return null;
  const raw = body.getAttribute('text');
  const text = raw ?? body.textContent ?? '';
  if (text.length > MAX_TEXT) return null;
  return {
    id,
    from: sender.bare,
    text,
    own: row.querySelector(selectors.ownMarker) !== null,
  };
}

/**
 * The resource of a row's sender (which of the sender's logins sent it: '' when none), or null
 * for a row `readMessage` refuses. OTR keeps two logins of one buddy apart by instance tags, not
 * by this; it is for tests and diagnostics.
 */
export function senderResource(row: Element): string | null {
  if (readMessage(row) === null) return null;
  return splitJid(row.getAttribute('data-from'))?.resource ?? null;
}

function setBoxValue(box: HTMLTextAreaElement, value: string): void {
  box.value = value;
  const view = box.ownerDocument.defaultView;
  const InputEventCtor = view?.InputEvent;
  box.dispatchEvent(
    InputEventCtor
      ? new InputEventCtor('input', { bubbles: true, inputType: 'insertText' })
      : new (view?.Event ?? Event)('input', { bubbles: true }),
  );
}

function pressEnter(box: HTMLTextAreaElement): void {
  const view = box.ownerDocument.defaultView;
  const Ctor = view?.KeyboardEvent ?? KeyboardEvent;
  box.dispatchEvent(new Ctor('keydown', { key: 'Enter', code: 'Enter', bubbles: true, cancelable: true }));
}

/** Sends one line as if typed and sent with Enter, with the default limit. See `createConverseAdapter`. */
export function send(doc: Document, text: string): boolean | Promise<boolean> {
  return sendWithLimit(doc, text, DEFAULT_MAX_MESSAGE_LENGTH, DEFAULT_BUSY_WAIT_MS);
}

/**
 * How long `send` waits for Converse to finish the line before (it keeps the compose box disabled
 * while it sends a stanza, a few milliseconds) instead of refusing at once: without the wait, every
 * OTR fragment after the first found the box busy and waited for the content script's 1 s retry
 * (a 15,000-character message took 2.6 s instead of 0.3 s).
 */
export const DEFAULT_BUSY_WAIT_MS = 3000;

/** Resolves true once `box` is enabled, false if it is still disabled after `ms`. */
function whenEnabled(box: HTMLTextAreaElement, ms: number): Promise<boolean> {
  const Observer = box.ownerDocument.defaultView?.MutationObserver;
  if (!box.disabled) return Promise.resolve(true);
  if (!Observer || ms <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const observer = new Observer(() => {
      if (box.disabled) return;
      observer.disconnect();
      clearTimeout(timer);
      resolve(true);
    });
    observer.observe(box, { attributes: true, attributeFilter: ['disabled'] });
    timer = setTimeout(() => {
      observer.disconnect();
      resolve(!box.disabled);
    }, ms);
  });
}

/** Types `text` into the (enabled) box and presses Enter; true when Converse took it. */
function typeLine(box: HTMLTextAreaElement, text: string): boolean {
  const draft = box.value;
  setBoxValue(box, text);
  pressEnter(box);
  const taken = box.disabled;
  if (!taken) {
    setBoxValue(box, draft);
  } else if (draft !== '') {
    const Observer = box.ownerDocument.defaultView?.MutationObserver;
    if (Observer) {
      const observer = new Observer(() => {
        if (!box.disabled) {
          observer.disconnect();
          if (box.value === '') setBoxValue(box, draft);
        }
      });
      observer.observe(box, { attributes: true, attributeFilter: ['disabled'] });
    }
  }
  return taken;
}

/**
 * Converse takes a line synchronously on Enter (it disables the textarea before sending, then
 * empties it once the stanza went out), so "taken" is: the box went disabled. A user's draft is
 * put back once Converse re-enables the box. A busy (disabled) box is waited for up to `busyWaitMs`
 * (then the result is a promise), and the line goes only if the same chat's box is still the one
 * shown: a line is never typed into a chat the user switched to meanwhile. Throws at once when
 * `text` cannot go as one message unchanged: Converse trims leading/trailing whitespace and reads a
 * leading '/' as a command.
 */
function sendWithLimit(
  doc: Document,
  text: string,
  limit: number,
  busyWaitMs: number,
): boolean | Promise<boolean> {
  if (text.length === 0) throw new Error('Converse: empty message');
  if (/[\r\n\0]/.test(text)) throw new Error('Converse: a message cannot contain line breaks or NUL');
  if (text !== text.trim()) throw new Error('Converse: leading or trailing whitespace would be trimmed');
  if (text.startsWith('/')) throw new Error('Converse: a leading "/" is read as a command');
  if (text.length > limit)
    throw new Error(`Converse: message of ${text.length} characters is over the ${limit} limit`);
  const box = composeBox(doc);
  if (!box) throw new Error('Converse: compose box not found');
  if (!box.disabled) return typeLine(box, text);
  return whenEnabled(box, busyWaitMs).then((enabled) =>
    enabled && composeBox(doc) === box && !box.disabled ? typeLine(box, text) : false,
  );
}

export interface ConverseAdapterOptions {
  /** Longest line sent as one message (OTR fragments above it). 1..MEASURED_MAX_MESSAGE_LENGTH. */
  maxMessageLength?: number;
  /** Milliseconds `send` waits for a busy compose box (0..60,000; default DEFAULT_BUSY_WAIT_MS). */
  busyWaitMs?: number;
}

/** The adapter with a chosen line limit. */
export function createConverseAdapter(options: ConverseAdapterOptions = {}) {
  const limit = options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  if (!Number.isInteger(limit) || limit < 100 || limit > MEASURED_MAX_MESSAGE_LENGTH) {
    throw new Error(
      `Converse: maxMessageLength must be an integer from 100 to ${MEASURED_MAX_MESSAGE_LENGTH}`,
    );
  }
  const busyWaitMs = options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS;
  if (!Number.isInteger(busyWaitMs) || busyWaitMs < 0 || busyWaitMs > 60_000) {
    throw new Error('Converse: busyWaitMs must be an integer from 0 to 60000');
  }
  return {
    name: 'converse',
    selectors,
    maxMessageLength: limit,
    detect,
    ownIdentity,
    conversation,
    composeBox,
    send: (doc: Document, text: string) => sendWithLimit(doc, text, limit, busyWaitMs),
    messageList,
    messageRows,
    readMessage,
    senderResource,
  } as const;
}

/** The adapter with the default limit, as one object. */
export const converse = createConverseAdapter();
