/**
 * The 1536-bit MODP group of RFC 3526 (group 5), the only Diffie-Hellman group OTR uses, with
 * generator 2 and prime-order subgroup of order q = (p-1)/2; and the modular exponentiation
 * that every other piece of OTR (AKE, SMP, DSA, key generation) spends its time in.
 *
 * Everything runs on native BigInt. A 1536-bit modular multiplication `a * b % p` costs about
 * 2.3 µs here (about 1 µs the product, the rest the division); neither Barrett nor Montgomery
 * reduction written with BigInt operators beats the engine's own `%` (measured), so the speed
 * comes from doing FEWER multiplications:
 *
 * - base 2 (`pow2`): in square-and-multiply the "multiply" by 2 is a shift and one conditional
 *   subtraction (~0.06 µs), so 2^e costs only its squarings;
 * - fixed base g = 2 in the OTR group (`powG`): a table G_i = 2^(2^i) mod p, built once, turns
 *   g^e into a product of table entries with NO squarings at all (Yao / Brickell-Gordon-
 *   McCurley-Wilson with w-bit digits: about bits/w + 2^w multiplications);
 * - any other base (`modPow`, `powP`): left-to-right sliding windows over odd powers, width
 *   chosen from the exponent length, saving most of the multiplications of plain binary;
 * - products b1^e1 * b2^e2 (`powProduct`, DSA verification and SMP proofs): both exponents
 *   scanned together (Shamir's trick with sliding windows), sharing one chain of squarings;
 * - bases used again (`powP` and `powProduct` in the OTR group with long exponents, given
 *   an owner's `PowerCache`): SMP raises the same base (g2, g3, Qa/Qb) to two or three different
 *   1536-bit exponents in one step and again in the next. Such a base gets a Yao table built as
 *   it is first used (the table is the chain of squarings any exponentiation does anyway, kept
 *   every 6th step: first use costs about 7% more than sliding windows), and every later
 *   exponentiation of that base needs no squarings at all (about 380 multiplications instead of
 *   1,790). See `powerTableFor`.
 *
 * Security note: BigInt operations take time that depends on their operands; none of this is
 * constant-time (neither is the `otr` npm package; libgcrypt mostly is). The exponents are
 * secret; this is the accepted trade-off of a JavaScript implementation.
 */

export const MODP_P = BigInt(
  '0xFFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
    'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
    'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
    '83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA237327FFFFFFFFFFFFFFFF',
);
export const MODP_G = 2n;
export const MODP_Q = (MODP_P - 1n) / 2n;
/** p - 2, the largest group element isGroupElement accepts (a constant: not a subtraction per message). */
const P_MINUS_2 = MODP_P - 2n;
/** Length in bytes of p: MPIs of group elements are at most this long. */
export const MODP_BYTES = 192;
const MODP_BITS = 1536;

function checkArgs(exp: bigint, m: bigint): void {
  if (m <= 0n) throw new RangeError('modulus must be positive');
  if (exp < 0n) throw new RangeError('negative exponent');
}

function normalize(base: bigint, m: bigint): bigint {
  const b = base % m;
  return b < 0n ? b + m : b;
}

/**
 * Sliding-window width for an exponent of `bits` bits: the w that minimises
 * 2^(w-1) (table) + bits/(w+1) (multiplications), the usual thresholds (HAC 14.85).
 */
function windowWidth(bits: number): number {
  if (bits > 671) return 6;
  if (bits > 239) return 5;
  if (bits > 79) return 4;
  if (bits > 23) return 3;
  if (bits > 6) return 2;
  return 1;
}

/**
 * Splits an exponent (as its binary string, most significant first) into sliding windows:
 * `mult[i]` is the odd window value to multiply in after the squaring at bit position i
 * (counted from the most significant bit), or 0. Windows start at a 1 bit and end at a 1 bit.
 */
function slidingWindows(bits: string, w: number): Uint8Array {
  const n = bits.length;
  const mult = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    if (bits.charCodeAt(i) === 48) {
      i++;
      continue;
    }
    let j = Math.min(n, i + w) - 1;
    while (bits.charCodeAt(j) === 48) j--;
    mult[j] = Number.parseInt(bits.slice(i, j + 1), 2);
    i = j + 1;
  }
  return mult;
}

