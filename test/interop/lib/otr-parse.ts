/**
 * libotr's own parser as a judge: `otr_parse` (libotr5-bin) reads OTR messages from stdin and
 * prints each one's fields, or "Invalid … Message" when libotr's parser refuses it.
 *
 * otr_parse only looks at `?OTR:…​.` messages (it scans stdin for "?OTR:" up to the next "."), so:
 * - fragments (`?OTR|sender|receiver,k,n,piece,` for v3, `?OTR,k,n,piece,` for v2) are checked
 *   here — header syntax, k/n sequence, instance tags constant across the message — then
 *   reassembled and the whole message is given to otr_parse;
 * - query messages, error messages and whitespace-tagged plaintext never reach otr_parse; they are
 *   classified here (`parser: 'none'`) and must be checked otherwise (e.g. by libotr answering them).
 *
 * Output format of otr_parse, per message: a heading line ("D-H Commit Message:", "Data Message:",
 * "Invalid Data Message", "Unrecognized OTR message:", …), then "\tName: value" lines, then a
 * blank line.
 */
import { execFileSync } from 'node:child_process';

export type OtrKind =
  | 'dh-commit'
  | 'dh-key'
  | 'reveal-signature'
  | 'signature'
  | 'data'
  | 'v1-key-exchange'
  | 'query'
  | 'error'
  | 'tagged-plaintext'
  | 'not-otr'
  | 'unrecognized';

export interface ParsedMessage {
  /** The complete message (fragments reassembled). */
  wire: string;
  /** How many fragment lines it came in (0: not fragmented). */
  fragments: number;
  /** Protocol version of the fragments (2 or 3), if fragmented. */
  fragmentVersion?: 2 | 3;
  kind: OtrKind | null;
  /** true when otr_parse parsed it; false when it printed "Invalid …" or did not recognize it. */
  ok: boolean;
  /** Who judged it: otr_parse, or nobody (queries, errors, tagged plaintext). */
  parser: 'otr_parse' | 'none';
  /** otr_parse's heading line, e.g. "D-H Commit Message:". */
  heading: string;
  /** otr_parse's fields, e.g. { Version: "03", "Sender instance": "…" }. */
  fields: Record<string, string>;
  /** Problems found before otr_parse (fragment syntax and sequence). */
  problems: string[];
}

const headings: [RegExp, OtrKind, boolean][] = [
  [/^D-H Commit Message:$/, 'dh-commit', true],
  [/^D-H Key Message:$/, 'dh-key', true],
  [/^Reveal Signature Message:$/, 'reveal-signature', true],
  [/^Signature Message:$/, 'signature', true],
  [/^Data Message:$/, 'data', true],
  [/^Key Exchange Message:$/, 'v1-key-exchange', true],
  [/^Invalid D-H Commit Message$/, 'dh-commit', false],
  [/^Invalid D-H Key Message$/, 'dh-key', false],
  [/^Invalid Reveal Signature Message$/, 'reveal-signature', false],
  [/^Invalid Signature Message$/, 'signature', false],
  [/^Invalid Data Message$/, 'data', false],
  [/^Invalid Key Exchange Message$/, 'v1-key-exchange', false],
  [/^OTR Query:$/, 'query', true],
  [/^OTR Error:$/, 'error', true],
  [/^Tagged plaintext message:$/, 'tagged-plaintext', true],
  [/^Not an OTR message:$/, 'not-otr', false],
  [/^Unrecognized OTR message:$/, 'unrecognized', false],
];

const TAG_BASE = ' \t  \t\t\t\t \t \t \t  ';
const FRAG_V3 = /^\?OTR\|([0-9a-fA-F]{1,8})\|([0-9a-fA-F]{1,8}),(\d{1,5}),(\d{1,5}),([^,]*),$/;
const FRAG_V2 = /^\?OTR,(\d{1,5}),(\d{1,5}),([^,]*),$/;

interface Unit {
  wire: string;
  fragments: number;
  fragmentVersion?: 2 | 3;
  problems: string[];
}

