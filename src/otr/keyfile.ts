/**
 * libotr's private key file, `otr.private_key` (Pidgin, irssi-otr, profanity...): a libgcrypt
 * S-expression, one (account ...) per key:
 *
 *   (privkeys
 *    (account
 *   (name "alice@example.net")
 *   (protocol prpl-jabber)
 *   (private-key
 *    (dsa
 *     (p #00BCE2...#)
 *     (q #00966D...#)
 *     ...
 *
 * libgcrypt prints every atom in the most readable of three encodings (`suitable_encoding` in
 * its sexp.c): a bare token (`prpl-jabber`), a quoted string with C escapes
 * (`"alice@example.net"`, and an MPI whose bytes happen to be printable), or `#hex#`. Import
 * reads all three plus the canonical `3:abc` and base64 `|...|` forms; export prints atoms
 * exactly as libgcrypt does, so our file is byte-identical to one libotr would write (with the
 * libgcrypt version chosen, LibgcryptPrinter: they differ for a 0x00 inside an atom).
 *
 * Import is all-or-nothing: a garbled, truncated or inconsistent file (y != g^x mod p, q not a
 * 160-bit prime dividing p - 1, g not of order q, x out of range, duplicate accounts...) is an
 * OtrError 'bad-key-file' naming what is wrong, and nothing is returned.
 */
import {
  base64Decode,
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  utf8Decode,
  utf8Encode,
} from '../crypto/bytes';
import type { DsaPrivateKey } from '../crypto/dsa';
import { modPow } from '../crypto/modp';
import { isProbablePrime } from '../crypto/prime';
import { cryptoRandom } from '../crypto/random';
import { fail } from './errors';

export interface PrivateKeyEntry {
  account: string;
  protocol: string;
  key: DsaPrivateKey;
}

/** Bounds against hostile input: a real file with a few keys is a few KB. */
export const MAX_KEY_FILE_BYTES = 1 << 20;
const MAX_DEPTH = 16;

/** A parsed S-expression: an atom's bytes, or a list. */
export type Sexp = Uint8Array | Sexp[];

function bad(message: string): never {
  fail('bad-key-file', `otr.private_key: ${message}`);
}

function isWhite(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}
function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
function isAlpha(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}
/** libgcrypt's TOKEN_SPECIALS: "-./_:*+=". */
function isTokenSpecial(c: number): boolean {
  return (
    c === 0x2d ||
    c === 0x2e ||
    c === 0x2f ||
    c === 0x5f ||
    c === 0x3a ||
    c === 0x2a ||
    c === 0x2b ||
    c === 0x3d
  );
}
function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/** An S-expression reader over bytes (libgcrypt's advanced and canonical syntaxes). */
class SexpParser {
  private i = 0;
  constructor(private readonly b: Uint8Array) {}

  private where(): string {
    return `at byte ${this.i}`;
  }

  private skipWhite(): void {
    while (this.i < this.b.length && isWhite(this.b[this.i]!)) this.i++;
  }

  parseDocument(): Sexp[] {
    this.skipWhite();
    if (this.b[this.i] !== 0x28) bad(`expected "(" ${this.where()}`);
    const top = this.parseList(0);
    this.skipWhite();
    // libgcrypt stops after the first complete expression; anything but whitespace after it
    // means the file is not what libotr wrote.
    if (this.i !== this.b.length) bad(`unexpected data after the key list ${this.where()}`);
    return top;
  }

  private parseList(depth: number): Sexp[] {
    if (depth >= MAX_DEPTH) bad(`nesting too deep ${this.where()}`);
    this.i++; // "("
    const out: Sexp[] = [];
    for (;;) {
      this.skipWhite();
      if (this.i >= this.b.length) bad('truncated: a "(" is never closed');
      const c = this.b[this.i]!;
      if (c === 0x29) {
        this.i++;
        return out;
      }
      if (c === 0x28) out.push(this.parseList(depth + 1));
      else out.push(this.parseAtom());
    }
  }

