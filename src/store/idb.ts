/**
 * KeyStore on IndexedDB (through `idb`): long-term keys, instance tags, fingerprints and site
 * settings. The schema is versioned; `upgrade` migrates from every older version in order.
 * Big integers are stored as hex strings, so the records are plain data in any browser.
 */
import { type IDBPDatabase, openDB } from 'idb';
import type { DsaPrivateKey } from '../crypto/dsa';
import type { FingerprintRecord, KeyStore, SiteSettings, Trust } from './types';

export const DB_NAME = 'offrecord';
/** v1: keys, instanceTags, fingerprints, sites. */
export const DB_VERSION = 1;

interface KeyRow {
  account: string;
  protocol: string;
  p: string;
  q: string;
  g: string;
  y: string;
  x: string;
  created: number;
}

const hex = (n: bigint) => n.toString(16);
const big = (h: string) => BigInt(`0x${h}`);
const TRUSTS: readonly Trust[] = ['', 'verified', 'smp'];

export class IdbKeyStore implements KeyStore {
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
      },
    });
    return new IdbKeyStore(db);
  }

  close(): void {
    this.db.close();
  }

  async getKey(account: string, protocol: string): Promise<DsaPrivateKey | null> {
    const r = (await this.db.get('keys', [account, protocol])) as KeyRow | undefined;
    return r ? { p: big(r.p), q: big(r.q), g: big(r.g), y: big(r.y), x: big(r.x) } : null;
  }

  async putKey(account: string, protocol: string, key: DsaPrivateKey): Promise<void> {
    const row: KeyRow = {
      account,
      protocol,
      p: hex(key.p),
      q: hex(key.q),
      g: hex(key.g),
      y: hex(key.y),
      x: hex(key.x),
      created: Date.now(),
    };
    await this.db.put('keys', row);
  }

  async deleteKey(account: string, protocol: string): Promise<void> {
    await this.db.delete('keys', [account, protocol]);
  }

  async listKeys() {
    const rows = (await this.db.getAll('keys')) as KeyRow[];
    return rows.map((r) => ({
      account: r.account,
      protocol: r.protocol,
      created: r.created,
      key: { p: big(r.p), q: big(r.q), g: big(r.g), y: big(r.y), x: big(r.x) },
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
}

function normalizeFingerprint(r: FingerprintRecord): FingerprintRecord {
  return { ...r, trust: TRUSTS.includes(r.trust) ? r.trust : '' };
}
