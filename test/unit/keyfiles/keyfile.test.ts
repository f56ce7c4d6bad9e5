import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bigIntToBytes,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  utf8Decode,
  utf8Encode,
} from '../../../src/crypto/bytes';
import { type DsaPrivateKey, dsaSign, dsaVerify } from '../../../src/crypto/dsa';
import { generateDsaKey } from '../../../src/crypto/dsa-keygen';
import { modPow } from '../../../src/crypto/modp';
import { isProbablePrime } from '../../../src/crypto/prime';
import { OtrError } from '../../../src/otr/errors';
import {
  encodeAtom,
  type PrivateKeyEntry,
  parsePrivateKeyFile,
  parseSexp,
  serializePrivateKeyFile,
} from '../../../src/otr/keyfile';
import { fingerprint, formatFingerprint } from '../../../src/otr/pubkey';
import { seededRandom } from '../../lib/seeded-random';

const FIX = new URL('../../fixtures/libotr/', import.meta.url);
const fixture = new Uint8Array(readFileSync(new URL('otr.private_key', FIX)));
const fixtureText = utf8Decode(fixture);
const libotrFps = readFileSync(new URL('keys.tsv', FIX), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t').slice(0, 3));

function expectBadKeyFile(input: Uint8Array | string, message?: RegExp): void {
  try {
    parsePrivateKeyFile(input);
  } catch (e) {
    expect(e).toBeInstanceOf(OtrError);
    expect((e as OtrError).code).toBe('bad-key-file');
    if (message) expect((e as OtrError).message).toMatch(message);
    return;
  }
  throw new Error('the file was accepted');
}

/** A file with one account whose dsa values are given as raw atom texts. */
function oneKeyFile(
  k: DsaPrivateKey,
  atoms: Partial<Record<'p' | 'q' | 'g' | 'y' | 'x', string>> = {},
): string {
  const hex = (n: bigint) => `#${bytesToHex(bigIntToBytes(n)).toUpperCase()}#`;
  const v = (n: 'p' | 'q' | 'g' | 'y' | 'x') => atoms[n] ?? hex(k[n]);
  return `(privkeys (account (name "t") (protocol prpl-irc) (private-key (dsa (p ${v('p')}) (q ${v('q')}) (g ${v('g')}) (y ${v('y')}) (x ${v('x')})))))`;
}

const entries = parsePrivateKeyFile(fixture);
const alice = entries.find((e) => e.account === 'alice@example.net')!.key;

describe('otr.private_key written by libotr', () => {
  it("imports every account with libotr's fingerprints, including quoted names with escapes", () => {
    expect(entries.map((e) => [e.account, e.protocol, formatFingerprint(fingerprint(e.key))]).sort()).toEqual(
      [...libotrFps].sort(),
    );
    expect(entries.some((e) => e.account === 'bob "q" \\o/')).toBe(true);
  });

  it('exports byte for byte what libotr wrote', () => {
    expect(serializePrivateKeyFile(entries)).toEqual(fixture);
  });

  it('the imported keys sign and verify', () => {
    const rnd = seededRandom(1);
    for (const { key } of entries) {
      const h = rnd(32);
      expect(dsaVerify(key, h, dsaSign(key, h, rnd))).toBe(true);
    }
  });
});

describe('atom encodings', () => {
  it('reads values as #hex#, quoted strings with every escape, bare tokens, N:verbatim and |base64|', () => {
    const xb = bigIntToBytes(alice.x);
    const quoted = `"${Array.from(xb, (b) => `\\x${b.toString(16).padStart(2, '0')}`).join('')}"`;
    const octal = `"${Array.from(xb, (b) => `\\${b.toString(8).padStart(3, '0')}`).join('')}"`;
    const b64 = `|${Buffer.from(xb).toString('base64')}|`;
    for (const x of [quoted, octal, b64, `# ${bytesToHex(xb).replace(/(..)/g, '$1 ')}#`]) {
      expect(parsePrivateKeyFile(oneKeyFile(alice, { x }))[0]!.key).toEqual(alice);
    }
    const verbatim = concatBytes(
      utf8Encode(oneKeyFile(alice, { x: '@@' }).split('@@')[0]!),
      utf8Encode(`${xb.length}:`),
      xb,
      utf8Encode(oneKeyFile(alice, { x: '@@' }).split('@@')[1]!),
    );
    expect(parsePrivateKeyFile(verbatim)[0]!.key).toEqual(alice);
    const names = parsePrivateKeyFile(
      oneKeyFile(alice)
        .replace('(name "t")', '(name "a\\tb\\nc\\"d\\\'e\\\\f\\\nline")')
        .replace('prpl-irc', '"prpl-\\x69rc"'),
    );
    expect(names[0]!.account).toBe('a\tb\nc"d\'e\\fline');
    expect(names[0]!.protocol).toBe('prpl-irc');
    expect(
      parsePrivateKeyFile(oneKeyFile(alice).replace('(name "t")', '(name bare.token-1)'))[0]!.account,
    ).toBe('bare.token-1');
  });

  it('prints atoms the way libgcrypt chooses: token, quoted string or #HEX#', () => {
    const s = (b: Uint8Array) => utf8Decode(encodeAtom(b));
    expect(s(utf8Encode('prpl-jabber'))).toBe('prpl-jabber');
    expect(s(utf8Encode('alice@example.net'))).toBe('"alice@example.net"');
    expect(s(utf8Encode('1abc'))).toBe('"1abc"'); // tokens cannot start with a digit
    expect(s(utf8Encode('a"b\'c\\d\te\n'))).toBe('"a\\"b\\\'c\\\\d\\te\\n"');
    expect(s(utf8Encode('jörg'))).toBe('"jörg"');
    expect(s(new Uint8Array(0))).toBe('""');
    expect(s(Uint8Array.of(0, 0xbc))).toBe('#00BC#');
    expect(s(Uint8Array.of(0x41, 0x80))).toBe('#4180#');
    expect(s(Uint8Array.of(0xc3, 0xb6))).toBe('#C3B6#'); // first byte >= 0x80 is binary
  });

  // Each row: atom bytes -> what gcry_sexp_sprint (ADVANCED) prints in libgcrypt 1.10 and in
  // 1.11+, by the rules of suitable_encoding / convert_to_* (src/sexp.c); test/interop/
  // keyfiles.test.ts checks them against the installed libgcrypt. Bytes, as some are not UTF-8.
  const B = (...xs: (number | string)[]) =>
    concatBytes(...xs.map((x) => (typeof x === 'number' ? Uint8Array.of(x) : utf8Encode(x))));
  const corners: [string, Uint8Array, Uint8Array][] = [
    // 1.10: a 0x00 after the first byte does not make an atom binary (strchr finds the
    // terminator). 1.11 prints all four as hex (nulCorners below).
    ['inner 0x00 in a string -> \\x00', B('a ', 0), B('"a \\x00"')],
    ['inner 0x00 in a token -> raw', B('ab', 0, 'c'), B('ab', 0, 'c')],
    ['digit first, inner 0x00 -> string', B('1', 0), B('"1\\x00"')],
    ['escape first, inner 0x00', B(9, 0), B('"\\t\\x00"')],
    ['0x00 first -> hex', B(0, 'a'), B('#0061#')],
    ['0x00 alone -> hex', B(0), B('#00#')],
    ['0x80 first -> hex', B(0x80, 'a'), B('#8061#')],
    ['0x7f -> hex', B('A', 0x7f), B('#417F#')],
    ['0x80 after a letter -> hex', B('A', 0x80), B('#4180#')],
    ['0xa0 -> hex', B('A', 0xa0), B('#41A0#')],
    ['0xa1 and 0xff are printable, raw in quotes', B('A', 0xa1, 0xff), B('"A', 0xa1, 0xff, '"')],
    ['0x1f -> hex', B('A', 0x1f), B('#411F#')],
    ['0x0e -> hex', B('A', 0x0e), B('#410E#')],
    ['escapable controls', B(8, 9, 0xb, 0xa, 0xc, 0xd), B('"\\b\\t\\v\\n\\f\\r"')],
    ['quotes and backslash', B('"\'\\'), B('"\\"\\\'\\\\"')],
    ['a token special alone', B('='), B('=')],
    ['digit first -> string', B('0abc'), B('"0abc"')],
    ['space -> string', B(' '), B('" "')],
    ['empty', B(), B('""')],
  ];
  it.each(corners)('prints libgcrypt 1.10 corner: %s', (_name, atom, printed) => {
    expect(bytesToHex(encodeAtom(atom, '1.10'))).toBe(bytesToHex(printed));
  });
  it.each(corners)('prints libgcrypt 1.11 corner: %s', (_name, atom, printed) => {
    const hex = B(`#${bytesToHex(atom).toUpperCase()}#`);
    expect(bytesToHex(encodeAtom(atom, '1.11'))).toBe(bytesToHex(atom.includes(0) ? hex : printed));
  });
  it('prints as libgcrypt 1.11 unless told otherwise (upstream rule, GnuPG bug T6747)', () => {
    expect(utf8Decode(encodeAtom(B('a ', 0)))).toBe('#612000#');
  });

  it('reads back every corner it prints, a raw 0x00 inside a token included', () => {
    for (const [, atom] of corners) {
      for (const printer of ['1.10', '1.11'] as const) {
        expect(parseSexp(concatBytes(B('('), encodeAtom(atom, printer), B(')')))).toEqual([atom]);
      }
    }
    // What libgcrypt's reader also does with a 0x00: part of a token, even its first byte.
    expect(parseSexp(B('(a', 0, 'b ', 0, 'c)'))).toEqual([B('a', 0, 'b'), B(0, 'c')]);
  });

  it('refuses a name or protocol with a 0 byte (libotr would cut it there)', () => {
    const t = oneKeyFile(alice);
    expectBadKeyFile(t.replace('(name "t")', '(name "t\\x00u")'), /name contains a 0 byte/);
    expectBadKeyFile(
      t.replace('(protocol prpl-irc)', '(protocol prpl\u0000irc)'),
      /protocol contains a 0 byte/,
    );
  });

  it('prints a key whose x has a 0x00 inside as libgcrypt 1.10 does (a quoted string with \\x00) or 1.11 (hex)', () => {
    // x = "OTR x\0..." (17 bytes, first byte < q's): not hex for libgcrypt, although it has a 0 byte.
    const xb = B('OTR x', 0, 'abcdefghijk');
    const x = bytesToBigInt(xb);
    const k = { ...alice, x, y: modPow(alice.g, x, alice.p) };
    const file = serializePrivateKeyFile([{ account: 'a', protocol: 'b', key: k }], '1.10');
    expect(Buffer.from(file).toString('latin1')).toContain('  (x "OTR x\\x00abcdefghijk")\n');
    expect(parsePrivateKeyFile(file)[0]!.key).toEqual(k);
    const hex = serializePrivateKeyFile([{ account: 'a', protocol: 'b', key: k }], '1.11');
    expect(Buffer.from(hex).toString('latin1')).toContain(`  (x #${bytesToHex(xb).toUpperCase()}#)\n`);
    expect(parsePrivateKeyFile(hex)[0]!.key).toEqual(k);
    const tok = bytesToBigInt(B('OTR.x', 0, 'token'));
    const kt = { ...alice, x: tok, y: modPow(alice.g, tok, alice.p) };
    const ft = serializePrivateKeyFile([{ account: 'a', protocol: 'b', key: kt }], '1.10');
    expect(Buffer.from(ft).toString('latin1')).toContain('  (x OTR.x\u0000token)\n');
    expect(parsePrivateKeyFile(ft)[0]!.key).toEqual(kt);
  });

  it('refuses to write a name libotr could not hold (U+0000), writing nothing', () => {
    for (const [account, protocol] of [
      ['a\u0000b', 'prpl-irc'],
      ['a', 'prpl\u0000irc'],
    ]) {
      expect(() => serializePrivateKeyFile([{ account: account!, protocol: protocol!, key: alice }])).toThrow(
        /U\+0000/,
      );
    }
  });

  it('round-trips every account name and protocol, and keys whose MPIs print as strings or tokens', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (account, protocol) => {
        const e: PrivateKeyEntry[] = [{ account, protocol, key: alice }];
        expect(parsePrivateKeyFile(serializePrivateKeyFile(e))).toEqual(e);
      }),
      { numRuns: 40 },
    );
    // x = "AbCd..." as bytes: printable, so libgcrypt would print it as a token.
    const x = BigInt(`0x${bytesToHex(utf8Encode('OTRkeyOTRkeyOTRkey'))}`) % alice.q;
    const k = { ...alice, x, y: modPow(alice.g, x, alice.p) };
    const file = serializePrivateKeyFile([{ account: 'a', protocol: 'b', key: k }]);
    expect(parsePrivateKeyFile(file)[0]!.key).toEqual(k);
  });
});

