// Counting a storage flood's rows (the budgets suites in both browsers): every row the page
// showed is processed (stored, trimmed since, or not stored) or dropped by the rate limit.

import { waitFor } from './ngircd';

/** What the status request tells about the flood tab (only the fields counted here). */
export interface FloodStatus {
  tab: { dropped?: number } | null;
  status: { limits?: { trimmed: number; notStored: number } } | null;
}

/** The store's transcript index (storage.session `txindex`): entries per chunk, per conversation. */
export interface TranscriptIndex {
  convs: Record<string, { id: string; chunks: [number, number][] }>;
}

export interface FloodCount {
  stored: number;
  trimmed: number;
  notStored: number;
  dropped: number;
  sum: number;
}

/** The flood conversation's rows (the one whose id names `peer`), by where each went. */
export function floodCount(s: FloodStatus, index: TranscriptIndex | null, peer: string): FloodCount {
  const conv = Object.values(index?.convs ?? {}).find((c) => c.id.includes(JSON.stringify(peer)));
  const l = s.status?.limits;
  const parts = {
    stored: (conv?.chunks ?? []).reduce((a, [, n]) => a + n, 0),
    trimmed: l?.trimmed ?? 0,
    notStored: l?.notStored ?? 0,
    dropped: s.tab?.dropped ?? 0,
  };
  return { ...parts, sum: parts.stored + parts.trimmed + parts.notStored + parts.dropped };
}

/**
 * Waits until the count reaches `rows` and has stopped moving (3 equal reads, 500 ms apart): the
 * status and the index are two reads while the worker may still be at work. Returns the count.
 */
export async function floodAtRest(
  read: () => Promise<FloodCount>,
  rows: number,
  timeoutMs: number,
): Promise<FloodCount> {
  const reads: string[] = [];
  let last: FloodCount | undefined;
  await waitFor(
    'every flood row processed or dropped, and the counts at rest',
    async () => {
      last = await read().catch(() => undefined);
      reads.push(JSON.stringify(last));
      const still = reads.length >= 3 && reads.slice(-3).every((r) => r === reads.at(-1));
      return last && last.sum >= rows && still ? true : undefined;
    },
    timeoutMs,
    500,
  );
  return last as FloodCount;
}
