/**
 * DSA signatures over the long-term keys of OTR (spec: "Public keys, signatures, and
 * fingerprints"), on native BigInt, computed exactly as libotr 4.1.1 does through libgcrypt.
 *
 * What libotr signs: `otrl_privkey_sign` turns the hash/MAC bytes into an unsigned integer with
 * `gcry_mpi_scan(GCRYMPI_FMT_USG)` and hands it to `gcry_pk_sign` as a bare MPI, so libgcrypt
 * uses the WHOLE integer (a 32-byte SHA-256 value in the AKE is larger than the 160-bit q):
 * s = k^-1 (h + x r) mod q, which is the same as reducing h mod q first. We do exactly that.
 *
 * Timing: BigInt arithmetic is not constant-time; see src/crypto/modp.ts for the honest note.
 * What we can do for the secret nonce k, we do: its exponent has a fixed length
 * (fixedLengthNonce) and its inverse is blinded (blindedInverse).
 */
import { bytesToBigInt } from './bytes';
import { modInverse, modPow, powProduct } from './modp';
import type { RandomSource } from './random';

export interface DsaPublicKey {
  p: bigint;
  q: bigint;
  g: bigint;
  y: bigint;
}
export interface DsaPrivateKey extends DsaPublicKey {
  x: bigint;
}
export interface DsaSignature {
  r: bigint;
  s: bigint;
}

/** Number of bits of a non-negative bigint (0 has 0 bits). */
export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * A uniformly random integer in [1, n-1] by rejection sampling (no modulo bias): draw
 * bitLength(n) bits, mask the top byte, retry until 1 <= k < n.
 */
export function randomBelow(n: bigint, random: RandomSource): bigint {
  if (n <= 1n) throw new RangeError('range too small');
  const bits = bitLength(n);
  const bytes = Math.ceil(bits / 8);
  const topMask = 0xff >> (bytes * 8 - bits);
  for (;;) {
    const buf = random(bytes);
    if (buf.length !== bytes) throw new RangeError('random source returned the wrong length');
    buf[0]! &= topMask;
    const k = bytesToBigInt(buf);
    if (k >= 1n && k < n) return k;
  }
}

/**
 * The nonce's exponent with a fixed bit length: k + q, or k + 2q if k + q is still no longer than
 * q. Both raise g to the same power (g has order q), and the exponent is always bitLength(q) + 1
 * bits long, so the time of the exponentiation does not tell how many leading zero bits k has
 * (the leak lattice attacks on DSA nonces use; libgcrypt and OpenSSL do the same).
 */
export function fixedLengthNonce(k: bigint, q: bigint): bigint {
  const kq = k + q;
  return bitLength(kq) > bitLength(q) ? kq : kq + q;
}

/**
 * k^-1 mod q computed as b (k b)^-1 for a random b in [1, q-1]: the extended Euclid's steps,
 * whose number depends on its input, run on k b, which is independent of k.
 */
export function blindedInverse(k: bigint, q: bigint, random: RandomSource): bigint {
  const b = randomBelow(q, random);
  return (b * modInverse((k * b) % q, q)) % q;
}

/** Signs a hash/MAC of any length as libotr does: the bytes as an unsigned integer, effectively reduced mod q. */
export function dsaSign(key: DsaPrivateKey, hash: Uint8Array, random: RandomSource): DsaSignature {
  const { p, q, g, x } = key;
  if (q <= 1n || p <= q || x <= 0n || x >= q) throw new RangeError('invalid DSA private key');
  const h = bytesToBigInt(hash) % q;
  for (;;) {
    const k = randomBelow(q, random);
    const r = modPow(g, fixedLengthNonce(k, q), p) % q;
    if (r === 0n) continue;
    const s = (blindedInverse(k, q, random) * ((h + x * r) % q)) % q;
    if (s === 0n) continue;
    return { r, s };
  }
}

/**
 * Verifies as libgcrypt does: 0 < r < q, 0 < s < q, v = (g^u1 y^u2 mod p) mod q == r with
 * w = s^-1, u1 = h w, u2 = r w (mod q). Never throws: anything malformed is simply false.
 */
export function dsaVerify(key: DsaPublicKey, hash: Uint8Array, sig: DsaSignature): boolean {
  try {
    const { p, q, g, y } = key;
    const { r, s } = sig;
    if (typeof p !== 'bigint' || typeof q !== 'bigint' || typeof g !== 'bigint' || typeof y !== 'bigint') {
      return false;
    }
    if (typeof r !== 'bigint' || typeof s !== 'bigint') return false;
    if (q <= 1n || p <= q || g <= 1n || g >= p || y <= 0n || y >= p) return false;
    if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
    const w = modInverse(s, q);
    const u1 = ((bytesToBigInt(hash) % q) * w) % q;
    const u2 = (r * w) % q;
    const v = powProduct(g, u1, y, u2, p) % q;
    return v === r;
  } catch {
    return false;
  }
}
