// The passphrase's bytes are zeroed once scrypt is done with them (key-lock.ts deriveKek), and the
// stores below the Keyring have no way to read or write a private key in clear (types.ts RawKeyStore).
import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { cryptoRandom } from '../../../src/crypto/random';
import { IdbKeyStore } from '../../../src/store/idb';
import { deriveKek } from '../../../src/store/key-lock';
import type { RawKeyStore } from '../../../src/store/types';

const passwords = vi.hoisted(() => [] as Uint8Array[]);
vi.mock('@noble/hashes/scrypt.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('@noble/hashes/scrypt.js')>();
  return {
    ...real,
    scryptAsync: (
      password: Uint8Array,
      ...rest: Parameters<typeof real.scryptAsync> extends [unknown, ...infer R] ? R : never
    ) => {
      passwords.push(password);
      return real.scryptAsync(password, ...rest);
    },
  };
});

describe('passphrase bytes', () => {
  it('are zeroed after the derivation, and the derivation is unchanged by it', async () => {
    const salt = cryptoRandom(16);
    const a = await deriveKek('correct horse battery', salt, { N: 1 << 10, r: 8, p: 1 });
    expect(passwords).toHaveLength(1);
    expect(passwords[0]!.length).toBe(21);
    expect(passwords[0]!.every((b) => b === 0)).toBe(true);
    expect(await deriveKek('correct horse battery', salt, { N: 1 << 10, r: 8, p: 1 })).toEqual(a);
  });
});

describe('the raw key store', () => {
  it('IndexedDB store offers no clear private-key read or write (only the Keyring opens x)', async () => {
    const store = await IdbKeyStore.open('offrecord-raw-surface');
    const raw: RawKeyStore = store;
    for (const name of ['getKey', 'putKey', 'listKeys']) expect(name in raw).toBe(false);
    // @ts-expect-error: not part of RawKeyStore
    expect(raw.putKey).toBeUndefined();
    expect(await raw.listPublicKeys()).toEqual([]);
    store.close();
  });
});
