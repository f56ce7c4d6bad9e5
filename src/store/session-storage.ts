/**
 * SessionStore on `storage.session` (memory only: survives the worker being stopped, gone when
 * the browser closes, never written to disk — so the OTR session keys it holds keep their forward
 * secrecy). A save resolves only once the browser stored it (the SessionManager releases effects
 * only after that).
 *
 * Layout (every part has a byte budget, ./budgets.ts, invariant I8):
 *
 *   conv:<id>        one conversation's state record (OTR snapshot, outbox, seen hashes, flags),
 *                    at most BUDGETS.stateBytes
 *   tc:<h>:<n>       transcript chunk n of the conversation whose id hashes to h: an array of
 *                    entries, closed once it holds BUDGETS.chunkBytes; only the open (last) chunk
 *                    and chunks with changed entries are rewritten
 *   txindex          for every conversation: its id, site, state bytes, and its chunks' sizes
 *
 * A save is ONE storage write (state + changed chunks + index), so the state and the transcript
 * never disagree after a worker kill; chunks dropped by the budgets are removed after it. Budgets:
 * the transcript of a conversation, of a site and of all sites, each trimmed oldest chunk first
 * from the LARGEST conversation in the group (a page flooding one conversation trims its own
 * flood, not its neighbours'); conversation records per site; the total. Saves are serialised
 * in this store (they are small now), and one that fails rejects for its own conversation only.
 */
import { bytesToHex, utf8Encode } from '../crypto/bytes';
import { sha256 } from '../crypto/hash';
import { BUDGETS, BudgetError, chromiumBytes, storedBytes, utf8Length } from './budgets';
import { CONVERSATION_ID_PREFIX, parseConversationId } from './conversation-id';
import type {
  ConversationRecord,
  SaveReport,
  SessionStore,
  StoreUsage,
  TranscriptChanges,
  TranscriptEntry,
} from './types';

/** The part of storage.StorageArea used here (webextension-polyfill's and chrome's both fit). */
export interface StorageAreaLike {
  get(keys: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
}

export const CHUNK_KEY_PREFIX = 'tc:';
export const INDEX_KEY = 'txindex';

/** The budgets a store enforces; tests shrink them. */
export type Budgets = { -readonly [K in keyof typeof BUDGETS]: number };

interface ConvIndex {
  /** The conversation id (`conv:…`). */
  id: string;
  site: string;
  /** Bytes of the state record as stored (storedBytes). */
  state: number;
  /** Updated (ms), for choosing which idle conversation gives way. */
  at: number;
  /** Kept when the site has too many conversations: private mode, OTR state, unsent lines. */
  keep: boolean;
  /** Number of the oldest stored chunk. */
  first: number;
  /** Per chunk from `first`: [bytes, entries]. */
  chunks: [number, number][];
}

interface Index {
  v: 1;
  convs: Record<string, ConvIndex>;
}

/** A short, fixed-length name for a conversation in chunk keys (ids can be long). */
export function convHash(id: string): string {
  return bytesToHex(sha256(utf8Encode(id))).slice(0, 16);
}

function keepOf(rec: ConversationRecord): boolean {
  return (
    rec.privateMode ||
    rec.outbox.length > 0 ||
    (rec.session?.instances ?? []).some((c) => c.msgstate !== 'plaintext') ||
    (rec.session?.held.length ?? 0) > 0
  );
}

/** An entry's share of its chunk: its JSON and comma, or Chromium's count with its array slot. */
const entryBytes = (e: TranscriptEntry): number =>
  Math.max(utf8Length(JSON.stringify(e)) + 1, 32 + chromiumBytes('', e));
const chunkKey = (h: string, n: number): string => `${CHUNK_KEY_PREFIX}${h}:${n}`;
const transcriptBytes = (c: ConvIndex): number => c.chunks.reduce((a, [b]) => a + b, 0);

export class StorageSessionStore implements SessionStore {
  private index: Index | null = null;
  /** The open (last) chunk's entries per conversation hash, once read or written. */
  private readonly open = new Map<string, TranscriptEntry[]>();
  private queue: Promise<unknown> = Promise.resolve();
  readonly budgets: Budgets;

  constructor(
    private readonly area: StorageAreaLike,
    budgets: Partial<Budgets> = {},
  ) {
    this.budgets = { ...BUDGETS, ...budgets };
  }