describe('refusals: garbled, truncated or inconsistent files import nothing', () => {
  it('refuses a key whose parts do not belong together, with a message saying why', () => {
    expectBadKeyFile(oneKeyFile({ ...alice, y: alice.y + 1n }), /y != g\^x/);
    expectBadKeyFile(oneKeyFile({ ...alice, x: alice.x + 1n }), /y != g\^x/);
    expectBadKeyFile(oneKeyFile({ ...alice, x: 0n }), /x is empty|x is not in/);
    expectBadKeyFile(oneKeyFile({ ...alice, x: alice.q + alice.x }), /x is not in/);
    expectBadKeyFile(oneKeyFile({ ...alice, p: alice.p + 2n }), /q does not divide p - 1|p is not prime/);
    expectBadKeyFile(oneKeyFile({ ...alice, q: alice.q + 2n }), /q does not divide|q is not prime/);
    expectBadKeyFile(oneKeyFile({ ...alice, g: 1n }), /g is not a generator/);
    expectBadKeyFile(oneKeyFile({ ...alice, g: alice.p - 1n }), /g is not a generator/);
  });

  it('refuses a composite q that divides p - 1, and wrong sizes', async () => {
    // A well-formed "key" over a composite 160-bit q (two 80-bit primes): p = 2kq + 1 prime,
    // g of order dividing q, y = g^x. Only the primality check of q can catch it.
    const rnd = seededRandom(99);
    const prime80 = () => {
      for (;;) {
        const c = bytesToBigInt(rnd(10)) | (1n << 79n) | 1n;
        if (isProbablePrime(c, 20, rnd)) return c;
      }
    };
    let q = 0n;
    while (q.toString(2).length !== 160) q = prime80() * prime80();
    let p = 0n;
    for (;;) {
      const k = (bytesToBigInt(rnd(108)) >> 1n) | (1n << 862n);
      p = 2n * k * q + 1n;
      if (p.toString(2).length === 1024 && isProbablePrime(p, 5, rnd)) break;
    }
    const g = modPow(2n, (p - 1n) / q, p);
    const x = 12345n;
    expectBadKeyFile(oneKeyFile({ p, q, g, x, y: modPow(g, x, p) }), /q is not prime/);
    const key = await generateDsaKey({ random: seededRandom(77) });
    expectBadKeyFile(oneKeyFile({ ...key, q: key.q * 3n }), /q has 16[12] bits/);
    expectBadKeyFile(oneKeyFile({ ...key, q: 0xffn }), /q has 8 bits/);
    expectBadKeyFile(oneKeyFile({ ...key, p: 23n }), /p has 5 bits/);
  });

  it('refuses structural damage: wrong heads, missing or repeated fields, extra elements, duplicates', () => {
    const t = oneKeyFile(alice);
    const bad: [string, RegExp][] = [
      [t.replace('(privkeys', '(privkey'), /privkeys/],
      [t.replace('(account', '(acount'), /expected \(account/],
      [t.replace('(name "t") ', ''), /missing \(name/],
      [t.replace('(name "t")', '(name "t") (name "u")'), /appears 2 times/],
      [t.replace('(name "t")', '(name "t" "u")'), /exactly one value/],
      [t.replace('(protocol prpl-irc)', '(protocol (prpl-irc))'), /exactly one value/],
      [t.replace('(dsa', '(rsa'), /\(dsa \.\.\.\)/],
      [t.replace(' (x ', ' (z '), /unexpected element in \(dsa/],
      [t.replace('(private-key', '(comment "hi") (private-key'), /unexpected element \(comment/],
      [`${t} (more)`, /unexpected data after/],
      [t.replace('(privkeys ', `(privkeys ${t.slice(10, -1)} `), /appears twice/],
      [t.slice(0, -3), /never closed/],
      [t.replace(/#\)\)\)\)\)$/, ')))))'), /invalid hex digit/],
      [t.replace('#', '#Z'), /invalid hex digit/],
      [t.replace('"t"', '"t\\q"'), /unknown escape/],
      [t.replace('"t"', '"\\xZZ"'), /invalid \\x escape/],
      [t.replace('(name "t")', '(name 99999:t)'), /runs past the end|too large/],
      [t.replace('(name "t")', '(name "\\xff")'), /not valid UTF-8/],
      ['', /expected "\("/],
      ['(privkeys', /never closed/],
      [`${'('.repeat(40)}`, /nesting too deep/],
    ];
    for (const [file, msg] of bad) expectBadKeyFile(file, msg);
  });

  it('refuses every truncation of a real libotr file', () => {
    for (let n = 0; n < fixture.length - 2; n += 13) expectBadKeyFile(fixture.subarray(0, n));
  });

  it('random bytes and random mutations of a real file never throw anything but OtrError bad-key-file', () => {
    const check = (b: Uint8Array) => {
      try {
        for (const e of parsePrivateKeyFile(b)) {
          // Whatever survives is a consistent key.
          expect(modPow(e.key.g, e.key.x, e.key.p)).toBe(e.key.y);
        }
      } catch (e) {
        expect(e).toBeInstanceOf(OtrError);
        expect((e as OtrError).code).toBe('bad-key-file');
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: 300 });
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => check(utf8Encode(`(privkeys (account ${s}`))),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(fixture.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        (edits) => {
          const b = fixture.slice();
          for (const [i, v] of edits) b[i] = v;
          check(b);
        },
      ),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(fc.nat(fixture.length - 1), fc.nat(40), (i, len) => {
        check(concatBytes(fixture.subarray(0, i), fixture.subarray(i + len)));
      }),
      { numRuns: 40 },
    );
  });

  it('accepts an empty key list, and the CRLF and extra whitespace some editors produce', () => {
    expect(parsePrivateKeyFile('(privkeys)\n')).toEqual([]);
    expect(parsePrivateKeyFile(fixtureText.replace(/\n/g, '\r\n'))).toEqual(entries);
    expect(parsePrivateKeyFile(`\n\n${fixtureText.replace(/ \(/g, '\t(')}\n\n`)).toEqual(entries);
  });
});
