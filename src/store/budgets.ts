/**
 * Byte budgets on what offrecord keeps in storage.session (invariant I8: no page input can
 * exhaust storage, and one conversation's failure never stops another's).
 *
 * storage.session holds 10 MiB in Chrome (QUOTA_BYTES) and Firefox; everything a page can make
 * us store is bounded so that the sum stays below TOTAL with room to spare for the tab table.
 * Sizes are counted as the browser counts them: the key's length plus the JSON of the value,
 * in UTF-8 bytes (`storedBytes`).
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

/** What a key and its JSON value cost in storage, in UTF-8 bytes. */
export function storedBytes(key: string, value: unknown): number {
  return utf8Length(key) + utf8Length(JSON.stringify(value));
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
