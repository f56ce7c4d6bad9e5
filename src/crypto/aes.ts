/**
 * AES-128 in counter mode as OTR uses it (FIPS-197 encryption only: CTR never decrypts a block).
 *
 * Written here instead of calling @noble/ciphers' `ctr` because a data message is ~100 bytes and
 * noble expands the key schedule, allocates its views and copies the counter on every call: that
 * was most of the cost of encrypting one message. Two things make it cheaper, nothing else:
 *
 * - the key schedule is expanded once per key (Aes128Key): a data message's AES keys are made
 *   ready with the session keys that own them and used for every message of that key pair;
 * - one block is four 32-bit words through four "T-tables" (SubBytes, ShiftRows and MixColumns of
 *   one column folded into one table read per byte), the textbook fast software AES.
 *
 * Security note: table-driven AES reads tables at key- and data-dependent indexes, so it is not
 * constant-time against an attacker who can measure this process's cache. @noble/ciphers' AES,
 * used before, is table-driven too (see its README); this is no weaker than it was.
 * Checked against the FIPS-197 and SP 800-38A vectors and against node:crypto
 * (test/unit/crypto/aes.test.ts).
 */

// ---- tables, computed once from the field arithmetic (FIPS-197 section 4 and 5.1.1) ----

const SBOX = new Uint8Array(256);
/**
 * The four T-tables in one array: T[x] = T0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a big-endian
 * word, and T1..T3, its byte rotations, at T[256 + x], T[512 + x], T[768 + x]. One array
 * instead of four leaves V8 one base pointer to hold in a register in the rounds, not four
 * (~7% faster per block, measured).
 */
const T = new Int32Array(1024);
// (Every word here is an Int32Array element or an int32 expression, never a uint32: a uint32 of
// 2^31 or more is a double in V8, and one reaching the optimized block function once made it
// deoptimize, "lost precision", for the rest of that process.)

/** Multiplication by x (i.e. 2) in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1. */
const xtime = (b: number): number => ((b << 1) ^ (b & 0x80 ? 0x11b : 0)) & 0xff;

{
  // Walk the multiplicative group with generator 3 to get inverses, then the affine map.
  const exp = new Uint8Array(256);
  const log = new Uint8Array(256);
  let x = 1;
  for (let i = 0; i < 255; i++) {
    exp[i] = x;
    log[x] = i;
    x ^= xtime(x); // x * 3
  }
  for (let i = 0; i < 256; i++) {
    const inv = i === 0 ? 0 : exp[(255 - log[i]!) % 255]!;
    let s = inv;
    let r = inv;
    for (let k = 0; k < 4; k++) {
      r = ((r << 1) | (r >> 7)) & 0xff;
      s ^= r;
    }
    SBOX[i] = s ^ 0x63;
  }
  for (let i = 0; i < 256; i++) {
    const s = SBOX[i]!;
    const s2 = xtime(s);
    const t = ((s2 << 24) | (s << 16) | (s << 8) | (s2 ^ s)) >>> 0;
    T[i] = t;
    T[256 + i] = ((t >>> 8) | (t << 24)) >>> 0;
    T[512 + i] = ((t >>> 16) | (t << 16)) >>> 0;
    T[768 + i] = ((t >>> 24) | (t << 8)) >>> 0;
  }
}

// ---- key schedule ----

const RCON = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1b, 0x36];

/** The 44-word AES-128 key schedule (FIPS-197 5.2), big-endian words (as int32). */
function expandKey(key: Uint8Array): Int32Array {
  const w = new Int32Array(44);
  for (let i = 0; i < 4; i++) {
    w[i] = ((key[4 * i]! << 24) | (key[4 * i + 1]! << 16) | (key[4 * i + 2]! << 8) | key[4 * i + 3]!) >>> 0;
  }
  for (let i = 4; i < 44; i++) {
    let t = w[i - 1]!;
    if (i % 4 === 0) {
      // SubWord(RotWord(t)) xor Rcon
      t =
        ((SBOX[(t >>> 16) & 0xff]! << 24) |
          (SBOX[(t >>> 8) & 0xff]! << 16) |
          (SBOX[t & 0xff]! << 8) |
          SBOX[t >>> 24]!) ^
        (RCON[i / 4 - 1]! << 24);
    }
    w[i] = (w[i - 4]! ^ t) >>> 0;
  }
  return w;
}

/**
 * An AES-128 key made ready for many messages: its key schedule, expanded once. A data message's
 * AES key gets one when its session keys are made (src/otr/keys.ts), so encrypting a message
 * costs no key expansion and no key lookup; it lives exactly as long as the session keys that
 * own it.
 */
export class Aes128Key {
  readonly schedule: Int32Array;
  constructor(key: Uint8Array) {
    if (key.length !== 16) throw new RangeError('AES-128 key must be 16 bytes');
    this.schedule = expandKey(key);
  }
}

// ---- one block ----

const out4 = new Int32Array(4);

