/** proto.ts: classifying received lines, the texts we send, fragmenting and reassembling. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OtrError } from '../../../src/otr/errors';
import {
  ALLOW_V2,
  ALLOW_V3,
  allowedVersions,
  POLICY_ALWAYS,
  POLICY_MANUAL,
  POLICY_NEVER,
  POLICY_OPPORTUNISTIC,
  policyFor,
  REQUIRE_ENCRYPTION,
  SEND_WHITESPACE_TAG,
} from '../../../src/otr/policy';
import {
  classify,
  errorMessage,
  type FragmentState,
  fragment,
  fragmentOverhead,
  isValidInstanceTag,
  MAX_REASSEMBLED,
  queryMessage,
  reassemble,
  WHITESPACE_BASE,
  WHITESPACE_V1,
  WHITESPACE_V2,
  WHITESPACE_V3,
  whitespaceTag,
} from '../../../src/otr/proto';
import { fixtures } from './helpers';

const EMPTY: FragmentState = { k: 0, n: 0, pieces: '' };

describe('classify: query messages', () => {
  const cases: [string, number[]][] = [
    ['?OTR?', [1]],
    ['?OTRv2?', [2]],
    ['?OTRv3?', [3]],
    ['?OTRv23?', [2, 3]],
    ['?OTRv32?', [3, 2]],
    ['?OTR?v2?', [1, 2]],
    ['?OTR?v23?', [1, 2, 3]],
    ['?OTRv234x?', [2, 3, 4]],
    ['?OTRv23?\n<b>alice</b> has requested an Off-the-Record private conversation.', [2, 3]],
    ['hello ?OTRv3? there', [3]],
  ];
  for (const [text, versions] of cases) {
    it(JSON.stringify(text.slice(0, 30)), () => expect(classify(text)).toEqual({ kind: 'query', versions }));
  }
  it('"?OTR" followed by anything else is plain text', () => {
    for (const t of ['?OTR', 'what is ?OTR about', '?OTRv', '?OTRv23', '?OTRv?']) {
      expect(classify(t).kind).toBe('plain');
    }
  });
  it('our own query message is a query for the versions we allow, with the explanation', () => {
    const q = queryMessage([3, 2], 'alice@example.net');
    expect(
      q.startsWith('?OTRv23? alice@example.net has requested an Off-the-Record private conversation.'),
    ).toBe(true);
    expect(classify(q)).toEqual({ kind: 'query', versions: [2, 3] });
    expect(classify(queryMessage([2], 'x'))).toEqual({ kind: 'query', versions: [2] });
  });
});

describe('classify: whitespace tags', () => {
  const tags: [string, number[]][] = [
    [WHITESPACE_V2, [2]],
    [WHITESPACE_V3, [3]],
    [WHITESPACE_V2 + WHITESPACE_V3, [2, 3]],
    [WHITESPACE_V3 + WHITESPACE_V2, [3, 2]],
    [WHITESPACE_V1 + WHITESPACE_V2 + WHITESPACE_V3, [1, 2, 3]],
    [WHITESPACE_V1, [1]],
    ['', []],
  ];
  for (const [tail, versions] of tags) {
    for (const [before, after] of <[string, string][]>[
      ['hello', ''],
      ['', ''],
      ['hello ', ' world'],
      ['', 'at start'],
    ]) {
      it(`versions [${versions}] with ${JSON.stringify(before)}…${JSON.stringify(after)}`, () => {
        const c = classify(before + WHITESPACE_BASE + tail + after);
        expect(c).toEqual({ kind: 'plain', text: before + after, tagVersions: versions });
      });
    }
  }
  it('whitespaceTag() builds exactly libotr tags', () => {
    expect(whitespaceTag([2, 3])).toBe(' \t  \t\t\t\t \t \t \t  ' + '  \t\t  \t ' + '  \t\t  \t\t');
    expect(whitespaceTag([3])).toBe(WHITESPACE_BASE + WHITESPACE_V3);
    expect(whitespaceTag([2])).toBe(WHITESPACE_BASE + WHITESPACE_V2);
  });
  it('every 8-character group of spaces and tabs after the base is part of the tag, known or not (libotr)', () => {
    const v4ish = '  \t\t \t\t ';
    expect(classify(`a${WHITESPACE_BASE}${WHITESPACE_V3}${v4ish}b`)).toEqual({
      kind: 'plain',
      text: 'ab',
      tagVersions: [3],
    });
    expect(classify(`a${WHITESPACE_BASE}${v4ish}${WHITESPACE_V2}b`)).toEqual({
      kind: 'plain',
      text: 'ab',
      tagVersions: [2],
    });
    // a shorter run of whitespace is text
    expect(classify(`a${WHITESPACE_BASE}${WHITESPACE_V3} \t \tb`)).toEqual({
      kind: 'plain',
      text: 'a \t \tb',
      tagVersions: [3],
    });
  });
  it('ordinary text is plain with no tag', () => {
    for (const t of ['', 'hi', ' \t ', 'OTR', '?otrv3?'])
      expect(classify(t)).toEqual({ kind: 'plain', text: t, tagVersions: [] });
  });
});

describe('classify: errors and encoded messages', () => {
  it('error messages, also embedded, text trimmed', () => {
    expect(classify('?OTR Error: You transmitted an unreadable encrypted message.')).toEqual({
      kind: 'error',
      message: 'You transmitted an unreadable encrypted message.',
    });
    expect(classify('x ?OTR Error:boom ')).toEqual({ kind: 'error', message: 'boom' });
    expect(errorMessage('boom')).toBe('?OTR Error: boom');
    expect(classify(errorMessage('boom'))).toEqual({ kind: 'error', message: 'boom' });
  });
  it('encoded messages win over error and query markers', () => {
    expect(classify('?OTR:AAMC.')).toEqual({ kind: 'encoded', text: '?OTR:AAMC.' });
    expect(classify('?OTR Error: ?OTR:AAMC.').kind).toBe('encoded');
    expect(classify('?OTRv3? ?OTR:AAMC.').kind).toBe('encoded');
  });
});

describe('classify: fragments', () => {
  it('v3 with leading zeros, hex tags in either case', () => {
    expect(classify('?OTR|0000abcd|00000100,00001,00003,piece,')).toEqual({
      kind: 'fragment',
      version: 3,
      senderTag: 0xabcd,
      receiverTag: 0x100,
      k: 1,
      n: 3,
      piece: 'piece',
    });
    expect(classify('?OTR|ABCDEF01|0,2,3,x,')).toMatchObject({
      senderTag: 0xabcdef01,
      receiverTag: 0,
      k: 2,
      n: 3,
    });
  });
  it('v2 without tags; surrounding whitespace trimmed', () => {
    expect(classify('  ?OTR,1,2,?OTR:AA,\n')).toEqual({
      kind: 'fragment',
      version: 2,
      senderTag: 0,
      receiverTag: 0,
      k: 1,
      n: 2,
      piece: '?OTR:AA',
    });
  });
  it('k=0, k>n and empty pieces are still fragments (reassemble drops them)', () => {
    expect(classify('?OTR,0,2,x,')).toMatchObject({ kind: 'fragment', k: 0, n: 2 });
    expect(classify('?OTR,3,2,x,')).toMatchObject({ kind: 'fragment', k: 3, n: 2 });
    expect(classify('?OTR,1,2,,')).toMatchObject({ kind: 'fragment', piece: '' });
  });
  it('bad numbers, six digits, missing trailing comma, extra comma, bad tags: not fragments', () => {
    for (const t of [
      '?OTR,a,2,x,',
      '?OTR,1,-2,x,',
      '?OTR,000001,2,x,',
      '?OTR,1,2,x',
      '?OTR,1,2,x,y,',
      '?OTR|123456789|0,1,2,x,',
      '?OTR|xyz|0,1,2,x,',
      '?OTR|100,1,2,x,',
    ]) {
      expect(classify(t).kind, t).not.toBe('fragment');
    }
  });
});

describe('fragment()', () => {
  const message = `?OTR:${'ABCDEFGHIJ'.repeat(250)}.`;
  it('a message that fits is returned whole', () => {
    expect(fragment('?OTR:AAAA.', 10, 3, 0x100, 0x200)).toEqual(['?OTR:AAAA.']);
  });
  it('libotr format: zero-padded 8-hex-digit tags and 5-digit numbers', () => {
    const m = `?OTR:${'A'.repeat(54)}.`;
    // libotr reserves 37 (v3) / 19 (v2) header characters per fragment: pieces of limit - 37 / limit - 19.
    expect(fragment(m, 37 + 20, 3, 0x1234, 0xabcdef)).toEqual([
      `?OTR|00001234|00abcdef,00001,00003,?OTR:${'A'.repeat(15)},`,
      `?OTR|00001234|00abcdef,00002,00003,${'A'.repeat(20)},`,
      `?OTR|00001234|00abcdef,00003,00003,${'A'.repeat(19)}.,`,
    ]);
    expect(fragment(m, 19 + 25, 2, 0, 0)).toEqual([
      `?OTR,00001,00003,?OTR:${'A'.repeat(20)},`,
      `?OTR,00002,00003,${'A'.repeat(25)},`,
      `?OTR,00003,00003,${'A'.repeat(9)}.,`,
    ]);
  });
  for (const version of [2, 3] as const) {
    it(`v${version}: every limit 40..1000: every line within the limit, reassembles to the message`, () => {
      for (let limit = 40; limit <= 1000; limit++) {
        const parts = fragment(message, limit, version, 0x100, 0xffffffff);
        const expectedN = Math.ceil(message.length / (limit - fragmentOverhead(version)));
        expect(parts).toHaveLength(expectedN);
        let state = EMPTY;
        let done: string | undefined;
        for (const p of parts) {
          expect(p.length).toBeLessThanOrEqual(limit);
          const c = classify(p);
          if (c.kind !== 'fragment') throw new Error(`not a fragment: ${p}`);
          expect(c.version).toBe(version);
          const step = reassemble(state, c);
          state = step.state;
          done = step.complete;
        }
        expect(done).toBe(message);
        // All but the last line are one character short of the limit, as libotr cuts them.
        for (const p of parts.slice(0, -1)) expect(p.length).toBe(limit - 1);
      }
    });
  }
  it('a limit too small for the header is refused', () => {
    expect(() => fragment(message, 37, 3, 0x100, 0)).toThrow(OtrError);
    expect(() => fragment(message, 19, 2, 0, 0)).toThrow(OtrError);
    expect(fragment('?OTR:AAAAAAAA.', 20, 2, 0, 0)).toHaveLength(1);
    expect(fragment('?OTR:AAAAAAAAAAAAAAAAAAAAA.', 20, 2, 0, 0)).toHaveLength(27);
  });
  it('more than 65535 fragments is refused', () => {
    expect(() => fragment('x'.repeat(65536 + 1), 20, 2, 0, 0)).toThrow(OtrError);
  });
});

describe('reassemble() follows the spec (Receiving Fragments)', () => {
  const f = (k: number, n: number, piece = `p${k}`) => ({ k, n, piece });
  it('in order: completes on k = n and resets', () => {
    let s = reassemble(EMPTY, f(1, 3)).state;
    expect(s).toEqual({ k: 1, n: 3, pieces: 'p1' });
    s = reassemble(s, f(2, 3)).state;
    const last = reassemble(s, f(3, 3));
    expect(last).toEqual({ state: EMPTY, complete: 'p1p2p3' });
  });
  it('a one-fragment message completes at once', () => {
    expect(reassemble(EMPTY, f(1, 1, 'whole'))).toEqual({ state: EMPTY, complete: 'whole' });
  });
  it('k = 0, n = 0, k > n or an empty piece: the fragment is dropped, the buffer kept', () => {
    const s = { k: 1, n: 3, pieces: 'p1' };
    for (const bad of [f(0, 3), f(1, 0), f(4, 3), f(2, 3, '')])
      expect(reassemble(s, bad)).toEqual({ state: s });
  });
  it('k = 1 always starts over', () => {
    expect(reassemble({ k: 2, n: 3, pieces: 'p1p2' }, f(1, 5)).state).toEqual({ k: 1, n: 5, pieces: 'p1' });
  });
  it('a gap, a repeat, a different n, or a fragment with nothing started: the buffer is forgotten', () => {
    const s = { k: 2, n: 4, pieces: 'p1p2' };
    expect(reassemble(s, f(4, 4)).state).toEqual(EMPTY);
    expect(reassemble(s, f(2, 4)).state).toEqual(EMPTY);
    expect(reassemble(s, f(3, 5)).state).toEqual(EMPTY);
    expect(reassemble(EMPTY, f(2, 2))).toEqual({ state: EMPTY });
  });
  it('a reassembly larger than the cap is dropped', () => {
    const big = 'x'.repeat(MAX_REASSEMBLED);
    let s = reassemble(EMPTY, f(1, 3, big)).state;
    expect(s.k).toBe(1);
    s = reassemble(s, f(2, 3, 'y')).state;
    expect(s).toEqual(EMPTY);
  });
  it('n above 65535 is dropped', () => {
    expect(reassemble(EMPTY, f(1, 65536)).state).toEqual(EMPTY);
  });
});

describe('policies and instance tags', () => {
  it('presets are built from the flags as libotr builds them', () => {
    expect(POLICY_NEVER).toBe(0);
    expect(POLICY_MANUAL).toBe(ALLOW_V2 | ALLOW_V3);
    expect(POLICY_OPPORTUNISTIC & SEND_WHITESPACE_TAG).toBeTruthy();
    expect(POLICY_OPPORTUNISTIC & REQUIRE_ENCRYPTION).toBe(0);
    expect(POLICY_ALWAYS & REQUIRE_ENCRYPTION).toBeTruthy();
    expect(POLICY_ALWAYS & SEND_WHITESPACE_TAG).toBe(0);
  });
  it('policyFor restricts versions; allowedVersions lists them highest first', () => {
    expect(allowedVersions(policyFor('opportunistic'))).toEqual([3, 2]);
    expect(allowedVersions(policyFor('opportunistic', [2]))).toEqual([2]);
    expect(allowedVersions(policyFor('always', [3]))).toEqual([3]);
    expect(allowedVersions(policyFor('never'))).toEqual([]);
    expect(policyFor('always', [2]) & REQUIRE_ENCRYPTION).toBeTruthy();
  });
  it('instance tags: 0x100 .. 0xffffffff', () => {
    expect([0, 0xff, 0x100, 0xffffffff, 0x100000000, 1.5, -1].map(isValidInstanceTag)).toEqual([
      false,
      false,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});

describe('real libotr 4.1.1 texts (test/fixtures/wire/libotr-tagged.json)', () => {
  const f = JSON.parse(readFileSync(join(fixtures, 'wire/libotr-tagged.json'), 'utf8')) as {
    lines: { step: string; wire: string }[];
  };
  const versionsOf = (step: string) => step.slice('tagged:'.length).split(',').map(Number);
  it('our whitespace tag is byte-identical to libotr’s for v2+v3, v2 and v3', () => {
    expect(f.lines).toHaveLength(3);
    for (const l of f.lines) expect(`hello${whitespaceTag(versionsOf(l.step))}`).toBe(l.wire);
  });
  it('libotr’s tagged first message classifies as plain text "hello" offering its versions', () => {
    for (const l of f.lines) {
      expect(classify(l.wire)).toEqual({ kind: 'plain', text: 'hello', tagVersions: versionsOf(l.step) });
    }
  });
});
