/**
 * The adapter for a chat offrecord has no hand-written adapter for: everything comes from the
 * site's saved profile (src/profile/profile.ts, made by the element picker). DOM only, no
 * extension API; everything read from the page is bounded and read with textContent (I3).
 *
 * - rows: the direct children of `selectors.list` matching `selectors.row`, read with `readRow`.
 * - row id: the `idAttribute` value when the profile names one, else a hash of sender, own-ness
 *   and text, and of the row's order when the profile reads one (the background dedupes by id +
 *   content). Identical rows shown at once (a second Query after End, "ok" twice) are numbered in
 *   the page's order: the n-th of them hashes n in too, so each is a message of its own, while a
 *   re-rendered or re-mounted row gets the number it had (only as many ids as identical rows are
 *   shown at once: a page can add copies of a row, as it can add any row, never re-number one by
 *   re-rendering). A virtualized list without ids or order that has unmounted the earlier of two
 *   identical rows cannot tell the later one from it: the profile needs an id or order attribute.
 * - row order: the `orderAttribute` value when the profile names one, a number ("1043", "1.5e3"),
 *   a word ending in a whole number ("msg-1043") or a date ("2026-12-07T16:20:00Z"); anything else
 *   gives the row no order.
 * - account: the sender read on our own rows + "@" + host ("me@host" when the rows name no
 *   sender). Once read it is kept for the page's life (a virtualized list scrolls our rows away).
 *   Until it is read, the chat is refused with a reason: reporting "me@host" first and the real
 *   name later would make two OTR keys, and the buddy would see our fingerprint change.
 * - peer: `selectors.peer`'s text, else the sender of the latest buddy row (kept while no buddy
 *   row is in view, forgotten when the list element is replaced). Two different buddies in the
 *   rows → a group: refused.
 * - conversation: when `checkProfile` fails, kind 'none' with a reason, so private mode refuses
 *   to start rather than guess (the router refuses whenever the reason is non-null).
 */

import { t } from '../../extension/shared/i18n';
import { bytesToHex, utf8Encode } from '../../src/crypto/bytes';
import { sha256 } from '../../src/crypto/hash';
import { orderOf, type SiteProfile } from '../../src/profile/profile';
import { checkProfile, readRow } from '../picker/derive';
import { ComposeError, checkLine, composeAndSend } from './compose';
import type { AdapterConversation, AdapterMessage, SiteAdapter } from './index';

export const PROFILE_PROTOCOL = 'offrecord-web';
export const DEFAULT_MAX_MESSAGE_LENGTH = 2000;
const MAX_NAME = 200;
const MAX_ID = 200;
const MAX_TEXT = 100_000;

/** A display name from the page: whitespace collapsed, no control characters, bounded; null if unusable. */
export function cleanName(v: string | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const s = v.replace(/\s+/g, ' ').trim();
  if (s.length === 0 || s.length > MAX_NAME || /\p{Cc}/u.test(s)) return null;
  return s;
}

function hostOf(site: string): string {
  try {
    return new URL(site).host;
  } catch {
    return site;
  }
}

/**
 * The id of a row without a site id: stable for the same sender, side, text and order; the
 * `occurrence`-th (from 0) of identical rows shown at once hashes its number in. (The first one's
 * id, without an order, is what it always was.)
 */
export function contentId(from: string, own: boolean, text: string, order?: number, occurrence = 0): string {
  const parts: unknown[] = [from, own, text];
  if (order !== undefined || occurrence > 0) parts.push(order ?? null);
  if (occurrence > 0) parts.push(occurrence);
  const digest = sha256(utf8Encode(JSON.stringify(parts)));
  return `h-${bytesToHex(digest).slice(0, 32)}`;
}

/** The content a row without a site id is known by (sender, side, text, order). */
function contentKey(from: string, own: boolean, text: string, order: number | undefined): string {
  return JSON.stringify([from, own, text, order ?? null]);
}

/** Elements before others in the document first. */
function documentOrder(a: Element, b: Element): number {
  return a.compareDocumentPosition(b) & 4 /* Node.DOCUMENT_POSITION_FOLLOWING */ ? -1 : 1;
}

