/**
 * One OTR conversation with one buddy (account, protocol, buddy): what libotr spreads over
 * otrl_message_sending / otrl_message_receiving and its master and child contexts. The Session
 * classifies each line of chat (query, whitespace tag, error, fragment, encoded message, plain
 * text), routes OTR messages by instance tag to a Context, applies the policy, holds what the
 * user types until the conversation is private when encryption is required, and returns
 * everything as data: the lines to send and the events to show.
 *
 * Nothing here touches a browser, a clock or a random source of its own: they are injected.
 */

import type { DsaPrivateKey } from '../crypto/dsa';
import { cryptoRandom, type RandomSource } from '../crypto/random';
import { AkeHistory } from './ake';
import {
  Context,
  type ContextEnv,
  type ContextEvent,
  type ContextOutput,
  type ContextSnapshot,
  type MsgState,
} from './context';
import { fail, OtrError } from './errors';
import {
  armor,
  dearmor,
  decodeMessage,
  FLAG_IGNORE_UNREADABLE,
  MIN_INSTANCE_TAG,
  type OtrMessage,
  type ProtocolVersion,
} from './messages';
import {
  ALLOW_V2,
  ALLOW_V3,
  allowedVersions,
  ERROR_START_AKE,
  REQUIRE_ENCRYPTION,
  SEND_WHITESPACE_TAG,
  VERSION_MASK,
  WHITESPACE_START_AKE,
} from './policy';
import {
  classify,
  type FragmentState,
  fragment,
  MAX_REASSEMBLED,
  queryMessage,
  reassemble,
  whitespaceTag,
} from './proto';
import { fingerprint } from './pubkey';
import { TLV_EXTRA_SYMKEY } from './tlv';

export type { MsgState } from './context';

export type SessionEvent =
  | ContextEvent
  | { type: 'message'; text: string; encrypted: false; instance: number; unencryptedWarning: boolean }
  | { type: 'held'; text: string; count: number }
  | { type: 'not-sent'; text: string; reason: string }
  | { type: 'otr-error'; message: string };

export interface Output {
  /** Lines to send to the buddy over the chat, in order (already fragmented). */
  wire: string[];
  events: SessionEvent[];
}

export interface SessionOptions {
  account: string;
  protocol: string;
  peer: string;
  privateKey: DsaPrivateKey;
  /** Our instance tag for this account (>= 0x100), persistent across restarts. */
  instanceTag: number;
  /** libotr policy flags (policy.ts). */
  policy: number;
  /** The longest line the chat carries; longer OTR messages are fragmented. 0 = no limit. */
  maxMessageSize?: number;
  random?: RandomSource;
  /** Milliseconds since the epoch. */
  now?: () => number;
  /** Send a heartbeat after receiving if we sent nothing for this long (ms; libotr: 60 s). */
  heartbeatInterval?: number;
}

export interface SessionStatus {
  state: MsgState;
  version: ProtocolVersion | 0;
  instance: number;
  fingerprint: Uint8Array | null;
  ssid: Uint8Array | null;
  ssidBoldFirstHalf: boolean;
  authInProgress: boolean;
  smpState: string;
  held: number;
}

type Offer = 'not' | 'sent' | 'rejected' | 'accepted';

export const SESSION_SNAPSHOT_VERSION = 2;

/**
 * How many characters of partly reassembled messages a snapshot carries, over all senders. The
 * buffers themselves may hold up to MAX_REASSEMBLED each (proto.ts) in memory; a snapshot keeps
 * whole buffers, smallest first, while they fit this budget, so the saved OTR state stays small
 * whatever the page sends (I8). A bigger partial message lives in memory only: if the worker is
 * killed while it is incomplete, it is lost (its remaining fragments are then refused as out of
 * sequence), which the sender sees as a message that did not arrive. Messages a chat carries in
 * a few lines (every AKE message, any text up to tens of KB) survive a kill.
 */
