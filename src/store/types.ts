/**
 * What offrecord keeps, split by how long it may live:
 *
 * - KeyStore (IndexedDB, on disk): the user's long-term DSA keys per account, our instance tags,
 *   buddies' fingerprints with their trust, per-site settings. These must survive a browser
 *   restart, as pidgin-otr's otr.private_key / otr.fingerprints / otr.instance_tags do.
 * - SessionStore (storage.session in the extension: memory only, survives the worker being
 *   killed, gone when the browser closes): per conversation a small state record (the OTR session
 *   snapshot with its ephemeral keys, the outbox of wire lines not yet handed to the page, the
 *   hashes of chat messages already handled) and, beside it, the transcript in chunks. Ephemeral
 *   keys never touch the disk: that is what forward secrecy (the "off the record" in OTR) asks
 *   for, and plaintext never does either. Every part has a byte budget (./budgets.ts, I8).
 */
import type { DsaPrivateKey, DsaPublicKey } from '../crypto/dsa';
import type { PolicyName } from '../otr/policy';
import type { SessionSnapshot } from '../otr/session';
import type { SiteProfile } from '../profile/profile';
import type { LockRecord } from './key-lock';

export type Trust = '' | 'verified' | 'smp';

export interface FingerprintRecord {
  account: string;
  protocol: string;
  buddy: string;
  /** 40 lowercase hex digits. */
  fingerprint: string;
  trust: Trust;
  firstSeen: number;
  lastSeen: number;
}

export interface SiteSettings {
  /** The site's origin, e.g. "https://chat.example". */
  origin: string;
  policy: PolicyName;
  /** The site profile made by the element picker or imported (src/profile/profile.ts). */
  profile?: SiteProfile;
  /**
   * The longest message the user says the site carries, overriding what its adapter or profile
   * says (e.g. an XMPP server with a smaller stanza limit): OTR fragments above it.
   */
  maxMessageLength?: number;
  /**
   * How fast offrecord sends on this site, overriding its adapter's default: `burst` lines at once,
   * then one every `intervalMs` (a server with flood limits disconnects faster senders).
   */
  pacing?: { burst: number; intervalMs: number };
}

/**
 * A buddy's own OTR policy, as pidgin-otr keeps per buddy (account, protocol, buddy name; the
 * same key as the buddy's fingerprints). It overrides the site's policy for conversations with
 * that buddy; no record means "use the site's policy".
 */
export interface BuddyPolicy {
  account: string;
  protocol: string;
  buddy: string;
  policy: PolicyName;
}

export interface KeyStore {
  /** The private key; under a passphrase lock, throws KeyLockedError while locked (key-lock.ts). */
  getKey(account: string, protocol: string): Promise<DsaPrivateKey | null>;
  /** The public part: available while locked too (fingerprints, status). */
  getPublicKey(account: string, protocol: string): Promise<DsaPublicKey | null>;
  putKey(account: string, protocol: string, key: DsaPrivateKey): Promise<void>;
  deleteKey(account: string, protocol: string): Promise<void>;
  listKeys(): Promise<{ account: string; protocol: string; key: DsaPrivateKey; created: number }[]>;
  listPublicKeys(): Promise<{ account: string; protocol: string; key: DsaPublicKey; created: number }[]>;

  getInstanceTag(account: string, protocol: string): Promise<number | null>;
  putInstanceTag(account: string, protocol: string, tag: number): Promise<void>;

  getFingerprints(account: string, protocol: string, buddy: string): Promise<FingerprintRecord[]>;
  putFingerprint(rec: FingerprintRecord): Promise<void>;
  deleteFingerprint(account: string, protocol: string, buddy: string, fingerprint: string): Promise<void>;
  listFingerprints(): Promise<FingerprintRecord[]>;

  getSite(origin: string): Promise<SiteSettings | null>;
  putSite(s: SiteSettings): Promise<void>;
  deleteSite(origin: string): Promise<void>;
  listSites(): Promise<SiteSettings[]>;

  /** The buddy's own policy, or null: the site's policy applies. */
  getBuddyPolicy(account: string, protocol: string, buddy: string): Promise<PolicyName | null>;
  putBuddyPolicy(p: BuddyPolicy): Promise<void>;
  deleteBuddyPolicy(account: string, protocol: string, buddy: string): Promise<void>;
  listBuddyPolicies(): Promise<BuddyPolicy[]>;
}