/** b, b^3, b^5, ..., b^(2^w - 1) mod m: the odd powers a sliding window multiplies by. */
function oddPowers(b: bigint, w: number, m: bigint): bigint[] {
  const table = [b];
  if (w > 1) {
    const b2 = (b * b) % m;
    for (let i = 1; i < 1 << (w - 1); i++) table.push((table[i - 1]! * b2) % m);
  }
  return table;
}

/**
 * 2^exp mod m by square-and-multiply where "multiply by 2" is a left shift and at most one
 * subtraction: the cost is the squarings alone. (Also the first Miller-Rabin base in key
 * generation.)
 */
export function pow2(exp: bigint, m: bigint): bigint {
  checkArgs(exp, m);
  if (m === 1n) return 0n;
  const bits = exp.toString(2);
  let r = 1n;
  for (let i = 0; i < bits.length; i++) {
    r = (r * r) % m;
    if (bits.charCodeAt(i) === 49) {
      r <<= 1n;
      if (r >= m) r -= m;
    }
  }
  return r;
}

/** base^exp mod m for non-negative exp (left-to-right sliding windows; base 2 by shifts). */
export function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  checkArgs(exp, m);
  if (m === 1n) return 0n;
  const b = normalize(base, m);
  if (exp === 0n) return 1n;
  if (b === 2n) return pow2(exp, m);
  if (b <= 1n) return b;
  const bits = exp.toString(2);
  const w = windowWidth(bits.length);
  const table = oddPowers(b, w, m);
  const mult = slidingWindows(bits, w);
  // The first window (bits[0] is 1) starts the accumulator: no squarings of 1.
  let r = 1n;
  let started = false;
  for (let i = 0; i < bits.length; i++) {
    if (started) r = (r * r) % m;
    const v = mult[i]!;
    if (v !== 0) {
      r = started ? (r * table[v >> 1]!) % m : table[v >> 1]!;
      started = true;
    }
  }
  return r;
}

/**
 * b1^e1 * b2^e2 mod m with one shared chain of squarings (Shamir's trick), each exponent cut
 * into its own sliding windows: about max(bits) squarings instead of bits1 + bits2.
 */
export function powProduct(
  b1: bigint,
  e1: bigint,
  b2: bigint,
  e2: bigint,
  m: bigint,
  cache?: PowerCache,
): bigint {
  checkArgs(e1, m);
  checkArgs(e2, m);
  if (m === 1n) return 0n;
  const x1 = normalize(b1, m);
  const x2 = normalize(b2, m);
  if (m === MODP_P) {
    // In the OTR group, a base with a Yao table (or a long exponent that builds one) is raised
    // on its own and the other factor separately: cheaper than sharing squarings with it.
    const t1 = x1 > 2n && e1 > 0n ? powerTableFor(cache, x1, bitLength(e1)) : undefined;
    const t2 = x2 > 2n && e2 > 0n ? powerTableFor(cache, x2, bitLength(e2)) : undefined;
    if (t1 || t2) {
      const p1 = t1 ? yao(e1, TABLE_W, t1, 1) : modPow(x1, e1, m);
      const p2 = t2 ? yao(e2, TABLE_W, t2, 1) : modPow(x2, e2, m);
      return (p1 * p2) % m;
    }
  }
  const s1 = e1.toString(2);
  const s2 = e2.toString(2);
  const n = Math.max(s1.length, s2.length);
  // Left-pad the shorter exponent so both windows lists index the same bit positions.
  const bits1 = s1.padStart(n, '0');
  const bits2 = s2.padStart(n, '0');
  const w1 = windowWidth(s1.length);
  const w2 = windowWidth(s2.length);
  const t1 = oddPowers(x1, w1, m);
  const t2 = oddPowers(x2, w2, m);
  const m1 = slidingWindows(bits1, w1);
  const m2 = slidingWindows(bits2, w2);
  let r = 1n;
  let started = false;
  for (let i = 0; i < n; i++) {
    if (started) r = (r * r) % m;
    const v1 = m1[i]!;
    if (v1 !== 0) {
      r = started ? (r * t1[v1 >> 1]!) % m : t1[v1 >> 1]!;
      started = true;
    }
    const v2 = m2[i]!;
    if (v2 !== 0) {
      r = started ? (r * t2[v2 >> 1]!) % m : t2[v2 >> 1]!;
      started = true;
    }
  }
  return started ? r % m : 1n % m;
}

