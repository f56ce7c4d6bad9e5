/** SHA-1, SHA-256 and their HMACs, as OTR uses them (thin wrappers over @noble/hashes). */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha1(data: Uint8Array): Uint8Array {
  return nobleSha1(data);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/**
 * Keyed HMAC-SHA1 states, by key object. A data message's MAC key is the same Uint8Array for every
 * message of a key pair, so the two keyed compression states are computed once per key and cloned
 * per message instead of re-keying each time. Keys are never mutated in place (a new key is a new
 * array), and a WeakMap forgets a state with its key.
 */
const sha1States = new WeakMap<Uint8Array, ReturnType<typeof hmac.create>>();

export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  let state = sha1States.get(key);
  if (!state) {
    state = hmac.create(nobleSha1, key);
    sha1States.set(key, state);
  }
  return state.clone().update(data).digest();
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, data);
}

/** OTR's "HMAC-SHA256-160": the first 160 bits of HMAC-SHA256. */
export function hmacSha256_160(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacSha256(key, data).subarray(0, 20);
}
