/**
 * Data-message keys (spec: "Data Exchange" and "Revealing MAC Keys"): our two newest DH key
 * pairs, their two newest public values, and the session keys of each of the 2x2 pairs,
 * rotated exactly as libotr 4.1.1 rotates them (proto.c rotate_dh_keys / rotate_y_keys), so
 * key ids and revealed MAC keys are what a libotr peer expects.
 *
 * sesskeys[i][j]: i = 0 is our newest key (keyid ourKeyId), 1 the previous one (ourKeyId - 1);
 * j = 0 is their newest (theirKeyId), 1 their previous. We send with [1][0]: our newest key the
 * peer has acknowledged, advertising our newest as the next key.
 */
import { bytesToHex, concatBytes, hexToBytes, wipe } from '../crypto/bytes';
import { sha1, sha256 } from '../crypto/hash';
import { powG, powP } from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { type AkeResult, type DhKeyPair, generateDhKeyPair } from './ake';
import { fail } from './errors';
import { encodeMpi } from './serial';

export interface SessionKeys {
  sendAes: Uint8Array;
  sendMac: Uint8Array;
  recvAes: Uint8Array;
  recvMac: Uint8Array;
  /** Top halves of the last counters sent and received with these keys. */
  sendCtr: Uint8Array;
  recvCtr: Uint8Array;
  /** Whether we verified a MAC with recvMac (then it is revealed when the keys are dropped). */
  recvMacUsed: boolean;
  /** The extra symmetric key (TLV 8): SHA256(0xff || MPI(s)). */
  extraKey: Uint8Array;
}

/** SessionKeys from the two AES keys (the MAC keys are their SHA-1). */
function sessionKeys(
  sendAes: Uint8Array,
  recvAes: Uint8Array,
  sendCtr: Uint8Array,
  recvCtr: Uint8Array,
  recvMacUsed: boolean,
  extraKey: Uint8Array,
): SessionKeys {
  return {
    sendAes,
    sendMac: sha1(sendAes),
    recvAes,
    recvMac: sha1(recvAes),
    sendCtr,
    recvCtr,
    recvMacUsed,
    extraKey,
  };
}

/** Overwrites every key of a cell that is dropped (rotated out, or the conversation ended). */
function wipeSessionKeys(k: SessionKeys): void {
  wipe(k.sendAes);
  wipe(k.sendMac);
  wipe(k.recvAes);
  wipe(k.recvMac);
  wipe(k.extraKey);
}

/**
 * Session keys for one (our key, their key) pair (spec: "Computing AES keys and MAC keys").
 * `secret`, when the caller already has s = theirY^x (the AKE does), saves the exponentiation.
 */
export function computeSessionKeys(ours: DhKeyPair, theirY: bigint, secret?: bigint): SessionKeys {
  const secbytes = encodeMpi(secret ?? powP(theirY, ours.x));
  const high = ours.gx > theirY;
  const h1 = (b: number) => {
    const input = concatBytes(Uint8Array.of(b), secbytes);
    const digest = sha1(input);
    wipe(input);
    const key = digest.slice(0, 16);
    wipe(digest);
    return key;
  };
  const sendAes = h1(high ? 0x01 : 0x02);
  const recvAes = h1(high ? 0x02 : 0x01);
  const extraInput = concatBytes(Uint8Array.of(0xff), secbytes);
  const extraKey = sha256(extraInput);
  wipe(extraInput);
  wipe(secbytes);
  return sessionKeys(sendAes, recvAes, new Uint8Array(8), new Uint8Array(8), false, extraKey);
}

/** Increments an 8-byte big-endian counter in place. */
export function incrementCounter(ctr: Uint8Array): void {
  for (let i = ctr.length - 1; i >= 0; i--) {
    ctr[i] = (ctr[i]! + 1) & 255;
    if (ctr[i] !== 0) return;
  }
}