  private parseAtom(): Uint8Array {
    const c = this.b[this.i]!;
    if (c === 0x22) return this.parseQuoted();
    if (c === 0x23) return this.parseHex();
    if (c === 0x7c) return this.parseBase64();
    if (isDigit(c)) return this.parseVerbatim();
    // A 0x00 is a token byte to libgcrypt (`strchr(tokenchars, c)` finds the terminator), and
    // its printer copies one raw into a token ("ab\0c"), so we read it the same way.
    if (isAlpha(c) || isTokenSpecial(c) || c === 0) {
      const start = this.i;
      while (this.i < this.b.length) {
        const d = this.b[this.i]!;
        if (!(isAlpha(d) || isDigit(d) || isTokenSpecial(d) || d === 0)) break;
        this.i++;
      }
      return this.b.slice(start, this.i);
    }
    bad(`unexpected character 0x${c.toString(16).padStart(2, '0')} ${this.where()}`);
  }

  /** `N:bytes`, the canonical form. */
  private parseVerbatim(): Uint8Array {
    let n = 0;
    while (this.i < this.b.length && isDigit(this.b[this.i]!)) {
      n = n * 10 + (this.b[this.i]! - 0x30);
      if (n > this.b.length) bad(`length prefix too large ${this.where()}`);
      this.i++;
    }
    if (this.b[this.i] !== 0x3a) bad(`expected ":" after a length prefix ${this.where()}`);
    this.i++;
    if (this.i + n > this.b.length) bad('truncated: a length-prefixed atom runs past the end');
    const out = this.b.slice(this.i, this.i + n);
    this.i += n;
    return out;
  }

  /** `#hex#`; whitespace between digits is allowed, as libgcrypt allows it. */
  private parseHex(): Uint8Array {
    this.i++;
    const digits: number[] = [];
    for (;;) {
      if (this.i >= this.b.length) bad('truncated: a #hex# atom is never closed');
      const c = this.b[this.i++]!;
      if (c === 0x23) break;
      if (isWhite(c)) continue;
      const v = hexValue(c);
      if (v < 0) bad(`invalid hex digit in a #hex# atom at byte ${this.i - 1}`);
      digits.push(v);
    }
    if (digits.length % 2) bad(`odd number of hex digits ending at byte ${this.i - 1}`);
    const out = new Uint8Array(digits.length / 2);
    for (let k = 0; k < out.length; k++) out[k] = (digits[2 * k]! << 4) | digits[2 * k + 1]!;
    return out;
  }

  /** `|base64|`. */
  private parseBase64(): Uint8Array {
    this.i++;
    let s = '';
    for (;;) {
      if (this.i >= this.b.length) bad('truncated: a |base64| atom is never closed');
      const c = this.b[this.i++]!;
      if (c === 0x7c) break;
      if (!isWhite(c)) s += String.fromCharCode(c);
    }
    const out = base64Decode(s);
    if (!out) bad(`invalid base64 atom ending at byte ${this.i - 1}`);
    return out;
  }

  /** A quoted string with libgcrypt's escapes: \b \t \v \n \f \r \" \' \\ \xHH \ooo, \<newline>. */
  private parseQuoted(): Uint8Array {
    this.i++;
    const out: number[] = [];
    for (;;) {
      if (this.i >= this.b.length) bad('truncated: a quoted string is never closed');
      const c = this.b[this.i++]!;
      if (c === 0x22) break;
      if (c !== 0x5c) {
        out.push(c);
        continue;
      }
      if (this.i >= this.b.length) bad('truncated: an escape at the end of the file');
      const e = this.b[this.i++]!;
      const simple: Record<number, number> = {
        98: 0x08, // b
        116: 0x09, // t
        118: 0x0b, // v
        110: 0x0a, // n
        102: 0x0c, // f
        114: 0x0d, // r
        34: 0x22,
        39: 0x27,
        92: 0x5c,
      };
      const s = simple[e];
      if (s !== undefined) {
        out.push(s);
      } else if (e === 0x78) {
        const h1 = hexValue(this.b[this.i] ?? 0);
        const h2 = hexValue(this.b[this.i + 1] ?? 0);
        if (h1 < 0 || h2 < 0) bad(`invalid \\x escape at byte ${this.i - 2}`);
        out.push((h1 << 4) | h2);
        this.i += 2;
      } else if (e >= 0x30 && e <= 0x37) {
        const o2 = this.b[this.i];
        const o3 = this.b[this.i + 1];
        if (o2 === undefined || o3 === undefined || o2 < 0x30 || o2 > 0x37 || o3 < 0x30 || o3 > 0x37) {
          bad(`invalid octal escape at byte ${this.i - 2}`);
        }
        const v = (e - 0x30) * 64 + (o2 - 0x30) * 8 + (o3 - 0x30);
        if (v > 255) bad(`octal escape out of range at byte ${this.i - 2}`);
        out.push(v);
        this.i += 2;
      } else if (e === 0x0a || e === 0x0d) {
        // Line continuation: \<LF>, \<CR>, \<CR><LF> or \<LF><CR> are dropped.
        const n = this.b[this.i];
        if ((e === 0x0a && n === 0x0d) || (e === 0x0d && n === 0x0a)) this.i++;
      } else {
        bad(`unknown escape \\${String.fromCharCode(e)} at byte ${this.i - 2}`);
      }
    }
    return Uint8Array.from(out);
  }
}

