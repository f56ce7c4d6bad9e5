// The storage.session store's layout and byte budgets (I8), on the real store code over a
// storage.session stand-in with the browser's quota and all-or-nothing writes (MemoryArea).
// What could break: a save rewriting the whole transcript, a budget not holding, a flood in one
// conversation trimming its neighbours, a failed write leaving the store's idea of itself wrong.

import { describe, expect, it, vi } from 'vitest';
import { newRecord } from '../../../extension/background/session-manager';
import { BudgetError } from '../../../src/store/budgets';
import { MemoryArea, MemorySessionStore } from '../../../src/store/memory';
import { CHUNK_KEY_PREFIX, INDEX_KEY, StorageSessionStore } from '../../../src/store/session-storage';
import type { ConversationRecord, TranscriptEntry } from '../../../src/store/types';

const id = (site: string, peer: string) => `conv:${JSON.stringify([site, 'me', 'proto', peer])}`;
const S1 = 'https://one.example';
const S2 = 'https://two.example';

function rec(over: Partial<ConversationRecord> = {}): ConversationRecord {
  return { ...newRecord(1), ...over };
}

/** Budgets under which one site alone fits, two do not: the total decides. */
const TWO_SITES_FIT = {
  transcriptPerConversation: 100_000,
  transcriptPerSite: 100_000,
  transcriptTotal: 150_000,
  chunkBytes: 5000,
};

let n = 0;
function entry(chars: number, over: Partial<TranscriptEntry> = {}): TranscriptEntry {
  n++;
  return { id: `e${n}`, dir: 'in', text: 'x'.repeat(chars), at: n, encrypted: true, ...over };
}

/** Records every set() the store makes: keys and bytes. */
class CountingArea extends MemoryArea {
  readonly writes: { keys: string[]; bytes: number }[] = [];
  override async set(items: Record<string, unknown>) {
    await super.set(items);
    this.writes.push({
      keys: Object.keys(items),
      bytes: Object.entries(items).reduce((a, [k, v]) => a + k.length + JSON.stringify(v).length, 0),
    });
  }
}

