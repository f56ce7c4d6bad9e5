// Every message that crosses a runtime port, with its validator. Both ends import this module:
// the background validates every request it receives (I3, I4), the clients validate every reply
// and every push.
//
// Shape of the protocol (docs: prompts/api.md, docs/architecture.md):
//   client → background   a request  { type, id, ...fields }   (id: the client's request number)
//   background → client   a reply    { type: 'reply', id, ok: true, result } | { ..., ok: false, error }
//   background → client   a push     { type: 'push', event: { type, ...fields } }
// Which requests a port may send is decided by the background once, at connect time, from the
// browser-given sender (see extension/background/ports.ts): content scripts send ContentRequest,
// the side panel (extension/panel/) PanelRequest, popup and options PageRequest.
//
// To add a message: add its type to a union below, its fields' checks to that direction's
// *_FIELDS table (the compiler insists), its result type to ResultMap and a check to RESULTS;
// then a handler in the router.

import type { MsgState } from '../../src/otr/context';
import type { PolicyName } from '../../src/otr/policy';
import { MAX_PROFILE_BYTES, type SiteProfile, validateProfile } from '../../src/profile/profile';
import type {
  DeliveryStatus,
  NoticeCode,
  SmpOutcome,
  StoredLimits,
  TranscriptEntry,
  Trust,
} from '../../src/store/types';

// Declared where they are kept (the engine, the store), carried by these messages as they are.
export type { DeliveryStatus, MsgState, NoticeCode, PolicyName, SmpOutcome, TranscriptEntry, Trust };
export const PORT_NAME = 'offrecord';

/** Upper bounds on everything that comes from outside; anything longer is refused. */
export const LIMITS = {
  url: 4096,
  error: 500,
  sites: 1000,
  origin: 300,
  account: 256,
  protocol: 64,
  peer: 256,
  reason: 500,
  /** A chat message as the page shows it (adapters read at most this much). */
  chatText: 100_000,
  chatId: 200,
  chatBatch: 200,
  /** Characters of text and ids in one chat-messages batch (I8: every content message is bounded). */
  chatBatchChars: 1_000_000,
  /** Pacing a user may set: a burst of 1..100 lines, then one line per 0..60 s. */
  pacingBurstMax: 100,
  pacingIntervalMax: 60_000,
  /** What the user types into the panel's compose box. */
  composeText: 20_000,
  /** A conversation id (src/store/conversation-id.ts: site, account, protocol, peer as JSON). */
  conv: 2000,
  secret: 1000,
  question: 1000,
  /** A wire line: at most one site message. */
  wire: 100_000,
  wireBatch: 500,
  transcript: 1000,
  transcriptText: 100_000,
  /** otr.private_key / otr.fingerprints text (src/otr/keyfile.ts and fingerprints-file.ts caps). */
  keyFile: 1 << 20,
  fingerprintsFile: 4 << 20,
  list: 10_000,
  /** A human-form fingerprint: 5 groups of 8 hex digits and spaces. */
  fingerprint: 60,
  maxMessageSize: 1 << 20,
  /** Bounds of a user-set longest message per site (as the profile format's maxMessageLength). */
  siteMaxLengthMin: 100,
  siteMaxLengthMax: 100_000,
  /** Problems reported about a saved site profile, and each one's length. */
  problems: 10,
  problem: 300,
  reasons: 10,
  adapterName: 32,
  /** A site-profile file (src/profile/profile.ts MAX_PROFILE_BYTES). */
  profileFile: MAX_PROFILE_BYTES,
  /** A passphrase (src/store/key-lock.ts MAX_PASSPHRASE; the minimum is checked there, with its own text). */
  passphrase: 1024,
  /** Auto-lock after this many seconds without use (a week at most); 0 = never. */
  autoLockSeconds: 7 * 24 * 3600,
  /** Messages held while locked (extension/background/held-inbox.ts). */
  heldWhileLocked: 200,
} as const;

// ---------------------------------------------------------------- statuses

/**
 * What the toolbar badge says about a tab (I6): 'off' no content script, 'ready' offrecord runs
 * but the chat is not private, 'unverified' / 'private' encrypted with an unverified / verified
 * buddy, 'finished' the buddy ended the private conversation.
 */
export type BadgeStatus = 'off' | 'ready' | 'unverified' | 'private' | 'finished';
export const BADGE_STATUSES: readonly BadgeStatus[] = ['off', 'ready', 'unverified', 'private', 'finished'];
/** An alert over the badge: '!' the buddy's fingerprint changed, '?' the buddy asks for SMP. */
export type BadgeAlert = '' | '!' | '?';
export const BADGE_ALERTS: readonly BadgeAlert[] = ['', '!', '?'];

/**
 * The passphrase lock (issue 18): 'none' no passphrase (keys in clear), 'locked' keys sealed and
 * not in memory (going private and answering a buddy wait for an unlock), 'unlocked'.
 */
export type LockState = 'none' | 'locked' | 'unlocked';
export const LOCK_STATES: readonly LockState[] = ['none', 'locked', 'unlocked'];
export interface LockInfo {
  state: LockState;
  /** Auto-lock after this many seconds without use; 0 = never. */
  autoLockSeconds: number;
  /** Buddies' messages (an OTR query, data) held while locked, answered after the unlock. */
  held: number;
  /** Offer a passphrase: keys exist in clear and the user did not say "not now". */
  offer: boolean;
}

/** What the panic wipe erased (each a count of records), and how many buddies were told the end. */
export interface WipeReport {
  ended: number;
  /** Private conversations whose end could not be sent (no tab showed the chat). */
  unreachable: number;
  keys: number;
  fingerprints: number;
  instanceTags: number;
  sites: number;
  conversations: number;
  transcriptEntries: number;
  /** Other stored entries: settings, tab records, held messages, counters. */
  settings: number;
}
export const SMP_OUTCOMES: readonly SmpOutcome[] = ['succeeded', 'failed', 'aborted', 'error'];
export const TRUSTS: readonly Trust[] = ['', 'verified', 'smp'];
export const POLICY_NAMES: readonly PolicyName[] = ['never', 'manual', 'opportunistic', 'always'];
/** A buddy's own policy (pidgin-otr's per buddy setting); 'default': the site's policy applies. */
export type BuddyPolicyName = PolicyName | 'default';
export const BUDDY_POLICY_NAMES: readonly BuddyPolicyName[] = ['default', ...POLICY_NAMES];
export type ConversationKind = 'one-to-one' | 'group' | 'none';