/** Encrypts the block (s0, s1, s2, s3) (big-endian words) with schedule w into out4. */
function encryptBlock(w: Int32Array, s0: number, s1: number, s2: number, s3: number): void {
  s0 ^= w[0]!;
  s1 ^= w[1]!;
  s2 ^= w[2]!;
  s3 ^= w[3]!;
  let k = 4;
  for (let round = 1; round < 10; round++, k += 4) {
    const t0 =
      T[s0 >>> 24]! ^
      T[256 | ((s1 >>> 16) & 0xff)]! ^
      T[512 | ((s2 >>> 8) & 0xff)]! ^
      T[768 | (s3 & 0xff)]! ^
      w[k]!;
    const t1 =
      T[s1 >>> 24]! ^
      T[256 | ((s2 >>> 16) & 0xff)]! ^
      T[512 | ((s3 >>> 8) & 0xff)]! ^
      T[768 | (s0 & 0xff)]! ^
      w[k + 1]!;
    const t2 =
      T[s2 >>> 24]! ^
      T[256 | ((s3 >>> 16) & 0xff)]! ^
      T[512 | ((s0 >>> 8) & 0xff)]! ^
      T[768 | (s1 & 0xff)]! ^
      w[k + 2]!;
    const t3 =
      T[s3 >>> 24]! ^
      T[256 | ((s0 >>> 16) & 0xff)]! ^
      T[512 | ((s1 >>> 8) & 0xff)]! ^
      T[768 | (s2 & 0xff)]! ^
      w[k + 3]!;
    s0 = t0;
    s1 = t1;
    s2 = t2;
    s3 = t3;
  }
  // Last round: SubBytes and ShiftRows, no MixColumns.
  const S = SBOX;
  out4[0] =
    ((S[s0 >>> 24]! << 24) | (S[(s1 >>> 16) & 0xff]! << 16) | (S[(s2 >>> 8) & 0xff]! << 8) | S[s3 & 0xff]!) ^
    w[40]!;
  out4[1] =
    ((S[s1 >>> 24]! << 24) | (S[(s2 >>> 16) & 0xff]! << 16) | (S[(s3 >>> 8) & 0xff]! << 8) | S[s0 & 0xff]!) ^
    w[41]!;
  out4[2] =
    ((S[s2 >>> 24]! << 24) | (S[(s3 >>> 16) & 0xff]! << 16) | (S[(s0 >>> 8) & 0xff]! << 8) | S[s1 & 0xff]!) ^
    w[42]!;
  out4[3] =
    ((S[s3 >>> 24]! << 24) | (S[(s0 >>> 16) & 0xff]! << 16) | (S[(s1 >>> 8) & 0xff]! << 8) | S[s2 & 0xff]!) ^
    w[43]!;
}

/** One AES-128 block encryption (FIPS-197); for the tests. */
export function aes128EncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array {
  if (block.length !== 16) throw new RangeError('AES block must be 16 bytes');
  const word = (i: number) =>
    (block[i]! << 24) | (block[i + 1]! << 16) | (block[i + 2]! << 8) | block[i + 3]!;
  encryptBlock(new Aes128Key(key).schedule, word(0), word(4), word(8), word(12));
  const out = new Uint8Array(16);
  for (let i = 0; i < 4; i++) {
    const v = out4[i]!;
    out[4 * i] = v >>> 24;
    out[4 * i + 1] = v >>> 16;
    out[4 * i + 2] = v >>> 8;
    out[4 * i + 3] = v;
    out4[i] = 0;
  }
  return out;
}

/**
 * Encrypts or decrypts (the same operation) with AES-128-CTR. OTR's initial counter block is
 * the 8-byte top half given here followed by 8 zero bytes (the AKE uses an all-zero top half);
 * the whole 128-bit block counts up by one per block, big-endian (as SP 800-38A and libgcrypt).
 */
export function aes128Ctr(key: Uint8Array, counterTop: Uint8Array, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length);
  aes128CtrInto(new Aes128Key(key), counterTop, data, out, 0);
  return out;
}

/**
 * `aes128Ctr` with a prepared key (Aes128Key), writing its output into `out` at `outOff`
 * instead of a new array. Why the latter: a typed
 * array longer than 64 bytes is allocated outside V8's heap (~0.3 µs each here, plus the
 * collector's work to free it), and the data-message path encrypts straight into the message
 * being written and decrypts into a reused buffer. `out` must not overlap `data` (except
 * exactly, in place).
 */
export function aes128CtrInto(
  key: Aes128Key,
  counterTop: Uint8Array,
  data: Uint8Array,
  out: Uint8Array,
  outOff: number,
): void {
  if (counterTop.length !== 8) throw new RangeError('counter top half must be 8 bytes');
  if (outOff < 0 || outOff + data.length > out.length) throw new RangeError('output too short');
  const w = key.schedule;
  let c0 = (counterTop[0]! << 24) | (counterTop[1]! << 16) | (counterTop[2]! << 8) | counterTop[3]!;
  let c1 = (counterTop[4]! << 24) | (counterTop[5]! << 16) | (counterTop[6]! << 8) | counterTop[7]!;
  let c2 = 0;
  let c3 = 0;
  for (let pos = 0; pos < data.length; pos += 16) {
    encryptBlock(w, c0, c1, c2, c3);
    const n = Math.min(16, data.length - pos);
    if (n === 16) {
      // A whole block: the keystream's four words, byte by byte, most significant first.
      for (let j = 0; j < 4; j++) {
        const word = out4[j]!;
        const at = pos + 4 * j;
        const o = outOff + at;
        out[o] = data[at]! ^ (word >>> 24);
        out[o + 1] = data[at + 1]! ^ ((word >>> 16) & 0xff);
        out[o + 2] = data[at + 2]! ^ ((word >>> 8) & 0xff);
        out[o + 3] = data[at + 3]! ^ (word & 0xff);
      }
    } else {
      for (let i = 0; i < n; i++) {
        const word = out4[i >> 2]!;
        out[outOff + pos + i] = data[pos + i]! ^ ((word >>> (24 - 8 * (i & 3))) & 0xff);
      }
    }
    // Count up, carrying through all four words.
    c3 = (c3 + 1) | 0;
    if (c3 === 0) {
      c2 = (c2 + 1) | 0;
      if (c2 === 0) {
        c1 = (c1 + 1) | 0;
        if (c1 === 0) c0 = (c0 + 1) | 0;
      }
    }
  }
  // The last keystream block is not left behind (with the ciphertext it is the last plaintext).
  for (let j = 0; j < 4; j++) out4[j] = 0;
}
