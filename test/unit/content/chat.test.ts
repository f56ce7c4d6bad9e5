/**
 * The content script's core and controller in happy-dom, with a port client that records what
 * would go to the background: rows of a virtualized list captured when they are shown (a row
 * recycled before the next tick is still reported), stop() ends a core, an async send is awaited
 * and acknowledged, and the controller picks the saved profile, reports page-info only when it
 * changes, switches on profile-changed and runs the picker on start-picker.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SiteAdapter } from '../../../content-scripts/sites/index.js';
import type { SiteProfile } from '../../../src/profile/profile.js';
import { closeWindows, loadPage } from '../profile/load.js';
import { FIXTURE_SITE, q, virtualChat } from '../profile/virtual-chat.js';
import { FakeClient, sleep, until } from './fake-client.js';

// content-scripts/overlay (imported by chat.ts) loads webextension-polyfill, which refuses to load
// outside an extension; it only needs an extension id to be present. Nothing here mounts frames.
let chat: typeof import('../../../content-scripts/chat.js');
let sites: typeof import('../../../content-scripts/sites/index.js');
let overlay: typeof import('../../../content-scripts/overlay/index.js');
beforeAll(async () => {
  const g = globalThis as unknown as { chrome?: unknown };
  g.chrome ??= { runtime: { id: 'offrecord-unit-test' } };
  chat = await import('../../../content-scripts/chat.js');
  sites = await import('../../../content-scripts/sites/index.js');
  overlay = await import('../../../content-scripts/overlay/index.js');
});
afterEach(closeWindows);

const SITE = FIXTURE_SITE;

/** The overlay (the in-page "Go private" button) draws into the global document: the page's. */
function useDocument(doc: Document): Document {
  (globalThis as unknown as { document: Document }).document = doc;
  return doc;
}

/** The virtual-chat page and its picked profile; the page is the global document too. */
function fixture(): { doc: Document; profile: SiteProfile } {
  const f = virtualChat();
  useDocument(f.doc);
  return f;
}

/** The profile's adapter for the fixture page. */
function adapterOf(doc: Document, profile: SiteProfile): SiteAdapter {
  const a = sites.pickAdapter(doc, profile);
  if (!a) throw new Error('no adapter');
  return a;
}

/**
 * The fixture's editor as the site handles Enter: what it held is sent (returned, in order) and
 * the editor emptied, at once or `emptyAfterMs` later.
 */
function siteSends(doc: Document, emptyAfterMs?: number): string[] {
  const editor = q(doc, '.editor');
  const sent: string[] = [];
  editor.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key !== 'Enter') return;
    sent.push(editor.textContent ?? '');
    if (emptyAfterMs === undefined) editor.replaceChildren();
    else setTimeout(() => editor.replaceChildren(), emptyAfterMs);
  });
  return sent;
}

/** A ChatCore on `doc` reading it with `adapter`, started and attached (its first report made). */
async function startCore(
  doc: Document,
  adapter: SiteAdapter,
): Promise<{ client: FakeClient; core: InstanceType<typeof chat.ChatCore> }> {
  const client = new FakeClient(false);
  const core = new chat.ChatCore(client.asPort(), doc, adapter);
  core.start();
  await core.attach();
  return { client, core };
}

/** A ContentController on `doc` whose hello hands it `profile`, started. */
function startController(
  doc: Document,
  profile: SiteProfile,
  startPicker?: () => void,
): { client: FakeClient; controller: InstanceType<typeof chat.ContentController> } {
  const client = new FakeClient(false);
  client.helloProfile = profile;
  const controller = new chat.ContentController(client.asPort(), doc, {
    url: () => `${SITE}/`,
    ...(startPicker ? { startPicker } : {}),
    refreshMs: 10,
  });
  controller.start();
  return { client, controller };
}

/**
 * The message's position in the chat, as the fixture's `data-index` (the picker's profile reads it
 * as the rows' order): one per message shown in a test, after the page's own four (so new).
 */
const positions = new Map<string, number>();
function positionOf(from: string, text: string, own: boolean): number {
  const key = JSON.stringify([from, text, own]);
  let n = positions.get(key);
  if (n === undefined) {
    n = 100 + positions.size;
    positions.set(key, n);
  }
  return n;
}

