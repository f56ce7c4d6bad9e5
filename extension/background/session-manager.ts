/**
 * The SessionManager: one OTR Session per conversation (site : account : buddy), restored from
 * the SessionStore whenever the worker wakes, with every operation on a conversation run one at
 * a time (what arrives during a restore waits its turn, it is not dropped), and every state
 * change written to the store BEFORE its effects (wire lines, plaintext) are handed back (I5).
 *
 * No browser API here: the stores, the clock, randomness and key generation are injected, so the
 * same code runs under unit tests with memory stores and in the worker with storage.session and
 * IndexedDB.
 */
import { bytesToHex, hexToBytes, utf8Encode } from '../../src/crypto/bytes';
import type { DsaPrivateKey } from '../../src/crypto/dsa';
import { generateDsaKey } from '../../src/crypto/dsa-keygen';
import { sha1, sha256 } from '../../src/crypto/hash';
import { cryptoRandom, type RandomSource } from '../../src/crypto/random';
import { effectivePolicy, POLICY_ALWAYS, POLICY_PRESETS, type PolicyName } from '../../src/otr/policy';
import { WHITESPACE_BASE } from '../../src/otr/proto';
import { fingerprint as fingerprintOf, formatFingerprint } from '../../src/otr/pubkey';
import { type MsgState, Session, type SessionEvent, type SessionSnapshot } from '../../src/otr/session';
import { BUDGETS, utf8Length } from '../../src/store/budgets';
import { type ConversationParts, conversationId, parseConversationId } from '../../src/store/conversation-id';
import { KeyLockedError } from '../../src/store/key-lock';
import type {
  ConversationRecord,
  KeyStore,
  OutboxLine,
  SaveReport,
  SessionStore,
  SmpOutcome,
  StoredLimits,
  TranscriptEntry,
  Trust,
} from '../../src/store/types';
import { t } from '../shared/i18n';
import { type ConversationStatus, LIMITS, REFUSAL } from '../shared/messages';

/**
 * A conversation as the tab reports it: site (the chat's origin), account (our own identity there,
 * e.g. "nick@network"; with `protocol`, the OTR account) and peer (the buddy) make its id.
 */
export interface ConversationRef extends ConversationParts {
  /** The longest line the site carries (OTR fragments to it); 0 = no limit. Not part of the id. */
  maxMessageSize?: number;
}

export type Notice =
  | { kind: 'state'; state: MsgState }
  /** The buddy shows a key we have not seen, having shown others before (`wasVerified`: one of them was verified). */
  | { kind: 'fingerprint-changed'; fingerprint: string; wasVerified: boolean }
  | { kind: 'smp'; result: string; question?: string }
  | { kind: 'error'; message: string; code?: string }
  | { kind: 'not-sent'; text: string; reason: string }
  /** A byte budget (I8) was reached: what was cut, dropped or not stored, for the user to see. */
  | { kind: 'budget'; what: 'truncated' | 'trimmed' | 'outbox' | 'not-stored'; count: number };

export interface Effects {
  conversation: string;
  /** New lines for the page to send, in order; acknowledge them with ack(). */
  wire: OutboxLine[];
  /** New transcript entries (plaintext: for extension pages only). */
  transcript: TranscriptEntry[];
  /** Stored transcript entries whose status changed (e.g. held → sent). */
  updates: TranscriptEntry[];
  notices: Notice[];
  status: ConversationStatus;
}

export interface ManagerDeps {
  keys: KeyStore;
  sessions: SessionStore;
  random?: RandomSource;
  now?: () => number;
  generateKey?: (onProgress: (fraction: number) => void) => Promise<DsaPrivateKey>;
  onKeyProgress?: (account: string, protocol: string, fraction: number) => void;
}

/** A conversation's state record as it starts: no OTR session, not private, nothing queued. */
export function newRecord(now: number): ConversationRecord {
  return {
    v: 2,
    session: null,
    privateMode: false,
    outbox: [],
    nextSeq: 1,
    seen: '',
    fingerprintChanged: false,
    updated: now,
  };
}

const NO_LIMITS: StoredLimits = { truncated: 0, trimmed: 0, notStored: 0, outboxDropped: 0 };

/**
 * A chat message's dedupe key: 64 bits of SHA-256 over (site id, text), fixed length whatever the
 * page sends. (A collision would make us skip a message; the page can hide one more simply.)
 */
const SEEN_KEY_CHARS = 16;
function seenKey(msgId: string, text: string): string {
  return bytesToHex(sha256(utf8Encode(`${msgId}\u0000${text}`))).slice(0, SEEN_KEY_CHARS);
}

/** Whether `seen` (keys back to back) holds `key` at a key boundary. */
function hasSeen(seen: string, key: string): boolean {
  for (let i = seen.indexOf(key); i !== -1; i = seen.indexOf(key, i + 1))
    if (i % SEEN_KEY_CHARS === 0) return true;
  return false;
}

/** An entry's text cut to its budget (I8): a page can write anything into a plain line. */
function bounded(e: TranscriptEntry): TranscriptEntry {
  // The page writes a buddy's unencrypted lines; everything else is ours or authenticated.
  const max = e.dir === 'in' && !e.encrypted ? BUDGETS.plainText : BUDGETS.encryptedText;
  if (e.text.length <= max) return e;
  // Never split a surrogate pair.
  const cut = /[\ud800-\udbff]/.test(e.text[max - 1] ?? '') ? max - 1 : max;
  return { ...e, text: e.text.slice(0, cut), truncated: e.text.length };
}

/**
 * How many long-term keys offrecord makes on its own, for accounts a page names (a chat shown, an
 * OTR line arriving). Each is a DSA key generation and a stored row; a page could name endless
 * accounts (I8). A person with more accounts makes the rest with Go private or Generate.
 */
export const AUTO_KEYS_MAX = 8;

/** A page asked for a key beyond AUTO_KEYS_MAX: nothing was generated or stored. */
export class KeyLimitError extends Error {
  constructor(readonly max: number) {
    super(
      `offrecord makes keys by itself for at most ${max} accounts; generate this one in the options or with Go private`,
    );
    this.name = 'KeyLimitError';
  }
}

/**
 * The buddy's SMP question as offrecord shows it (status, notice, the request push): the engine
 * takes one up to the TLV's size, the pages take LIMITS.question characters. Cut here, whole code
 * points, or every status of the conversation would fail the pages' checks (a buddy, or anyone who
 * completes an AKE as a new instance, could then stop the panel showing it).
 */
