import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToFixed, hexToBytes, utf8Encode } from '../../../src/crypto/bytes';
import {
  bitLength,
  blindedInverse,
  type DsaPrivateKey,
  dsaSign,
  dsaVerify,
  fixedLengthNonce,
  randomBelow,
} from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { sha1 } from '../../../src/crypto/hash';
import { modInverse, modPow } from '../../../src/crypto/modp';
import { isProbablePrime, millerRabin, smallPrimes } from '../../../src/crypto/prime';
import { seededRandom } from '../../lib/seeded-random';

// FIPS 186-2 appendix 5: the DSA example (512-bit p), SHA-1("abc") signed with a fixed k.
const FIPS: DsaPrivateKey = {
  p: BigInt(
    '0x8df2a494492276aa3d25759bb06869cbeac0d83afb8d0cf7cbb8324f0d7882e5d0762fc5b7210eafc2e9adac32ab7aac49693dfbf83724c2ec0736ee31c80291',
  ),
  q: 0xc773218c737ec8ee993b4f2ded30f48edace915fn,
  g: BigInt(
    '0x626d027839ea0a13413163a55b4cb500299d5522956cefcb3bff10f399ce2c2e71cb9de5fa24babf58e5b79521925c9cc42e9f6f464b088cc572af53e6d78802',
  ),
  y: BigInt(
    '0x19131871d75b1612a819f29d78d1b0d7346f7aa77bb62a859bfd6c5675da9d212d3a36ef1672ef660b8c7c255cc0ec74858fba33f44c06699630a76b030ee333',
  ),
  x: 0x2070b3223dba372fde1c0ffc7b2e3b498b260614n,
};
const FIPS_K = 0x358dad571462710f50e254cf1a376b2bdeaadfbfn;
const FIPS_R = 0x8bac1ab66410435cb7181f95b16ab97c92b341c0n;
const FIPS_S = 0x41e2345f1f56df2458f426d155b4ba2db6dcd8c8n;

/** A "random" source that yields k's 20 bytes, so the signature is the published one. */
const fixedK = (k: bigint) => (n: number) => bigIntToFixed(k, n);