/** The status of one conversation, as SessionManager reports it (same shape). */
export interface ConversationStatus {
  state: MsgState;
  version: number;
  privateMode: boolean;
  trust: Trust;
  /** The buddy's fingerprint in libotr's human form, once known. */
  fingerprint: string | null;
  ourFingerprint: string | null;
  fingerprintChanged: boolean;
  authInProgress: boolean;
  /** SMP state ('expect1' idle, 'question-asked' the buddy asks, ...); the buddy's question if any. */
  smp: { state: string; question?: string; result?: SmpOutcome };
  /** Messages typed while not yet private, waiting for the AKE (I2). */
  held: number;
  /** Wire lines not yet seen back on the page as the user's own messages. */
  pendingWire: number;
  /** What the byte budgets (I8) did to this conversation: lines cut, old entries dropped, … */
  limits?: ConversationLimits;
  /**
   * What the page itself says stops it sending (The Lounge: its IRC network is disconnected), in
   * the site's words; sending is paused meanwhile. Null when the page shows no such error.
   */
  siteError: string | null;
}

/** The conversation's budget counters (ConversationRecord.limits), and for a panel the tab's drops. */
export interface ConversationLimits extends StoredLimits {
  /** Messages the tab's page showed too fast (or while the held inbox was full): to a panel only. */
  dropped?: number;
}

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = [
  'held',
  'sending',
  'sent',
  'not-delivered',
  'not-sent',
];

/** Pacing of a site's outgoing lines: up to `burst` at once, then one every `intervalMs`. */
export interface Pacing {
  burst: number;
  intervalMs: number;
}

export const NOTICE_CODES: readonly NoticeCode[] = [
  'started',
  'ended',
  'buddy-ended',
  'key-changed',
  'key-changed-unverified',
  'smp-asked',
  'smp-succeeded',
  'smp-failed',
  'smp-aborted',
  'smp-error',
  'unreadable',
  'not-sent',
  'error',
  'chat-error',
];

/**
 * Why the background refused a panel's request (the error text of the reply), so the panel can
 * say it in the user's language and keep the typed text in the box.
 */
export const REFUSAL = {
  /** The tab shows another conversation than the one the request names: nothing was done. */
  changed: 'refused:conversation-changed',
  /** Not in private mode (or private mode refused there): nothing was sent. */
  notPrivate: 'refused:not-private',
  /** The buddy ended the private conversation: nothing was sent. */
  finished: 'refused:finished',
} as const;

/**
 * What the content script found on its page, reported whenever it changes: which adapter reads
 * the page, how the site's saved profile fits it, and where no adapter fits, the generic guess.
 */
export interface PageInfo {
  /** 'thelounge', 'converse', 'minichat', 'profile' (the saved site profile), or null: none. */
  adapter: string | null;
  /** The site's saved profile checked against the page; null when the site has none. */
  profile: { ok: boolean; problems: string[]; rows: number } | null;
  /** The generic adapter's guess (content-scripts/sites/generic.ts); null while an adapter reads the page. */
  guess: { confidence: number; reasons: string[] } | null;
}

export interface ChatMessage {
  /** The site's id for the row (dedupe key with the content). */
  id: string;
  from: string;
  text: string;
  own: boolean;
}

export interface WireLine {
  seq: number;
  wire: string;
  /** Typed into the page already (before a reload or reconnect): wait to see it, do not type it again. */
  typed?: boolean;
}

// ---------------------------------------------------------------- requests

/** Content script → background. The tab is always the sender's own. */
export type ContentRequest =
  | { type: 'hello'; id: number; url: string }
  | {
      type: 'conversation';
      id: number;
      account: string;
      protocol: string;
      peer: string | null;
      kind: ConversationKind;
      reason: string | null;
      maxMessageSize: number;
      composeFound: boolean;
      listFound: boolean;
    }
  | { type: 'chat-messages'; id: number; messages: ChatMessage[]; history: boolean }
  /** The site took the line (its compose box emptied): typed, not yet seen. */
  | { type: 'wire-sent'; id: number; seq: number }
  /** The page shows these lines back as the user's own messages: delivered. */
  | { type: 'wire-delivered'; id: number; seqs: number[] }
  /** These lines were not seen in time (or the site's error outlasted the wait): not delivered. */
  | { type: 'wire-failed'; id: number; seqs: number[] }
  /** The page's own error that stops sending (null: gone). */
  | { type: 'site-error'; id: number; error: string | null }
  | { type: 'toggle-private'; id: number }
  | { type: 'page-info'; id: number; info: PageInfo }
  /** The element picker's result, confirmed by the user: saved for the sender's own origin only. */
  | { type: 'profile-save'; id: number; profile: SiteProfile };

/**
 * The side panel (extension/panel/) → background. The panel names the chat tab it shows; what
 * changes a conversation names it too (`conv`, the id panel-hello gave: required, so chat-switch
 * safety never rests on the panel remembering to), and the background refuses the request when
 * that tab shows another conversation by then (REFUSAL.changed).
 */
export type PanelRequest =
  | { type: 'panel-hello'; id: number; tabId: number }
  | { type: 'panel-send'; id: number; tabId: number; conv: string; text: string }
  | { type: 'status'; id: number; tabId: number | null }
  | { type: 'go-private'; id: number; tabId: number; conv: string }
  | { type: 'refresh-private'; id: number; tabId: number; conv: string }
  | { type: 'end-private'; id: number; tabId: number; conv: string }
  | { type: 'smp-start'; id: number; tabId: number; secret: string; question: string | null; conv: string }
  | { type: 'smp-answer'; id: number; tabId: number; secret: string; conv: string }
  | { type: 'smp-abort'; id: number; tabId: number; conv: string }
  | {
      type: 'set-trust';
      id: number;
      tabId: number;
      fingerprint: string;
      trust: '' | 'verified';
      conv: string;
    }
  /** Retry of a message that was not delivered: encrypted afresh (never the same keystream). */
  | { type: 'retry-send-tab'; id: number; tabId: number; entryId: string; conv: string }
  // The passphrase lock (issue 18): the panel shows the unlock prompt and "Lock now".
  | { type: 'lock-state'; id: number }
  | { type: 'lock-unlock'; id: number; passphrase: string }
  | { type: 'lock-now'; id: number };

