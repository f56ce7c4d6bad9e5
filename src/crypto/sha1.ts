/**
 * SHA-1 (FIPS 180-4) for HMAC-SHA1 over data messages, with the HMAC's keyed states kept per key.
 *
 * Why not @noble/hashes here: HMAC-SHA1 runs twice per data message (seal and open) over ~250
 * bytes, and noble's generic Merkle-Damgård class (views, buffers, clone of the keyed HMAC
 * object) cost more than the compressions themselves. This file is one compression function over
 * 32-bit words and the HMAC around it:
 *
 *   HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m))
 *
 * The first block of each hash, K ^ ipad and K ^ opad, depends on the key alone, so its
 * compression is done once per key (the "precomputed inner and outer state" of RFC 2104 section 4)
 * and each message then costs its own blocks plus one outer block. The cache keeps a copy of the
 * key's bytes and compares it before use: a key array changed in place is re-keyed, never reused.
 * Checked against node:crypto (test/unit/crypto/hash.test.ts).
 */

/*
 * (Tried and dropped: the 80 steps written out, with the message schedule in 16 local variables.
 * Warm it was faster, 0.11 against 0.20 µs per block, but V8 waits longer before optimizing a
 * function that long (its tier-up budget grows with the bytecode's size): the first ~600 MACs of
 * a process ran interpreted at ~50 µs each, ~10 ms of CPU a process would have to send ~12,000
 * messages to win back, and a service worker rarely lives that long.)
 */
const W = new Int32Array(80);

