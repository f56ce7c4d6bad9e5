/**
 * The text layer of OTR (spec: "Query Messages", "Whitespace tag", "OTR Error Messages",
 * "Fragmentation"): what kind of OTR message a line of chat is, and the texts we send.
 */
import { fail } from './errors';
import { MIN_INSTANCE_TAG, type ProtocolVersion } from './messages';

export const WHITESPACE_BASE = '\x20\x09\x20\x20\x09\x09\x09\x09\x20\x09\x20\x09\x20\x09\x20\x20';
export const WHITESPACE_V1 = '\x20\x09\x20\x09\x20\x20\x09\x20';
export const WHITESPACE_V2 = '\x20\x20\x09\x09\x20\x20\x09\x20';
export const WHITESPACE_V3 = '\x20\x20\x09\x09\x20\x20\x09\x09';

export const ERROR_PREFIX = '?OTR Error:';

export type Incoming =
  | {
      kind: 'fragment';
      version: ProtocolVersion;
      senderTag: number;
      receiverTag: number;
      k: number;
      n: number;
      piece: string;
    }
  | { kind: 'encoded'; text: string }
  | { kind: 'query'; versions: number[] }
  | { kind: 'error'; message: string }
  | { kind: 'plain'; text: string; tagVersions: number[] };

/** The query message offering the allowed versions, with a one-line explanation for people without OTR. */
export function queryMessage(versions: readonly number[], account: string): string {
  const v = [...versions].sort().join('');
  return (
    `?OTRv${v}? ${account} has requested an Off-the-Record private conversation. However, you do not ` +
    'have a plugin to support that. See https://otr.cypherpunks.ca/ for more information.'
  );
}

export function whitespaceTag(versions: readonly number[]): string {
  let tag = WHITESPACE_BASE;
  if (versions.includes(2)) tag += WHITESPACE_V2;
  if (versions.includes(3)) tag += WHITESPACE_V3;
  return tag;
}

export function errorMessage(text: string): string {
  return `${ERROR_PREFIX} ${text}`;
}

/** Parses the versions of a query message that starts at `at` (the index of "?OTR"). */
function queryVersions(text: string, at: number): number[] | null {
  let i = at + 4;
  const versions: number[] = [];
  if (text[i] === '?') {
    versions.push(1);
    i++;
  }
  if (text[i] === 'v') {
    i++;
    while (i < text.length && text[i] !== '?') {
      const c = text.charCodeAt(i);
      if (c >= 48 && c <= 57) versions.push(c - 48);
      i++;
    }
    if (text[i] !== '?') return versions.includes(1) ? [1] : null;
  }
  return versions.length > 0 ? versions : null;
}

/** Finds and removes a whitespace tag: the versions it offers and the text without it. */
function findWhitespaceTag(text: string): { text: string; versions: number[] } | null {
  const at = text.indexOf(WHITESPACE_BASE);
  if (at < 0) return null;
  const versions: number[] = [];
  let end = at + WHITESPACE_BASE.length;
  // As libotr (otrl_proto_whitespace_bestversion): every following group of 8 spaces and tabs
  // belongs to the tag, known or not (a later version's tag is stripped too).
  for (;;) {
    const chunk = text.slice(end, end + 8);
    if (!/^[ \t]{8}$/.test(chunk)) break;
    if (chunk === WHITESPACE_V1) versions.push(1);
    else if (chunk === WHITESPACE_V2) versions.push(2);
    else if (chunk === WHITESPACE_V3) versions.push(3);
    end += 8;
  }
  return { text: text.slice(0, at) + text.slice(end), versions };
}

const FRAGMENT_V3 = /^\?OTR\|([0-9a-fA-F]{1,8})\|([0-9a-fA-F]{1,8}),(\d{1,5}),(\d{1,5}),([^,]*),$/;
const FRAGMENT_V2 = /^\?OTR,(\d{1,5}),(\d{1,5}),([^,]*),$/;