  private static check(id: string): string {
    if (!id.startsWith(CONVERSATION_ID_PREFIX))
      throw new RangeError(`not a conversation id: ${id.slice(0, 40)}`);
    return id;
  }

  /** Runs store operations one at a time; a failed one does not stop the next. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(fn, fn);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async loadIndex(): Promise<Index> {
    if (this.index) return this.index;
    const got = (await this.area.get(INDEX_KEY))[INDEX_KEY] as Index | undefined;
    this.index =
      got && got.v === 1 && typeof got.convs === 'object' && got.convs !== null
        ? { v: 1, convs: got.convs }
        : { v: 1, convs: {} };
    return this.index;
  }

  async load(id: string): Promise<ConversationRecord | null> {
    const got = await this.area.get(StorageSessionStore.check(id));
    const v = got[id];
    // Older records (v1, transcript inside) cannot exist: storage.session is emptied on update.
    if (typeof v !== 'object' || v === null || (v as { v?: unknown }).v !== 2) return null;
    // A fresh copy: callers mutate what they load.
    return JSON.parse(JSON.stringify(v)) as ConversationRecord;
  }

  save(id: string, rec: ConversationRecord, tx: TranscriptChanges = {}): Promise<SaveReport> {
    StorageSessionStore.check(id);
    // JSON round trip: the same plain data in every browser, and a non-JSON value fails here,
    // loudly. The one JSON text is also what is measured: a state record is up to 192 KiB.
    const json = JSON.stringify(rec);
    const plain = JSON.parse(json) as ConversationRecord;
    const stateBytes = storedBytes(id, plain, json);
    if (stateBytes > this.budgets.stateBytes)
      return Promise.reject(
        new BudgetError(
          `This conversation's OTR state grew to ${stateBytes} bytes, over its budget of ${this.budgets.stateBytes}: not stored.`,
        ),
      );
    return this.serial(async () => {
      const index = await this.loadIndex();
      // What a failed write must put back: the index. This conversation's open chunk was changed
      // in place: forget it (it is read again from storage); others' are only ever dropped.
      const before = structuredClone(index);
      try {
        return await this.write(index, id, plain, stateBytes, tx, false);
      } catch (e) {
        this.index = before;
        this.open.delete(convHash(id));
        if (e instanceof BudgetError || (!tx.append?.length && !tx.update?.length)) throw e;
        // The transcript part could not be stored (the browser's quota counts differently, or
        // another part of the extension filled it): store the state alone, say so.
        const index2 = await this.loadIndex();
        const before2 = structuredClone(index2);
        try {
          const r = await this.write(index2, id, plain, stateBytes, {}, true);
          return {
            ...r,
            notStored: tx.append?.length ?? 0,
            error: (e instanceof Error ? e.message : String(e)).slice(0, 300),
          };
        } catch (e2) {
          this.index = before2;
          this.open.delete(convHash(id));
          throw e2;
        }
      }
    });
  }

  private async write(
    index: Index,
    id: string,
    plain: ConversationRecord,
    stateBytes: number,
    tx: TranscriptChanges,
    stateOnly: boolean,
  ): Promise<SaveReport> {
    const b = this.budgets;
    const h = convHash(id);
    const items: Record<string, unknown> = { [id]: plain };
    const drop: string[] = [];
    let trimmed = 0;
    let notStored = 0;
    /** The index's stored size, measured once per save where it did not change in between. */
    let indexBytes: number | null = null;

    let conv = index.convs[h];
    if (!conv) {
      const site = parseConversationId(id)?.site ?? '';
      const same = Object.entries(index.convs).filter(([, c]) => c.site === site);
      if (same.length >= b.conversationsPerSite) {
        // The page named too many buddies: an idle plain conversation gives way, else refuse.
        const idle = same.filter(([, c]) => !c.keep).sort(([, x], [, y]) => x.at - y.at)[0];
        if (!idle)
          throw new BudgetError(
            `This site already has ${same.length} conversations with OTR state: no new one is stored.`,
          );
        drop.push(...this.forget(index, idle[0]));
      }
      conv = { id, site, state: 0, at: 0, keep: false, first: 0, chunks: [] };
      index.convs[h] = conv;
    }
    conv.state = stateBytes;
    conv.at = plain.updated;
    conv.keep = keepOf(plain);

