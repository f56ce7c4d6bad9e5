/** In-memory stores for unit tests (and the same semantics the real ones must keep). */
import type { DsaPrivateKey } from '../crypto/dsa';
import type { LockRecord } from './key-lock';
import { clearKeyRow, keyOfRowOrThrow, publicOfRow } from './key-rows';
import type {
  ConversationRecord,
  FingerprintRecord,
  KeyRow,
  RawKeyStore,
  SessionStore,
  SiteSettings,
} from './types';

const k = (...parts: string[]) => JSON.stringify(parts);
/** Stored values are copied in and out, as structured clone does for IndexedDB and storage. */
const clone = <T>(x: T): T => structuredClone(x);

export class MemoryKeyStore implements RawKeyStore {
  private keys = new Map<string, KeyRow>();
  private tags = new Map<string, number>();
  private fps = new Map<string, FingerprintRecord>();
  private sites = new Map<string, SiteSettings>();
  private lock: LockRecord | null = null;

  async getKeyRow(account: string, protocol: string) {
    const r = this.keys.get(k(account, protocol));
    return r ? clone(r) : null;
  }
  async listKeyRows() {
    return [...this.keys.values()].map(clone);
  }
  async putKeyRow(row: KeyRow) {
    this.keys.set(k(row.account, row.protocol), clone(row));
  }
  async getLock(): Promise<unknown> {
    return this.lock ? clone(this.lock) : null;
  }
  async replaceKeys(lock: LockRecord | null, rows: KeyRow[]) {
    this.lock = lock ? clone(lock) : null;
    this.keys = new Map(rows.map((r) => [k(r.account, r.protocol), clone(r)]));
  }
  async clearAll() {
    const counts = {
      keys: this.keys.size,
      fingerprints: this.fps.size,
      instanceTags: this.tags.size,
      sites: this.sites.size,
    };
    this.keys.clear();
    this.fps.clear();
    this.tags.clear();
    this.sites.clear();
    this.lock = null;
    return counts;
  }
  async getKey(account: string, protocol: string) {
    const r = this.keys.get(k(account, protocol));
    return r ? keyOfRowOrThrow(r) : null;
  }
  async getPublicKey(account: string, protocol: string) {
    const r = this.keys.get(k(account, protocol));
    return r ? publicOfRow(r) : null;
  }
  async putKey(account: string, protocol: string, key: DsaPrivateKey) {
    this.keys.set(k(account, protocol), clearKeyRow(account, protocol, key, Date.now()));
  }
  async deleteKey(account: string, protocol: string) {
    this.keys.delete(k(account, protocol));
  }
  async listKeys() {
    return [...this.keys.values()].map((r) => ({
      account: r.account,
      protocol: r.protocol,
      created: r.created,
      key: keyOfRowOrThrow(r),
    }));
  }
  async listPublicKeys() {
    return [...this.keys.values()].map((r) => ({
      account: r.account,
      protocol: r.protocol,
      created: r.created,
      key: publicOfRow(r),
    }));
  }
  async getInstanceTag(account: string, protocol: string) {
    return this.tags.get(k(account, protocol)) ?? null;
  }
  async putInstanceTag(account: string, protocol: string, tag: number) {
    this.tags.set(k(account, protocol), tag);
  }
  async getFingerprints(account: string, protocol: string, buddy: string) {
    return [...this.fps.values()]
      .filter((r) => r.account === account && r.protocol === protocol && r.buddy === buddy)
      .map(clone);
  }
  async putFingerprint(rec: FingerprintRecord) {
    this.fps.set(k(rec.account, rec.protocol, rec.buddy, rec.fingerprint), clone(rec));
  }
  async deleteFingerprint(account: string, protocol: string, buddy: string, fingerprint: string) {
    this.fps.delete(k(account, protocol, buddy, fingerprint));
  }
  async listFingerprints() {
    return [...this.fps.values()].map(clone);
  }
  async getSite(origin: string) {
    const s = this.sites.get(origin);
    return s ? clone(s) : null;
  }
  async putSite(s: SiteSettings) {
    this.sites.set(s.origin, clone(s));
  }
  async deleteSite(origin: string) {
    this.sites.delete(origin);
  }
  async listSites() {
    return [...this.sites.values()].map(clone);
  }
}

export class MemorySessionStore implements SessionStore {
  readonly records = new Map<string, ConversationRecord>();
  async load(id: string) {
    const r = this.records.get(id);
    return r ? clone(r) : null;
  }
  async save(id: string, rec: ConversationRecord) {
    this.records.set(id, clone(rec));
  }
  async remove(id: string) {
    this.records.delete(id);
  }
  async list() {
    return [...this.records.keys()];
  }
}