describe('StorageSessionStore layout', () => {
  it('keeps the state small and apart from the transcript; a save writes the state, the open chunk and the index only', async () => {
    const area = new CountingArea();
    const store = new StorageSessionStore(area);
    const a = id(S1, 'bob');
    for (let i = 0; i < 40; i++) await store.save(a, rec({ updated: i }), { append: [entry(4000)] });
    const stateJson = area.data.get(a)!;
    expect(stateJson.length).toBeLessThan(500);
    expect(stateJson).not.toContain('xxxx');
    const chunks = [...area.data.keys()].filter((k) => k.startsWith(CHUNK_KEY_PREFIX));
    expect(chunks.length).toBeGreaterThan(5);
    area.writes.length = 0;
    await store.save(a, rec({ updated: 99 }), { append: [entry(10)] });
    expect(area.writes).toHaveLength(1);
    const w = area.writes[0]!;
    expect(w.keys.filter((k) => k.startsWith(CHUNK_KEY_PREFIX))).toHaveLength(1);
    expect(w.keys).toContain(a);
    expect(w.keys).toContain(INDEX_KEY);
    // The transcript holds 160 KB; this save wrote less than one chunk and the small records.
    expect(w.bytes).toBeLessThan(store.budgets.chunkBytes + 4000 + 2000);
    const all = await store.transcript(a);
    expect(all).toHaveLength(41);
    expect(all.at(-1)!.text).toBe('x'.repeat(10));
  });

  it('a state-only save (an ack, a flag) touches no chunk', async () => {
    const area = new CountingArea();
    const store = new StorageSessionStore(area);
    const a = id(S1, 'bob');
    await store.save(a, rec(), { append: [entry(100), entry(100)] });
    area.writes.length = 0;
    await store.save(a, rec({ privateMode: true }));
    expect(area.writes[0]!.keys.filter((k) => k.startsWith(CHUNK_KEY_PREFIX))).toEqual([]);
  });

  it('a save whose entries fill the open chunk and start the next one stores every one of them', async () => {
    const area = new MemoryArea();
    const store = new StorageSessionStore(area, { chunkBytes: 1000 });
    const a = id(S1, 'bob');
    const first = entry(10);
    await store.save(a, rec(), { append: [first] });
    // One save: an entry that fills the open chunk, then one that must open a new chunk.
    const fills = entry(1000);
    const next = entry(10);
    await store.save(a, rec(), { append: [fills, next] });
    expect((await store.transcript(a)).map((e) => e.id)).toEqual([first.id, fills.id, next.id]);
    const again = new StorageSessionStore(area, { chunkBytes: 1000 });
    expect((await again.transcript(a)).map((e) => e.id)).toEqual([first.id, fills.id, next.id]);
  });

  it('updates entries by id in whatever chunk holds them, and survives a new store over the same area', async () => {
    const area = new MemoryArea();
    const store = new StorageSessionStore(area, { chunkBytes: 1000 });
    const a = id(S1, 'bob');
    const first = entry(50, { dir: 'out', status: 'held' });
    await store.save(a, rec(), { append: [first] });
    for (let i = 0; i < 30; i++) await store.save(a, rec(), { append: [entry(100)] });
    // A new worker: nothing cached.
    const again = new StorageSessionStore(area, { chunkBytes: 1000 });
    await again.save(a, rec(), {
      update: [{ ...first, status: 'sent' }, entry(5, { id: 'trimmed-long-ago' })],
    });
    const all = await again.transcript(a);
    expect(all[0]).toEqual({ ...first, status: 'sent' });
    expect(all).toHaveLength(31);
    expect(all.some((e) => e.id === 'trimmed-long-ago')).toBe(false);
  });

  it('gives the last entries of a transcript, the same from the open chunk it holds as from storage', async () => {
    const area = new MemoryArea();
    const store = new StorageSessionStore(area, { chunkBytes: 1000 });
    const a = id(S1, 'bob');
    const all: TranscriptEntry[] = [];
    for (let i = 0; i < 30; i++) {
      const e = entry(100);
      all.push(e);
      await store.save(a, rec(), { append: [e] });
    }
    const again = new StorageSessionStore(area, { chunkBytes: 1000 });
    for (const s of [store, again]) {
      expect(await s.transcript(a, 7)).toEqual(all.slice(-7));
      expect(await s.transcript(a, 1)).toEqual(all.slice(-1));
      expect(await s.transcript(a, 100)).toEqual(all);
      expect(await s.transcript(a, 0)).toEqual([]);
      expect(await s.transcript(a)).toEqual(all);
    }
    // What it gives is a copy: changing it changes nothing stored.
    (await store.transcript(a, 1))[0]!.text = 'changed';
    expect((await store.transcript(a, 1))[0]!.text).toBe(all.at(-1)!.text);
  });

  it('refuses a state record over its budget, for that conversation only', async () => {
    const store = new MemorySessionStore(new MemoryArea(), { stateBytes: 2000 });
    const big = id(S1, 'big');
    const ok = id(S1, 'ok');
    await expect(store.save(big, rec({ seen: '0123456789abcdef'.repeat(200) }))).rejects.toThrow(BudgetError);
    expect(await store.load(big)).toBeNull();
    await store.save(ok, rec({ privateMode: true }));
    expect((await store.load(ok))?.privateMode).toBe(true);
  });

  it('a save turns the state record into JSON once, and measures the index once', async () => {
    // The browser's own serialisation is not ours to count: an area that keeps structured clones.
    const kept = new Map<string, unknown>();
    const area = {
      get: async (k: string | string[] | null) => {
        const out: Record<string, unknown> = {};
        for (const key of typeof k === 'string' ? [k] : (k ?? [...kept.keys()]))
          if (kept.has(key)) out[key] = structuredClone(kept.get(key));
        return out;
      },
      set: async (items: Record<string, unknown>) => {
        for (const [k, v] of Object.entries(items)) kept.set(k, structuredClone(v));
      },
      remove: async (k: string | string[]) => {
        for (const key of typeof k === 'string' ? [k] : k) kept.delete(key);
      },
    };
    const store = new StorageSessionStore(area);
    const a = id(S1, 'bob');
    // A large state (a long seen list): 100,000 characters of JSON.
    const big = rec({ seen: '0123456789abcdef'.repeat(6250) });
    await store.save(a, rec(), { append: [entry(10)] });
    const stringify = vi.spyOn(JSON, 'stringify');
    try {
      await store.save(a, big, { append: [entry(10)] });
      const texts = stringify.mock.results.map((r) => r.value as string);
      // Before: twice (a copy, then its size), 200,000+ characters for one save.
      expect(texts.filter((t) => t.length >= 100_000)).toHaveLength(1);
      expect(texts.filter((t) => t.startsWith('{"v":1,"convs"'))).toHaveLength(1);
    } finally {
      stringify.mockRestore();
    }
    expect((await store.load(a))?.seen).toBe(big.seen);
  });
});

