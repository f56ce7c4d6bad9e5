/**
 * DSA with fixed-base tables (src/crypto/dsa.ts): a base gets its comb table on its second use,
 * so the first, second and later signatures and verifications take different paths. They must
 * all give what the plain definition gives.
 */
import { describe, expect, it } from 'vitest';
import { bytesToBigInt } from '../../../src/crypto/bytes';
import { dsaSign, dsaVerify } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { modInverse } from '../../../src/crypto/modp';
import { seededRandom } from '../../../src/crypto/random';
import { plainPow } from '../../lib/plain-pow';

describe('DSA with fixed-base tables', () => {
  it('signatures are the same on every path (no table, table built, table used) and verify by the definition', async () => {
    const key = await generateDsaKey({ random: seededRandom(11) });
    const hash = new Uint8Array(32).map((_, i) => i * 5 + 1);
    const sigs = [1, 2, 3, 4].map(() => dsaSign(key, hash, seededRandom(99)));
    for (const s of sigs) expect(s).toEqual(sigs[0]);
    const { p, q, g, y } = key;
    for (let i = 0; i < 6; i++) {
      const h = new Uint8Array(20).map((_, j) => (i * 31 + j * 7) & 255);
      const sig = dsaSign(key, h, seededRandom(1000 + i));
      // The definition: v = (g^u1 y^u2 mod p) mod q == r.
      const w = modInverse(sig.s, q);
      const u1 = ((bytesToBigInt(h) % q) * w) % q;
      const u2 = (sig.r * w) % q;
      expect(((plainPow(g, u1, p) * plainPow(y, u2, p)) % p) % q).toBe(sig.r);
      expect(dsaVerify(key, h, sig)).toBe(true);
      expect(dsaVerify(key, h, { r: sig.r, s: sig.s === 1n ? 2n : sig.s - 1n })).toBe(false);
      const other = h.slice();
      other[0] = (other[0] ?? 0) ^ 1;
      expect(dsaVerify(key, other, sig)).toBe(false);
    }
  });

  it('tables of one key are never used for another key (own and buddy keys, many of them)', async () => {
    const keys = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => generateDsaKey({ random: seededRandom(s) })),
    );
    const h = new Uint8Array(32).fill(9);
    for (let round = 0; round < 3; round++) {
      for (const [i, k] of keys.entries()) {
        const sig = dsaSign(k, h, seededRandom(round * 100 + i));
        expect(dsaVerify(k, h, sig)).toBe(true);
        const other = keys[(i + 1) % keys.length]!;
        expect(dsaVerify(other, h, sig)).toBe(false);
      }
    }
  });
});
