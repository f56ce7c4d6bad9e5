/**
 * The authenticated key exchange (spec: "Authenticated Key Exchange (AKE)" and "The protocol
 * state machine" / authstate): D-H Commit, D-H Key, Reveal Signature, Signature, with the four
 * auth states, the commit collision rule and retransmissions.
 *
 * Bob (who starts) sends D-H Commit {AES_r(g^x), SHA256(g^x)}; Alice answers D-H Key {g^y}; Bob
 * reveals r and sends his encrypted, MACed, signed {pub_B, keyid_B, sig(M_B)}; Alice checks it
 * all and answers with hers. Every check is done before any state changes: a message that fails
 * one is ignored (as libotr does), and the caller is told why.
 *
 * r and every other fixed-length field stay bytes; the hashed g^x is over the exact MPI bytes.
 */
import { aes128Ctr } from '../crypto/aes-ctr';
import { bytesToHex, concatBytes, equalBytes, hexToBytes } from '../crypto/bytes';
import { type DsaPrivateKey, type DsaPublicKey, dsaSign, dsaVerify } from '../crypto/dsa';
import { hmacSha256, hmacSha256_160, sha256 } from '../crypto/hash';
import { isGroupElement, powG, powP } from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { fail, OtrError } from './errors';
import {
  type DhCommit,
  type DhKey,
  encodeDhCommit,
  encodeDhKey,
  encodeRevealSig,
  encodeSig,
  type Header,
  type ProtocolVersion,
  type RevealSig,
  type Sig,
} from './messages';
import { encodePublicKey, encodeSignature, readPublicKey, readSignature } from './pubkey';
import { encodeMpi, Reader, Writer } from './serial';

export type AuthState = 'none' | 'awaiting-dhkey' | 'awaiting-revealsig' | 'awaiting-sig';

/** libotr draws DH private keys of 320 bits (spec: "at least 320 bits"). */
export const DH_PRIVATE_BYTES = 40;

export interface DhKeyPair {
  x: bigint;
  gx: bigint;
}

export function generateDhKeyPair(random: RandomSource): DhKeyPair {
  // 320 random bits; a zero draw is astronomically unlikely but must not yield g^0.
  for (;;) {
    const x = BigInt(`0x${bytesToHex(random(DH_PRIVATE_BYTES))}`);
    if (x > 1n) return { x, gx: powG(x) };
  }
}

/** What a finished AKE hands to the data-message layer. */
export interface AkeResult {
  version: ProtocolVersion;
  ourKeyId: number;
  ourDh: DhKeyPair;
  theirKeyId: number;
  theirY: bigint;
  theirPublicKey: DsaPublicKey;
  /** The 8-byte secure session id. */
  ssid: Uint8Array;
  /** Which half of the ssid to show in bold (spec: Bob, who sent the commit, shows the first). */
  ssidBoldFirstHalf: boolean;
  /**
   * The D-H shared secret s = g^xy of this AKE. The first data-message keys use the same pair
   * of D-H keys (our AKE key and theirs), so KeyState.fromAke takes s from here instead of
   * computing the same 1536-bit exponentiation a second time. Optional: without it, fromAke
   * computes s itself.
   */
  secret?: bigint;
}

export interface AkeStep {
  /** Binary messages to armor and send, in order. */
  send: Uint8Array[];
  /** Set when the AKE has just completed. */
  done?: AkeResult;
  /** Why a message was ignored (for logs and tests; never secret). */
  ignored?: string;
}

interface Keys {
  ssid: Uint8Array;
  c: Uint8Array;
  cPrime: Uint8Array;
  m1: Uint8Array;
  m2: Uint8Array;
  m1Prime: Uint8Array;
  m2Prime: Uint8Array;
}

/** The AKE's key derivation (spec: "Computing the keys"): h2(b) = SHA256(b || MPI(s)). */
function deriveKeys(s: bigint): Keys {
  const secbytes = encodeMpi(s);
  const h2 = (b: number) => sha256(concatBytes(Uint8Array.of(b), secbytes));
  const cc = h2(0x01);
  return {
    ssid: h2(0x00).slice(0, 8),
    c: cc.slice(0, 16),
    cPrime: cc.slice(16, 32),
    m1: h2(0x02),
    m2: h2(0x03),
    m1Prime: h2(0x04),
    m2Prime: h2(0x05),
  };
}

/** The AKE encrypts with counter 0 (each key once: I7). */
const zeroCtr = (): Uint8Array => new Uint8Array(8);

