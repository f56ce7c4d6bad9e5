// The security mark and the lock settings live in the extension origin's IndexedDB (content
// scripts can read and write storage.local, not that). An existing value is moved once, at the
// update that brings this (migrate-local.ts); the mark's own load and save use IndexedDB.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { moveSettingsOutOfLocal } from '../../../extension/background/migrate-local';
import { loadMark, saveMark } from '../../../extension/shared/mark';
import { IdbKeyStore } from '../../../src/store/idb';
import { MemoryArea, MemoryKeyStore } from '../../../src/store/memory';

const OLD_MARK = { phrase: 'otter lemon comet', colour: 'teal', confirmed: true };
const OLD_LOCK = { autoLockSeconds: 300, offerDismissed: true };

describe('moving settings out of storage.local', () => {
  it('copies the mark and the lock settings once and removes them from storage.local', async () => {
    const local = new MemoryArea();
    await local.set({ securityMark: OLD_MARK, 'lock:settings': OLD_LOCK, counter: 3 });
    const store = new MemoryKeyStore();
    await moveSettingsOutOfLocal(local, store);
    expect(await store.getSetting('securityMark')).toEqual(OLD_MARK);
    expect(await store.getSetting('lockSettings')).toEqual(OLD_LOCK);
    expect([...local.data.keys()]).toEqual(['counter']);
  });

  it('never overwrites what IndexedDB already holds, and removes the storage.local copy anyway', async () => {
    const local = new MemoryArea();
    await local.set({ securityMark: { ...OLD_MARK, phrase: 'planted by a page' } });
    const store = new MemoryKeyStore();
    await store.putSetting('securityMark', OLD_MARK);
    await moveSettingsOutOfLocal(local, store);
    expect(await store.getSetting('securityMark')).toEqual(OLD_MARK);
    expect(await store.getSetting('lockSettings')).toBeNull();
    expect(local.data.size).toBe(0);
  });
});

describe('the security mark', () => {
  it('is generated once and kept in the extension IndexedDB; a saved change is read back', async () => {
    const first = await loadMark();
    expect(first.phrase.split(' ')).toHaveLength(3);
    expect(first.confirmed).toBe(false);
    expect(await loadMark()).toEqual(first);
    const db = await IdbKeyStore.open();
    expect(await db.getSetting('securityMark')).toEqual(first);
    await saveMark({ ...first, phrase: 'my own words', confirmed: true });
    expect(await db.getSetting('securityMark')).toEqual({
      ...first,
      phrase: 'my own words',
      confirmed: true,
    });
    expect(await loadMark()).toEqual({ ...first, phrase: 'my own words', confirmed: true });
    await expect(saveMark({ ...first, phrase: '' })).rejects.toThrow(/invalid/);
    db.close();
  });
});
