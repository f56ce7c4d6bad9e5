// The per-tab limit on incoming chat messages (I8): a page that shows rows faster than any person
// types cannot make the worker decrypt, hash and store without end. Two token buckets per tab, one
// counting messages and one counting characters; a message either takes from both or is dropped
// (and counted: the popup shows how many). Time is injected, so tests need no clock.

import { bytesToHex, utf8Encode } from '../../src/crypto/bytes';
import { sha256 } from '../../src/crypto/hash';

export interface RateLimits {
  /** Messages a tab may send at once, and per second after that. */
  burstMessages: number;
  messagesPerSecond: number;
  /** Characters likewise (a 99 KB row costs 99,000). */
  burstChars: number;
  charsPerSecond: number;
}

export const INCOMING_LIMITS: RateLimits = {
  burstMessages: 400,
  messagesPerSecond: 40,
  burstChars: 4_000_000,
  charsPerSecond: 400_000,
};

/** Dropped rows remembered per tab (as many as a content script remembers reported rows). */
export const MAX_DROPPED_ROWS = 20_000;

interface Bucket {
  messages: number;
  chars: number;
  at: number;
}

export class IncomingLimiter {
  private readonly buckets = new Map<number, Bucket>();
  /**
   * Rows of each tab dropped and not processed since, oldest first: the count of dropped rows is
   * exact when the content script sends a batch again (a failed request) or the page shows a
   * dropped row again, which is then processed or dropped, never counted twice.
   */
  private readonly droppedRows = new Map<number, Set<string>>();

  constructor(
    private readonly now: () => number = Date.now,
    readonly limits: RateLimits = INCOMING_LIMITS,
  ) {}

  /**
   * Whether `messages` messages of `chars` characters from this tab may be processed now (both
   * buckets, or neither is touched). The router pays a row's characters before it is looked at
   * (telling a new row from one processed before hashes its text) and its message once it is new.
   */
  take(tabId: number, chars: number, messages = 1): boolean {
    const l = this.limits;
    const t = this.now();
    const b = this.buckets.get(tabId) ?? { messages: l.burstMessages, chars: l.burstChars, at: t };
    const dt = Math.max(0, t - b.at) / 1000;
    b.messages = Math.min(l.burstMessages, b.messages + dt * l.messagesPerSecond);
    b.chars = Math.min(l.burstChars, b.chars + dt * l.charsPerSecond);
    b.at = t;
    this.buckets.set(tabId, b);
    if (b.messages < messages || b.chars < chars) return false;
    b.messages -= messages;
    b.chars -= chars;
    return true;
  }

  /** A row was dropped; true when it is newly dropped (to be counted), false when it was already. */
  noteDropped(tabId: number, rowId: string, chars: number): boolean {
    let rows = this.droppedRows.get(tabId);
    if (!rows) {
      rows = new Set();
      this.droppedRows.set(tabId, rows);
    }
    const row = rowKey(rowId, chars);
    if (rows.has(row)) return false;
    rows.add(row);
    if (rows.size > MAX_DROPPED_ROWS) rows.delete(rows.values().next().value as string);
    return true;
  }

  /** A row was processed (or was already); true when it had been counted as dropped. */
  noteProcessed(tabId: number, rowId: string, chars: number): boolean {
    // Nothing dropped in this tab (the usual case): no row key to hash.
    const rows = this.droppedRows.get(tabId);
    return rows !== undefined && rows.size > 0 && rows.delete(rowKey(rowId, chars));
  }

  /** Characters the dropped rows of a tab take in memory (bounded whatever ids the page gives). */
  droppedMemoryChars(tabId: number): number {
    let n = 0;
    for (const r of this.droppedRows.get(tabId) ?? []) n += r.length;
    return n;
  }

  forget(tabId: number): void {
    this.buckets.delete(tabId);
    this.droppedRows.delete(tabId);
  }
}

/**
 * A dropped row's key: 64 bits of SHA-256 over (the page's row id, the text's length), fixed size
 * however long the ids the page chooses (20,000 ids of 200 characters would be 8 MB a tab).
 */
function rowKey(rowId: string, chars: number): string {
  return bytesToHex(sha256(utf8Encode(`${rowId}\u0000${chars}`))).slice(0, 16);
}