/** A short hash of public D-H values, as the replay records keep them (hex of 16 bytes). */
function dhHash(...values: bigint[]): string {
  return bytesToHex(sha256(concatBytes(...values.map(encodeMpi))).subarray(0, 16));
}

/** How many D-H Keys one D-H Commit of ours answers (one per instance of the buddy). */
export const MAX_ANSWERS = 64;

/**
 * The pairs of D-H public values (ours, theirs) from which an AKE of this conversation
 * completed, newest last (I7): an AKE never completes, and never encrypts its Signature, from a
 * pair listed here. One per conversation, shared by its contexts, in the session snapshot.
 *
 * This is the second line. The first is that a pair cannot come back: an AKE that completes
 * drops its private value (reset), a responder draws a new one for every D-H Commit, and the
 * master, whose D-H Commit every instance of the buddy may answer (libotr does the same), hands
 * a copy of its private value out once per g^y (mayAnswer) and to at most MAX_ANSWERS of them.
 * So the list can be bounded: it keeps the newest MAX_COMPLETED pairs (16 bytes of hash each).
 */
export class AkeHistory {
  static readonly MAX_COMPLETED = 64;
  private pairs: string[] = [];

  has(ours: bigint, theirs: bigint): boolean {
    return this.pairs.includes(dhHash(ours, theirs));
  }

  add(ours: bigint, theirs: bigint): void {
    this.pairs.push(dhHash(ours, theirs));
    if (this.pairs.length > AkeHistory.MAX_COMPLETED) this.pairs.shift();
  }

  snapshot(): string[] {
    return [...this.pairs];
  }

  static restore(list: unknown): AkeHistory {
    const h = new AkeHistory();
    if (list === undefined) return h;
    if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && /^[0-9a-f]{32}$/.test(x))) {
      fail('malformed', 'bad AKE history in snapshot');
    }
    h.pairs = list.slice(-AkeHistory.MAX_COMPLETED);
    return h;
  }
}

/** The serializable state of an AKE in progress. */
export interface AkeSnapshot {
  state: AuthState;
  version: ProtocolVersion;
  ourTag: number;
  theirTag: number;
  x?: string;
  r?: string;
  encryptedGx?: string;
  hashedGx?: string;
  theirGy?: string;
  lastMessage?: string;
  /** Hashes of the g^y with which instances of the buddy answered this (master) commit. */
  answered?: string[];
}

export class Ake {
  state: AuthState = 'none';
  version: ProtocolVersion = 3;
  ourTag: number;
  theirTag: number;
  /** Our DH key pair of this AKE (x as Bob, y as Alice). */
  private ours: DhKeyPair | null = null;
  /** Bob's r. */
  private r: Uint8Array | null = null;
  /** Alice's copy of Bob's commitment. */
  private encryptedGx: Uint8Array | null = null;
  private hashedGx: Uint8Array | null = null;
  /** Bob's copy of Alice's g^y (to recognise a retransmitted D-H Key). */
  private theirGy: bigint | null = null;
  /**
   * Bob's s = (g^y)^x, computed when he answers the D-H Key and kept for the Signature message,
   * so the exponentiation is done once per AKE and not twice. Not in snapshots: a restored Ake
   * computes it again when the Signature arrives.
   */
  private secret: bigint | null = null;
  /** The last AKE message we sent (retransmitted by the rules of the state machine). */
  private lastMessage: Uint8Array | null = null;
  /**
   * On a master AKE: the g^y (hashed) with which instances of the buddy answered our D-H Commit,
   * each carrying the exchange on in its own context (copyFor). The master stays in
   * awaiting-dhkey, as libotr's does, so that another instance may still answer, but nothing is
   * in progress here any more; it answers each g^y once (I7: a second Reveal Signature for the
   * same pair would be new plaintext under the same AES key and counter 0).
   */
  private answeredGy: string[] = [];

  constructor(
    private readonly key: DsaPrivateKey,
    private readonly random: RandomSource,
    ourTag: number,
    theirTag: number,
    private readonly history: AkeHistory,
  ) {
    this.ourTag = ourTag;
    this.theirTag = theirTag;
  }

  private header(type: number): Header {
    return { version: this.version, type, senderTag: this.ourTag, receiverTag: this.theirTag };
  }

  private reset(): void {
    this.state = 'none';
    this.ours = null;
    this.r = null;
    this.encryptedGx = null;
    this.hashedGx = null;
    this.theirGy = null;
    this.secret = null;
    this.lastMessage = null;
    this.answeredGy = [];
  }

