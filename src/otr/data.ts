/**
 * Data messages (spec: "Data Message" and "Exchanging Data"): AES-128-CTR with the top half of
 * the counter in the message, HMAC-SHA1 over everything up to the ciphertext, key ids that
 * drive the rotation in keys.ts, and old MAC keys revealed.
 *
 * Receiving verifies, in this order and before ANY state changes: key ids known, the MAC, the
 * counter strictly increasing, the advertised next key in [2, p-2]. Only then are counters,
 * keys and the revealed-MAC list touched.
 */
import { aes128CtrInto } from '../crypto/aes';
import { equalBytes } from '../crypto/bytes';
import { isGroupElement } from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { fail } from './errors';
import { compareCounters, incrementCounter, type KeyState } from './keys';
import { beginDataMessage, type DataMessage, type Header } from './messages';
import { Writer } from './serial';

export interface Sealed {
  bytes: Uint8Array;
  /** The extra symmetric key of the keys used (TLV 8). */
  extraKey: Uint8Array;
}

/** Encrypts and MACs one data message with the current sending keys (see writeDataMessage). */
export function sealDataMessage(
  keys: KeyState,
  header: Header,
  plaintext: Uint8Array,
  flags: number,
): Sealed {
  const w = new Writer();
  const extraKey = writeDataMessage(w, keys, header, plaintext, flags);
  return { bytes: w.bytes(), extraKey };
}

/**
 * Writes one data message, encrypted and MACed with the current sending keys, into the empty
 * Writer `w`; returns the extra symmetric key of the keys used.
 *
 * The message is written front to back: the fields up to the counter, then the ciphertext
 * encrypted straight into place, the MAC computed over the bytes already written and stored
 * right after them, then the old MAC keys. (It used to be built as the ciphertext, the
 * MAC-covered part and the whole message: three arrays and two copies.) The bytes are the same
 * as encodeDataAuthenticated + encodeDataTail (test/unit/perf/oneway-buffers.test.ts).
 */
export function writeDataMessage(
  w: Writer,
  keys: KeyState,
  header: Header,
  plaintext: Uint8Array,
  flags: number,
): Uint8Array {
  const sk = keys.sendingKeys;
  incrementCounter(sk.sendCtr);
  const ctr = sk.sendCtr;
  const at = beginDataMessage(
    w,
    header,
    flags,
    keys.ourKeyId - 1,
    keys.theirKeyId,
    keys.ourCurrent.gx,
    ctr,
    plaintext.length,
  );
  aes128CtrInto(sk.sendAesKey, ctr, plaintext, w.target, at);
  const authEnd = at + plaintext.length;
  const macAt = w.reserve(20);
  // After reserve: the buffer may have moved, so take it again.
  const buf = w.target;
  sk.sendMacKey.macInto(buf, buf, macAt, authEnd);
  const old = keys.takeOldMacKeyList();
  w.int(20 * old.length);
  for (let i = 0; i < old.length; i++) w.fixed(old[i]!);
  return sk.extraKey;
}

export interface Opened {
  /**
   * The decrypted plaintext: a view into a work buffer that the next openDataMessage overwrites
   * (a new array per message cost ~0.3 µs of allocation outside V8's heap). Read it (decode the
   * text, copy the TLVs) before opening another message, then clear it (Context.receiveData).
   */
  plaintext: Uint8Array;
  extraKey: Uint8Array;
}

/** Work buffer for decrypted plaintexts (kept up to 64 KB): see Opened. */
let opened = new Uint8Array(1024);
/** The MAC a received message should carry, computed here, compared, and cleared. */
const expectedMac = new Uint8Array(20);

/** Verifies and decrypts a data message, then rotates keys; throws OtrError with nothing changed. */
export function openDataMessage(keys: KeyState, msg: DataMessage, random: RandomSource): Opened {
  const rk = keys.receivingKeys(msg.senderKeyId, msg.recipientKeyId);
  rk.recvMacKey.macInto(msg.authenticated, expectedMac, 0);
  const macOk = equalBytes(expectedMac, msg.mac);
  // Cleared either way: after a failed check it is the right MAC for bytes someone else chose.
  expectedMac.fill(0);
  if (!macOk) fail('bad-mac', 'data message MAC does not verify');
  if (compareCounters(msg.ctr, rk.recvCtr) <= 0) fail('bad-counter', 'data message counter did not increase');
  if (!isGroupElement(msg.nextDh)) fail('bad-group-element', 'next DH key out of range');
  // Verified: from here on the state changes.
  const stored = rk.recvCtr;
  for (let i = 0; i < 8; i++) stored[i] = msg.ctr[i]!;
  rk.recvMacUsed = true;
  const n = msg.encrypted.length;
  let buf = opened;
  if (buf.length < n) {
    buf = new Uint8Array(n);
    if (n <= 65536) opened = buf;
  }
  aes128CtrInto(rk.recvAesKey, msg.ctr, msg.encrypted, buf, 0);
  const extraKey = rk.extraKey;
  if (msg.recipientKeyId === keys.ourKeyId) keys.rotateOurs(random);
  if (msg.senderKeyId === keys.theirKeyId) keys.rotateTheirs(msg.nextDh);
  return { plaintext: buf.subarray(0, n), extraKey };
}