export const SNAPSHOT_FRAGMENT_BUDGET = 64 * 1024;

export interface SessionSnapshot {
  v: typeof SESSION_SNAPSHOT_VERSION;
  policy: number;
  master: ContextSnapshot;
  instances: ContextSnapshot[];
  /** Hashes of the D-H pairs of completed AKEs (ake.ts AkeHistory); absent in version 1. */
  history?: string[];
  fragments: { tag: number; k: number; n: number; pieces: string }[];
  held: string[];
  offer: Offer;
  queryPending: boolean;
}

/** A context's order in libotr's OTRL_INSTAG_BEST (Session.best): encrypted, finished, plaintext. */
function rank(c: Context): number {
  return c.msgstate === 'encrypted' ? 2 : c.msgstate === 'finished' ? 1 : 0;
}

/** Reassembly buffers per sender: bounded, so a stream of bogus instance tags cannot grow it. */
const MAX_FRAGMENT_BUFFERS = 16;
const MAX_INSTANCES = 64;

export class Session {
  readonly account: string;
  readonly protocol: string;
  readonly peer: string;
  policy: number;
  maxMessageSize: number;
  private readonly env: ContextEnv;
  private master: Context;
  private instances = new Map<number, Context>();
  private fragments = new Map<number, FragmentState>();
  /** What the user typed while encryption is required but not yet in place (I2), in order. */
  private held: string[] = [];
  private offer: Offer = 'not';
  /** Whether we asked for OTR and are waiting for it (so held messages do not send a query each). */
  private queryPending = false;

  constructor(opts: SessionOptions) {
    if (opts.instanceTag < MIN_INSTANCE_TAG || opts.instanceTag > 0xffffffff) {
      throw new RangeError('instance tag must be at least 0x100');
    }
    this.account = opts.account;
    this.protocol = opts.protocol;
    this.peer = opts.peer;
    this.policy = opts.policy;
    this.maxMessageSize = opts.maxMessageSize ?? 0;
    this.env = {
      key: opts.privateKey,
      ourFingerprint: fingerprint(opts.privateKey),
      ourTag: opts.instanceTag,
      random: opts.random ?? cryptoRandom,
      now: opts.now ?? Date.now,
      heartbeatInterval: opts.heartbeatInterval ?? 60_000,
      history: new AkeHistory(),
    };
    this.master = new Context(this.env, 0);
  }

  get instanceTag(): number {
    return this.env.ourTag;
  }

  get ourFingerprint(): Uint8Array {
    return this.env.ourFingerprint;
  }

  // ---- what the user does --------------------------------------------------------------

  /** The user asks for a private conversation (or to refresh it): send a Query Message. */
  query(): Output {
    const out: Output = { wire: [], events: [] };
    const versions = allowedVersions(this.policy);
    if (versions.length === 0) {
      out.events.push({
        type: 'error',
        instance: 0,
        code: 'policy',
        message: 'OTR is disabled by the policy',
      });
      return out;
    }
    this.offer = 'sent';
    this.queryPending = true;
    out.wire.push(queryMessage(versions, this.account));
    return out;
  }

  /** The user sends a message. Never sends it in clear when encryption is required. */
  send(text: string): Output {
    const out: Output = { wire: [], events: [] };
    if ((this.policy & VERSION_MASK) === 0) {
      out.wire.push(text);
      return out;
    }
    const ctx = this.best();
    switch (ctx.msgstate) {
      case 'encrypted':
        this.pushWire(ctx, ctx.seal(text).bytes, out);
        return out;
      case 'finished':
        out.events.push({
          type: 'not-sent',
          text,
          reason: 'Your buddy has ended the private conversation; end it or refresh it before sending.',
        });
        return out;
      case 'plaintext':
        if (this.policy & REQUIRE_ENCRYPTION) {
          this.held.push(text);
          out.events.push({ type: 'held', text, count: this.held.length });
          if (!this.queryPending) {
            const q = this.query();
            out.wire.push(...q.wire);
          }
          return out;
        }
        if (this.policy & SEND_WHITESPACE_TAG && this.offer !== 'rejected') {
          this.offer = 'sent';
          out.wire.push(text + whitespaceTag(allowedVersions(this.policy)));
          return out;
        }
        out.wire.push(text);
        return out;
    }
  }

