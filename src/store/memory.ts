/** In-memory stores for unit tests (and the same semantics the real ones must keep). */
import type { DsaPrivateKey } from '../crypto/dsa';
import type { ConversationRecord, FingerprintRecord, KeyStore, SessionStore, SiteSettings } from './types';

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
