/**
 * Primality testing for DSA key generation and key import: trial division by small primes,
 * then Miller-Rabin (base 2 first, by shifts, then random bases).
 */
import { randomBelow } from './dsa';
import { modPow, pow2 } from './modp';
import type { RandomSource } from './random';

/** Every odd prime below `limit` (sieve of Eratosthenes), as plain numbers. */
export function smallPrimes(limit: number): number[] {
  const composite = new Uint8Array(limit);
  const out: number[] = [];
  for (let i = 3; i < limit; i += 2) {
    if (composite[i]) continue;
    out.push(i);
    for (let j = i * i; j < limit; j += 2 * i) composite[j] = 1;
  }
  return out;
}

/** Odd primes below 2^16: the sieve of key generation and the trial division below. */
export const SMALL_PRIMES: readonly number[] = smallPrimes(1 << 16);
const TRIAL_PRIMES = SMALL_PRIMES.slice(0, 256).map(BigInt);

/** One Miller-Rabin round: false means n is certainly composite. n must be odd and > 3. */
export function millerRabin(n: bigint, a: bigint): boolean {
  const n1 = n - 1n;
  let d = n1;
  let s = 0;
  while ((d & 1n) === 0n) {
    d >>= 1n;
    s++;
  }
  let x = a === 2n ? pow2(d, n) : modPow(a, d, n);
  if (x === 1n || x === n1) return true;
  for (let i = 1; i < s; i++) {
    x = (x * x) % n;
    if (x === n1) return true;
    if (x === 1n) return false;
  }
  return false;
}

/**
 * Probable-prime test: trial division by the first 256 odd primes, Miller-Rabin to base 2,
 * then `rounds - 1` rounds with uniformly random bases in [2, n-2]. For random candidates of
 * 1000+ bits, 3 rounds already bound the error below 2^-80 (HAC table 4.4); callers choose.
 */
export function isProbablePrime(n: bigint, rounds: number, random: RandomSource): boolean {
  if (n < 2n) return false;
  if (n < 4n) return true;
  if ((n & 1n) === 0n) return false;
  for (const p of TRIAL_PRIMES) {
    if (n === p) return true;
    if (n % p === 0n) return false;
  }
  if (!millerRabin(n, 2n)) return false;
  for (let i = 1; i < rounds; i++) {
    const a = randomBelow(n - 3n, random) + 1n; // [2, n-3]
    if (!millerRabin(n, a)) return false;
  }
  return true;
}
