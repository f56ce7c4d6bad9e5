/**
 * Site adapter for The Lounge 4.5.x (self-hosted web IRC client, https://thelounge.chat).
 *
 * DOM only: no extension API, no OTR. Every selector lives in `selectors`; every function is small
 * and pure over the document it is given. Everything read from the page is untrusted (I3):
 * bounded in length, read with textContent only.
 *
 * Checked against the real The Lounge 4.5.2 + ngircd by test/e2e/lounge-testbed.test.ts and on
 * saved snapshots (test/fixtures/dom/thelounge/) by test/unit/sites/thelounge.test.ts.
 */

export const selectors = {
  /** The Lounge names itself in its page head. */
  appMarker: 'meta[name="application-name"][content="The Lounge"]',
  appRoot: '#app',
  /** Own nick, shown left of the compose box. */
  ownNick: 'form#form span#nick',
  composeForm: 'form#form',
  composeBox: 'form#form textarea#input',
  /** The open chat: only the active channel's view is rendered, with its type and name. */
  openChat: '#chat > .chat-view[data-type]',
  /** The same, in parts: the id of its parent and what the view matches. */
  chatId: 'chat',
  chatView: '.chat-view[data-type]',
  /** The sidebar holding the networks and their chats. */
  sidebarId: 'sidebar',
  /** Sidebar items carry `aria-controls="#chan-N"` pointing at the chat view's id. */
  sidebarItem: '.channel-list-item[data-type]',
  network: '.network',
  lobbyItem: '.channel-list-item[data-type="lobby"]',
  messageList: '.messages[role="log"]',
  /** Chat messages (not joins, notices, actions, server replies). `.self` marks our own. */
  messageRow: '.msg[data-type="message"]',
  messageText: '.content',
  /** The Lounge marks a network whose IRC connection is down (and says so in a tooltip). */
  disconnectedNetwork: '.network.not-connected',
  disconnectedTooltip: '.not-connected-tooltip[aria-label]',
} as const;

export type ConversationKind = 'query' | 'channel' | 'lobby' | 'none';

export interface Conversation {
  kind: ConversationKind;
  /** The buddy's nick, for a query only. */
  peer?: string;
}

export interface Identity {
  /** Own IRC nick. */
  account: string;
  /** The Lounge's name for the network (the lobby's name in the sidebar). */
  network: string;
}

export interface SiteMessage {
  /** The Lounge's message id (`msg-N`), stable across page reloads while The Lounge runs. */
  id: string;
  /** Sender's nick. */
  from: string;
  text: string;
  own: boolean;
  /** N of the id `msg-N`: The Lounge numbers messages in the order its server got them. */
  order: number;
}

/**
 * Longest line (UTF-8 bytes) this adapter sends as one message. Measured on The Lounge 4.5.2 +
 * ngircd 26 with 30-character nicks (docs/testing.md): The Lounge (irc-framework) splits at 350
 * bytes, ngircd relays the whole 350 plus the longest prefix within its 512 bytes. OTR fragments
 * must be at most this long.
 */
export const maxMessageLength = 350;

