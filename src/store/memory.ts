/** In-memory stores for unit tests (and the same semantics the real ones must keep). */
import type { DsaPrivateKey } from '../crypto/dsa';
import { storedBytes } from './budgets';
import type { LockRecord } from './key-lock';
import { clearKeyRow, keyOfRowOrThrow, publicOfRow } from './key-rows';
import { type Budgets, type StorageAreaLike, StorageSessionStore } from './session-storage';
import type { BuddyPolicy, FingerprintRecord, KeyRow, RawKeyStore, SettingName, SiteSettings } from './types';

const k = (...parts: string[]) => JSON.stringify(parts);
/** Stored values are copied in and out, as structured clone does for IndexedDB and storage. */
const clone = <T>(x: T): T => structuredClone(x);

export class MemoryKeyStore implements RawKeyStore {
  private keys = new Map<string, KeyRow>();
  private tags = new Map<string, number>();
  private fps = new Map<string, FingerprintRecord>();
  private sites = new Map<string, SiteSettings>();
  private buddies = new Map<string, BuddyPolicy>();
  private lock: LockRecord | null = null;
  private settings = new Map<SettingName, unknown>();

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
  async getSetting(name: SettingName): Promise<unknown> {
    return this.settings.has(name) ? clone(this.settings.get(name)) : null;
  }
  async putSetting(name: SettingName, value: unknown) {
    this.settings.set(name, clone(value));
  }
  async clearAll() {
    const counts = {
      keys: this.keys.size,
      fingerprints: this.fps.size,
      instanceTags: this.tags.size,
      sites: this.sites.size + this.buddies.size,
    };
    this.keys.clear();
    this.buddies.clear();
    this.fps.clear();
    this.tags.clear();
    this.sites.clear();
    this.lock = null;
    this.settings.clear();
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
  async getBuddyPolicy(account: string, protocol: string, buddy: string) {
    return this.buddies.get(k(account, protocol, buddy))?.policy ?? null;
  }
  async putBuddyPolicy(p: BuddyPolicy) {
    this.buddies.set(k(p.account, p.protocol, p.buddy), clone(p));
  }
  async deleteBuddyPolicy(account: string, protocol: string, buddy: string) {
    this.buddies.delete(k(account, protocol, buddy));
  }
  async listBuddyPolicies() {
    return [...this.buddies.values()].map(clone);
  }
}

/**
 * A storage.session stand-in: JSON values, like the browser keeps them, and the browsers' quota
 * (storedBytes: key + JSON of the value in UTF-8, or Chromium's count by memory where more) with
 * Chrome's error message; a write is all or nothing, as in the browser.
 */
export class MemoryArea implements StorageAreaLike {
  readonly data = new Map<string, string>();
  private readonly sizes = new Map<string, number>();
  private used = 0;
  constructor(readonly quotaBytes = 10 * 1024 * 1024) {}
  bytesInUse(): number {
    return this.used;
  }
  async get(keys: string | string[] | null) {
    const want = keys === null ? [...this.data.keys()] : typeof keys === 'string' ? [keys] : keys;
    const out: Record<string, unknown> = {};
    for (const k of want) {
      const v = this.data.get(k);
      if (v !== undefined) out[k] = JSON.parse(v);
    }
    return out;
  }
  async set(items: Record<string, unknown>) {
    const next = Object.entries(items).map(([k, v]) => {
      const json = JSON.stringify(v);
      return [k, json, storedBytes(k, v, json)] as const;
    });
    const after = next.reduce((a, [k, , size]) => a - (this.sizes.get(k) ?? 0) + size, this.used);
    if (after > this.quotaBytes) throw new Error('Session storage quota bytes exceeded');
    for (const [k, json, size] of next) {
      this.data.set(k, json);
      this.sizes.set(k, size);
    }
    this.used = after;
  }
  /** storage.StorageArea.clear(). */
  clear(): void {
    this.data.clear();
    this.sizes.clear();
    this.used = 0;
  }
  async remove(keys: string | string[]) {
    for (const k of typeof keys === 'string' ? [keys] : keys) {
      this.used -= this.sizes.get(k) ?? 0;
      this.sizes.delete(k);
      this.data.delete(k);
    }
  }
}

/** The real storage.session store over a MemoryArea: the same code, the same budgets. */
export class MemorySessionStore extends StorageSessionStore {
  constructor(
    readonly memory: MemoryArea = new MemoryArea(),
    budgets: Partial<Budgets> = {},
  ) {
    super(memory, budgets);
  }
}
