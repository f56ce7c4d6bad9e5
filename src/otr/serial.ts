/**
 * OTR data types (spec: "Data types"): BYTE, SHORT, INT, MPI, DATA, CTR, MAC, and fixed-length
 * fields. The Reader never reads past its end and a message must be consumed exactly; the
 * Writer produces minimal MPIs, as libotr does.
 */
import { bigIntToBytes, bytesToBigInt, concatBytes } from '../crypto/bytes';
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

  byte(): number {
    return this.take(1, 'BYTE')[0]!;
  }

  short(): number {
    const b = this.take(2, 'SHORT');
    return (b[0]! << 8) | b[1]!;
  }

  int(): number {
    const b = this.take(4, 'INT');
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /** A fixed-length field (CTR is 8, MAC is 20, r is 16...). Returns a copy. */
  fixed(n: number, what = 'field'): Uint8Array {
    return this.take(n, what).slice();
  }

  /** DATA: 4-byte length, then that many bytes. Returns a copy. */
  data(what = 'DATA', max = MAX_FIELD): Uint8Array {
    const len = this.int();
    if (len > max) fail('malformed', `${what} too long (${len} bytes)`);
    return this.take(len, what).slice();
  }

  /** MPI: 4-byte length, then the big-endian value (libotr accepts non-minimal encodings too). */
  mpi(what = 'MPI', maxBytes = MAX_FIELD): bigint {
    const len = this.int();
    if (len > maxBytes) fail('malformed', `${what} too long (${len} bytes)`);
    return bytesToBigInt(this.take(len, what));
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

export class Writer {
  private parts: Uint8Array[] = [];

  byte(v: number): this {
    this.parts.push(Uint8Array.of(v & 255));
    return this;
  }

  short(v: number): this {
    this.parts.push(Uint8Array.of((v >>> 8) & 255, v & 255));
    return this;
  }

  int(v: number): this {
    this.parts.push(Uint8Array.of((v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255));
    return this;
  }

  fixed(bytes: Uint8Array): this {
    this.parts.push(bytes);
    return this;
  }

  data(bytes: Uint8Array): this {
    this.int(bytes.length);
    this.parts.push(bytes);
    return this;
  }

  mpi(n: bigint): this {
    return this.data(bigIntToBytes(n));
  }

  bytes(): Uint8Array {
    return concatBytes(...this.parts);
  }
}

export function encodeMpi(n: bigint): Uint8Array {
  return new Writer().mpi(n).bytes();
}