/** Content script → background as a one-shot runtime message (so a click's user gesture carries). */
export type ContentOneShot = { type: 'open-panel' };

/**
 * How a key file travels (src/otr/keyfile.ts): libgcrypt prints some MPIs as quoted strings with
 * raw bytes 0xa1..0xff, so an otr.private_key is not always UTF-8 and must not pass through a
 * text decoder. 'text': the file is UTF-8 (pasted, or a picked file that decodes strictly);
 * 'base64': the file's exact bytes, base64 (a picked file that is not UTF-8), within the same
 * LIMITS.keyFile characters.
 */
export type KeyFileEncoding = 'text' | 'base64';
/** An exported otr.private_key: `file` is its exact bytes (base64, to save); `text` is for showing. */
export interface KeyExport {
  text: string;
  file: string;
}

/** Extension page without a tab role (popup, options) → background. */
export type PageRequest =
  | { type: 'status'; id: number; tabId: number | null }
  | { type: 'increment'; id: number }
  | { type: 'go-private'; id: number; tabId: number }
  | { type: 'refresh-private'; id: number; tabId: number }
  | { type: 'end-private'; id: number; tabId: number }
  | { type: 'smp-start'; id: number; tabId: number; secret: string; question: string | null }
  | { type: 'smp-answer'; id: number; tabId: number; secret: string }
  | { type: 'smp-abort'; id: number; tabId: number }
  | { type: 'set-trust'; id: number; tabId: number; fingerprint: string; trust: '' | 'verified' }
  | { type: 'site-enabled'; id: number; origin: string }
  | { type: 'keys-list'; id: number }
  | { type: 'key-generate'; id: number; account: string; protocol: string }
  /** passphrase: required when a passphrase is set (locked or not), else null. */
  | { type: 'key-export'; id: number; passphrase: string | null }
  | { type: 'key-import'; id: number; text: string; encoding: KeyFileEncoding }
  // ui (#16): key management with confirmations, and the accounts offrecord has seen.
  | { type: 'key-regenerate'; id: number; account: string; protocol: string }
  | { type: 'key-delete'; id: number; account: string; protocol: string }
  | { type: 'key-import-preview'; id: number; text: string; encoding: KeyFileEncoding }
  | { type: 'accounts-seen'; id: number }
  | { type: 'fingerprints-list'; id: number }
  | {
      type: 'fingerprint-trust';
      id: number;
      account: string;
      protocol: string;
      buddy: string;
      fingerprint: string;
      trust: '' | 'verified';
    }
  | {
      type: 'fingerprint-forget';
      id: number;
      account: string;
      protocol: string;
      buddy: string;
      fingerprint: string;
    }
  | { type: 'fingerprints-export'; id: number }
  | { type: 'fingerprints-import'; id: number; text: string }
  | { type: 'sites-list'; id: number }
  | { type: 'site-policy'; id: number; origin: string; policy: PolicyName }
  | { type: 'site-remove'; id: number; origin: string }
  /** Every buddy offrecord knows (fingerprints, open chats, own policy set) with its policy. */
  | { type: 'buddy-policies'; id: number }
  /** A buddy's own policy, overriding the site's; 'default' removes it. */
  | {
      type: 'buddy-policy';
      id: number;
      account: string;
      protocol: string;
      buddy: string;
      policy: BuddyPolicyName;
    }
  /** The longest message the site carries (null: what its adapter or profile says). */
  | { type: 'site-max-length'; id: number; origin: string; maxMessageLength: number | null }
  /** How fast lines go out on the site (null: its adapter's default). */
  | { type: 'site-pacing'; id: number; origin: string; pacing: Pacing | null }
  /** The retry of a not-delivered message in the tab's conversation (popup, side panel). */
  | { type: 'retry-send-tab'; id: number; tabId: number; entryId: string }
  /** Starts the element picker in the tab's page ("show offrecord where"). */
  | { type: 'picker-start'; id: number; tabId: number }
  | { type: 'profile-get'; id: number; origin: string }
  /** Imports a profile file; the site it is for comes from the file. */
  | { type: 'profile-import'; id: number; text: string }
  | { type: 'profile-export'; id: number; origin: string }
  | { type: 'profile-remove'; id: number; origin: string }
  // The passphrase lock (issue 18).
  | { type: 'lock-state'; id: number }
  | { type: 'lock-set'; id: number; passphrase: string }
  | { type: 'lock-unlock'; id: number; passphrase: string }
  | { type: 'lock-now'; id: number }
  | { type: 'lock-change'; id: number; oldPassphrase: string; newPassphrase: string }
  | { type: 'lock-remove'; id: number; passphrase: string }
  | { type: 'lock-auto'; id: number; autoLockSeconds: number }
  | { type: 'lock-offer-dismiss'; id: number }
  /** Ends every private conversation, then erases everything offrecord stored. */
  | { type: 'panic-wipe'; id: number };

export type Request = ContentRequest | PanelRequest | PageRequest;
export type RequestType = Request['type'];

// ---------------------------------------------------------------- results

export interface HelloResult {
  tabId: number;
  frameId: number;
  /** The saved site profile for the sender's origin, or null. */
  profile: SiteProfile | null;
}

export interface TabStatus {
  tabId: number;
  /** A content script in this tab's top frame said hello and its port is still open. */
  connected: boolean;
  /** The URL the content script reported (only when connected). */
  url: string | null;
  badge: BadgeStatus;
  alert: BadgeAlert;
  /** Chat messages from this tab dropped by the incoming rate limit (I8). */
  dropped?: number;
}

/** The tab's open chat as its content script reported it (no secrets). */
export interface ConversationInfo {
  account: string;
  protocol: string;
  peer: string | null;
  kind: ConversationKind;
  /** Why private mode is refused here (group chat, no compose box...), or null. */
  reason: string | null;
  maxMessageSize: number;
}