    const changed = new Set<number>();
    if (!stateOnly) {
      if (tx.update?.length) await this.applyUpdates(h, conv, tx.update, items, changed);
      for (const e of tx.append ?? []) {
        const size = entryBytes(e);
        let last = conv.chunks.length - 1;
        const lastN = conv.first + last;
        if (last < 0 || conv.chunks[last]![0] >= b.chunkBytes) {
          // The chunk being closed goes out as it stands if this save changed it (it is no longer
          // the open one the write below takes).
          if (changed.has(lastN)) items[chunkKey(h, lastN)] = this.open.get(h);
          conv.chunks.push([0, 0]);
          last++;
          this.open.set(h, []);
        } else if (!this.open.has(h)) {
          this.open.set(h, await this.readChunk(h, lastN));
        }
        const entries = this.open.get(h)!;
        entries.push(e);
        const c = conv.chunks[last]!;
        c[0] += size;
        c[1]++;
        changed.add(conv.first + last);
      }
      const openN = conv.first + conv.chunks.length - 1;
      if (changed.has(openN)) items[chunkKey(h, openN)] = this.open.get(h);

      // Budgets: this conversation, its site, all transcripts, then everything.
      const appended = new Set((tx.append ?? []).map((e) => e.id));
      // Over a budget, the largest conversation gives up its oldest chunk; over a budget shared by
      // sites, the largest conversation of the SITE holding the most: a page spreading its flood
      // over many small conversations trims itself, not the quiet sites.
      const trimFrom = (group: ConvIndex[], limit: number, bySite = false) => {
        let sum = group.reduce((a, c) => a + transcriptBytes(c), 0);
        while (sum > limit) {
          let from = group.filter((c) => c.chunks.length > 0);
          if (bySite) {
            const perSite = new Map<string, number>();
            for (const c of from) perSite.set(c.site, (perSite.get(c.site) ?? 0) + transcriptBytes(c));
            const site = [...perSite].sort((x, y) => y[1] - x[1])[0]?.[0];
            from = from.filter((c) => c.site === site);
          }
          const largest = from.sort((x, y) => transcriptBytes(y) - transcriptBytes(x))[0];
          if (!largest) break;
          const [bytes, count] = largest.chunks.shift()!;
          const lh = convHash(largest.id);
          const n = largest.first++;
          sum -= bytes;
          trimmed += count;
          drop.push(chunkKey(lh, n));
          delete items[chunkKey(lh, n)];
          if (largest.chunks.length === 0) {
            // The open chunk went: what this save appended to it is not stored.
            if (lh === h) notStored += (this.open.get(h) ?? []).filter((e) => appended.has(e.id)).length;
            this.open.delete(lh);
          }
        }
      };
      trimFrom([conv], b.transcriptPerConversation);
      const all = Object.values(index.convs);
      trimFrom(
        all.filter((c) => c.site === conv!.site),
        b.transcriptPerSite,
      );
      trimFrom(all, b.transcriptTotal, true);
      indexBytes = storedBytes(INDEX_KEY, index);
      const total = all.reduce((a, c) => a + c.state + transcriptBytes(c), 0) + indexBytes;
      const dropped = drop.length;
      trimFrom(all, transcriptBytesTotal(all) - (total - b.total), true);
      // The index is measured again only if that trim shrank it.
      if (drop.length !== dropped) indexBytes = null;
    }
    indexBytes ??= storedBytes(INDEX_KEY, index);
    const totalNow =
      Object.values(index.convs).reduce((a, c) => a + c.state + transcriptBytes(c), 0) + indexBytes;
    if (totalNow > b.total)
      throw new BudgetError(
        `offrecord's session storage would hold ${totalNow} bytes, over its budget of ${b.total}: not stored.`,
      );
    items[INDEX_KEY] = index;
    await this.area.set(items);
    if (drop.length > 0) await this.area.remove(drop).catch(() => undefined);
    return { trimmed, notStored };
  }

