import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/crypto/bytes';
import { dsaSign, dsaVerify } from '../../../src/crypto/dsa';
import { OtrError } from '../../../src/otr/errors';
import { parsePrivateKeyFile } from '../../../src/otr/keyfile';
import {
  encodePublicKey,
  encodeSignature,
  fingerprint,
  formatFingerprint,
  parseFingerprint,
  readPublicKey,
  readSignature,
} from '../../../src/otr/pubkey';
import { Reader } from '../../../src/otr/serial';
import { seededRandom } from '../../lib/seeded-random';

const FIX = new URL('../../fixtures/libotr/', import.meta.url);
const entries = parsePrivateKeyFile(readFileSync(new URL('otr.private_key', FIX)));
const libotrKeys = readFileSync(new URL('keys.tsv', FIX), 'utf8')
  .trim()
  .split('\n')
  .map((l) => l.split('\t') as [string, string, string, string]);
const alice = entries.find((e) => e.account === 'alice@example.net')!.key;

describe('PUBKEY and fingerprints, against libotr-made keys', () => {
  it("encodes the public key as libotr's pubkey_data after the type SHORT 0, and fingerprints it as libotr does", () => {
    for (const [account, protocol, human, pubHex] of libotrKeys) {
      const e = entries.find((x) => x.account === account && x.protocol === protocol)!;
      const enc = encodePublicKey(e.key);
      expect(bytesToHex(enc.subarray(0, 2))).toBe('0000');
      expect(bytesToHex(enc.subarray(2))).toBe(pubHex);
      expect(formatFingerprint(fingerprint(e.key))).toBe(human);
      expect(parseFingerprint(human)).toEqual(fingerprint(e.key));
    }
  });

  it('reads back exactly what it writes, and consumes exactly the field', () => {
    const enc = encodePublicKey(alice);
    const r = new Reader(Uint8Array.of(...enc, 7));
    expect(readPublicKey(r)).toEqual({ p: alice.p, q: alice.q, g: alice.g, y: alice.y });
    expect(r.remaining).toBe(1);
  });

  it('refuses another key type, truncation at every length, and impossible values with OtrError', () => {
    const enc = encodePublicKey(alice);
    const other = enc.slice();
    other[1] = 1;
    expect(() => readPublicKey(new Reader(other))).toThrow(OtrError);
    for (let n = 0; n < enc.length; n += 7) {
      expect(() => readPublicKey(new Reader(enc.subarray(0, n)))).toThrow(OtrError);
    }
    const k = { p: alice.p, q: alice.q, g: alice.g, y: alice.y };
    for (const badKey of [
      { ...k, q: 1n },
      { ...k, q: k.p },
      { ...k, g: 1n },
      { ...k, g: k.p },
      { ...k, y: 0n },
      { ...k, y: k.p + 1n },
    ]) {
      expect(() => readPublicKey(new Reader(encodePublicKey(badKey)))).toThrow(OtrError);
    }
  });

  it('random bytes never make readPublicKey throw anything but OtrError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
        try {
          readPublicKey(new Reader(b));
        } catch (e) {
          expect(e).toBeInstanceOf(OtrError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('SIG fields', () => {
  it("verifies libotr's signature over a 32-byte value, read from its 40 bytes", () => {
    const sigBytes = hexToBytes(readFileSync(new URL('sig-alice-32.hex', FIX), 'utf8').trim());
    expect(sigBytes.length).toBe(40);
    const hash = hexToBytes('ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100');
    const r = new Reader(sigBytes);
    const sig = readSignature(r, alice.q);
    r.end();
    expect(dsaVerify(alice, hash, sig)).toBe(true);
    expect(encodeSignature(sig, alice.q)).toEqual(sigBytes);
    hash[31]! ^= 1;
    expect(dsaVerify(alice, hash, sig)).toBe(false);
  });

  it('pads r and s to 20 bytes each, however small they are', () => {
    expect(bytesToHex(encodeSignature({ r: 1n, s: 0x0203n }, alice.q))).toBe(
      `${'00'.repeat(19)}01${'00'.repeat(18)}0203`,
    );
    const rnd = seededRandom(4);
    for (let i = 0; i < 20; i++) {
      const sig = dsaSign(alice, rnd(32), rnd);
      const enc = encodeSignature(sig, alice.q);
      expect(enc.length).toBe(40);
      expect(readSignature(new Reader(enc), alice.q)).toEqual(sig);
    }
    expect(() => readSignature(new Reader(new Uint8Array(39)), alice.q)).toThrow(OtrError);
  });
});

describe('fingerprint text', () => {
  it("formats as libotr's otrl_privkey_hash_to_human and parses both forms", () => {
    const fp = hexToBytes('0123456789abcdef0123456789abcdef01234567');
    expect(formatFingerprint(fp)).toBe('01234567 89ABCDEF 01234567 89ABCDEF 01234567');
    expect(parseFingerprint('01234567 89abcdef 01234567 89ABCDEF 01234567')).toEqual(fp);
    expect(parseFingerprint('0123456789abcdef0123456789abcdef01234567')).toEqual(fp);
    expect(parseFingerprint('  0123456789abcdef0123456789abcdef01234567\n')).toEqual(fp);
    for (const bad of [
      '',
      '0123456789abcdef0123456789abcdef0123456',
      '0123456789abcdef0123456789abcdef012345678',
      '01234567  89ABCDEF 01234567 89ABCDEF 01234567',
      '0123456789ABCDEF 01234567 89ABCDEF 01234567',
      'g123456789abcdef0123456789abcdef01234567',
    ]) {
      expect(() => parseFingerprint(bad)).toThrow(OtrError);
    }
    expect(() => formatFingerprint(new Uint8Array(19))).toThrow(RangeError);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (b) => {
        expect(parseFingerprint(formatFingerprint(b))).toEqual(b);
      }),
    );
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          expect(parseFingerprint(s).length).toBe(20);
        } catch (e) {
          expect(e).toBeInstanceOf(OtrError);
        }
      }),
    );
  });
});

describe('oversized keys from a peer', () => {
  const key = (pBits: number, qBits: number) => {
    const p = (1n << BigInt(pBits - 1)) + 1n;
    const q = (1n << BigInt(qBits - 1)) + 1n;
    return encodePublicKey({ p, q, g: 2n, y: 3n });
  };
  it('accepts p up to 3072 bits and q up to 256 bits', () => {
    expect(readPublicKey(new Reader(key(3072, 256))).q).toBe((1n << 255n) + 1n);
  });
  it('refuses a larger p or q before any arithmetic (the page could stall the worker with one)', () => {
    expect(() => readPublicKey(new Reader(key(3080, 160)))).toThrow(OtrError);
    expect(() => readPublicKey(new Reader(key(1024, 264)))).toThrow(OtrError);
  });
});