function shownQuestion(q: string): string {
  if (q.length <= LIMITS.question) return q;
  // Room for the ellipsis; never half a surrogate pair.
  let n = LIMITS.question - 1;
  if (/[\ud800-\udbff]/.test(q[n - 1] ?? '')) n--;
  return `${q.slice(0, n)}…`;
}

interface Live {
  rec: ConversationRecord;
  /** Whether the store holds a record of this conversation (loaded from it, or saved since). */
  stored: boolean;
  session: Session | null;
  /** Our own sent messages (the entries whose status changes), read from the store once. */
  sent?: TranscriptEntry[];
}

/**
 * `?OTR Error:` text is plain chat text: anyone who can write into the chat can send it, and it is
 * shown as such ('chat-error'), cut to this many characters.
 */
export const CHAT_ERROR_CHARS = 200;
/**
 * Lines the engine sends on its own in answer to what anyone can put into the chat (the error
 * reply to an unreadable data message, the query after an OTR error): per conversation at most
 * AUTO_REPLY_BURST at once, then one per AUTO_REPLY_EVERY_MS, so a flood of forged or replayed
 * messages does not make us write a flood into the chat.
 */
export const AUTO_REPLY_BURST = 3;
export const AUTO_REPLY_EVERY_MS = 60_000;
const isAutoReply = (line: string): boolean => line.startsWith('?OTR Error:') || /^\?OTR(v\d*)?\?/.test(line);

/** Sent messages kept in memory per conversation for status changes (held, sending, delivered). */
const MAX_SENT_CACHE = 200;

/** Conversations kept in the worker's memory (engine session, record); the rest are restored on use. */
export const MAX_LIVE = 64;

/**
 * Chat rows remembered as processed, exactly (conversation, row id and text), in the worker's
 * memory: at most this many characters of ids and texts together, and PROCESSED_ROWS rows.
 */
export const PROCESSED_CHARS = 1_000_000;
export const PROCESSED_ROWS = 20_000;

/** Going private was refused: the user's policy for the buddy (or, with none set, the site) is "never". */
export class PolicyRefusedError extends Error {
  constructor(readonly by: 'buddy' | 'site') {
    super(`OTR is turned off for this ${by} by its policy`);
    this.name = 'PolicyRefusedError';
  }
}

/** The panic wipe is erasing everything: an operation that began before it stores nothing. */
export class WipeInProgressError extends Error {
  override readonly name = 'WipeInProgressError';
  constructor() {
    super('Everything is being erased (panic wipe); nothing was stored.');
  }
}

export class SessionManager {
  private readonly random: RandomSource;
  /**
   * The panic wipe: while `wiping`, no save; an operation that began before the wipe (older
   * `wipeEpoch`) never saves, so a batch that loaded its record before the erase cannot write it
   * back afterwards. The epoch of the operation running per conversation (they run one at a time).
   */
  private wiping = false;
  private wipeEpoch = 0;
  private readonly opEpoch = new Map<string, number>();
  private readonly now: () => number;
  private readonly live = new Map<string, Live>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly keyJobs = new Map<string, Promise<DsaPrivateKey>>();
  /** Key generations run one after another: a page naming many accounts cannot start many at once. */
  private keygen: Promise<void> = Promise.resolve();
  private readonly fingerprints = new Map<string, { y: bigint; fp: string }>();
  /**
   * What each conversation's page says stops it sending (The Lounge disconnected). In memory only:
   * the content script reports it again after every (re)connect, so a worker restart loses nothing.
   */
  private readonly siteErrors = new Map<string, string>();
  /** Automatic replies left per conversation (AUTO_REPLY_BURST), and since when they refill. */
  private readonly autoReplies = new Map<string, { left: number; at: number }>();
  /**
   * Rows processed in this worker's life: `conversation id \0 row id` → the row's text, oldest
   * first (PROCESSED_CHARS, PROCESSED_ROWS). What a page shows again is told from here without
   * loading the state or hashing the text; what is not here is decided by the stored seen list.
   */
  private readonly processed = new Map<string, string>();
  private processedChars = 0;
  private transcriptSeq = 0;

  constructor(private readonly deps: ManagerDeps) {
    this.random = deps.random ?? cryptoRandom;
    this.now = deps.now ?? Date.now;
  }

