/**
 * KeyStore on IndexedDB (through `idb`): long-term keys, instance tags, fingerprints and site
 * settings. The schema is versioned; `upgrade` migrates from every older version in order.
 * Big integers are stored as hex strings, so the records are plain data in any browser.
 */
import { type IDBPDatabase, openDB } from 'idb';
import type { DsaPrivateKey, DsaPublicKey } from '../crypto/dsa';
import type { PolicyName } from '../otr/policy';
import type { LockRecord } from './key-lock';
import { clearKeyRow, keyOfRowOrThrow, publicOfRow } from './key-rows';
import type { BuddyPolicy, FingerprintRecord, KeyRow, RawKeyStore, SiteSettings, Trust } from './types';

export const DB_NAME = 'offrecord';
/**
 * v1: keys, instanceTags, fingerprints, sites. v2: meta (the passphrase lock record, `lock`).
 * v3: buddies (a buddy's own policy, keyed like its fingerprints).
 */
export const DB_VERSION = 3;

const TRUSTS: readonly Trust[] = ['', 'verified', 'smp'];
const STORES = ['keys', 'instanceTags', 'fingerprints', 'sites', 'meta', 'buddies'] as const;
const POLICIES: readonly PolicyName[] = ['never', 'manual', 'opportunistic', 'always'];

export class IdbKeyStore implements RawKeyStore {
  private constructor(private readonly db: IDBPDatabase) {}

