/**
 * OTR data types (spec: "Data types"): BYTE, SHORT, INT, MPI, DATA, CTR, MAC, and fixed-length
 * fields. The Reader never reads past its end and a message must be consumed exactly; the
 * Writer produces minimal MPIs, as libotr does.
 */
import { bigIntToBytes, bytesToBigInt, WordViews } from '../crypto/bytes';
import { fail } from './errors';

/** The longest DATA or MPI field we accept, a sanity bound well above any legitimate value. */
export const MAX_FIELD = 1 << 20;

export class Reader {
  private offset = 0;
  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.offset;
  }

  private take(n: number, what: string): Uint8Array {
    if (n < 0 || n > this.remaining) fail('malformed', `truncated ${what}`);
    const out = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  // BYTE, SHORT and INT read the buffer directly (no subarray object per field).
  byte(): number {
    if (this.remaining < 1) fail('malformed', 'truncated BYTE');
    return this.buf[this.offset++]!;
  }

  short(): number {
    if (this.remaining < 2) fail('malformed', 'truncated SHORT');
    const b = this.buf;
    const at = this.offset;
    this.offset = at + 2;
    return (b[at]! << 8) | b[at + 1]!;
  }

  int(): number {
    if (this.remaining < 4) fail('malformed', 'truncated INT');
    const b = this.buf;
    const at = this.offset;
    this.offset = at + 4;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  /** A fixed-length field (CTR is 8, MAC is 20, r is 16...). Returns a copy. */
  fixed(n: number, what = 'field'): Uint8Array {
    return this.take(n, what).slice();
  }

  /** DATA: 4-byte length, then that many bytes. Returns a copy. */
  data(what = 'DATA', max = MAX_FIELD): Uint8Array {
    const len = this.int();
    if (len > max) fail('malformed', `${what} too long (${len} bytes)`);
    return this.fixed(len, what);
  }

  /**
   * `fixed` and `data` without the copy: a view into the buffer being read, for fields that are
   * read once and not kept (a data message's; see decodeMessage). Copying a field longer than
   * 64 bytes allocates outside V8's heap (~0.3 µs each).
   */
  fixedView(n: number, what = 'field'): Uint8Array {
    return this.take(n, what);
  }

  dataView(what = 'DATA', max = MAX_FIELD): Uint8Array {
    const len = this.int();
    if (len > max) fail('malformed', `${what} too long (${len} bytes)`);
    return this.take(len, what);
  }

  /** MPI: 4-byte length, then the big-endian value (libotr accepts non-minimal encodings too). */
  mpi(what = 'MPI', maxBytes = MAX_FIELD): bigint {
    const len = this.int();
    if (len > maxBytes) fail('malformed', `${what} too long (${len} bytes)`);
    if (len > this.remaining) fail('malformed', `truncated ${what}`);
    const at = this.offset;
    this.offset = at + len;
    return decodeMpiValue(this.buf, at, len);
  }

  /** Everything not read yet (for trailing fields such as a data message's MAC-covered part). */
  rest(): Uint8Array {
    return this.take(this.remaining, 'rest').slice();
  }

  get position(): number {
    return this.offset;
  }

  /** Fails unless every byte was consumed. */
  end(what = 'message'): void {
    if (this.remaining !== 0) fail('malformed', `${this.remaining} unexpected trailing bytes in ${what}`);
  }
}

/**
 * The last MPI decoded by a Reader and the last encoded by a Writer, to do no conversion twice.
 *
 * Why: a data message carries the sender's next D-H public key, and in a run of messages in one
 * direction it is the same 1536-bit value every time; the bigint <-> bytes conversion (through
 * hex, the only way in and out of a BigInt) was ~1.5 µs of each side's few µs per message. A hit
 * is a byte compare (decode) or a bigint compare (encode), and returns exactly what the
 * conversion would (decoded values are immutable bigints; encoded bytes are only ever copied
 * into the Writer's buffer, never handed out).
 *
 * Only values that go on the wire pass through here (public keys, public D-H values, SMP's
 * published values): secrets hashed as MPIs (the D-H shared secret) use `encodeMpi`, which
 * does not remember what it encoded.
 */
let lastDecoded: { bytes: Uint8Array; words: Int32Array; value: bigint } | null = null;
let lastEncoded: { value: bigint; bytes: Uint8Array } | null = null;

/** The value of the MPI whose `len` bytes start at buf[at]. */
function decodeMpiValue(buf: Uint8Array, at: number, len: number): bigint {
  const last = lastDecoded;
  if (last && last.bytes.length === len && sameBytes(last, buf, at)) return last.value;
  if (len < 64) return bytesToBigInt(buf.subarray(at, at + len));
  const bytes = buf.slice(at, at + len);
  const value = bytesToBigInt(bytes);
  lastDecoded = { bytes, words: new Int32Array(bytes.buffer, 0, len >> 2), value };
  return value;
}

/** A 32-bit view of the buffer MPIs are read from (a received data message's work buffer). */
const mpiWords = new WordViews();

/**
 * Whether the remembered MPI's bytes equal buf[at .. at + its length]. As 32-bit words when
 * both allow it: a data message's next D-H key is 4-byte aligned in the decoded message (24
 * bytes in for v3, 16 for v2) and 192 bytes long, and a byte loop over it cost ~0.2 µs per
 * received message. Public values, so no constant-time compare.
 */
function sameBytes(last: { bytes: Uint8Array; words: Int32Array }, buf: Uint8Array, at: number): boolean {
  const a = last.bytes;
  const n = a.length;
  const start = buf.byteOffset + at;
  if ((n & 3) === 0 && (start & 3) === 0) {
    const base = start >> 2;
    const a32 = last.words;
    const b32 = mpiWords.of(buf, base + (n >> 2));
    for (let i = 0; i < a32.length; i++) if (a32[i] !== b32[base + i]) return false;
    return true;
  }
  for (let i = 0; i < n; i++) if (a[i] !== buf[at + i]) return false;
  return true;
}

function encodeMpiValue(n: bigint): Uint8Array {
  const last = lastEncoded;
  if (last && last.value === n) return last.bytes;
  const bytes = bigIntToBytes(n);
  if (bytes.length >= 64) lastEncoded = { value: n, bytes };
  return bytes;
}

/**
 * One shared work buffer for Writers: most messages are built by one Writer from start to
 * `bytes()`, so that Writer borrows this buffer instead of allocating and growing its own (the
 * old Writer allocated one array per INT and concatenated them at the end). Null while borrowed:
 * a Writer made while another holds it gets a buffer of its own.
 */
let spare: Uint8Array | null = new Uint8Array(4096);
/** A released Writer's buffer: never written (any write first moves to a new array, see `room`). */
const EMPTY = new Uint8Array(0);

/**
 * Builds a message into one buffer, front to back.
 *
 * Borrowing is safe because a Writer gives the shared buffer back only in `bytes()`, which
 * returns a copy, and from then on writes into that copy's exact-size array: any later write
 * lands past its end, so it first moves to a new, larger array of its own (`room`). The copy
 * handed out is never written again, and the shared buffer is never written by two Writers.
 */
export class Writer {
  private buf: Uint8Array;
  private borrowed: boolean;
  private length = 0;

  constructor() {
    if (spare) {
      this.buf = spare;
      this.borrowed = true;
      spare = null;
    } else {
      this.buf = new Uint8Array(256);
      this.borrowed = false;
    }
  }

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = Math.max(64, this.buf.length * 2);
      while (size < at + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, at), 0);
      if (this.borrowed) {
        spare = this.buf;
        this.borrowed = false;
      }
      this.buf = grown;
    }
    this.length = at + n;
    return at;
  }

  byte(v: number): this {
    const at = this.room(1);
    this.buf[at] = v & 255;
    return this;
  }

  short(v: number): this {
    const at = this.room(2);
    this.buf[at] = (v >>> 8) & 255;
    this.buf[at + 1] = v & 255;
    return this;
  }

  int(v: number): this {
    const at = this.room(4);
    const b = this.buf;
    b[at] = (v >>> 24) & 255;
    b[at + 1] = (v >>> 16) & 255;
    b[at + 2] = (v >>> 8) & 255;
    b[at + 3] = v & 255;
    return this;
  }

  fixed(bytes: Uint8Array): this {
    const at = this.room(bytes.length);
    this.buf.set(bytes, at);
    return this;
  }

  /**
   * Makes room for `n` bytes that the caller writes itself into `target` at the returned offset
   * (a data message's ciphertext and MAC are computed straight into the message). Valid until
   * the next write: a write may move the message to a larger buffer.
   */
  reserve(n: number): number {
    return this.room(n);
  }

  /** The buffer being written (bytes 0 to `length`); see `reserve`. */
  get target(): Uint8Array {
    return this.buf;
  }

  data(bytes: Uint8Array): this {
    this.int(bytes.length);
    return this.fixed(bytes);
  }

  /** MPI of a value that goes on the wire (see `lastEncoded`); hash secrets with `encodeMpi`. */
  mpi(n: bigint): this {
    return this.data(encodeMpiValue(n));
  }

  /**
   * How many bytes were written: with `target`, what a caller reads at once and then calls
   * `release` for (Context.sealArmored base64-encodes target[0 .. writtenLength)).
   */
  get writtenLength(): number {
    return this.length;
  }

  /** Gives the shared buffer back without copying anything out; the Writer is empty after it. */
  release(): void {
    if (this.borrowed) {
      spare = this.buf;
      this.borrowed = false;
    }
    this.buf = EMPTY;
    this.length = 0;
  }

  /** A copy of what was written (the Writer can go on writing after it; see the class). */
  bytes(): Uint8Array {
    const out = this.buf.slice(0, this.length);
    if (this.borrowed) {
      spare = this.buf;
      this.borrowed = false;
      this.buf = out;
    }
    return out;
  }
}

/** MPI encoding of `n` (4-byte length, minimal big-endian bytes); remembers nothing. */
export function encodeMpi(n: bigint): Uint8Array {
  const bytes = bigIntToBytes(n);
  const out = new Uint8Array(4 + bytes.length);
  const len = bytes.length;
  out[0] = len >>> 24;
  out[1] = (len >>> 16) & 255;
  out[2] = (len >>> 8) & 255;
  out[3] = len & 255;
  out.set(bytes, 4);
  return out;
}
