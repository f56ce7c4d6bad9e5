/**
 * Data messages (spec: "Data Message" and "Exchanging Data"): AES-128-CTR with the top half of
 * the counter in the message, HMAC-SHA1 over everything up to the ciphertext, key ids that
 * drive the rotation in keys.ts, and old MAC keys revealed.
 *
 * Sending never uses a (keys, counter) pair twice: the counter of the sending keys is
 * incremented before each message, and it is part of the keys' state in every snapshot (I7).
 *
 * Receiving verifies, in this order and before ANY state changes: key ids known, the MAC, the
 * counter strictly increasing for those keys (so a replayed message is refused, also after a
 * snapshot and restore), the advertised next key in [2, p-2] and not a key of the buddy's this
 * side already holds. Only then are counters, keys and the revealed-MAC list touched.
 */
import { aes128Ctr } from '../crypto/aes-ctr';
import { equalBytes, wipe } from '../crypto/bytes';
import { hmacSha1 } from '../crypto/hash';
import { isGroupElement } from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { fail } from './errors';
import { compareCounters, incrementCounter, type KeyState } from './keys';
import { type DataMessage, encodeDataAuthenticated, encodeDataMessage, type Header } from './messages';

export interface Sealed {
  bytes: Uint8Array;
  /** The extra symmetric key of the keys used (TLV 8): the key state's own array, copy it to keep it. */
  extraKey: Uint8Array;
}

/** Encrypts and MACs one data message with the current sending keys. */
export function sealDataMessage(
  keys: KeyState,
  header: Header,
  plaintext: Uint8Array,
  flags: number,
): Sealed {
  const sk = keys.sendingKeys;
  if (sk.sendCtr.every((b) => b === 0xff)) fail('bad-counter', 'the sending counter is exhausted');
  incrementCounter(sk.sendCtr);
  const ctr = sk.sendCtr.slice();
  const encrypted = aes128Ctr(sk.sendAes, ctr, plaintext);
  const authenticated = encodeDataAuthenticated(
    header,
    flags,
    keys.ourKeyId - 1,
    keys.theirKeyId,
    keys.ourCurrent.gx,
    ctr,
    encrypted,
  );
  const mac = hmacSha1(sk.sendMac, authenticated);
  return { bytes: encodeDataMessage(authenticated, mac, keys.takeOldMacKeys()), extraKey: sk.extraKey };
}

export interface Opened {
  /** The decrypted plaintext (a new array: clear it once read). */
  plaintext: Uint8Array;
  /** The extra symmetric key of the keys used: the key state's own array, copy it to keep it. */
  extraKey: Uint8Array;
}

/** Verifies and decrypts a data message, then rotates keys; throws OtrError with nothing changed. */
export function openDataMessage(keys: KeyState, msg: DataMessage, random: RandomSource): Opened {
  const rk = keys.receivingKeys(msg.senderKeyId, msg.recipientKeyId);
  const expected = hmacSha1(rk.recvMac, msg.authenticated);
  const macOk = equalBytes(expected, msg.mac);
  // Cleared either way: after a failed check it is the right MAC for bytes someone else chose.
  wipe(expected);
  if (!macOk) fail('bad-mac', 'data message MAC does not verify');
  if (compareCounters(msg.ctr, rk.recvCtr) <= 0) fail('bad-counter', 'data message counter did not increase');
  if (!isGroupElement(msg.nextDh)) fail('bad-group-element', 'next DH key out of range');
  const rotatesTheirs = msg.senderKeyId === keys.theirKeyId;
  if (rotatesTheirs && keys.knowsTheirKey(msg.nextDh)) fail('replayed', 'next DH key was already used');
  // Verified: from here on the state changes.
  rk.recvCtr.set(msg.ctr, 0);
  rk.recvMacUsed = true;
  const plaintext = aes128Ctr(rk.recvAes, msg.ctr, msg.encrypted);
  const extraKey = rk.extraKey;
  if (msg.recipientKeyId === keys.ourKeyId) keys.rotateOurs(random);
  if (rotatesTheirs) keys.rotateTheirs(msg.nextDh);
  return { plaintext, extraKey };
}
