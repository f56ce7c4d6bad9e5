// Site adapters behind one interface, and the registry the content script picks from.
// An adapter knows one site's DOM and nothing about OTR (docs/architecture.md §6).

import { t } from '../../extension/shared/i18n';
import type { Pacing, PageInfo } from '../../extension/shared/messages';
import { type SiteProfile, unparsableSelectors } from '../../src/profile/profile';
import { checkProfile } from '../picker/derive';
import { converse } from './converse';
import { guess } from './generic';
import { minichat } from './minichat';
import { profileAdapter } from './profile-adapter';
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
  /**
   * Where the message stands in the chat's history, when the site says (a server sequence number,
   * a timestamp): larger is newer. A virtualized list mounts old rows again when scrolled back, and
   * may show a late message above older ones; this tells the two apart (content-scripts/chat.ts).
   * Never sent to the background.
   */
  order?: number;
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
  /** The rows of the open chat, oldest first; always inside messageList(doc). */
  messageRows(doc: Document): Element[];
  /**
   * Whether `el`, an element inside `list` (= messageList(doc)), is one of messageRows(doc). Lets
   * the content script find the row a change touched by walking up from it, instead of listing
   * every row of the chat on every change (a new message then costs the same in a list of 50 rows
   * or 5,000). Without it the core lists the rows.
   */
  isRow?(el: Element, list: Element): boolean;
  /**
   * The row's message, or null when it is not one. A new object on every call: the core bounds it
   * in place (a scan reads thousands of rows).
   */
  readMessage(row: Element): AdapterMessage | null;
  /** Row attributes whose change means a row shows another message (the core watches them). */
  watchAttributes?: readonly string[];
  /**
   * Sends one line through the site; true (or a promise of true) when the site took it. Throws
   * (or rejects) when it cannot.
   */
  send(doc: Document, text: string): boolean | Promise<boolean>;
  /**
   * How fast the site's server lets a user send: `burst` lines at once, then one per `intervalMs`
   * (content script default when absent). The user's per-site setting overrides it.
   */
  pacing?: Pacing;
  /**
   * What the page itself shows that stops sending (disconnected, an error it reports), in the
   * site's words, or null. Sending pauses while there is one.
   */
  siteError?(doc: Document): string | null;
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
    if (c.kind === 'channel') return { kind: 'group', peer: null, reason: t('ui_reasonChannel') };
    return { kind: 'none', peer: null, reason: null };
  },
  composeBox: theLounge.composeBox,
  messageList: theLounge.messageList,
  messageRows: theLounge.messageRows,
  isRow: (el) => el.matches(theLounge.selectors.messageRow),
  // The Lounge numbers its messages in the order its server got them (msg-N): the row's order.
  readMessage: theLounge.readMessage,
  send: theLounge.send,
  pacing: theLounge.pacing,
  siteError: theLounge.siteError,
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
  isRow: (el) => el.matches(converse.selectors.messageRow),
  readMessage: converse.readMessage,
  send: converse.send,
};

/**
 * Every adapter, tried in order. minichat is the e2e harness page (test/fixtures/minichat); it
 * matches only that page's marker, so it is harmless in a release build.
 */
export const ADAPTERS: readonly SiteAdapter[] = [theLoungeAdapter, converseAdapter, minichat];

/** The built-in adapter that recognises the page, or null. */
export function builtInAdapter(doc: Document): SiteAdapter | null {
  return ADAPTERS.find((a) => a.detect(doc)) ?? null;
}

/**
 * The adapter for the page: a built-in one first; otherwise the site's saved profile (only for
 * the page's own origin). The generic guess (./generic.ts) never becomes an adapter by itself.
 */
export function pickAdapter(doc: Document, profile: SiteProfile | null = null): SiteAdapter | null {
  const builtIn = builtInAdapter(doc);
  if (builtIn) return builtIn;
  // A profile the page's CSS parser refuses reads nothing (page-info says which selector).
  if (profile && profile.site === doc.location?.origin && unparsableSelectors(profile, doc).length === 0)
    return profileAdapter(profile, doc);
  return null;
}

const MAX_PROBLEMS = 10;
const MAX_PROBLEM_LENGTH = 300;

/**
 * What the content script reports about its page (`page-info`): the adapter reading it, the saved
 * profile checked against it, and where no adapter reads the page, the generic guess. Bounded as
 * the message validators require; confidence rounded so small layout changes are not a new report.
 */
export function pageInfo(
  doc: Document,
  adapter: SiteAdapter | null,
  profile: SiteProfile | null,
  /** The guess to report when no adapter reads the page (computed here when not given). */
  guessed: PageInfo['guess'] = adapter ? null : guessInfo(doc),
): PageInfo {
  let checked: PageInfo['profile'] = null;
  if (profile) {
    const c = checkProfile(doc, profile);
    checked = {
      ok: c.ok,
      problems: c.problems.slice(0, MAX_PROBLEMS).map((p) => p.slice(0, MAX_PROBLEM_LENGTH)),
      rows: c.rows,
    };
  }
  return { adapter: adapter?.name ?? null, profile: checked, guess: adapter ? null : guessed };
}

/** The generic adapter's guess as page-info reports it (bounded, confidence to two decimals). */
export function guessInfo(doc: Document): NonNullable<PageInfo['guess']> {
  const g = guess(doc);
  const reasons = [
    ...(g.compose ? g.compose.reasons.map((r) => t('ui_guessCompose', r)) : [t('ui_guessNoCompose')]),
    ...(g.list ? g.list.reasons.map((r) => t('ui_guessList', r)) : [t('ui_guessNoList')]),
  ];
  return {
    confidence: Math.round(Math.max(0, Math.min(1, g.confidence)) * 100) / 100,
    reasons: reasons.slice(0, MAX_PROBLEMS).map((r) => r.slice(0, MAX_PROBLEM_LENGTH)),
  };
}