describe('DSA against FIPS 186-2 appendix 5', () => {
  const hash = sha1(utf8Encode('abc'));

  it('y = g^x mod p', () => {
    expect(modPow(FIPS.g, FIPS.x, FIPS.p)).toBe(FIPS.y);
  });

  it('signs SHA-1("abc") with the published k to the published (r, s)', () => {
    expect(hash).toEqual(hexToBytes('a9993e364706816aba3e25717850c26c9cd0d89d'));
    expect(dsaSign(FIPS, hash, fixedK(FIPS_K))).toEqual({ r: FIPS_R, s: FIPS_S });
  });

  it('verifies the published signature and rejects any change to it, the hash or the key', () => {
    expect(dsaVerify(FIPS, hash, { r: FIPS_R, s: FIPS_S })).toBe(true);
    expect(dsaVerify(FIPS, sha1(utf8Encode('abd')), { r: FIPS_R, s: FIPS_S })).toBe(false);
    expect(dsaVerify(FIPS, hash, { r: FIPS_R, s: FIPS_S - 1n })).toBe(false);
    expect(dsaVerify(FIPS, hash, { r: FIPS_R + 1n, s: FIPS_S })).toBe(false);
    expect(dsaVerify({ ...FIPS, y: FIPS.y - 1n }, hash, { r: FIPS_R, s: FIPS_S })).toBe(false);
  });

  it('a hash longer than q signs as its whole integer, i.e. as that integer mod q (libotr/libgcrypt)', () => {
    const long = hexToBytes(`${'ff'.repeat(12)}a9993e364706816aba3e25717850c26c9cd0d89d`); // 32 bytes
    const reduced = bigIntToFixed(
      BigInt(`0x${'ff'.repeat(12)}a9993e364706816aba3e25717850c26c9cd0d89d`) % FIPS.q,
      20,
    );
    const sig = dsaSign(FIPS, long, fixedK(FIPS_K));
    expect(sig).toEqual(dsaSign(FIPS, reduced, fixedK(FIPS_K)));
    expect(dsaVerify(FIPS, long, sig)).toBe(true);
    expect(dsaVerify(FIPS, reduced, sig)).toBe(true);
    expect(dsaVerify(FIPS, long.subarray(1), sig)).toBe(false);
  });

  it('dsaVerify never throws, whatever it is given', () => {
    const bad = [
      { r: 0n, s: FIPS_S },
      { r: FIPS_R, s: 0n },
      { r: FIPS.q, s: FIPS_S },
      { r: -1n, s: FIPS_S },
      { r: FIPS_R, s: FIPS.q + 5n },
    ];
    for (const sig of bad) expect(dsaVerify(FIPS, hash, sig)).toBe(false);
    expect(dsaVerify({ ...FIPS, q: 0n }, hash, { r: 1n, s: 1n })).toBe(false);
    expect(dsaVerify({ ...FIPS, q: 9n, p: 4n }, hash, { r: 1n, s: 3n })).toBe(false);
    expect(dsaVerify({ ...FIPS, q: 9n }, hash, { r: 1n, s: 3n })).toBe(false); // s not invertible mod 9
    // biome-ignore lint/suspicious/noExplicitAny: deliberately wrong types from untrusted callers
    expect(dsaVerify({ ...FIPS, y: 'x' as any }, hash, { r: FIPS_R, s: FIPS_S })).toBe(false);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -5n, max: 1n << 170n }),
        fc.bigInt({ min: -5n, max: 1n << 170n }),
        fc.uint8Array(),
        (r, s, h) => {
          expect(typeof dsaVerify(FIPS, h, { r, s })).toBe('boolean');
        },
      ),
    );
  });
});

describe('the secret nonce: fixed-length exponent, blinded inverse', () => {
  const q = FIPS.q;
  it('k + q or k + 2q: always bitLength(q) + 1 bits, congruent to k, and g to it is g^k', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: q - 1n }), (k) => {
        const e = fixedLengthNonce(k, q);
        expect(bitLength(e)).toBe(bitLength(q) + 1);
        expect(e % q).toBe(k);
        expect(modPow(FIPS.g, e, FIPS.p)).toBe(modPow(FIPS.g, k, FIPS.p));
      }),
      { numRuns: 200 },
    );
    // The extremes: k = 1 needs 2q, k = q - 1 needs only q.
    expect(fixedLengthNonce(1n, q)).toBe(1n + 2n * q);
    expect(fixedLengthNonce(q - 1n, q)).toBe(2n * q - 1n);
  });
  it('the blinded inverse is the inverse, whatever the blinding factor', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: q - 1n }), fc.integer(), (k, seed) => {
        expect(blindedInverse(k, q, seededRandom(seed))).toBe(modInverse(k, q));
      }),
      { numRuns: 200 },
    );
  });
  it('signatures by random nonces verify, and are what the definition gives for the k drawn', () => {
    const hash = sha1(utf8Encode('abc'));
    for (let seed = 1; seed <= 20; seed++) {
      const sig = dsaSign(FIPS, hash, seededRandom(seed));
      expect(dsaVerify(FIPS, hash, sig)).toBe(true);
      const k = randomBelow(q, seededRandom(seed));
      expect(sig.r).toBe(modPow(FIPS.g, k, FIPS.p) % q);
    }
  });
});

describe('randomBelow', () => {
  it('stays in [1, n-1] and uses no more bytes than n needs', () => {
    const rnd = seededRandom(7);
    for (const n of [2n, 3n, 255n, 256n, 257n, FIPS.q]) {
      for (let i = 0; i < 50; i++) {
        const k = randomBelow(n, rnd);
        expect(k >= 1n && k < n).toBe(true);
      }
    }
    expect(() => randomBelow(1n, rnd)).toThrow(RangeError);
  });
});