export function profileAdapter(profile: SiteProfile, doc: Document): SiteAdapter {
  const host = hostOf(profile.site);
  const maxMessageLength = profile.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH;
  /** Whether rows name their sender at all (else the account is "me@host" for good). */
  const namesSenders = profile.senderAttribute !== undefined || profile.selectors.sender !== undefined;
  let ownName: string | null = null;
  let lastPeer: string | null = null;
  let peerList: Element | null = null;
  /**
   * Rows without a site id by the content they showed when last read, each list in the page's
   * order: identical rows are numbered by it. An element counts for a content only while it is in
   * the list and still shows it (read again to make sure: a recycled row may not have been read
   * since it changed); `shown` is what each element showed when last read (for the sweep).
   */
  const twins = new Map<string, Element[]>();
  const shown = new WeakMap<Element, string>();
  let sweepAt = 1000;
  /**
   * Which synchronous run of ours read an element last (`readIn`): within one run (a scan reads
   * every row in one go) the page cannot have changed a row, so a twin read in this run is not read
   * again. Without it a scan of n identical rows read each of them n/2 times.
   */
  let run = 0;
  let runEnding = false;
  const thisRun = (): number => {
    if (!runEnding) {
      runEnding = true;
      queueMicrotask(() => {
        run++;
        runEnding = false;
      });
    }
    return run;
  };
  const readIn = new WeakMap<Element, number>();

  const list = (d: Document): Element | null => d.querySelector(profile.selectors.list);

  const rows = (d: Document): Element[] => {
    const l = list(d);
    return l ? Array.from(l.children).filter((c) => c.matches(profile.selectors.row)) : [];
  };

  /** Reads every row once: learns our own name, and the buddies' names newest last. */
  const scan = (d: Document): { buddies: string[] } => {
    const buddies: string[] = [];
    for (const row of rows(d)) {
      const r = readRow(row, profile);
      const from = cleanName(r?.from);
      if (!r || !from) continue;
      if (r.own) ownName = from;
      else buddies.push(from);
    }
    return { buddies };
  };

  const peerOf = (d: Document): { peer: string | null; buddies: Set<string> } => {
    const l = list(d);
    if (l !== peerList) {
      peerList = l;
      lastPeer = null;
    }
    const { buddies } = scan(d);
    const named = profile.selectors.peer
      ? cleanName(d.querySelector(profile.selectors.peer)?.textContent)
      : null;
    const latest = buddies[buddies.length - 1];
    if (named) lastPeer = named;
    else if (latest) lastPeer = latest;
    return { peer: lastPeer, buddies: new Set(buddies) };
  };

  const readContent = (
    row: Element,
  ): { from: string; own: boolean; text: string; order: number | undefined } | null => {
    const r = readRow(row, profile);
    if (!r || r.text.length === 0 || r.text.length > MAX_TEXT) return null;
    const named = cleanName(r.from);
    if (named && r.own) ownName = named;
    const from = named ?? (r.own ? (ownName ?? 'me') : (lastPeer ?? ''));
    const order = profile.orderAttribute ? orderOf(row.getAttribute(profile.orderAttribute)) : undefined;
    return { from, own: r.own, text: r.text, order };
  };

  /** Which of the identical rows in the list `row` is (0: the first in the page's order). */
  const occurrence = (row: Element, key: string): number => {
    const now = thisRun();
    shown.set(row, key);
    readIn.set(row, now);
    const list = row.parentElement;
    const same = [row];
    for (const el of twins.get(key) ?? []) {
      if (el === row || !el.isConnected || el.parentElement !== list) continue;
      if (readIn.get(el) === now) {
        if (shown.get(el) === key) same.push(el);
        continue;
      }
      const c = readContent(el);
      if (c && contentKey(c.from, c.own, c.text, c.order) === key) {
        same.push(el);
        readIn.set(el, now);
      } else shown.delete(el);
    }
    if (same.length > 1) same.sort(documentOrder);
    twins.set(key, same);
    if (twins.size > sweepAt) {
      // Forget elements gone from the page or showing something else since (bounded by the rows shown).
      for (const [k, els] of twins) {
        const kept = els.filter((el) => el.isConnected && shown.get(el) === k);
        if (kept.length > 0) twins.set(k, kept);
        else twins.delete(k);
      }
      sweepAt = Math.max(1000, 2 * twins.size);
    }
    return same.indexOf(row);
  };

  const adapter: SiteAdapter = {
    name: 'profile',
    protocol: PROFILE_PROTOCOL,
    maxMessageLength,
    detect: (d) => d.location?.origin === profile.site && list(d) !== null,
    account(d) {
      // Our name, once read, is kept for the page's life: no need to read every row again (the
      // core asks on every tick and before every line it types).
      if (ownName === null) scan(d);
      return `${ownName ?? 'me'}@${host}`;
    },
    conversation(d): AdapterConversation {
      const check = checkProfile(d, profile);
      if (!check.ok) {
        const first = (check.problems[0] ?? '').slice(0, 200);
        return {
          kind: 'none',
          peer: null,
          reason: t('ui_reasonProfileStale', first),
        };
      }
      const { peer, buddies } = peerOf(d);
      if (!profile.selectors.peer && buddies.size > 1)
        return {
          kind: 'group',
          peer: null,
          reason: t('ui_reasonManyBuddies', buddies.size),
        };
      if (!peer)
        return {
          kind: 'none',
          peer: null,
          reason: t('ui_reasonNoBuddyYet'),
        };
      // The account is named after us: reporting "me@host" now and "alice@host" once our row
      // appears would make two keys (the buddy would see our fingerprint change). Wait for it.
      if (namesSenders && ownName === null)
        return {
          kind: 'none',
          peer,
          reason: t('ui_reasonNoOwnNameYet'),
        };
      return { kind: 'one-to-one', peer, reason: null };
    },
    composeBox: (d) => d.querySelector(profile.selectors.compose),
    messageList: list,
    messageRows: rows,
    isRow: (el, l) => el.parentElement === l && el.matches(profile.selectors.row),
    watchAttributes: [
      ...new Set([profile.idAttribute, profile.senderAttribute, profile.orderAttribute]),
    ].filter((a): a is string => !!a),
    readMessage(row): AdapterMessage | null {
      const c = readContent(row);
      if (!c) return null;
      const { from, own, text, order } = c;
      let id: string;
      if (profile.idAttribute) {
        const v = row.getAttribute(profile.idAttribute);
        if (!v || v.length > MAX_ID || /\p{Cc}/u.test(v)) return null;
        id = v;
      } else {
        id = contentId(from, own, text, order, occurrence(row, contentKey(from, own, text, order)));
      }
      const m: AdapterMessage = { id, from, text, own };
      if (order !== undefined) m.order = order;
      return m;
    },
    send(d, text) {
      checkLine(text, maxMessageLength);
      const box = d.querySelector(profile.selectors.compose);
      if (!box) throw new ComposeError('the message box of the site profile is not in the page');
      return composeAndSend(d, box, text, profile.send);
    },
  };
  // Learn the names already in the page.
  peerOf(doc);
  return adapter;
}