/** What the fixture's script does when it recycles a row element for another message. */
function recycle(row: Element, from: string, text: string, own: boolean): void {
  row.setAttribute('data-index', String(positionOf(from, text, own)));
  row.className = `bubble ${own ? 'out' : 'in'}`;
  row.setAttribute('data-author', from);
  (row.querySelector('.who') as Element).textContent = from;
  (row.querySelector('.body') as Element).textContent = text;
}

describe('ChatCore', () => {
  it('reports a recycled row that showed a message only briefly (captured in the observer callback)', async () => {
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    expect(client.of('conversation')[0]).toMatchObject({
      account: 'alice@127.0.0.1:9000',
      protocol: 'offrecord-web',
      peer: 'bob',
      kind: 'one-to-one',
      reason: null,
      composeFound: true,
      listFound: true,
      maxMessageSize: 2000,
    });
    // The page's four plain rows are history the background passes over: not sent.
    expect(client.of('chat-messages')).toEqual([]);
    // The list follows new messages: its bottom element shows ?OTR:one for a moment, then
    // ?OTR:two (same element). (Rows first shown above rows read before are history: lists.test.ts.)
    const row = q(doc, '.bubble', 3);
    recycle(row, 'bob', '?OTR:AAMDone.', false);
    await Promise.resolve(); // the observer's microtask: read now
    await Promise.resolve();
    recycle(row, 'alice', '?OTR:AAMDtwo.', true);
    await until('both reported', () => client.reportedTexts().length === 2);
    expect(client.reportedTexts()).toEqual(['?OTR:AAMDone.', '?OTR:AAMDtwo.']);
    expect(client.reported().every((r) => !r.history)).toBe(true);
    // Shown again later (scrolled back): not reported twice.
    recycle(row, 'bob', '?OTR:AAMDone.', false);
    await sleep(120);
    expect(client.reportedTexts()).toHaveLength(2);
    core.stop();
  });

  it("of history only the buddy's OTR lines are sent, each once; the rest never, not on a later scan, a re-render or a reconnect", async () => {
    const { doc, profile } = fixture();
    // History: the buddy's OTR line (wanted), our own OTR line and plain rows (passed over).
    recycle(q(doc, '.bubble', 0), 'bob', '?OTR:AAMDbuddy.', false);
    recycle(q(doc, '.bubble', 1), 'alice', '?OTR:AAMDmine.', true);
    const adapter = adapterOf(doc, profile);
    const { client, core } = await startCore(doc, adapter);
    expect(client.reported()).toEqual([expect.objectContaining({ text: '?OTR:AAMDbuddy.', history: true })]);
    // React re-creates every row with the same content.
    const spacer = q(doc, '.spacer');
    for (const row of [...spacer.children]) row.replaceWith(row.cloneNode(true));
    await sleep(60);
    // The port came back (a worker restart): a full scan on the new port.
    await core.attach();
    // The whole list rendered anew: scanned whole again.
    const list = adapter.messageList(doc) as Element;
    list.replaceWith(list.cloneNode(true));
    await sleep(60);
    expect(client.reportedTexts()).toEqual(['?OTR:AAMDbuddy.']);
    // Rows new since the first scan are all sent, plain and own ones too.
    recycle(q(doc, '.bubble', 2), 'bob', 'a plain new one', false);
    await until('new', () => client.reportedTexts().includes('a plain new one'));
    recycle(q(doc, '.bubble', 3), 'alice', 'my new one', true);
    await until('own new', () => client.reportedTexts().includes('my new one'));
    expect(client.reported().slice(1)).toEqual([
      expect.objectContaining({ text: 'a plain new one', history: false }),
      expect.objectContaining({ text: 'my new one', history: false }),
    ]);
    core.stop();
  });

  it('on a profile without row ids, a second identical line (a Query after End) is reported; re-rendered rows are not', async () => {
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    const spacer = q(doc, '.spacer');
    const add = (from: string, text: string, own: boolean) => {
      const row = q(doc, '.bubble', 0).cloneNode(true) as Element;
      recycle(row, from, text, own);
      spacer.append(row);
    };
    add('bob', '?OTRv23?', false);
    await until('the first Query', () => client.reportedTexts().length === 1);
    add('bob', '?OTR:AAMDend.', false);
    add('bob', '?OTRv23?', false);
    await until('the second Query', () => client.reportedTexts().length === 3);
    expect(client.reportedTexts()).toEqual(['?OTRv23?', '?OTR:AAMDend.', '?OTRv23?']);
    expect(new Set(client.reported().map((r) => r.id)).size).toBe(3);
    // React re-creates every row; the port comes back: nothing is reported again.
    for (const row of [...spacer.children]) row.replaceWith(row.cloneNode(true));
    await sleep(60);
    await core.attach();
    await sleep(60);
    expect(client.reportedTexts()).toHaveLength(3);
    core.stop();
  });

  it('a collapsed row that the list recycles for a plain message is shown again', async () => {
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    // Collapsed while it carried ciphertext (what private mode does: the overlay's own unit tests).
    const row = q(doc, '.bubble', 0);
    recycle(row, 'bob', '?OTR:AAMDcipher.', false);
    overlay.collapseOtrRows([row]);
    expect(row.hasAttribute('data-offrecord-collapsed')).toBe(true);
    recycle(row, 'bob', 'are you there?', false);
    await until('expanded', () => !row.hasAttribute('data-offrecord-collapsed'));
    expect(client.reportedTexts()).toContain('are you there?');
    core.stop();
  });

  it('after the first scan a new message reads only the rows that changed, not the whole list', async () => {
    const { doc, profile } = fixture();
    const base = adapterOf(doc, profile);
    const spacer = q(doc, '.spacer');
    for (let i = 0; i < 200; i++) {
      const row = q(doc, '.bubble', 0).cloneNode(true) as Element;
      recycle(row, 'bob', `old message ${i}`, false);
      spacer.append(row);
    }
    let reads = 0;
    const adapter = {
      ...base,
      readMessage: (row: Element) => {
        reads++;
        return base.readMessage(row);
      },
    };
    const { client, core } = await startCore(doc, adapter);
    // The first scan read every row (and sent none: plain history).
    expect(reads).toBeGreaterThanOrEqual(204);
    expect(client.reportedTexts()).toEqual([]);
    reads = 0;
    const row = q(doc, '.bubble', 0).cloneNode(true) as Element;
    recycle(row, 'bob', 'a new one', false);
    spacer.append(row);
    await until('reported', () => client.reportedTexts().includes('a new one'));
    expect(reads).toBeLessThan(10);
    core.stop();
  });

  it('a new message is found from the change itself (isRow): the rows are not listed, order kept', async () => {
    const { doc, profile } = fixture();
    const base = adapterOf(doc, profile);
    expect(base.isRow).toBeTypeOf('function');
    let listWalks = 0;
    const adapter = {
      ...base,
      messageRows: (d: Document) => {
        listWalks++;
        return base.messageRows(d);
      },
    };
    const { client, core } = await startCore(doc, adapter);
    expect(listWalks).toBeGreaterThan(0); // the first scan lists the rows
    listWalks = 0;
    const spacer = q(doc, '.spacer');
    // Two rows in one task, the second inserted above the first: reported in the page's order.
    const later = q(doc, '.bubble', 0).cloneNode(true) as Element;
    recycle(later, 'bob', 'second in the page', false);
    spacer.append(later);
    const earlier = q(doc, '.bubble', 0).cloneNode(true) as Element;
    recycle(earlier, 'bob', 'first in the page', false);
    spacer.insertBefore(earlier, later);
    await until('reported', () => client.reportedTexts().includes('second in the page'));
    expect(client.reportedTexts().slice(-2)).toEqual(['first in the page', 'second in the page']);
    // A row's text changed in place (a recycled row) is read too.
    const body = later.querySelector('.body');
    if (body) body.textContent = 'recycled to another message';
    await until('recycled reported', () => client.reportedTexts().includes('recycled to another message'));
    expect(listWalks).toBe(0);
    core.stop();
  });

  it('a change elsewhere in the page does not walk the message list', async () => {
    const { doc, profile } = fixture();
    const base = adapterOf(doc, profile);
    let listWalks = 0;
    const adapter = {
      ...base,
      messageRows: (d: Document) => {
        listWalks++;
        return base.messageRows(d);
      },
    };
    const { client, core } = await startCore(doc, adapter);
    expect(listWalks).toBeGreaterThan(0); // the first scan lists the rows
    listWalks = 0;
    const clock = doc.createElement('time');
    doc.body.append(clock);
    for (let i = 0; i < 5; i++) {
      clock.textContent = `12:0${i}`;
      await sleep(10);
    }
    await sleep(80); // the ticks the changes scheduled have run
    expect(listWalks).toBe(0);
    // A change in the list is still seen.
    recycle(q(doc, '.bubble', 0), 'bob', 'seen', false);
    await until('reported', () => client.reportedTexts().includes('seen'));
    core.stop();
  });

  it('a change inside the list that touches no row (a typing indicator) asks for no report; a new row does', async () => {
    const { doc, profile } = fixture();
    const adapter = adapterOf(doc, profile);
    const { core } = await startCore(doc, adapter);
    core.stop(); // its own observer off: the records below go to capture() alone
    const list = adapter.messageList(doc)!;
    const records: MutationRecord[] = [];
    const watch = new (doc.defaultView as unknown as typeof globalThis).MutationObserver((r) =>
      records.push(...r),
    );
    watch.observe(list, { childList: true, subtree: true, characterData: true });
    const typing = doc.createElement('div');
    typing.textContent = 'bob is typing…';
    list.append(typing);
    await sleep(10);
    expect(core.capture(records.splice(0))).toBe(false);
    recycle(q(doc, '.bubble', 0), 'bob', 'a new one', false);
    await sleep(10);
    expect(core.capture(records.splice(0))).toBe(true);
    watch.disconnect();
  });

  it('reports exactly the keys the background accepts, whatever else an adapter returns', async () => {
    const { doc, profile } = fixture();
    const base = adapterOf(doc, profile);
    const adapter = {
      ...base,
      readMessage: (row: Element) => {
        const m = base.readMessage(row);
        return m ? { ...m, resource: 'phone' } : null;
      },
    };
    // The buddy's OTR lines in history are sent (the background reads them); the rest is not.
    recycle(q(doc, '.bubble', 0), 'bob', '?OTR:AAMDhistory.', false);
    recycle(q(doc, '.bubble', 2), 'bob', '?OTR:AAMDmore.', false);
    const { client, core } = await startCore(doc, adapter);
    const messages = client.of('chat-messages')[0]?.messages as Record<string, unknown>[];
    expect(messages).toHaveLength(2);
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(['from', 'id', 'own', 'text']);
    core.stop();
  });

  it('a row is sent once while an earlier batch of the same report waits for its answer', async () => {
    // A flood: 450 new rows make three batches. While the first is unanswered another tick scans
    // the whole list (here: attach, as after a reconnect): the later batches' rows must not go out
    // in a second request too.
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      release = r;
    });
    const answer = client.request.bind(client);
    let first = true;
    client.request = async (body) => {
      const reply = answer(body);
      if (body.type === 'chat-messages' && first) {
        first = false;
        await held;
      }
      return reply;
    };
    const spacer = q(doc, '.spacer');
    for (let i = 0; i < 450; i++) {
      const row = q(doc, '.bubble', 0).cloneNode(true) as Element;
      recycle(row, 'bob', `flood ${i}`, false);
      row.setAttribute('data-id', `flood-${i}`);
      spacer.append(row);
    }
    await until('the first batch sent', () => !first);
    void core.attach();
    await sleep(150);
    release();
    await until(
      'all reported',
      () => client.reportedTexts().filter((t) => t.startsWith('flood ')).length >= 450,
    );
    await sleep(150);
    const flood = client.reportedTexts().filter((t) => t.startsWith('flood '));
    expect(flood).toHaveLength(450);
    expect(new Set(flood).size).toBe(450);
    core.stop();
  });

  it('stop(): no more reports, push listener gone, a second stop is harmless', async () => {
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    expect(client.pushListeners).toBe(1);
    const before = client.requests.length;
    core.stop();
    core.stop();
    expect(core.isStopped).toBe(true);
    expect(client.pushListeners).toBe(0);
    recycle(q(doc, '.bubble', 1), 'bob', 'after stop', false);
    await sleep(120);
    await core.attach();
    expect(client.requests.length).toBe(before);
  });

  it('send-wire: the profile adapter types into the contenteditable, the ack follows the site taking it', async () => {
    const { doc, profile } = fixture();
    // The site empties its editor a moment later (a framework re-render).
    const sent = siteSends(doc, 15);
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    client.push({
      type: 'send-wire',
      lines: [
        { seq: 1, wire: '?OTRv3?' },
        { seq: 2, wire: '?OTR:AAMCabc.' },
      ],
    });
    await until('both acknowledged', () => client.of('wire-sent').length === 2);
    expect(sent).toEqual(['?OTRv3?', '?OTR:AAMCabc.']);
    expect(client.of('wire-sent').map((r) => r.seq)).toEqual([1, 2]);
    // Re-pushed after a worker restart: acknowledged again, not typed twice.
    client.push({ type: 'send-wire', lines: [{ seq: 2, wire: '?OTR:AAMCabc.' }] });
    await until('re-ack', () => client.of('wire-sent').length === 3);
    expect(sent).toHaveLength(2);
    core.stop();
  });

  it('send-wire: lines for a chat the user has left are not typed into the chat now shown', async () => {
    const { doc, profile } = fixture();
    const sent = siteSends(doc);
    const base = adapterOf(doc, profile);
    let peer = 'bob';
    const adapter = { ...base, conversation: () => ({ kind: 'one-to-one' as const, peer, reason: null }) };
    const { client, core } = await startCore(doc, adapter);
    peer = 'carol'; // the user opened another chat; the page has not been looked at since
    client.push({ type: 'send-wire', lines: [{ seq: 1, wire: '?OTR:AAMDforbob.' }] });
    await until('carol reported', () => client.of('conversation').some((r) => r.peer === 'carol'));
    await sleep(60);
    expect(sent).toEqual([]);
    expect(client.of('wire-sent')).toEqual([]);
    // Back in bob's chat: the background pushes the unacknowledged line again, and now it goes.
    peer = 'bob';
    doc.body.append(doc.createElement('i')); // any mutation: the page is looked at again
    await until(
      'bob reported again',
      () => client.of('conversation').filter((r) => r.peer === 'bob').length === 2,
    );
    client.push({ type: 'send-wire', lines: [{ seq: 1, wire: '?OTR:AAMDforbob.' }] });
    await until('acknowledged', () => client.of('wire-sent').length === 1);
    expect(sent).toEqual(['?OTR:AAMDforbob.']);
    core.stop();
  });

  it('the profile stops matching: the conversation is reported again with the reason', async () => {
    const { doc, profile } = fixture();
    const { client, core } = await startCore(doc, adapterOf(doc, profile));
    q(doc, '.spacer').className = 'timeline';
    await until('reported', () => client.of('conversation').length === 2);
    expect(client.of('conversation')[1]).toMatchObject({ kind: 'none', peer: null });
    expect(String(client.of('conversation')[1]?.reason)).toMatch(/no longer matches the page/);
    core.stop();
  });
});

