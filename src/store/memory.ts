/** In-memory stores for unit tests (and the same semantics the real ones must keep). */
import type { DsaPrivateKey } from '../crypto/dsa';
import { utf8Length } from './budgets';
import { type Budgets, type StorageAreaLike, StorageSessionStore } from './session-storage';
import type { FingerprintRecord, KeyStore, SiteSettings } from './types';

const k = (...parts: string[]) => JSON.stringify(parts);
/** Stored values are copied in and out, as structured clone does for IndexedDB and storage. */
const clone = <T>(x: T): T => structuredClone(x);

export class MemoryKeyStore implements KeyStore {
  private keys = new Map<
    string,
    { account: string; protocol: string; key: DsaPrivateKey; created: number }
  >();
  private tags = new Map<string, number>();
  private fps = new Map<string, FingerprintRecord>();
  private sites = new Map<string, SiteSettings>();

  async getKey(account: string, protocol: string) {
    const r = this.keys.get(k(account, protocol));
    return r ? clone(r.key) : null;
  }
  async putKey(account: string, protocol: string, key: DsaPrivateKey) {
    this.keys.set(k(account, protocol), { account, protocol, key: clone(key), created: Date.now() });
  }
  async deleteKey(account: string, protocol: string) {
    this.keys.delete(k(account, protocol));
  }
  async listKeys() {
    return [...this.keys.values()].map(clone);
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

/**
 * A storage.session stand-in: JSON values, like the browser keeps them, and the browser's quota
 * (key length + JSON of the value, in UTF-8 bytes) with Chrome's error message; a write is all
 * or nothing, as in the browser.
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
      return [k, json, utf8Length(k) + utf8Length(json)] as const;
    });
    const after = next.reduce((a, [k, , size]) => a - (this.sizes.get(k) ?? 0) + size, this.used);
    if (after > this.quotaBytes) throw new Error('Session storage quota bytes exceeded');
    for (const [k, json, size] of next) {
      this.data.set(k, json);
      this.sizes.set(k, size);
    }
    this.used = after;
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
