/**
 * Delivered means seen, pacing and site errors in the content script's core (happy-dom, a tiny
 * chat page whose adapter echoes what it sends as the user's own row, like The Lounge does, or
 * drops it, like a dead connection): a line counts as delivered only once its own row shows;
 * one never shown is reported failed after the timeout; lines go out in a burst and then one per
 * interval; the site's error is reported, pauses sending, and its end resumes it.
 */
import { Window } from 'happy-dom';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SiteAdapter } from '../../../content-scripts/sites/index.js';
import type { Pacing } from '../../../extension/shared/messages.js';
import { FakeClient, sleep, until } from './fake-client.js';

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
 * A one-to-one chat page: `<ol>` of rows `<li data-id data-from class="own?">text</li>`. send()
 * records the line with its time and, while `echo` is on, shows it as an own row a moment later.
 * `error` is what the page shows as its own error (null: none).
 */
function chatPage(opts: { pacing?: Pacing } = {}) {
  const window = new Window({ url: 'http://127.0.0.1:9000/' });
  windows.push(window);
  const doc = window.document as unknown as Document;
  doc.body.innerHTML = '<ol id="list"></ol><textarea id="box"></textarea>';
  (globalThis as unknown as { document: Document }).document = doc;
  const list = doc.getElementById('list') as HTMLElement;
  let next = 1;
  const state = {
    echo: true,
    /** Whether the site empties its box (takes the line); it may send and echo it all the same. */
    take: true,
    error: null as string | null,
    sent: [] as { text: string; at: number }[],
    peer: 'bob' as string | null,
  };
  const row = (from: string, text: string, own: boolean) => {
    const li = doc.createElement('li');
    li.dataset.id = `m${next++}`;
    li.dataset.from = from;
    if (own) li.className = 'own';
    li.textContent = text;
    list.append(li);
  };
  const adapter: SiteAdapter = {
    name: 'test',
    protocol: 'prpl-test',
    maxMessageLength: 0,
    detect: () => true,
    account: () => 'alice',
    conversation: () =>
      state.peer
        ? { kind: 'one-to-one', peer: state.peer, reason: null }
        : { kind: 'none', peer: null, reason: null },
    composeBox: (d) => d.getElementById('box'),
    messageList: (d) => d.getElementById('list'),
    messageRows: (d) => Array.from(d.querySelectorAll('#list > li')),
    readMessage: (r) => ({
      id: (r as HTMLElement).dataset.id ?? '',
      from: (r as HTMLElement).dataset.from ?? '',
      text: r.textContent ?? '',
      own: r.classList.contains('own'),
    }),
    send: (_d, text) => {
      state.sent.push({ text, at: Date.now() });
      if (state.echo) setTimeout(() => row('alice', text, true), 5);
      return state.take;
    },
    siteError: () => state.error,
    ...(opts.pacing ? { pacing: opts.pacing } : {}),
  };
  return { doc, adapter, state, row, list };
}

async function startCore(
  doc: Document,
  adapter: SiteAdapter,
  client = new FakeClient(),
  deliveryTimeoutMs = 300,
  retrySendMs = 50,
) {
  const core = new chat.ChatCore(client.asPort(), doc, adapter, { deliveryTimeoutMs, retrySendMs });
  core.start();
  await core.attach();
  return { client, core };
}

const lines = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, wire: `?OTR|${from + i}|fragment` }));

