/**
 * SHA-1 (FIPS 180-4) for HMAC-SHA1 over data messages, with the HMAC's keyed states kept per key
 * (HmacSha1Key).
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
 * and each message then costs its own blocks plus one outer block. Those states are an
 * HmacSha1Key, made from the key's bytes once and owned by whoever owns the key (a data
 * message's session keys); there is no cache keyed by arrays (a key array changed in place
 * cannot meet states made from its old bytes, and nothing derived from a key outlives its owner).
 * Checked against node:crypto (test/unit/crypto/hash.test.ts).
 */

import { WordViews } from './bytes';

/**
 * Compresses the 64-byte block at `buf[off..]` into the state h (five words).
 *
 * The 80 steps are written out (FIPS 180-4 section 6.1.2), in the usual way of fast SHA-1 code:
 * - the message schedule lives in 16 local variables w0..w15, a ring: step t >= 16 replaces
 *   w[t mod 16] with rotl1(w[t-3] ^ w[t-8] ^ w[t-14] ^ w[t-16]) (all mod 16), just before using it;
 * - the five working variables are not shifted along at every step (e = d, d = c, ...): the
 *   names rotate instead, so step t adds into the variable that plays `e` at that step and
 *   rotates the one that plays `b`. Step 0 is  e += rotl5(a) + f(b, c, d) + K + w0; b = rotl30(b),
 *   step 1 is  d += rotl5(e) + f(a, b, c) + K + w1; a = rotl30(a),  and so on, five steps per cycle.
 * - f is Ch for steps 0-19 (written d ^ (b & (c ^ d))), Parity for 20-39 and 60-79, Maj for
 *   40-59 (written (b & c) | (d & (b | c))).
 * Why written out: the loop version kept the schedule in an 80-word array; its loads and stores
 * were half the cost. Measured per block: 0.19 µs with loops, 0.10 µs written out, in a process
 * warmed up; in a fresh process both run at ~5 µs per block until V8 optimizes them (after about
 * 1,000 to 3,000 blocks, the written-out one no later).
 */
