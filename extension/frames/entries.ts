// Transcript bookkeeping for the secure transcript frame (pure, unit-tested).

import type { TranscriptEntry } from '../shared/messages';

/** Replaces entries with the same direction and id (a held line that was then sent), appends new ones. */
export function mergeEntries(old: TranscriptEntry[], added: TranscriptEntry[]): TranscriptEntry[] {
  const out = old.slice();
  const index = new Map(out.map((e, i) => [`${e.dir}:${e.id}`, i]));
  for (const e of added) {
    const key = `${e.dir}:${e.id}`;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(e);
    } else {
      out[at] = e;
    }
  }
  return out;
}