describe('delivered means seen', () => {
  it('a line reported not delivered while the site was still busy with it is not acknowledged, and the next line is still typed', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    const send = page.adapter.send;
    // The site sits on the first line longer than the delivery wait, then does not take it.
    page.adapter.send = async (d, text) => {
      if (text.startsWith('?OTR|1|')) {
        page.state.sent.push({ text, at: Date.now() });
        await sleep(600);
        return false;
      }
      return send(d, text);
    };
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 300, 50);
    client.push({ type: 'send-wire', lines: lines(2) });
    await until('line 1 reported not delivered', () => client.seqs('wire-failed').includes(1), 3000);
    await until('line 2 typed and seen', () => client.seqs('wire-delivered').includes(2), 3000);
    expect(page.state.sent.map((x) => x.text)).toEqual([lines(2)[0]!.wire, lines(2)[1]!.wire]);
    expect(client.seqs('wire-sent')).toEqual([2]);
    core.stop();
  });

  it('a line is delivered when the page shows it back as our own row, not when the site took it', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.echo = false;
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    client.push({ type: 'send-wire', lines: lines(2) });
    await until('typed', () => client.seqs('wire-sent').length === 2);
    await sleep(100);
    expect(client.seqs('wire-delivered')).toEqual([]);
    // The buddy's row with the same text is not ours: still not delivered.
    page.row('bob', '?OTR|1|fragment', false);
    await sleep(100);
    expect(client.seqs('wire-delivered')).toEqual([]);
    page.row('alice', '?OTR|2|fragment', true);
    await until('2 delivered', () => client.seqs('wire-delivered').includes(2));
    page.row('alice', '?OTR|1|fragment', true);
    await until('1 delivered', () => client.seqs('wire-delivered').includes(1));
    expect(client.seqs('wire-delivered').sort()).toEqual([1, 2]);
    core.stop();
  });

  it('a line never shown is reported failed after the timeout; the rest of its message is dropped too', async () => {
    const page = chatPage({ pacing: { burst: 1, intervalMs: 600 } });
    page.state.echo = false;
    const client = new FakeClient();
    client.dropWith = [2, 3]; // the background drops the other fragments of that message
    const { core } = await startCore(page.doc, page.adapter, client, 200);
    client.push({ type: 'send-wire', lines: lines(3) });
    await until('failed', () => client.of('wire-failed').length === 1, 3000);
    expect(client.seqs('wire-failed')).toEqual([1]);
    expect(page.state.sent.map((s) => s.text)).toEqual(['?OTR|1|fragment']);
    // Lines 2 and 3 were dropped with it: they are never typed, though pacing would let them go.
    await sleep(1500);
    expect(page.state.sent).toHaveLength(1);
    core.stop();
  });

  it('a list scrolled away from its newest rows: the wait runs only while they are in view', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.echo = false;
    // The list scrolls in a box of its own (no layout here: its sizes are given).
    const scroller = page.doc.createElement('div');
    scroller.style.overflowY = 'auto';
    page.list.replaceWith(scroller);
    scroller.append(page.list);
    const at = { top: 0 };
    Object.defineProperty(scroller, 'scrollHeight', { get: () => 20_000 });
    Object.defineProperty(scroller, 'clientHeight', { get: () => 400 });
    Object.defineProperty(scroller, 'scrollTop', { get: () => at.top });
    expect(chat.listEndInView(page.list)).toBe(false);
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 200);
    client.push({ type: 'send-wire', lines: lines(1) });
    await until('typed', () => client.seqs('wire-sent').includes(1));
    await sleep(700); // over three timeouts, scrolled up: our row cannot show
    expect(client.of('wire-failed')).toEqual([]);
    at.top = 20_000 - 400; // scrolled down: the row shows
    expect(chat.listEndInView(page.list)).toBe(true);
    page.row('alice', '?OTR|1|fragment', true);
    await until('delivered', () => client.seqs('wire-delivered').includes(1));
    // In view and never shown: failed on time.
    client.push({ type: 'send-wire', lines: lines(1, 2) });
    await until('failed', () => client.seqs('wire-failed').includes(2), 2000);
    // Scrolled up, a line the site does not take is not waiting for a row: failed on time too.
    at.top = 0;
    page.state.take = false;
    client.push({ type: 'send-wire', lines: lines(1, 3) });
    await until('untaken failed', () => client.seqs('wire-failed').includes(3), 2000);
    // Scrolled away for good (a page can hold its list there): a taken line fails all the same,
    // after four waits in all.
    page.state.take = true;
    client.push({ type: 'send-wire', lines: lines(1, 4) });
    await until('typed', () => client.seqs('wire-sent').includes(4));
    await sleep(500);
    expect(client.seqs('wire-failed')).not.toContain(4);
    await until('failed after four waits', () => client.seqs('wire-failed').includes(4), 2000);
    core.stop();
  });

  it('after a reload, a line typed before is awaited (never typed again) and found among the rows', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.row('alice', '?OTR:AAMDalready.', true);
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    client.push({ type: 'send-wire', lines: [{ seq: 7, wire: '?OTR:AAMDalready.', typed: true }] });
    await until('delivered', () => client.seqs('wire-delivered').includes(7));
    expect(page.state.sent).toEqual([]);
    core.stop();
  });
});

