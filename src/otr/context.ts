/**
 * The state of one OTR conversation with one instance of a buddy (libotr's ConnContext): the
 * message state, the AKE, the data-message keys and the SMP. A Session (session.ts) routes
 * messages to contexts by instance tag; this file decides what each received message means.
 *
 * A context never sends by itself: it returns binary messages to armor and events to report.
 */
import { bytesToHex, hexToBytes, utf8Decode, utf8Encode, wipe } from '../crypto/bytes';
import type { DsaPrivateKey, DsaPublicKey } from '../crypto/dsa';
import type { RandomSource } from '../crypto/random';
import { Ake, type AkeHistory, type AkeResult, type AkeSnapshot, type AkeStep } from './ake';
import { openDataMessage, sealDataMessage } from './data';
import { OtrError } from './errors';
import { KeyState, type KeyStateSnapshot } from './keys';
import {
  type DataMessage,
  FLAG_IGNORE_UNREADABLE,
  type Header,
  MSG_DATA,
  type OtrMessage,
  type ProtocolVersion,
} from './messages';
import { encodePublicKey, fingerprint, readPublicKey } from './pubkey';
import { Reader } from './serial';
import { Smp, type SmpEvent, type SmpSnapshot, smpSecret } from './smp';
import {
  decodeTlvPrefix,
  encodeTlvs,
  TLV_DISCONNECTED,
  TLV_EXTRA_SYMKEY,
  TLV_SMP1,
  TLV_SMP1Q,
  type Tlv,
} from './tlv';

export type MsgState = 'plaintext' | 'encrypted' | 'finished';

/** libotr's default error texts, so a libotr user reads the words they know. */
export const ERROR_UNREADABLE = 'You transmitted an unreadable encrypted message.';
export const ERROR_MALFORMED = 'You transmitted a malformed data message.';

export type ContextEvent =
  | { type: 'message'; text: string; encrypted: true; instance: number }
  | {
      type: 'state';
      state: MsgState;
      version: ProtocolVersion;
      instance: number;
      fingerprint?: Uint8Array;
      ssid?: Uint8Array;
    }
  | ({ type: 'smp'; instance: number } & SmpEvent)
  | { type: 'symkey'; instance: number; use: number; usedata: Uint8Array; key: Uint8Array }
  | { type: 'error'; instance: number; code: string; message: string }
  | { type: 'ignored'; instance: number; reason: string };

export interface ContextOutput {
  /** Binary OTR messages to armor and send, in order. */
  send: Uint8Array[];
  /** Text lines to send as they are (OTR error messages). */
  sendText: string[];
  events: ContextEvent[];
}

export interface ContextSnapshot {
  theirTag: number;
  msgstate: MsgState;
  version: ProtocolVersion;
  ake: AkeSnapshot;
  keys: KeyStateSnapshot | null;
  theirPublicKey: string | null;
  ssid: string | null;
  ssidBoldFirstHalf: boolean;
  smp: SmpSnapshot;
  lastSent: number;
  lastReceived: number;
}

export interface ContextEnv {
  key: DsaPrivateKey;
  ourFingerprint: Uint8Array;
  ourTag: number;
  random: RandomSource;
  now: () => number;
  heartbeatInterval: number;
  /** The conversation's completed AKEs (I7), shared by all its contexts. */
  history: AkeHistory;
}

function emptyOutput(): ContextOutput {
  return { send: [], sendText: [], events: [] };
}

/** No TLVs (shared, never written). */
const NO_TLVS: readonly Tlv[] = [];

export class Context {
  msgstate: MsgState = 'plaintext';
  version: ProtocolVersion = 3;
  ake: Ake;
  keys: KeyState | null = null;
  theirPublicKey: DsaPublicKey | null = null;
  theirFingerprint: Uint8Array | null = null;
  ssid: Uint8Array | null = null;
  ssidBoldFirstHalf = false;
  smp: Smp;
  lastSent = 0;
  lastReceived = 0;

  constructor(
    private readonly env: ContextEnv,
    /** The buddy's instance tag; 0 for the master context (v2, and v3 commits to anyone). */
    readonly theirTag: number,
  ) {
    this.ake = new Ake(env.key, env.random, env.ourTag, theirTag, env.history);
    this.smp = new Smp(env.random);
  }

