/**
 * Differential tests of the hash wrappers (src/crypto/hash.ts, over @noble/hashes) against
 * node:crypto (OpenSSL): random keys and data of every length, views at random offsets into a
 * larger buffer (a data message's MAC-covered part is a view of the decoded message), and keys
 * interleaved so that nothing from one call can leak into the next.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha1, hmacSha256, hmacSha256_160, sha1, sha256 } from '../../../src/crypto/hash';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** `data` as a view at `offset` into a larger buffer filled with other bytes. */
function atOffset(data: Uint8Array, offset: number): Uint8Array {
  const big = new Uint8Array(offset + data.length + 7).fill(0xa5);
  big.set(data, offset);
  return big.subarray(offset, offset + data.length);
}

describe('hash wrappers agree with node:crypto', () => {
  it('SHA-1, SHA-256, HMAC-SHA1, HMAC-SHA256 and its 160-bit truncation: random keys, lengths and offsets', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 700 }),
        fc.uint8Array({ maxLength: 150 }),
        fc.integer({ min: 0, max: 31 }),
        fc.integer({ min: 0, max: 31 }),
        (data, key, dataOff, keyOff) => {
          const d = atOffset(data, dataOff);
          const k = atOffset(key, keyOff);
          expect(hex(sha1(d))).toBe(createHash('sha1').update(data).digest('hex'));
          expect(hex(sha256(d))).toBe(createHash('sha256').update(data).digest('hex'));
          expect(hex(hmacSha1(k, d))).toBe(createHmac('sha1', key).update(data).digest('hex'));
          const mac = createHmac('sha256', key).update(data).digest('hex');
          expect(hex(hmacSha256(k, d))).toBe(mac);
          expect(hex(hmacSha256_160(k, d))).toBe(mac.slice(0, 40));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('every length around the block and padding boundaries (0..200), keys shorter, equal to and longer than a block', () => {
    for (const keyLength of [0, 20, 64, 65, 100]) {
      const key = new Uint8Array(keyLength).map((_, i) => i * 13);
      for (let n = 0; n <= 200; n++) {
        const data = new Uint8Array(n).map((_, i) => (i * 7 + n) & 255);
        expect(hex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
        expect(hex(hmacSha1(key, data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
      }
    }
  });

  it('interleaved keys: a run of MACs alternating between keys, with messages sharing leading blocks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 20, maxLength: 20 }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 400 }), fc.integer({ min: -1, max: 399 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (keys, steps) => {
          const base = new Uint8Array(400).map((_, i) => (i * 11) & 255);
          for (const [which, len, flip] of steps) {
            const key = keys[which % keys.length]!;
            const data = base.slice(0, len);
            if (flip >= 0 && flip < len) data[flip] = (data[flip] ?? 0) ^ 0x80;
            expect(hex(hmacSha1(key, data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('the inputs are not changed', () => {
    const key = new Uint8Array(20).fill(9);
    const data = new Uint8Array(100).fill(4);
    hmacSha1(key, data);
    sha1(data);
    expect(key.every((b) => b === 9) && data.every((b) => b === 4)).toBe(true);
  });
});
