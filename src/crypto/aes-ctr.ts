/**
 * AES-128 in counter mode as OTR uses it (spec: "Data Message" and the AKE's encrypted fields):
 * the 16-byte initial counter block is the message's 8-byte top half followed by 8 zero bytes,
 * incremented as one 128-bit big-endian number, which is what @noble/ciphers' `ctr` does.
 *
 * A thin wrapper: the cipher is @noble/ciphers' (audited, see its README for what is and is not
 * constant-time: its AES is table-driven). Nothing is kept between calls; noble expands the key
 * schedule per call and clears it and its counter copy afterwards. Checked against node:crypto
 * (test/unit/crypto/aes-ctr.test.ts).
 */
import { ctr } from '@noble/ciphers/aes.js';

export const AES_KEY_BYTES = 16;
export const CTR_TOP_BYTES = 8;

/** AES-128-CTR of `data` under `key` from the counter block `counterTop || 0^8`; a new array. */
export function aes128Ctr(key: Uint8Array, counterTop: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== AES_KEY_BYTES) throw new RangeError('AES-128 key must be 16 bytes');
  if (counterTop.length !== CTR_TOP_BYTES) throw new RangeError('counter top must be 8 bytes');
  const iv = new Uint8Array(16);
  iv.set(counterTop, 0);
  return ctr(key, iv).encrypt(data);
}
