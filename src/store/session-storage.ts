/**
 * SessionStore on `storage.session` (memory only: survives the worker being stopped, gone when
 * the browser closes, never written to disk — so the OTR session keys it holds keep their forward
 * secrecy). Records are stored as JSON values under `conv:…` keys; a save resolves only once the
 * browser stored it (the SessionManager releases effects only after that).
 *
 * Chrome caps storage.session at 10 MB (QUOTA_BYTES): a save over the quota rejects, and the
 * SessionManager then releases nothing (not stored means not happened). Records are bounded by
 * the manager (seen ids, transcript length), so a few hundred conversations fit.
 */
import type { ConversationRecord, SessionStore } from './types';

/** The part of storage.StorageArea used here (webextension-polyfill's and chrome's both fit). */
export interface StorageAreaLike {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

/** Only keys with this prefix belong to the store (the background keeps other data beside it). */
export const SESSION_KEY_PREFIX = 'conv:';

export class StorageSessionStore implements SessionStore {
  constructor(private readonly area: StorageAreaLike) {}

  private static check(id: string): string {
    if (!id.startsWith(SESSION_KEY_PREFIX)) throw new RangeError(`not a conversation id: ${id.slice(0, 40)}`);
    return id;
  }

  async load(id: string): Promise<ConversationRecord | null> {
    const got = await this.area.get(StorageSessionStore.check(id));
    const v = got[id];
    if (typeof v !== 'object' || v === null || (v as { v?: unknown }).v !== 1) return null;
    // A fresh copy: callers mutate what they load.
    return JSON.parse(JSON.stringify(v)) as ConversationRecord;
  }

  async save(id: string, rec: ConversationRecord): Promise<void> {
    // JSON round trip: the same plain data in every browser, and a non-JSON value fails here, loudly.
    const plain = JSON.parse(JSON.stringify(rec)) as unknown;
    await this.area.set({ [StorageSessionStore.check(id)]: plain });
  }

  async remove(id: string): Promise<void> {
    await this.area.remove(StorageSessionStore.check(id));
  }

  async list(): Promise<string[]> {
    const all = await this.area.get(null);
    return Object.keys(all).filter((k) => k.startsWith(SESSION_KEY_PREFIX));
  }
}
