/**
 * The Keyring: the KeyStore the background uses, on top of the raw IndexedDB store, with the
 * passphrase lock (issue 18, crypto in key-lock.ts).
 *
 * States: 'none' (no passphrase: keys in clear, as before), 'locked' (a lock record exists and
 * the key-encryption key is not in memory), 'unlocked' (the KEK is in memory and in the
 * SecretCache, i.e. storage.session: memory only, so a worker stopped while unlocked rebuilds
 * from it without asking again (I5), and a browser restart forgets it).
 *
 * While locked every private-key read or write throws KeyLockedError (no new key is made in
 * clear behind the user's back either); public keys, fingerprints, instance tags and sites stay
 * readable. Known fingerprints and trust are NOT sealed: they give no one the user's identity,
 * the same profile holds the chat sites' own records of who talks to whom, an attacker who can
 * write the profile can change the extension's code too (so sealing trust adds no integrity),
 * and status and warnings must work while locked (docs/architecture.md).
 *
 * Every lock operation runs one at a time; a wrong passphrase or damaged data is a typed error
 * with nothing changed. Setting or changing the passphrase rewrites the lock record and every key
 * row in ONE transaction.
 */
import { wipe } from '../crypto/bytes';
import type { DsaPrivateKey } from '../crypto/dsa';
import { cryptoRandom, type RandomSource } from '../crypto/random';
import {
  checkPassphrase,
  deriveKek,
  KDF_PARAMS,
  type KdfParams,
  KEK_BYTES,
  KeyLockedError,
  kekMatches,
  type LockRecord,
  LockUsageError,
  newLockRecord,
  openKey,
  SALT_BYTES,
  SealedDataError,
  sealKey,
  unlockKek,
  validateLockRecord,
} from './key-lock';
import { clearKeyOfRow, clearKeyRow, keyRowOf, publicOfRow } from './key-rows';
import type { BuddyPolicy, FingerprintRecord, KeyRow, KeyStore, RawKeyStore, SiteSettings } from './types';

export type LockState = 'none' | 'locked' | 'unlocked';

/** Where the KEK waits while unlocked, beside the worker's memory (storage.session in the extension). */
export interface SecretCache {
  get(): Promise<Uint8Array | null>;
  set(kek: Uint8Array): Promise<void>;
  clear(): Promise<void>;
}

export interface KeyringOptions {
  params?: KdfParams;
  random?: RandomSource;
}

export class Keyring implements KeyStore {
  private kek: Uint8Array | null = null;
  /** Bumped whenever the KEK is set or forgotten: a cache read that raced with it is not used. */
  private generation = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly params: KdfParams;
  private readonly random: RandomSource;

  constructor(
    private readonly raw: RawKeyStore,
    private readonly cache: SecretCache,
    opts: KeyringOptions = {},
  ) {
    this.params = opts.params ?? KDF_PARAMS;
    this.random = opts.random ?? cryptoRandom;
  }

  /**
   * Lock operations and private-key reads and writes one at a time (a lock during an unlock
   * waits, and wins after it; a key stored while a passphrase is being set is sealed under it,
   * never written in clear beside the new lock record nor cleared by its rewrite).
   */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async lockRecord(): Promise<LockRecord | null> {
    const r = await this.raw.getLock();
    return r === null || r === undefined ? null : validateLockRecord(r);
  }

  /** The KEK if unlocked (from memory, else from the cache after a worker restart), else null. */
  private async currentKek(rec: LockRecord): Promise<Uint8Array | null> {
    if (this.kek) return this.kek;
    const generation = this.generation;
    const cached = await this.cache.get();
    // A lock (or unlock) while we read the cache decided the state: a stale copy is not revived.
    if (generation !== this.generation) {
      if (cached) wipe(cached);
      return this.kek;
    }
    if (!cached) return null;
    // Another read got there first: keep its copy, zero ours (it would outlive a lock).
    if (this.kek) {
      wipe(cached);
      return this.kek;
    }
    if (cached.length === KEK_BYTES && kekMatches(rec, cached)) {
      this.kek = cached;
      return cached;
    }
    wipe(cached);
    return null;
  }

  /** Forgets the KEK in memory (zeroed); the cache is the caller's. */
  private forgetKek(): void {
    if (this.kek) wipe(this.kek);
    this.kek = null;
    this.generation++;
  }

