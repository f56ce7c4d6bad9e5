// The security mark: a phrase and a colour the user picks (or accepts) at first use, shown in the
// side panel's and the popup's header. A page can draw a look-alike panel but cannot know the mark,
// so a fake is recognisable (Mailvelope's security background, for the same reason). It lives in
// storage.local of the extension and is never sent to a content script or a page.

import browser from 'webextension-polyfill';

export const MARK_KEY = 'securityMark';

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

/** The stored mark; at first use a generated one is stored (unconfirmed) so it stays the same. */
export async function loadMark(): Promise<SecurityMark> {
  const got = validMark((await browser.storage.local.get(MARK_KEY))[MARK_KEY]);
  if (got) return got;
  const fresh = generateMark();
  await browser.storage.local.set({ [MARK_KEY]: fresh });
  return fresh;
}

export async function saveMark(mark: SecurityMark): Promise<void> {
  const ok = validMark(mark);
  if (!ok) throw new Error('invalid security mark');
  await browser.storage.local.set({ [MARK_KEY]: ok });
}
