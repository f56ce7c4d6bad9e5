import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isGroupElement,
  MODP_G,
  MODP_P,
  MODP_Q,
  modInverse,
  modPow,
  pow2,
  powG,
  powP,
  powProduct,
} from '../../../src/crypto/modp';
import { plainPow } from '../../lib/plain-pow';

/** Non-negative integers of a uniformly chosen bit length in [0, maxBits] (so all sizes occur). */
const bigNat = (maxBits: number) =>
  fc
    .integer({ min: 0, max: maxBits })
    .chain((bits) =>
      fc.bigInt({ min: bits === 0 ? 0n : 1n << BigInt(bits - 1), max: (1n << BigInt(bits)) - 1n }),
    );
const element = bigNat(1536).map((x) => (x % (MODP_P - 3n)) + 2n);

describe('modp group constants', () => {
  it('p is the RFC 3526 1536-bit prime, q = (p-1)/2, g = 2 generates the order-q subgroup', () => {
    expect(MODP_P.toString(2).length).toBe(1536);
    expect(MODP_P % 8n).toBe(7n); // so 2 is a quadratic residue: order q, not 2q
    expect(plainPow(MODP_G, MODP_Q, MODP_P)).toBe(1n);
    expect(MODP_P.toString(16).slice(-16)).toBe('ffffffffffffffff');
  });
});

describe('fast exponentiation agrees with plain square-and-multiply', () => {
  it('powG (fixed-base table, Yao) for exponents of every size up to 1536 bits', () => {
    fc.assert(
      fc.property(bigNat(1536), (e) => {
        expect(powG(e)).toBe(plainPow(2n, e, MODP_P));
      }),
      { numRuns: 60 },
    );
  });

  it('powG on edges: 0, 1, q-1, q, q+1, p-1, and exponents with long runs of ones/zeros', () => {
    for (const e of [
      0n,
      1n,
      2n,
      63n,
      64n,
      MODP_Q - 1n,
      MODP_Q,
      MODP_Q + 1n,
      MODP_P - 1n,
      (1n << 320n) - 1n,
      1n << 1535n,
    ]) {
      expect(powG(e)).toBe(plainPow(2n, e, MODP_P));
    }
    expect(() => powG(-1n)).toThrow(RangeError);
  });

  it('powP (sliding windows) for random bases and 1..1536-bit exponents', () => {
    fc.assert(
      fc.property(element, bigNat(1536), (x, e) => {
        expect(powP(x, e)).toBe(plainPow(x, e, MODP_P));
      }),
      { numRuns: 40 },
    );
  });

  it('modPow for arbitrary moduli, bases (negative too) and small exponents of every window width', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 300n), max: 1n << 300n }),
        bigNat(700),
        fc.bigInt({ min: 1n, max: 1n << 256n }),
        (b, e, m) => {
          expect(modPow(b, e, m)).toBe(plainPow(b, e, m));
        },
      ),
      { numRuns: 200 },
    );
    for (let bits = 0; bits < 40; bits++) {
      const e = (1n << BigInt(bits)) - 1n;
      expect(modPow(3n, e, MODP_P)).toBe(plainPow(3n, e, MODP_P));
      expect(modPow(3n, 1n << BigInt(bits), MODP_P)).toBe(plainPow(3n, 1n << BigInt(bits), MODP_P));
    }
    expect(modPow(5n, 3n, 1n)).toBe(0n);
    expect(() => modPow(2n, -1n, 7n)).toThrow(RangeError);
  });

  it('pow2 (shift-and-subtract multiplications) for odd and even moduli', () => {
    fc.assert(
      fc.property(bigNat(1100), fc.bigInt({ min: 2n, max: 1n << 1100n }), (e, m) => {
        expect(pow2(e, m)).toBe(plainPow(2n, e, m));
        expect(modPow(2n, e, m)).toBe(plainPow(2n, e, m));
      }),
      { numRuns: 60 },
    );
  });

  it('powProduct (Shamir, interleaved windows) for exponents of unequal lengths', () => {
    fc.assert(
      fc.property(element, bigNat(1536), element, bigNat(400), (b1, e1, b2, e2) => {
        const want = (plainPow(b1, e1, MODP_P) * plainPow(b2, e2, MODP_P)) % MODP_P;
        expect(powProduct(b1, e1, b2, e2, MODP_P)).toBe(want);
        expect(powProduct(b2, e2, b1, e1, MODP_P)).toBe(want);
      }),
      { numRuns: 30 },
    );
    expect(powProduct(5n, 0n, 7n, 0n, 11n)).toBe(1n);
    expect(powProduct(5n, 0n, 7n, 1n, 11n)).toBe(7n);
    expect(powProduct(5n, 3n, 7n, 0n, 1n)).toBe(0n);
  });
});

describe('group helpers', () => {
  it('isGroupElement accepts exactly [2, p-2]', () => {
    expect(isGroupElement(1n)).toBe(false);
    expect(isGroupElement(2n)).toBe(true);
    expect(isGroupElement(MODP_P - 2n)).toBe(true);
    expect(isGroupElement(MODP_P - 1n)).toBe(false);
    expect(isGroupElement(MODP_P)).toBe(false);
  });

  it('modInverse inverts and refuses non-invertible values', () => {
    fc.assert(
      fc.property(element, (x) => {
        expect((modInverse(x, MODP_Q) * x) % MODP_Q).toBe(1n);
      }),
      { numRuns: 50 },
    );
    expect(() => modInverse(6n, 9n)).toThrow(RangeError);
  });
});
