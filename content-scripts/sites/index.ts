// Site adapters behind one interface, and the registry the content script picks from.
// An adapter knows one site's DOM and nothing about OTR (docs/architecture.md §6).

import { converse } from './converse';
import { minichat } from './minichat';
import { theLounge } from './thelounge';

export interface AdapterConversation {
  kind: 'one-to-one' | 'group' | 'none';
  peer: string | null;
  /** Why private mode cannot work here, or null. */
  reason: string | null;
}

export interface AdapterMessage {
  id: string;
  from: string;
  text: string;
  own: boolean;
}

export interface SiteAdapter {
  name: string;
  /** OTR protocol name for the account (libotr's e.g. "prpl-irc"). */
  protocol: string;
  /** Longest line the site carries as one message (OTR fragments to it). */
  maxMessageLength: number;
  detect(doc: Document): boolean;
  /** Our own identity on the site ("nick@network"), or null when signed out. */
  account(doc: Document): string | null;
  conversation(doc: Document): AdapterConversation;
  composeBox(doc: Document): Element | null;
  messageList(doc: Document): Element | null;
  messageRows(doc: Document): Element[];
  readMessage(row: Element): AdapterMessage | null;
  /** Sends one line through the site; true when the site took it. Throws when it cannot. */
  send(doc: Document, text: string): boolean;
}

const theLoungeAdapter: SiteAdapter = {
  name: theLounge.name,
  protocol: 'prpl-irc',
  maxMessageLength: theLounge.maxMessageLength,
  detect: theLounge.detect,
  account(doc) {
    const id = theLounge.ownIdentity(doc);
    return id ? `${id.account}@${id.network}` : null;
  },
  conversation(doc) {
    const c = theLounge.conversation(doc);
    if (c.kind === 'query' && c.peer) return { kind: 'one-to-one', peer: c.peer, reason: null };
    if (c.kind === 'channel')
      return { kind: 'group', peer: null, reason: 'This is a channel: OTR is for two people.' };
    return { kind: 'none', peer: null, reason: null };
  },
  composeBox: theLounge.composeBox,
  messageList: theLounge.messageList,
  messageRows: theLounge.messageRows,
  readMessage: theLounge.readMessage,
  send: theLounge.send,
};

const converseAdapter: SiteAdapter = {
  name: 'converse',
  protocol: 'prpl-jabber',
  maxMessageLength: converse.maxMessageLength,
  detect: converse.detect,
  account: (doc) => converse.ownIdentity(doc)?.jid ?? null,
  conversation(doc) {
    const c = converse.conversation(doc);
    if (c.kind === 'chat' && c.peer) return { kind: 'one-to-one', peer: c.peer, reason: null };
    if (c.kind === 'groupchat') return { kind: 'group', peer: null, reason: c.reason ?? null };
    return { kind: 'none', peer: null, reason: null };
  },
  composeBox: converse.composeBox,
  messageList: converse.messageList,
  messageRows: converse.messageRows,
  readMessage: converse.readMessage,
  send: converse.send,
};

/**
 * Every adapter, tried in order. minichat is the e2e harness page (test/fixtures/minichat); it
 * matches only that page's marker, so it is harmless in a release build.
 */
export const ADAPTERS: readonly SiteAdapter[] = [theLoungeAdapter, converseAdapter, minichat];

export function pickAdapter(doc: Document): SiteAdapter | null {
  return ADAPTERS.find((a) => a.detect(doc)) ?? null;
}