/**
 * Small settings that only offrecord's own contexts may read or change: the security mark and the
 * lock settings. They live in the extension origin's IndexedDB (store `meta`), not in
 * storage.local, which Chrome and Firefox expose to content scripts (a compromised one could read
 * the mark and draw a convincing fake panel, or switch auto-lock off).
 */
export type SettingName = 'securityMark' | 'lockSettings';

export interface SettingsStore {
  /** The stored value, or null. */
  getSetting(name: SettingName): Promise<unknown>;
  putSetting(name: SettingName, value: unknown): Promise<void>;
}

/**
 * A long-term key as stored: the public part in hex, and x either in clear (hex, no passphrase
 * set) or sealed under the passphrase's key (src/store/key-lock.ts), never both.
 */
export interface KeyRow {
  account: string;
  protocol: string;
  p: string;
  q: string;
  g: string;
  y: string;
  x?: string;
  sealed?: Uint8Array;
  created: number;
}

/**
 * What the IndexedDB and memory stores offer below the Keyring (src/store/keyring.ts): rows as
 * stored, the lock record, an all-or-nothing rewrite of every key row with the lock record (a
 * passphrase set or changed: never half the keys under the old one), and erasing everything.
 * No private-key reads or writes: x is sealed or opened only by the Keyring, which knows the lock.
 */
export interface RawKeyStore extends Omit<KeyStore, 'getKey' | 'putKey' | 'listKeys'>, SettingsStore {
  getKeyRow(account: string, protocol: string): Promise<KeyRow | null>;
  listKeyRows(): Promise<KeyRow[]>;
  putKeyRow(row: KeyRow): Promise<void>;
  getLock(): Promise<unknown>;
  /** In one transaction: the lock record (null: none) and exactly these key rows. */
  replaceKeys(lock: LockRecord | null, rows: KeyRow[]): Promise<void>;
  /**
   * Erases every record of every kind; returns how many of each there were (`sites` counts the
   * site settings and the buddies' own policies: both are settings of where and with whom).
   */
  clearAll(): Promise<{ keys: number; fingerprints: number; instanceTags: number; sites: number }>;
}

/**
 * How a sent message stands: 'held' until the conversation is private, 'sending' while its wire
 * lines go out (paced) and until the page shows every one back as the user's own message, 'sent'
 * once it did (delivered means seen), 'not-delivered' when that did not happen in time (Retry
 * encrypts it afresh), 'not-sent' when it was never encrypted (e.g. held too long).
 */
export type DeliveryStatus = 'held' | 'sending' | 'sent' | 'not-delivered' | 'not-sent';

/**
 * What happened in a conversation besides messages, shown in the panel's transcript where the
 * user reads (pidgin-otr shows these in its conversation window): 'started' private, 'ended' by
 * us, 'buddy-ended', the buddy's key changed ('key-changed' when the old one was verified: loud;
 * 'key-changed-unverified' when it was not), the buddy asks to authenticate ('smp-asked',
 * text = the question), an SMP run's result, a message that could not be read ('unreadable',
 * text = why), a held message given up ('not-sent', text = the message), another 'error', an
 * `?OTR Error:` text that came through the chat ('chat-error', text = what it says: anyone on
 * the chat's way can write one, so it is shown as the chat's, unauthenticated).
 */
export type NoticeCode =
  | 'started'
  | 'ended'
  | 'buddy-ended'
  | 'key-changed'
  | 'key-changed-unverified'
  | 'smp-asked'
  | 'smp-succeeded'
  | 'smp-failed'
  | 'smp-aborted'
  | 'smp-error'
  | 'unreadable'
  | 'not-sent'
  | 'error'
  | 'chat-error';

/**
 * One line of the private conversation (plaintext: extension pages only, never the content
 * script): a message ('in' / 'out') or a notice ('notice', with its code; text is its detail).
 */
