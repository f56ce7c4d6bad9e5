/**
 * Virtualized lists in the content script's core (happy-dom): only a window of the chat's rows is
 * in the DOM; scrolling unmounts rows and mounts others (old ones the page has never shown since
 * it loaded, or ones shown before); React re-creates rows with the same content; a late message is
 * shown above older rows. With the adapter's order (a server sequence, a timestamp), an old row
 * first mounted by scrolling up is history, a late row shown above is new, and every row is
 * reported exactly once (of history, only what the background reads: the buddy's OTR lines).
 * Without an order, a row is placed by where it sits in the list: above a row read before it is
 * history (a late row too), below the newest one read it is new.
 */
import { Window } from 'happy-dom';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterMessage, SiteAdapter } from '../../../content-scripts/sites/index.js';
import { FakeClient, type Reported, sleep, until } from './fake-client.js';

let chat: typeof import('../../../content-scripts/chat.js');
beforeAll(async () => {
  const g = globalThis as unknown as { chrome?: unknown };
  g.chrome ??= { runtime: { id: 'offrecord-unit-test' } };
  chat = await import('../../../content-scripts/chat.js');
});

const windows: Window[] = [];
afterEach(async () => {
  for (const w of windows.splice(0)) await w.happyDOM.close();
});

/**
 * Row n's text: every fourth row is the buddy's OTR line (n % 4 === 1), the one after it ours
 * (n % 4 === 2); the rest is plain. Of history the background reads only the buddy's OTR lines:
 * only those are sent (`wanted`).
 */
function historyText(n: number): string {
  return n % 4 === 1 ? `?OTR:AAMD history ${n}.` : n % 4 === 2 ? `?OTR:AAMD ours ${n}.` : `history ${n}`;
}
/** The ids of the rows among n = from+1 .. from+count that history sends. */
function wanted(from: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => from + 1 + i)
    .filter((n) => n % 4 === 1)
    .map((n) => `n${n}`);
}

interface Message {
  /** The server's sequence number (the row's data-n): the order. */
  n: number;
  from: string;
  text: string;
}

/**
 * A virtualized chat: `messages` in display order, `show(from, count)` mounts that window anew
 * (new elements, as React does when keys change), everything else unmounted.
 */
function virtualList(total: number, opts: { order: boolean; layout?: boolean }) {
  const window = new Window({ url: 'http://127.0.0.1:9000/' });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.body.innerHTML = '<div id="scroller"><ol id="list"></ol></div><textarea id="box"></textarea>';
  // The overlay (private mode) draws into the global document: the page's.
  (globalThis as unknown as { document: Document }).document = doc;
  const list = doc.getElementById('list') as HTMLElement;
  const messages: Message[] = [];
  for (let n = 1; n <= total; n++) messages.push({ n, from: n % 2 ? 'bob' : 'alice', text: historyText(n) });
  let window0 = { from: 0, count: 0 };
  if (opts.layout) {
    // The list scrolls in a box 10 rows of 40 px high (no layout here: the sizes follow the window).
    const scroller = doc.getElementById('scroller') as HTMLElement;
    scroller.style.overflowY = 'auto';
    Object.defineProperty(scroller, 'scrollHeight', { get: () => messages.length * 40 });
    Object.defineProperty(scroller, 'clientHeight', { get: () => 400 });
    Object.defineProperty(scroller, 'scrollTop', { get: () => window0.from * 40 });
  }
  const show = (from: number, count: number) => {
    window0 = { from, count };
    list.replaceChildren(
      ...messages.slice(from, from + count).map((m) => {
        const li = doc.createElement('li');
        li.dataset.n = String(m.n);
        li.dataset.from = m.from;
        if (m.from === 'alice') li.className = 'own';
        li.textContent = m.text;
        return li;
      }),
    );
  };
  const adapter: SiteAdapter = {
    name: 'test',
    protocol: 'prpl-test',
    maxMessageLength: 0,
    detect: () => true,
    account: () => 'alice',
    conversation: () => ({ kind: 'one-to-one', peer: 'bob', reason: null }),
    composeBox: (d) => d.getElementById('box'),
    messageList: (d) => d.getElementById('list'),
    messageRows: (d) => Array.from(d.querySelectorAll('#list > li')),
    readMessage: (r) => {
      const el = r as HTMLElement;
      const m: AdapterMessage = {
        id: `n${el.dataset.n}`,
        from: el.dataset.from ?? '',
        text: r.textContent ?? '',
        own: el.classList.contains('own'),
      };
      if (opts.order) m.order = Number(el.dataset.n);
      return m;
    },
    send: () => true,
  };
  return {
    doc,
    adapter,
    messages,
    show,
    /** A new message from the server, shown at display position `at` (default: the end). */
    arrive(text: string, at = messages.length) {
      const n = Math.max(0, ...messages.map((m) => m.n)) + 1;
      messages.splice(at, 0, { n, from: 'bob', text });
      show(window0.from, window0.count);
      return n;
    },
    bottom: () => show(Math.max(0, messages.length - 10), 10),
  };
}