  /** Runs operations on one conversation strictly one after another. */
  private serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    // An operation that fails part-way (a store write, key generation) may have advanced the
    // in-memory state: forget it, so the next operation starts again from what was stored.
    const run = async () => {
      this.opEpoch.set(id, this.wipeEpoch);
      try {
        return await fn();
      } catch (e) {
        this.live.delete(id);
        throw e;
      } finally {
        // One operation per conversation at a time: its epoch is needed only while it runs (kept,
        // the map would grow with every conversation a page ever named).
        this.opEpoch.delete(id);
      }
    };
    const prev = this.queues.get(id) ?? Promise.resolve();
    const next = prev.then(run, run);
    const settled = next.catch(() => undefined);
    this.queues.set(id, settled);
    void settled.then(() => {
      if (this.queues.get(id) === settled) this.queues.delete(id);
    });
    return next;
  }

  /**
   * The account's long-term key, generated once (concurrent callers share the job; one
   * generation runs at a time). `auto`: asked for by what a page reports (a chat shown, an OTR
   * line arriving), not by the user; the page names the account, so such keys are made only while
   * fewer than AUTO_KEYS_MAX exist (I8). Past that, the user's Go private or Generate makes one.
   */
  ensureKey(account: string, protocol: string, opts: { auto?: boolean } = {}): Promise<DsaPrivateKey> {
    const jobKey = JSON.stringify([account, protocol]);
    const running = this.keyJobs.get(jobKey);
    // The user's ask never inherits a page-driven job's refusal (the cap on automatic keys).
    if (running)
      return opts.auto
        ? running
        : running.catch((e) =>
            e instanceof KeyLimitError ? this.ensureKey(account, protocol) : Promise.reject(e),
          );
    const job = (async () => {
      const have = await this.deps.keys.getKey(account, protocol);
      if (have) return have;
      // The count, the generation and the store in one step of the chain: concurrent asks for
      // different accounts cannot all pass the cap together.
      const made = this.keygen.then(async () => {
        if (opts.auto && (await this.deps.keys.listPublicKeys()).length >= AUTO_KEYS_MAX)
          throw new KeyLimitError(AUTO_KEYS_MAX);
        const progress = (f: number) => this.deps.onKeyProgress?.(account, protocol, f);
        const make = this.deps.generateKey ?? ((p) => generateDsaKey({ onProgress: p, random: this.random }));
        const key = await make(progress);
        await this.deps.keys.putKey(account, protocol, key);
        // Done: lets a UI that showed progress close it, whatever the generator's last report was.
        progress(1);
        return key;
      });
      this.keygen = made.then(
        () => undefined,
        () => undefined,
      );
      return made;
    })();
    this.keyJobs.set(jobKey, job);
    job.then(
      () => this.keyJobs.delete(jobKey),
      () => this.keyJobs.delete(jobKey),
    );
    return job;
  }

  /**
   * A new long-term key for the account, replacing the old one (the user confirmed it). The
   * conversations holding the old key are told at once (keyReplaced): no worker restart needed.
   */
  async regenerateKey(account: string, protocol: string): Promise<DsaPrivateKey> {
    const progress = (f: number) => this.deps.onKeyProgress?.(account, protocol, f);
    const key = await (
      this.deps.generateKey ?? ((p) => generateDsaKey({ onProgress: p, random: this.random }))
    )(progress);
    await this.deps.keys.putKey(account, protocol, key);
    progress(1);
    this.keyReplaced(account, protocol);
    return key;
  }

  /**
   * The account's key was replaced (import, regenerate) or deleted: every live engine session of
   * that account drops the old key. Their OTR state stays stored; the next use restores it with
   * the key now in the store, so the next AKE signs with the new key at once.
   */
  keyReplaced(account: string, protocol: string): void {
    for (const [id, l] of this.live) {
      const parts = parseConversationId(id);
      if (parts?.account === account && parts.protocol === protocol) l.session = null;
    }
  }

  private async instanceTag(account: string, protocol: string): Promise<number> {
    const have = await this.deps.keys.getInstanceTag(account, protocol);
    if (have !== null) return have;
    let tag = 0;
    while (tag < 0x100) {
      const b = this.random(4);
      tag = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    }
    await this.deps.keys.putInstanceTag(account, protocol, tag);
    return tag;
  }

  /** The policy the user set for this conversation: the buddy's own over the site's (pidgin-otr). */
  /** The policy for this conversation (the buddy's own, else the site's), and whose it is. */
  private async policyOf(ref: ConversationRef): Promise<{ name: PolicyName; by: 'buddy' | 'site' }> {
    const [site, buddy] = await Promise.all([
      this.deps.keys.getSite(ref.site),
      this.deps.keys.getBuddyPolicy(ref.account, ref.protocol, ref.peer),
    ]);
    return { name: effectivePolicy(site?.policy, buddy), by: buddy ? 'buddy' : 'site' };
  }

  private async configuredPolicy(ref: ConversationRef): Promise<number> {
    return POLICY_PRESETS[(await this.policyOf(ref)).name] ?? POLICY_PRESETS.manual;
  }

  /**
   * A site's or a buddy's policy changed: the live engine sessions are dropped (each after the
   * operation it may be running), so the next operation restores each from its stored state under
   * the policy now set (a conversation in private mode keeps requiring encryption).
   */
  async policyChanged(): Promise<void> {
    // In each conversation's queue: an operation running now commits with the session it has.
    await Promise.all(
      [...this.live.keys()].map((id) =>
        this.serial(id, async () => {
          const l = this.live.get(id);
          if (l) l.session = null;
        }),
      ),
    );
  }

  private async load(id: string): Promise<Live> {
    let l = this.live.get(id);
    if (l) {
      // Most recently used last: eviction takes from the front.
      this.live.delete(id);
      this.live.set(id, l);
      return l;
    }
    const rec = await this.deps.sessions.load(id);
    l = { rec: rec ?? newRecord(this.now()), stored: rec !== null, session: null };
    this.live.set(id, l);
    this.evict();
    return l;
  }

  /**
   * Keeps at most MAX_LIVE conversations in memory (I8: a page naming ever new peers must not grow
   * the worker). Everything a conversation needs is stored after each operation (I5), so dropping
   * one costs only its next restore; one with an operation queued or running is never dropped.
   */
  private evict(): void {
    for (const id of this.live.keys()) {
      if (this.live.size <= MAX_LIVE) return;
      if (!this.queues.has(id)) this.live.delete(id);
    }
  }

  /** How many conversations are held in memory now (at most MAX_LIVE, besides running ones). */
  get cachedConversations(): number {
    return this.live.size;
  }

  /** The conversation's engine session, restored from its snapshot or created. */
  private async session(ref: ConversationRef, l: Live, notices: Notice[], auto = false): Promise<Session> {
    if (l.session) {
      l.session.maxMessageSize = ref.maxMessageSize ?? 0;
      return l.session;
    }
    const key = await this.ensureKey(ref.account, ref.protocol, { auto });
    const opts = {
      account: ref.account,
      protocol: ref.protocol,
      peer: ref.peer,
      privateKey: key,
      instanceTag: await this.instanceTag(ref.account, ref.protocol),
      policy: l.rec.privateMode ? POLICY_ALWAYS : await this.configuredPolicy(ref),
      maxMessageSize: ref.maxMessageSize ?? 0,
      random: this.random,
      now: this.now,
    };
    if (l.rec.session) {
      try {
        l.session = Session.restore(l.rec.session, opts);
        // The stored policy is the one of its time: the user may have changed it since.
        l.session.policy = opts.policy;
      } catch (e) {
        notices.push({
          kind: 'error',
          message: `The saved OTR state was unusable and was reset: ${(e as Error).message}`,
        });
        l.session = new Session(opts);
      }
    } else {
      l.session = new Session(opts);
    }
    return l.session;
  }

  private entryId(prefix: string): string {
    this.transcriptSeq = (this.transcriptSeq + 1) % 1e9;
    return `${prefix}-${this.now().toString(36)}-${this.transcriptSeq.toString(36)}-${bytesToHex(this.random(4))}`;
  }

  /** Turns engine output into effects, updates trust, persists, then returns. */
  private async commit(
    ref: ConversationRef,
    id: string,
    l: Live,
    out: { wire: string[]; events: SessionEvent[] },
    fx: Effects,
    /** The sent messages (transcript entry ids) the new wire lines carry. */
    carries: string[] = [],
  ): Promise<Effects> {
    const rec = l.rec;
    const s = l.session;
    const entries = [...carries];
    for (const e of out.events) {
      switch (e.type) {
        case 'message':
          fx.transcript.push({
            id: this.entryId('in'),
            dir: 'in',
            text: e.text,
            at: this.now(),
            encrypted: e.encrypted,
          });
          break;
        case 'state':
          fx.notices.push({ kind: 'state', state: e.state });
          if (e.state === 'encrypted') {
            // Once private, the conversation stays in private mode: typing stays in the side panel.
            rec.privateMode = true;
            if (s) s.policy = POLICY_ALWAYS;
            if (e.fingerprint) await this.sawFingerprint(ref, rec, e.fingerprint, fx);
            // The held messages go out now, in this operation's lines (with its last AKE line).
            for (const t of await this.sentEntries(id, l))
              if (t.status === 'held') {
                t.status = 'sending';
                entries.push(t.id);
                fx.transcript.push(t);
              }
          }
          break;
        case 'smp': {
          fx.notices.push({
            kind: 'smp',
            result: e.result,
            ...(e.question !== undefined ? { question: shownQuestion(e.question) } : {}),
          });
          const final =
            e.result === 'succeeded' || e.result === 'failed' || (e.result === 'error' && e.final === true);
          if (e.result === 'question') delete rec.smpResult;
          else rec.smpResult = final ? (e.result as SmpOutcome) : e.result === 'error' ? 'error' : 'aborted';
          const fp = s?.status.fingerprint;
          // libotr's rule: the asker trusts on success; an answerer of a question does not.
          if (fp && final && (e.initiator || !e.withQuestion)) {
            await this.setTrustRaw(ref, bytesToHex(fp), e.result === 'succeeded' ? 'smp' : '');
            if (e.result === 'succeeded') rec.fingerprintChanged = false;
          }
          break;
        }
        case 'not-sent':
          fx.notices.push({ kind: 'not-sent', text: e.text, reason: e.reason });
          await this.markHeld(id, l, fx, e.text);
          break;
        case 'otr-error':
          // Unauthenticated: shown as what the chat delivered, short, never as our own words.
          fx.notices.push({
            kind: 'error',
            code: 'chat-error',
            message: e.message.slice(0, CHAT_ERROR_CHARS),
          });
          break;
        case 'error':
          fx.notices.push({ kind: 'error', message: e.message, code: e.code });
          break;
        default:
          break;
      }
    }
    // What happened goes into the transcript too, where the panel shows it in order (memory only).
    for (const n of fx.notices) {
      const entry = this.noticeEntry(n, rec.privateMode);
      if (entry) fx.transcript.push(entry);
    }
    // The outbox has a byte budget: a page that never takes its lines cannot grow the state. An
    // operation's lines are queued all or none: a message missing one fragment is not sent either.
    const outboxBytes = rec.outbox.reduce((a, o) => a + utf8Length(o.wire) + 24, 0);
    const adding = out.wire.reduce((a, w) => a + utf8Length(w) + 24, 0);
    const fits = outboxBytes + adding <= BUDGETS.outboxBytes;
    if (fits) {
      for (const wire of out.wire) {
        const line: OutboxLine = { seq: rec.nextSeq++, wire };
        if (entries.length > 0) line.entries = entries;
        rec.outbox.push(line);
        fx.wire.push({ seq: line.seq, wire });
      }
    } else {
      this.count(rec, fx, 'outboxDropped', out.wire.length);
    }
    // Messages these lines carry: 'sending' with their progress; sent when there was nothing to
    // send; not delivered when their lines did not fit (Retry once the page takes what waits).
    for (const t of fx.transcript)
      if (entries.includes(t.id) && t.status === 'sending') {
        if (out.wire.length === 0) {
          t.status = 'sent';
          delete t.progress;
        } else if (!fits) {
          t.status = 'not-delivered';
          delete t.progress;
        } else {
          t.progress = { done: 0, total: fx.wire.length };
        }
      }
    const truncatedBefore = fx.transcript.filter((t) => t.truncated !== undefined).length;
    fx.transcript = fx.transcript.map(bounded);
    const truncated = fx.transcript.filter((t) => t.truncated !== undefined).length - truncatedBefore;
    if (truncated > 0) this.count(rec, fx, 'truncated', truncated);
    rec.session = s ? s.snapshot() : rec.session;
    rec.updated = this.now();
    // Not stored means not happened: a failed save rejects, serial() forgets the in-memory state.
    // New entries are appended; our sent messages this operation changed are stored updates.
    const sent = await this.sentEntries(id, l);
    const known = new Set(sent.map((t) => t.id));
    const append = fx.transcript.filter((t) => !known.has(t.id));
    const update = [...fx.updates, ...fx.transcript.filter((t) => known.has(t.id))];
    for (const t of append) if (t.dir === 'out') sent.push(t);
    if (sent.length > MAX_SENT_CACHE) sent.splice(0, sent.length - MAX_SENT_CACHE);
    await this.save(id, rec, fx, { append, update });
    fx.status = await this.statusOf(ref, l);
    return fx;
  }

  /** Adds to a conversation's budget counters and tells the user. */
  private count(rec: ConversationRecord, fx: Effects | null, key: keyof StoredLimits, n: number) {
    rec.limits = { ...NO_LIMITS, ...rec.limits, [key]: (rec.limits?.[key] ?? 0) + n };
    const what = (
      {
        truncated: 'truncated',
        trimmed: 'trimmed',
        notStored: 'not-stored',
        outboxDropped: 'outbox',
      } as const
    )[key];
    fx?.notices.push({ kind: 'budget', what, count: n });
  }

  /**
   * Stores the state and the transcript changes. If only the transcript part could not be stored
   * (the store says so), the state still was: effects go out, and the loss is counted and shown.
   */
  private async save(
    id: string,
    rec: ConversationRecord,
    fx: Effects | null,
    tx: { append?: TranscriptEntry[]; update?: TranscriptEntry[] } = {},
  ): Promise<void> {
    if (this.wiping || this.opEpoch.get(id) !== this.wipeEpoch) throw new WipeInProgressError();
    const r: SaveReport = await this.deps.sessions.save(id, rec, tx);
    const l = this.live.get(id);
    if (l?.rec === rec) l.stored = true;
    if (r.trimmed === 0 && r.notStored === 0) return;
    if (r.trimmed > 0) this.count(rec, fx, 'trimmed', r.trimmed);
    if (r.notStored > 0) this.count(rec, fx, 'notStored', r.notStored);
    // The counters themselves: a small state-only write (the transcript is as stored).
    await this.deps.sessions.save(id, rec);
  }

  /** Our sent messages in this conversation, newest last (read from the store once per worker). */
  private async sentEntries(id: string, l: Live): Promise<TranscriptEntry[]> {
    l.sent ??= (await this.deps.sessions.transcript(id))
      .filter((t) => t.dir === 'out')
      .slice(-MAX_SENT_CACHE);
    return l.sent;
  }

  /** Marks the held message (typed before the AKE) with this text not sent. */
  private async markHeld(id: string, l: Live, fx: Effects, text: string) {
    for (const t of await this.sentEntries(id, l)) {
      if (t.status !== 'held' || t.text !== text) continue;
      t.status = 'not-sent';
      fx.transcript.push(t);
      return;
    }
  }

  /** The transcript line for a notice (null: nothing the user needs to read). */
  private noticeEntry(n: Notice, privateMode: boolean): TranscriptEntry | null {
    const entry = (notice: NonNullable<TranscriptEntry['notice']>, text = ''): TranscriptEntry => ({
      id: this.entryId('n'),
      dir: 'notice',
      text,
      at: this.now(),
      encrypted: false,
      notice,
    });
    switch (n.kind) {
      case 'state':
        if (n.state === 'encrypted') return entry('started');
        if (n.state === 'finished') return entry('buddy-ended');
        // Back to plaintext: we ended it (endPrivate turns private mode off first).
        return privateMode ? null : entry('ended');
      case 'fingerprint-changed':
        return entry(n.wasVerified ? 'key-changed' : 'key-changed-unverified', n.fingerprint);
      case 'smp':
        switch (n.result) {
          case 'question':
            return entry('smp-asked', n.question ?? '');
          case 'succeeded':
            return entry('smp-succeeded');
          case 'failed':
            return entry('smp-failed');
          case 'aborted':
            return entry('smp-aborted');
          case 'error':
            return entry('smp-error');
          default:
            return null;
        }
      case 'error':
        return entry(
          n.code === 'policy' ? 'error' : n.code === 'chat-error' ? 'chat-error' : 'unreadable',
          n.message,
        );
      case 'not-sent':
        return entry('not-sent', n.text);
      case 'budget':
        // Counted in the status (limits), which the popup shows.
        return null;
    }
  }

  private async sawFingerprint(ref: ConversationRef, rec: ConversationRecord, fp: Uint8Array, fx: Effects) {
    const hex = bytesToHex(fp);
    const known = await this.deps.keys.getFingerprints(ref.account, ref.protocol, ref.peer);
    const mine = known.find((r) => r.fingerprint === hex);
    const now = this.now();
    if (mine) {
      await this.deps.keys.putFingerprint({ ...mine, lastSeen: now });
      return;
    }
    await this.deps.keys.putFingerprint({
      account: ref.account,
      protocol: ref.protocol,
      buddy: ref.peer,
      fingerprint: hex,
      trust: '',
      firstSeen: now,
      lastSeen: now,
    });
    // Every new key of a known buddy is said (as pidgin-otr does); the loud warning on the badge and
    // in the popup is for a buddy whose earlier key was verified.
    if (known.length > 0) {
      const wasVerified = known.some((r) => r.trust !== '');
      if (wasVerified) rec.fingerprintChanged = true;
      fx.notices.push({ kind: 'fingerprint-changed', fingerprint: formatFingerprint(fp), wasVerified });
    }
  }

  private async setTrustRaw(ref: ConversationRef, fingerprintHex: string, trust: Trust): Promise<void> {
    const known = await this.deps.keys.getFingerprints(ref.account, ref.protocol, ref.peer);
    const now = this.now();
    const rec = known.find((r) => r.fingerprint === fingerprintHex) ?? {
      account: ref.account,
      protocol: ref.protocol,
      buddy: ref.peer,
      fingerprint: fingerprintHex,
      trust: '' as Trust,
      firstSeen: now,
      lastSeen: now,
    };
    await this.deps.keys.putFingerprint({ ...rec, trust });
  }

  /** Our fingerprint for the account, computed once per key (a status is asked for often). */
  private async ourFingerprint(ref: ConversationRef): Promise<string | null> {
    const key = await this.deps.keys.getPublicKey(ref.account, ref.protocol);
    if (!key) return null;
    const k = JSON.stringify([ref.account, ref.protocol]);
    const have = this.fingerprints.get(k);
    if (have && have.y === key.y) return have.fp;
    const fp = formatFingerprint(fingerprintOf(key));
    this.fingerprints.set(k, { y: key.y, fp });
    return fp;
  }

  private async statusOf(ref: ConversationRef, l: Live): Promise<ConversationStatus> {
    const st = l.session?.status ?? (l.rec.session ? lockedStatus(l.rec.session) : undefined);
    const fp = st?.fingerprint ?? null;
    let trust: Trust = '';
    if (fp) {
      const hex = bytesToHex(fp);
      trust =
        (await this.deps.keys.getFingerprints(ref.account, ref.protocol, ref.peer)).find(
          (r) => r.fingerprint === hex,
        )?.trust ?? '';
    }
    const ourFingerprint = await this.ourFingerprint(ref);
    const asked = l.session && st?.smpState === 'question-asked' ? l.session.smpQuestion : undefined;
    const question = asked === undefined ? undefined : shownQuestion(asked);
    return {
      state: st?.state ?? 'plaintext',
      version: st?.version ?? 0,
      privateMode: l.rec.privateMode,
      trust,
      fingerprint: fp ? formatFingerprint(fp) : null,
      ourFingerprint,
      fingerprintChanged: l.rec.fingerprintChanged,
      authInProgress: st?.authInProgress ?? false,
      smp: {
        state: st?.smpState ?? 'expect1',
        ...(question !== undefined ? { question } : {}),
        ...(l.rec.smpResult !== undefined ? { result: l.rec.smpResult } : {}),
      },
      held: st?.held ?? 0,
      pendingWire: l.rec.outbox.length,
      limits: { ...NO_LIMITS, ...l.rec.limits },
      siteError: this.siteErrors.get(conversationId(ref)) ?? null,
    };
  }

  private fx(id: string): Effects {
    return {
      conversation: id,
      wire: [],
      transcript: [],
      updates: [],
      notices: [],
      status: null as unknown as ConversationStatus,
    };
  }

  // ---- operations ----------------------------------------------------------------------

  /**
   * A chat message the page shows in this conversation. Processed exactly once per (site
   * message id, content), however often the page shows it (reloads, re-renders, two tabs).
   */
  async receive(ref: ConversationRef, msg: { id: string; text: string }): Promise<Effects> {
    const r = await this.receiveIf(ref, msg, () => true);
    return r === 'seen' || r === null
      ? this.status(ref).then((status) => ({ ...this.fx(conversationId(ref)), status }))
      : r;
  }

  /**
   * Whether this worker processed exactly this row (id and text) in the conversation `conv`,
   * from memory: no storage read, no hash. False means only "not known here" (a restarted
   * worker, a row past PROCESSED_CHARS): receiveIf decides then from the stored seen list.
   */
  knows(conv: string, msg: { id: string; text: string }): boolean {
    return this.processed.get(`${conv}\u0000${msg.id}`) === msg.text;
  }

  /** The row is processed (stored as seen): remembered, the oldest forgotten past the bounds. */
  private remember(conv: string, msg: { id: string; text: string }): void {
    const key = `${conv}\u0000${msg.id}`;
    const had = this.processed.get(key);
    if (had !== undefined) {
      this.processed.delete(key);
      this.processedChars -= key.length + had.length;
    }
    this.processed.set(key, msg.text);
    this.processedChars += key.length + msg.text.length;
    for (const [k, text] of this.processed) {
      if (this.processedChars <= PROCESSED_CHARS && this.processed.size <= PROCESSED_ROWS) break;
      this.processed.delete(k);
      this.processedChars -= k.length + text.length;
    }
  }

  /** Whether the store holds a record of the conversation (read at most once; kept as live). */
  hasRecord(ref: ConversationRef): Promise<boolean> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = this.live.get(id);
      if (l) return l.stored;
      const rec = await this.deps.sessions.load(id);
      if (!rec) return false;
      this.live.set(id, { rec, stored: true, session: null });
      this.evict();
      return true;
    });
  }

  /**
   * receive(), asking `admit` (the tab's rate limit for a new message) only about a message not
   * processed before: a page showing old rows again (a reload) uses none of it. 'seen': processed
   * before, nothing to do (no status is made). Null when not admitted; the message is then not
   * marked seen, so it is processed if the page shows it again later.
   */
  receiveIf(
    ref: ConversationRef,
    msg: { id: string; text: string },
    admit: () => boolean,
  ): Promise<Effects | 'seen' | null> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      // Processed meanwhile (another tab showing the chat, an earlier batch): nothing to load.
      if (this.knows(id, msg)) return 'seen';
      const l = await this.load(id);
      const key = seenKey(msg.id, msg.text);
      if (hasSeen(l.rec.seen, key)) {
        this.remember(id, msg);
        return 'seen';
      }
      if (!admit()) return null;
      l.rec.seen = (l.rec.seen + key).slice(-BUDGETS.seenIds * SEEN_KEY_CHARS);
      const fx = await this.receiveNew(ref, id, l, msg.text);
      // Stored as seen (commit saved it): from now on told from memory.
      this.remember(id, msg);
      return fx;
    });
  }

  /** A message not processed before (already marked seen in `l.rec`): through the engine, stored. */
  private async receiveNew(ref: ConversationRef, id: string, l: Live, text: string): Promise<Effects> {
    const fx = this.fx(id);
    // Plain chat with no OTR in sight needs no engine (and no key): show it as not private.
    const otrish = text.includes('?OTR') || text.includes(WHITESPACE_BASE);
    if (!l.session && !l.rec.session && !otrish && !l.rec.privateMode) {
      return this.commit(
        ref,
        id,
        l,
        {
          wire: [],
          events: [{ type: 'message', text, encrypted: false, instance: 0, unencryptedWarning: false }],
        },
        fx,
      );
    }
    // An arriving line is the page's doing, not the user's: a key is made for it only within the
    // cap. Past it the line is not answered, and says why; it stays seen, so a batch holding it
    // is not refused (and re-sent, and refused) for ever.
    let s: Session;
    try {
      s = await this.session(ref, l, fx.notices, true);
    } catch (e) {
      if (!(e instanceof KeyLimitError)) throw e;
      fx.notices.push({
        kind: 'error',
        code: 'policy',
        message: t('budget_keyLimit', ref.peer, e.max, ref.account),
      });
      return this.commit(ref, id, l, { wire: [], events: [] }, fx);
    }
    const out = s.receive(text);
    out.wire = this.limitAutoReplies(id, out.wire);
    return this.commit(ref, id, l, out, fx);
  }

  /** Drops automatic replies over the conversation's budget (AUTO_REPLY_BURST, then one a minute). */
  private limitAutoReplies(id: string, wire: string[]): string[] {
    if (!wire.some(isAutoReply)) return wire;
    const now = this.now();
    const b = this.autoReplies.get(id) ?? { left: AUTO_REPLY_BURST, at: now };
    const refill = Math.floor((now - b.at) / AUTO_REPLY_EVERY_MS);
    if (refill > 0) {
      b.left = Math.min(AUTO_REPLY_BURST, b.left + refill);
      b.at = now;
    }
    const kept = wire.filter((line) => {
      if (!isAutoReply(line)) return true;
      if (b.left === 0) return false;
      b.left--;
      return true;
    });
    // Memory stays bounded: a conversation whose budget is full again needs no entry.
    if (this.autoReplies.size > 256)
      for (const [k, v] of this.autoReplies)
        if (now - v.at >= AUTO_REPLY_BURST * AUTO_REPLY_EVERY_MS) this.autoReplies.delete(k);
    this.autoReplies.set(id, b);
    return kept;
  }

  /** The user sends a message typed in the side panel. */
  send(ref: ConversationRef, text: string): Promise<Effects> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const fx = this.fx(id);
      // The user's text never goes out in clear (I1, I2). Checked here, in the conversation's
      // queue: an end-private queued after the caller's own check cannot let it through.
      if (!l.rec.privateMode) throw new Error(REFUSAL.notPrivate);
      const s = await this.session(ref, l, fx.notices);
      if (s.status.state === 'finished') throw new Error(REFUSAL.finished);
      s.policy = POLICY_ALWAYS;
      const out = s.send(text);
      const held = out.events.some((e) => e.type === 'held');
      const notSent = out.events.some((e) => e.type === 'not-sent');
      const entry: TranscriptEntry = {
        id: this.entryId('out'),
        dir: 'out',
        text,
        at: this.now(),
        encrypted: s.status.state === 'encrypted' || held,
        status: notSent ? 'not-sent' : held ? 'held' : 'sending',
      };
      fx.transcript.push(entry);
      return this.commit(
        ref,
        id,
        l,
        { wire: out.wire, events: out.events.filter((e) => e.type !== 'not-sent') },
        fx,
        entry.status === 'sending' ? [entry.id] : [],
      );
    });
  }

  /**
   * "Go private" / "Refresh": private mode on, and a Query Message to start (or redo) the AKE.
   * Refused (PolicyRefusedError, nothing changed) when the user's policy for this buddy or site
   * is "never".
   */
  async goPrivate(ref: ConversationRef): Promise<Effects> {
    // Checked before anything is loaded or a key made: a refusal changes nothing.
    const policy = await this.policyOf(ref);
    if (policy.name === 'never') throw new PolicyRefusedError(policy.by);
    return this.op(ref, (s, l) => {
      l.rec.privateMode = true;
      s.policy = POLICY_ALWAYS;
      return s.query();
    });
  }

  /** "End private conversation": TLV 1 to the buddy, private mode off. */
  endPrivate(ref: ConversationRef): Promise<Effects> {
    return this.op(ref, async (s, l) => {
      const out = s.end();
      l.rec.privateMode = false;
      s.policy = await this.configuredPolicy(ref);
      return out;
    });
  }

  startSmp(ref: ConversationRef, secret: string, question?: string): Promise<Effects> {
    return this.op(ref, (s, l) => {
      delete l.rec.smpResult;
      return s.startSmp(secret, question);
    });
  }

  answerSmp(ref: ConversationRef, secret: string): Promise<Effects> {
    return this.op(ref, (s) => s.answerSmp(secret));
  }

  abortSmp(ref: ConversationRef): Promise<Effects> {
    return this.op(ref, (s) => s.abortSmp());
  }

  private op(
    ref: ConversationRef,
    f: (
      s: Session,
      l: Live,
    ) => { wire: string[]; events: SessionEvent[] } | Promise<{ wire: string[]; events: SessionEvent[] }>,
  ): Promise<Effects> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const fx = this.fx(id);
      const s = await this.session(ref, l, fx.notices);
      return this.commit(ref, id, l, await f(s, l), fx);
    });
  }

  /** Manual fingerprint verification (or revoking it). Clears the changed-fingerprint warning when verifying. */
  setTrust(ref: ConversationRef, fingerprint: string, trust: Trust): Promise<ConversationStatus> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const hex = bytesToHex(hexToBytes(fingerprint.replace(/\s+/g, '').toLowerCase()));
      if (hex.length !== 40) throw new RangeError('a fingerprint is 40 hex digits');
      await this.setTrustRaw(ref, hex, trust);
      const l = await this.load(id);
      if (trust !== '') {
        l.rec.fingerprintChanged = false;
        await this.save(id, l.rec, null);
      }
      return this.statusOf(ref, l);
    });
  }

  /**
   * The page took the outbox line `seq` (typed and sent): it stays in the outbox until the page
   * shows it back (delivered()), but is never typed again, even by a reloaded page.
   */
  ack(ref: ConversationRef, seq: number): Promise<void> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const line = l.rec.outbox.find((o) => o.seq === seq);
      if (!line || line.typed) return;
      line.typed = true;
      await this.save(id, l.rec, null);
    });
  }

  /**
   * The page shows these lines back as the user's own messages: delivered. A message is 'sent'
   * once every line of it was; until then its progress counts them.
   */
  delivered(ref: ConversationRef, seqs: readonly number[]): Promise<Effects> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const fx = this.fx(id);
      const rec = l.rec;
      const gone = rec.outbox.filter((o) => seqs.includes(o.seq));
      if (gone.length > 0) {
        rec.outbox = rec.outbox.filter((o) => !seqs.includes(o.seq));
        for (const entryId of new Set(gone.flatMap((o) => o.entries ?? []))) {
          const t = (await this.sentEntries(id, l)).find((e) => e.id === entryId);
          if (t?.status !== 'sending') continue;
          const left = rec.outbox.filter((o) => o.entries?.includes(entryId)).length;
          if (left === 0) {
            t.status = 'sent';
            delete t.progress;
          } else {
            const total = t.progress?.total ?? left;
            t.progress = { done: Math.max(0, total - left), total };
          }
          fx.transcript.push({ ...t });
        }
        rec.updated = this.now();
        await this.save(id, rec, fx, { update: fx.transcript });
      }
      fx.status = await this.statusOf(ref, l);
      return fx;
    });
  }

  /**
   * These lines were not seen back in time: the messages they carry are 'not-delivered', and the
   * rest of those messages' lines leave the outbox with them (a part of a message is useless).
   * `dropped` lists every seq removed, for the page to forget.
   */
  failed(ref: ConversationRef, seqs: readonly number[]): Promise<Effects & { dropped: number[] }> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const fx = this.fx(id);
      const rec = l.rec;
      const failedEntries = new Set(
        rec.outbox.filter((o) => seqs.includes(o.seq)).flatMap((o) => o.entries ?? []),
      );
      const drop = (o: OutboxLine) =>
        seqs.includes(o.seq) || (o.entries ?? []).some((e) => failedEntries.has(e));
      const dropped = rec.outbox.filter(drop).map((o) => o.seq);
      rec.outbox = rec.outbox.filter((o) => !drop(o));
      for (const t of await this.sentEntries(id, l))
        if (failedEntries.has(t.id) && t.status === 'sending') {
          t.status = 'not-delivered';
          delete t.progress;
          fx.transcript.push({ ...t });
        }
      if (dropped.length > 0) {
        rec.updated = this.now();
        await this.save(id, rec, fx, { update: fx.transcript });
      }
      fx.status = await this.statusOf(ref, l);
      return { ...fx, dropped };
    });
  }

  /**
   * Sends a message that was not delivered (or never sent) again: encrypted afresh under the
   * session's current keys and next counter, never the old ciphertext's keystream again. Held
   * like any message when the conversation is not private right now.
   */
  retry(ref: ConversationRef, entryId: string): Promise<Effects> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const fx = this.fx(id);
      const t = (await this.sentEntries(id, l)).find((e) => e.id === entryId);
      if (!t) throw new Error('no such message');
      if (t.status !== 'not-delivered' && t.status !== 'not-sent')
        throw new Error('only a message that was not delivered can be sent again');
      // As for send: never in clear, so not after the private conversation was ended.
      if (!l.rec.privateMode) throw new Error(REFUSAL.notPrivate);
      const s = await this.session(ref, l, fx.notices);
      s.policy = POLICY_ALWAYS;
      // Any line of the old attempt still waiting goes: the buddy reads the new one only.
      l.rec.outbox = l.rec.outbox.filter((o) => !o.entries?.includes(entryId));
      const out = s.send(t.text);
      const held = out.events.some((e) => e.type === 'held');
      const notSent = out.events.some((e) => e.type === 'not-sent');
      t.status = notSent ? 'not-sent' : held ? 'held' : 'sending';
      delete t.progress;
      // Stored as an update of the entry (commit stores what fx.transcript holds).
      fx.transcript.push(t);
      const result = await this.commit(
        ref,
        id,
        l,
        { wire: out.wire, events: out.events.filter((e) => e.type !== 'not-sent') },
        fx,
        t.status === 'sending' ? [t.id] : [],
      );
      return result;
    });
  }

  /** What the page says stops it sending (null: nothing); returns the conversation's status. */
  setSiteError(ref: ConversationRef, error: string | null): Promise<ConversationStatus> {
    const id = conversationId(ref);
    if (error === null) this.siteErrors.delete(id);
    else this.siteErrors.set(id, error);
    return this.status(ref);
  }

  /** Lines produced but not yet seen on the page (to hand to the page again after a restart). */
  pending(ref: ConversationRef): Promise<OutboxLine[]> {
    const id = conversationId(ref);
    return this.serial(id, async () =>
      (await this.load(id)).rec.outbox.map((o) => ({
        seq: o.seq,
        wire: o.wire,
        ...(o.typed ? { typed: true } : {}),
      })),
    );
  }

  /** The stored transcript, oldest first; with `last`, only its last entries (all that is read). */
  transcript(ref: ConversationRef, last?: number): Promise<TranscriptEntry[]> {
    const id = conversationId(ref);
    return this.serial(id, () => this.deps.sessions.transcript(id, last));
  }

  status(ref: ConversationRef): Promise<ConversationStatus> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      if (!l.session && l.rec.session) {
        try {
          await this.session(ref, l, []);
        } catch (e) {
          // Locked (issue 18): the status comes from the stored snapshot, the engine waits.
          if (!(e instanceof KeyLockedError)) throw e;
        }
      }
      return this.statusOf(ref, l);
    });
  }

  /**
   * Gives up on messages held (typed in private mode before the AKE completed) for longer than
   * `maxAgeMs`: they are dropped from the session and marked not sent in the transcript. Run
   * from an alarm, so it works across worker restarts (the held messages live in the snapshot).
   */
  async expireHeld(maxAgeMs: number): Promise<{ conversation: string; expired: number }[]> {
    const out: { conversation: string; expired: number }[] = [];
    for (const id of await this.deps.sessions.list()) {
      // One conversation that fails (its state cannot be stored) does not stop the others'.
      const expired = await this.serial(id, async () => {
        const l = await this.load(id);
        if (l.session) l.rec.session = l.session.snapshot();
        const snap = l.rec.session;
        if (!snap || snap.held.length === 0) return 0;
        // Through the sent cache, not a store read beside it: the cache is what a later commit
        // (the AKE finishing) reads to send held messages, and it must say these were not sent.
        const held = (await this.sentEntries(id, l)).filter((t) => t.status === 'held');
        const oldest = held[0]?.at ?? 0;
        if (oldest > this.now() - maxAgeMs) return 0;
        const n = snap.held.length;
        l.rec.session = { ...snap, held: [] };
        // The next operation restores the engine from the trimmed snapshot.
        l.session = null;
        l.rec.updated = this.now();
        for (const t of held) t.status = 'not-sent';
        await this.save(id, l.rec, null, { update: held });
        return n;
      }).catch(() => 0);
      if (expired > 0) out.push({ conversation: id, expired });
    }
    return out;
  }

  /**
   * The panic wipe's end: TLV 1 to the buddy of an encrypted conversation, private mode off.
   * While locked the engine is restored with a stand-in for the private key (x = 0, the public
   * part as stored): ending uses only the session's data keys, never the long-term key, and the
   * session is erased right after. Null when there is nothing to end.
   */
  endForWipe(ref: ConversationRef): Promise<Effects | null> {
    const id = conversationId(ref);
    return this.serial(id, async () => {
      const l = await this.load(id);
      const snap = l.session?.snapshot() ?? l.rec.session;
      if (!snap || lockedStatus(snap).state !== 'encrypted') return null;
      const fx = this.fx(id);
      let s: Session;
      try {
        s = await this.session(ref, l, fx.notices);
      } catch (e) {
        if (!(e instanceof KeyLockedError)) throw e;
        const pub = await this.deps.keys.getPublicKey(ref.account, ref.protocol);
        if (!pub) return null;
        s = Session.restore(snap, {
          account: ref.account,
          protocol: ref.protocol,
          peer: ref.peer,
          privateKey: { ...pub, x: 0n },
          instanceTag: await this.instanceTag(ref.account, ref.protocol),
          policy: POLICY_ALWAYS,
          maxMessageSize: ref.maxMessageSize ?? 0,
          random: this.random,
          now: this.now,
        });
        l.session = s;
      }
      const out = s.end();
      l.rec.privateMode = false;
      const committed = await this.commit(ref, id, l, out, fx);
      // The stand-in never stays: the next operation starts from the stored snapshot.
      this.live.delete(id);
      return committed;
    });
  }

  /** Forgets the in-memory sessions, as a worker restart does (for tests and for memory pressure). */
  dropCache(): void {
    this.live.clear();
  }

  /**
   * The panic wipe begins: from now on nothing is saved (operations already running fail at their
   * save), and this resolves once every queued operation has settled, so the store can be erased
   * with nothing left to write into it. endWipe() after the erase.
   */
  async beginWipe(): Promise<void> {
    this.wiping = true;
    this.wipeEpoch++;
    // Once, the queues as they stand: what starts from now on never saves (wiping, the new epoch),
    // so steady page traffic cannot hold the wipe off.
    await Promise.all([...this.queues.values()]);
    this.live.clear();
    this.forgetProcessed();
  }

  /** The erase is done: operations begun during it never save either (new epoch). */
  endWipe(): void {
    this.wiping = false;
    this.wipeEpoch++;
    this.live.clear();
    this.forgetProcessed();
  }

  /** The store was erased: a row shown again is new (decided by the empty store, not memory). */
  private forgetProcessed(): void {
    this.processed.clear();
    this.processedChars = 0;
  }
}

/**
 * What a stored snapshot says without the engine (while the keys are locked): the state of its
 * best instance (libotr's order: encrypted, finished, plaintext) and that instance's fingerprint.
 */
function lockedStatus(snap: SessionSnapshot): {
  state: MsgState;
  version: number;
  fingerprint: Uint8Array | null;
  authInProgress: boolean;
  smpState: string;
  held: number;
} {
  const rank = (m: MsgState) => (m === 'encrypted' ? 2 : m === 'finished' ? 1 : 0);
  let best = snap.master;
  for (const c of snap.instances) if (rank(c.msgstate) > rank(best.msgstate)) best = c;
  const pub = best.theirPublicKey;
  return {
    state: best.msgstate,
    version: best.msgstate === 'plaintext' ? 0 : best.version,
    // The stored public key is its OTR encoding (2-byte type first); the fingerprint hashes the rest.
    fingerprint: pub ? sha1(hexToBytes(pub).subarray(2)) : null,
    authInProgress: false,
    smpState: 'expect1',
    held: snap.held.length,
  };
}