/** Classifies one received line of chat. Never throws: what is not OTR is plain text. */
export function classify(text: string): Incoming {
  // A data or AKE message as clients send it (the common case, decided without trimming a copy).
  if (text.startsWith('?OTR:')) return { kind: 'encoded', text };
  const trimmed = text.trim();
  if (trimmed.startsWith('?OTR|')) {
    const m = FRAGMENT_V3.exec(trimmed);
    if (m) {
      return {
        kind: 'fragment',
        version: 3,
        senderTag: Number.parseInt(m[1]!, 16),
        receiverTag: Number.parseInt(m[2]!, 16),
        k: Number(m[3]),
        n: Number(m[4]),
        piece: m[5]!,
      };
    }
  } else if (trimmed.startsWith('?OTR,')) {
    const m = FRAGMENT_V2.exec(trimmed);
    if (m)
      return {
        kind: 'fragment',
        version: 2,
        senderTag: 0,
        receiverTag: 0,
        k: Number(m[1]),
        n: Number(m[2]),
        piece: m[3]!,
      };
  }
  if (text.includes('?OTR:')) return { kind: 'encoded', text };
  const errAt = text.indexOf(ERROR_PREFIX);
  if (errAt >= 0) return { kind: 'error', message: text.slice(errAt + ERROR_PREFIX.length).trim() };
  const qAt = text.indexOf('?OTR');
  if (qAt >= 0) {
    const versions = queryVersions(text, qAt);
    if (versions) return { kind: 'query', versions };
  }
  const tag = findWhitespaceTag(text);
  if (tag) return { kind: 'plain', text: tag.text, tagVersions: tag.versions };
  return { kind: 'plain', text, tagVersions: [] };
}

/**
 * The header length libotr 4.1.1 reserves per fragment (proto.c otrl_proto_fragment_create:
 * 37 for v3, 19 for v2), one more than the 36 / 18 characters "?OTR|xxxxxxxx|xxxxxxxx,kkkkk,nnnnn,"
 * plus "," really take. We cut pieces exactly as libotr does, so our fragments are the same as a
 * libotr client's for the same message and limit (each line is at most limit - 1 characters).
 */
export function fragmentOverhead(version: ProtocolVersion): number {
  return version === 3 ? 37 : 19;
}

/**
 * Splits an encoded message into fragments of at most `maxLength` characters each (libotr's
 * format: zero-padded 8-hex-digit tags and 5-digit numbers). Returns [message] if it fits.
 */
export function fragment(
  message: string,
  maxLength: number,
  version: ProtocolVersion,
  senderTag: number,
  receiverTag: number,
): string[] {
  if (message.length <= maxLength) return [message];
  const pieceLength = maxLength - fragmentOverhead(version);
  if (pieceLength < 1) fail('fragment', `a line limit of ${maxLength} is too small to fragment into`);
  const n = Math.ceil(message.length / pieceLength);
  if (n > 65535) fail('fragment', 'message needs more than 65535 fragments');
  const out: string[] = [];
  const pad5 = (x: number) => String(x).padStart(5, '0');
  const hex8 = (x: number) => x.toString(16).padStart(8, '0');
  for (let k = 1; k <= n; k++) {
    const piece = message.slice((k - 1) * pieceLength, k * pieceLength);
    out.push(
      version === 3
        ? `?OTR|${hex8(senderTag)}|${hex8(receiverTag)},${pad5(k)},${pad5(n)},${piece},`
        : `?OTR,${pad5(k)},${pad5(n)},${piece},`,
    );
  }
  return out;
}

/** Caps on reassembly, so a page cannot make us hold unbounded data (I8). */
export const MAX_FRAGMENTS = 65535;
/**
 * The longest partly reassembled message one buffer holds (characters of base64, one byte each):
 * 256 KB, far above any message a chat carries (a 64 KB message is ~90 KB of base64).
 */
export const MAX_REASSEMBLED = 256 * 1024;

export interface FragmentState {
  k: number;
  n: number;
  pieces: string;
}

/**
 * One step of the spec's reassembly ("Receiving Fragments"). Returns the new state and, when the
 * last fragment arrives, the whole message; a message that grows past MAX_REASSEMBLED is
 * dropped (empty state, `tooLong`).
 */
export function reassemble(
  state: FragmentState,
  frag: { k: number; n: number; piece: string },
): { state: FragmentState; complete?: string; tooLong?: true } {
  const empty = { k: 0, n: 0, pieces: '' };
  const { k, n, piece } = frag;
  if (k === 0 || n === 0 || k > n || n > MAX_FRAGMENTS || piece.length === 0) return { state };
  let next: FragmentState;
  if (k === 1) next = { k, n, pieces: piece };
  else if (n === state.n && k === state.k + 1) next = { k, n, pieces: state.pieces + piece };
  else return { state: empty };
  if (next.pieces.length > MAX_REASSEMBLED) return { state: empty, tooLong: true };
  if (next.k === next.n) return { state: empty, complete: next.pieces };
  return { state: next };
}

export function isValidInstanceTag(tag: number): boolean {
  return Number.isInteger(tag) && tag >= MIN_INSTANCE_TAG && tag <= 0xffffffff;
}