  /** Ends the private conversation with every instance (TLV 1), as libotr's disconnect_all_instances. */
  end(): Output {
    const out: Output = { wire: [], events: [] };
    for (const ctx of this.contexts()) this.emit(ctx, ctx.end(), out);
    this.dropHeld(out, 'The private conversation was ended before it could be sent.');
    this.queryPending = false;
    return out;
  }

  startSmp(secret: string, question?: string): Output {
    return this.onEncrypted((ctx) => ctx.startSmp(secret, question));
  }

  answerSmp(secret: string): Output {
    return this.onEncrypted((ctx) => ctx.answerSmp(secret));
  }

  abortSmp(): Output {
    return this.onEncrypted((ctx) => ctx.abortSmp());
  }

  /**
   * Tells the buddy to use the current extra symmetric key (TLV 8) for `use` and returns it
   * (spec: "Extra symmetric key"); the buddy's client reports the same key.
   */
  extraSymmetricKey(use: number, usedata: Uint8Array): Output & { key: Uint8Array } {
    const ctx = this.best();
    if (ctx.msgstate !== 'encrypted') throw new OtrError('bad-state', 'no private conversation');
    const value = new Uint8Array(4 + usedata.length);
    value.set([(use >>> 24) & 255, (use >>> 16) & 255, (use >>> 8) & 255, use & 255], 0);
    value.set(usedata, 4);
    const sealed = ctx.seal('', [{ type: TLV_EXTRA_SYMKEY, value }], FLAG_IGNORE_UNREADABLE);
    const out: Output = { wire: [], events: [] };
    this.emit(ctx, { send: [sealed.bytes], sendText: [], events: [] }, out);
    // A copy: sealed.extraKey is the key state's own array, and the caller may wipe what it gets.
    return { ...out, key: sealed.extraKey.slice() };
  }

  private onEncrypted(f: (ctx: Context) => ContextOutput): Output {
    const ctx = this.best();
    const out: Output = { wire: [], events: [] };
    this.emit(ctx, f(ctx), out);
    return out;
  }

  // ---- what arrives --------------------------------------------------------------------

  /** Handles one received line of chat. Never throws for bad input; rejected input changes nothing. */
  receive(wire: string): Output {
    const out: Output = { wire: [], events: [] };
    if ((this.policy & VERSION_MASK) === 0) {
      out.events.push({
        type: 'message',
        text: wire,
        encrypted: false,
        instance: 0,
        unencryptedWarning: false,
      });
      return out;
    }
    try {
      this.receiveLine(wire, out, false);
    } catch (e) {
      if (!(e instanceof OtrError)) throw e;
      out.events.push({ type: 'error', instance: 0, code: e.code, message: e.message });
    }
    return out;
  }

