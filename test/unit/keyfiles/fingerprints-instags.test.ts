import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8Encode } from '../../../src/crypto/bytes';
import { OtrError } from '../../../src/otr/errors';
import {
  breaksLine,
  type FingerprintEntry,
  parseFingerprintsFile,
  serializeFingerprintsFile,
} from '../../../src/otr/fingerprints-file';
import {
  INSTAG_WARNING,
  parseInstanceTagsFile,
  serializeInstanceTagsFile,
} from '../../../src/otr/instance-tags-file';

const FIX = new URL('../../fixtures/libotr/', import.meta.url);
const fpFile = readFileSync(new URL('otr.fingerprints', FIX));
const tagFile = readFileSync(new URL('otr.instance_tags', FIX));

function expectBad(f: () => unknown, message?: RegExp): void {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(OtrError);
    expect((e as OtrError).code).toBe('bad-key-file');
    if (message) expect((e as OtrError).message).toMatch(message);
    return;
  }
  throw new Error('accepted');
}

const HEX = 'a'.repeat(40);

describe('otr.fingerprints', () => {
  it('reads the libotr-written file with buddy, account, protocol and trust in the right columns', () => {
    const e = parseFingerprintsFile(fpFile);
    expect(e.length).toBe(3);
    expect(e.map((x) => [x.username, x.account, x.protocol, x.trust]).sort()).toEqual(
      [
        ['bob@example.org', 'alice@example.net', 'prpl-jabber', ''],
        ['bob@example.org', 'alice@example.net', 'prpl-jabber', 'verified'],
        ['carol', 'alice', 'prpl-irc', 'smp'],
      ].sort(),
    );
    expect(e.every((x) => x.fingerprint.length === 20)).toBe(true);
    expect(Buffer.from(serializeFingerprintsFile(e)).equals(fpFile)).toBe(true);
  });

  it('accepts a missing trust column, CRLF, blank lines and upper-case hex; merges repeats (last trust wins)', () => {
    const e = parseFingerprintsFile(
      `bob\talice\tprpl-irc\t${HEX.toUpperCase()}\r\n\n\nbob\talice\tprpl-irc\t${HEX}\tverified\ncarol\talice\tprpl-irc\t${'b'.repeat(40)}`,
    );
    expect(e.map((x) => [x.username, bytesToHex(x.fingerprint), x.trust])).toEqual([
      ['bob', HEX, 'verified'],
      ['carol', 'b'.repeat(40), ''],
    ]);
  });

  it('refuses malformed lines, naming the line', () => {
    expectBad(() => parseFingerprintsFile(`ok\ta\tp\t${HEX}\t\nbob\talice\tprpl-irc\n`), /line 2: expected/);
    expectBad(() => parseFingerprintsFile(`bob\talice\tprpl-irc\t${HEX.slice(1)}\t\n`), /not 40 hex/);
    expectBad(() => parseFingerprintsFile(`bob\talice\tprpl-irc\t${'g'.repeat(40)}\t\n`), /not 40 hex/);
    expectBad(() => parseFingerprintsFile(`bob\talice\tprpl-irc\t${HEX}\tx\ty\n`), /too many fields/);
    expectBad(() => parseFingerprintsFile(`\talice\tprpl-irc\t${HEX}\t\n`), /empty/);
    expectBad(() => parseFingerprintsFile(`${'b'.repeat(1000)}\talice\tprpl-irc\t${HEX}\t\n`), /too long/);
    expectBad(() => parseFingerprintsFile(Uint8Array.of(0xff, 0x09)), /UTF-8/);
  });

  it('round-trips any entries; writing refuses fields that would break the layout', () => {
    const field = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !breaksLine(s) && s.trim() !== '');
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            username: field,
            account: field,
            protocol: field,
            fingerprint: fc.uint8Array({ minLength: 20, maxLength: 20 }),
            trust: fc.constantFrom('', 'verified', 'smp', 'other'),
          }),
          { maxLength: 8 },
        ),
        (entries: FingerprintEntry[]) => {
          // Duplicate (user, account, protocol, fp) merge on read; keep them unique here.
          const uniq = [
            ...new Map(
              entries.map((e) => [
                `${e.username}\0${e.account}\0${e.protocol}\0${bytesToHex(e.fingerprint)}`,
                e,
              ]),
            ).values(),
          ];
          expect(parseFingerprintsFile(serializeFingerprintsFile(uniq))).toEqual(uniq);
          expect(parseFingerprintsFile(utf8Encode(serializeFingerprintsFile(uniq)))).toEqual(uniq);
        },
      ),
      { numRuns: 100 },
    );
    const ok = { username: 'b', account: 'a', protocol: 'p', fingerprint: new Uint8Array(20), trust: '' };
    expect(() => serializeFingerprintsFile([{ ...ok, username: 'b\tx' }])).toThrow(RangeError);
    expect(() => serializeFingerprintsFile([{ ...ok, trust: 'x\n' }])).toThrow(RangeError);
    expect(() => serializeFingerprintsFile([{ ...ok, fingerprint: new Uint8Array(19) }])).toThrow(RangeError);
  });

  it('random and mutated input never throws anything but OtrError', () => {
    const check = (input: Uint8Array | string) => {
      try {
        parseFingerprintsFile(input);
      } catch (e) {
        expect(e).toBeInstanceOf(OtrError);
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 300 });
    fc.assert(fc.property(fc.string({ maxLength: 300 }), check), { numRuns: 300 });
    fc.assert(
      fc.property(fc.nat(fpFile.length - 1), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const b = new Uint8Array(fpFile);
        b[i] = v;
        check(b);
      }),
      { numRuns: 200 },
    );
  });
});

