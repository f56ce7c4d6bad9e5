// The IndexedDB KeyStore's buddies' policies (schema v3), on fake-indexeddb: a database made by
// the previous version (v2) is upgraded with its records kept; a buddy's policy is kept per
// account, protocol and buddy, removed on its own, and a stored value that is not a policy is
// never handed out; the panic wipe's clearAll erases them and counts them with the sites.

import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import { describe, expect, it } from 'vitest';
import { DB_VERSION, IdbKeyStore } from '../../../src/store/idb';

/** The database as version 2 left it: v1's stores and meta, one site and one fingerprint. */
async function makeV2(name: string): Promise<void> {
  const db = await openDB(name, 2, {
    upgrade(db) {
      db.createObjectStore('keys', { keyPath: ['account', 'protocol'] });
      db.createObjectStore('instanceTags', { keyPath: ['account', 'protocol'] });
      const fps = db.createObjectStore('fingerprints', {
        keyPath: ['account', 'protocol', 'buddy', 'fingerprint'],
      });
      fps.createIndex('byBuddy', ['account', 'protocol', 'buddy']);
      db.createObjectStore('sites', { keyPath: 'origin' });
      db.createObjectStore('meta');
    },
  });
  await db.put('sites', { origin: 'https://chat.example', policy: 'always' });
  await db.put('fingerprints', {
    account: 'alice',
    protocol: 'prpl-irc',
    buddy: 'bob',
    fingerprint: 'a'.repeat(40),
    trust: 'verified',
    firstSeen: 1,
    lastSeen: 2,
  });
  db.close();
}

describe('IdbKeyStore: buddies (v3)', () => {
  it('upgrades a v2 database keeping its records, then keeps a policy per buddy', async () => {
    expect(DB_VERSION).toBe(3);
    await makeV2('offrecord-upgrade');
    const store = await IdbKeyStore.open('offrecord-upgrade');
    try {
      expect(await store.getSite('https://chat.example')).toEqual({
        origin: 'https://chat.example',
        policy: 'always',
      });
      expect(await store.listFingerprints()).toHaveLength(1);
      expect(await store.listBuddyPolicies()).toEqual([]);

      await store.putBuddyPolicy({ account: 'alice', protocol: 'prpl-irc', buddy: 'bob', policy: 'never' });
      await store.putBuddyPolicy({
        account: 'alice',
        protocol: 'prpl-jabber',
        buddy: 'bob',
        policy: 'always',
      });
      expect(await store.getBuddyPolicy('alice', 'prpl-irc', 'bob')).toBe('never');
      expect(await store.getBuddyPolicy('alice', 'prpl-jabber', 'bob')).toBe('always');
      expect(await store.getBuddyPolicy('alice', 'prpl-irc', 'carol')).toBeNull();
      await store.putBuddyPolicy({ account: 'alice', protocol: 'prpl-irc', buddy: 'bob', policy: 'manual' });
      await store.deleteBuddyPolicy('alice', 'prpl-jabber', 'bob');
      expect(await store.listBuddyPolicies()).toEqual([
        { account: 'alice', protocol: 'prpl-irc', buddy: 'bob', policy: 'manual' },
      ]);
    } finally {
      store.close();
    }
  });

  it('never hands out a stored value that is not a policy', async () => {
    const store = await IdbKeyStore.open('offrecord-bad');
    store.close();
    const db = await openDB('offrecord-bad', DB_VERSION);
    await db.put('buddies', { account: 'a', protocol: 'p', buddy: 'b', policy: 'sometimes' });
    db.close();
    const again = await IdbKeyStore.open('offrecord-bad');
    try {
      expect(await again.getBuddyPolicy('a', 'p', 'b')).toBeNull();
      expect(await again.listBuddyPolicies()).toEqual([]);
    } finally {
      again.close();
    }
  });

  it('clearAll erases the buddies and counts them with the sites', async () => {
    const store = await IdbKeyStore.open('offrecord-wipe');
    try {
      await store.putSite({ origin: 'https://chat.example', policy: 'manual' });
      await store.putBuddyPolicy({ account: 'a', protocol: 'p', buddy: 'b', policy: 'never' });
      await store.putBuddyPolicy({ account: 'a', protocol: 'p', buddy: 'c', policy: 'always' });
      expect((await store.clearAll()).sites).toBe(3);
      expect(await store.listBuddyPolicies()).toEqual([]);
      expect(await store.listSites()).toEqual([]);
    } finally {
      store.close();
    }
  });
});