describe('ContentController', () => {
  it('hello -> the saved profile reads the page; page-info only when it changes; profile-changed switches live', async () => {
    const { doc, profile } = fixture();
    let pickers = 0;
    const { client, controller } = startController(doc, profile, () => {
      pickers++;
    });
    await until('page-info', () => client.of('page-info').length === 1);
    expect(client.of('hello')[0]?.url).toBe(`${SITE}/`);
    expect(client.of('page-info')[0]?.info).toEqual({
      adapter: 'profile',
      profile: { ok: true, problems: [], rows: 4 },
      guess: null,
    });
    const first = controller.current;
    expect(first?.adapter.name).toBe('profile');
    await until('conversation', () => client.of('conversation').length === 1).catch((e) => {
      throw new Error(`${e} ${client.requests.map((r) => r.type).join(',')}`);
    });

    // A mutation that changes nothing page-info says: no new report.
    (q(doc, '.who') as Element).setAttribute('title', 'x');
    await sleep(60);
    expect(client.of('page-info')).toHaveLength(1);
    // A row more: the row count changed.
    q(doc, '.spacer').append(q(doc, '.bubble').cloneNode(true));
    await until('page-info 2', () => client.of('page-info').length === 2);
    expect(client.of('page-info')[1]?.info).toMatchObject({ profile: { rows: 5 } });

    // The profile is removed: the core stops, no adapter, the generic guess is reported.
    client.push({ type: 'profile-changed', profile: null });
    expect(first?.isStopped).toBe(true);
    expect(controller.current).toBeNull();
    await until('page-info 3', () => client.of('page-info').length === 3);
    const info = client.of('page-info')[2]?.info as {
      adapter: null;
      profile: null;
      guess: { confidence: number };
    };
    expect(info.adapter).toBeNull();
    expect(info.profile).toBeNull();
    expect(info.guess.confidence).toBeGreaterThan(0.3);

    // A new profile (say, imported): a new core reads the page with it.
    client.push({ type: 'profile-changed', profile: { ...profile, maxMessageLength: 400 } });
    expect(controller.current?.adapter.maxMessageLength).toBe(400);
    await until('conversation again', () => client.of('conversation').length === 2);

    client.push({ type: 'start-picker' });
    expect(pickers).toBe(1);
    controller.current?.stop();
  });

  it('without an adapter: a chat rendered just after the guess is reported once the guess may be made again', async () => {
    const { doc } = fixture();
    // The page before its script rendered the chat: no rows yet.
    const spacer = q(doc, '.spacer');
    const rows = [...spacer.children];
    spacer.replaceChildren();
    const client = new FakeClient(false);
    const controller = new chat.ContentController(client.asPort(), doc, {
      url: () => `${SITE}/`,
      refreshMs: 10,
      guessReuseMs: 200,
    });
    controller.start();
    await until('page-info', () => client.of('page-info').length === 1);
    const before = client.of('page-info')[0]?.info as { guess: { reasons: string[] } };
    expect(before.guess.reasons.join(' ')).toMatch(/no message list/);
    // The rows arrive within the guess's reuse time, and then the page is still.
    spacer.append(...rows);
    await until('page-info with the list', () => client.of('page-info').length === 2, 2000);
    const after = client.of('page-info')[1]?.info as { guess: { reasons: string[]; confidence: number } };
    expect(after.guess.reasons.join(' ')).toMatch(/repeated rows/);
    expect(after.guess.confidence).toBeGreaterThan(0.3);
    expect(controller.current).toBeNull();
  });

  it('after a reconnect (worker restarted): hello, the conversation and page-info again, same core', async () => {
    const { doc, profile } = fixture();
    const { client, controller } = startController(doc, profile);
    await until(
      'first report',
      () => client.of('page-info').length === 1 && client.of('conversation').length === 1,
    );
    const core = controller.current;
    client.reconnect();
    await until(
      'second report',
      () => client.of('page-info').length === 2 && client.of('conversation').length === 2,
    );
    expect(client.of('hello')).toHaveLength(2);
    expect(controller.current).toBe(core);
    expect(client.of('page-info')[1]?.info).toEqual(client.of('page-info')[0]?.info);
    controller.current?.stop();
  });

  it('a built-in adapter page: no guess, the profile check still reported', async () => {
    const doc = useDocument(loadPage('dom/thelounge/query.html'));
    const { profile } = fixture();
    const { client, controller } = startController(doc, profile);
    await until('page-info', () => client.of('page-info').length === 1);
    const info = client.of('page-info')[0]?.info as {
      adapter: string;
      profile: { ok: boolean };
      guess: null;
    };
    expect(info.adapter).toBe('thelounge');
    expect(info.profile.ok).toBe(false);
    expect(info.guess).toBeNull();
    controller.current?.stop();
  });
});