  /** Whether an exchange is under way that this AKE itself may still complete. */
  get inProgress(): boolean {
    return this.state !== 'none' && !(this.state === 'awaiting-dhkey' && this.answeredGy.length > 0);
  }

  /** Whether this (master) AKE may hand a copy of its commit to an instance answering with gy. */
  mayAnswer(gy: bigint): boolean {
    return (
      this.state === 'awaiting-dhkey' &&
      this.answeredGy.length < MAX_ANSWERS &&
      !this.answeredGy.includes(dhHash(gy))
    );
  }

  /** An instance answered this (master) commit with gy, and its copy sent the Reveal Signature. */
  markAnswered(gy: bigint): void {
    this.answeredGy.push(dhHash(gy));
  }

  /** Starts (or restarts) the AKE as Bob: a new x and r, and a D-H Commit. */
  start(version: ProtocolVersion): AkeStep {
    this.reset();
    this.version = version;
    this.ours = generateDhKeyPair(this.random);
    this.r = this.random(16).slice();
    const gxMpi = encodeMpi(this.ours.gx);
    this.encryptedGx = aes128Ctr(this.r, zeroCtr(), gxMpi);
    this.hashedGx = sha256(gxMpi);
    this.state = 'awaiting-dhkey';
    this.lastMessage = encodeDhCommit(this.header(0x02), this.encryptedGx, this.hashedGx);
    return { send: [this.lastMessage] };
  }

  /** The commitment we sent, if we are waiting for a D-H Key (to detect reflections). */
  get ourHashedGx(): Uint8Array | null {
    return this.state === 'awaiting-dhkey' ? this.hashedGx : null;
  }

  /**
   * A copy of this (master) AKE for an instance that answered our commit (libotr's
   * otrl_auth_copy_on_key): the same x and r, addressed to that instance.
   */
  copyFor(theirTag: number): Ake {
    const copy = new Ake(this.key, this.random, this.ourTag, theirTag, this.history);
    copy.state = this.state;
    copy.version = this.version;
    copy.ours = this.ours;
    copy.r = this.r;
    copy.encryptedGx = this.encryptedGx;
    copy.hashedGx = this.hashedGx;
    copy.theirGy = this.theirGy;
    copy.secret = this.secret;
    if (this.state === 'awaiting-dhkey' && this.encryptedGx && this.hashedGx) {
      copy.lastMessage = encodeDhCommit(copy.header(0x02), this.encryptedGx, this.hashedGx);
    }
    return copy;
  }

  private replyDhKey(msg: DhCommit, fresh: boolean): AkeStep {
    this.version = msg.header.version;
    if (fresh || !this.ours) this.ours = generateDhKeyPair(this.random);
    this.r = null;
    this.theirGy = null;
    this.secret = null;
    this.encryptedGx = msg.encryptedGx;
    this.hashedGx = msg.hashedGx;
    this.state = 'awaiting-revealsig';
    this.lastMessage = encodeDhKey(this.header(0x0a), this.ours.gx);
    return { send: [this.lastMessage] };
  }

  handleDhCommit(msg: DhCommit): AkeStep {
    switch (this.state) {
      case 'none':
        return this.replyDhKey(msg, true);
      case 'awaiting-dhkey': {
        const ours = this.hashedGx!;
        if (equalBytes(ours, msg.hashedGx)) return { send: [], ignored: 'reflected D-H Commit' };
        // The commit collision rule: the higher hash (32-byte big-endian) wins.
        if (compareBytes(ours, msg.hashedGx) > 0) return { send: [this.lastMessage!] };
        return this.replyDhKey(msg, true);
      }
      case 'awaiting-revealsig':
        // Retransmit the same D-H Key; use the new commitment.
        return this.replyDhKey(msg, false);
      case 'awaiting-sig':
        return this.replyDhKey(msg, true);
    }
  }

  handleDhKey(msg: DhKey): AkeStep {
    if (this.state === 'awaiting-sig') {
      if (this.theirGy !== null && msg.gy === this.theirGy && msg.header.version === this.version) {
        return { send: [this.lastMessage!] };
      }
      return { send: [], ignored: 'D-H Key differs from the one we answered' };
    }
    if (this.state !== 'awaiting-dhkey') return { send: [], ignored: `D-H Key in state ${this.state}` };
    if (msg.header.version !== this.version) return { send: [], ignored: 'D-H Key of another version' };
    if (!isGroupElement(msg.gy)) return { send: [], ignored: 'g^y out of range' };
    const ours = this.ours!;
    if (msg.gy === ours.gx) return { send: [], ignored: 'reflected D-H Key' };
    if (this.history.has(ours.gx, msg.gy))
      return { send: [], ignored: 'replayed: D-H values of a completed AKE' };
    const secret = powP(msg.gy, ours.x);
    const keys = deriveKeys(secret);
    const encryptedSig = this.signedPart(keys.m1, keys.c, ours.gx, msg.gy);
    const mac = hmacSha256_160(keys.m2, new Writer().data(encryptedSig).bytes());
    this.theirGy = msg.gy;
    this.secret = secret;
    this.state = 'awaiting-sig';
    this.lastMessage = encodeRevealSig(this.header(0x11), this.r!, encryptedSig, mac);
    return { send: [this.lastMessage] };
  }

