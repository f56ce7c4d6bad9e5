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
 * Fixed-base tables for the DSA group's bases that come back: our own key's g at every
 * signature, a buddy's g and y at every signature of theirs we verify (one AKE each way).
 *
 * The trick (a "comb", HAC 14.117 with one row per digit): for a base b, keep
 * T[i][d] = b^(d 2^(4 i)) for every 4-bit digit position i of an exponent below q and every
 * digit d in 1..15. Writing e = sum d_i 2^(4 i) gives b^e = prod_i T[i][d_i]: one multiplication
 * per non-zero digit, no squarings. For a 160-bit q that is at most 40 multiplications instead
 * of ~190 (square-and-multiply with sliding windows), and g^u1 y^u2 costs ~80 instead of ~224
 * with Shamir's trick. Building a table costs ~720 multiplications (40 x (4 squarings + 14
 * products), under a millisecond), so a base gets one only on its SECOND use: a key seen once
 * costs nothing extra. At most FIXED_BASE_TABLES tables (~80 KB each for 1024-bit p) are kept,
 * least recently used out; the values are public (g, y), only the exponents are secret, and
 * their digits pick table entries just as sliding windows pick odd powers (see the timing note
 * in modp.ts).
 */
const FIXED_BASE_W = 4;
const FIXED_BASE_TABLES = 8;
interface FixedBase {
  p: bigint;
  q: bigint;
  rows: bigint[][];
}
const fixedBases = new Map<bigint, FixedBase>();
/** Bases seen once (value -> modulus), bounded: a base seen again gets its table. */
const seenOnce = new Map<bigint, bigint>();

function fixedBaseTable(b: bigint, p: bigint, q: bigint): bigint[][] | undefined {
  const hit = fixedBases.get(b);
  if (hit && hit.p === p && hit.q === q) {
    fixedBases.delete(b); // most recently used last
    fixedBases.set(b, hit);
    return hit.rows;
  }
  if (seenOnce.get(b) !== p) {
    if (seenOnce.size >= 64) seenOnce.clear();
    seenOnce.set(b, p);
    return undefined;
  }
  seenOnce.delete(b);
  const positions = Math.ceil(bitLength(q) / FIXED_BASE_W);
  const rows: bigint[][] = [];
  let base = b % p;
  for (let i = 0; i < positions; i++) {
    const row = [1n, base];
    for (let d = 2; d < 1 << FIXED_BASE_W; d++) row.push((row[d - 1]! * base) % p);
    rows.push(row);
    // base^(2^4) for the next position: row[15] * base = base^16.
    base = (row[(1 << FIXED_BASE_W) - 1]! * base) % p;
  }
  if (fixedBases.size >= FIXED_BASE_TABLES) {
    const oldest = fixedBases.keys().next().value;
    if (oldest !== undefined) fixedBases.delete(oldest);
  }
  fixedBases.set(b, { p, q, rows });
  return rows;
}

/** prod_i rows[i][digit i of e]: b^e for 0 <= e < q with b's table. */
function combPow(rows: bigint[][], e: bigint, p: bigint): bigint {
  let r = 1n;
  let one = true;
  let rest = e;
  for (let i = 0; rest > 0n; i++) {
    const d = Number(rest & 15n);
    rest >>= 4n;
    if (d !== 0) {
      const t = rows[i]![d]!;
      r = one ? t : (r * t) % p;
      one = false;
    }
  }
  return r;
}

/** b^e mod p for 0 <= e < q, b in the DSA group: with b's table once it has one. */
function dsaPow(b: bigint, e: bigint, p: bigint, q: bigint): bigint {
  const rows = e < q ? fixedBaseTable(b, p, q) : undefined;
  return rows ? combPow(rows, e, p) : modPow(b, e, p);
}

/** Signs a hash/MAC of any length as libotr does: the bytes as an unsigned integer, effectively reduced mod q. */
export function dsaSign(key: DsaPrivateKey, hash: Uint8Array, random: RandomSource): DsaSignature {
  const { p, q, g, x } = key;
  if (q <= 1n || p <= q || x <= 0n || x >= q) throw new RangeError('invalid DSA private key');
  const h = bytesToBigInt(hash) % q;
  for (;;) {
    const k = randomBelow(q, random);
    const r = dsaPow(g, k, p, q) % q;
    if (r === 0n) continue;
    const s = (modInverse(k, q) * ((h + x * r) % q)) % q;
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
    // u1, u2 < q. With tables for both bases (a buddy verified before) two combs beat the
    // shared squarings of Shamir's trick; otherwise Shamir's trick.
    const tg = fixedBaseTable(g, p, q);
    const ty = fixedBaseTable(y, p, q);
    const v = (tg && ty ? (combPow(tg, u1, p) * combPow(ty, u2, p)) % p : powProduct(g, u1, y, u2, p)) % q;
    return v === r;
  } catch {
    return false;
  }
}
