import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HmacSha1Key, hmacSha256, hmacSha256_160, sha1, sha256 } from '../../../src/crypto/hash';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('hashes and HMACs agree with node:crypto', () => {
  it('HMAC-SHA1 with one prepared key (HmacSha1Key, reused) and fresh keys', () => {
    const key = new Uint8Array(20).fill(7);
    const prepared = new HmacSha1Key(key);
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 500 }),
        fc.uint8Array({ minLength: 1, maxLength: 80 }),
        (data, k2) => {
          expect(hex(prepared.mac(data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
          expect(hex(new HmacSha1Key(k2).mac(data))).toBe(createHmac('sha1', k2).update(data).digest('hex'));
        },
      ),
    );
  });
  it('SHA-1, SHA-256, HMAC-SHA256 and its 160-bit truncation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 64 }), (data, key) => {
        expect(hex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
        expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
        const mac = createHmac('sha256', key).update(data).digest('hex');
        expect(hex(hmacSha256(key, data))).toBe(mac);
        expect(hex(hmacSha256_160(key, data))).toBe(mac.slice(0, 40));
      }),
    );
  });
  it('SHA-1 and HMAC-SHA1 at every length around the block and padding boundaries (0..200)', () => {
    const key = new Uint8Array(20).map((_, i) => i * 13);
    for (let n = 0; n <= 200; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 7 + n) & 255);
      expect(hex(sha1(data))).toBe(createHash('sha1').update(data).digest('hex'));
      expect(hex(new HmacSha1Key(key).mac(data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
    }
  });
  it('HMAC-SHA1 keys longer than a block (hashed first); a prepared key keeps the bytes it was made from', () => {
    const data = new Uint8Array(77).fill(3);
    const long = new Uint8Array(100).map((_, i) => i);
    expect(hex(new HmacSha1Key(long).mac(data))).toBe(createHmac('sha1', long).update(data).digest('hex'));
    const key = new Uint8Array(20).fill(1);
    const prepared = new HmacSha1Key(key);
    const want = createHmac('sha1', key).update(data).digest('hex');
    key.fill(0); // the array wiped in place: the prepared key was made from its old bytes
    expect(hex(prepared.mac(data))).toBe(want);
    expect(hex(new HmacSha1Key(key).mac(data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
    expect(hex(new HmacSha1Key(key).mac(data))).not.toBe(want);
  });
  it('HMAC-SHA1 over messages that share leading blocks (the remembered prefix), in any order and length', () => {
    const key = new Uint8Array(20).fill(5);
    const prepared = new HmacSha1Key(key);
    const base = new Uint8Array(400).map((_, i) => (i * 11) & 255);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 400 }), fc.integer({ min: -1, max: 399 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (cases) => {
          for (const [len, flip] of cases) {
            const data = base.slice(0, len);
            if (flip >= 0 && flip < len) data[flip] = (data[flip] ?? 0) ^ 0x80;
            expect(hex(prepared.mac(data))).toBe(createHmac('sha1', key).update(data).digest('hex'));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
