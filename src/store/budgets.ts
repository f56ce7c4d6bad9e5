/**
 * Byte budgets on what offrecord keeps in storage.session (invariant I8: no page input can
 * exhaust storage, and one conversation's failure never stops another's).
 *
 * storage.session holds 10 MiB in Chrome (QUOTA_BYTES) and Firefox; everything a page can make
 * us store is bounded so that the sum stays below TOTAL with room to spare for the tab table.
 * Sizes are counted as the browsers count them (`storedBytes`): the key's length plus the JSON
 * of the value in UTF-8 bytes, or Chromium's count of storage.session by memory where that is more.
 */
import { utf8Encode } from '../crypto/bytes';

export const BUDGETS = {
  /**
   * One conversation's state record (OTR snapshot, outbox, seen ids, flags). The engine keeps it
   * small (≤ 64 instances of ~3 KiB, no fragment buffers); a record over this is refused.
   */
  stateBytes: 192 * 1024,
  /** Wire lines the page has not yet taken from the outbox; beyond it new lines are dropped. */
  outboxBytes: 64 * 1024,
  /** Chat messages remembered as processed (each a 16-character hash). */
  seenIds: 2000,
  /** Conversation records per site; a new one over it replaces a plain, idle one or is refused. */
  conversationsPerSite: 16,
  /** Transcript of one conversation; over it its oldest entries are dropped. */
  transcriptPerConversation: 512 * 1024,
  /** Transcripts of one site's conversations together; over it the largest one gives up its oldest. */
  transcriptPerSite: 1536 * 1024,
  /** Every transcript together. */
  transcriptTotal: 3 * 1024 * 1024,
  /**
   * Everything the store keeps (states + transcripts + index); a save over it is refused. Beside
   * it in the same 10 MiB: the tab table (1 MiB, extension/background/tab-table.ts) and the lock's
   * held inbox (512 KiB, held-inbox.ts), with 1 MiB to spare for the small keys and for counting
   * differences between browsers.
   */
  total: 7.5 * 1024 * 1024,
  /** A transcript chunk is closed once it holds this much: a save rewrites at most one such chunk. */
  chunkBytes: 16 * 1024,
  /** Characters kept of a line the buddy sent without encryption (the page can write anything). */
  plainText: 2000,
  /** Characters kept of an encrypted message (the compose box takes 20,000). */
  encryptedText: 32_000,
} as const;

/**
 * What a key and its value cost in storage, in bytes: the larger of the two ways browsers count.
 * storage.local (and Firefox) count the key and the JSON of the value in UTF-8. Chromium counts
 * storage.session by the memory its values take (`chromiumBytes`), which for an array of small
 * objects (a transcript chunk, the tab table) is 2 to 5 times their JSON. `json`: the value's
 * JSON when the caller has it already.
 */
export function storedBytes(key: string, value: unknown, json = JSON.stringify(value)): number {
  return Math.max(utf8Length(key) + utf8Length(json), chromiumBytes(key, value));
}

/**
 * Bytes Chromium counts for a key and its value in storage.session (SessionStorageManager: the
 * estimated memory of the key and of the base::Value): a string's heap (its UTF-8 bytes + 1,
 * rounded up to 8; none for up to 22 bytes, kept inline), 32 bytes per array element and 64 per
 * object member besides their contents, nothing for numbers, booleans and null. Checked against
 * Chromium's getBytesInUse in test/e2e/storage-bytes-chromium.test.ts.
 */
export function chromiumBytes(key: string, value: unknown): number {
  return stringHeap(key) + valueHeap(value);
}

function stringHeap(s: string): number {
  const n = utf8Length(s);
  return n <= 22 ? 0 : (n + 8) & ~7;
}

function valueHeap(v: unknown): number {
  if (typeof v === 'string') return stringHeap(v);
  if (Array.isArray(v)) {
    let n = 32 * v.length;
    for (const x of v) n += valueHeap(x);
    return n;
  }
  if (typeof v === 'object' && v !== null) {
    let n = 0;
    for (const [k, x] of Object.entries(v)) if (x !== undefined) n += 64 + stringHeap(k) + valueHeap(x);
    return n;
  }
  return 0;
}

/** UTF-8 length of a JS string (pure-ASCII strings, the usual case, without encoding them). */
export function utf8Length(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point
  return /[^\u0000-\u007f]/.test(s) ? utf8Encode(s).length : s.length;
}

/** storage.session's quota in Chrome (QUOTA_BYTES) and Firefox: every budget together stays under it. */
export const SESSION_QUOTA_BYTES = 10 * 1024 * 1024;

/** A save refused because it would break a byte budget: the conversation's operation fails, nothing else. */
export class BudgetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetError';
  }
}
