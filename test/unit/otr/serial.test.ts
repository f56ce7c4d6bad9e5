/** serial.ts and tlv.ts: every OTR data type, byte-exact, and every way a field can be cut short. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/crypto/bytes';
import { OtrError } from '../../../src/otr/errors';
import { encodeMpi, MAX_FIELD, Reader, Writer } from '../../../src/otr/serial';
import { decodeTlvPrefix, decodeTlvs, encodeTlvs } from '../../../src/otr/tlv';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OtrError) return e.code;
    throw e;
  }
  return 'no error';
}

describe('Writer: known answers', () => {
  it('BYTE, SHORT, INT are big-endian and masked to their width', () => {
    const w = new Writer().byte(0x1ff).short(0xabcd).int(0xdeadbeef).short(0x12345).int(-1);
    expect(bytesToHex(w.bytes())).toBe('ffabcddeadbeef2345ffffffff');
  });
  it('DATA is a 4-byte length then the bytes', () => {
    expect(bytesToHex(new Writer().data(Uint8Array.of(1, 2, 3)).bytes())).toBe('00000003010203');
    expect(bytesToHex(new Writer().data(new Uint8Array(0)).bytes())).toBe('00000000');
  });
  it('MPI is minimal: no leading zero bytes, 0 is empty', () => {
    expect(bytesToHex(encodeMpi(0n))).toBe('00000000');
    expect(bytesToHex(encodeMpi(1n))).toBe('0000000101');
    expect(bytesToHex(encodeMpi(0xffn))).toBe('00000001ff');
    expect(bytesToHex(encodeMpi(0x100n))).toBe('000000020100');
    expect(bytesToHex(encodeMpi(0x8000n))).toBe('000000028000');
    expect(bytesToHex(encodeMpi(2n ** 64n))).toBe('00000009010000000000000000');
  });
  it('MPI of every power of two up to 2^1600 has the minimal length', () => {
    for (let b = 0; b <= 1600; b += 7) {
      const enc = encodeMpi(2n ** BigInt(b));
      const len = new Reader(enc).int();
      expect(len).toBe(Math.floor(b / 8) + 1);
      expect(enc[4]).not.toBe(0);
    }
  });
  it('fixed fields are written as they are', () => {
    expect(bytesToHex(new Writer().fixed(Uint8Array.of(0, 0, 7)).bytes())).toBe('000007');
  });
  it('a negative MPI is refused', () => {
    expect(() => new Writer().mpi(-1n)).toThrow(RangeError);
  });
});

describe('Reader', () => {
  const all = new Writer()
    .byte(7)
    .short(0x0102)
    .int(0x03040506)
    .mpi(0x1234567n)
    .data(Uint8Array.of(9, 8))
    .fixed(Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 1))
    .bytes();
  const readAll = (bytes: Uint8Array) => {
    const r = new Reader(bytes);
    const v = [r.byte(), r.short(), r.int(), r.mpi(), bytesToHex(r.data()), bytesToHex(r.fixed(8))];
    r.end();
    return v;
  };

  it('reads back every type written', () => {
    expect(readAll(all)).toEqual([7, 0x0102, 0x03040506, 0x1234567n, '0908', '0000000000000001']);
  });
  it('INT is unsigned', () => {
    expect(new Reader(hexToBytes('ffffffff')).int()).toBe(0xffffffff);
  });
  it('truncation at every byte is refused as malformed', () => {
    for (let n = 0; n < all.length; n++) expect(code(() => readAll(all.slice(0, n)))).toBe('malformed');
  });
  it('a trailing byte is refused by end()', () => {
    const extra = new Uint8Array(all.length + 1);
    extra.set(all);
    expect(code(() => readAll(extra))).toBe('malformed');
  });
  it('reads a non-minimal MPI as its value (libotr does)', () => {
    expect(new Reader(hexToBytes('00000003000001')).mpi()).toBe(1n);
    expect(new Reader(hexToBytes('00000000')).mpi()).toBe(0n);
  });
  it('refuses DATA and MPI longer than their bound before reading', () => {
    expect(code(() => new Reader(hexToBytes('00000003010203')).data('x', 2))).toBe('malformed');
    expect(code(() => new Reader(hexToBytes('00000003010203')).mpi('x', 2))).toBe('malformed');
    expect(code(() => new Reader(hexToBytes('ffffffff')).data())).toBe('malformed');
    expect(code(() => new Reader(new Writer().int(MAX_FIELD + 1).bytes()).data())).toBe('malformed');
  });
  it('a DATA length that overruns the buffer is refused', () => {
    expect(code(() => new Reader(hexToBytes('0000000501020304')).data())).toBe('malformed');
  });
  it('fixed() and data() return copies, not views', () => {
    const buf = hexToBytes('0000000101aa');
    const r = new Reader(buf);
    const d = r.data();
    const f = r.fixed(1);
    buf.fill(0);
    expect(bytesToHex(d)).toBe('01');
    expect(bytesToHex(f)).toBe('aa');
  });
  it('position and remaining track reads; rest() takes the remainder', () => {
    const r = new Reader(hexToBytes('0102030405'));
    r.short();
    expect(r.position).toBe(2);
    expect(r.remaining).toBe(3);
    expect(bytesToHex(r.rest())).toBe('030405');
    r.end();
  });
});

describe('TLVs', () => {
  it('encode: type, length, value (known answer)', () => {
    const b = encodeTlvs([
      { type: 1, value: new Uint8Array(0) },
      { type: 0x0102, value: Uint8Array.of(0xaa, 0xbb) },
    ]);
    expect(bytesToHex(b)).toBe('00010000' + '01020002aabb');
  });
  it('round trip', () => {
    const tlvs = [
      { type: 0, value: new Uint8Array(5) },
      { type: 8, value: Uint8Array.of(0, 0, 0, 1, 42) },
      { type: 0xffff, value: new Uint8Array(0xffff) },
    ];
    expect(decodeTlvs(encodeTlvs(tlvs))).toEqual(tlvs);
  });
  it('a value longer than 65535 bytes cannot be encoded', () => {
    expect(() => encodeTlvs([{ type: 0, value: new Uint8Array(0x10000) }])).toThrow(RangeError);
  });
  it('truncation anywhere after the first complete TLV is malformed', () => {
    const b = encodeTlvs([
      { type: 2, value: Uint8Array.of(1, 2, 3) },
      { type: 3, value: Uint8Array.of(4, 5) },
    ]);
    expect(decodeTlvs(b.slice(0, 7))).toHaveLength(1);
    for (const n of [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12]) {
      expect(code(() => decodeTlvs(b.slice(0, n)))).toBe('malformed');
    }
    expect(decodeTlvs(new Uint8Array(0))).toEqual([]);
  });
  it('the lenient reading keeps the TLVs before a truncated one and drops the rest (libotr otrl_tlv_parse)', () => {
    const first = { type: 2, value: Uint8Array.of(1, 2, 3) };
    const second = { type: 3, value: Uint8Array.of(4, 5) };
    const b = encodeTlvs([first, second]);
    expect(decodeTlvPrefix(b)).toEqual([first, second]);
    for (let n = 0; n < b.length; n++) {
      expect(decodeTlvPrefix(b.slice(0, n))).toEqual(n < 7 ? [] : [first]);
    }
  });
});