  private header(): Header {
    return { version: this.version, type: MSG_DATA, senderTag: this.env.ourTag, receiverTag: this.theirTag };
  }

  /** Encrypts a message (text, then NUL and TLVs if any) to send with the current keys. */
  seal(text: string, tlvs: readonly Tlv[] = [], flags = 0): { bytes: Uint8Array; extraKey: Uint8Array } {
    if (this.msgstate !== 'encrypted' || !this.keys)
      throw new OtrError('bad-state', 'not in a private conversation');
    const body = utf8Encode(text);
    let plaintext = body;
    if (tlvs.length > 0) {
      const tlvBytes = encodeTlvs(tlvs);
      plaintext = new Uint8Array(body.length + 1 + tlvBytes.length);
      plaintext.set(body, 0);
      plaintext.set(tlvBytes, body.length + 1);
      wipe(body);
      wipe(tlvBytes);
    }
    const sealed = sealDataMessage(this.keys, this.header(), plaintext, flags);
    wipe(plaintext);
    this.lastSent = this.env.now();
    return sealed;
  }

  /** Starts the AKE from this context. */
  startAke(version: ProtocolVersion): ContextOutput {
    const out = emptyOutput();
    this.version = version;
    out.send.push(...this.ake.start(version).send);
    return out;
  }

  /** Handles a decoded AKE or data message addressed to this context. */
  receive(msg: OtrMessage): ContextOutput {
    switch (msg.kind) {
      case 'dh-commit':
        return this.akeStep(this.ake.handleDhCommit(msg));
      case 'dh-key':
        return this.akeStep(this.ake.handleDhKey(msg));
      case 'reveal-sig':
        return this.akeStep(this.ake.handleRevealSig(msg));
      case 'sig':
        return this.akeStep(this.ake.handleSig(msg));
      case 'data':
        return this.receiveData(msg);
    }
  }

  private akeStep(step: AkeStep): ContextOutput {
    const out = emptyOutput();
    out.send.push(...step.send);
    if (step.ignored) out.events.push({ type: 'ignored', instance: this.theirTag, reason: step.ignored });
    else this.lastReceived = this.env.now();
    if (step.done) this.goEncrypted(step.done, out);
    return out;
  }

  private goEncrypted(result: AkeResult, out: ContextOutput): void {
    this.version = result.version;
    this.keys?.wipe();
    this.keys = KeyState.fromAke(result, this.env.random);
    this.theirPublicKey = result.theirPublicKey;
    this.theirFingerprint = fingerprint(result.theirPublicKey);
    this.ssid = result.ssid;
    this.ssidBoldFirstHalf = result.ssidBoldFirstHalf;
    this.msgstate = 'encrypted';
    this.smp = new Smp(this.env.random);
    out.events.push({
      type: 'state',
      state: 'encrypted',
      version: this.version,
      instance: this.theirTag,
      fingerprint: this.theirFingerprint,
      ssid: this.ssid,
    });
  }