export interface StatusResult {
  tab: TabStatus | null;
  counter: number;
  /** Messages the background refused since it started (bad shape, or not allowed for that port). */
  invalidMessages: number;
  /** Host patterns offrecord holds permission for, i.e. where its content script is registered. */
  sites: string[];
  /** The tab's site: its origin and whether offrecord runs there. */
  site: { origin: string; enabled: boolean } | null;
  conversation: ConversationInfo | null;
  status: ConversationStatus | null;
  /** A key being generated for the tab's account, with its progress 0..1. */
  keygen: { account: string; protocol: string; fraction: number } | null;
  /** What the tab's content script found on the page (adapter, profile fit, guess). */
  page: PageInfo | null;
  /** The passphrase lock. */
  lock: LockInfo;
}

export interface KeyInfo {
  account: string;
  protocol: string;
  fingerprint: string;
  created: number;
}

/** A key an import would store, and the fingerprint of the key it would replace (null: none). */
export interface KeyImportPreview {
  account: string;
  protocol: string;
  fingerprint: string;
  replaces: string | null;
}

/** An account offrecord has seen on an allowed site (a chat tab reported it, or a conversation had it). */
export interface AccountSeen {
  account: string;
  protocol: string;
  site: string | null;
}

export interface BuddyPolicyInfo {
  account: string;
  protocol: string;
  buddy: string;
  policy: BuddyPolicyName;
}

export interface FingerprintInfo {
  account: string;
  protocol: string;
  buddy: string;
  /** Human form (5 groups of 8 hex digits). */
  fingerprint: string;
  trust: Trust;
  lastSeen: number;
}

/** What the panel shows for a tab: its chat, that chat's conversation id, status and transcript. */
export interface PanelHello {
  tabId: number;
  /** The tab's site, when offrecord runs there. */
  site: string | null;
  /** The conversation id of the tab's one-to-one chat (bind sends to it), or null. */
  conv: string | null;
  conversation: ConversationInfo | null;
  status: ConversationStatus | null;
  transcript: TranscriptEntry[];
}

export type Empty = Record<string, never>;
export type StatusOnly = { status: ConversationStatus };

export interface ResultMap {
  hello: HelloResult;
  /** `pacing`: the user's setting for the site, null for the adapter's default. */
  /**
   * Only what the content script acts on. Never the conversation's status: it holds what came
   * inside the encrypted channel (the buddy's SMP question), trust and fingerprints (I1).
   */
  conversation: { privateMode: boolean; pacing: Pacing | null };
  'chat-messages': Empty;
  'wire-sent': Empty;
  'wire-delivered': Empty;
  /** Every line dropped from the outbox with the failed ones (the rest of their messages). */
  'wire-failed': { dropped: number[] };
  'site-error': Empty;
  'retry-send-tab': StatusOnly;
  'site-pacing': Empty;
  'toggle-private': { privateMode: boolean };
  'panel-hello': PanelHello;
  'panel-send': StatusOnly;
  status: StatusResult;
  increment: { counter: number };
  'go-private': StatusOnly;
  'refresh-private': StatusOnly;
  'end-private': StatusOnly;
  'smp-start': StatusOnly;
  'smp-answer': StatusOnly;
  'smp-abort': StatusOnly;
  'set-trust': StatusOnly;
  'site-enabled': Empty;
  'keys-list': KeyInfo[];
  'key-generate': { fingerprint: string };
  'key-export': KeyExport;
  'key-import': { imported: number };
  'key-regenerate': { fingerprint: string; previous: string | null };
  'key-delete': Empty;
  'key-import-preview': { keys: KeyImportPreview[] };
  'accounts-seen': AccountSeen[];
  'fingerprints-list': FingerprintInfo[];
  'fingerprint-trust': Empty;
  'fingerprint-forget': Empty;
  'fingerprints-export': { text: string };
  'fingerprints-import': { imported: number };
  'sites-list': {
    origin: string;
    policy: PolicyName;
    maxMessageLength: number | null;
    pacing: Pacing | null;
  }[];
  'site-policy': Empty;
  'site-remove': Empty;
  'buddy-policies': BuddyPolicyInfo[];
  'buddy-policy': Empty;
  'site-max-length': Empty;
  'page-info': Empty;
  'profile-save': Empty;
  'picker-start': Empty;
  'profile-get': { profile: SiteProfile | null };
  'profile-import': { origin: string };
  'profile-export': { text: string };
  'profile-remove': Empty;
  'lock-state': LockInfo;
  'lock-set': LockInfo;
  'lock-unlock': LockInfo;
  'lock-now': LockInfo;
  'lock-change': LockInfo;
  'lock-remove': LockInfo;
  'lock-auto': LockInfo;
  'lock-offer-dismiss': LockInfo;
  'panic-wipe': WipeReport;
}
export type IncrementResult = ResultMap['increment'];

export type Reply =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

// ---------------------------------------------------------------- pushes

export type PushEvent =
  // → content script
  | { type: 'send-wire'; lines: WireLine[] }
  | { type: 'private-mode'; on: boolean; reason: string | null }
  | { type: 'start-picker' }
  /** The site's saved profile was saved, imported or removed: read the page with the new one. */
  | { type: 'profile-changed'; profile: SiteProfile | null }
  // → the panel: the transcript of the conversation `conv` shown in tab `tabId`
  | { type: 'transcript'; tabId: number; conv: string; entries: TranscriptEntry[] }
  /** → the panel: the tab's chat changed (another buddy, another page, offrecord gone): hello again. */
  | { type: 'panel-switch'; tabId: number }
  // → panel and popup
  | { type: 'status'; status: ConversationStatus; tabId?: number }
  // → popup / options
  | { type: 'keygen'; account: string; protocol: string; fraction: number }
  | { type: 'smp-request'; tabId: number; question: string | null }
  /** The lock changed (locked, unlocked, settings), or a buddy's message waits for an unlock. */
  | { type: 'lock'; lock: LockInfo };

export interface Push {
  type: 'push';
  event: PushEvent;
}

// ---------------------------------------------------------------- checks

/** A failed check (null is a legitimate value of many fields). */
const BAD: unique symbol = Symbol('bad');
type Check<T> = (x: unknown) => T | typeof BAD;

type Rec = Record<string, unknown>;

function isRecord(x: unknown): x is Rec {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isUint(x: unknown, max = Number.MAX_SAFE_INTEGER): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max;
}

