/** AES-128 in counter mode as OTR uses it (thin wrapper over @noble/ciphers). */
import { ctr } from '@noble/ciphers/aes.js';

/**
 * Encrypts or decrypts (the same operation) with AES-128-CTR. OTR's initial counter block is
 * the 8-byte top half given here followed by 8 zero bytes (the AKE uses an all-zero top half).
 */
export function aes128Ctr(key: Uint8Array, counterTop: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 16) throw new RangeError('AES-128 key must be 16 bytes');
  if (counterTop.length !== 8) throw new RangeError('counter top half must be 8 bytes');
  const iv = new Uint8Array(16);
  iv.set(counterTop, 0);
  return ctr(key, iv).encrypt(data);
}