function compress(h: Int32Array, buf: Uint8Array, off: number): void {
  let a = h[0]!;
  let b = h[1]!;
  let c = h[2]!;
  let d = h[3]!;
  let e = h[4]!;
  let w0 = (buf[off + 0]! << 24) | (buf[off + 1]! << 16) | (buf[off + 2]! << 8) | buf[off + 3]!;
  let w1 = (buf[off + 4]! << 24) | (buf[off + 5]! << 16) | (buf[off + 6]! << 8) | buf[off + 7]!;
  let w2 = (buf[off + 8]! << 24) | (buf[off + 9]! << 16) | (buf[off + 10]! << 8) | buf[off + 11]!;
  let w3 = (buf[off + 12]! << 24) | (buf[off + 13]! << 16) | (buf[off + 14]! << 8) | buf[off + 15]!;
  let w4 = (buf[off + 16]! << 24) | (buf[off + 17]! << 16) | (buf[off + 18]! << 8) | buf[off + 19]!;
  let w5 = (buf[off + 20]! << 24) | (buf[off + 21]! << 16) | (buf[off + 22]! << 8) | buf[off + 23]!;
  let w6 = (buf[off + 24]! << 24) | (buf[off + 25]! << 16) | (buf[off + 26]! << 8) | buf[off + 27]!;
  let w7 = (buf[off + 28]! << 24) | (buf[off + 29]! << 16) | (buf[off + 30]! << 8) | buf[off + 31]!;
  let w8 = (buf[off + 32]! << 24) | (buf[off + 33]! << 16) | (buf[off + 34]! << 8) | buf[off + 35]!;
  let w9 = (buf[off + 36]! << 24) | (buf[off + 37]! << 16) | (buf[off + 38]! << 8) | buf[off + 39]!;
  let w10 = (buf[off + 40]! << 24) | (buf[off + 41]! << 16) | (buf[off + 42]! << 8) | buf[off + 43]!;
  let w11 = (buf[off + 44]! << 24) | (buf[off + 45]! << 16) | (buf[off + 46]! << 8) | buf[off + 47]!;
  let w12 = (buf[off + 48]! << 24) | (buf[off + 49]! << 16) | (buf[off + 50]! << 8) | buf[off + 51]!;
  let w13 = (buf[off + 52]! << 24) | (buf[off + 53]! << 16) | (buf[off + 54]! << 8) | buf[off + 55]!;
  let w14 = (buf[off + 56]! << 24) | (buf[off + 57]! << 16) | (buf[off + 58]! << 8) | buf[off + 59]!;
  let w15 = (buf[off + 60]! << 24) | (buf[off + 61]! << 16) | (buf[off + 62]! << 8) | buf[off + 63]!;
  // Steps 0-19: Ch
  e = (e + ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + 0x5a827999 + w0) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + 0x5a827999 + w1) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + 0x5a827999 + w2) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + 0x5a827999 + w3) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + 0x5a827999 + w4) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + 0x5a827999 + w5) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + 0x5a827999 + w6) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + 0x5a827999 + w7) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + 0x5a827999 + w8) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + 0x5a827999 + w9) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + 0x5a827999 + w10) | 0;
  b = (b << 30) | (b >>> 2);
  d = (d + ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + 0x5a827999 + w11) | 0;
  a = (a << 30) | (a >>> 2);
  c = (c + ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + 0x5a827999 + w12) | 0;
  e = (e << 30) | (e >>> 2);
  b = (b + ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + 0x5a827999 + w13) | 0;
  d = (d << 30) | (d >>> 2);
  a = (a + ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + 0x5a827999 + w14) | 0;
  c = (c << 30) | (c >>> 2);
  e = (e + ((a << 5) | (a >>> 27)) + (d ^ (b & (c ^ d))) + 0x5a827999 + w15) | 0;
  b = (b << 30) | (b >>> 2);
  w0 ^= w13 ^ w8 ^ w2;
  w0 = (w0 << 1) | (w0 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (c ^ (a & (b ^ c))) + 0x5a827999 + w0) | 0;
  a = (a << 30) | (a >>> 2);
  w1 ^= w14 ^ w9 ^ w3;
  w1 = (w1 << 1) | (w1 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (b ^ (e & (a ^ b))) + 0x5a827999 + w1) | 0;
  e = (e << 30) | (e >>> 2);
  w2 ^= w15 ^ w10 ^ w4;
  w2 = (w2 << 1) | (w2 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (a ^ (d & (e ^ a))) + 0x5a827999 + w2) | 0;
  d = (d << 30) | (d >>> 2);
  w3 ^= w0 ^ w11 ^ w5;
  w3 = (w3 << 1) | (w3 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (e ^ (c & (d ^ e))) + 0x5a827999 + w3) | 0;
  c = (c << 30) | (c >>> 2);
  // Steps 20-39: Parity
  w4 ^= w1 ^ w12 ^ w6;
  w4 = (w4 << 1) | (w4 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + w4) | 0;
  b = (b << 30) | (b >>> 2);
  w5 ^= w2 ^ w13 ^ w7;
  w5 = (w5 << 1) | (w5 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + w5) | 0;
  a = (a << 30) | (a >>> 2);
  w6 ^= w3 ^ w14 ^ w8;
  w6 = (w6 << 1) | (w6 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + w6) | 0;
  e = (e << 30) | (e >>> 2);
  w7 ^= w4 ^ w15 ^ w9;
  w7 = (w7 << 1) | (w7 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + w7) | 0;
  d = (d << 30) | (d >>> 2);
  w8 ^= w5 ^ w0 ^ w10;
  w8 = (w8 << 1) | (w8 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + w8) | 0;
  c = (c << 30) | (c >>> 2);
  w9 ^= w6 ^ w1 ^ w11;
  w9 = (w9 << 1) | (w9 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + w9) | 0;
  b = (b << 30) | (b >>> 2);
  w10 ^= w7 ^ w2 ^ w12;
  w10 = (w10 << 1) | (w10 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + w10) | 0;
  a = (a << 30) | (a >>> 2);
  w11 ^= w8 ^ w3 ^ w13;
  w11 = (w11 << 1) | (w11 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + w11) | 0;
  e = (e << 30) | (e >>> 2);
  w12 ^= w9 ^ w4 ^ w14;
  w12 = (w12 << 1) | (w12 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + w12) | 0;
  d = (d << 30) | (d >>> 2);
  w13 ^= w10 ^ w5 ^ w15;
  w13 = (w13 << 1) | (w13 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + w13) | 0;
  c = (c << 30) | (c >>> 2);
  w14 ^= w11 ^ w6 ^ w0;
  w14 = (w14 << 1) | (w14 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + w14) | 0;
  b = (b << 30) | (b >>> 2);
  w15 ^= w12 ^ w7 ^ w1;
  w15 = (w15 << 1) | (w15 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + w15) | 0;
  a = (a << 30) | (a >>> 2);
  w0 ^= w13 ^ w8 ^ w2;
  w0 = (w0 << 1) | (w0 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + w0) | 0;
  e = (e << 30) | (e >>> 2);
  w1 ^= w14 ^ w9 ^ w3;
  w1 = (w1 << 1) | (w1 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + w1) | 0;
  d = (d << 30) | (d >>> 2);
  w2 ^= w15 ^ w10 ^ w4;
  w2 = (w2 << 1) | (w2 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + w2) | 0;
  c = (c << 30) | (c >>> 2);
  w3 ^= w0 ^ w11 ^ w5;
  w3 = (w3 << 1) | (w3 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0x6ed9eba1 + w3) | 0;
  b = (b << 30) | (b >>> 2);
  w4 ^= w1 ^ w12 ^ w6;
  w4 = (w4 << 1) | (w4 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0x6ed9eba1 + w4) | 0;
  a = (a << 30) | (a >>> 2);
  w5 ^= w2 ^ w13 ^ w7;
  w5 = (w5 << 1) | (w5 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0x6ed9eba1 + w5) | 0;
  e = (e << 30) | (e >>> 2);
  w6 ^= w3 ^ w14 ^ w8;
  w6 = (w6 << 1) | (w6 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0x6ed9eba1 + w6) | 0;
  d = (d << 30) | (d >>> 2);
  w7 ^= w4 ^ w15 ^ w9;
  w7 = (w7 << 1) | (w7 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0x6ed9eba1 + w7) | 0;
  c = (c << 30) | (c >>> 2);
  // Steps 40-59: Maj
  w8 ^= w5 ^ w0 ^ w10;
  w8 = (w8 << 1) | (w8 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w8) | 0;
  b = (b << 30) | (b >>> 2);
  w9 ^= w6 ^ w1 ^ w11;
  w9 = (w9 << 1) | (w9 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w9) | 0;
  a = (a << 30) | (a >>> 2);
  w10 ^= w7 ^ w2 ^ w12;
  w10 = (w10 << 1) | (w10 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w10) | 0;
  e = (e << 30) | (e >>> 2);
  w11 ^= w8 ^ w3 ^ w13;
  w11 = (w11 << 1) | (w11 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w11) | 0;
  d = (d << 30) | (d >>> 2);
  w12 ^= w9 ^ w4 ^ w14;
  w12 = (w12 << 1) | (w12 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w12) | 0;
  c = (c << 30) | (c >>> 2);
  w13 ^= w10 ^ w5 ^ w15;
  w13 = (w13 << 1) | (w13 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w13) | 0;
  b = (b << 30) | (b >>> 2);
  w14 ^= w11 ^ w6 ^ w0;
  w14 = (w14 << 1) | (w14 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w14) | 0;
  a = (a << 30) | (a >>> 2);
  w15 ^= w12 ^ w7 ^ w1;
  w15 = (w15 << 1) | (w15 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w15) | 0;
  e = (e << 30) | (e >>> 2);
  w0 ^= w13 ^ w8 ^ w2;
  w0 = (w0 << 1) | (w0 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w0) | 0;
  d = (d << 30) | (d >>> 2);
  w1 ^= w14 ^ w9 ^ w3;
  w1 = (w1 << 1) | (w1 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w1) | 0;
  c = (c << 30) | (c >>> 2);
  w2 ^= w15 ^ w10 ^ w4;
  w2 = (w2 << 1) | (w2 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w2) | 0;
  b = (b << 30) | (b >>> 2);
  w3 ^= w0 ^ w11 ^ w5;
  w3 = (w3 << 1) | (w3 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w3) | 0;
  a = (a << 30) | (a >>> 2);
  w4 ^= w1 ^ w12 ^ w6;
  w4 = (w4 << 1) | (w4 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w4) | 0;
  e = (e << 30) | (e >>> 2);
  w5 ^= w2 ^ w13 ^ w7;
  w5 = (w5 << 1) | (w5 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w5) | 0;
  d = (d << 30) | (d >>> 2);
  w6 ^= w3 ^ w14 ^ w8;
  w6 = (w6 << 1) | (w6 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w6) | 0;
  c = (c << 30) | (c >>> 2);
  w7 ^= w4 ^ w15 ^ w9;
  w7 = (w7 << 1) | (w7 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + ((b & c) | (d & (b | c))) + 0x8f1bbcdc + w7) | 0;
  b = (b << 30) | (b >>> 2);
  w8 ^= w5 ^ w0 ^ w10;
  w8 = (w8 << 1) | (w8 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + ((a & b) | (c & (a | b))) + 0x8f1bbcdc + w8) | 0;
  a = (a << 30) | (a >>> 2);
  w9 ^= w6 ^ w1 ^ w11;
  w9 = (w9 << 1) | (w9 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + ((e & a) | (b & (e | a))) + 0x8f1bbcdc + w9) | 0;
  e = (e << 30) | (e >>> 2);
  w10 ^= w7 ^ w2 ^ w12;
  w10 = (w10 << 1) | (w10 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + ((d & e) | (a & (d | e))) + 0x8f1bbcdc + w10) | 0;
  d = (d << 30) | (d >>> 2);
  w11 ^= w8 ^ w3 ^ w13;
  w11 = (w11 << 1) | (w11 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + ((c & d) | (e & (c | d))) + 0x8f1bbcdc + w11) | 0;
  c = (c << 30) | (c >>> 2);
  // Steps 60-79: Parity
  w12 ^= w9 ^ w4 ^ w14;
  w12 = (w12 << 1) | (w12 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0xca62c1d6 + w12) | 0;
  b = (b << 30) | (b >>> 2);
  w13 ^= w10 ^ w5 ^ w15;
  w13 = (w13 << 1) | (w13 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0xca62c1d6 + w13) | 0;
  a = (a << 30) | (a >>> 2);
  w14 ^= w11 ^ w6 ^ w0;
  w14 = (w14 << 1) | (w14 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0xca62c1d6 + w14) | 0;
  e = (e << 30) | (e >>> 2);
  w15 ^= w12 ^ w7 ^ w1;
  w15 = (w15 << 1) | (w15 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0xca62c1d6 + w15) | 0;
  d = (d << 30) | (d >>> 2);
  w0 ^= w13 ^ w8 ^ w2;
  w0 = (w0 << 1) | (w0 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0xca62c1d6 + w0) | 0;
  c = (c << 30) | (c >>> 2);
  w1 ^= w14 ^ w9 ^ w3;
  w1 = (w1 << 1) | (w1 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0xca62c1d6 + w1) | 0;
  b = (b << 30) | (b >>> 2);
  w2 ^= w15 ^ w10 ^ w4;
  w2 = (w2 << 1) | (w2 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0xca62c1d6 + w2) | 0;
  a = (a << 30) | (a >>> 2);
  w3 ^= w0 ^ w11 ^ w5;
  w3 = (w3 << 1) | (w3 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0xca62c1d6 + w3) | 0;
  e = (e << 30) | (e >>> 2);
  w4 ^= w1 ^ w12 ^ w6;
  w4 = (w4 << 1) | (w4 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0xca62c1d6 + w4) | 0;
  d = (d << 30) | (d >>> 2);
  w5 ^= w2 ^ w13 ^ w7;
  w5 = (w5 << 1) | (w5 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0xca62c1d6 + w5) | 0;
  c = (c << 30) | (c >>> 2);
  w6 ^= w3 ^ w14 ^ w8;
  w6 = (w6 << 1) | (w6 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0xca62c1d6 + w6) | 0;
  b = (b << 30) | (b >>> 2);
  w7 ^= w4 ^ w15 ^ w9;
  w7 = (w7 << 1) | (w7 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0xca62c1d6 + w7) | 0;
  a = (a << 30) | (a >>> 2);
  w8 ^= w5 ^ w0 ^ w10;
  w8 = (w8 << 1) | (w8 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0xca62c1d6 + w8) | 0;
  e = (e << 30) | (e >>> 2);
  w9 ^= w6 ^ w1 ^ w11;
  w9 = (w9 << 1) | (w9 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0xca62c1d6 + w9) | 0;
  d = (d << 30) | (d >>> 2);
  w10 ^= w7 ^ w2 ^ w12;
  w10 = (w10 << 1) | (w10 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0xca62c1d6 + w10) | 0;
  c = (c << 30) | (c >>> 2);
  w11 ^= w8 ^ w3 ^ w13;
  w11 = (w11 << 1) | (w11 >>> 31);
  e = (e + ((a << 5) | (a >>> 27)) + (b ^ c ^ d) + 0xca62c1d6 + w11) | 0;
  b = (b << 30) | (b >>> 2);
  w12 ^= w9 ^ w4 ^ w14;
  w12 = (w12 << 1) | (w12 >>> 31);
  d = (d + ((e << 5) | (e >>> 27)) + (a ^ b ^ c) + 0xca62c1d6 + w12) | 0;
  a = (a << 30) | (a >>> 2);
  w13 ^= w10 ^ w5 ^ w15;
  w13 = (w13 << 1) | (w13 >>> 31);
  c = (c + ((d << 5) | (d >>> 27)) + (e ^ a ^ b) + 0xca62c1d6 + w13) | 0;
  e = (e << 30) | (e >>> 2);
  w14 ^= w11 ^ w6 ^ w0;
  w14 = (w14 << 1) | (w14 >>> 31);
  b = (b + ((c << 5) | (c >>> 27)) + (d ^ e ^ a) + 0xca62c1d6 + w14) | 0;
  d = (d << 30) | (d >>> 2);
  w15 ^= w12 ^ w7 ^ w1;
  w15 = (w15 << 1) | (w15 >>> 31);
  a = (a + ((b << 5) | (b >>> 27)) + (c ^ d ^ e) + 0xca62c1d6 + w15) | 0;
  c = (c << 30) | (c >>> 2);
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
 * `fromBlock` blocks of the message data[0 .. length), by absorbing the rest of it and the
 * padding; the digest goes to `out` (20 bytes at `outOff`).
 */