function isBoundedString(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.length <= max;
}

/** An http(s) URL of bounded length that the URL parser accepts. */
export function isWebUrl(x: unknown): x is string {
  if (!isBoundedString(x, LIMITS.url) || x.length === 0) return false;
  let u: URL;
  try {
    u = new URL(x);
  } catch {
    return false;
  }
  return u.protocol === 'http:' || u.protocol === 'https:';
}

/** An http(s) origin exactly as URL.origin writes it ("https://host[:port]"). */
export function isWebOrigin(x: unknown): x is string {
  if (!isBoundedString(x, LIMITS.origin) || !isWebUrl(x)) return false;
  return new URL(x).origin === x;
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

const str =
  (max: number, min = 0): Check<string> =>
  (x) =>
    typeof x === 'string' && x.length >= min && x.length <= max ? x : BAD;
/** A non-empty single-line string without control characters (names, accounts). */
const name =
  (max: number): Check<string> =>
  (x) =>
    typeof x === 'string' && x.length > 0 && x.length <= max && !hasControl(x) ? x : BAD;
const uint =
  (max = Number.MAX_SAFE_INTEGER): Check<number> =>
  (x) =>
    isUint(x, max) ? x : BAD;
const bool: Check<boolean> = (x) => (typeof x === 'boolean' ? x : BAD);
const fraction: Check<number> = (x) => (typeof x === 'number' && x >= 0 && x <= 1 ? x : BAD);
const webUrl: Check<string> = (x) => (isWebUrl(x) ? x : BAD);
const webOrigin: Check<string> = (x) => (isWebOrigin(x) ? x : BAD);
const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (x) =>
    values.includes(x as T) ? (x as T) : BAD;
const nullable =
  <T>(c: Check<T>): Check<T | null> =>
  (x) =>
    x === null ? null : c(x);
const arrayOf =
  <T>(c: Check<T>, max: number): Check<T[]> =>
  (x) => {
    if (!Array.isArray(x) || x.length > max) return BAD;
    const out: T[] = [];
    for (const item of x) {
      const v = c(item);
      if (v === BAD) return BAD;
      out.push(v);
    }
    return out;
  };
/** 40 hex digits, spaces allowed between (libotr's human form or plain hex). */
const fingerprintText: Check<string> = (x) =>
  typeof x === 'string' && x.length <= LIMITS.fingerprint && /^[0-9a-fA-F]{40}$/.test(x.replace(/ /g, ''))
    ? x
    : BAD;

type Shape<T> = { [K in keyof T]-?: Check<T[K]> };

/**
 * An object with exactly these keys (those listed in `optional` may be absent), each checked;
 * the result is a fresh object with only those keys.
 */
function object<T>(shape: Shape<T>, optional: readonly (keyof T & string)[] = []): Check<T> {
  const keys = Object.keys(shape) as (keyof T & string)[];
  return (x) => {
    if (!isRecord(x)) return BAD;
    for (const k of Object.keys(x)) if (!Object.hasOwn(shape, k)) return BAD;
    const out: Rec = {};
    for (const k of keys) {
      if (!Object.hasOwn(x, k)) {
        if (optional.includes(k)) continue;
        return BAD;
      }
      const v = shape[k](x[k]);
      if (v === BAD) return BAD;
      out[k] = v;
    }
    return out as T;
  };
}

const nothing: Check<Empty> = object<Empty>({});

const conversationStatus: Check<ConversationStatus> = object<ConversationStatus>(
  {
    state: oneOf<MsgState>(['plaintext', 'encrypted', 'finished']),
    version: uint(3),
    privateMode: bool,
    trust: oneOf(TRUSTS),
    fingerprint: nullable(str(LIMITS.fingerprint)),
    ourFingerprint: nullable(str(LIMITS.fingerprint)),
    fingerprintChanged: bool,
    authInProgress: bool,
    smp: object<ConversationStatus['smp']>(
      {
        state: str(32),
        question: (x) => (x === undefined ? BAD : str(LIMITS.question)(x)),
        result: (x) => (x === undefined ? BAD : oneOf(SMP_OUTCOMES)(x)),
      },
      ['question', 'result'],
    ),
    held: uint(),
    pendingWire: uint(),
    siteError: nullable(str(LIMITS.reason)),
    limits: (x) =>
      x === undefined
        ? BAD
        : object<ConversationLimits>(
            {
              truncated: uint(),
              trimmed: uint(),
              notStored: uint(),
              outboxDropped: uint(),
              dropped: uint(),
            },
            ['dropped'],
          )(x),
  },
  ['limits'],
);

const transcriptEntry: Check<TranscriptEntry> = object<TranscriptEntry>(
  {
    id: str(LIMITS.chatId, 1),
    dir: oneOf<'in' | 'out' | 'notice'>(['in', 'out', 'notice']),
    text: str(LIMITS.transcriptText),
    at: uint(),
    encrypted: bool,
    status: (x) => (x === undefined ? BAD : oneOf(DELIVERY_STATUSES)(x)),
    progress: (x) =>
      x === undefined ? BAD : object<{ done: number; total: number }>({ done: uint(), total: uint() })(x),
    truncated: (x) => (x === undefined ? BAD : uint()(x)),
    notice: (x) => (x === undefined ? BAD : oneOf(NOTICE_CODES)(x)),
  },
  ['status', 'progress', 'truncated', 'notice'],
);

const chatMessage: Check<ChatMessage> = object<ChatMessage>({
  id: str(LIMITS.chatId, 1),
  from: str(LIMITS.peer),
  text: str(LIMITS.chatText),
  own: bool,
});

/** The characters a chat message costs in a batch (chatBatchChars). */
export function chatMessageChars(m: ChatMessage): number {
  return m.text.length + m.id.length + m.from.length;
}

/** Splits rows into batches the background accepts: chatBatch messages, chatBatchChars characters. */
export function chatBatches<T extends { m: ChatMessage }>(all: T[]): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let chars = 0;
  for (const f of all) {
    const c = chatMessageChars(f.m);
    if (cur.length > 0 && (cur.length >= LIMITS.chatBatch || chars + c > LIMITS.chatBatchChars)) {
      out.push(cur);
      cur = [];
      chars = 0;
    }
    cur.push(f);
    chars += c;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** At most chatBatch messages and chatBatchChars characters together. */
const chatBatch: Check<ChatMessage[]> = (x) => {
  const list = arrayOf(chatMessage, LIMITS.chatBatch)(x);
  if (list === BAD) return BAD;
  let chars = 0;
  for (const m of list) chars += chatMessageChars(m);
  return chars <= LIMITS.chatBatchChars ? list : BAD;
};

/** A site profile (src/profile/profile.ts validates every key; data only, never code). */
const siteProfile: Check<SiteProfile> = (x) => {
  try {
    return validateProfile(x);
  } catch {
    return BAD;
  }
};

const pageInfo: Check<PageInfo> = object<PageInfo>({
  adapter: nullable(name(LIMITS.adapterName)),
  profile: nullable(
    object<{ ok: boolean; problems: string[]; rows: number }>({
      ok: bool,
      problems: arrayOf(str(LIMITS.problem), LIMITS.problems),
      rows: uint(),
    }),
  ),
  guess: nullable(
    object<{ confidence: number; reasons: string[] }>({
      confidence: fraction,
      reasons: arrayOf(str(LIMITS.problem), LIMITS.reasons),
    }),
  ),
});

const wireLine: Check<WireLine> = object<WireLine>(
  { seq: uint(), wire: str(LIMITS.wire, 1), typed: (x) => (x === true ? true : BAD) },
  ['typed'],
);

const pacing: Check<Pacing> = object<Pacing>({
  burst: (x) => (isUint(x, LIMITS.pacingBurstMax) && x >= 1 ? x : BAD),
  intervalMs: uint(LIMITS.pacingIntervalMax),
});
const seqList = arrayOf(uint(), LIMITS.wireBatch);

const siteMaxLength: Check<number> = (x) =>
  isUint(x, LIMITS.siteMaxLengthMax) && x >= LIMITS.siteMaxLengthMin ? x : BAD;

/**
 * The longest line the site takes, as its adapter reports it: 0 for no limit, else at least the
 * smallest a user may set. Below that, fragmenting fails after the engine has changed its state
 * (held messages taken, an AKE step made) and the line is never sent.
 */
const lineLimit: Check<number> = (x) =>
  isUint(x, LIMITS.maxMessageSize) && (x === 0 || x >= LIMITS.siteMaxLengthMin) ? x : BAD;

const passphrase = str(LIMITS.passphrase, 1);
const lockInfo: Check<LockInfo> = object<LockInfo>({
  state: oneOf(LOCK_STATES),
  autoLockSeconds: uint(LIMITS.autoLockSeconds),
  held: uint(LIMITS.heldWhileLocked),
  offer: bool,
});
const wipeReport: Check<WipeReport> = object<WipeReport>({
  ended: uint(),
  unreachable: uint(),
  keys: uint(),
  fingerprints: uint(),
  instanceTags: uint(),
  sites: uint(),
  conversations: uint(),
  transcriptEntries: uint(),
  settings: uint(),
});

const account = name(LIMITS.account);
const protocol = name(LIMITS.protocol);
const peer = name(LIMITS.peer);
const tabId = uint();
const keyFileEncoding = oneOf<KeyFileEncoding>(['text', 'base64']);

// ---------------------------------------------------------------- request validators

type Fields<R> = Shape<Omit<R, 'type' | 'id'>>;
type FieldTable<U extends { type: string }> = { [T in U['type']]: Fields<Extract<U, { type: T }>> };

const CONTENT_FIELDS: FieldTable<ContentRequest> = {
  hello: { url: webUrl },
  conversation: {
    account,
    protocol,
    peer: nullable(peer),
    kind: oneOf<ConversationKind>(['one-to-one', 'group', 'none']),
    reason: nullable(str(LIMITS.reason)),
    maxMessageSize: lineLimit,
    composeFound: bool,
    listFound: bool,
  },
  'chat-messages': { messages: chatBatch, history: bool },
  'wire-sent': { seq: uint() },
  'wire-delivered': { seqs: seqList },
  'wire-failed': { seqs: seqList },
  'site-error': { error: nullable(str(LIMITS.reason, 1)) },
  'toggle-private': {},
  'page-info': { info: pageInfo },
  'profile-save': { profile: siteProfile },
};

const trustInput = oneOf<'' | 'verified'>(['', 'verified']);
const conv = str(LIMITS.conv, 1);

const PANEL_FIELDS: FieldTable<PanelRequest> = {
  'panel-hello': { tabId },
  'panel-send': { tabId, conv, text: str(LIMITS.composeText, 1) },
  status: { tabId: nullable(tabId) },
  'go-private': { tabId, conv },
  'refresh-private': { tabId, conv },
  'end-private': { tabId, conv },
  'smp-start': {
    tabId,
    secret: str(LIMITS.secret, 1),
    question: nullable(str(LIMITS.question, 1)),
    conv,
  },
  'smp-answer': { tabId, secret: str(LIMITS.secret, 1), conv },
  'smp-abort': { tabId, conv },
  'set-trust': { tabId, fingerprint: fingerprintText, trust: trustInput, conv },
  'retry-send-tab': { tabId, entryId: str(LIMITS.chatId, 1), conv },
  'lock-state': {},
  'lock-unlock': { passphrase },
  'lock-now': {},
};
const PAGE_FIELDS: FieldTable<PageRequest> = {
  status: { tabId: nullable(tabId) },
  increment: {},
  'go-private': { tabId },
  'refresh-private': { tabId },
  'end-private': { tabId },
  'smp-start': { tabId, secret: str(LIMITS.secret, 1), question: nullable(str(LIMITS.question, 1)) },
  'smp-answer': { tabId, secret: str(LIMITS.secret, 1) },
  'smp-abort': { tabId },
  'set-trust': { tabId, fingerprint: fingerprintText, trust: trustInput },
  'site-enabled': { origin: webOrigin },
  'keys-list': {},
  'key-generate': { account, protocol },
  'key-export': { passphrase: nullable(passphrase) },
  'key-import': { text: str(LIMITS.keyFile, 1), encoding: keyFileEncoding },
  'key-regenerate': { account, protocol },
  'key-delete': { account, protocol },
  'key-import-preview': { text: str(LIMITS.keyFile, 1), encoding: keyFileEncoding },
  'accounts-seen': {},
  'fingerprints-list': {},
  'fingerprint-trust': { account, protocol, buddy: peer, fingerprint: fingerprintText, trust: trustInput },
  'fingerprint-forget': { account, protocol, buddy: peer, fingerprint: fingerprintText },
  'fingerprints-export': {},
  'fingerprints-import': { text: str(LIMITS.fingerprintsFile, 1) },
  'sites-list': {},
  'site-policy': { origin: webOrigin, policy: oneOf(POLICY_NAMES) },
  'site-remove': { origin: webOrigin },
  'buddy-policies': {},
  'buddy-policy': { account, protocol, buddy: peer, policy: oneOf(BUDDY_POLICY_NAMES) },
  'site-max-length': { origin: webOrigin, maxMessageLength: nullable(siteMaxLength) },
  'site-pacing': { origin: webOrigin, pacing: nullable(pacing) },
  'retry-send-tab': { tabId, entryId: str(LIMITS.chatId, 1) },
  'picker-start': { tabId },
  'profile-get': { origin: webOrigin },
  'profile-import': { text: str(LIMITS.profileFile, 1) },
  'profile-export': { origin: webOrigin },
  'profile-remove': { origin: webOrigin },
  'lock-state': {},
  'lock-set': { passphrase },
  'lock-unlock': { passphrase },
  'lock-now': {},
  'lock-change': { oldPassphrase: passphrase, newPassphrase: passphrase },
  'lock-remove': { passphrase },
  'lock-auto': { autoLockSeconds: uint(LIMITS.autoLockSeconds) },
  'lock-offer-dismiss': {},
  'panic-wipe': {},
};

function requestValidator<U extends { type: string; id: number }>(
  table: FieldTable<U>,
): (x: unknown) => U | null {
  const checks = new Map<string, Check<U>>();
  for (const [type, fields] of Object.entries(table) as [string, Rec][]) {
    checks.set(
      type,
      object<U>({
        type: (v: unknown) => (v === type ? v : BAD),
        id: uint(),
        ...fields,
      } as unknown as Shape<U>),
    );
  }
  return (x) => {
    if (!isRecord(x) || typeof x.type !== 'string' || !Object.hasOwn(table, x.type)) return null;
    const v = checks.get(x.type)?.(x);
    return v === undefined || v === BAD ? null : v;
  };
}

export const validateContentRequest = requestValidator<ContentRequest>(CONTENT_FIELDS);
export const validatePanelRequest = requestValidator<PanelRequest>(PANEL_FIELDS);

/** The content script's one-shot runtime messages (runtime.sendMessage, not the port). */
export function validateContentOneShot(x: unknown): ContentOneShot | null {
  return isRecord(x) && x.type === 'open-panel' && Object.keys(x).length === 1
    ? { type: 'open-panel' }
    : null;
}
export const validatePageRequest = requestValidator<PageRequest>(PAGE_FIELDS);

// ---------------------------------------------------------------- reply validators

export function validateReply(x: unknown): Reply | null {
  if (!isRecord(x) || x.type !== 'reply' || !isUint(x.id)) return null;
  const keys = Object.keys(x);
  if (x.ok === true) {
    if (keys.length !== 4 || !Object.hasOwn(x, 'result')) return null;
    return { type: 'reply', id: x.id, ok: true, result: x.result };
  }
  if (x.ok === false) {
    if (keys.length !== 4 || !isBoundedString(x.error, LIMITS.error)) return null;
    return { type: 'reply', id: x.id, ok: false, error: x.error };
  }
  return null;
}

const statusOnly: Check<StatusOnly> = object<StatusOnly>({ status: conversationStatus });
const importedCount = object<{ imported: number }>({ imported: uint() });
const textResult = object<{ text: string }>({ text: str(LIMITS.fingerprintsFile) });

const tabStatus: Check<TabStatus> = object<TabStatus>(
  {
    tabId,
    connected: bool,
    url: nullable(webUrl),
    badge: oneOf(BADGE_STATUSES),
    alert: oneOf(BADGE_ALERTS),
    dropped: (x) => (x === undefined ? BAD : uint()(x)),
  },
  ['dropped'],
);

const conversationInfo: Check<ConversationInfo> = object<ConversationInfo>({
  account,
  protocol,
  peer: nullable(peer),
  kind: oneOf<ConversationKind>(['one-to-one', 'group', 'none']),
  reason: nullable(str(LIMITS.reason)),
  maxMessageSize: uint(LIMITS.maxMessageSize),
});

const keygenProgress = object<{ account: string; protocol: string; fraction: number }>({
  account,
  protocol,
  fraction,
});

const RESULTS: { [K in RequestType]: Check<ResultMap[K]> } = {
  hello: object<HelloResult>({ tabId, frameId: uint(), profile: nullable(siteProfile) }),
  conversation: object<ResultMap['conversation']>({ privateMode: bool, pacing: nullable(pacing) }),
  'chat-messages': nothing,
  'wire-sent': nothing,
  'wire-delivered': nothing,
  'wire-failed': object<{ dropped: number[] }>({ dropped: seqList }),
  'site-error': nothing,
  'retry-send-tab': statusOnly,
  'site-pacing': nothing,
  'toggle-private': object<{ privateMode: boolean }>({ privateMode: bool }),
  'panel-hello': object<PanelHello>({
    tabId,
    site: nullable(webOrigin),
    conv: nullable(conv),
    conversation: nullable(conversationInfo),
    status: nullable(conversationStatus),
    transcript: arrayOf(transcriptEntry, LIMITS.transcript),
  }),
  'panel-send': statusOnly,
  status: object<StatusResult>({
    tab: nullable(tabStatus),
    counter: uint(),
    invalidMessages: uint(),
    sites: arrayOf(str(LIMITS.origin), LIMITS.sites),
    site: nullable(object<{ origin: string; enabled: boolean }>({ origin: webOrigin, enabled: bool })),
    conversation: nullable(conversationInfo),
    status: nullable(conversationStatus),
    keygen: nullable(keygenProgress),
    page: nullable(pageInfo),
    lock: lockInfo,
  }),
  increment: object<{ counter: number }>({ counter: uint() }),
  'go-private': statusOnly,
  'refresh-private': statusOnly,
  'end-private': statusOnly,
  'smp-start': statusOnly,
  'smp-answer': statusOnly,
  'smp-abort': statusOnly,
  'set-trust': statusOnly,
  'site-enabled': nothing,
  'keys-list': arrayOf(
    object<KeyInfo>({ account, protocol, fingerprint: str(LIMITS.fingerprint), created: uint() }),
    LIMITS.list,
  ),
  'key-generate': object<{ fingerprint: string }>({ fingerprint: str(LIMITS.fingerprint) }),
  'key-export': object<KeyExport>({
    text: str(LIMITS.fingerprintsFile),
    file: str(4 * Math.ceil(LIMITS.fingerprintsFile / 3)),
  }),
  'key-import': importedCount,
  'key-regenerate': object<{ fingerprint: string; previous: string | null }>({
    fingerprint: str(LIMITS.fingerprint),
    previous: nullable(str(LIMITS.fingerprint)),
  }),
  'key-delete': nothing,
  'key-import-preview': object<{ keys: KeyImportPreview[] }>({
    keys: arrayOf(
      object<KeyImportPreview>({
        account,
        protocol,
        fingerprint: str(LIMITS.fingerprint),
        replaces: nullable(str(LIMITS.fingerprint)),
      }),
      LIMITS.list,
    ),
  }),
  'accounts-seen': arrayOf(
    object<AccountSeen>({ account, protocol, site: nullable(webOrigin) }),
    LIMITS.list,
  ),
  'fingerprints-list': arrayOf(
    object<FingerprintInfo>({
      account,
      protocol,
      buddy: peer,
      fingerprint: str(LIMITS.fingerprint),
      trust: oneOf(TRUSTS),
      lastSeen: uint(),
    }),
    LIMITS.list,
  ),
  'fingerprint-trust': nothing,
  'fingerprint-forget': nothing,
  'fingerprints-export': textResult,
  'fingerprints-import': importedCount,
  'sites-list': arrayOf(
    object<ResultMap['sites-list'][number]>({
      origin: webOrigin,
      policy: oneOf(POLICY_NAMES),
      maxMessageLength: nullable(siteMaxLength),
      pacing: nullable(pacing),
    }),
    LIMITS.sites,
  ),
  'site-policy': nothing,
  'site-remove': nothing,
  'buddy-policies': arrayOf(
    object<BuddyPolicyInfo>({ account, protocol, buddy: peer, policy: oneOf(BUDDY_POLICY_NAMES) }),
    LIMITS.list,
  ),
  'buddy-policy': nothing,
  'site-max-length': nothing,
  'page-info': nothing,
  'profile-save': nothing,
  'picker-start': nothing,
  'profile-get': object<{ profile: SiteProfile | null }>({ profile: nullable(siteProfile) }),
  'profile-import': object<{ origin: string }>({ origin: webOrigin }),
  'profile-export': object<{ text: string }>({ text: str(LIMITS.profileFile) }),
  'profile-remove': nothing,
  'lock-state': lockInfo,
  'lock-set': lockInfo,
  'lock-unlock': lockInfo,
  'lock-now': lockInfo,
  'lock-change': lockInfo,
  'lock-remove': lockInfo,
  'lock-auto': lockInfo,
  'lock-offer-dismiss': lockInfo,
  'panic-wipe': wipeReport,
};

function toValidator<T>(c: Check<T>): (x: unknown) => T | null {
  return (x) => {
    const v = c(x);
    return v === BAD ? null : v;
  };
}

export const RESULT_VALIDATORS = Object.fromEntries(
  Object.entries(RESULTS).map(([k, c]) => [k, toValidator(c as Check<unknown>)]),
) as { [K in RequestType]: (x: unknown) => ResultMap[K] | null };

export const validateHelloResult = RESULT_VALIDATORS.hello;
export const validateStatusResult = RESULT_VALIDATORS.status;
export const validateIncrementResult = RESULT_VALIDATORS.increment;
export const validateConversationStatus = toValidator(conversationStatus);
export const validateTranscriptEntry = toValidator(transcriptEntry);

// ---------------------------------------------------------------- push validator

const PUSH_FIELDS: { [T in PushEvent['type']]: Check<Extract<PushEvent, { type: T }>> } = {
  'send-wire': object({ type: oneOf(['send-wire'] as const), lines: arrayOf(wireLine, LIMITS.wireBatch) }),
  'private-mode': object({
    type: oneOf(['private-mode'] as const),
    on: bool,
    reason: nullable(str(LIMITS.reason)),
  }),
  'start-picker': object({ type: oneOf(['start-picker'] as const) }),
  'profile-changed': object<{ type: 'profile-changed'; profile: SiteProfile | null }>({
    type: oneOf(['profile-changed'] as const),
    profile: nullable(siteProfile),
  }),
  transcript: object({
    type: oneOf(['transcript'] as const),
    tabId,
    conv,
    entries: arrayOf(transcriptEntry, LIMITS.transcript),
  }),
  'panel-switch': object({ type: oneOf(['panel-switch'] as const), tabId }),
  status: object<{ type: 'status'; status: ConversationStatus; tabId?: number }>(
    {
      type: oneOf(['status'] as const),
      status: conversationStatus,
      tabId: (x) => (x === undefined ? BAD : tabId(x)),
    },
    ['tabId'],
  ),
  keygen: object({ type: oneOf(['keygen'] as const), account, protocol, fraction }),
  'smp-request': object({
    type: oneOf(['smp-request'] as const),
    tabId,
    question: nullable(str(LIMITS.question)),
  }),
  lock: object({ type: oneOf(['lock'] as const), lock: lockInfo }),
};

/** Validates a whole push message `{type: 'push', event}`; returns the event, or null. */
export function validatePush(x: unknown): PushEvent | null {
  if (!isRecord(x) || x.type !== 'push' || Object.keys(x).length !== 2 || !isRecord(x.event)) return null;
  const t = x.event.type;
  if (typeof t !== 'string' || !Object.hasOwn(PUSH_FIELDS, t)) return null;
  const v = PUSH_FIELDS[t as PushEvent['type']](x.event);
  return v === BAD ? null : v;
}

/** A request without its id: what a client passes to PortClient.request(). */
export type RequestBody<R extends Request> = R extends Request ? Omit<R, 'id'> : never;
