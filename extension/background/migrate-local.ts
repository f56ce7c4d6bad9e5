// Until this version the security mark and the lock settings were kept in storage.local, which
// Chrome and Firefox let content scripts read and write. They now live in the extension origin's
// IndexedDB (types.ts SettingsStore). At the update that brings this code (runtime.onInstalled,
// reason 'update') they are moved once: copied where IndexedDB has none yet, then removed from
// storage.local. Run only then: a value a content script plants in storage.local later is never read.

import type { StorageAreaLike } from '../../src/store/session-storage';
import type { SettingName, SettingsStore } from '../../src/store/types';
import { OLD_MARK_KEY } from '../shared/mark';
import { OLD_SETTINGS_KEY } from './lock';

const MOVED: [string, SettingName][] = [
  [OLD_MARK_KEY, 'securityMark'],
  [OLD_SETTINGS_KEY, 'lockSettings'],
];

export async function moveSettingsOutOfLocal(local: StorageAreaLike, settings: SettingsStore): Promise<void> {
  const old = await local.get(MOVED.map(([key]) => key));
  for (const [key, name] of MOVED) {
    if (old[key] !== undefined && (await settings.getSetting(name)) === null)
      await settings.putSetting(name, old[key]);
  }
  await local.remove(MOVED.map(([key]) => key));
}