/**
 * G[i] = 2^(2^i) mod p for i < 1536 (1535 squarings, ~4 ms, ~300 KB), built when this module
 * loads: a constant table of public values, never written afterwards (no lazily filled module
 * state). The first entries are plain shifts (2^(2^i) < p while 2^i < 1536).
 */
const G_POWERS: readonly bigint[] = (() => {
  const t: bigint[] = [MODP_G];
  for (let i = 1; i < MODP_BITS; i++) t.push((t[i - 1]! * t[i - 1]!) % MODP_P);
  return t;
})();

/**
 * g^exp mod p in the OTR group, by fixed-base exponentiation (Yao's method): write exp in base
 * 2^w, exp = sum d_i 2^(w i); then g^exp = prod_{d=1}^{2^w-1} (prod_{i: d_i = d} G[w i])^d,
 * computed from the largest digit down with two running products (B collects the entries of
 * digits >= d, A multiplies B in once per d). Cost: (non-zero digits) + 2^w multiplications,
 * no squarings. 2 has order q in this group, so exponents are first reduced mod q.
 */
export function powG(exp: bigint): bigint {
  if (exp < 0n) throw new RangeError('negative exponent');
  const e = exp >= MODP_Q ? exp % MODP_Q : exp;
  if (e === 0n) return 1n;
  const n = bitLength(e);
  if (n <= COMB_BITS) return powGShort(e);
  // 2^w - 1 extra multiplications against n/w digits: w = 4 for 320-bit, 6 for 1536-bit.
  const w = n > 900 ? 6 : n > 400 ? 5 : n > 100 ? 4 : n > 30 ? 3 : 2;
  return yao(e, w, G_POWERS, w);
}

/**
 * Short exponents of g (every D-H key of the AKE and of each key rotation is g^x with a 320-bit
 * x): a two-dimensional table C[i][d] = g^(d 2^(6 i)) for the 54 six-bit digit positions that
 * cover 324 bits and every digit d in 1..63 (3,402 multiplications, ~7 ms, ~700 KB), built when
 * this module loads and never written afterwards. Then g^x is one multiplication per non-zero
 * digit: ~53 for a 320-bit x, against ~110 with Yao's buckets. Each row's next base, base^64,
 * is row[63] * base: the table needs no squarings.
 */
const COMB_W = 6;
const COMB_POSITIONS = 54;
const COMB_BITS = COMB_W * COMB_POSITIONS;
const G_COMB: readonly (readonly bigint[])[] = (() => {
  const t: bigint[][] = [];
  let base = MODP_G;
  for (let i = 0; i < COMB_POSITIONS; i++) {
    const row = [1n, base];
    for (let d = 2; d < 1 << COMB_W; d++) row.push((row[d - 1]! * base) % MODP_P);
    t.push(row);
    base = (row[(1 << COMB_W) - 1]! * base) % MODP_P;
  }
  return t;
})();

function powGShort(e: bigint): bigint {
  const table = G_COMB;
  let r = 1n;
  let one = true;
  let rest = e;
  for (let i = 0; rest > 0n; i++) {
    const d = Number(rest & 63n);
    rest >>= 6n;
    if (d !== 0) {
      r = one ? table[i]![d]! : (r * table[i]![d]!) % MODP_P;
      one = false;
    }
  }
  return r;
}

function bitLength(e: bigint): number {
  return e.toString(2).length;
}

