// The passphrase lock as the background runs it (issue 18): the Keyring's lock state, the
// auto-lock timer, the held inbox and the user's lock settings. No browser API here: the storage
// areas, the clock and the callbacks come in through LockDeps (unit tests use memory areas).
//
// Where things live:
//   storage.local   `lock:settings`  { autoLockSeconds, offerDismissed }   (disk: no secret)
//   storage.session `lock:kek`       the key-encryption key while unlocked (memory only, I5)
//   storage.session `lock:active`    when the user last used offrecord (auto-lock deadline)
//   storage.session `lock:held`      buddies' messages held while locked (held-inbox.ts)
// Auto-lock: checked before every request, on the one-minute alarm, at every worker start, and by
// a timer while the worker is awake. Activity is what the user does in offrecord's own pages (a
// request other than a status read); a chatty buddy does not keep the keys unlocked.

import { bytesToHex, hexToBytes } from '../../src/crypto/bytes';
import { KEK_BYTES } from '../../src/store/key-lock';
import type { Keyring, SecretCache } from '../../src/store/keyring';
import type { StorageAreaLike } from '../../src/store/session-storage';
import type { LockInfo } from '../shared/messages';
import { LIMITS } from '../shared/messages';
import { HeldInbox } from './held-inbox';

export const KEK_KEY = 'lock:kek';
export const ACTIVE_KEY = 'lock:active';
export const SETTINGS_KEY = 'lock:settings';
export const LOCK_ALARM = 'offrecord-autolock';
/** Fifteen minutes without use, unless the user says otherwise. */
export const DEFAULT_AUTO_LOCK_SECONDS = 15 * 60;

interface LockSettings {
  autoLockSeconds: number;
  offerDismissed: boolean;
}

/** The KEK in storage.session, as hex (JSON-safe in every browser). */
export class SessionSecretCache implements SecretCache {
  constructor(private readonly area: StorageAreaLike) {}
  async get(): Promise<Uint8Array | null> {
    const v = (await this.area.get(KEK_KEY))[KEK_KEY];
    if (typeof v !== 'string' || v.length !== KEK_BYTES * 2) return null;
    try {
      return hexToBytes(v);
    } catch {
      return null;
    }
  }
  async set(kek: Uint8Array): Promise<void> {
    await this.area.set({ [KEK_KEY]: bytesToHex(kek) });
  }
  async clear(): Promise<void> {
    await this.area.remove(KEK_KEY);
  }
}

export interface LockDeps {
  keyring: Keyring;
  /** storage.session */
  session: StorageAreaLike;
  /** storage.local */
  local: StorageAreaLike;
  now?: () => number;
  /** The shortest auto-lock the user may set (60 s; the test build allows seconds). */
  minAutoLockSeconds: number;
  /** The keys were just locked: drop whatever was built from them (the SessionManager's sessions). */
  onLocked(): void;
  /** Something the pages show changed. */
  onChange(info: LockInfo): void;
}

/**
 * Requests that only read: they do not count as the user using offrecord. The panel's hello is
 * one: the panel sends it on every reconnect (each time the worker restarted) and when the page
 * switches its chat, so counting it would keep the keys unlocked with nobody at the keyboard.
 */
const READS = new Set([
  'status',
  'lock-state',
  'keys-list',
  'fingerprints-list',
  'sites-list',
  'buddy-policies',
  'profile-get',
  'accounts-seen',
  'panel-hello',
]);

export class LockService {
  readonly inbox: HeldInbox;
  private readonly now: () => number;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastTouch = 0;

  constructor(private readonly deps: LockDeps) {
    this.inbox = new HeldInbox(deps.session);
    this.now = deps.now ?? Date.now;
  }

  get keyring(): Keyring {
    return this.deps.keyring;
  }

  private async settings(): Promise<LockSettings> {
    const v = (await this.deps.local.get(SETTINGS_KEY))[SETTINGS_KEY] as Partial<LockSettings> | undefined;
    const secs = v?.autoLockSeconds;
    return {
      autoLockSeconds:
        typeof secs === 'number' && Number.isSafeInteger(secs) && secs >= 0 && secs <= LIMITS.autoLockSeconds
          ? secs
          : DEFAULT_AUTO_LOCK_SECONDS,
      offerDismissed: v?.offerDismissed === true,
    };
  }

  private async saveSettings(s: LockSettings): Promise<void> {
    await this.deps.local.set({ [SETTINGS_KEY]: s });
  }

