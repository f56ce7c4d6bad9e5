/** The adapter made from a saved site profile, on the fixture page with recycled rows. */
import { afterEach, describe, expect, it } from 'vitest';
import { pageInfo, pickAdapter } from '../../../content-scripts/sites/index.js';
import { contentId, profileAdapter } from '../../../content-scripts/sites/profile-adapter.js';
import { orderOf } from '../../../src/profile/profile.js';
import { closeWindows, loadPage } from '../profile/load.js';
import { q, virtualChat } from '../profile/virtual-chat.js';

afterEach(closeWindows);

/** Lets the page's turn come: what the page changes lands between two runs of ours, never inside one. */
const pageTurn = () => new Promise((r) => setTimeout(r, 0));

/** Adds a row as the fixture's script would (a bubble with sender and body). */
function addRow(doc: Document, from: string, text: string, own: boolean): Element {
  const row = doc.createElement('div');
  row.className = `bubble ${own ? 'out' : 'in'}`;
  row.setAttribute('data-author', from);
  const who = doc.createElement('span');
  who.className = 'who';
  who.textContent = from;
  const body = doc.createElement('p');
  body.className = 'body';
  body.textContent = text;
  row.append(who, body);
  q(doc, '#viewport .spacer').append(row);
  return row;
}

describe('profile adapter', () => {
  it("a row's order: a number or a date from the profile's order attribute, else none", () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter({ ...profile, orderAttribute: 'data-ts' }, doc);
    const row = addRow(doc, 'bob', 'late', false);
    expect(a.readMessage(row)?.order).toBeUndefined();
    row.setAttribute('data-ts', '1043');
    expect(a.readMessage(row)?.order).toBe(1043);
    row.setAttribute('data-ts', '2026-12-07T16:20:00Z');
    expect(a.readMessage(row)?.order).toBe(Date.UTC(2026, 11, 7, 16, 20));
    expect(a.watchAttributes).toContain('data-ts');
    for (const bad of [
      '',
      'May',
      '12:30',
      'Infinity',
      'NaN',
      '1e999',
      '9'.repeat(70),
      '2026-13-45',
      '2026-12-07',
    ])
      expect(orderOf(bad), bad).toBeUndefined();
    expect(orderOf(' 1.5e3 ')).toBe(1500);
    // A word ending in a whole number (The Lounge's id="msg-1043"): the number.
    expect([orderOf('msg-1043'), orderOf('m7'), orderOf('row_12'), orderOf('item:3')]).toEqual([
      1043, 7, 12, 3,
    ]);
    for (const bad of ['msg-', 'msg-1a', 'a1b2', 'msg-1.5', '-12x', 'msg-1234567890123456', 'ü1'])
      expect(orderOf(bad), bad).toBeUndefined();
    expect(orderOf(null)).toBeUndefined();
    // Without the attribute in the profile a row has no order, whatever it carries.
    expect(profileAdapter(profile, doc).readMessage(row)?.order).toBeUndefined();
  });

  it('reads rows, own-ness, senders; ids from sender + text are stable and distinct', () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    expect(a.name).toBe('profile');
    expect(a.protocol).toBe('offrecord-web');
    expect(a.maxMessageLength).toBe(2000);
    const rows = a.messageRows(doc);
    expect(rows).toHaveLength(4);
    const read = rows.map((r) => a.readMessage(r));
    expect(read.map((m) => m && { from: m.from, text: m.text, own: m.own })).toEqual([
      { from: 'bob', text: 'hi alice', own: false },
      { from: 'alice', text: 'hello bob', own: true },
      { from: 'bob', text: 'how are you?', own: false },
      { from: 'alice', text: 'fine, thanks', own: true },
    ]);
    const ids = read.map((m) => m?.id);
    expect(new Set(ids).size).toBe(4);
    // The picker's profile reads the fixture's data-index as the rows' order: hashed in too.
    expect(profile.orderAttribute).toBe('data-index');
    expect(ids[0]).toBe(contentId('bob', false, 'hi alice', 0));
    expect(ids[0]).toMatch(/^h-[0-9a-f]{32}$/);
    // A recycled element showing another message gets another id; the same message the same id.
    const first = rows[0] as Element;
    (first.querySelector('p.body') as Element).textContent = 'fine, thanks';
    first.setAttribute('data-author', 'alice');
    first.className = 'bubble out';
    first.setAttribute('data-index', '3');
    expect(a.readMessage(first)?.id).toBe(ids[3]);
    expect(a.composeBox(doc)).toBe(q(doc, '.editor'));
    expect(a.messageList(doc)).toBe(q(doc, '#viewport .spacer'));
  });

  it('identical rows shown at once are messages of their own; re-rendered, re-read or re-mounted they keep their ids', async () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    // Go private, End, Go private again: the same Query line twice (and our same "ok" twice).
    addRow(doc, 'alice', '?OTRv23?', true);
    addRow(doc, 'bob', '?OTR:AAMD ended.', false);
    addRow(doc, 'alice', '?OTRv23?', true);
    const ids = () => a.messageRows(doc).map((r) => a.readMessage(r)?.id);
    const first = ids();
    expect(new Set(first).size).toBe(7);
    // The first of them keeps the id such a row always had.
    expect(first[4]).toBe(contentId('alice', true, '?OTRv23?'));
    expect(first[6]).toBe(contentId('alice', true, '?OTRv23?', undefined, 1));
    // Read again, in the other order: the same ids.
    const rows = a.messageRows(doc);
    expect([...rows].reverse().map((r) => a.readMessage(r)?.id)).toEqual([...first].reverse());
    // React re-creates every row with the same content: the same ids.
    for (const r of rows) r.replaceWith(r.cloneNode(true));
    await pageTurn();
    expect(ids()).toEqual(first);
    // The list recycles the first Query's element for another message before it is read again:
    // the second Query, read alone, is the only one shown now and takes the first's id (nothing
    // new: re-mounting never makes a row count twice).
    const [, , , , q1, , q2] = a.messageRows(doc) as Element[];
    (q1?.querySelector('p.body') as Element).textContent = 'something else';
    await pageTurn();
    expect(a.readMessage(q2 as Element)?.id).toBe(first[4]);
    // Shown again: two of them again, the ids they had.
    (q1?.querySelector('p.body') as Element).textContent = '?OTRv23?';
    await pageTurn();
    expect(ids()).toEqual(first);
    // Scrolled out (unmounted) and back: the same.
    q1?.remove();
    await pageTurn();
    expect(a.readMessage(q2 as Element)?.id).toBe(first[4]);
  });

  it('reads each of many identical rows once in a scan, not once per twin', () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    for (let i = 0; i < 300; i++) addRow(doc, 'bob', 'ok', false);
    const proto = (doc.defaultView as unknown as typeof globalThis).Element.prototype;
    const matches = proto.matches;
    let calls = 0;
    proto.matches = function (this: Element, s: string) {
      calls++;
      return matches.call(this, s);
    } as typeof matches;
    try {
      const ids = a.messageRows(doc).map((r) => a.readMessage(r)?.id);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      proto.matches = matches;
    }
    // A few matches() per row (listing the rows, reading one: the row, then whether it is ours);
    // reading every twin again for each would be ~45,000 reads.
    expect(calls).toBeLessThan(4 * 300);
  });

  it("with the profile's order, identical rows of different order differ even when only one is shown", () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter({ ...profile, orderAttribute: 'data-n' }, doc);
    const q1 = addRow(doc, 'alice', '?OTRv23?', true);
    q1.setAttribute('data-n', '10');
    const id1 = a.readMessage(q1)?.id;
    q1.remove(); // scrolled out of a virtualized list
    const q2 = addRow(doc, 'alice', '?OTRv23?', true);
    q2.setAttribute('data-n', '14');
    const id2 = a.readMessage(q2)?.id;
    expect(id2).not.toBe(id1);
    // Mounted again with its order: its own id again.
    q2.before(q1);
    expect(a.readMessage(q1)?.id).toBe(id1);
    expect(a.readMessage(q2)?.id).toBe(id2);
    // The same order (a coarse timestamp) on both: numbered in the page's order.
    q2.setAttribute('data-n', '10');
    expect(a.readMessage(q2)?.id).not.toBe(id1);
    expect(a.readMessage(q1)?.id).toBe(id1);
  });

  it('the id attribute when the profile names one; rows without a usable id are skipped', () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter({ ...profile, idAttribute: 'data-index', maxMessageLength: 500 }, doc);
    expect(a.maxMessageLength).toBe(500);
    expect(a.messageRows(doc).map((r) => a.readMessage(r)?.id)).toEqual(['0', '1', '2', '3']);
    q(doc, '.bubble', 2).removeAttribute('data-index');
    expect(a.readMessage(q(doc, '.bubble', 2))).toBeNull();
    expect(a.watchAttributes).toEqual(['data-index', 'data-author']);
  });

  it('account from our own rows @ host, peer from the latest buddy row; both kept when scrolled away', () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    expect(a.account(doc)).toBe('alice@127.0.0.1:9000');
    expect(a.conversation(doc)).toEqual({ kind: 'one-to-one', peer: 'bob', reason: null });
    // The virtualized list now shows none of the earlier rows.
    for (const r of a.messageRows(doc)) r.remove();
    addRow(doc, 'alice', 'only mine in view', true);
    expect(a.account(doc)).toBe('alice@127.0.0.1:9000');
    expect(a.conversation(doc)).toEqual({ kind: 'one-to-one', peer: 'bob', reason: null });
  });

  it("no buddy row and no peer element: none, with the reason; 'me' before any own row", () => {
    const { doc, profile } = virtualChat();
    for (const r of Array.from(q(doc, '#viewport .spacer').children)) r.remove();
    const a = profileAdapter(profile, doc);
    expect(a.account(doc)).toBe('me@127.0.0.1:9000');
    const c = a.conversation(doc);
    expect(c.kind).toBe('none');
    expect(c.reason).toMatch(/cannot tell who your buddy is/);
  });

  it('the buddy known but not our name: refused until one of our rows is in view (one key, not two)', () => {
    const { doc, profile } = virtualChat();
    for (const r of Array.from(q(doc, '#viewport .spacer').children)) r.remove();
    addRow(doc, 'bob', 'anyone there?', false);
    const a = profileAdapter(profile, doc);
    const c = a.conversation(doc);
    expect(c).toMatchObject({ kind: 'none', peer: 'bob' });
    expect(c.reason).toMatch(/does not know your name on this site yet/);
    addRow(doc, 'alice', 'yes', true);
    expect(a.account(doc)).toBe('alice@127.0.0.1:9000');
    expect(a.conversation(doc)).toEqual({ kind: 'one-to-one', peer: 'bob', reason: null });
  });

  it('rows that name no sender: the account is me@host for good, the buddy from the peer element', () => {
    const { doc, profile } = virtualChat();
    const { senderAttribute: _drop, ...anonymous } = profile;
    const a = profileAdapter(
      { ...anonymous, selectors: { ...profile.selectors, peer: 'header h1.title' } },
      doc,
    );
    expect(a.account(doc)).toBe('me@127.0.0.1:9000');
    expect(a.conversation(doc)).toEqual({ kind: 'one-to-one', peer: 'Chat with bob', reason: null });
    const rows = a.messageRows(doc).map((r) => a.readMessage(r));
    expect(rows.map((m) => m?.from)).toEqual(['Chat with bob', 'me', 'Chat with bob', 'me']);
  });

  it('a peer element names the buddy; two different buddies without one is a group', () => {
    const { doc, profile } = virtualChat();
    addRow(doc, 'carol', 'me too', false);
    const a = profileAdapter(profile, doc);
    const g = a.conversation(doc);
    expect(g.kind).toBe('group');
    expect(g.reason).toMatch(/two people/);
    const named = profileAdapter(
      { ...profile, selectors: { ...profile.selectors, peer: 'header h1.title' } },
      doc,
    );
    expect(named.conversation(doc)).toEqual({ kind: 'one-to-one', peer: 'Chat with bob', reason: null });
  });

  it('a page that no longer matches: kind none and the reason private mode refuses with', () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    expect(a.conversation(doc).kind).toBe('one-to-one');
    // The site "redesigned" its list.
    q(doc, '#viewport .spacer').className = 'rows';
    const c = a.conversation(doc);
    expect(c.kind).toBe('none');
    expect(c.peer).toBeNull();
    expect(c.reason).toMatch(
      /^This site's offrecord profile no longer matches the page \(message list: 0 matches for .*\)\. Show offrecord where the chat is again\.$/,
    );
    expect(a.messageRows(doc)).toEqual([]);
  });

  it('send puts the line into the contenteditable and presses Enter; refuses malformed lines', async () => {
    const { doc, profile } = virtualChat();
    const a = profileAdapter(profile, doc);
    const editor = q(doc, '.editor');
    const sent: string[] = [];
    // What the fixture's own script does on Enter.
    editor.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key !== 'Enter') return;
      e.preventDefault();
      sent.push((editor.textContent ?? '').trim());
      editor.textContent = '';
    });
    expect(await a.send(doc, '?OTR:AAMDxyz.')).toBe(true);
    expect(sent).toEqual(['?OTR:AAMDxyz.']);
    expect(() => a.send(doc, 'two\nlines')).toThrow(/line breaks/);
    expect(() => a.send(doc, 'x'.repeat(2001))).toThrow(/limit/);
  });

  it('pickAdapter: the profile only for its own origin; page-info with the check and the guess', () => {
    const { doc, profile } = virtualChat();
    expect(pickAdapter(doc, null)).toBeNull();
    expect(pickAdapter(doc, { ...profile, site: 'http://127.0.0.1:9001' })).toBeNull();
    const a = pickAdapter(doc, profile);
    expect(a?.name).toBe('profile');
    expect(pageInfo(doc, a, profile)).toEqual({
      adapter: 'profile',
      profile: { ok: true, problems: [], rows: 4 },
      guess: null,
    });
    const none = pageInfo(doc, null, null);
    expect(none.adapter).toBeNull();
    expect(none.profile).toBeNull();
    expect(none.guess?.confidence).toBeGreaterThan(0.3);
    expect(none.guess?.reasons.join(' ')).toMatch(/several lines/);
    expect(none.guess?.reasons.join(' ')).toMatch(/repeated rows/);
  });

  it('a built-in adapter comes first, even with a saved profile', () => {
    const doc = loadPage('dom/thelounge/query.html');
    const { profile } = virtualChat();
    expect(pickAdapter(doc, profile)?.name).toBe('thelounge');
  });
});

describe('a saved profile whose selectors are not valid CSS (an imported file passes the format check)', () => {
  it('reads nothing, throws nothing, and says which selector is broken', () => {
    const { doc, profile } = virtualChat();
    for (const [key, bad] of [
      ['row', 'div >> p'],
      ['list', '..spacer'],
      ['text', '#1a'],
    ] as const) {
      const broken = { ...profile, selectors: { ...profile.selectors, [key]: bad } };
      expect(pickAdapter(doc, broken)).toBeNull();
      const info = pageInfo(doc, null, broken, null);
      expect(info.profile?.ok).toBe(false);
      expect(info.profile?.problems[0]).toContain(`selectors.${key}`);
      expect(info.profile?.problems[0]).toContain('not a valid CSS selector');
    }
  });
});
