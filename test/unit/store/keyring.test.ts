// The passphrase lock (issue 18): key wrapping (src/store/key-lock.ts) and the Keyring on the
// memory store (src/store/keyring.ts). Every refusal is a typed error and leaves the stored rows,
// the lock record and the lock state exactly as they were.

import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/crypto/bytes';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { cryptoRandom } from '../../../src/crypto/random';
import {
  deriveKek,
  KDF_PARAMS,
  KeyLockedError,
  LockUsageError,
  newLockRecord,
  openKey,
  SealedDataError,
  sealKey,
  unlockKek,
  validateLockRecord,
  WrongPassphraseError,
} from '../../../src/store/key-lock';
import { Keyring, type SecretCache } from '../../../src/store/keyring';
import { MemoryKeyStore } from '../../../src/store/memory';

/** Small scrypt cost for speed; the real cost has its own test below. */
const FAST = { N: 1 << 10, r: 8, p: 1 };
const PASS = 'correct horse battery';

// A real 1024-bit DSA group would be slow to make; the wrapping only cares about sizes and values.
const q = (1n << 159n) + 0x1234567n;
const key = (x: bigint): DsaPrivateKey => ({ p: (1n << 1023n) + 7n, q, g: 2n, y: 0xabcdefn + x, x });
const ALICE = key(0x0102030405060708090a0b0c0d0e0f1011121314n);
const BOB = key(0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ffn);

class MemoryCache implements SecretCache {
  value: Uint8Array | null = null;
  async get() {
    return this.value ? this.value.slice() : null;
  }
  async set(k: Uint8Array) {
    this.value = k.slice();
  }
  async clear() {
    this.value = null;
  }
}

async function setup() {
  const raw = new MemoryKeyStore();
  await raw.putKey('alice@irc', 'prpl-irc', ALICE);
  await raw.putKey('alice@xmpp', 'prpl-jabber', BOB);
  const cache = new MemoryCache();
  const ring = new Keyring(raw, cache, { params: FAST });
  return { raw, cache, ring };
}

/** Everything the store holds, as one string to search. */
async function dump(raw: MemoryKeyStore): Promise<string> {
  const rows = await raw.listKeyRows();
  const lock = await raw.getLock();
  return JSON.stringify({ rows, lock }, (_k, v) => (v instanceof Uint8Array ? bytesToHex(v) : v));
}