  private receiveData(msg: DataMessage): ContextOutput {
    const out = emptyOutput();
    const ignorable = (msg.flags & FLAG_IGNORE_UNREADABLE) !== 0;
    if (this.msgstate !== 'encrypted' || !this.keys) {
      // libotr 4.1.1 does not answer here (the message may be for another v2 instance of ours);
      // it only tells its user, and not even that for IGNORE_UNREADABLE messages.
      if (!ignorable) {
        out.events.push({
          type: 'error',
          instance: this.theirTag,
          code: 'not-private',
          message: 'Received an encrypted message, but no private conversation is in progress.',
        });
      }
      return out;
    }
    let opened: { plaintext: Uint8Array; extraKey: Uint8Array };
    try {
      opened = openDataMessage(this.keys, msg, this.env.random);
    } catch (e) {
      if (!(e instanceof OtrError)) throw e;
      if (!ignorable) {
        out.events.push({ type: 'error', instance: this.theirTag, code: 'unreadable', message: e.message });
        out.sendText.push(`?OTR Error: ${ERROR_UNREADABLE}`);
      }
      return out;
    }
    const now = this.env.now();
    this.lastReceived = now;
    // The text is decoded and the TLVs copied out of the plaintext here, then it is cleared.
    const plain = opened.plaintext;
    // The text ends at the first NUL, if any. UTF-8 never uses a 0 byte inside a character, so
    // the text before the NUL decodes the same whether or not the TLVs after it are decoded too.
    const decoded = utf8Decode(plain);
    const nulAt = decoded.indexOf('\0');
    if (nulAt < 0) {
      plain.fill(0);
      this.receiveText(decoded, now, out);
      return out;
    }
    // TLVs follow the NUL: copied out of the work buffer before it is cleared.
    const tlvStart = plain.indexOf(0) + 1;
    // libotr keeps the TLVs before a truncated one; an authenticated peer sent it, so be as lenient.
    const tlvs = decodeTlvPrefix(plain.subarray(tlvStart));
    plain.fill(0);
    const text = decoded.slice(0, nulAt);
    if (tlvs.length === 0) this.receiveText(text, now, out);
    else this.receiveTlvs(text, tlvs, opened.extraKey, out);
    return out;
  }

  /** The common case, an ordinary message: the text, perhaps a heartbeat, nothing else. */
  private receiveText(text: string, now: number, out: ContextOutput): void {
    if (text.length > 0) {
      out.events.push({ type: 'message', text, encrypted: true, instance: this.theirTag });
      this.heartbeat(out, now);
    }
  }

  /**
   * A message with TLVs (kept apart from the common case so that receiveData stays small):
   * the extra symmetric key, the end of the conversation, SMP steps and their replies.
   */
  private receiveTlvs(text: string, tlvs: readonly Tlv[], extraKey: Uint8Array, out: ContextOutput): void {
    const disconnected = tlvs.some((t) => t.type === TLV_DISCONNECTED);
    const symkey = tlvs.find((t) => t.type === TLV_EXTRA_SYMKEY);
    if (symkey && symkey.value.length >= 4) {
      const v = symkey.value;
      out.events.push({
        type: 'symkey',
        instance: this.theirTag,
        use: ((v[0]! << 24) | (v[1]! << 16) | (v[2]! << 8) | v[3]!) >>> 0,
        usedata: v.slice(4),
        key: extraKey.slice(), // a copy of the key state's array: the receiver may wipe it
      });
    }
    if (text.length > 0) out.events.push({ type: 'message', text, encrypted: true, instance: this.theirTag });
    if (disconnected) {
      this.forceFinished(out);
      return;
    }
    const replies: Tlv[] = [];
    for (const t of tlvs) {
      if (t.type < TLV_SMP1 || t.type > TLV_SMP1Q) continue;
      const r = this.smp.receive(t);
      replies.push(...r.reply);
      if (r.event) out.events.push({ type: 'smp', instance: this.theirTag, ...r.event });
    }
    if (replies.length > 0) {
      out.send.push(this.seal('', replies, FLAG_IGNORE_UNREADABLE).bytes);
    } else if (text.length > 0) {
      this.heartbeat(out, this.env.now());
    }
  }

  /** After a message with text: a heartbeat, so that the buddy's keys rotate even if we stay silent (libotr does the same). */
  private heartbeat(out: ContextOutput, now: number): void {
    if (now - this.lastSent > this.env.heartbeatInterval) {
      out.send.push(this.seal('', NO_TLVS, FLAG_IGNORE_UNREADABLE).bytes);
    }
  }

  private forceFinished(out: ContextOutput): void {
    this.keys?.wipe();
    this.keys = null;
    this.msgstate = 'finished';
    this.smp = new Smp(this.env.random);
    out.events.push({ type: 'state', state: 'finished', version: this.version, instance: this.theirTag });
  }