function finish(
  h: Int32Array,
  prefixBytes: number,
  data: Uint8Array,
  length: number,
  out: Uint8Array,
  outOff: number,
  fromBlock = 0,
): void {
  const whole = length - (length % 64);
  for (let off = fromBlock * 64; off < whole; off += 64) compress(h, data, off);
  const rest = length - whole;
  const blocks = rest + 9 <= 64 ? 1 : 2;
  for (let i = 0; i < rest; i++) tail[i] = data[whole + i]!;
  tail[rest] = 0x80;
  for (let i = rest + 1, end = blocks * 64 - 8; i < end; i++) tail[i] = 0;
  // Message length in bits, big-endian, in the last 8 bytes (lengths stay below 2^53 bits).
  const bits = (prefixBytes + length) * 8;
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
  finish(IV.slice(), 0, data, data.length, out, 0);
  // The last partial block is left in `tail`: cleared, since what is hashed here is often
  // secret (the D-H secret's MPI and the AES keys, to derive session keys). The data-message
  // MAC, which hashes public ciphertext, does not pay for this.
  tail.fill(0);
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

/**
 * How many of the first `n` 64-byte blocks of `memo` (a memo, at offset 0) and `data` are equal.
 * Compared as 32-bit words when `data` is 4-byte aligned, as a data message is (the sealing
 * Writer's buffer and a decoded message both start at 0): the byte loop cost ~0.4 µs for the
 * three blocks of a data message, words ~0.1 µs less (the word view of data's buffer is kept:
 * WordViews).
 */
const dataWords = new WordViews();

function sameBlocks(memo: Uint8Array, memo32: Int32Array, data: Uint8Array, n: number): number {
  if (n === 0) return 0;
  if ((data.byteOffset & 3) === 0) {
    const base = data.byteOffset >> 2;
    const d32 = dataWords.of(data, base + n * 16);
    for (let block = 0; block < n; block++) {
      let diff = 0;
      for (let i = block * 16, j = base + i, end = i + 16; i < end; i += 4, j += 4) {
        diff |= (memo32[i]! ^ d32[j]!) | (memo32[i + 1]! ^ d32[j + 1]!);
        diff |= (memo32[i + 2]! ^ d32[j + 2]!) | (memo32[i + 3]! ^ d32[j + 3]!);
      }
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
/**
 * The outer hash's only block: the inner digest (bytes 0-19, written there by the inner hash),
 * then the padding, which is always the same: 0x80, zeros, and the length of K ^ opad plus the
 * digest, 84 bytes = 672 bits = 0x02a0. Never kept: the next MAC overwrites the digest.
 */
const outerBlock = new Uint8Array(64);
outerBlock[20] = 0x80;
outerBlock[62] = 0x02;
outerBlock[63] = 0xa0;

/**
 * An HMAC-SHA1 key made ready for many messages: the keyed inner and outer states (RFC 2104
 * section 4) and the remembered leading blocks (see MEMO_BLOCKS). A data message's MAC key gets
 * one when its session keys are made (src/otr/keys.ts), so a MAC costs no key lookup; it holds
 * state derived from the key, so it lives exactly as long as the session keys that own it.
 */
export class HmacSha1Key {
  private readonly inner = IV.slice();
  private readonly outer = IV.slice();
  private readonly memo = new Uint8Array(64 * MEMO_BLOCKS);
  /** memo as 32-bit words (sameBlocks). */
  private readonly memo32 = new Int32Array(this.memo.buffer);
  private memoBlocks = 0;
  /** memoStates[5 i .. 5 i + 4]: the inner state after the memo's block i. */
  private readonly memoStates = new Int32Array(5 * MEMO_BLOCKS);

  constructor(key: Uint8Array) {
    // RFC 2104: a key longer than the block is hashed first; then it is zero-padded to 64 bytes.
    const k = new Uint8Array(64);
    const hashed = key.length > 64 ? sha1Digest(key) : null;
    k.set(hashed ?? key, 0);
    hashed?.fill(0);
    const block = new Uint8Array(64);
    for (let i = 0; i < 64; i++) block[i] = k[i]! ^ 0x36;
    compress(this.inner, block, 0);
    for (let i = 0; i < 64; i++) block[i] = k[i]! ^ 0x5c;
    compress(this.outer, block, 0);
    k.fill(0);
    block.fill(0);
  }

  /**
   * HMAC-SHA1(key, data[0 .. length)) written to `out` at `outOff` (20 bytes): a sealed message
   * gets its MAC in place, over the bytes written before it (no view of them needed).
   */
  macInto(data: Uint8Array, out: Uint8Array, outOff: number, length = data.length): void {
    if (outOff < 0 || outOff + 20 > out.length) throw new RangeError('output too short');
    if (length < 0 || length > data.length) throw new RangeError('length beyond the data');
    const memo = this.memo;
    const states = this.memoStates;
    const limit = Math.min(length >> 6, MEMO_BLOCKS);
    // How many leading blocks are the remembered ones.
    const same = sameBlocks(memo, this.memo32, data, Math.min(limit, this.memoBlocks));
    const from = same > 0 ? states : this.inner;
    const at = same > 0 ? 5 * (same - 1) : 0;
    for (let i = 0; i < 5; i++) h[i] = from[at + i]!;
    // The rest of the first `limit` blocks: absorbed and remembered.
    for (let b = same; b < limit; b++) {
      compress(h, data, b * 64);
      for (let i = 0; i < 5; i++) states[5 * b + i] = h[i]!;
      for (let i = b * 64, end = i + 64; i < end; i++) memo[i] = data[i]!;
    }
    this.memoBlocks = limit;
    finish(h, 64, data, length, outerBlock, 0, limit);
    const outer = this.outer;
    for (let i = 0; i < 5; i++) h[i] = outer[i]!;
    compress(h, outerBlock, 0);
    for (let i = 0; i < 5; i++) {
      const v = h[i]!;
      out[outOff + 4 * i] = v >>> 24;
      out[outOff + 4 * i + 1] = v >>> 16;
      out[outOff + 4 * i + 2] = v >>> 8;
      out[outOff + 4 * i + 3] = v;
      // Not kept here: for a received message that fails verification this is the right MAC
      // for bytes the sender chose; so is the inner digest, half way to it.
      h[i] = 0;
    }
    for (let i = 0; i < 20; i++) outerBlock[i] = 0;
  }

  /** The 20-byte HMAC-SHA1(key, data). */
  mac(data: Uint8Array): Uint8Array {
    const out = new Uint8Array(20);
    this.macInto(data, out, 0);
    return out;
  }
}
