/**
 * offrecord's key, signature, fingerprint, fingerprints-file and instance-tags-file code
 * against REAL libotr 4.1.1, through test/interop/c/keytool.c (libotr's own functions).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../src/crypto/bytes';
import { dsaSign, dsaVerify } from '../../src/crypto/dsa';
import { generateDsaKey } from '../../src/crypto/dsa-keygen';
import { cryptoRandom } from '../../src/crypto/random';
import {
  type FingerprintEntry,
  parseFingerprintsFile,
  serializeFingerprintsFile,
} from '../../src/otr/fingerprints-file';
import { parseInstanceTagsFile, serializeInstanceTagsFile } from '../../src/otr/instance-tags-file';
import { parsePrivateKeyFile, serializePrivateKeyFile } from '../../src/otr/keyfile';
import {
  encodePublicKey,
  encodeSignature,
  fingerprint,
  formatFingerprint,
  readSignature,
} from '../../src/otr/pubkey';
import { Reader } from '../../src/otr/serial';
import { seededRandom } from '../lib/seeded-random';
import { buildC } from './build-c';

let tool = '';
let dir = '';
const run = (...args: string[]) => execFileSync(tool, args, { encoding: 'utf8' });
const path = (name: string) => join(dir, name);

/** `keytool keys`: account, protocol, human fingerprint, pubkey_data hex per key. */
function libotrKeys(file: string): Map<string, { fp: string; pub: string }> {
  const out = new Map<string, { fp: string; pub: string }>();
  for (const line of run('keys', file).trim().split('\n')) {
    const [account, protocol, fp, pub] = line.split('\t') as [string, string, string, string];
    out.set(`${account}/${protocol}`, { fp, pub });
  }
  return out;
}

