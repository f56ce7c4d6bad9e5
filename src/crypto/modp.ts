/**
 * The 1536-bit MODP group of RFC 3526 (group 5), the only Diffie-Hellman group OTR uses, with
 * generator 2 and prime-order subgroup of order q = (p-1)/2.
 */

export const MODP_P = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF',
);
export const MODP_G = 2n;
export const MODP_Q = (MODP_P - 1n) / 2n;
/** Length in bytes of p: MPIs of group elements are at most this long. */
export const MODP_BYTES = 192;

/** base^exp mod m for non-negative exp (left-to-right square and multiply). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  if (m === 1n) return 0n;
  if (exp < 0n) throw new RangeError('negative exponent');
  let result = 1n;
  let b = base % m;
  if (b < 0n) b += m;
  const bits = exp.toString(2);
  for (let i = 0; i < bits.length; i++) {
    result = (result * result) % m;
    if (bits.charCodeAt(i) === 49) result = (result * b) % m;
  }
  return result;
}

/** g^exp mod p in the OTR group. */
export function powG(exp: bigint): bigint {
  return modPow(MODP_G, exp, MODP_P);
}

/** x^exp mod p in the OTR group. */
export function powP(x: bigint, exp: bigint): bigint {
  return modPow(x, exp, MODP_P);
}

/** A received Diffie-Hellman value is acceptable only in [2, p-2]. */
export function isGroupElement(x: bigint): boolean {
  return x >= 2n && x <= MODP_P - 2n;
}

/** Modular inverse by the extended Euclidean algorithm; m must be > 1 and gcd(a, m) = 1. */
export function modInverse(a: bigint, m: bigint): bigint {
  let r0 = ((a % m) + m) % m;
  let r1 = m;
  let s0 = 1n;
  let s1 = 0n;
  while (r1 !== 0n) {
    const qt = r0 / r1;
    [r0, r1] = [r1, r0 - qt * r1];
    [s0, s1] = [s1, s0 - qt * s1];
  }
  if (r0 !== 1n) throw new RangeError('not invertible');
  return ((s0 % m) + m) % m;
}
