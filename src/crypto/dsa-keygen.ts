/**
 * DSA key generation for OTR's long-term keys: 1024-bit p, 160-bit q with q | p - 1, the
 * shape libotr's `otrl_privkey_generate` asks libgcrypt for ("(genkey (dsa (nbits 4:1024)))").
 *
 * Structure of FIPS 186-4 appendix A.1 / A.2.1 (prime q of N = 160 bits, prime p of L = 1024
 * bits with p = 2kq + 1, g = h^((p-1)/q) mod p with h = 2, x uniform in [1, q-1], y = g^x),
 * with candidates drawn from the RandomSource instead of FIPS's SHA-1 seed chain (there is no
 * domain-parameter seed to publish: nobody ever checks one in OTR). Speed comes from:
 *
 * - a sieve: for 4096 consecutive values of k at once, every p = 2kq + 1 divisible by an odd
 *   prime below 2^16 is struck out with plain number arithmetic, so only ~10% of candidates
 *   reach a big-number test;
 * - Miller-Rabin to base 2 as the first big-number test (pow2: squarings plus shifts), which
 *   rejects every composite survivor; only the final p pays for 6 more random-base rounds;
 * - g = 2^((p-1)/q): also a pow2.
 *
 * It is async and returns to the event loop every ~10 ms, so a UI (or the extension's worker)
 * calling it never freezes; `onProgress` gets a rising fraction in (0, 1], `signal` aborts.
 */

import { bytesToBigInt } from './bytes';
import { bitLength, type DsaPrivateKey, randomBelow } from './dsa';
import { modPow, pow2 } from './modp';
import { isProbablePrime, millerRabin, SMALL_PRIMES } from './prime';
import { cryptoRandom, type RandomSource } from './random';

export interface KeygenOptions {
  random?: RandomSource;
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export const P_BITS = 1024;
export const Q_BITS = 160;
/** Miller-Rabin rounds: q is cheap to test (FIPS 186-4 table C.1 asks 19 for N = 160). */
const Q_ROUNDS = 40;
/** Base 2 plus 6 random bases: far below 2^-100 for random 1024-bit candidates (HAC 4.4). */
const P_ROUNDS = 7;
const SIEVE_SIZE = 4096;
const YIELD_MS = 10;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('key generation aborted', 'AbortError');
}

/** Modular inverse of a mod m for small numbers (m < 2^16), by extended Euclid. */
function smallInverse(a: number, m: number): number {
  let [r0, r1, s0, s1] = [a % m, m, 1, 0];
  while (r1 !== 0) {
    const t = Math.floor(r0 / r1);
    [r0, r1] = [r1, r0 - t * r1];
    [s0, s1] = [s1, s0 - t * s1];
  }
  return ((s0 % m) + m) % m;
}

/** A random odd integer of exactly `bits` bits (top bit set). */
function randomOddBits(bits: number, random: RandomSource): bigint {
  const bytes = Math.ceil(bits / 8);
  const buf = random(bytes);
  if (buf.length !== bytes) throw new RangeError('random source returned the wrong length');
  let n = bytesToBigInt(buf) & ((1n << BigInt(bits)) - 1n);
  n |= (1n << BigInt(bits - 1)) | 1n;
  return n;
}

/** 1024-bit p, 160-bit q, FIPS 186-style; async and yielding to the event loop so it never freezes its caller. */
export async function generateDsaKey(opts: KeygenOptions = {}): Promise<DsaPrivateKey> {
  const random = opts.random ?? cryptoRandom;
  const { onProgress, signal } = opts;
  let lastYield = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (signal?.aborted) throw abortError(signal);
    if (performance.now() - lastYield < YIELD_MS) return;
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    if (signal?.aborted) throw abortError(signal);
    lastYield = performance.now();
  };
  if (signal?.aborted) throw abortError(signal);

  // q: a 160-bit prime.
  let q: bigint;
  do {
    q = randomOddBits(Q_BITS, random);
    await maybeYield();
  } while (!isProbablePrime(q, Q_ROUNDS, random));
  onProgress?.(0.05);

  // p = 2kq + 1 with exactly 1024 bits: k in [kMin, kMax].
  const twoQ = 2n * q;
  const kMin = ((1n << BigInt(P_BITS - 1)) - 1n + twoQ - 1n) / twoQ; // ceil((2^1023 - 1) / 2q)
  const kMax = ((1n << BigInt(P_BITS)) - 2n) / twoQ; // floor((2^1024 - 2) / 2q)
  const kSpan = kMax - kMin + 1n;
  const twoQMod = SMALL_PRIMES.map((r) => Number(twoQ % BigInt(r)));
  // The expected number of big-number tests is about 355 x 10%; progress follows that curve.
  let tested = 0;
  const sieve = new Uint8Array(SIEVE_SIZE);
  for (;;) {
    const k0 = kMin + randomBelow(kSpan - BigInt(SIEVE_SIZE), random);
    const p0 = twoQ * k0 + 1n;
    sieve.fill(0);
    for (let i = 0; i < SMALL_PRIMES.length; i++) {
      const r = SMALL_PRIMES[i]!;
      const step = twoQMod[i]!;
      const start = Number(p0 % BigInt(r));
      if (step === 0) {
        // r divides 2q (r = q is impossible: q has 160 bits), so p is 1 mod r: never struck.
        continue;
      }
      // p0 + j*step = 0 (mod r)  <=>  j = -p0 / step (mod r).
      let j = ((r - start) * smallInverse(step, r)) % r;
      for (; j < SIEVE_SIZE; j += r) sieve[j] = 1;
    }
    for (let j = 0; j < SIEVE_SIZE; j++) {
      if (sieve[j]) continue;
      const p = p0 + BigInt(j) * twoQ;
      tested++;
      onProgress?.(0.05 + 0.9 * (1 - Math.exp(-tested / 36)));
      await maybeYield();
      if (!millerRabin(p, 2n)) continue;
      if (!isProbablePrime(p, P_ROUNDS, random)) continue;
      if (bitLength(p) !== P_BITS) continue; // cannot happen given kMin/kMax; kept as a guard
      const g = pow2((p - 1n) / q, p);
      if (g === 1n) continue; // 2 has order dividing (p-1)/q: take another p
      const x = randomBelow(q, random);
      const y = modPow(g, x, p);
      onProgress?.(1);
      return { p, q, g, y, x };
    }
  }
}