  /** Ends the conversation: TLV 1 to the buddy if private, then plaintext. */
  end(): ContextOutput {
    const out = emptyOutput();
    if (this.msgstate === 'encrypted' && this.keys) {
      out.send.push(
        this.seal('', [{ type: TLV_DISCONNECTED, value: new Uint8Array(0) }], FLAG_IGNORE_UNREADABLE).bytes,
      );
    }
    if (this.msgstate !== 'plaintext') {
      this.keys?.wipe();
      this.keys = null;
      this.msgstate = 'plaintext';
      this.smp = new Smp(this.env.random);
      out.events.push({ type: 'state', state: 'plaintext', version: this.version, instance: this.theirTag });
    }
    return out;
  }

  private requireEncrypted(): { ours: Uint8Array; theirs: Uint8Array; ssid: Uint8Array } {
    if (this.msgstate !== 'encrypted' || !this.theirFingerprint || !this.ssid) {
      throw new OtrError('bad-state', 'SMP needs a private conversation');
    }
    return { ours: this.env.ourFingerprint, theirs: this.theirFingerprint, ssid: this.ssid };
  }

  startSmp(secret: string, question?: string): ContextOutput {
    const { ours, theirs, ssid } = this.requireEncrypted();
    const tlvs = this.smp.start(smpSecret(ours, theirs, ssid, utf8Encode(secret)), question);
    return { send: [this.seal('', tlvs, FLAG_IGNORE_UNREADABLE).bytes], sendText: [], events: [] };
  }

  answerSmp(secret: string): ContextOutput {
    const { ours, theirs, ssid } = this.requireEncrypted();
    const tlvs = this.smp.answer(smpSecret(theirs, ours, ssid, utf8Encode(secret)));
    return { send: [this.seal('', tlvs, FLAG_IGNORE_UNREADABLE).bytes], sendText: [], events: [] };
  }

  abortSmp(): ContextOutput {
    this.requireEncrypted();
    const initiator = this.smp.snapshot().initiator;
    const tlvs = this.smp.abort();
    const out: ContextOutput = {
      send: [this.seal('', tlvs, FLAG_IGNORE_UNREADABLE).bytes],
      sendText: [],
      events: [],
    };
    out.events.push({
      type: 'smp',
      instance: this.theirTag,
      result: 'aborted',
      initiator,
      withQuestion: false,
    });
    return out;
  }

  snapshot(): ContextSnapshot {
    return {
      theirTag: this.theirTag,
      msgstate: this.msgstate,
      version: this.version,
      ake: this.ake.snapshot(),
      keys: this.keys ? this.keys.snapshot() : null,
      theirPublicKey: this.theirPublicKey ? bytesToHex(encodePublicKey(this.theirPublicKey)) : null,
      ssid: this.ssid ? bytesToHex(this.ssid) : null,
      ssidBoldFirstHalf: this.ssidBoldFirstHalf,
      smp: this.smp.snapshot(),
      lastSent: this.lastSent,
      lastReceived: this.lastReceived,
    };
  }

  static restore(s: ContextSnapshot, env: ContextEnv): Context {
    const ctx = new Context(env, s.theirTag);
    if (!['plaintext', 'encrypted', 'finished'].includes(s.msgstate))
      throw new OtrError('malformed', 'bad msgstate');
    ctx.msgstate = s.msgstate;
    ctx.version = s.version === 2 ? 2 : 3;
    ctx.ake = Ake.restore(s.ake, env.key, env.random, env.history);
    ctx.keys = s.keys ? KeyState.restore(s.keys) : null;
    if (s.theirPublicKey) {
      const r = new Reader(hexToBytes(s.theirPublicKey));
      ctx.theirPublicKey = readPublicKey(r);
      r.end('public key');
      ctx.theirFingerprint = fingerprint(ctx.theirPublicKey);
    }
    ctx.ssid = s.ssid ? hexToBytes(s.ssid) : null;
    ctx.ssidBoldFirstHalf = s.ssidBoldFirstHalf === true;
    ctx.smp = Smp.restore(s.smp, env.random);
    ctx.lastSent = Number(s.lastSent) || 0;
    ctx.lastReceived = Number(s.lastReceived) || 0;
    if (ctx.msgstate === 'encrypted' && (!ctx.keys || !ctx.theirPublicKey || !ctx.ssid)) {
      throw new OtrError('malformed', 'encrypted context without keys in snapshot');
    }
    return ctx;
  }
}
