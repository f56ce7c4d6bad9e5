/**
 * Data messages (spec: "Data Message" and "Exchanging Data"): AES-128-CTR with the top half of
 * the counter in the message, HMAC-SHA1 over everything up to the ciphertext, key ids that
 * drive the rotation in keys.ts, and old MAC keys revealed.
 *
 * Receiving verifies, in this order and before ANY state changes: key ids known, the MAC, the
 * counter strictly increasing, the advertised next key in [2, p-2]. Only then are counters,
 * keys and the revealed-MAC list touched.
 */
import { aes128Ctr } from '../crypto/aes';
import { equalBytes } from '../crypto/bytes';
import { hmacSha1 } from '../crypto/hash';
import { isGroupElement } from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { fail } from './errors';
import { compareCounters, incrementCounter, type KeyState } from './keys';
import { type DataMessage, encodeDataAuthenticated, encodeDataTail, type Header } from './messages';

export interface Sealed {
  bytes: Uint8Array;
  /** The extra symmetric key of the keys used (TLV 8). */
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
  return { bytes: encodeDataTail(authenticated, mac, keys.takeOldMacKeys()), extraKey: sk.extraKey };
}

export interface Opened {
  plaintext: Uint8Array;
  extraKey: Uint8Array;
}

/** Verifies and decrypts a data message, then rotates keys; throws OtrError with nothing changed. */
export function openDataMessage(keys: KeyState, msg: DataMessage, random: RandomSource): Opened {
  const rk = keys.receivingKeys(msg.senderKeyId, msg.recipientKeyId);
  const mac = hmacSha1(rk.recvMac, msg.authenticated);
  if (!equalBytes(mac, msg.mac)) fail('bad-mac', 'data message MAC does not verify');
  if (compareCounters(msg.ctr, rk.recvCtr) <= 0) fail('bad-counter', 'data message counter did not increase');
  if (!isGroupElement(msg.nextDh)) fail('bad-group-element', 'next DH key out of range');
  // Verified: from here on the state changes.
  rk.recvCtr = msg.ctr.slice();
  rk.recvMacUsed = true;
  const plaintext = aes128Ctr(rk.recvAes, msg.ctr, msg.encrypted);
  const extraKey = rk.extraKey;
  if (msg.recipientKeyId === keys.ourKeyId) keys.rotateOurs(random);
  if (msg.senderKeyId === keys.theirKeyId) keys.rotateTheirs(msg.nextDh);
  return { plaintext, extraKey };
}