describe('StorageSessionStore budgets', () => {
  it('trims a flooded conversation to its budget, oldest first, and reports what it trimmed', async () => {
    const store = new MemorySessionStore();
    const a = id(S1, 'flood');
    let trimmed = 0;
    for (let i = 0; i < 150; i++)
      trimmed += (await store.save(a, rec(), { append: [entry(32_000)] })).trimmed;
    const all = await store.transcript(a);
    const bytes = JSON.stringify(all).length;
    expect(bytes).toBeLessThanOrEqual(store.budgets.transcriptPerConversation);
    expect(all.at(-1)!.id).toBe(`e${n}`);
    expect(trimmed + all.length).toBe(150);
    const u = await store.usage();
    expect(u.transcripts).toBeLessThanOrEqual(store.budgets.transcriptPerConversation);
    expect(u.total).toBeLessThanOrEqual(store.budgets.total);
  });

  it("a flood in one conversation trims the flood, not its neighbour's on the same site", async () => {
    const store = new MemorySessionStore(new MemoryArea(), {
      transcriptPerConversation: 140_000,
      transcriptPerSite: 150_000,
      chunkBytes: 5000,
    });
    const quiet = id(S1, 'quiet');
    const flood = id(S1, 'flood');
    for (let i = 0; i < 10; i++) await store.save(quiet, rec(), { append: [entry(2000)] });
    for (let i = 0; i < 200; i++) await store.save(flood, rec(), { append: [entry(2000)] });
    expect(await store.transcript(quiet)).toHaveLength(10);
    const u = await store.usage();
    expect(u.sites[S1]).toBeLessThanOrEqual(150_000);
    expect((await store.transcript(flood)).length).toBeLessThan(200);
  });

  it('keeps all transcripts within the total budget across sites', async () => {
    const store = new MemorySessionStore(new MemoryArea(), TWO_SITES_FIT);
    for (const site of [S1, S2])
      for (let i = 0; i < 80; i++) await store.save(id(site, 'x'), rec(), { append: [entry(2000)] });
    const u = await store.usage();
    expect(u.transcripts).toBeLessThanOrEqual(150_000);
    expect(u.sites[S2]).toBeGreaterThan(50_000);
  });

  it('a flood spread over many conversations of one site trims that site, not the quiet sites', async () => {
    const S3 = 'https://three.example';
    const store = new MemorySessionStore(new MemoryArea(), TWO_SITES_FIT);
    for (const site of [S1, S2])
      for (let i = 0; i < 15; i++) await store.save(id(site, 'quiet'), rec(), { append: [entry(2000)] });
    // Each of the flood's conversations stays smaller than a quiet one.
    for (let round = 0; round < 5; round++)
      for (let p = 0; p < 16; p++) await store.save(id(S3, `p${p}`), rec(), { append: [entry(2000)] });
    expect(await store.transcript(id(S1, 'quiet'))).toHaveLength(15);
    expect(await store.transcript(id(S2, 'quiet'))).toHaveLength(15);
    const u = await store.usage();
    expect(u.transcripts).toBeLessThanOrEqual(150_000);
  });

  it('gives an idle plain conversation up for a new one when a site has too many, and refuses when all hold OTR state', async () => {
    const store = new MemorySessionStore(new MemoryArea(), { conversationsPerSite: 3 });
    await store.save(id(S1, 'p1'), rec({ updated: 1 }), { append: [entry(10)] });
    await store.save(id(S1, 'p2'), rec({ updated: 2, privateMode: true }));
    await store.save(id(S1, 'p3'), rec({ updated: 3 }));
    await store.save(id(S1, 'p4'), rec({ updated: 4, privateMode: true }));
    expect((await store.list()).sort()).toEqual([id(S1, 'p2'), id(S1, 'p3'), id(S1, 'p4')].sort());
    expect(await store.load(id(S1, 'p1'))).toBeNull();
    expect(await store.transcript(id(S1, 'p1'))).toEqual([]);
    await store.save(id(S1, 'p5'), rec({ updated: 5, privateMode: true }));
    await expect(store.save(id(S1, 'p6'), rec({ updated: 6 }))).rejects.toThrow(BudgetError);
    // Existing conversations and other sites go on.
    await store.save(id(S1, 'p2'), rec({ updated: 7, privateMode: true }), { append: [entry(10)] });
    await store.save(id(S2, 'q1'), rec({ updated: 8 }));
    expect(await store.transcript(id(S1, 'p2'))).toHaveLength(1);
  });

  it('when the browser refuses the write (quota), stores the state alone and says the transcript was not stored', async () => {
    const area = new MemoryArea(60_000);
    const store = new MemorySessionStore(area);
    const a = id(S1, 'a');
    await store.save(a, rec(), { append: [entry(5000)] });
    // Someone else fills the area (the browser counts, not us).
    await area.set({ other: 'y'.repeat(52_000) });
    const r = await store.save(a, rec({ nextSeq: 5 }), { append: [entry(5000)] });
    expect(r.notStored).toBe(1);
    expect(r.error).toContain('quota');
    expect((await store.load(a))?.nextSeq).toBe(5);
    expect(await store.transcript(a)).toHaveLength(1);
    // The store's own accounting was rolled back: later saves work once there is room.
    await area.remove('other');
    await store.save(a, rec({ nextSeq: 6 }), { append: [entry(100)] });
    expect(await store.transcript(a)).toHaveLength(2);
  });

  it('a removal the browser refuses leaves the store as storage has it: still listed, its transcript readable', async () => {
    const area = new MemoryArea();
    const store = new StorageSessionStore(area);
    const a = id(S1, 'a');
    await store.save(a, rec(), { append: [entry(100)] });
    const set = area.set.bind(area);
    area.set = async () => {
      throw new Error('storage failed');
    };
    await expect(store.remove(a)).rejects.toThrow('storage failed');
    area.set = set;
    expect(await store.list()).toEqual([a]);
    expect(await store.transcript(a)).toHaveLength(1);
    await store.remove(a);
    expect(await store.list()).toEqual([]);
    expect([...area.data.keys()].filter((k) => k !== INDEX_KEY)).toEqual([]);
  });

  it('a conversation whose state cannot be stored at all fails alone; the next save of another works', async () => {
    const area = new MemoryArea(30_000);
    const store = new MemorySessionStore(area);
    await area.set({ other: 'y'.repeat(29_000) });
    await expect(store.save(id(S1, 'a'), rec({ seen: '0123456789abcdef'.repeat(100) }))).rejects.toThrow(
      'quota',
    );
    await area.remove('other');
    await store.save(id(S1, 'b'), rec());
    expect(await store.list()).toEqual([id(S1, 'b')]);
  });
});
