import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  bigIntToBytes,
  bigIntToFixed,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  equalBytes,
  hexToBytes,
} from '../../../src/crypto/bytes';

describe('hex', () => {
  it('round-trips every byte, lower and upper case in', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const hex = bytesToHex(all);
    expect(hex.slice(0, 8)).toBe('00010203');
    expect(hex.slice(-4)).toBe('feff');
    expect(hexToBytes(hex)).toEqual(all);
    expect(hexToBytes(hex.toUpperCase())).toEqual(all);
  });
  it('refuses odd lengths and any non-hex character', () => {
    for (const bad of ['0', 'abc', 'zz', '0g', 'é0', '0\u0660', ' 0', '0x']) {
      expect(() => hexToBytes(bad), bad).toThrow(RangeError);
    }
  });
  it('agrees with Buffer for random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(bytesToHex(b)).toBe(Buffer.from(b).toString('hex'));
        expect(hexToBytes(bytesToHex(b))).toEqual(b);
      }),
    );
  });
});

describe('big integers', () => {
  it('minimal encoding, zero is empty (OTR MPIs)', () => {
    expect(bigIntToBytes(0n)).toEqual(new Uint8Array(0));
    expect(bigIntToBytes(255n)).toEqual(Uint8Array.of(255));
    expect(bigIntToBytes(256n)).toEqual(Uint8Array.of(1, 0));
    expect(bytesToBigInt(Uint8Array.of(0, 0, 1))).toBe(1n);
    expect(() => bigIntToBytes(-1n)).toThrow(RangeError);
  });
  it('fixed-length encoding keeps leading zeros and refuses what does not fit', () => {
    expect(bigIntToFixed(1n, 4)).toEqual(Uint8Array.of(0, 0, 0, 1));
    expect(() => bigIntToFixed(1n << 32n, 4)).toThrow(RangeError);
  });
  it('round-trips random values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 1n << 1600n }), (n) => bytesToBigInt(bigIntToBytes(n)) === n),
    );
  });
});

describe('base64 (strict)', () => {
  it('agrees with Buffer and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const s = base64Encode(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(base64Decode(s)).toEqual(b);
      }),
    );
  });
  it('refuses bad length, characters, and misplaced padding', () => {
    for (const bad of [
      'A',
      'AAA',
      'AA=A',
      '=AAA',
      'AA-A',
      'AAAA====',
      'A===',
      'AAé=',
      'AAAA=AAA',
      '====',
      'AAAAAA=A',
      'AA\u0141A',
      'AAA\u0100',
      '\0AAA',
      'AAA\uD800',
      'AA==AAAA',
      'AAAé',
      'AAAA\u00e9AAA',
    ]) {
      expect(base64Decode(bad), bad).toBeNull();
    }
  });
});

describe('misc', () => {
  it('concat and constant-time equality', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(
      Uint8Array.of(1, 2, 3),
    );
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(equalBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(equalBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});