beforeAll(() => {
  tool = buildC('keytool');
  dir = mkdtempSync(join(tmpdir(), 'offrecord-keyfiles-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('otr.private_key written by libotr', () => {
  const accounts: [string, string][] = [
    ['alice@example.net', 'prpl-jabber'],
    ['bob "the builder" \\o/', 'prpl-irc'],
    ['jörg', 'prpl-xmpp'],
  ];

  it('is imported with the same keys, fingerprints and PUBKEY bytes, and exported byte for byte', () => {
    const file = path('libotr.private_key');
    for (const [a, p] of accounts) run('gen', file, a, p);
    const raw = readFileSync(file);
    const entries = parsePrivateKeyFile(raw);
    expect(entries.map((e) => [e.account, e.protocol]).sort()).toEqual([...accounts].sort());
    const theirs = libotrKeys(file);
    for (const e of entries) {
      const t = theirs.get(`${e.account}/${e.protocol}`)!;
      expect(formatFingerprint(fingerprint(e.key))).toBe(t.fp);
      expect(bytesToHex(encodePublicKey(e.key).subarray(2))).toBe(t.pub);
    }
    // Compared as text, so a failure prints the differing lines (it failed once, 2026-12-07, for
    // a key never seen again: the diff is what finds it).
    expect(Buffer.from(serializePrivateKeyFile(entries)).toString('latin1')).toBe(raw.toString('latin1'));
  });

  it("our signatures verify in libotr, libotr's verify in ours, for 20- and 32-byte hashes (> q)", () => {
    const file = path('libotr.private_key');
    const entries = parsePrivateKeyFile(readFileSync(file));
    const rnd = seededRandom(11);
    for (const e of entries) {
      const pub = bytesToHex(encodePublicKey(e.key).subarray(2));
      for (const len of [20, 32, 32, 32, 1]) {
        const hash = cryptoRandom(len);
        if (len === 32) hash[0] = 0xff; // certainly larger than q
        const ours = encodeSignature(dsaSign(e.key, hash, rnd), e.key.q);
        expect(ours.length).toBe(40);
        expect(run('verify', pub, bytesToHex(hash), bytesToHex(ours)).trim()).toBe('ok');
        const tampered = ours.slice();
        tampered[39]! ^= 1;
        expect(run('verify', pub, bytesToHex(hash), bytesToHex(tampered)).trim()).toBe('bad');

        const theirs = hexToBytes(run('sign', file, e.account, e.protocol, bytesToHex(hash)).trim());
        const r = new Reader(theirs);
        const sig = readSignature(r, e.key.q);
        r.end();
        expect(dsaVerify(e.key, hash, sig)).toBe(true);
        const other = hash.slice();
        other[other.length - 1]! ^= 1;
        expect(dsaVerify(e.key, other, sig)).toBe(false);
      }
    }
  });
});

describe('a key offrecord generates', () => {
  it('is read by libotr with the same fingerprint, signs for it, and survives libotr rewriting the file', async () => {
    const key = await generateDsaKey();
    const file = path('ours.private_key');
    writeFileSync(file, serializePrivateKeyFile([{ account: 'carol', protocol: 'prpl-irc', key }]));
    const theirs = libotrKeys(file);
    expect(theirs.get('carol/prpl-irc')?.fp).toBe(formatFingerprint(fingerprint(key)));

    const hash = cryptoRandom(32);
    const sig = readSignature(
      new Reader(hexToBytes(run('sign', file, 'carol', 'prpl-irc', bytesToHex(hash)).trim())),
      key.q,
    );
    expect(dsaVerify(key, hash, sig)).toBe(true);

    // libotr adds a key of its own and writes the whole file back; ours is kept intact.
    run('gen', file, 'dave', 'prpl-jabber');
    const both = parsePrivateKeyFile(readFileSync(file));
    expect(both.find((e) => e.account === 'carol')?.key).toEqual(key);
    expect(both.some((e) => e.account === 'dave')).toBe(true);
  });
});

describe('otr.fingerprints', () => {
  const entries: FingerprintEntry[] = [
    {
      username: 'bob',
      account: 'alice',
      protocol: 'prpl-irc',
      fingerprint: cryptoRandom(20),
      trust: 'verified',
    },
    { username: 'bob', account: 'alice', protocol: 'prpl-irc', fingerprint: cryptoRandom(20), trust: '' },
    {
      username: 'zoë@example.org',
      account: 'alice@example.net',
      protocol: 'prpl-jabber',
      fingerprint: cryptoRandom(20),
      trust: 'smp',
    },
    {
      username: 'eve',
      account: 'alice',
      protocol: 'prpl-irc',
      fingerprint: cryptoRandom(20),
      trust: 'some other client',
    },
  ];
  const key = (e: FingerprintEntry) =>
    `${e.username}|${e.account}|${e.protocol}|${bytesToHex(e.fingerprint)}|${e.trust}`;

  it('written by us is read by libotr with every trust kept, and libotr writes back what we read the same', () => {
    const file = path('ours.fingerprints');
    writeFileSync(file, serializeFingerprintsFile(entries));
    const dumped = run('fpr-dump', file)
      .trim()
      .split('\n')
      .map((l) => l.split('\t'))
      .map(
        ([username, account, protocol, hex, trust]) => `${username}|${account}|${protocol}|${hex}|${trust}`,
      );
    expect(dumped.sort()).toEqual(entries.map(key).sort());

    const copy = path('libotr.fingerprints');
    run('fpr-copy', file, copy);
    expect(parseFingerprintsFile(readFileSync(copy)).map(key).sort()).toEqual(entries.map(key).sort());
  });

  it('a libotr line without the trust column is untrusted on both sides', () => {
    const file = path('short.fingerprints');
    const hex = bytesToHex(cryptoRandom(20));
    writeFileSync(file, `bob\talice\tprpl-irc\t${hex}\n`);
    expect(run('fpr-dump', file).trim()).toBe(`bob\talice\tprpl-irc\t${hex}\t(null)`);
    expect(parseFingerprintsFile(readFileSync(file))[0]?.trust).toBe('');
    const copy = path('short-copy.fingerprints');
    run('fpr-copy', file, copy);
    expect(readFileSync(copy, 'utf8')).toBe(`bob\talice\tprpl-irc\t${hex}\t\n`);
    expect(parseFingerprintsFile(readFileSync(copy))[0]?.trust).toBe('');
  });
});

describe('otr.instance_tags', () => {
  it('generated by libotr is read by us; ours is read by libotr; both survive a round trip', () => {
    const file = path('libotr.instance_tags');
    const t1 = run('instag-gen', file, 'alice', 'prpl-irc').trim();
    const t2 = run('instag-gen', file, 'alice@example.net', 'prpl-jabber').trim();
    const ours = parseInstanceTagsFile(readFileSync(file));
    expect(ours.map((e) => [e.account, e.protocol, e.tag.toString(16).padStart(8, '0')]).sort()).toEqual(
      [
        ['alice', 'prpl-irc', t1],
        ['alice@example.net', 'prpl-jabber', t2],
      ].sort(),
    );

    const mine = [
      { account: 'carol', protocol: 'prpl-irc', tag: 0x100 },
      { account: 'dave@example.org', protocol: 'prpl-jabber', tag: 0xfffffffe },
    ];
    const file2 = path('ours.instance_tags');
    writeFileSync(file2, serializeInstanceTagsFile(mine));
    expect(run('instag-dump', file2).trim().split('\n').sort()).toEqual(
      ['carol\tprpl-irc\t00000100', 'dave@example.org\tprpl-jabber\tfffffffe'].sort(),
    );
    const copy = path('copy.instance_tags');
    run('instag-copy', file2, copy);
    expect(parseInstanceTagsFile(readFileSync(copy)).sort((a, b) => a.tag - b.tag)).toEqual(mine);
  });
});
