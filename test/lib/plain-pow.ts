/**
 * Modular exponentiation with nothing clever: right-to-left binary square-and-multiply on native
 * BigInt. The reference the engine's fast paths (fixed-base tables, sliding windows, DSA tables)
 * are checked against in the unit tests, and the floor the bench measures them against.
 */
export function plainPow(base: bigint, exp: bigint, m: bigint): bigint {
  let r = 1n % m;
  let b = ((base % m) + m) % m;
  let e = exp;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