  async state(): Promise<LockState> {
    const rec = await this.lockRecord();
    if (!rec) return 'none';
    return (await this.currentKek(rec)) ? 'unlocked' : 'locked';
  }

  /** null: no passphrase (keys in clear); else the KEK, or KeyLockedError. */
  private async kekOrThrow(): Promise<Uint8Array | null> {
    const rec = await this.lockRecord();
    if (!rec) return null;
    const kek = await this.currentKek(rec);
    if (!kek) throw new KeyLockedError();
    return kek;
  }

  private openRow(row: KeyRow, kek: Uint8Array | null): DsaPrivateKey {
    if (row.sealed !== undefined) {
      if (!kek) throw new SealedDataError('A sealed key without a passphrase record.');
      return openKey(kek, row.account, row.protocol, publicOfRow(row), row.sealed);
    }
    // Under a passphrase every key is sealed; one in clear was not written by us.
    if (kek) throw new SealedDataError(`The stored key of ${row.account} (${row.protocol}) is not sealed.`);
    const k = clearKeyOfRow(row);
    if (!k) throw new SealedDataError('A stored key has neither x nor a sealed x.');
    return k;
  }

  private sealedRow(row: KeyRow, key: DsaPrivateKey, kek: Uint8Array): KeyRow {
    return {
      ...keyRowOf(row.account, row.protocol, key, row.created),
      sealed: sealKey(kek, row.account, row.protocol, key, this.random),
    };
  }

  private async setKek(kek: Uint8Array): Promise<void> {
    if (this.kek && this.kek !== kek) wipe(this.kek);
    this.kek = kek;
    this.generation++;
    await this.cache.set(kek);
  }

  // ---- lock operations -------------------------------------------------------------------

  /** Puts every key under a new passphrase (state 'none' → 'unlocked'). */
  setPassphrase(passphrase: string): Promise<void> {
    return this.serial(async () => {
      checkPassphrase(passphrase);
      if (await this.lockRecord())
        throw new LockUsageError('A passphrase is set already: change it instead.');
      const rows = await this.raw.listKeyRows();
      const keys = rows.map((r) => this.openRow(r, null));
      await this.rewrite(passphrase, rows, keys);
    });
  }

  /** Derives a new KEK with a new salt and rewrites the lock record and every row atomically. */
  private async rewrite(passphrase: string, rows: KeyRow[], keys: DsaPrivateKey[]): Promise<void> {
    const salt = this.random(SALT_BYTES);
    const kek = await deriveKek(passphrase, salt, this.params);
    const rec = newLockRecord(kek, salt, this.params, this.random);
    await this.raw.replaceKeys(
      rec,
      rows.map((r, i) => this.sealedRow(r, keys[i]!, kek)),
    );
    await this.setKek(kek);
  }

  /** Unlocks; WrongPassphraseError (nothing changed) when the passphrase does not open the keys. */
  unlock(passphrase: string): Promise<void> {
    return this.serial(async () => {
      const rec = await this.lockRecord();
      if (!rec) throw new LockUsageError('No passphrase is set.');
      const kek = await unlockKek(rec, passphrase);
      await this.setKek(kek);
    });
  }

  /** Forgets the KEK (memory and cache). Callers drop what they built from keys (sessions). */
  lock(): Promise<void> {
    return this.serial(async () => {
      this.forgetKek();
      await this.cache.clear();
    });
  }

  /** Old passphrase checked, every key re-sealed under the new one in one transaction. */
  changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<void> {
    return this.serial(async () => {
      checkPassphrase(newPassphrase);
      const rec = await this.lockRecord();
      if (!rec) throw new LockUsageError('No passphrase is set.');
      const oldKek = await unlockKek(rec, oldPassphrase);
      try {
        const rows = await this.raw.listKeyRows();
        const keys = rows.map((r) => this.openRow(r, oldKek));
        await this.rewrite(newPassphrase, rows, keys);
      } finally {
        if (oldKek !== this.kek) wipe(oldKek);
      }
    });
  }

  /** Takes the passphrase off: keys back in clear (state → 'none'). Needs the passphrase. */
  removePassphrase(passphrase: string): Promise<void> {
    return this.serial(async () => {
      const rec = await this.lockRecord();
      if (!rec) throw new LockUsageError('No passphrase is set.');
      const kek = await unlockKek(rec, passphrase);
      try {
        const rows = await this.raw.listKeyRows();
        const clear = rows.map((r) => clearKeyRow(r.account, r.protocol, this.openRow(r, kek), r.created));
        await this.raw.replaceKeys(null, clear);
      } finally {
        wipe(kek);
      }
      this.forgetKek();
      await this.cache.clear();
    });
  }

