/**
 * SHA-1, SHA-256 and their HMACs, as OTR uses them: thin wrappers over @noble/hashes (audited),
 * so that the rest of the engine names the OTR-shaped operations and not a library. Nothing is
 * kept between calls. Checked against node:crypto (test/unit/crypto/hash.test.ts).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha1 as nobleSha1 } from '@noble/hashes/legacy.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export function sha1(data: Uint8Array): Uint8Array {
  return nobleSha1(data);
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** HMAC-SHA1: the data-message MAC (spec: "Data Message"). */
export function hmacSha1(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha1, key, data);
}

export function hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmac(nobleSha256, key, data);
}

/** OTR's "HMAC-SHA256-160": the first 160 bits of HMAC-SHA256. */
export function hmacSha256_160(key: Uint8Array, data: Uint8Array): Uint8Array {
  return hmacSha256(key, data).slice(0, 20);
}