/** Reassemble fragment lines; every other line is its own unit. */
export function reassemble(lines: string[]): Unit[] {
  const units: Unit[] = [];
  let cur: { version: 2 | 3; tags: string; n: number; pieces: string[]; problems: string[] } | null = null;
  const flushIncomplete = () => {
    if (cur) {
      units.push({
        wire: cur.pieces.join(''),
        fragments: cur.pieces.length,
        fragmentVersion: cur.version,
        problems: [...cur.problems, `incomplete: ${cur.pieces.length} of ${cur.n} fragments`],
      });
      cur = null;
    }
  };
  for (const line of lines) {
    const m3 = FRAG_V3.exec(line);
    const m2 = m3 ? null : FRAG_V2.exec(line);
    if (!m3 && !m2) {
      if (line.startsWith('?OTR|') || line.startsWith('?OTR,')) {
        flushIncomplete();
        units.push({ wire: line, fragments: 1, problems: ['malformed fragment header'] });
        continue;
      }
      flushIncomplete();
      units.push({ wire: line, fragments: 0, problems: [] });
      continue;
    }
    const version: 2 | 3 = m3 ? 3 : 2;
    const tags = m3 ? `${m3[1]}|${m3[2]}` : '';
    const k = Number(m3 ? m3[3] : m2![1]);
    const n = Number(m3 ? m3[4] : m2![2]);
    const piece = (m3 ? m3[5] : m2![3])!;
    const problems: string[] = [];
    if (k < 1 || n < 1 || k > n) problems.push(`bad fragment numbers ${k}/${n}`);
    if (k === 1) {
      flushIncomplete();
      cur = { version, tags, n, pieces: [], problems };
    } else if (
      !cur ||
      cur.version !== version ||
      cur.tags !== tags ||
      cur.n !== n ||
      cur.pieces.length !== k - 1
    ) {
      flushIncomplete();
      units.push({
        wire: piece,
        fragments: 1,
        fragmentVersion: version,
        problems: ['fragment out of sequence'],
      });
      continue;
    } else {
      cur.problems.push(...problems);
    }
    cur.pieces.push(piece);
    if (k === n) {
      units.push({
        wire: cur.pieces.join(''),
        fragments: n,
        fragmentVersion: version,
        problems: cur.problems,
      });
      cur = null;
    }
  }
  flushIncomplete();
  return units;
}

function localKind(wire: string): OtrKind {
  if (/^\?OTR(\?v[0-9]*\?|v[0-9]*\?|\?)/.test(wire) || wire.includes('?OTRv')) return 'query';
  if (wire.startsWith('?OTR Error:')) return 'error';
  if (wire.includes(TAG_BASE)) return 'tagged-plaintext';
  return 'not-otr';
}

function parseBlocks(out: string): { heading: string; fields: Record<string, string> }[] {
  return out
    .split(/\n\n/)
    .map((b) => b.replace(/^\n+/, ''))
    .filter((b) => b.length > 0)
    .map((b) => {
      const [heading = '', ...rest] = b.split('\n');
      const fields: Record<string, string> = {};
      for (const l of rest) {
        const m = /^\t+([^:]+): (.*)$/.exec(l);
        if (m) fields[m[1]!] = m[2]!;
      }
      return { heading, fields };
    });
}

/**
 * Judge each wire line (or fragmented message) with otr_parse. Returns one result per complete
 * message, in order.
 */
export function otrParse(lines: string[]): ParsedMessage[] {
  const units = reassemble(lines);
  const results: ParsedMessage[] = [];
  const toParse: { unit: Unit; index: number }[] = [];
  for (const unit of units) {
    const isOtrData = unit.wire.startsWith('?OTR:');
    const r: ParsedMessage = {
      wire: unit.wire,
      fragments: unit.fragments,
      kind: isOtrData ? null : localKind(unit.wire),
      ok: false,
      parser: isOtrData ? 'otr_parse' : 'none',
      heading: '',
      fields: {},
      problems: [...unit.problems],
    };
    if (unit.fragmentVersion) r.fragmentVersion = unit.fragmentVersion;
    if (isOtrData) {
      if (!/^\?OTR:[A-Za-z0-9+/=]*\.$/.test(unit.wire)) r.problems.push('not "?OTR:" + base64 + "."');
      toParse.push({ unit, index: results.length });
    } else {
      r.ok = r.kind !== 'not-otr' && r.problems.length === 0;
    }
    results.push(r);
  }
  if (toParse.length > 0) {
    // One message per line; otr_parse stops each message at its ".", which base64 never contains.
    const input = `${toParse.map((t) => t.unit.wire).join('\n')}\n`;
    const out = execFileSync('otr_parse', [], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const blocks = parseBlocks(out);
    if (blocks.length !== toParse.length) {
      throw new Error(`otr_parse printed ${blocks.length} blocks for ${toParse.length} messages:\n${out}`);
    }
    toParse.forEach((t, i) => {
      const b = blocks[i]!;
      const r = results[t.index]!;
      r.heading = b.heading;
      r.fields = b.fields;
      const h = headings.find(([re]) => re.test(b.heading));
      r.kind = h ? h[1] : 'unrecognized';
      r.ok = (h ? h[2] : false) && r.problems.length === 0;
    });
  }
  return results;
}

/** Whether otr_parse is installed (libotr5-bin). */
export function otrParseAvailable(): boolean {
  try {
    execFileSync('otr_parse', [], { input: '', stdio: ['pipe', 'ignore', 'ignore'] });
    return true;
  } catch {
    return false;
  }
}