  private receiveLine(wire: string, out: Output, reassembled: boolean): void {
    const c = classify(wire);
    if (c.kind === 'fragment') {
      if (reassembled) fail('fragment', 'a fragment inside a fragmented message');
      if (c.version === 3) {
        if (c.senderTag < MIN_INSTANCE_TAG) fail('bad-instance', 'fragment from an invalid instance tag');
        if (c.receiverTag !== 0 && c.receiverTag !== this.env.ourTag) {
          out.events.push({
            type: 'ignored',
            instance: c.senderTag,
            reason: 'fragment for another instance',
          });
          return;
        }
      }
      const key = c.senderTag;
      if (!this.fragments.has(key) && this.fragments.size >= MAX_FRAGMENT_BUFFERS) {
        const oldest = this.fragments.keys().next().value;
        if (oldest !== undefined) this.fragments.delete(oldest);
      }
      const step = reassemble(this.fragments.get(key) ?? { k: 0, n: 0, pieces: '' }, c);
      if (step.state.n === 0) this.fragments.delete(key);
      else this.fragments.set(key, step.state);
      if (step.tooLong) {
        fail('fragment-too-long', `a fragmented message grew past ${MAX_REASSEMBLED} characters; dropped`);
      }
      if (step.complete !== undefined) this.receiveLine(step.complete, out, true);
      return;
    }
    // (Map.clear allocates a new table in V8 even when empty: skipped when there is nothing.)
    if (!reassembled && this.fragments.size > 0) this.fragments.clear();

    if (this.policy & SEND_WHITESPACE_TAG) {
      if (c.kind !== 'plain' || c.tagVersions.length > 0) this.offer = 'accepted';
      else if (this.offer === 'sent') this.offer = 'rejected';
    }

    switch (c.kind) {
      case 'encoded':
        this.receiveEncoded(c.text, out);
        return;
      case 'query': {
        const v = this.bestVersion(c.versions);
        if (v) this.emit(this.master, this.master.startAke(v), out);
        return;
      }
      case 'error':
        out.events.push({ type: 'otr-error', message: c.message });
        if (this.policy & ERROR_START_AKE) out.wire.push(...this.query().wire);
        return;
      case 'plain': {
        const best = this.best();
        if (c.tagVersions.length > 0 && this.policy & WHITESPACE_START_AKE && best.msgstate !== 'encrypted') {
          const v = this.bestVersion(c.tagVersions);
          if (v) this.emit(this.master, this.master.startAke(v), out);
        }
        if (c.text.length > 0 || c.tagVersions.length === 0) {
          out.events.push({
            type: 'message',
            text: c.text,
            encrypted: false,
            instance: 0,
            unencryptedWarning: best.msgstate !== 'plaintext' || (this.policy & REQUIRE_ENCRYPTION) !== 0,
          });
        }
        return;
      }
    }
  }

  private receiveEncoded(text: string, out: Output): void {
    let msg: OtrMessage;
    try {
      msg = decodeMessage(dearmor(text));
    } catch (e) {
      if (!(e instanceof OtrError)) throw e;
      out.events.push({
        type: 'error',
        instance: 0,
        code: e.code,
        message: `malformed OTR message: ${e.message}`,
      });
      return;
    }
    const { version, senderTag, receiverTag } = msg.header;
    if ((version === 3 && !(this.policy & ALLOW_V3)) || (version === 2 && !(this.policy & ALLOW_V2))) {
      out.events.push({
        type: 'ignored',
        instance: senderTag,
        reason: `version ${version} not allowed by policy`,
      });
      return;
    }
    let ctx: Context;
    let copied = false;
    let undo: (() => void) | null = null;
    if (version === 3) {
      if (senderTag === this.env.ourTag) {
        out.events.push({
          type: 'ignored',
          instance: senderTag,
          reason: 'reflected message (our own instance tag)',
        });
        return;
      }
      const forUs = receiverTag === this.env.ourTag || (msg.kind === 'dh-commit' && receiverTag === 0);
      if (!forUs) {
        out.events.push({ type: 'ignored', instance: senderTag, reason: 'message for another instance' });
        return;
      }
      const existing = this.instances.get(senderTag);
      if (existing) {
        ctx = existing;
        if (
          msg.kind === 'dh-key' &&
          this.master.ake.mayAnswer(msg.gy) &&
          ctx.ake.state !== 'awaiting-dhkey'
        ) {
          const previous = ctx.ake;
          ctx.ake = this.master.ake.copyFor(senderTag);
          copied = true;
          undo = () => {
            existing.ake = previous;
          };
        }
      } else {
        if (msg.kind !== 'dh-commit' && msg.kind !== 'dh-key') {
          out.events.push({
            type: 'ignored',
            instance: senderTag,
            reason: `${msg.kind} from an unknown instance`,
          });
          if (msg.kind === 'data' && !(msg.flags & FLAG_IGNORE_UNREADABLE)) {
            out.events.push({
              type: 'error',
              instance: senderTag,
              code: 'not-private',
              message: 'Received an encrypted message, but no private conversation is in progress.',
            });
          }
          return;
        }
        // Full: make room by forgetting the least recently heard instance that never got private
        // (the chat can make up instance tags at will; a real new client of the buddy must still fit).
        let evicted: Context | undefined;
        if (this.instances.size >= MAX_INSTANCES) {
          for (const c of this.instances.values()) {
            if (c.msgstate === 'plaintext' && (!evicted || c.lastReceived < evicted.lastReceived))
              evicted = c;
          }
          if (!evicted) {
            out.events.push({ type: 'ignored', instance: senderTag, reason: 'too many instances' });
            return;
          }
          this.instances.delete(evicted.theirTag);
        }
        ctx = new Context(this.env, senderTag);
        if (msg.kind === 'dh-key' && this.master.ake.mayAnswer(msg.gy)) {
          ctx.ake = this.master.ake.copyFor(senderTag);
          copied = true;
        }
        this.instances.set(senderTag, ctx);
        undo = () => {
          this.instances.delete(senderTag);
          if (evicted) this.instances.set(evicted.theirTag, evicted);
        };
      }
    } else {
      ctx = this.master;
    }
    const co = ctx.receive(msg);
    // Rejected input changes nothing: drop the instance or the AKE copy made for an ignored message.
    if (undo && co.events.some((e) => e.type === 'ignored')) undo();
    else if (copied && msg.kind === 'dh-key') this.master.ake.markAnswered(msg.gy);
    this.emit(ctx, co, out);
  }

