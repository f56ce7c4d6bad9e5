// The security mark: a phrase and a colour the user picks (or accepts) at first use, shown in the
// side panel's and the popup's header. A page can draw a look-alike panel but cannot know the mark,
// so a fake is recognisable (Mailvelope's security background, for the same reason). It lives in
// the extension origin's IndexedDB (types.ts SettingsStore), which content scripts cannot open
// (theirs is the page's), and is never sent to a content script or a page.

import { IdbKeyStore } from '../../src/store/idb';
import type { SettingsStore } from '../../src/store/types';

/** Where the mark was kept before it moved to IndexedDB (moved by background/migrate-local.ts). */
export const OLD_MARK_KEY = 'securityMark';

/** The colours a mark can have: names of CSS variables (--mark-NAME, extension/shared/mark.css). */
export const MARK_COLOURS = ['teal', 'violet', 'amber', 'rose', 'blue', 'green', 'slate', 'orange'] as const;
export type MarkColour = (typeof MARK_COLOURS)[number];

export interface SecurityMark {
  phrase: string;
  colour: MarkColour;
  /** The user saw it and kept or changed it (until then the panel asks). */
  confirmed: boolean;
}

export const MARK_PHRASE_MAX = 60;

/** Words for a generated phrase: short, concrete, easy to recognise. */
const WORDS = [
  'amber',
  'anchor',
  'apple',
  'arrow',
  'badger',
  'banjo',
  'basil',
  'beacon',
  'birch',
  'bison',
  'cactus',
  'canoe',
  'castle',
  'cedar',
  'cherry',
  'cobalt',
  'comet',
  'coral',
  'cricket',
  'dune',
  'ember',
  'falcon',
  'fern',
  'fjord',
  'garnet',
  'ginger',
  'glacier',
  'harbor',
  'hazel',
  'heron',
  'iris',
  'ivory',
  'jasper',
  'juniper',
  'kettle',
  'kiwi',
  'lagoon',
  'lantern',
  'lemon',
  'lilac',
  'maple',
  'meadow',
  'mango',
  'marble',
  'nectar',
  'nutmeg',
  'oak',
  'olive',
  'onyx',
  'orchid',
  'otter',
  'pebble',
  'pepper',
  'pine',
  'plum',
  'quartz',
  'quill',
  'raven',
  'reef',
  'saffron',
  'sage',
  'salmon',
  'spruce',
  'tulip',
  'thistle',
  'tundra',
  'velvet',
  'walnut',
  'willow',
  'zephyr',
];

function randomIndex(n: number): number {
  const b = new Uint32Array(1);
  crypto.getRandomValues(b);
  return (b[0] as number) % n;
}

/** Three random words and a random colour (not yet confirmed by the user). */
export function generateMark(): SecurityMark {
  const words = [0, 1, 2].map(() => WORDS[randomIndex(WORDS.length)] as string);
  return {
    phrase: words.join(' '),
    colour: MARK_COLOURS[randomIndex(MARK_COLOURS.length)] as MarkColour,
    confirmed: false,
  };
}

export function validMark(x: unknown): SecurityMark | null {
  if (typeof x !== 'object' || x === null) return null;
  const m = x as Record<string, unknown>;
  if (typeof m.phrase !== 'string' || m.phrase.trim() === '' || m.phrase.length > MARK_PHRASE_MAX)
    return null;
  if (!MARK_COLOURS.includes(m.colour as MarkColour)) return null;
  return { phrase: m.phrase, colour: m.colour as MarkColour, confirmed: m.confirmed === true };
}

/** Runs `fn` on the given store, or on the extension's IndexedDB opened for it. */
async function withStore<T>(
  store: SettingsStore | undefined,
  fn: (s: SettingsStore) => Promise<T>,
): Promise<T> {
  if (store) return fn(store);
  const db = await IdbKeyStore.open();
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/** The stored mark; at first use a generated one is stored (unconfirmed) so it stays the same. */
export function loadMark(store?: SettingsStore): Promise<SecurityMark> {
  return withStore(store, async (s) => {
    const got = validMark(await s.getSetting('securityMark'));
    if (got) return got;
    const fresh = generateMark();
    await s.putSetting('securityMark', fresh);
    return fresh;
  });
}

export function saveMark(mark: SecurityMark, store?: SettingsStore): Promise<void> {
  const ok = validMark(mark);
  if (!ok) return Promise.reject(new Error('invalid security mark'));
  return withStore(store, (s) => s.putSetting('securityMark', ok));
}