async function startCore(doc: Document, adapter: SiteAdapter) {
  const client = new FakeClient();
  const core = new chat.ChatCore(client.asPort(), doc, adapter);
  core.start();
  await core.attach();
  return { client, core };
}

/** An event as the browser makes it for the user's own input (happy-dom marks constructed ones untrusted). */
function userEvent<E extends Event>(e: E): E {
  Object.defineProperty(e, 'isTrusted', { value: true });
  return e;
}

/**
 * Puts the page's list (#list) in a box that scrolls (no layout here: its sizes are given): 400 px
 * high, 5,000 px of content, scrolled to its end.
 */
function scrollBox(doc: Document) {
  const list = doc.getElementById('list') as HTMLElement;
  const scroller = doc.createElement('div');
  scroller.style.overflowY = 'auto';
  list.replaceWith(scroller);
  scroller.append(list);
  const box = { height: 5000, top: 4600 };
  Object.defineProperty(scroller, 'scrollHeight', { get: () => box.height });
  Object.defineProperty(scroller, 'clientHeight', { get: () => 400 });
  Object.defineProperty(scroller, 'scrollTop', {
    get: () => box.top,
    set: (v: number) => {
      box.top = Math.min(v, box.height - 400);
    },
  });
  return { scroller, box };
}

describe('a virtualized list', () => {
  it('old rows mounted by scrolling up are history; new and late rows are new; each once', async () => {
    const page = virtualList(500, { order: true });
    page.bottom();
    const { client, core } = await startCore(page.doc, page.adapter);
    // Of the first scan's ten rows, the buddy's OTR lines (our own and plain ones are not sent).
    expect(client.reported().map((r) => r.id)).toEqual(wanted(490, 10));
    expect(client.reported().every((r) => r.history)).toBe(true);

    // Scrolled to the top, the middle and back down; each window mounted anew twice (React).
    for (const from of [0, 0, 250, 250, 100, 490, 490]) {
      page.show(from, 10);
      await sleep(60);
    }
    const old = [...wanted(0, 10), ...wanted(250, 10), ...wanted(100, 10)];
    await until('the windows read', () => client.reported().length === 2 + old.length);
    const mountedOld = client.reported().slice(2);
    expect(mountedOld.every((r) => r.history)).toBe(true);
    expect(mountedOld.map((r) => r.id)).toEqual(old);

    // A new message (at the bottom, in view), and a late one shown far above (at 250, out of view).
    const newN = page.arrive('?OTR:AAMD new');
    page.bottom();
    await until('the new one', () => client.reported().some((r) => r.id === `n${newN}`));
    const lateN = page.arrive('?OTR:AAMD late', 250);
    await sleep(60);
    expect(client.reported().some((r) => r.id === `n${lateN}`)).toBe(false);
    // Scrolled up to where the late one shows, among old rows already read and never read.
    page.show(245, 10);
    await until('the late one', () => client.reported().some((r) => r.id === `n${lateN}`));
    page.show(245, 10);
    page.bottom();
    await sleep(150);

    const all = client.reported();
    const byId = new Map<string, Reported[]>();
    for (const r of all) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    for (const [id, rs] of byId) expect(rs, id).toHaveLength(1);
    // Nothing of history but the buddy's OTR lines.
    expect(all.filter((r) => r.history).every((r) => /^\?OTR:AAMD history \d+\.$/.test(r.text))).toBe(true);
    expect(byId.get(`n${newN}`)?.[0]?.history).toBe(false);
    expect(byId.get(`n${lateN}`)?.[0]?.history).toBe(false);
    // Everything else ever mounted was history.
    expect(all.filter((r) => !r.history).map((r) => r.id)).toEqual([`n${newN}`, `n${lateN}`]);
    core.stop();
  });

  it('a chat switched to another conversation sets its history anew', async () => {
    const page = virtualList(100, { order: true });
    let peer = 'bob';
    const adapter: SiteAdapter = {
      ...page.adapter,
      conversation: () => ({ kind: 'one-to-one', peer, reason: null }),
    };
    page.show(0, 10); // scrolled to the top when the page loads: the first scan's newest is n10
    const { client, core } = await startCore(page.doc, adapter);
    expect(client.reported().map((r) => r.id)).toEqual(wanted(0, 10));
    page.show(50, 10);
    await until('read', () => client.reported().length === 3 + 10);
    // Rows n51..n60 are newer than anything the first scan saw: new (all sent, no position to go by).
    expect(
      client
        .reported()
        .slice(3)
        .every((r) => !r.history),
    ).toBe(true);
    peer = 'carol';
    page.show(90, 10);
    await until('carol', () => client.requests.some((r) => r.type === 'conversation' && r.peer === 'carol'));
    await until('carol rows', () => client.reported().length === 13 + 2);
    expect(client.reported().slice(13)).toEqual(
      wanted(90, 10).map((id) => expect.objectContaining({ id, history: true })),
    );
    page.show(40, 10); // older than carol's first scan: history again
    await until('older', () => client.reported().length === 15 + 3);
    expect(client.reported().slice(15)).toEqual(
      wanted(40, 10).map((id) => expect.objectContaining({ id, history: true })),
    );
    core.stop();
  });

  it('without an order: old rows mounted by scrolling are history, new ones new, a late one history; each once', async () => {
    const page = virtualList(500, { order: false, layout: true });
    page.bottom();
    const { client, core } = await startCore(page.doc, page.adapter);
    expect(client.reported().map((r) => r.id)).toEqual(wanted(490, 10));
    // Scrolled up a row at a time (the newest row read is still mounted below), then a jump to the
    // top (nothing read before is mounted), the middle, down a few rows, a jump back to the end;
    // each window mounted anew twice (React re-creating its rows).
    for (const from of [489, 488, 480, 0, 0, 250, 250, 253, 100, 490, 490]) {
      page.show(from, 10);
      await sleep(30);
    }
    // Of history only the buddy's OTR lines are sent: those of every window shown.
    const old = new Set([490, 489, 488, 480, 0, 250, 253, 100].flatMap((from) => wanted(from, 10)));
    await until('the windows read', () => client.reported().length === old.size);
    expect(new Set(client.reported().map((r) => r.id))).toEqual(old);
    expect(client.reported().every((r) => r.history)).toBe(true);

    // A new message at the bottom, in view: new.
    const newN = page.arrive('?OTR:AAMD new');
    page.bottom();
    await until('the new one', () => client.reported().some((r) => r.id === `n${newN}`));
    // Two arrive while the user reads far up (not mounted); read when scrolled down: new.
    page.show(300, 10);
    const whileUp = [page.arrive('?OTR:AAMD while up 1'), page.arrive('plain while up 2')];
    await sleep(30);
    page.show(page.messages.length - 15, 10); // back down, not yet at the end: above the newest
    await sleep(30);
    page.bottom();
    await until('the ones sent while up', () =>
      whileUp.every((n) => client.reported().some((r) => r.id === `n${n}`)),
    );
    // A late one shown above rows read before (an OTR line and a plain one): history (the OTR
    // line still reaches the background, which feeds a chat with OTR state its OTR history; the
    // plain one is passed over, not sent).
    const lateOtr = page.arrive('?OTR:AAMD late', 495);
    const latePlain = page.arrive('late plain', 496);
    await until('the late one', () => client.reported().some((r) => r.id === `n${lateOtr}`));
    // Up and down again: nothing read twice, and the next new message is still new.
    for (const from of [200, 0, 300, 480]) {
      page.show(from, 10);
      await sleep(30);
    }
    page.bottom();
    await sleep(30);
    const last = page.arrive('the last');
    page.bottom();
    await until('the last', () => client.reported().some((r) => r.id === `n${last}`));

    const all = client.reported();
    const byId = new Map<string, Reported[]>();
    for (const r of all) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
    for (const [id, rs] of byId) expect(rs, id).toHaveLength(1);
    expect(all.filter((r) => !r.history).map((r) => r.id)).toEqual(
      [newN, ...whileUp, last].map((n) => `n${n}`),
    );
    expect(byId.get(`n${lateOtr}`)?.[0]?.history).toBe(true);
    expect(byId.has(`n${latePlain}`)).toBe(false);
    // Every message that was ever mounted was read.
    expect(byId.size).toBe(new Set(all.map((r) => r.id)).size);
    core.stop();
  });

  it('without an order, in a list that keeps every row: older rows loaded above are history; a new row is new while the user reads up', async () => {
    const page = virtualList(300, { order: false, layout: true });
    page.show(250, 1000); // the site shows the last 50 (and every one that comes)
    const { client, core } = await startCore(page.doc, page.adapter);
    expect(client.reported().map((r) => r.id)).toEqual(wanted(250, 50));
    page.show(200, 1000); // "load older messages": 50 more above
    await until('older', () => client.reported().length === wanted(250, 50).length + wanted(200, 50).length);
    expect(client.reported().every((r) => r.history)).toBe(true);
    // The user reads at the top (the end far out of view) when a message arrives at the end.
    const n = page.arrive('?OTR:AAMD while reading up');
    await until('new', () => client.reported().some((r) => r.id === `n${n}`));
    expect(client.reported().at(-1)).toMatchObject({ id: `n${n}`, history: false });
    core.stop();
  });

  it('without an order: rows coming to a chat empty at the first scan are new, a flood of thousands at once too', async () => {
    const page = virtualList(0, { order: false, layout: true });
    page.show(0, 100_000); // a list that keeps every row, scrolled to its top
    const { client, core } = await startCore(page.doc, page.adapter);
    expect(client.reported()).toHaveLength(0);
    for (let i = 0; i < 30; i++) page.arrive(`first ${i}`);
    await until('the first ones', () => client.reported().length === 30);
    // Thousands appended in one change, after rows read before: far more than the search for the
    // newest row read looks through, and the end of the list far out of view.
    const list = page.doc.getElementById('list') as HTMLElement;
    const flood: HTMLElement[] = [];
    for (let n = 1_000; n < 4_000; n++) {
      page.messages.push({ n, from: 'bob', text: `flood ${n}` });
      const li = page.doc.createElement('li');
      li.dataset.n = String(n);
      li.dataset.from = 'bob';
      li.textContent = `flood ${n}`;
      flood.push(li);
    }
    list.append(...flood);
    await until('the flood', () => client.reported().length === 3_030, 20_000);
    expect(client.reported().filter((r) => r.history)).toEqual([]);
    core.stop();
  });

  it('without an order, a hostile page moving and copying rows gets nothing reported twice, and a row it inserts above is history', async () => {
    const page = virtualList(50, { order: false });
    page.show(0, 1000); // every row kept, all in view (nothing scrolls)
    const { client, core } = await startCore(page.doc, page.adapter);
    // (Of this history only the buddy's OTR lines are sent.)
    expect(client.reported().map((r) => r.id)).toEqual(wanted(0, 50));
    const list = page.doc.getElementById('list') as HTMLElement;
    const rows = () => Array.from(list.children) as HTMLElement[];
    // The newest row moved to the top, an old one moved to the bottom, copies of read rows added
    // at the end and in the middle: all read before, none reported again.
    list.prepend(rows().at(-1) as HTMLElement);
    list.append(rows()[10] as HTMLElement);
    list.append((rows()[20] as HTMLElement).cloneNode(true));
    (rows()[30] as HTMLElement).after((rows()[5] as HTMLElement).cloneNode(true));
    await sleep(60);
    expect(client.reported()).toHaveLength(wanted(0, 50).length);
    // A row the page inserts above rows read before: history (a plain one would not be a new
    // message, nor sent; an OTR line is sent as history).
    const above = page.doc.createElement('li');
    above.dataset.n = '9001';
    above.dataset.from = 'bob';
    above.textContent = '?OTR:AAMD inserted above';
    (rows()[25] as HTMLElement).before(above);
    // A new row at the end: new, although the page moved the newest row read away from the end.
    const end = page.doc.createElement('li');
    end.dataset.n = '9002';
    end.dataset.from = 'bob';
    end.textContent = '?OTR:AAMD at the end';
    list.append(end);
    const before = wanted(0, 50).length;
    await until('both', () => client.reported().length === before + 2);
    expect(client.reported().slice(before)).toEqual([
      { id: 'n9001', text: '?OTR:AAMD inserted above', history: true },
      { id: 'n9002', text: '?OTR:AAMD at the end', history: false },
    ]);
    core.stop();
  });

  it('without an order, a list shown newest first (column-reverse): new rows at its start are new, older ones at its end history', async () => {
    const page = virtualList(100, { order: false });
    const list = page.doc.getElementById('list') as HTMLElement;
    list.style.display = 'flex';
    list.style.flexDirection = 'column-reverse';
    const rows = (from: number, count: number) =>
      page.messages
        .slice(from, from + count)
        .reverse()
        .map((m) => {
          const li = page.doc.createElement('li');
          li.dataset.n = String(m.n);
          li.dataset.from = m.from;
          li.textContent = m.text;
          return li;
        });
    list.replaceChildren(...rows(80, 20));
    const { client, core } = await startCore(page.doc, page.adapter);
    list.append(...rows(60, 20)); // older, loaded at the end of the DOM (the top on screen)
    // (These rows do not mark our own: every OTR line of them is sent as the buddy's.)
    const old = page.messages.slice(60, 100).filter((m) => m.text.startsWith('?OTR')).length;
    await until('older', () => client.reported().length === old);
    expect(client.reported().every((r) => r.history)).toBe(true);
    page.messages.push({ n: 101, from: 'bob', text: 'newest' });
    list.prepend(...rows(100, 1));
    await until('new', () => client.reported().length === old + 1);
    expect(
      client
        .reported()
        .filter((r) => !r.history)
        .map((r) => r.id),
    ).toEqual(['n101']);
    core.stop();
  });

  it('while our line is awaited, a list at its end is kept there; one the user scrolled up is left alone', async () => {
    const page = virtualList(100, { order: true });
    page.bottom();
    const { scroller, box } = scrollBox(page.doc);
    const { client, core } = await startCore(page.doc, page.adapter);
    // Our line is typed and awaited (an AKE may run before private mode is on here).
    client.push({ type: 'send-wire', lines: [{ seq: 1, wire: '?OTR:AAMC commit' }] });
    await sleep(600); // looked at once: at its end
    box.height += 700; // new rows the list did not follow (far more than a screen)
    await until('kept at its end', () => box.top === box.height - 400, 2000);
    // The PAGE scrolls its list up and fakes a wheel event: not the user's, still followed.
    scroller.dispatchEvent(new page.doc.defaultView!.WheelEvent('wheel', { deltaY: -3000, bubbles: true }));
    box.top = 1000;
    box.height += 70;
    await until('followed despite the fake', () => box.top === box.height - 400, 2000);
    // The user scrolls far up (the wheel); new rows do not move the list.
    scroller.dispatchEvent(
      userEvent(new page.doc.defaultView!.WheelEvent('wheel', { deltaY: -3000, bubbles: true })),
    );
    box.top = 1000;
    await sleep(600);
    box.height += 70;
    await sleep(1200);
    expect(box.top).toBe(1000);
    // Back down near the end (by the user): followed again.
    scroller.dispatchEvent(
      userEvent(new page.doc.defaultView!.WheelEvent('wheel', { deltaY: 3000, bubbles: true })),
    );
    box.top = box.height - 400 - 60;
    await sleep(600);
    box.height += 700;
    await until('followed again', () => box.top === box.height - 400, 2000);
    core.stop();
  });
});