  handleRevealSig(msg: RevealSig): AkeStep {
    if (this.state !== 'awaiting-revealsig')
      return { send: [], ignored: `Reveal Signature in state ${this.state}` };
    if (msg.header.version !== this.version)
      return { send: [], ignored: 'Reveal Signature of another version' };
    const ours = this.ours!;
    let gx: bigint;
    let secret: bigint;
    let keys: Keys;
    let theirs: { pub: DsaPublicKey; keyId: number };
    try {
      // Open the commitment: decrypt g^x with r and check its hash.
      const gxMpi = aes128Ctr(msg.revealedKey, zeroCtr(), this.encryptedGx!);
      if (!equalBytes(sha256(gxMpi), this.hashedGx!)) fail('bad-mac', 'g^x does not match its commitment');
      const r = new Reader(gxMpi);
      gx = r.mpi('g^x', 192);
      r.end('g^x');
      if (!isGroupElement(gx)) fail('bad-group-element', 'g^x out of range');
      if (gx === ours.gx) fail('bad-state', 'reflected Reveal Signature');
      if (this.history.has(ours.gx, gx)) fail('replayed', 'replayed: D-H values of a completed AKE');
      secret = powP(gx, ours.x);
      keys = deriveKeys(secret);
      const expected = hmacSha256_160(keys.m2, new Writer().data(msg.encryptedSig).bytes());
      if (!equalBytes(expected, msg.mac)) fail('bad-mac', 'Reveal Signature MAC does not verify');
      theirs = this.openSignedPart(keys.m1, keys.c, msg.encryptedSig, gx, ours.gx);
    } catch (e) {
      if (e instanceof OtrError) return { send: [], ignored: e.message };
      throw e;
    }
    const encryptedSig = this.signedPart(keys.m1Prime, keys.cPrime, ours.gx, gx);
    const mac = hmacSha256_160(keys.m2Prime, new Writer().data(encryptedSig).bytes());
    const reply = encodeSig(this.header(0x12), encryptedSig, mac);
    const done: AkeResult = {
      version: this.version,
      ourKeyId: 1,
      ourDh: ours,
      theirKeyId: theirs.keyId,
      theirY: gx,
      theirPublicKey: theirs.pub,
      ssid: keys.ssid,
      ssidBoldFirstHalf: false,
      secret,
    };
    this.history.add(ours.gx, gx);
    this.reset();
    return { send: [reply], done };
  }

  handleSig(msg: Sig): AkeStep {
    if (this.state !== 'awaiting-sig') return { send: [], ignored: `Signature in state ${this.state}` };
    if (msg.header.version !== this.version) return { send: [], ignored: 'Signature of another version' };
    const ours = this.ours!;
    const gy = this.theirGy!;
    if (this.history.has(ours.gx, gy))
      return { send: [], ignored: 'replayed: D-H values of a completed AKE' };
    let theirs: { pub: DsaPublicKey; keyId: number };
    const secret = this.secret ?? powP(gy, ours.x);
    const keys = deriveKeys(secret);
    try {
      const expected = hmacSha256_160(keys.m2Prime, new Writer().data(msg.encryptedSig).bytes());
      if (!equalBytes(expected, msg.mac)) fail('bad-mac', 'Signature MAC does not verify');
      theirs = this.openSignedPart(keys.m1Prime, keys.cPrime, msg.encryptedSig, gy, ours.gx);
    } catch (e) {
      if (e instanceof OtrError) return { send: [], ignored: e.message };
      throw e;
    }
    const done: AkeResult = {
      version: this.version,
      ourKeyId: 1,
      ourDh: ours,
      theirKeyId: theirs.keyId,
      theirY: gy,
      theirPublicKey: theirs.pub,
      ssid: keys.ssid,
      ssidBoldFirstHalf: true,
      secret,
    };
    this.history.add(ours.gx, gy);
    this.reset();
    return { send: [], done };
  }