  async info(): Promise<LockInfo> {
    const [state, s, held] = await Promise.all([
      this.deps.keyring.state(),
      this.settings(),
      this.inbox.count(),
    ]);
    const hasKeys = state === 'none' && (await this.deps.keyring.listPublicKeys()).length > 0;
    return {
      state,
      autoLockSeconds: s.autoLockSeconds,
      held: Math.min(held, LIMITS.heldWhileLocked),
      offer: state === 'none' && hasKeys && !s.offerDismissed,
    };
  }

  private async changed(): Promise<LockInfo> {
    const info = await this.info();
    this.deps.onChange(info);
    return info;
  }

  async setPassphrase(passphrase: string): Promise<LockInfo> {
    await this.deps.keyring.setPassphrase(passphrase);
    await this.touch(true);
    return this.changed();
  }

  async unlock(passphrase: string): Promise<LockInfo> {
    await this.deps.keyring.unlock(passphrase);
    await this.touch(true);
    return this.changed();
  }

  async lockNow(): Promise<LockInfo> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.deps.keyring.lock();
    await this.deps.session.remove(ACTIVE_KEY);
    this.deps.onLocked();
    return this.changed();
  }

  async changePassphrase(oldPassphrase: string, newPassphrase: string): Promise<LockInfo> {
    await this.deps.keyring.changePassphrase(oldPassphrase, newPassphrase);
    await this.touch(true);
    return this.changed();
  }

  async removePassphrase(passphrase: string): Promise<LockInfo> {
    await this.deps.keyring.removePassphrase(passphrase);
    return this.changed();
  }

  async setAutoLock(seconds: number): Promise<LockInfo> {
    if (seconds !== 0 && seconds < this.deps.minAutoLockSeconds)
      throw new RangeError(`Auto-lock needs at least ${this.deps.minAutoLockSeconds} seconds (or 0: never).`);
    await this.saveSettings({ ...(await this.settings()), autoLockSeconds: seconds });
    await this.touch(true);
    return this.changed();
  }

  async dismissOffer(): Promise<LockInfo> {
    await this.saveSettings({ ...(await this.settings()), offerDismissed: true });
    return this.changed();
  }

  /**
   * Before a request: lock first if the deadline passed (a request after it sees the keys
   * locked), then count it as use unless it only reads.
   */
  async beforeRequest(type: string): Promise<void> {
    await this.checkAutoLock();
    if (!READS.has(type)) await this.touch(false);
  }

  /** The user used offrecord now: restart the auto-lock countdown (stored at most once a second). */
  async touch(force: boolean): Promise<void> {
    const now = this.now();
    if (!force && now - this.lastTouch < 1000) return;
    if ((await this.deps.keyring.state()) !== 'unlocked') return;
    this.lastTouch = now;
    await this.deps.session.set({ [ACTIVE_KEY]: now });
    await this.schedule();
  }

  /** Locks when the auto-lock deadline has passed; true when it locked. */
  async checkAutoLock(): Promise<boolean> {
    const { autoLockSeconds } = await this.settings();
    if (autoLockSeconds === 0 || (await this.deps.keyring.state()) !== 'unlocked') return false;
    const active = (await this.deps.session.get(ACTIVE_KEY))[ACTIVE_KEY];
    // Unlocked with no activity stamp (a worker that died right after the unlock): count from now.
    if (typeof active !== 'number') {
      await this.touch(true);
      return false;
    }
    if (this.now() - active < autoLockSeconds * 1000) {
      await this.schedule();
      return false;
    }
    await this.lockNow();
    return true;
  }

  /** A timer for the rest of the countdown while the worker is awake (the alarm covers the rest). */
  private async schedule(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const { autoLockSeconds } = await this.settings();
    if (autoLockSeconds === 0) return;
    const active = (await this.deps.session.get(ACTIVE_KEY))[ACTIVE_KEY];
    if (typeof active !== 'number') return;
    const wait = Math.max(0, active + autoLockSeconds * 1000 - this.now()) + 50;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.checkAutoLock().catch(() => undefined);
    }, wait);
  }

  /** Everything of the lock: the keys' database (via the Keyring), settings, held messages. */
  async wipeAll(): Promise<ReturnType<Keyring['wipe']> extends Promise<infer R> ? R : never> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const counts = await this.deps.keyring.wipe();
    await this.inbox.clear();
    await this.deps.session.remove([ACTIVE_KEY, KEK_KEY]);
    await this.deps.local.remove(SETTINGS_KEY);
    this.deps.onLocked();
    return counts;
  }
}