describe('a send that does not happen', () => {
  it('is retried while the wait lasts, then reported not delivered; never typed after that', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.take = false;
    page.state.echo = false; // the site neither empties its box nor shows the line
    const client = new FakeClient();
    client.dropWith = [2]; // the rest of that message
    const { core } = await startCore(page.doc, page.adapter, client, 600);
    client.push({ type: 'send-wire', lines: [...lines(2), { seq: 3, wire: '?OTR|3|other message' }] });
    await until('failed', () => client.of('wire-failed').length === 1, 3000);
    expect(client.seqs('wire-failed')).toEqual([1]);
    const first = () => page.state.sent.filter((s) => s.text === '?OTR|1|fragment').length;
    const tries = first();
    expect(tries).toBeGreaterThan(2);
    expect(client.seqs('wire-sent')).toEqual([]);
    // Line 2 went with its message; the other message's line is tried next, line 1 never again.
    await until('the next message tried', () =>
      page.state.sent.some((s) => s.text === '?OTR|3|other message'),
    );
    await sleep(200);
    expect(first()).toBe(tries);
    expect(page.state.sent.slice(0, tries).every((s) => s.text === '?OTR|1|fragment')).toBe(true);
    expect(page.state.sent.some((s) => s.text === '?OTR|2|fragment')).toBe(false);
    core.stop();
  });

  it('a site that sends but keeps the line in its box: its own row shows, the line is not typed again', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.take = false; // echoes the line as ours 5 ms later, but "keeps its box full"
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000, 200);
    client.push({ type: 'send-wire', lines: lines(1) });
    await until('delivered', () => client.seqs('wire-delivered').includes(1));
    page.state.take = true;
    client.push({ type: 'send-wire', lines: lines(1, 2) });
    await until('the next line delivered', () => client.seqs('wire-delivered').includes(2));
    await sleep(400); // two retry periods
    expect(page.state.sent.map((s) => s.text)).toEqual(['?OTR|1|fragment', '?OTR|2|fragment']);
    expect(client.of('wire-failed')).toEqual([]);
    core.stop();
  });

  it('taken on a later attempt: sent once, delivered, the lines behind it follow', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.take = false;
    page.state.echo = false;
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    client.push({ type: 'send-wire', lines: lines(3) });
    await until('tried twice', () => page.state.sent.length >= 2);
    page.state.take = true;
    page.state.echo = true;
    await until('all delivered', () => client.seqs('wire-delivered').length === 3);
    const texts = page.state.sent.map((s) => s.text);
    expect(texts.filter((t) => t === '?OTR|2|fragment')).toHaveLength(1);
    expect(texts.filter((t) => t === '?OTR|3|fragment')).toHaveLength(1);
    expect(client.seqs('wire-sent').sort()).toEqual([1, 2, 3]);
    core.stop();
  });
});