/** Upper bounds for what is read from the page. */
const MAX_NICK = 64;
const MAX_NETWORK = 200;
const MAX_TEXT = 100_000;
/** Digits in a message id (`msg-N`): at most 15, so N stays an exact number. */
const MAX_ID_DIGITS = 15;
/** An IRC nick as servers accept it (RFC 2812 plus the common extensions), no spaces. */
const NICK = /^[A-Za-z0-9[\]\\`_^{|}-]+$/;

function text(el: Element | null | undefined): string | undefined {
  const t = el?.textContent;
  return t === null || t === undefined ? undefined : t;
}

function nickOrUndefined(value: string | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  const nick = value.trim();
  return nick.length > 0 && nick.length <= MAX_NICK && NICK.test(nick) ? nick : undefined;
}

/**
 * N of a message id `msg-N` (1 to 15 digits), or null for any other id. Read without slicing the
 * id: a scan reads thousands of rows, and each new string is work for the garbage collector.
 */
function messageNumber(id: string): number | null {
  const digits = id.length - 4;
  if (digits < 1 || digits > MAX_ID_DIGITS || !id.startsWith('msg-')) return null;
  let n = 0;
  for (let i = 4; i < id.length; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Whether a class attribute's value holds `name` as one of its classes. Reads the value, which
 * The Lounge gives many rows alike ("msg self"), where `classList` would make an object per row.
 */
function hasClass(value: string, name: string): boolean {
  let at = value.indexOf(name);
  while (at >= 0) {
    const end = at + name.length;
    if (
      (at === 0 || isSpace(value.charCodeAt(at - 1))) &&
      (end === value.length || isSpace(value.charCodeAt(end)))
    )
      return true;
    at = value.indexOf(name, end);
  }
  return false;
}

/** HTML's ASCII whitespace: what separates classes. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/** Whether `doc` is a The Lounge page (signed in or not). */
export function detect(doc: Document): boolean {
  return doc.querySelector(selectors.appMarker) !== null && doc.querySelector(selectors.appRoot) !== null;
}

/**
 * The open chat's view (`selectors.openChat`). Looked up from `#chat` and its children, not with a
 * selector over the whole page: the content script asks on every new message, and a long chat
 * makes the page tens of thousands of elements.
 */
function openChat(doc: Document): Element | null {
  const chat = doc.getElementById(selectors.chatId);
  if (!chat) return null;
  let view: Element | null = null;
  for (const child of chat.children) {
    if (!child.matches(selectors.chatView)) continue;
    // The Lounge renders only the open chat; two views would mean a page we do not understand.
    if (view) return null;
    view = child;
  }
  return view;
}

/** The sidebar's network block of the open chat, or null. */
function openNetwork(doc: Document): Element | null {
  const view = openChat(doc);
  if (!view?.id) return null;
  // The sidebar when there is one (a few dozen items), else the page.
  const scope = doc.getElementById(selectors.sidebarId) ?? doc;
  for (const candidate of scope.querySelectorAll(selectors.sidebarItem))
    if (candidate.getAttribute('aria-controls') === `#${view.id}`)
      return candidate.closest(selectors.network);
  return null;
}

/** Own nick and network name of the open chat, or null when signed out / not in a network. */
export function ownIdentity(doc: Document): Identity | null {
  const account = nickOrUndefined(text(doc.querySelector(selectors.ownNick)));
  if (!account) return null;
  const lobby = openNetwork(doc)?.querySelector(selectors.lobbyItem);
  const network = lobby?.getAttribute('data-name')?.trim();
  if (!network || network.length > MAX_NETWORK) return null;
  return { account, network };
}

/** What the open chat is: a one-to-one query (with the buddy's nick), a channel, a network's lobby, or none. */
export function conversation(doc: Document): Conversation {
  const view = openChat(doc);
  const type = view?.getAttribute('data-type');
  if (type === 'query') {
    const peer = nickOrUndefined(view?.getAttribute('aria-label'));
    return peer ? { kind: 'query', peer } : { kind: 'none' };
  }
  if (type === 'channel') return { kind: 'channel' };
  if (type === 'lobby') return { kind: 'lobby' };
  return { kind: 'none' };
}

/** The Lounge's compose textarea, or null if there is none (signed out, no chat open). */
export function composeBox(doc: Document): HTMLTextAreaElement | null {
  const box = doc.querySelector(selectors.composeBox);
  return box !== null && box.tagName === 'TEXTAREA' ? (box as HTMLTextAreaElement) : null;
}

function utf8Length(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

function setBoxValue(box: HTMLTextAreaElement, value: string): void {
  box.value = value;
  // The Lounge's Vue component keeps the draft in `channel.pendingMessage`, updated on `input`.
  const view = box.ownerDocument.defaultView;
  const InputEventCtor = view?.InputEvent;
  const event = InputEventCtor
    ? new InputEventCtor('input', { bubbles: true, inputType: 'insertText' })
    : new (view?.Event ?? Event)('input', { bubbles: true });
  box.dispatchEvent(event);
}

/**
 * Sends one line through The Lounge as if the user typed it and pressed send: sets the compose
 * box's value (with the `input` event The Lounge listens to) and submits its form. A draft the
 * user had in the box is put back afterwards. Returns true when The Lounge took the line (it
 * empties the box on send), false when it refused (e.g. disconnected) — the box is then restored.
 * Throws when `text` cannot go as one message (newline, over `maxMessageLength`) or there is no
 * compose box: the caller must never fall back to something else.
 */
export function send(doc: Document, text: string): boolean {
  if (/[\r\n\0]/.test(text)) throw new Error('The Lounge: a message cannot contain line breaks or NUL');
  if (text.length === 0) throw new Error('The Lounge: empty message');
  // A leading '/' starts a command; '//' sends a literal '/'.
  const line = text.startsWith('/') ? `/${text}` : text;
  if (utf8Length(text) > maxMessageLength) {
    throw new Error(
      `The Lounge: message of ${utf8Length(text)} bytes is over the ${maxMessageLength}-byte limit`,
    );
  }
  const box = composeBox(doc);
  const form = box?.closest(selectors.composeForm) as HTMLFormElement | null | undefined;
  if (!box || !form) throw new Error('The Lounge: compose box not found');
  const draft = box.value;
  setBoxValue(box, line);
  if (typeof form.requestSubmit === 'function') {
    form.requestSubmit();
  } else {
    const view = doc.defaultView;
    form.dispatchEvent(new (view?.Event ?? Event)('submit', { bubbles: true, cancelable: true }));
  }
  const taken = box.value === '';
  if (!taken || draft !== '') setBoxValue(box, draft);
  return taken;
}

/** The message list (log) of the open chat, or null. */
export function messageList(doc: Document): Element | null {
  return openChat(doc)?.querySelector(selectors.messageList) ?? null;
}

/** The chat message rows currently in the open chat's list, oldest first. */
export function messageRows(doc: Document): Element[] {
  const list = messageList(doc);
  return list ? Array.from(list.querySelectorAll(selectors.messageRow)) : [];
}

/** Reads one row; null for anything that is not a well-formed chat message (server lines, joins, ...). */
export function readMessage(row: Element): SiteMessage | null {
  if (!row.matches(selectors.messageRow)) return null;
  const id = row.id;
  const order = messageNumber(id);
  if (order === null) return null;
  const from = nickOrUndefined(row.getAttribute('data-from'));
  if (!from) return null;
  const body = text(row.querySelector(selectors.messageText));
  if (body === undefined || body.length > MAX_TEXT) return null;
  return { id, from, text: body, own: hasClass(row.className, 'self'), order };
}

/**
 * Pacing for IRC servers with flood limits. Measured on ircd-hybrid 8.2.43, stock "users" class
 * (recvq 2,560 bytes), 350-byte lines: 14 at once disconnect ("Excess Flood"); 5 at once and then
 * one per 700 ms passed 20 lines but grows the server's queue (it reads about one line a second),
 * one per 1,000 ms holds it level. A burst of 4, then one per 1,100 ms, leaves room for the
 * client's own lines (PONG, JOIN).
 */
export const pacing = { burst: 4, intervalMs: 1100 } as const;

/**
 * Why the open chat cannot send now, in The Lounge's words: its network is disconnected
 * ("<network>: Disconnected", the sidebar's tooltip). Null while connected.
 */
export function siteError(doc: Document): string | null {
  const network = openNetwork(doc);
  if (!network?.matches(selectors.disconnectedNetwork)) return null;
  const name = network
    .querySelector(selectors.lobbyItem)
    ?.getAttribute('data-name')
    ?.trim()
    .slice(0, MAX_NETWORK);
  const said = network
    .querySelector(selectors.disconnectedTooltip)
    ?.getAttribute('aria-label')
    ?.trim()
    .slice(0, 100);
  return `${name || 'IRC'}: ${said || 'Disconnected'}`;
}

/** The adapter as one object. */
export const theLounge = {
  name: 'thelounge',
  selectors,
  maxMessageLength,
  detect,
  ownIdentity,
  conversation,
  composeBox,
  send,
  messageList,
  messageRows,
  readMessage,
  pacing,
  siteError,
} as const;