describe('otr.instance_tags', () => {
  it("reads libotr's file (skipping its warning line) and writes it back identically", () => {
    const e = parseInstanceTagsFile(tagFile);
    expect(e.length).toBe(1);
    expect(e[0]!.account).toBe('alice@example.net');
    expect(e[0]!.protocol).toBe('prpl-jabber');
    expect(e[0]!.tag).toBeGreaterThanOrEqual(0x100);
    expect(serializeInstanceTagsFile(e)).toBe(tagFile.toString('utf8'));
    expect(tagFile.toString('utf8').startsWith(`${INSTAG_WARNING}\n`)).toBe(true);
  });

  it('refuses malformed lines, reserved tags and duplicate accounts', () => {
    expectBad(() => parseInstanceTagsFile('a\tp\t000000ff\n'), /reserved/);
    expectBad(() => parseInstanceTagsFile('a\tp\t1234\n'), /8 hex digits/);
    expectBad(() => parseInstanceTagsFile('a\tp\t0000100g\n'), /8 hex digits/);
    expectBad(() => parseInstanceTagsFile('a\tp\n'), /found 2 fields/);
    expectBad(() => parseInstanceTagsFile('a\tp\t00000100\tx\n'), /found 4 fields/);
    expectBad(() => parseInstanceTagsFile('\tp\t00000100\n'), /empty/);
    expectBad(() => parseInstanceTagsFile('a\tp\t00000100\na\tp\t00000200\n'), /second tag/);
    expect(parseInstanceTagsFile('a\tp\tFFFFFFFF\r\nb\tp\t00000100')).toEqual([
      { account: 'a', protocol: 'p', tag: 0xffffffff },
      { account: 'b', protocol: 'p', tag: 0x100 },
    ]);
  });

  it('round-trips, refuses to write bad tags, and never throws anything but OtrError on junk', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.record({
            account: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !breaksLine(s)),
            protocol: fc.constantFrom('prpl-irc', 'prpl-jabber'),
            tag: fc.integer({ min: 0x100, max: 0xffffffff }),
          }),
          { selector: (e) => `${e.account}\0${e.protocol}`, maxLength: 6 },
        ),
        (entries) => {
          expect(parseInstanceTagsFile(serializeInstanceTagsFile(entries))).toEqual(entries);
        },
      ),
    );
    expect(() => serializeInstanceTagsFile([{ account: 'a', protocol: 'p', tag: 0xff }])).toThrow(RangeError);
    expect(() => serializeInstanceTagsFile([{ account: 'a', protocol: 'p', tag: 2 ** 32 }])).toThrow(
      RangeError,
    );
    expect(() => serializeInstanceTagsFile([{ account: 'a\n', protocol: 'p', tag: 0x100 }])).toThrow(
      RangeError,
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseInstanceTagsFile(s);
        } catch (e) {
          expect(e).toBeInstanceOf(OtrError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