/**
 * Reads one S-expression list (and nothing after it but whitespace) in any syntax libgcrypt
 * reads: tokens, quoted strings, #hex#, |base64|, N:verbatim. Malformed input: OtrError
 * 'bad-key-file'.
 */
export function parseSexp(bytes: Uint8Array): Sexp[] {
  return new SexpParser(bytes).parseDocument();
}

function isAtom(x: Sexp | undefined): x is Uint8Array {
  return x instanceof Uint8Array;
}

function atomText(x: Sexp | undefined): string | undefined {
  if (!isAtom(x)) return undefined;
  try {
    return utf8Decode(x, true);
  } catch {
    return undefined;
  }
}

/** The direct children of `list` that are lists headed by `name`. */
function children(list: Sexp[], name: string): Sexp[][] {
  const out: Sexp[][] = [];
  for (const el of list) if (Array.isArray(el) && atomText(el[0]) === name) out.push(el);
  return out;
}

/** The single (name VALUE) child of `list`; exactly one, with exactly one atom. */
function onlyValue(list: Sexp[], name: string, where: string): Uint8Array {
  const found = children(list, name);
  if (found.length === 0) bad(`${where}: missing (${name} ...)`);
  if (found.length > 1) bad(`${where}: (${name} ...) appears ${found.length} times`);
  const el = found[0]!;
  if (el.length !== 2 || !isAtom(el[1])) bad(`${where}: (${name} ...) must hold exactly one value`);
  return el[1];
}

function text(bytes: Uint8Array, what: string): string {
  // libotr keeps names as C strings: it would cut this one at the 0 byte.
  if (bytes.includes(0)) bad(`${what} contains a 0 byte`);
  try {
    return utf8Decode(bytes, true);
  } catch {
    bad(`${what} is not valid UTF-8`);
  }
}

