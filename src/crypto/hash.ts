/**
 * SHA-1, SHA-256 and their HMACs, as OTR uses them: SHA-1 and HMAC-SHA1 from src/crypto/sha1.ts
 * (the data-message MAC, see there why), SHA-256 and its HMAC thin wrappers over @noble/hashes.
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { HmacSha1Key, sha1Digest } from './sha1';

export { HmacSha1Key };

export function sha1(data: Uint8Array): Uint8Array {
  return sha1Digest(data);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, data);
}

/** OTR's "HMAC-SHA256-160": the first 160 bits of HMAC-SHA256. */
export function hmacSha256_160(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacSha256(key, data).subarray(0, 20);
}