  /** AES_c(pub, keyid, sig_M) with M = HMAC-SHA256_m(our g, their g, pub, keyid). */
  private signedPart(m: Uint8Array, c: Uint8Array, ourG: bigint, theirG: bigint): Uint8Array {
    const pub = encodePublicKey(this.key);
    const keyId = new Writer().int(1).bytes();
    const M = hmacSha256(m, concatBytes(encodeMpi(ourG), encodeMpi(theirG), pub, keyId));
    const sig = encodeSignature(dsaSign(this.key, M, this.random), this.key.q);
    return aes128Ctr(c, zeroCtr(), concatBytes(pub, keyId, sig));
  }

  /** Decrypts and checks the other side's signed part; throws OtrError if anything is wrong. */
  private openSignedPart(
    m: Uint8Array,
    c: Uint8Array,
    encrypted: Uint8Array,
    theirG: bigint,
    ourG: bigint,
  ): { pub: DsaPublicKey; keyId: number } {
    const plain = aes128Ctr(c, zeroCtr(), encrypted);
    const r = new Reader(plain);
    const pub = readPublicKey(r);
    const pubBytes = plain.slice(0, r.position);
    const keyId = r.int();
    if (keyId === 0) fail('malformed', 'key id 0 in signature');
    const sig = readSignature(r, pub.q);
    r.end('signature');
    const M = hmacSha256(
      m,
      concatBytes(encodeMpi(theirG), encodeMpi(ourG), pubBytes, new Writer().int(keyId).bytes()),
    );
    if (!dsaVerify(pub, M, sig)) fail('bad-signature', 'signature does not verify');
    return { pub, keyId };
  }

  snapshot(): AkeSnapshot {
    const hex = (b: Uint8Array | null) => (b ? bytesToHex(b) : undefined);
    return {
      state: this.state,
      version: this.version,
      ourTag: this.ourTag,
      theirTag: this.theirTag,
      x: this.ours ? this.ours.x.toString(16) : undefined,
      r: hex(this.r),
      encryptedGx: hex(this.encryptedGx),
      hashedGx: hex(this.hashedGx),
      theirGy: this.theirGy !== null ? this.theirGy.toString(16) : undefined,
      lastMessage: hex(this.lastMessage),
      ...(this.answeredGy.length > 0 ? { answered: [...this.answeredGy] } : {}),
    };
  }

  static restore(s: AkeSnapshot, key: DsaPrivateKey, random: RandomSource, history: AkeHistory): Ake {
    const ake = new Ake(key, random, s.ourTag, s.theirTag, history);
    if (!['none', 'awaiting-dhkey', 'awaiting-revealsig', 'awaiting-sig'].includes(s.state)) {
      fail('malformed', 'bad AKE snapshot state');
    }
    ake.state = s.state;
    ake.version = s.version === 2 ? 2 : 3;
    if (s.x !== undefined) {
      const x = BigInt(`0x${s.x}`);
      ake.ours = { x, gx: powG(x) };
    }
    const bytes = (h: string | undefined) => (h === undefined ? null : hexToBytes(h));
    ake.r = bytes(s.r);
    ake.encryptedGx = bytes(s.encryptedGx);
    ake.hashedGx = bytes(s.hashedGx);
    ake.theirGy = s.theirGy !== undefined ? BigInt(`0x${s.theirGy}`) : null;
    ake.lastMessage = bytes(s.lastMessage);
    // A version 1 snapshot said only `answered: true`: which g^y is not known, so the commit is
    // retired (a copy for an answer we cannot recognise could repeat a Reveal Signature).
    if ((s.answered as unknown) === true) ake.reset();
    else if (Array.isArray(s.answered) && ake.state === 'awaiting-dhkey') {
      if (!s.answered.every((x) => typeof x === 'string' && /^[0-9a-f]{32}$/.test(x))) {
        fail('malformed', 'bad answered list in AKE snapshot');
      }
      ake.answeredGy = s.answered.slice(0, MAX_ANSWERS);
    }
    const needs: Record<AuthState, boolean> = {
      none: true,
      'awaiting-dhkey': !!(ake.ours && ake.r && ake.hashedGx && ake.lastMessage),
      'awaiting-revealsig': !!(ake.ours && ake.encryptedGx && ake.hashedGx && ake.lastMessage),
      'awaiting-sig': !!(ake.ours && ake.r && ake.theirGy !== null && ake.lastMessage),
    };
    if (!needs[ake.state]) fail('malformed', 'incomplete AKE snapshot');
    return ake;
  }
}

/** Big-endian unsigned comparison of equal-length byte strings. */
function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
