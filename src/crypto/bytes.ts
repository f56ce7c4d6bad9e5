/**
 * Byte helpers shared by the crypto and OTR modules. Bytes are always Uint8Array; big integers
 * are bigint. Nothing here ever represents bytes as a string of code units.
 */

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** Constant-time equality for secrets (MACs, hashes). Lengths are not secret. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Big-endian unsigned bytes to bigint (empty is 0). */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  return BigInt(`0x${bytesToHex(bytes)}`);
}

/** Minimal big-endian encoding of a non-negative bigint (0 is the empty array, as in OTR MPIs). */
export function bigIntToBytes(n: bigint): Uint8Array {
  if (n < 0n) throw new RangeError('negative integer');
  if (n === 0n) return new Uint8Array(0);
  let hex = n.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  return hexToBytes(hex);
}

/** Fixed-length big-endian encoding, left-padded with zeros; throws if n does not fit. */
export function bigIntToFixed(n: bigint, length: number): Uint8Array {
  const minimal = bigIntToBytes(n);
  if (minimal.length > length) throw new RangeError(`integer does not fit in ${length} bytes`);
  const out = new Uint8Array(length);
  out.set(minimal, length - minimal.length);
  return out;
}

// Lookup tables: bigint <-> bytes goes through hex (the only way in and out of a BigInt), and this
// runs for every MPI of every message, so the per-byte work is one table read.
const HEX_PAIRS: string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const NIBBLE = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) NIBBLE[48 + i] = i;
for (let i = 0; i < 6; i++) {
  NIBBLE[97 + i] = 10 + i;
  NIBBLE[65 + i] = 10 + i;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_PAIRS[bytes[i]!]!;
  return s;
}

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new RangeError('invalid hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0, j = 0; i < out.length; i++, j += 2) {
    const a = hex.charCodeAt(j);
    const b = hex.charCodeAt(j + 1);
    const hi = a < 128 ? NIBBLE[a]! : -1;
    const lo = b < 128 ? NIBBLE[b]! : -1;
    if (hi < 0 || lo < 0) throw new RangeError('invalid hex string');
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const lenientDecoder = new TextDecoder('utf-8');

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes UTF-8; invalid sequences become U+FFFD unless strict is set (then it throws). */
export function utf8Decode(bytes: Uint8Array, strict = false): string {
  return (strict ? strictDecoder : lenientDecoder).decode(bytes);
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_CODE = new Uint8Array(64);
for (let i = 0; i < 64; i++) B64_CODE[i] = B64.charCodeAt(i);
const B64_INDEX = new Int16Array(256).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;
/**
 * Base64 output is ASCII, which every decoder maps byte for byte; UTF-8 is the one engines
 * decode fastest (Node's has an ASCII fast path; its latin1 decoder was ~20 ns slower per line).
 */
const asciiDecoder = new TextDecoder('utf-8');

/** Whether this machine stores the low byte of a 16-bit word first (every browser platform does). */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/**
 * The two characters of every 12-bit value as one 16-bit word in memory order (8 KB): three
 * bytes become two table reads and two 16-bit stores instead of four and four (~25% of encoding).
 */
const B64_PAIR = new Uint16Array(4096);
for (let n = 0; n < 4096; n++) {
  const c0 = B64_CODE[n >> 6]!;
  const c1 = B64_CODE[n & 63]!;
  B64_PAIR[n] = LITTLE_ENDIAN ? c0 | (c1 << 8) : (c0 << 8) | c1;
}

/**
 * Standard base64 with padding, of bytes[0 .. byteLength) (all of them unless given), between an
 * ASCII `prefix` and `suffix` (an OTR message's `?OTR:` and `.`). The characters are written as
 * bytes into one new array and turned into a string at once (no string built a character at a
 * time); nothing is kept between calls.
 */
export function base64Encode(bytes: Uint8Array, byteLength = bytes.length, prefix = '', suffix = ''): string {
  if (byteLength < 0 || byteLength > bytes.length) throw new RangeError('length beyond the bytes');
  const length = Math.ceil(byteLength / 3) * 4;
  // The base64 starts at an even byte (the pairs are written as 16-bit words): the prefix
  // starts at byte 0 or 1, whichever makes it end on one.
  const start = prefix.length & 1;
  const at = start + prefix.length;
  const end = at + length + suffix.length;
  const out = new Uint8Array(end + 1);
  const out16 = new Uint16Array(out.buffer, 0, out.length >> 1);
  for (let i = 0; i < prefix.length; i++) out[start + i] = ascii(prefix, i);
  // Whole groups of three bytes: two pairs of characters each.
  let o = at >> 1;
  let i = 0;
  for (; i + 2 < byteLength; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out16[o++] = B64_PAIR[n >> 12]!;
    out16[o++] = B64_PAIR[n & 4095]!;
  }
  o *= 2;
  const rest = byteLength - i;
  if (rest > 0) {
    const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
    out[o++] = B64_CODE[n >> 18]!;
    out[o++] = B64_CODE[(n >> 12) & 63]!;
    out[o++] = rest === 2 ? B64_CODE[(n >> 6) & 63]! : 61; // '='
    out[o++] = 61;
  }
  for (let k = 0; k < suffix.length; k++) out[o + k] = ascii(suffix, k);
  return asciiDecoder.decode(out.subarray(start, end));
}

function ascii(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c > 127) throw new RangeError('base64Encode: prefix and suffix must be ASCII');
  return c;
}

const asciiEncoder = new TextEncoder();

/**
 * Strict base64 decoding (standard alphabet, padding required); returns null on any error.
 * The result is a new array of exactly the decoded length (see base64DecodeInto).
 */
export function base64Decode(s: string): Uint8Array | null {
  const len = s.length;
  if (len % 4 !== 0) return null;
  const pad = len === 0 || s.charCodeAt(len - 1) !== 61 ? 0 : s.charCodeAt(len - 2) === 61 ? 2 : 1;
  const out = new Uint8Array((len / 4) * 3 - pad);
  return base64DecodeInto(s, out) < 0 ? null : out;
}

/**
 * Strict base64 decoding into `out` from its start; returns the number of bytes written, or -1 on
 * any error. `out` must hold (s.length / 4) * 3 bytes (a RangeError otherwise).
 *
 * The string's characters are first copied as bytes by the native `TextEncoder.encodeInto`
 * into a new array (base64 is ASCII: any other character encodes to more bytes than characters,
 * and is refused by that count), then decoded four at a time by table.
 */
export function base64DecodeInto(s: string, out: Uint8Array): number {
  const len = s.length;
  if (len % 4 !== 0) return -1;
  const c = new Uint8Array(len);
  const { read, written } = asciiEncoder.encodeInto(s, c);
  if (read !== len || written !== len) return -1;
  let pad = 0;
  if (len > 0 && c[len - 1] === 61 /* = */) pad = c[len - 2] === 61 ? 2 : 1;
  const length = (len / 4) * 3 - pad;
  if (out.length < length) throw new RangeError('base64 output too short');
  // Every quartet but a padded last one: four table reads, one check for all four.
  const full = pad ? len - 4 : len;
  let o = 0;
  let i = 0;
  for (; i < full; i += 4) {
    const a = B64_INDEX[c[i]!]!;
    const b = B64_INDEX[c[i + 1]!]!;
    const d2 = B64_INDEX[c[i + 2]!]!;
    const d3 = B64_INDEX[c[i + 3]!]!;
    if ((a | b | d2 | d3) < 0) return -1;
    const n = (a << 18) | (b << 12) | (d2 << 6) | d3;
    out[o++] = n >> 16;
    out[o++] = (n >> 8) & 255;
    out[o++] = n & 255;
  }
  if (pad) {
    // "xy==" or "xyz=": the '=' only at the end, the characters before it from the alphabet.
    const a = B64_INDEX[c[i]!]!;
    const b = B64_INDEX[c[i + 1]!]!;
    const d2 = pad === 1 ? B64_INDEX[c[i + 2]!]! : 0;
    if ((a | b | d2) < 0) return -1;
    const n = (a << 18) | (b << 12) | (d2 << 6);
    out[o++] = (n >> 16) & 255;
    if (pad === 1) out[o++] = (n >> 8) & 255;
  }
  return o;
}

/** Overwrites a buffer holding secret material. */
export function wipe(bytes: Uint8Array): void {
  bytes.fill(0);
}