  // ---- plumbing ------------------------------------------------------------------------

  /**
   * Armors, fragments and collects a context's output; flushes held messages once private.
   * Plain loops, no spreads or closures: this runs for every message received.
   */
  private emit(ctx: Context, co: ContextOutput, out: Output): void {
    for (const bytes of co.send) this.pushWire(ctx, bytes, out);
    for (const line of co.sendText) out.wire.push(line);
    let wentPrivate = false;
    let finished = false;
    for (const e of co.events) {
      out.events.push(e);
      if (e.type === 'state') {
        if (e.state === 'encrypted') wentPrivate = true;
        else if (e.state === 'finished') finished = true;
      }
    }
    if (wentPrivate) {
      this.queryPending = false;
      const held = this.held;
      this.held = [];
      for (const text of held) this.pushWire(ctx, ctx.seal(text).bytes, out);
    }
    if (finished) this.dropHeld(out, 'Your buddy ended the private conversation before it could be sent.');
  }

  private dropHeld(out: Output, reason: string): void {
    for (const text of this.held) out.events.push({ type: 'not-sent', text, reason });
    this.held = [];
  }

  /** Armors a binary message, fragments it in the format of its own protocol version, adds the lines to out. */
  private pushWire(ctx: Context, bytes: Uint8Array, out: Output): void {
    this.pushArmored(ctx, armor(bytes), bytes[1] === 2 ? 2 : 3, out);
  }

  /** Adds an armored message of protocol `version` to out, fragmented if the chat needs it. */
  private pushArmored(ctx: Context, message: string, version: ProtocolVersion, out: Output): void {
    if (!this.maxMessageSize || message.length <= this.maxMessageSize) {
      out.wire.push(message);
      return;
    }
    for (const line of fragment(message, this.maxMessageSize, version, this.env.ourTag, ctx.theirTag)) {
      out.wire.push(line);
    }
  }

  private bestVersion(offered: number[]): ProtocolVersion | null {
    if (offered.includes(3) && this.policy & ALLOW_V3) return 3;
    if (offered.includes(2) && this.policy & ALLOW_V2) return 2;
    return null;
  }

  private contexts(): Context[] {
    return [this.master, ...this.instances.values()];
  }

