/**
 * OTR data types (spec: "Data types"): BYTE, SHORT, INT, MPI, DATA, CTR, MAC, and fixed-length
 * fields. The Reader never reads past its end and a message must be consumed exactly; the
 * Writer produces minimal MPIs, as libotr does.
 */
import { bigIntToBytes, bytesToBigInt } from '../crypto/bytes';
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
    return bytesToBigInt(this.buf.subarray(at, at + len));
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
 * Builds a message into one buffer of its own, front to back (grown by doubling); `bytes()`
 * returns a copy of exactly what was written. Nothing is shared between Writers.
 */
export class Writer {
  private buf = new Uint8Array(256);
  private length = 0;

  private room(n: number): number {
    const at = this.length;
    if (at + n > this.buf.length) {
      let size = this.buf.length * 2;
      while (size < at + n) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.buf.subarray(0, at), 0);
      this.buf.fill(0);
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

  data(bytes: Uint8Array): this {
    this.int(bytes.length);
    return this.fixed(bytes);
  }

  mpi(n: bigint): this {
    return this.data(bigIntToBytes(n));
  }

  /** How many bytes were written. */
  get writtenLength(): number {
    return this.length;
  }

  /** A copy of what was written. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** Clears the buffer (a message that held plaintext or keys before encryption). */
  wipe(): void {
    this.buf.fill(0);
    this.length = 0;
  }
}

/** MPI encoding of `n` (4-byte length, minimal big-endian bytes). */
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