describe('pacing', () => {
  it('a burst at once, then one line per interval, in order', async () => {
    const page = chatPage({ pacing: { burst: 3, intervalMs: 150 } });
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    client.push({ type: 'send-wire', lines: lines(6) });
    await until('burst', () => page.state.sent.length >= 3);
    await sleep(20);
    expect(page.state.sent).toHaveLength(3);
    await until('all', () => page.state.sent.length === 6, 5000);
    expect(page.state.sent.map((s) => s.text)).toEqual(lines(6).map((l) => l.wire));
    // A token bucket (3, then one per 150 ms): by the i-th send, at most 3 + elapsed/150 lines can
    // have gone. (Not the gap between neighbours: a burst slowed by a busy machine earns tokens.)
    const at = page.state.sent.map((s) => s.at);
    for (let i = 3; i < 6; i++) expect(at[i]! - at[0]!).toBeGreaterThanOrEqual((i + 1 - 3) * 150 - 30);
    await until('all delivered', () => client.seqs('wire-delivered').length === 6);
    core.stop();
  });

  it("the user's setting for the site (from the conversation reply) wins over the adapter's", async () => {
    const page = chatPage({ pacing: { burst: 1, intervalMs: 10_000 } });
    const client = new FakeClient();
    client.pacing = { burst: 5, intervalMs: 10_000 };
    const { core } = await startCore(page.doc, page.adapter, client, 60_000);
    client.push({ type: 'send-wire', lines: lines(5) });
    await until('all five at once', () => page.state.sent.length === 5, 1000);
    core.stop();
  });
});

describe('site errors', () => {
  it('are reported, pause sending, and sending resumes when they go', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.error = 'net: Disconnected';
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    expect(client.of('site-error').map((r) => r.error)).toEqual(['net: Disconnected']);
    client.push({ type: 'send-wire', lines: lines(2) });
    await sleep(150);
    expect(page.state.sent).toEqual([]);
    page.state.error = null;
    page.doc.body.setAttribute('class', 'online'); // any change makes the core look again
    await until('sent after the error went', () => page.state.sent.length === 2);
    expect(client.of('site-error').map((r) => r.error)).toEqual(['net: Disconnected', null]);
    await until('delivered', () => client.seqs('wire-delivered').length === 2);
    core.stop();
  });

  it('are told again for every chat shown: an error gone while another chat was open is cleared', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.error = 'net: Disconnected';
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 60_000);
    expect(client.of('site-error').map((r) => r.error)).toEqual(['net: Disconnected']);
    // The user opens another view (the network's lobby), the network comes back there, and the
    // user returns to the chat: the background must hear that this chat has no error now.
    page.state.peer = null;
    page.doc.body.setAttribute('class', 'lobby');
    await until('the lobby reported', () => client.of('conversation').length === 2);
    page.state.error = null;
    page.doc.body.setAttribute('class', 'lobby online');
    await sleep(150);
    page.state.peer = 'bob';
    page.doc.body.setAttribute('class', 'chat online');
    await until('the chat reported again', () => client.of('conversation').length === 3);
    await until('its state told', () => {
      const types = client.requests.map((r) => r.type);
      const last = types.lastIndexOf('site-error');
      const conv = types.lastIndexOf('conversation');
      return last > conv && client.requests[last]?.error === null;
    });
    core.stop();
  });

  it('lines held back by an error that outlasts the timeout are reported failed', async () => {
    const page = chatPage({ pacing: { burst: 10, intervalMs: 0 } });
    page.state.error = 'net: Disconnected';
    const { client, core } = await startCore(page.doc, page.adapter, undefined, 200);
    client.push({ type: 'send-wire', lines: lines(2) });
    await until('failed', () => client.of('wire-failed').length > 0, 3000);
    expect(client.seqs('wire-failed').sort()).toEqual([1, 2]);
    page.state.error = null;
    page.doc.body.setAttribute('class', 'online');
    await sleep(200);
    expect(page.state.sent).toEqual([]);
    core.stop();
  });
});