  /** libotr's OTRL_INSTAG_BEST: encrypted before finished before plaintext, then most recent. */
  private best(): Context {
    let best = this.master;
    for (const c of this.instances.values()) {
      if (rank(c) > rank(best) || (rank(c) === rank(best) && c.lastReceived > best.lastReceived)) best = c;
    }
    return best;
  }

  get status(): SessionStatus {
    const b = this.best();
    return {
      state: b.msgstate,
      version: b.msgstate === 'plaintext' ? 0 : b.version,
      instance: b.theirTag,
      fingerprint: b.theirFingerprint,
      ssid: b.ssid,
      ssidBoldFirstHalf: b.ssidBoldFirstHalf,
      authInProgress: this.contexts().some((c) => c.ake.inProgress),
      smpState: b.smp.state,
      held: this.held.length,
    };
  }

  /** The question of an SMP the buddy started and we have not answered yet. */
  get smpQuestion(): string | undefined {
    return this.best().smp.question;
  }

  /** The instance tags of the buddy's clients we have a context with. */
  get instanceTags(): number[] {
    return [...this.instances.keys()];
  }

  // ---- persistence ---------------------------------------------------------------------

  snapshot(): SessionSnapshot {
    return {
      v: SESSION_SNAPSHOT_VERSION,
      policy: this.policy,
      master: this.master.snapshot(),
      instances: [...this.instances.values()].map((c) => c.snapshot()),
      history: this.env.history.snapshot(),
      fragments: this.fragmentsToKeep(),
      held: [...this.held],
      offer: this.offer,
      queryPending: this.queryPending,
    };
  }

  /** The fragment buffers a snapshot carries: whole ones, smallest first, within SNAPSHOT_FRAGMENT_BUDGET. */
  private fragmentsToKeep(): SessionSnapshot['fragments'] {
    const kept: SessionSnapshot['fragments'] = [];
    let budget = SNAPSHOT_FRAGMENT_BUDGET;
    const bySize = [...this.fragments].sort((a, b) => a[1].pieces.length - b[1].pieces.length);
    for (const [tag, f] of bySize) {
      if (f.pieces.length > budget) break;
      budget -= f.pieces.length;
      kept.push({ tag, k: f.k, n: f.n, pieces: f.pieces });
    }
    return kept;
  }

  /**
   * Rebuilds a session from a snapshot; throws OtrError('malformed') on an invalid one. A
   * version 1 snapshot (before the AKE history) restores with an empty history.
   */
  static restore(snap: SessionSnapshot, opts: SessionOptions): Session {
    const v = (snap as { v?: unknown } | null)?.v;
    if (!snap || (v !== SESSION_SNAPSHOT_VERSION && v !== 1))
      fail('malformed', 'unsupported session snapshot version');
    const s = new Session({ ...opts, policy: typeof snap.policy === 'number' ? snap.policy : opts.policy });
    s.env.history = AkeHistory.restore(snap.history);
    s.master = Context.restore(snap.master, s.env);
    for (const c of snap.instances) {
      if (c.theirTag < MIN_INSTANCE_TAG) fail('malformed', 'bad instance tag in snapshot');
      s.instances.set(c.theirTag, Context.restore(c, s.env));
    }
    let fragmentChars = 0;
    for (const f of snap.fragments) {
      const pieces = String(f.pieces);
      fragmentChars += pieces.length;
      if (pieces.length > MAX_REASSEMBLED || fragmentChars > MAX_REASSEMBLED * MAX_FRAGMENT_BUFFERS) {
        fail('malformed', 'fragment buffers in snapshot beyond their budget');
      }
      s.fragments.set(f.tag, { k: f.k, n: f.n, pieces });
    }
    s.held = snap.held.map(String);
    s.offer = (['not', 'sent', 'rejected', 'accepted'] as const).includes(snap.offer) ? snap.offer : 'not';
    s.queryPending = snap.queryPending === true;
    return s;
  }
}
