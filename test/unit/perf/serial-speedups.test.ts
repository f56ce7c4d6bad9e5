import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bigIntToBytes, bytesToBigInt } from '../../../src/crypto/bytes';
import { encodeMpi, Reader, Writer } from '../../../src/otr/serial';

/** The MPI encoding written the slow, obvious way. */
function mpiBytes(n: bigint): Uint8Array {
  const b = bigIntToBytes(n);
  const out = new Uint8Array(4 + b.length);
  new DataView(out.buffer).setUint32(0, b.length);
  out.set(b, 4);
  return out;
}

const bigValue = fc.bigInt({ min: 0n, max: (1n << 1536n) - 1n });

describe('Writer with the shared work buffer', () => {
  it('two Writers used at once (the second gets its own buffer) each write only their own bytes', () => {
    const w1 = new Writer().int(0x01020304);
    const w2 = new Writer().int(0x05060708);
    w1.byte(9);
    w2.byte(10);
    expect(w1.bytes()).toEqual(Uint8Array.of(1, 2, 3, 4, 9));
    expect(w2.bytes()).toEqual(Uint8Array.of(5, 6, 7, 8, 10));
  });

  it('bytes() hands out a copy that later writes (and later Writers) never change', () => {
    const w = new Writer().short(0x0102);
    const first = w.bytes();
    w.int(0xffffffff);
    const other = new Writer().fixed(new Uint8Array(100).fill(7)).bytes();
    expect(first).toEqual(Uint8Array.of(1, 2));
    expect(w.bytes()).toEqual(Uint8Array.of(1, 2, 255, 255, 255, 255));
    expect(other).toEqual(new Uint8Array(100).fill(7));
  });

  it('grows past the shared buffer (8 KB and 100 KB fields) and the next Writer still works', () => {
    for (const size of [8192, 100_000]) {
      const field = new Uint8Array(size).map((_, i) => i & 255);
      const out = new Writer().byte(1).data(field).byte(2).bytes();
      expect(out.length).toBe(size + 6);
      expect(out.subarray(5, 5 + size)).toEqual(field);
      expect(out[size + 5]).toBe(2);
      expect(new Writer().int(42).bytes()).toEqual(Uint8Array.of(0, 0, 0, 42));
    }
  });
});

describe('MPIs: the last one decoded / encoded is not converted again', () => {
  it('round-trips any value, repeated or not, in any order (Writer, encodeMpi and Reader agree)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(bigValue, fc.constant(12345678901234567890n << 600n)), { maxLength: 8 }),
        (vs) => {
          const twice = [...vs, ...vs, ...vs.slice().reverse()];
          const w = new Writer();
          for (const v of twice) w.mpi(v);
          const bytes = w.bytes();
          let expected = new Uint8Array(0);
          for (const v of twice) expected = new Uint8Array([...expected, ...mpiBytes(v)]);
          expect(bytes).toEqual(expected);
          for (const v of twice) expect(encodeMpi(v)).toEqual(mpiBytes(v));
          const r = new Reader(bytes);
          for (const v of twice) expect(r.mpi()).toBe(v);
          r.end();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('a value decoded from bytes that changed in place after reading is not mistaken for the old one', () => {
    const a = (1n << 1535n) + 12345n;
    const buf = mpiBytes(a);
    expect(new Reader(buf).mpi()).toBe(a);
    buf[buf.length - 1] = (buf[buf.length - 1] ?? 0) ^ 1;
    expect(new Reader(buf).mpi()).toBe(bytesToBigInt(buf.subarray(4)));
    expect(new Reader(buf).mpi()).not.toBe(a);
  });

  it('refuses negative values', () => {
    expect(() => new Writer().mpi(-1n)).toThrow(RangeError);
  });
});