export interface TranscriptEntry {
  /** Unique within the conversation: the chat's message id for received ones, ours for sent ones. */
  id: string;
  /** A message received or sent, or a notice about the conversation (see `notice`). */
  dir: 'in' | 'out' | 'notice';
  /** The message; for a notice its detail (the SMP question, the new fingerprint, why). */
  text: string;
  at: number;
  /** Received or sent encrypted. A plain message from a buddy is shown marked "not private". */
  encrypted: boolean;
  /** For sent messages (DeliveryStatus). */
  status?: DeliveryStatus;
  /** While 'sending': wire lines the page has shown back / lines of this message ("sending 3 of 8…"). */
  progress?: { done: number; total: number };
  /** The text was cut to its budget (BUDGETS.plainText / encryptedText): its original length. */
  truncated?: number;
  /** What a notice says. */
  notice?: NoticeCode;
}

export interface OutboxLine {
  seq: number;
  wire: string;
  /** The page took it (typed and sent): waiting to see it back, never typed again. */
  typed?: boolean;
  /** The transcript entries (sent messages) this line carries; none for AKE and SMP lines. */
  entries?: string[];
}

/**
 * One conversation's OTR state in SessionStore: what the worker-kill guarantee (I5) needs, and
 * nothing that grows with the chat. Bounded by BUDGETS.stateBytes; the transcript is stored apart.
 */
export interface ConversationRecord {
  v: 2;
  /** The engine's state; null before the first OTR message. */
  session: SessionSnapshot | null;
  /** Private mode: encryption required for this conversation (the user pressed "Go private"). */
  privateMode: boolean;
  /** Wire lines produced but not yet acknowledged as handed to the page, in order. */
  outbox: OutboxLine[];
  nextSeq: number;
  /**
   * Chat messages already processed: fixed-length hashes of (site message id, content) back to
   * back, oldest first (one string: cheap to store and to search), BUDGETS.seenIds at most.
   */
  seen: string;
  /** How the last SMP run ended, until a new one starts. */
  smpResult?: SmpOutcome;
  /** A verified buddy showed a new fingerprint: shown until the user acts. */
  fingerprintChanged: boolean;
  updated: number;
  /** What the byte budgets (I8) did to this conversation: counted, shown in its status. */
  limits?: StoredLimits;
}

/** How an SMP run ended. */
export type SmpOutcome = 'succeeded' | 'failed' | 'aborted' | 'error';

/** What the byte budgets (I8) did to one conversation so far. */
export interface StoredLimits {
  /** Lines shown cut to their budget (the entry says how long the original was). */
  truncated: number;
  /** Older transcript entries dropped to make room for this conversation's new ones. */
  trimmed: number;
  /** Transcript entries not stored at all (shown once, lost on a worker restart). */
  notStored: number;
  /** Wire lines not queued because the page had not taken the ones before (outbox full). */
  outboxDropped: number;
}

/** Transcript changes stored together with a state record. */
export interface TranscriptChanges {
  /** New entries, in order. */
  append?: TranscriptEntry[];
  /** Stored entries to replace, matched by id (an entry trimmed meanwhile is skipped). */
  update?: TranscriptEntry[];
}

/** What a save did beyond storing the state. */
export interface SaveReport {
  /** Transcript entries of any conversation dropped to keep the budgets. */
  trimmed: number;
  /** Entries of this save that could not be stored (budget or quota); the state was stored. */
  notStored: number;
  /** Why the transcript part was not stored, when it was not. */
  error?: string;
}

/** Bytes the store holds, as counted for the budgets (./budgets.ts). */
export interface StoreUsage {
  total: number;
  states: number;
  transcripts: number;
  /** Transcript entries of every conversation (counted in the index: no transcript is read). */
  entries: number;
  conversations: number;
  /** Transcript bytes per site. */
  sites: Record<string, number>;
}

export interface SessionStore {
  load(id: string): Promise<ConversationRecord | null>;
  /**
   * Writes the record and the transcript changes in one storage write; resolves only once it is
   * stored (effects leave after that). Rejects (BudgetError, quota) when the state could not be
   * stored; the transcript part alone may be given up (reported), never the state.
   */
  save(id: string, rec: ConversationRecord, tx?: TranscriptChanges): Promise<SaveReport>;
  /**
   * The stored transcript, oldest first; with `last`, its last `last` entries only, and only the
   * storage that holds them is read.
   */
  transcript(id: string, last?: number): Promise<TranscriptEntry[]>;
  remove(id: string): Promise<void>;
  list(): Promise<string[]>;
  usage(): Promise<StoreUsage>;
}