export function compareCounters(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * One cell of the 2x2 grid: a pair of D-H keys whose session keys are computed on first use.
 *
 * Why lazily: libotr computes every session key of a new D-H key when it rotates (two 1536-bit
 * exponentiations per rotation, up to four per received message), but most of those cells are
 * never used: in a conversation that alternates, about one of the four made by a rotation ever
 * sends or receives a message before it is rotated away. Computing a cell when it is first
 * needed gives the same keys (they depend only on the two D-H keys) at a quarter of the cost.
 * A cell not yet computed has never been used: its counters are zero and its MAC key was never
 * used, which is exactly what a freshly computed cell holds, so nothing is lost by waiting.
 */
class Slot {
  private computed: SessionKeys | null;
  constructor(
    readonly ours: DhKeyPair,
    readonly theirY: bigint,
    keys: SessionKeys | null = null,
    private secret?: bigint,
  ) {
    this.computed = keys;
  }

  get keys(): SessionKeys {
    if (!this.computed) {
      this.computed = computeSessionKeys(this.ours, this.theirY, this.secret);
      this.secret = undefined;
    }
    return this.computed;
  }

  /** Overwrites the keys, if computed (the cell is dropped). */
  wipe(): void {
    if (this.computed) wipeSessionKeys(this.computed);
    this.secret = undefined;
  }

  /** The keys if they carry state of their own (used counters or MAC), else null: recomputable. */
  get stateful(): SessionKeys | null {
    const k = this.computed;
    if (!k) return null;
    const untouched = k.recvCtr.every((b) => b === 0) && k.sendCtr.every((b) => b === 0) && !k.recvMacUsed;
    return untouched ? null : k;
  }
}

type Grid = [[Slot | null, Slot | null], [Slot | null, Slot | null]];

export interface KeyStateSnapshot {
  ourKeyId: number;
  ourX: string;
  ourPreviousX: string;
  theirKeyId: number;
  theirY: string;
  theirPreviousY: string | null;
  sessions: (SessionKeysSnapshot | null)[][];
  oldMacKeys: string;
}
interface SessionKeysSnapshot {
  sendAes: string;
  recvAes: string;
  sendCtr: string;
  recvCtr: string;
  recvMacUsed: boolean;
  extraKey: string;
}

export class KeyState {
  ourKeyId: number;
  ourCurrent: DhKeyPair;
  ourPrevious: DhKeyPair;
  theirKeyId: number;
  theirCurrent: bigint;
  theirPrevious: bigint | null;
  sessions: Grid;
  /** MAC keys to reveal in the next data message we send. */
  oldMacKeys: Uint8Array[] = [];

  private constructor(
    ourKeyId: number,
    ourCurrent: DhKeyPair,
    ourPrevious: DhKeyPair,
    theirKeyId: number,
    theirCurrent: bigint,
    theirPrevious: bigint | null,
    sessions: Grid,
  ) {
    this.ourKeyId = ourKeyId;
    this.ourCurrent = ourCurrent;
    this.ourPrevious = ourPrevious;
    this.theirKeyId = theirKeyId;
    this.theirCurrent = theirCurrent;
    this.theirPrevious = theirPrevious;
    this.sessions = sessions;
  }

  /** Keys right after an AKE (libotr's go_encrypted): our AKE key becomes the previous one. */
  static fromAke(ake: AkeResult, random: RandomSource): KeyState {
    const current = generateDhKeyPair(random);
    // [1][0] is the AKE's own pair of D-H keys: its s is the AKE's shared secret, reused.
    const grid: Grid = [
      [new Slot(current, ake.theirY), null],
      [new Slot(ake.ourDh, ake.theirY, null, ake.secret), null],
    ];
    return new KeyState(ake.ourKeyId + 1, current, ake.ourDh, ake.theirKeyId, ake.theirY, null, grid);
  }

  /** The keys a received message claims to use, or an OtrError('unknown-key'). */
  receivingKeys(senderKeyId: number, recipientKeyId: number): SessionKeys {
    if (
      senderKeyId === 0 ||
      recipientKeyId === 0 ||
      (senderKeyId !== this.theirKeyId && senderKeyId !== this.theirKeyId - 1) ||
      (recipientKeyId !== this.ourKeyId && recipientKeyId !== this.ourKeyId - 1)
    ) {
      fail('unknown-key', `no keys for key ids ${senderKeyId}/${recipientKeyId}`);
    }
    const slot = this.sessions[this.ourKeyId - recipientKeyId]![this.theirKeyId - senderKeyId];
    if (!slot) fail('unknown-key', `no keys for key ids ${senderKeyId}/${recipientKeyId}`);
    return slot.keys;
  }

  get sendingKeys(): SessionKeys {
    return this.sessions[1][0]!.keys;
  }

  /**
   * Drops cells: a receiving MAC key that verified something is revealed (a copy goes to the
   * list for the next message, spec "Revealing MAC Keys"), then every key of the cell is
   * overwritten.
   */
  private drop(...slots: (Slot | null)[]): void {
    for (const s of slots) {
      const k = s?.stateful;
      if (k?.recvMacUsed) this.oldMacKeys.push(k.recvMac.slice());
      s?.wipe();
    }
  }

  /** Overwrites every key this state holds (the conversation ended or was replaced). */
  wipe(): void {
    for (const row of this.sessions) for (const s of row) s?.wipe();
    for (const k of this.oldMacKeys) wipe(k);
    this.oldMacKeys = [];
  }

  /**
   * Whether `y` is one of the buddy's D-H keys this state holds: a buddy advertises a new key
   * for every rotation, and one used again would make a cell with keys (and counters) this
   * side may already have used (I7).
   */
  knowsTheirKey(y: bigint): boolean {
    return y === this.theirCurrent || y === this.theirPrevious;
  }

  /** They used our newest key: make a new one (libotr rotate_dh_keys). */
  rotateOurs(random: RandomSource): void {
    this.drop(this.sessions[1][0], this.sessions[1][1]);
    this.sessions[1] = this.sessions[0];
    this.ourPrevious = this.ourCurrent;
    this.ourCurrent = generateDhKeyPair(random);
    this.ourKeyId++;
    this.sessions[0] = [
      new Slot(this.ourCurrent, this.theirCurrent),
      this.theirPrevious !== null ? new Slot(this.ourCurrent, this.theirPrevious) : null,
    ];
  }

  /** They sent with their newest key: their advertised next key becomes current (rotate_y_keys). */
  rotateTheirs(nextY: bigint): void {
    this.drop(this.sessions[0][1], this.sessions[1][1]);
    this.sessions[0][1] = this.sessions[0][0];
    this.sessions[1][1] = this.sessions[1][0];
    this.theirPrevious = this.theirCurrent;
    this.theirCurrent = nextY;
    this.theirKeyId++;
    this.sessions[0][0] = new Slot(this.ourCurrent, nextY);
    this.sessions[1][0] = new Slot(this.ourPrevious, nextY);
  }

  /** The MAC keys to reveal in the next message, as one array, forgotten here. */
  takeOldMacKeys(): Uint8Array {
    const all = concatBytes(...this.oldMacKeys);
    for (const k of this.oldMacKeys) wipe(k);
    this.oldMacKeys = [];
    return all;
  }

  /**
   * Cells whose keys carry no state of their own (never used, or not computed yet) are written
   * as null and recomputed from the D-H keys on restore: the snapshot does not depend on which
   * cells happen to have been computed.
   */
  snapshot(): KeyStateSnapshot {
    const s = (slot: Slot | null): SessionKeysSnapshot | null => {
      const k = slot?.stateful;
      return k
        ? {
            sendAes: bytesToHex(k.sendAes),
            recvAes: bytesToHex(k.recvAes),
            sendCtr: bytesToHex(k.sendCtr),
            recvCtr: bytesToHex(k.recvCtr),
            recvMacUsed: k.recvMacUsed,
            extraKey: bytesToHex(k.extraKey),
          }
        : null;
    };
    return {
      ourKeyId: this.ourKeyId,
      ourX: this.ourCurrent.x.toString(16),
      ourPreviousX: this.ourPrevious.x.toString(16),
      theirKeyId: this.theirKeyId,
      theirY: this.theirCurrent.toString(16),
      theirPreviousY: this.theirPrevious === null ? null : this.theirPrevious.toString(16),
      sessions: this.sessions.map((row) => row.map(s)),
      oldMacKeys: bytesToHex(concatBytes(...this.oldMacKeys)),
    };
  }

  static restore(s: KeyStateSnapshot): KeyState {
    const pair = (hex: string): DhKeyPair => {
      const x = BigInt(`0x${hex}`);
      return { x, gx: powG(x) };
    };
    const keys = (k: SessionKeysSnapshot | null | undefined): SessionKeys | null => {
      if (!k) return null;
      const sendAes = hexToBytes(k.sendAes);
      const recvAes = hexToBytes(k.recvAes);
      const sendCtr = hexToBytes(k.sendCtr);
      const recvCtr = hexToBytes(k.recvCtr);
      if (sendAes.length !== 16 || recvAes.length !== 16 || sendCtr.length !== 8 || recvCtr.length !== 8) {
        fail('malformed', 'bad session keys in snapshot');
      }
      return sessionKeys(sendAes, recvAes, sendCtr, recvCtr, k.recvMacUsed === true, hexToBytes(k.extraKey));
    };
    const ours = [pair(s.ourX), pair(s.ourPreviousX)] as const;
    const theirs = [
      BigInt(`0x${s.theirY}`),
      s.theirPreviousY === null ? null : BigInt(`0x${s.theirPreviousY}`),
    ];
    // A cell exists when both of its D-H keys do; a null cell is recomputed when first used.
    const cell = (i: 0 | 1, j: 0 | 1): Slot | null => {
      const theirY = theirs[j];
      const k = keys(s.sessions[i]?.[j]);
      if (theirY === null || theirY === undefined) {
        if (k) fail('malformed', 'session keys for a D-H key the snapshot does not have');
        return null;
      }
      return new Slot(ours[i], theirY, k);
    };
    const grid: Grid = [
      [cell(0, 0), cell(0, 1)],
      [cell(1, 0), cell(1, 1)],
    ];
    const ks = new KeyState(s.ourKeyId, ours[0], ours[1], s.theirKeyId, theirs[0]!, theirs[1] ?? null, grid);
    const old = hexToBytes(s.oldMacKeys);
    for (let i = 0; i + 20 <= old.length; i += 20) ks.oldMacKeys.push(old.slice(i, i + 20));
    return ks;
  }
}