/**
 * Yao's fixed-base exponentiation mod p: x^e where table[i * stride] = x^(2^(w i)). Writes e in
 * base 2^w, e = sum d_i 2^(w i), and computes prod_d (prod_{i: d_i = d} T_i)^d from the largest
 * digit down with two running products (B collects the entries of digits >= d, A multiplies B
 * in once per d). Cost: (non-zero digits) + 2 (2^w - 1) multiplications, no squarings.
 */
function yao(e: bigint, w: number, table: readonly bigint[], stride: number): bigint {
  const bits = e.toString(2);
  const n = bits.length;
  const digits = Math.ceil(n / w);
  // buckets[d] lists the table indices whose digit is d.
  const buckets: number[][] = Array.from({ length: 1 << w }, () => []);
  for (let i = 0; i < digits; i++) {
    const hi = n - i * w;
    const lo = Math.max(0, hi - w);
    const d = Number.parseInt(bits.slice(lo, hi), 2);
    if (d !== 0) buckets[d]!.push(i * stride);
  }
  let a = 1n;
  let b = 1n;
  let bOne = true;
  let aOne = true;
  for (let d = (1 << w) - 1; d >= 1; d--) {
    for (const idx of buckets[d]!) {
      b = bOne ? table[idx]! : (b * table[idx]!) % MODP_P;
      bOne = false;
    }
    if (!bOne) {
      a = aOne ? b : (a * b) % MODP_P;
      aOne = false;
    }
  }
  return a;
}

/** Digit width of the per-base tables: 256 entries of 192 bytes (48 KB) cover 1536 bits. */
const TABLE_W = 6;
const TABLE_DIGITS = Math.ceil(MODP_BITS / TABLE_W);
/** Exponents at least this long build a table for their base (shorter ones use a table if there is one). */
const TABLE_BUILD_BITS = 1000;
/** How many bases keep their table (least recently used first out): ~400 KB at most. */
const TABLE_CACHE_SIZE = 8;

/**
 * Per-base Yao tables of one owner, base -> its table, least recently used first. The owner
 * decides the tables' lifetime (an SMP run keeps one, emptied when the run ends) and passes it
 * to powP / powProduct; two owners never share tables (the bases can be secret: SMP's g2, g3).
 * Without a cache, no table is kept.
 */
export type PowerCache = Map<bigint, bigint[]>;

/**
 * The Yao table x^(2^(6 i)), i < 256, of a base in the OTR group, for exponents below 2^1536:
 * from `cache` (and marked as recently used), or built now and cached when the exponent is long
 * enough that the squarings would be done anyway; otherwise undefined.
 */
function powerTableFor(cache: PowerCache | undefined, x: bigint, expBits: number): bigint[] | undefined {
  if (!cache || expBits > MODP_BITS) return undefined;
  const cached = cache.get(x);
  if (cached) {
    cache.delete(x);
    cache.set(x, cached);
    return cached;
  }
  if (expBits < TABLE_BUILD_BITS || x <= 2n) return undefined;
  const table = new Array<bigint>(TABLE_DIGITS);
  let cur = x;
  table[0] = cur;
  for (let i = 1; i < TABLE_DIGITS; i++) {
    for (let j = 0; j < TABLE_W; j++) cur = (cur * cur) % MODP_P;
    table[i] = cur;
  }
  if (cache.size >= TABLE_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  cache.set(x, table);
  return table;
}

/** x^exp mod p in the OTR group: a per-base Yao table for long exponents, else sliding windows. */
export function powP(x: bigint, exp: bigint, cache?: PowerCache): bigint {
  if (exp < 0n) throw new RangeError('negative exponent');
  const b = normalize(x, MODP_P);
  if (exp === 0n) return 1n;
  if (b <= 2n) return modPow(b, exp, MODP_P);
  const table = powerTableFor(cache, b, bitLength(exp));
  return table ? yao(exp, TABLE_W, table, 1) : modPow(b, exp, MODP_P);
}

/** A received Diffie-Hellman value is acceptable only in [2, p-2]. */
export function isGroupElement(x: bigint): boolean {
  return x >= 2n && x <= P_MINUS_2;
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
