/**
 * libotr's `otr.instance_tags` (instag.c): a warning line, then one line per account,
 *
 *   accountname TAB protocol TAB 8-hex-digit tag NEWLINE
 *
 * Lines without a tab (libotr 4.1.1's own "# WARNING! You shouldn't copy this file..." line, blank
 * lines) are ignored, as libotr ignores them. Any other line must be well-formed with a valid
 * tag (>= 0x100; smaller values are reserved meta-tags), or the whole import fails with
 * OtrError 'bad-key-file'. An account listed twice is refused (libotr would keep the last
 * one silently).
 */

import { utf8Decode } from '../crypto/bytes';
import { fail } from './errors';
import { breaksLine, fileLines } from './fingerprints-file';

export interface InstanceTagEntry {
  account: string;
  protocol: string;
  /** An unsigned 32-bit instance tag, >= 0x100. */
  tag: number;
}

export const MIN_VALID_INSTAG = 0x100;
export const INSTAG_WARNING =
  "# WARNING! You shouldn't copy this file to another computer. It is unnecessary and can cause problems.";
export const MAX_INSTAG_FILE_BYTES = 1 << 20;

function bad(line: number, message: string): never {
  fail('bad-key-file', `otr.instance_tags line ${line}: ${message}`);
}

export function parseInstanceTagsFile(input: Uint8Array | string): InstanceTagEntry[] {
  if (input.length > MAX_INSTAG_FILE_BYTES) fail('bad-key-file', 'otr.instance_tags: file too large');
  let text: string;
  if (typeof input === 'string') text = input;
  else {
    try {
      text = utf8Decode(input, true);
    } catch {
      fail('bad-key-file', 'otr.instance_tags: not valid UTF-8');
    }
  }
  const out: InstanceTagEntry[] = [];
  const seen = new Set<string>();
  fileLines(text).forEach((line, i) => {
    const n = i + 1;
    if (!line.includes('\t')) return;
    if (line.includes('\u0000')) bad(n, 'contains a NUL character');
    const f = line.split('\t');
    if (f.length !== 3)
      bad(n, `expected account, protocol and tag separated by tabs, found ${f.length} fields`);
    const [account, protocol, hex] = f as [string, string, string];
    if (account === '' || protocol === '') bad(n, 'empty account or protocol');
    if (!/^[0-9a-fA-F]{8}$/.test(hex)) bad(n, 'the tag is not 8 hex digits');
    const tag = Number.parseInt(hex, 16);
    if (tag < MIN_VALID_INSTAG) bad(n, `tag ${hex} is reserved (below 00000100)`);
    const id = `${account}\u0000${protocol}`;
    if (seen.has(id)) bad(n, `a second tag for ${account} (${protocol})`);
    seen.add(id);
    out.push({ account, protocol, tag });
  });
  return out;
}

/** Writes the file as libotr does: its warning line, then one line per account. */
export function serializeInstanceTagsFile(entries: readonly InstanceTagEntry[]): string {
  let out = `${INSTAG_WARNING}\n`;
  for (const e of entries) {
    for (const [v, what] of [
      [e.account, 'account'],
      [e.protocol, 'protocol'],
    ] as const) {
      if (v === '' || breaksLine(v)) throw new RangeError(`${what} is empty or has a tab, newline or NUL`);
    }
    if (!Number.isInteger(e.tag) || e.tag < MIN_VALID_INSTAG || e.tag > 0xffffffff) {
      throw new RangeError('instance tag out of range');
    }
    out += `${e.account}\t${e.protocol}\t${e.tag.toString(16).padStart(8, '0')}\n`;
  }
  return out;
}
