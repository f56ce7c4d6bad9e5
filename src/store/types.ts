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
 * Their KeyStore methods read and write keys in clear; the background uses them only through
 * the Keyring.
 */
export interface RawKeyStore extends KeyStore {
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
  /**
   * For sent messages: 'held' until the conversation is private; 'sending' until the page shows
   * every wire line of it back as the user's own message; 'sent' once it did (delivered means
   * seen); 'not-delivered' when it did not in time; 'not-sent' never encrypted.
   */
  status?: 'held' | 'sending' | 'sent' | 'not-delivered' | 'not-sent';
  /** While 'sending': lines seen back / lines of the message. */
  progress?: { done: number; total: number };
  /** The text was cut to its budget (BUDGETS.plainText / encryptedText): its original length. */
  truncated?: number;
  /** What a notice says (extension/shared/messages.ts NoticeCode). */
  notice?:
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
    | 'error';
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
  smpResult?: 'succeeded' | 'failed' | 'aborted' | 'error';
  /** A verified buddy showed a new fingerprint: shown until the user acts. */
  fingerprintChanged: boolean;
  updated: number;
  /** What the byte budgets (I8) did to this conversation: counted, shown in its status. */
  limits?: { truncated: number; trimmed: number; notStored: number; outboxDropped: number };
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
  /** The stored transcript, oldest first. */
  transcript(id: string): Promise<TranscriptEntry[]>;
  remove(id: string): Promise<void>;
  list(): Promise<string[]>;
  usage(): Promise<StoreUsage>;
}