describe('key wrapping', () => {
  it('seals x so that only the same KEK, account, protocol and y open it', async () => {
    const salt = cryptoRandom(16);
    const kek = await deriveKek(PASS, salt, FAST);
    const blob = sealKey(kek, 'a', 'p', ALICE, cryptoRandom);
    expect(openKey(kek, 'a', 'p', ALICE, blob)).toEqual(ALICE);
    expect(bytesToHex(blob)).not.toContain(ALICE.x.toString(16));
    const other = await deriveKek('another passphrase', salt, FAST);
    expect(() => openKey(other, 'a', 'p', ALICE, blob)).toThrow(SealedDataError);
    expect(() => openKey(kek, 'b', 'p', ALICE, blob)).toThrow(SealedDataError);
    expect(() => openKey(kek, 'a', 'q', ALICE, blob)).toThrow(SealedDataError);
    expect(() => openKey(kek, 'a', 'p', { ...ALICE, y: ALICE.y + 1n }, blob)).toThrow(SealedDataError);
  });

  it('refuses truncated, tampered and unknown-version blobs with SealedDataError', async () => {
    const kek = await deriveKek(PASS, cryptoRandom(16), FAST);
    const blob = sealKey(kek, 'a', 'p', ALICE, cryptoRandom);
    for (const n of [0, 1, 12, 28, blob.length - 1]) {
      expect(() => openKey(kek, 'a', 'p', ALICE, blob.subarray(0, n))).toThrow(SealedDataError);
    }
    for (const i of [1, 13, blob.length - 1]) {
      const bad = blob.slice();
      bad[i]! ^= 1;
      expect(() => openKey(kek, 'a', 'p', ALICE, bad)).toThrow(SealedDataError);
    }
    const v2 = blob.slice();
    v2[0] = 2;
    expect(() => openKey(kek, 'a', 'p', ALICE, v2)).toThrow(/unknown version/);
    expect(() => openKey(kek, 'a', 'p', ALICE, 'not bytes')).toThrow(SealedDataError);
  });

  it('a wrong passphrase fails the check; damaged lock records are refused before any work', async () => {
    const salt = cryptoRandom(16);
    const kek = await deriveKek(PASS, salt, FAST);
    const rec = newLockRecord(kek, salt, FAST, cryptoRandom);
    expect(await unlockKek(rec, PASS)).toEqual(kek);
    await expect(unlockKek(rec, 'wrong passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(() => validateLockRecord({ ...rec, N: 1 << 30 })).toThrow(SealedDataError);
    expect(() => validateLockRecord({ ...rec, N: 3000 })).toThrow(SealedDataError);
    expect(() => validateLockRecord({ ...rec, salt: salt.subarray(1) })).toThrow(SealedDataError);
    expect(() => validateLockRecord({ ...rec, v: 2 })).toThrow(SealedDataError);
    expect(() => validateLockRecord(null)).toThrow(SealedDataError);
    expect(validateLockRecord(rec)).toEqual(rec);
  });

  it('uses scrypt N=2^15 r=8 p=1 by default, and the same passphrase in another Unicode form', async () => {
    expect(KDF_PARAMS).toEqual({ N: 1 << 15, r: 8, p: 1 });
    const salt = cryptoRandom(16);
    const a = await deriveKek('caf\u00e9 au lait', salt, KDF_PARAMS);
    const b = await deriveKek('cafe\u0301 au lait', salt, KDF_PARAMS);
    expect(a).toEqual(b);
    expect(a).toHaveLength(32);
  });
});

describe('Keyring', () => {
  it('without a passphrase keys are in clear and readable (state none)', async () => {
    const { ring } = await setup();
    expect(await ring.state()).toBe('none');
    expect(await ring.getKey('alice@irc', 'prpl-irc')).toEqual(ALICE);
  });

  it('set passphrase: rows sealed, no x left in the store; lock; unlock', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    expect(await ring.state()).toBe('unlocked');
    const stored = await dump(raw);
    for (const k of [ALICE, BOB]) {
      expect(stored).not.toContain(k.x.toString(16));
      expect(stored).not.toContain(k.x.toString(10));
    }
    for (const r of await raw.listKeyRows()) {
      expect(r.x).toBeUndefined();
      expect(r.sealed).toBeInstanceOf(Uint8Array);
    }
    expect(await ring.getKey('alice@irc', 'prpl-irc')).toEqual(ALICE);

    await ring.lock();
    expect(cache.value).toBeNull();
    expect(await ring.state()).toBe('locked');
    await expect(ring.getKey('alice@irc', 'prpl-irc')).rejects.toBeInstanceOf(KeyLockedError);
    await expect(ring.listKeys()).rejects.toBeInstanceOf(KeyLockedError);
    // No new key in clear while locked, even for an account that has none.
    await expect(ring.getKey('new@irc', 'prpl-irc')).rejects.toBeInstanceOf(KeyLockedError);
    await expect(ring.putKey('new@irc', 'prpl-irc', ALICE)).rejects.toBeInstanceOf(KeyLockedError);
    // Public parts stay readable.
    expect((await ring.getPublicKey('alice@irc', 'prpl-irc'))?.y).toBe(ALICE.y);
    expect(await ring.listPublicKeys()).toHaveLength(2);

    await ring.unlock(PASS);
    expect(await ring.getKey('alice@xmpp', 'prpl-jabber')).toEqual(BOB);
  });

  it('a wrong passphrase is refused with a typed error and changes nothing', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    await ring.lock();
    const before = await dump(raw);
    await expect(ring.unlock('not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(ring.unlock('not the passphrase')).rejects.toThrow('Wrong passphrase. Nothing was changed.');
    await expect(ring.changePassphrase('not the passphrase', 'a new passphrase')).rejects.toBeInstanceOf(
      WrongPassphraseError,
    );
    await expect(ring.exportKeys('not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(ring.removePassphrase('not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(await dump(raw)).toBe(before);
    expect(cache.value).toBeNull();
    expect(await ring.state()).toBe('locked');
  });

  it('a worker restart while unlocked reads the KEK from the cache; a browser restart (empty cache) is locked', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    const restarted = new Keyring(raw, cache, { params: FAST });
    expect(await restarted.state()).toBe('unlocked');
    expect(await restarted.getKey('alice@irc', 'prpl-irc')).toEqual(ALICE);
    const afterBrowserRestart = new Keyring(raw, new MemoryCache(), { params: FAST });
    expect(await afterBrowserRestart.state()).toBe('locked');
    // A cache holding some other 32 bytes does not unlock.
    const planted = new MemoryCache();
    await planted.set(new Uint8Array(32).fill(7));
    expect(await new Keyring(raw, planted, { params: FAST }).state()).toBe('locked');
  });

  it('a tampered key row is a typed error for that key only; the other key still opens', async () => {
    const { raw, ring } = await setup();
    await ring.setPassphrase(PASS);
    const row = (await raw.getKeyRow('alice@irc', 'prpl-irc'))!;
    const bad = row.sealed!.slice();
    bad[bad.length - 3]! ^= 0x40;
    await raw.putKeyRow({ ...row, sealed: bad });
    await expect(ring.getKey('alice@irc', 'prpl-irc')).rejects.toBeInstanceOf(SealedDataError);
    await raw.putKeyRow({ ...row, sealed: row.sealed!.subarray(0, 20) });
    await expect(ring.getKey('alice@irc', 'prpl-irc')).rejects.toBeInstanceOf(SealedDataError);
    expect(await ring.getKey('alice@xmpp', 'prpl-jabber')).toEqual(BOB);
    // A change of passphrase over a damaged row refuses and leaves everything as it was.
    const before = await dump(raw);
    await expect(ring.changePassphrase(PASS, 'a new passphrase')).rejects.toBeInstanceOf(SealedDataError);
    expect(await dump(raw)).toBe(before);
  });

  it('change passphrase: the old one stops working, the new one opens every key', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    const oldLock = await dump(raw);
    await ring.changePassphrase(PASS, 'a brand new passphrase');
    expect(await dump(raw)).not.toBe(oldLock);
    await ring.lock();
    await expect(ring.unlock(PASS)).rejects.toBeInstanceOf(WrongPassphraseError);
    await ring.unlock('a brand new passphrase');
    expect(await ring.getKey('alice@irc', 'prpl-irc')).toEqual(ALICE);
    expect(cache.value).toHaveLength(32);
  });

  it('refuses bad uses with LockUsageError and no change', async () => {
    const { raw, ring } = await setup();
    await expect(ring.setPassphrase('short')).rejects.toBeInstanceOf(LockUsageError);
    await expect(ring.unlock(PASS)).rejects.toBeInstanceOf(LockUsageError);
    expect(await ring.state()).toBe('none');
    await ring.setPassphrase(PASS);
    const before = await dump(raw);
    await expect(ring.setPassphrase('another passphrase')).rejects.toBeInstanceOf(LockUsageError);
    await expect(ring.changePassphrase(PASS, 'short')).rejects.toBeInstanceOf(LockUsageError);
    await expect(ring.exportKeys(null)).rejects.toBeInstanceOf(LockUsageError);
    expect(await dump(raw)).toBe(before);
  });

  it('export needs the passphrase while one is set, locked or not, and leaves the lock state', async () => {
    const { ring } = await setup();
    expect((await ring.exportKeys(null)).map((e) => e.key)).toEqual([ALICE, BOB]);
    await ring.setPassphrase(PASS);
    await ring.lock();
    expect((await ring.exportKeys(PASS)).map((e) => e.key)).toEqual([ALICE, BOB]);
    expect(await ring.state()).toBe('locked');
  });

  it('keys made while unlocked are sealed; remove passphrase puts them back in clear', async () => {
    const { raw, ring } = await setup();
    await ring.setPassphrase(PASS);
    const carol = key(0x77n << 100n);
    await ring.putKey('carol@irc', 'prpl-irc', carol);
    expect((await raw.getKeyRow('carol@irc', 'prpl-irc'))?.x).toBeUndefined();
    expect(await ring.getKey('carol@irc', 'prpl-irc')).toEqual(carol);
    await ring.removePassphrase(PASS);
    expect(await ring.state()).toBe('none');
    expect(await raw.getLock()).toBeNull();
    expect(await raw.getKey('carol@irc', 'prpl-irc')).toEqual(carol);
  });

  it('wipe erases keys, lock, fingerprints, tags and sites and reports the counts', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    await raw.putFingerprint({
      account: 'a',
      protocol: 'p',
      buddy: 'b',
      fingerprint: '0'.repeat(40),
      trust: 'smp',
      firstSeen: 1,
      lastSeen: 2,
    });
    await raw.putInstanceTag('a', 'p', 0x1234);
    await raw.putSite({ origin: 'https://chat.example', policy: 'manual' });
    expect(await ring.wipe()).toEqual({ keys: 2, fingerprints: 1, instanceTags: 1, sites: 1 });
    expect(await ring.state()).toBe('none');
    expect(cache.value).toBeNull();
    expect(await raw.listKeyRows()).toEqual([]);
    expect(await raw.listFingerprints()).toEqual([]);
    expect(await raw.listSites()).toEqual([]);
    expect(await raw.getInstanceTag('a', 'p')).toBeNull();
  });
});

/** A promise and its resolver, to hold a step of a store or cache while another one runs. */
function gate<T = void>() {
  let open!: (v: T) => void;
  const wait = new Promise<T>((r) => {
    open = r;
  });
  return { wait, open };
}

describe('Keyring: operations that overlap', () => {
  it('a key stored while a passphrase is being set is sealed under it, not lost or left in clear', async () => {
    const { raw, ring } = await setup();
    // Hold setPassphrase just after it listed the rows (its ~0.5 s derivation comes next).
    const listed = gate();
    const list = raw.listKeyRows.bind(raw);
    raw.listKeyRows = async () => {
      const rows = await list();
      listed.open();
      return rows;
    };
    const setting = ring.setPassphrase(PASS);
    await listed.wait;
    const carol = key(0x55n << 90n);
    const putting = ring.putKey('carol@irc', 'prpl-irc', carol);
    await Promise.all([setting, putting]);
    expect(await ring.getKey('carol@irc', 'prpl-irc')).toEqual(carol);
    for (const r of await raw.listKeyRows()) expect(r.x).toBeUndefined();
    expect(await dump(raw)).not.toContain(carol.x.toString(16));
  });

  it('a lock while a restarted worker reads the cached KEK stays locked', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    const restarted = new Keyring(raw, cache, { params: FAST });
    const reading = gate();
    const stale = cache.value!.slice();
    cache.get = async () => {
      await reading.wait;
      return stale;
    };
    const state = restarted.state();
    await Promise.resolve();
    await restarted.lock();
    reading.open();
    await state;
    expect(await restarted.state()).toBe('locked');
    await expect(restarted.getKey('alice@irc', 'prpl-irc')).rejects.toBeInstanceOf(KeyLockedError);
    // The stale copy it read was not kept, and it was zeroed.
    expect(stale.every((b) => b === 0)).toBe(true);
  });

  it('two reads of the cached KEK at once keep one copy; the other is zeroed, and a lock zeroes the kept one', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    const restarted = new Keyring(raw, cache, { params: FAST });
    const copies: Uint8Array[] = [];
    const reading = gate();
    const get = cache.get.bind(cache);
    cache.get = async () => {
      const c = await get();
      if (c) copies.push(c);
      await reading.wait;
      return c;
    };
    const both = Promise.all([restarted.state(), restarted.state()]);
    await new Promise((r) => setTimeout(r, 10));
    reading.open();
    expect(await both).toEqual(['unlocked', 'unlocked']);
    expect(copies).toHaveLength(2);
    await restarted.lock();
    // No copy of the KEK outlives the lock in this worker's memory.
    for (const c of copies) expect(c.every((b) => b === 0)).toBe(true);
  });

  it('a cached KEK that does not match the lock record is zeroed and unlocks nothing', async () => {
    const { raw, ring } = await setup();
    await ring.setPassphrase(PASS);
    const planted = new Uint8Array(32).fill(7);
    const cache: SecretCache = { get: async () => planted, set: async () => {}, clear: async () => {} };
    expect(await new Keyring(raw, cache, { params: FAST }).state()).toBe('locked');
    expect(planted.every((b) => b === 0)).toBe(true);
  });

  it('a key in clear beside a lock record is refused, not silently used', async () => {
    const { raw, ring } = await setup();
    await ring.setPassphrase(PASS);
    const carol = key(0x66n << 90n);
    await raw.putKey('carol@irc', 'prpl-irc', carol);
    await expect(ring.getKey('carol@irc', 'prpl-irc')).rejects.toBeInstanceOf(SealedDataError);
    await expect(ring.listKeys()).rejects.toBeInstanceOf(SealedDataError);
    expect(await ring.getKey('alice@irc', 'prpl-irc')).toEqual(ALICE);
  });

  it('scrypt parameters needing over 256 MiB are refused before any work, with nothing changed', async () => {
    const { raw, cache, ring } = await setup();
    await ring.setPassphrase(PASS);
    await ring.lock();
    const rec = validateLockRecord(await raw.getLock());
    // N = 2^20, r = 16: 2 GiB of scrypt memory; N = 2^20, r = 2 is the most that passes.
    expect(() => validateLockRecord({ ...rec, N: 1 << 20, r: 16 })).toThrow(SealedDataError);
    expect(() => validateLockRecord({ ...rec, N: 1 << 18, r: 16 })).toThrow(SealedDataError);
    expect(validateLockRecord({ ...rec, N: 1 << 20, r: 2 }).N).toBe(1 << 20);
    await expect(deriveKek(PASS, rec.salt, { N: 1 << 20, r: 16, p: 1 })).rejects.toBeInstanceOf(
      SealedDataError,
    );
    await raw.replaceKeys({ ...rec, N: 1 << 20, r: 16 }, await raw.listKeyRows());
    const before = await dump(raw);
    await expect(ring.unlock(PASS)).rejects.toBeInstanceOf(SealedDataError);
    expect(await dump(raw)).toBe(before);
    expect(cache.value).toBeNull();
  });
});
