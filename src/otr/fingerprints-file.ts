/**
 * libotr's `otr.fingerprints`: one known fingerprint of a buddy per line,
 *
 *   username TAB accountname TAB protocol TAB 40-lowercase-hex [TAB trust] NEWLINE
 *
 * in that order (privkey.c, `otrl_privkey_write_fingerprints`): the BUDDY comes first, then our
 * own account and protocol. Trust is free text: "" (not verified), "verified" (Pidgin's manual
 * verification), "smp" (verified by the Socialist Millionaires' Protocol), or whatever another
 * client wrote. libotr writes the trust column always (empty when none) and reads a line
 * without it as untrusted, as we do.
 *
 * Stricter than libotr, which silently skips lines it cannot use: a line that is not blank and
 * not well-formed makes the whole import fail with OtrError 'bad-key-file' naming the line.
 * A fingerprint listed twice for the same buddy keeps its first position and its last trust,
 * as libotr's reader does.
 */
import { bytesToHex, utf8Decode, utf8Encode } from '../crypto/bytes';
import { fail } from './errors';

export interface FingerprintEntry {
  /** The buddy. */
  username: string;
  /** Our own account. */
  account: string;
  protocol: string;
  /** 20 bytes: SHA-1 of the buddy's public key (see pubkey.ts). */
  fingerprint: Uint8Array;
  /** "" when not trusted; "verified", "smp", ... otherwise. */
  trust: string;
}

export const MAX_FINGERPRINTS_FILE_BYTES = 4 << 20;
/** libotr reads lines with fgets into 1000 bytes; a longer line would be split there. */
const MAX_LINE = 998;

function bad(line: number, message: string): never {
  fail('bad-key-file', `otr.fingerprints line ${line}: ${message}`);
}

function toText(input: Uint8Array | string, max: number, what: string): string {
  if (typeof input === 'string') {
    if (input.length > max) fail('bad-key-file', `${what}: file too large`);
    return input;
  }
  if (input.length > max) fail('bad-key-file', `${what}: file too large (${input.length} bytes)`);
  try {
    return utf8Decode(input, true);
  } catch {
    fail('bad-key-file', `${what}: not valid UTF-8`);
  }
}

/** Splits into lines on LF, dropping one CR before it (libotr accepts CRLF files). */
export function fileLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

export function parseFingerprintsFile(input: Uint8Array | string): FingerprintEntry[] {
  const text = toText(input, MAX_FINGERPRINTS_FILE_BYTES, 'otr.fingerprints');
  const out: FingerprintEntry[] = [];
  const index = new Map<string, number>();
  fileLines(text).forEach((line, i) => {
    const n = i + 1;
    if (line.trim() === '') return;
    if (utf8Encode(line).length > MAX_LINE) bad(n, 'line too long');
    if (line.includes('\u0000')) bad(n, 'contains a NUL character');
    const f = line.split('\t');
    if (f.length < 4) bad(n, `expected username, account, protocol, fingerprint and trust separated by tabs`);
    if (f.length > 5) bad(n, `too many fields (${f.length})`);
    const [username, account, protocol, hex] = f as [string, string, string, string];
    const trust = f[4] ?? '';
    if (username === '' || account === '' || protocol === '') bad(n, 'empty username, account or protocol');
    if (!/^[0-9a-fA-F]{40}$/.test(hex)) bad(n, 'the fingerprint is not 40 hex digits');
    const fingerprint = Uint8Array.from(hex.match(/../g)!, (h) => Number.parseInt(h, 16));
    const key = [username, account, protocol, hex.toLowerCase()].join('\u0000');
    const seen = index.get(key);
    if (seen !== undefined) {
      out[seen]!.trust = trust;
      return;
    }
    index.set(key, out.length);
    out.push({ username, account, protocol, fingerprint, trust });
  });
  return out;
}

/** True if a field would break the tab/newline layout (or C string) of libotr's files. */
export function breaksLine(v: string): boolean {
  return /[\t\r\n]/.test(v) || v.includes('\u0000');
}

function checkField(v: string, what: string, allowEmpty = false): void {
  if (!allowEmpty && v === '') throw new RangeError(`${what} is empty`);
  if (breaksLine(v)) throw new RangeError(`${what} contains a tab, newline or NUL`);
}

/** Writes the file as libotr does (trust column always present, lower-case hex). */
export function serializeFingerprintsFile(entries: readonly FingerprintEntry[]): string {
  let out = '';
  for (const e of entries) {
    checkField(e.username, 'username');
    checkField(e.account, 'account');
    checkField(e.protocol, 'protocol');
    checkField(e.trust, 'trust', true);
    if (e.fingerprint.length !== 20) throw new RangeError('a fingerprint is 20 bytes');
    out += `${e.username}\t${e.account}\t${e.protocol}\t${bytesToHex(e.fingerprint)}\t${e.trust}\n`;
  }
  return out;
}