  /** Opens (creating or migrating) the database; uses the context's global indexedDB. */
  static async open(name = DB_NAME): Promise<IdbKeyStore> {
    const db = await openDB(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          db.createObjectStore('keys', { keyPath: ['account', 'protocol'] });
          db.createObjectStore('instanceTags', { keyPath: ['account', 'protocol'] });
          const fps = db.createObjectStore('fingerprints', {
            keyPath: ['account', 'protocol', 'buddy', 'fingerprint'],
          });
          fps.createIndex('byBuddy', ['account', 'protocol', 'buddy']);
          db.createObjectStore('sites', { keyPath: 'origin' });
        }
        if (oldVersion < 2) db.createObjectStore('meta');
        if (oldVersion < 3) db.createObjectStore('buddies', { keyPath: ['account', 'protocol', 'buddy'] });
      },
    });
    return new IdbKeyStore(db);
  }

  close(): void {
    this.db.close();
  }

  async getKeyRow(account: string, protocol: string): Promise<KeyRow | null> {
    return ((await this.db.get('keys', [account, protocol])) as KeyRow | undefined) ?? null;
  }

  async listKeyRows(): Promise<KeyRow[]> {
    return (await this.db.getAll('keys')) as KeyRow[];
  }

  async putKeyRow(row: KeyRow): Promise<void> {
    await this.db.put('keys', { ...row });
  }

  async getLock(): Promise<unknown> {
    return (await this.db.get('meta', 'lock')) ?? null;
  }

  async replaceKeys(lock: LockRecord | null, rows: KeyRow[]): Promise<void> {
    const tx = this.db.transaction(['keys', 'meta'], 'readwrite');
    const keys = tx.objectStore('keys');
    const meta = tx.objectStore('meta');
    await Promise.all([
      keys.clear(),
      ...rows.map((r) => keys.put({ ...r })),
      lock ? meta.put(lock, 'lock') : meta.delete('lock'),
      tx.done,
    ]);
  }

  async clearAll() {
    const tx = this.db.transaction([...STORES], 'readwrite');
    const count = (name: (typeof STORES)[number]) => tx.objectStore(name).count();
    const [keys, fingerprints, instanceTags, sites, buddies] = await Promise.all([
      count('keys'),
      count('fingerprints'),
      count('instanceTags'),
      count('sites'),
      count('buddies'),
    ]);
    await Promise.all([...STORES.map((n) => tx.objectStore(n).clear()), tx.done]);
    return { keys, fingerprints, instanceTags, sites: sites + buddies };
  }

  async getKey(account: string, protocol: string): Promise<DsaPrivateKey | null> {
    const r = await this.getKeyRow(account, protocol);
    return r ? keyOfRowOrThrow(r) : null;
  }

  async getPublicKey(account: string, protocol: string): Promise<DsaPublicKey | null> {
    const r = await this.getKeyRow(account, protocol);
    return r ? publicOfRow(r) : null;
  }

  async putKey(account: string, protocol: string, key: DsaPrivateKey): Promise<void> {
    await this.db.put('keys', clearKeyRow(account, protocol, key, Date.now()));
  }

  async deleteKey(account: string, protocol: string): Promise<void> {
    await this.db.delete('keys', [account, protocol]);
  }

  async listKeys() {
    return (await this.listKeyRows()).map((r) => ({
      account: r.account,
      protocol: r.protocol,
      created: r.created,
      key: keyOfRowOrThrow(r),
    }));
  }

  async listPublicKeys() {
    return (await this.listKeyRows()).map((r) => ({
      account: r.account,
      protocol: r.protocol,
      created: r.created,
      key: publicOfRow(r),
    }));
  }

  async getInstanceTag(account: string, protocol: string): Promise<number | null> {
    const r = (await this.db.get('instanceTags', [account, protocol])) as { tag: number } | undefined;
    return r ? r.tag : null;
  }

  async putInstanceTag(account: string, protocol: string, tag: number): Promise<void> {
    await this.db.put('instanceTags', { account, protocol, tag });
  }

  async getFingerprints(account: string, protocol: string, buddy: string): Promise<FingerprintRecord[]> {
    const rows = await this.db.getAllFromIndex('fingerprints', 'byBuddy', [account, protocol, buddy]);
    return rows.map(normalizeFingerprint);
  }

  async putFingerprint(rec: FingerprintRecord): Promise<void> {
    await this.db.put('fingerprints', { ...rec });
  }

  async deleteFingerprint(
    account: string,
    protocol: string,
    buddy: string,
    fingerprint: string,
  ): Promise<void> {
    await this.db.delete('fingerprints', [account, protocol, buddy, fingerprint]);
  }

  async listFingerprints(): Promise<FingerprintRecord[]> {
    return (await this.db.getAll('fingerprints')).map(normalizeFingerprint);
  }

  async getSite(origin: string): Promise<SiteSettings | null> {
    return ((await this.db.get('sites', origin)) as SiteSettings | undefined) ?? null;
  }

  async putSite(s: SiteSettings): Promise<void> {
    await this.db.put('sites', { ...s });
  }

  async deleteSite(origin: string): Promise<void> {
    await this.db.delete('sites', origin);
  }

  async listSites(): Promise<SiteSettings[]> {
    return (await this.db.getAll('sites')) as SiteSettings[];
  }

  async getBuddyPolicy(account: string, protocol: string, buddy: string): Promise<PolicyName | null> {
    const r = (await this.db.get('buddies', [account, protocol, buddy])) as BuddyPolicy | undefined;
    return r && POLICIES.includes(r.policy) ? r.policy : null;
  }

  async putBuddyPolicy(p: BuddyPolicy): Promise<void> {
    await this.db.put('buddies', {
      account: p.account,
      protocol: p.protocol,
      buddy: p.buddy,
      policy: p.policy,
    });
  }

  async deleteBuddyPolicy(account: string, protocol: string, buddy: string): Promise<void> {
    await this.db.delete('buddies', [account, protocol, buddy]);
  }

  async listBuddyPolicies(): Promise<BuddyPolicy[]> {
    return ((await this.db.getAll('buddies')) as BuddyPolicy[]).filter((r) => POLICIES.includes(r.policy));
  }
}

function normalizeFingerprint(r: FingerprintRecord): FingerprintRecord {
  return { ...r, trust: TRUSTS.includes(r.trust) ? r.trust : '' };
}