  /**
   * Every key for export. With a passphrase set, the passphrase is required (locked or not) and
   * checked; the lock state does not change.
   */
  exportKeys(
    passphrase: string | null,
  ): Promise<{ account: string; protocol: string; key: DsaPrivateKey }[]> {
    return this.serial(async () => {
      const rec = await this.lockRecord();
      let kek: Uint8Array | null = null;
      if (rec) {
        if (passphrase === null) throw new LockUsageError('Exporting keys needs your passphrase.');
        kek = await unlockKek(rec, passphrase);
      }
      try {
        return (await this.raw.listKeyRows()).map((r) => ({
          account: r.account,
          protocol: r.protocol,
          key: this.openRow(r, kek),
        }));
      } finally {
        if (kek) wipe(kek);
      }
    });
  }

  /** Erases every key, the lock, fingerprints, instance tags and sites; forgets the KEK. */
  wipe(): ReturnType<RawKeyStore['clearAll']> {
    return this.serial(async () => {
      this.forgetKek();
      await this.cache.clear();
      return this.raw.clearAll();
    });
  }

  // ---- KeyStore ---------------------------------------------------------------------------

  getKey(account: string, protocol: string): Promise<DsaPrivateKey | null> {
    return this.serial(async () => {
      const kek = await this.kekOrThrow();
      const row = await this.raw.getKeyRow(account, protocol);
      return row ? this.openRow(row, kek) : null;
    });
  }

  getPublicKey(account: string, protocol: string) {
    return this.raw.getPublicKey(account, protocol);
  }

  putKey(account: string, protocol: string, key: DsaPrivateKey): Promise<void> {
    return this.serial(async () => {
      const kek = await this.kekOrThrow();
      const created = Date.now();
      await this.raw.putKeyRow(
        kek
          ? this.sealedRow(keyRowOf(account, protocol, key, created), key, kek)
          : clearKeyRow(account, protocol, key, created),
      );
    });
  }

  deleteKey(account: string, protocol: string): Promise<void> {
    return this.serial(() => this.raw.deleteKey(account, protocol));
  }

  listKeys() {
    return this.serial(async () => {
      const kek = await this.kekOrThrow();
      return (await this.raw.listKeyRows()).map((r) => ({
        account: r.account,
        protocol: r.protocol,
        created: r.created,
        key: this.openRow(r, kek),
      }));
    });
  }

  listPublicKeys() {
    return this.raw.listPublicKeys();
  }

  getInstanceTag(account: string, protocol: string) {
    return this.raw.getInstanceTag(account, protocol);
  }
  putInstanceTag(account: string, protocol: string, tag: number) {
    return this.raw.putInstanceTag(account, protocol, tag);
  }
  getFingerprints(account: string, protocol: string, buddy: string) {
    return this.raw.getFingerprints(account, protocol, buddy);
  }
  putFingerprint(rec: FingerprintRecord) {
    return this.raw.putFingerprint(rec);
  }
  deleteFingerprint(account: string, protocol: string, buddy: string, fingerprint: string) {
    return this.raw.deleteFingerprint(account, protocol, buddy, fingerprint);
  }
  listFingerprints() {
    return this.raw.listFingerprints();
  }
  getSite(origin: string) {
    return this.raw.getSite(origin);
  }
  putSite(s: SiteSettings) {
    return this.raw.putSite(s);
  }
  deleteSite(origin: string) {
    return this.raw.deleteSite(origin);
  }
  listSites() {
    return this.raw.listSites();
  }
  getBuddyPolicy(account: string, protocol: string, buddy: string) {
    return this.raw.getBuddyPolicy(account, protocol, buddy);
  }
  putBuddyPolicy(p: BuddyPolicy) {
    return this.raw.putBuddyPolicy(p);
  }
  deleteBuddyPolicy(account: string, protocol: string, buddy: string) {
    return this.raw.deleteBuddyPolicy(account, protocol, buddy);
  }
  listBuddyPolicies() {
    return this.raw.listBuddyPolicies();
  }
}