/** Compresses the 64-byte block at `buf[off..]` into the state h (five words). */
function compress(h: Int32Array, buf: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++, off += 4) {
    W[i] = (buf[off]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
  }
  for (let i = 16; i < 80; i++) {
    const x = W[i - 3]! ^ W[i - 8]! ^ W[i - 14]! ^ W[i - 16]!;
    W[i] = (x << 1) | (x >>> 31);
  }
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  // The 80 steps in their four kinds of 20 (no per-step branch on the kind).
  let t: number;
  for (let i = 0; i < 20; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 20; i < 40; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 40; i < 60; i++) {
    t = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  for (let i = 60; i < 80; i++) {
    t = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + W[i]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = t;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
}

const IV = Int32Array.of(0x67452301, 0xefcdab89 | 0, 0x98badcfe | 0, 0x10325476, 0xc3d2e1f0 | 0);
const tail = new Uint8Array(128);

/**
 * Finishes a hash whose state `h` has absorbed `prefixBytes` bytes (whole blocks) and the first
 * `fromBlock` blocks of `data`, by absorbing the rest of `data` and the padding; the digest goes
 * to `out` (20 bytes at `outOff`).
 */
function finish(
  h: Int32Array,
  prefixBytes: number,
  data: Uint8Array,
  out: Uint8Array,
  outOff: number,
  fromBlock = 0,
): void {
  const whole = data.length - (data.length % 64);
  for (let off = fromBlock * 64; off < whole; off += 64) compress(h, data, off);
  const rest = data.length - whole;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  for (let i = 0; i < rest; i++) tail[i] = data[whole + i]!;
  tail[rest] = 0x80;
  tail.fill(0, rest + 1, blocks * 64 - 8);
  // Message length in bits, big-endian, in the last 8 bytes (lengths stay below 2^53 bits).
  const bits = (prefixBytes + data.length) * 8;
  const end = blocks * 64;
  const hi = Math.floor(bits / 2 ** 32);
  tail[end - 8] = hi >>> 24;
  tail[end - 7] = hi >>> 16;
  tail[end - 6] = hi >>> 8;
  tail[end - 5] = hi;
  tail[end - 4] = bits >>> 24;
  tail[end - 3] = bits >>> 16;
  tail[end - 2] = bits >>> 8;
  tail[end - 1] = bits;
  compress(h, tail, 0);
  if (blocks === 2) compress(h, tail, 64);
  for (let i = 0; i < 5; i++) {
    const v = h[i]!;
    out[outOff + 4 * i] = v >>> 24;
    out[outOff + 4 * i + 1] = v >>> 16;
    out[outOff + 4 * i + 2] = v >>> 8;
    out[outOff + 4 * i + 3] = v;
  }
}

/** SHA-1 of `data`. */
export function sha1Digest(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  finish(IV.slice(), 0, data, out, 0);
  return out;
}

/**
 * Leading blocks of the last message MACed with a key, and the inner state after each: the next
 * message that starts with the same blocks resumes from there. Why: a data message's MAC covers
 * its header, key ids and the sender's next D-H key before the counter, ~216 bytes that are the
 * same in every message of a run in one direction, so 3 of its ~7 compressions were repeated
 * work. The blocks are compared (sameBlocks; the MACed message is public ciphertext); only the
 * first MEMO_BLOCKS are remembered, so a long message costs one compare more and nothing else.
 * Three, exactly the blocks that stay the same (v3: 216 bytes before the counter, v2: 208): the
 * fourth holds the counter, new in every message, and remembering it cost a 64-byte copy each
 * time (-0.07 µs per MAC of 330 bytes with 3).
 */
const MEMO_BLOCKS = 3;

interface Keyed {
  key: Uint8Array;
  inner: Int32Array;
  outer: Int32Array;
  memo: Uint8Array;
  memoBlocks: number;
  /** memoStates[5 i .. 5 i + 4]: the inner state after the memo's block i. */
  memoStates: Int32Array;
}

const keyedStates = new WeakMap<Uint8Array, Keyed>();

function keyed(key: Uint8Array): Keyed {
  const cached = keyedStates.get(key);
  if (cached && cached.key.length === key.length) {
    let diff = 0;
    for (let i = 0; i < key.length; i++) diff |= cached.key[i]! ^ key[i]!;
    if (diff === 0) return cached;
  }
  // RFC 2104: a key longer than the block is hashed first; then it is zero-padded to 64 bytes.
  const k = new Uint8Array(64);
  k.set(key.length > 64 ? sha1Digest(key) : key, 0);
  const block = new Uint8Array(64);
  for (let i = 0; i < 64; i++) block[i] = k[i]! ^ 0x36;
  const inner = IV.slice();
  compress(inner, block, 0);
  for (let i = 0; i < 64; i++) block[i] = k[i]! ^ 0x5c;
  const outer = IV.slice();
  compress(outer, block, 0);
  const state: Keyed = {
    key: key.slice(),
    inner,
    outer,
    memo: new Uint8Array(64 * MEMO_BLOCKS),
    memoBlocks: 0,
    memoStates: new Int32Array(5 * MEMO_BLOCKS),
  };
  keyedStates.set(key, state);
  return state;
}

/**
 * How many of the first `n` 64-byte blocks of `memo` (a memo, at offset 0) and `data` are equal.
 * Compared as 32-bit words when `data` is 4-byte aligned, as a data message is (the sealing
 * Writer's buffer and a decoded message both start at 0): the byte loop cost ~0.4 µs for the
 * three blocks of a data message, words ~0.1 µs less.
 */
function sameBlocks(memo: Uint8Array, data: Uint8Array, n: number): number {
  if (n === 0) return 0;
  if ((data.byteOffset & 3) === 0) {
    const m32 = new Int32Array(memo.buffer, memo.byteOffset, n * 16);
    const d32 = new Int32Array(data.buffer, data.byteOffset, n * 16);
    for (let block = 0; block < n; block++) {
      let diff = 0;
      for (let i = block * 16, end = i + 16; i < end; i++) diff |= m32[i]! ^ d32[i]!;
      if (diff !== 0) return block;
    }
    return n;
  }
  for (let block = 0; block < n; block++) {
    let diff = 0;
    for (let i = block * 64, end = i + 64; i < end; i++) diff |= memo[i]! ^ data[i]!;
    if (diff !== 0) return block;
  }
  return n;
}

const h = new Int32Array(5);
/** The inner hash, H((K ^ ipad) || m): read back at once by the outer hash, never kept. */
const innerDigest = new Uint8Array(20);

/** HMAC-SHA1(key, data) (RFC 2104), 20 bytes. */
export function hmacSha1Digest(key: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(20);
  hmacSha1Into(key, data, out, 0);
  return out;
}

/** HMAC-SHA1(key, data) written to `out` at `outOff` (20 bytes): a sealed message gets its MAC in place. */
export function hmacSha1Into(key: Uint8Array, data: Uint8Array, out: Uint8Array, outOff: number): void {
  if (outOff < 0 || outOff + 20 > out.length) throw new RangeError('output too short');
  const s = keyed(key);
  const memo = s.memo;
  const states = s.memoStates;
  const limit = Math.min(data.length >> 6, MEMO_BLOCKS);
  // How many leading blocks are the remembered ones.
  const same = sameBlocks(memo, data, Math.min(limit, s.memoBlocks));
  for (let i = 0; i < 5; i++) h[i] = same > 0 ? states[5 * (same - 1) + i]! : s.inner[i]!;
  // The rest of the first `limit` blocks: absorbed and remembered.
  for (let b = same; b < limit; b++) {
    compress(h, data, b * 64);
    for (let i = 0; i < 5; i++) states[5 * b + i] = h[i]!;
    for (let i = b * 64, end = i + 64; i < end; i++) memo[i] = data[i]!;
  }
  s.memoBlocks = limit;
  finish(h, 64, data, innerDigest, 0, limit);
  h.set(s.outer);
  finish(h, 64, innerDigest, out, outOff);
}