  /** Replaces stored entries by id, in the chunks that hold them (newest chunks first). */
  private async applyUpdates(
    h: string,
    conv: ConvIndex,
    updates: TranscriptEntry[],
    items: Record<string, unknown>,
    changed: Set<number>,
  ): Promise<void> {
    const want = new Map(updates.map((e) => [e.id, e]));
    for (let i = conv.chunks.length - 1; i >= 0 && want.size > 0; i--) {
      const n = conv.first + i;
      const isOpen = i === conv.chunks.length - 1;
      let entries = isOpen ? this.open.get(h) : undefined;
      entries ??= (items[chunkKey(h, n)] as TranscriptEntry[] | undefined) ?? (await this.readChunk(h, n));
      if (isOpen) this.open.set(h, entries);
      let hit = false;
      for (let j = 0; j < entries.length; j++) {
        const u = want.get(entries[j]!.id);
        if (!u) continue;
        entries[j] = u;
        want.delete(u.id);
        hit = true;
      }
      if (hit) {
        conv.chunks[i]![0] = entries.reduce((a, e) => a + entryBytes(e), 0);
        items[chunkKey(h, n)] = entries;
        changed.add(n);
      }
    }
  }

  private async readChunk(h: string, n: number): Promise<TranscriptEntry[]> {
    const k = chunkKey(h, n);
    const v = (await this.area.get(k))[k];
    return Array.isArray(v) ? (v as TranscriptEntry[]) : [];
  }

  /** Drops a conversation from the index; returns its keys to remove. */
  private forget(index: Index, h: string): string[] {
    const c = index.convs[h];
    if (!c) return [];
    delete index.convs[h];
    this.open.delete(h);
    return [c.id, ...c.chunks.map((_, i) => chunkKey(h, c.first + i))];
  }

  transcript(id: string, last = Number.POSITIVE_INFINITY): Promise<TranscriptEntry[]> {
    StorageSessionStore.check(id);
    return this.serial(async () => {
      const index = await this.loadIndex();
      const h = convHash(id);
      const conv = index.convs[h];
      if (!conv || conv.chunks.length === 0 || last <= 0) return [];
      // Only the newest chunks that hold the last `last` entries (the index counts each chunk's).
      let from = conv.chunks.length;
      for (let n = 0; from > 0 && n < last; ) n += conv.chunks[--from]![1];
      const openN = conv.first + conv.chunks.length - 1;
      const open = this.open.get(h);
      const keys: string[] = [];
      for (let i = from; i < conv.chunks.length; i++)
        if (!(open && conv.first + i === openN)) keys.push(chunkKey(h, conv.first + i));
      const got = keys.length > 0 ? await this.area.get(keys) : {};
      const out: TranscriptEntry[] = [];
      for (const k of keys) {
        const v = got[k];
        if (Array.isArray(v)) out.push(...(v as TranscriptEntry[]));
      }
      // The open chunk as this store last wrote it (what storage holds): not read again.
      if (open) out.push(...open);
      const tail = Number.isFinite(last) && out.length > last ? out.slice(-last) : out;
      return JSON.parse(JSON.stringify(tail)) as TranscriptEntry[];
    });
  }

  remove(id: string): Promise<void> {
    StorageSessionStore.check(id);
    return this.serial(async () => {
      const index = await this.loadIndex();
      const keys = this.forget(index, convHash(id));
      try {
        await this.area.set({ [INDEX_KEY]: index });
        await this.area.remove(keys.length > 0 ? keys : id);
      } catch (e) {
        // Storage holds what it holds: read the index from it again rather than trust ours.
        this.index = null;
        throw e;
      }
    });
  }

  list(): Promise<string[]> {
    return this.serial(async () => Object.values((await this.loadIndex()).convs).map((c) => c.id));
  }

  usage(): Promise<StoreUsage> {
    return this.serial(async () => {
      const index = await this.loadIndex();
      const convs = Object.values(index.convs);
      const sites: Record<string, number> = {};
      for (const c of convs) sites[c.site] = (sites[c.site] ?? 0) + transcriptBytes(c);
      const states = convs.reduce((a, c) => a + c.state, 0);
      const transcripts = transcriptBytesTotal(convs);
      return {
        total: states + transcripts + storedBytes(INDEX_KEY, index),
        states,
        transcripts,
        entries: convs.reduce((a, c) => a + c.chunks.reduce((b, [, n]) => b + n, 0), 0),
        conversations: convs.length,
        sites,
      };
    });
  }
}

function transcriptBytesTotal(convs: ConvIndex[]): number {
  return convs.reduce((a, c) => a + transcriptBytes(c), 0);
}
