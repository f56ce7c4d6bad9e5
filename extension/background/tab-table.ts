// tab → what its content script reported: the page, its open chat (ConversationInfo, and the
// ConversationRef whose site comes from the sender, never from the message), the badge shown.
// Kept in storage.session (content scripts cannot read it) so a restarted worker still knows
// which conversation each tab shows, and can redraw badges and resend undelivered lines.

import { BudgetError, storedBytes } from '../../src/store/budgets';
import type { StorageAreaLike } from '../../src/store/session-storage';
import type { BadgeAlert, BadgeStatus, ConversationInfo, PageInfo } from '../shared/messages';
import type { ConversationRef } from './session-manager';

export interface TabRecord {
  url: string;
  origin: string;
  /** Which port said hello, so a late disconnect of the previous page's port does not erase it. */
  connection: string;
  conversation: ConversationInfo | null;
  /** Set for a one-to-one chat only. */
  ref: ConversationRef | null;
  /** Last private-mode state pushed to the tab's content script. */
  privateMode: boolean;
  badge: BadgeStatus;
  alert: BadgeAlert;
  /** What the content script last said it found on the page (absent: nothing said yet). */
  page?: PageInfo;
  /** Chat messages dropped by the incoming rate limit (I8), counted for the popup. */
  dropped?: number;
}

type Table = Record<string, TabRecord>;

export const TABS_KEY = 'tabs';
/**
 * Bytes the tab table may take in storage.session (storedBytes, I8). A record is bounded by the
 * validators (url, conversation, page info: a few KB at worst), so this is hundreds of tabs; a
 * change that would grow the table past it is refused for that tab only.
 */
export const TAB_TABLE_BYTES = 1024 * 1024;

export class TabTable {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly area: StorageAreaLike,
    private readonly maxBytes = TAB_TABLE_BYTES,
  ) {}

  private async load(): Promise<Table> {
    const got = await this.area.get(TABS_KEY);
    const t = got[TABS_KEY];
    return typeof t === 'object' && t !== null ? (t as Table) : {};
  }

  async get(tabId: number): Promise<TabRecord | null> {
    await this.chain.catch(() => undefined);
    return (await this.load())[tabId] ?? null;
  }

  async all(): Promise<[number, TabRecord][]> {
    await this.chain.catch(() => undefined);
    return Object.entries(await this.load()).map(([k, v]) => [Number(k), v]);
  }

  /**
   * Read-modify-write of one tab, serialized so concurrent updates don't lose each other.
   * `fn` returns the new record, or null to delete it, or the record it was given to leave it as
   * it is (no write); resolves with what is stored.
   */
  update(tabId: number, fn: (old: TabRecord | null) => TabRecord | null): Promise<TabRecord | null> {
    const next = this.chain.then(async () => {
      const t = await this.load();
      const old = t[tabId] ?? null;
      const rec = fn(old);
      // Unchanged (the same record, or still none): nothing to write.
      if (rec === old) return rec;
      if (rec) t[tabId] = rec;
      else delete t[tabId];
      // Over its budget, a record may only shrink (or go): the tab asking for more is refused.
      const bytes = storedBytes(TABS_KEY, t);
      if (rec && bytes > this.maxBytes && (!old || storedBytes('', rec) > storedBytes('', old)))
        throw new BudgetError(
          `The tab table would take ${bytes} bytes, over its budget of ${this.maxBytes}: this tab's change is not stored.`,
        );
      await this.area.set({ [TABS_KEY]: t });
      return rec;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }
}