describe('primality', () => {
  const primes = smallPrimes(2000);
  it('agrees with a sieve on every integer below 2000', () => {
    const rnd = seededRandom(1);
    const set = new Set(primes);
    for (let n = 0; n < 2000; n++) {
      expect(isProbablePrime(BigInt(n), 5, rnd)).toBe(n === 2 || set.has(n));
    }
  });

  it('knows big primes and Carmichael numbers / strong pseudoprimes to base 2', () => {
    const rnd = seededRandom(2);
    expect(isProbablePrime(FIPS.p, 10, rnd)).toBe(true);
    expect(isProbablePrime(FIPS.q, 10, rnd)).toBe(true);
    expect(isProbablePrime((1n << 127n) - 1n, 10, rnd)).toBe(true);
    expect(isProbablePrime(FIPS.p * FIPS.q, 10, rnd)).toBe(false);
    // 3215031751 = 151 * 751 * 28351 is a strong pseudoprime to bases 2, 3, 5, 7.
    expect(millerRabin(3215031751n, 2n)).toBe(true);
    expect(isProbablePrime(3215031751n, 1, rnd)).toBe(false); // caught by trial division
    // 2047 = 23 * 89 is the smallest strong pseudoprime to base 2; random bases catch it.
    expect(millerRabin(2047n, 2n)).toBe(true);
    expect(millerRabin(2047n, 3n)).toBe(false);
    // 149491 * 747451 * 34233211: a strong pseudoprime to every prime base up to 23, with no
    // factor that trial division finds; only random bases expose it.
    const sp = 3825123056546413051n;
    expect(sp).toBe(149491n * 747451n * 34233211n);
    for (const a of [2n, 3n, 5n, 7n, 11n, 13n]) expect(millerRabin(sp, a)).toBe(true);
    expect(isProbablePrime(sp, 10, rnd)).toBe(false);
  });
});

describe('key generation', () => {
  it('makes a valid 1024/160 key, deterministic for a seeded source, that signs and verifies', async () => {
    const key = await generateDsaKey({ random: seededRandom(42) });
    const again = await generateDsaKey({ random: seededRandom(42) });
    expect(again).toEqual(key);
    const rnd = seededRandom(3);
    expect(key.p.toString(2).length).toBe(1024);
    expect(key.q.toString(2).length).toBe(160);
    expect((key.p - 1n) % key.q).toBe(0n);
    expect(isProbablePrime(key.p, 20, rnd)).toBe(true);
    expect(isProbablePrime(key.q, 30, rnd)).toBe(true);
    expect(key.g > 1n && modPow(key.g, key.q, key.p) === 1n).toBe(true);
    expect(key.x > 0n && key.x < key.q).toBe(true);
    expect(modPow(key.g, key.x, key.p)).toBe(key.y);
    const h = sha1(utf8Encode('hello'));
    expect(dsaVerify(key, h, dsaSign(key, h, rnd))).toBe(true);
  });

  it('reports rising progress ending at 1, and yields to the event loop while it works', async () => {
    const seen: number[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    await generateDsaKey({ random: seededRandom(5), onProgress: (f) => seen.push(f) });
    clearInterval(timer);
    expect(seen.length).toBeGreaterThan(2);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(1);
    expect(seen.every((f) => f > 0 && f <= 1)).toBe(true);
    expect(ticks).toBeGreaterThan(0);
  });

  it('stops with the abort reason when its signal fires', async () => {
    const ctl = new AbortController();
    ctl.abort(new Error('stop'));
    await expect(generateDsaKey({ signal: ctl.signal })).rejects.toThrow('stop');
    const ctl2 = new AbortController();
    const p = generateDsaKey({ signal: ctl2.signal, random: seededRandom(9) });
    ctl2.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
  });
});