function bits(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/**
 * The checks a DSA key must pass before we use it: OTR's sizes (160-bit q, as libotr's 40-byte
 * signatures need; p of 1024 to 3072 bits), q prime and dividing p - 1, p prime, g of order q,
 * x in [1, q-1], y = g^x mod p.
 */
export function checkPrivateKey(k: DsaPrivateKey, where: string): void {
  const { p, q, g, y, x } = k;
  if (bits(q) !== 160) bad(`${where}: q has ${bits(q)} bits, OTR needs 160`);
  if (bits(p) < 1024 || bits(p) > 3072) bad(`${where}: p has ${bits(p)} bits (expected 1024 to 3072)`);
  if ((p - 1n) % q !== 0n) bad(`${where}: q does not divide p - 1`);
  if (!isProbablePrime(q, 24, cryptoRandom)) bad(`${where}: q is not prime`);
  if (!isProbablePrime(p, 4, cryptoRandom)) bad(`${where}: p is not prime`);
  if (g <= 1n || g >= p || modPow(g, q, p) !== 1n)
    bad(`${where}: g is not a generator of the order-q subgroup`);
  if (x <= 0n || x >= q) bad(`${where}: x is not in [1, q-1]`);
  if (y <= 1n || y >= p || modPow(g, x, p) !== y)
    bad(`${where}: y != g^x mod p (public and private parts do not match)`);
}

/** Parses an `otr.private_key` file. Refuses anything malformed or inconsistent, as a whole. */
export function parsePrivateKeyFile(input: Uint8Array | string): PrivateKeyEntry[] {
  const bytes = typeof input === 'string' ? utf8Encode(input) : input;
  if (bytes.length > MAX_KEY_FILE_BYTES) bad(`file too large (${bytes.length} bytes)`);
  const top = parseSexp(bytes);
  if (atomText(top[0]) !== 'privkeys') bad('the file does not start with (privkeys');
  const entries: PrivateKeyEntry[] = [];
  const seen = new Set<string>();
  for (let i = 1; i < top.length; i++) {
    const acc = top[i]!;
    const where = `account #${i}`;
    if (!Array.isArray(acc) || atomText(acc[0]) !== 'account') bad(`${where}: expected (account ...)`);
    for (let j = 1; j < acc.length; j++) {
      const head = Array.isArray(acc[j]) ? atomText((acc[j] as Sexp[])[0]) : undefined;
      if (head !== 'name' && head !== 'protocol' && head !== 'private-key') {
        bad(`${where}: unexpected element ${head === undefined ? 'value' : `(${head} ...)`}`);
      }
    }
    const account = text(onlyValue(acc, 'name', where), `${where}: the name`);
    const protocol = text(onlyValue(acc, 'protocol', where), `${where}: the protocol`);
    const label = `account "${account}" (${protocol})`;
    const pks = children(acc, 'private-key');
    if (pks.length !== 1) bad(`${label}: expected exactly one (private-key ...)`);
    const pk = pks[0]!;
    if (pk.length !== 2 || !Array.isArray(pk[1]) || atomText(pk[1][0]) !== 'dsa') {
      bad(`${label}: (private-key ...) must hold exactly one (dsa ...) key`);
    }
    const dsa = pk[1];
    const names = ['p', 'q', 'g', 'y', 'x'];
    for (let j = 1; j < dsa.length; j++) {
      const head = Array.isArray(dsa[j]) ? atomText((dsa[j] as Sexp[])[0]) : undefined;
      if (head === undefined || !names.includes(head)) bad(`${label}: unexpected element in (dsa ...)`);
    }
    const [p, q, g, y, x] = names.map((n) => {
      const v = onlyValue(dsa, n, label);
      if (v.length === 0) bad(`${label}: ${n} is empty`);
      if (v.length > 512) bad(`${label}: ${n} is too long (${v.length} bytes)`);
      return bytesToBigInt(v);
    }) as [bigint, bigint, bigint, bigint, bigint];
    const key = { p, q, g, y, x };
    checkPrivateKey(key, label);
    const id = `${account}\u0000${protocol}`;
    if (seen.has(id)) bad(`${label} appears twice`);
    seen.add(id);
    entries.push({ account, protocol, key });
  }
  return entries;
}

/**
 * Whose printer to follow where libgcrypt versions differ (only in one rule, a 0x00 inside an
 * atom): '1.10' = libgcrypt 1.10.x and older (Debian 12, Ubuntu 24.04), '1.11' = 1.11.0 and
 * later (Debian 13; upstream commit ddd41eb6, GnuPG bug T6747, "String with \0 is considered
 * binary"). Every libgcrypt reads both forms alike; only the bytes of the file differ.
 */
export type LibgcryptPrinter = '1.10' | '1.11';
/** Upstream's current rule: no `\x00` in strings, no raw 0x00 in tokens. */
export const DEFAULT_PRINTER: LibgcryptPrinter = '1.11';

/**
 * How libgcrypt prints an atom in GCRYSEXP_FMT_ADVANCED: `suitable_encoding`, `convert_to_hex`,
 * `convert_to_string` and `convert_to_token` in its src/sexp.c, rule for rule (docs/engine.md,
 * "The key file"):
 *
 * - empty: `""`;
 * - binary, printed `#HEX#` (upper case): the first byte is 0x00 or >= 0x80, or any byte is a
 *   control byte (< 0x20) or in 0x7f..0xa0 other than \b \t \v \n \f \r, and (1.10 only)
 *   other than 0x00: 1.10 asks `strchr("\b\t...", c)`, and strchr finds the string's terminator
 *   when c is 0; 1.11 makes any 0x00 binary first;
 * - a bare token if every byte is a letter, a digit or one of "-./_:*+=" (1.10: or 0x00, the same
 *   strchr quirk on TOKEN_SPECIALS) and the first is not a digit: the bytes are copied raw;
 * - otherwise a quoted string: \b \t \v \n \f \r \" \' \\ escaped, 0x00 (1.10: the only other
 *   byte that can reach it) as `\x00`, everything else raw, bytes 0xa1..0xff included.
 */
export function encodeAtom(b: Uint8Array, printer: LibgcryptPrinter = DEFAULT_PRINTER): Uint8Array {
  if (b.length === 0) return utf8Encode('""');
  const first = b[0]!;
  let binary = first === 0 || (first & 0x80) !== 0 || (printer === '1.11' && b.includes(0));
  let token = true;
  for (const c of b) {
    if (isControl(c) && c !== 0 && !ESCAPES.has(c)) binary = true;
    if (!(isAlpha(c) || isDigit(c) || isTokenSpecial(c) || c === 0)) token = false;
  }
  if (binary) return utf8Encode(`#${bytesToHex(b).toUpperCase()}#`);
  if (token && !isDigit(first)) return b.slice();
  const out: number[] = [0x22];
  for (const c of b) {
    const e = ESCAPES.get(c);
    if (e !== undefined) out.push(0x5c, e);
    else if (isControl(c)) out.push(...utf8Encode(`\\x${c.toString(16).padStart(2, '0')}`));
    else out.push(c);
  }
  out.push(0x22);
  return Uint8Array.from(out);
}

/** libgcrypt's "not printable" test in suitable_encoding and convert_to_string. */
function isControl(c: number): boolean {
  return c < 0x20 || (c >= 0x7f && c <= 0xa0);
}

/** Byte -> the letter after the backslash, for libgcrypt's quoted-string escapes. */
const ESCAPES = new Map<number, number>([
  [0x08, 0x62], // \b
  [0x09, 0x74], // \t
  [0x0b, 0x76], // \v
  [0x0a, 0x6e], // \n
  [0x0c, 0x66], // \f
  [0x0d, 0x72], // \r
  [0x22, 0x22], // \"
  [0x27, 0x27], // \'
  [0x5c, 0x5c], // \\
]);

/**
 * An MPI as libgcrypt stores it in a key (`%m`, GCRYMPI_FMT_STD in _gcry_mpi_print): minimal
 * big-endian two's complement, so a 00 byte in front when the top bit is set, none otherwise.
 */
export function mpiBytes(n: bigint): Uint8Array {
  if (n <= 0n) throw new RangeError('key MPIs are positive');
  const minimal = bigIntToBytes(n);
  return minimal[0]! & 0x80 ? concatBytes(Uint8Array.of(0), minimal) : minimal;
}

/**
 * Writes an `otr.private_key` byte for byte as libotr 4.1.1 writes one through the given
 * libgcrypt's printer.
 */
export function serializePrivateKeyFile(
  entries: readonly PrivateKeyEntry[],
  printer: LibgcryptPrinter = DEFAULT_PRINTER,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const put = (s: string) => parts.push(utf8Encode(s));
  put('(privkeys\n');
  for (const { account, protocol, key } of entries) {
    // libotr writes names with `%s` (a C string) and could never have read one with a U+0000.
    if (account.includes('\u0000') || protocol.includes('\u0000')) {
      fail('bad-key-file', `otr.private_key: account "${account}" (${protocol}) has a U+0000 in its name`);
    }
    put(' (account\n(name ');
    parts.push(encodeAtom(utf8Encode(account), printer));
    put(')\n(protocol ');
    parts.push(encodeAtom(utf8Encode(protocol), printer));
    put(')\n(private-key \n (dsa \n');
    for (const [n, v] of [
      ['p', key.p],
      ['q', key.q],
      ['g', key.g],
      ['y', key.y],
      ['x', key.x],
    ] as const) {
      put(`  (${n} `);
      parts.push(encodeAtom(mpiBytes(v), printer));
      put(')\n');
    }
    put('  )\n )\n )\n');
  }
  put(')\n');
  return concatBytes(...parts);
}
