// The content script's core: reads the open chat through the site adapter, reports it and its
// new rows to the background, types the wire lines the background pushes into the site (one at a
// time, each awaited until the page shows it back), and covers the site's compose box on
// private-mode pushes (typing happens in the side panel).
// It never sees plaintext (I1): the background sends it only ciphertext lines to send.
//
// Rows are captured in the MutationObserver callback itself (read at once, reported a moment
// later): a virtualized list recycles its row elements, and a message that is shown for 100 ms
// must still be reported. The content script (main.ts) says hello and calls attach() after every
// (re)connect; stop() ends a core cleanly when the page's adapter changes (a new site profile).

import type { ContentRequest, Pacing, PushEvent, WireLine } from '../extension/shared/messages';
import { chatBatches, LIMITS } from '../extension/shared/messages';
import type { PortClient } from '../extension/shared/port-client';
import type { SiteProfile } from '../src/profile/profile';
import {
  anyRowCollapsed,
  collapseOtrRows,
  expandRows,
  isOtrText,
  offerGoPrivate,
  setPrivateMode,
} from './overlay/index';
import {
  type AdapterConversation,
  type AdapterMessage,
  guessInfo,
  pageInfo,
  pickAdapter,
  type SiteAdapter,
} from './sites/index';

/**
 * Bound on the ids remembered per conversation (rows already reported). Above the rows a chat page
 * holds: a list longer than this would have its oldest rows reported again by each full scan.
 */
const MAX_REMEMBERED = 20_000;
/**
 * Between full scans a tick reads only the rows the observer saw change, so a new message costs
 * the same in a list of 50 rows or 5,000. A full scan still runs at the start, after a reconnect
 * or a chat switch, when private mode changes, when a capture failed, and at least this often
 * while the page changes (a safety net for a change the capture could not attribute to a row).
 */
const FULL_SCAN_MS = 5000;
/**
 * A change inside the message list is read at once (captured in the observer callback) and
 * reported in the next task. A change elsewhere on the page (the open chat switched, the site's
 * own error shown, the compose box replaced) is looked at after this long: often enough for a
 * person, rarely enough that a page busy with a clock or a typing indicator costs little.
 */
const IDLE_TICK_MS = 100;
const RETRY_SEND_MS = 1000;
/**
 * Delivered means seen: a line the site took counts as delivered only once the page shows it back
 * as the user's own message. Not seen within this long after it was first typed (the site not
 * taking it is retried meanwhile), or kept from typing this long by the site's own error, it is
 * reported as not delivered.
 */
export const DELIVERY_TIMEOUT_MS = 15_000;
const DELIVERY_CHECK_MS = 1000;
/** How often a list at its end is kept there while offrecord reads it (ChatCore.follow). */
const FOLLOW_MS = 500;
/** A line awaited while the list is scrolled away fails after this many delivery waits in all. */
const BLIND_WAITS = 4;
/** Keys that scroll a list (what a user's keydown may move it with). */
const SCROLL_KEYS = new Set(['PageUp', 'PageDown', 'ArrowUp', 'ArrowDown', 'Home', 'End', ' ']);
/** What the user scrolls a list with (the page's own scrolling is not the user's). */
const USER_SCROLL_EVENTS = ['wheel', 'touchmove', 'keydown', 'pointerdown'] as const;
/** How many rows placeRows looks through, from the list's newest end, for one read before. */
const MAX_PLACE_STEPS = 2000;
/** Own OTR rows remembered for lines re-awaited after a reconnect (about one long message's fragments). */
const MAX_OWN_SEEN = 200;
/** Pacing for a site whose adapter names none: bursts of 10, then one line per 200 ms. */
export const DEFAULT_PACING: Pacing = { burst: 10, intervalMs: 200 };
/** Attributes whose change may mean a row shows another message (besides the adapter's own). */
const WATCHED_ATTRIBUTES = ['data-id', 'id', 'aria-label', 'data-type', 'class', 'data-from'];

/** Drops the oldest entries of a set or map (insertion order) past MAX_REMEMBERED. */
function bounded<K>(set: { size: number; keys(): Iterable<K>; delete(k: K): boolean }): void {
  if (set.size <= MAX_REMEMBERED) return;
  for (const v of set.keys()) {
    set.delete(v);
    if (set.size <= MAX_REMEMBERED) break;
  }
}

export class ChatCore {
  private convKey: string | null = null;
  /** Rows the background accepted (row id + text length: a re-rendered row with new text is new). */
  private readonly reported = new Set<string>();
  /** Rows sent in a request not yet answered. */
  private readonly inFlight = new Set<string>();
  private initialScanDone = false;
  /**
   * The newest order (AdapterMessage.order) among the rows of the first scan: a row read later
   * whose order is not above it was in the chat before this page (an old row a virtualized list
   * mounts when scrolled back) and is reported as history; a late row shown above older ones has
   * a larger order and is new. Null while the adapter gives the first scan's rows no order.
   */
  private historyMark: number | null = null;
  /**
   * Rows without an order are placed by where they sit in the list (see placeRows): the id of the
   * newest row read so far (the newest of the first scan, then each row placed after it), and for
   * rows placed but not yet reported, whether their place made them history.
   */
  private newestId: string | null = null;
  private readonly placed = new Map<string, boolean>();
  /** Whether the list shows its newest rows first in the document (a column-reverse flex box). */
  private direction: { list: Element; newestFirst: boolean } | null = null;
  /** Wire lines queued or sent in this conversation, by seq (a re-push after a restart is not re-sent). */
  private readonly queued = new Set<number>();
  private readonly sent = new Set<number>();
  private readonly queue: WireLine[] = [];
  /** Queued lines the site did not take when typed (awaited all the same: it may have sent them). */
  private readonly untaken = new Set<number>();
  private sending = false;
  private privateOn = false;
  private offerable = false;
  /** Whether the in-page button should show, and the timer that draws it (updateOffer). */
  private offerWanted = false;
  private offerTimer: ReturnType<typeof setTimeout> | null = null;
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  /** The delay the pending tick was scheduled with. */
  private tickDelay = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private connected = false;
  private stopped = false;
  private observer: MutationObserver | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Rows read in the observer callback, not yet reported, by row key, oldest first. */
  private readonly captured = new Map<string, AdapterMessage>();
  /** Row elements the observer saw change since the last tick (for collapsing and reading). */
  private readonly touchedRows = new Set<Element>();
  private fullScanDue = true;
  private lastFullScan = 0;
  /** Lines typed into the site, by seq, waiting to be seen back as own messages (since when). */
  private readonly awaiting = new Map<number, { wire: string; since: number; first: number }>();
  /** The same, by wire text (what an own row shows), for matching rows. */
  private readonly awaitingByWire = new Map<string, number[]>();
  /**
   * OTR texts of own rows read lately (bounded): a line re-awaited after a reconnect may have been
   * shown, and recycled out of a virtualized list, while its report was lost with the old port.
   */
  private readonly ownOtrSeen = new Set<string>();
  private deliveryTimer: ReturnType<typeof setTimeout> | null = null;
  private followTimer: ReturnType<typeof setTimeout> | null = null;
  /** The user has scrolled (wheel, touch, keys, scrollbar) since follow() last looked. */
  private userScrolled = false;
  /** The user moved the list away from its newest end: not followed until they come back. */
  private awayByUser = false;
  private readonly onUserScroll = (e: Event): void => {
    // The page's own (synthetic) events are not the user's: it could stop following at will.
    if (!e.isTrusted) return;
    if (e.type === 'keydown' && !SCROLL_KEYS.has((e as KeyboardEvent).key)) return;
    // A press counts only on the list's scroller (its scrollbar), not a click anywhere.
    if (e.type === 'pointerdown') {
      const list = this.adapter.messageList(this.doc);
      const target = e.target as Node | null;
      if (!list || typeof target?.contains !== 'function' || !target.contains(list)) return;
    }
    this.userScrolled = true;
  };
  private paceTimer: ReturnType<typeof setTimeout> | null = null;
  /** The site's own error that stops sending, and what the background was last told (undefined: nothing on this port). */
  private siteError: string | null = null;
  private reportedSiteError: string | null | undefined = undefined;
  private pausedSince: number | null = null;
  private pacing: Pacing;
  private tokens: number;
  private lastRefill = 0;
  private readonly deliveryTimeoutMs: number;
  private readonly retrySendMs: number;

  constructor(
    private readonly client: PortClient<ContentRequest>,
    private readonly doc: Document,
    readonly adapter: SiteAdapter,
    options: { deliveryTimeoutMs?: number; retrySendMs?: number } = {},
  ) {
    this.pacing = adapter.pacing ?? DEFAULT_PACING;
    this.tokens = this.pacing.burst;
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.retrySendMs = options.retrySendMs ?? RETRY_SEND_MS;
  }

  /** Starts watching the page and listening to pushes; reports nothing before attach(). */
  start(): void {
    this.unsubscribe = this.client.onPush((e) => this.onPush(e));
    const View = this.doc.defaultView?.MutationObserver ?? MutationObserver;
    this.observer = new View((records) => this.onMutations(records));
    this.observer.observe(this.doc.documentElement, {
      childList: true,
      subtree: true,
      characterData: true,
      attributes: true,
      attributeFilter: [...new Set([...WATCHED_ATTRIBUTES, ...(this.adapter.watchAttributes ?? [])])],
    });
    for (const type of USER_SCROLL_EVENTS)
      this.doc.addEventListener(type, this.onUserScroll, { capture: true, passive: true });
  }

  /** After every hello on a (re)connected port: report the chat again, then unreported rows. */
  async attach(): Promise<void> {
    if (this.stopped) return;
    this.convKey = null; // report the conversation again on this port
    this.reportedSiteError = undefined;
    this.fullScanDue = true;
    this.connected = true;
    try {
      await this.tick();
    } catch {
      // The port dropped again; the next connect retries.
    }
  }

  /** Port gone (until the next attach): nothing is reported meanwhile. */
  detach(): void {
    this.connected = false;
  }

  /**
   * Ends this core: no more observing, timers, pushes or reports; the overlay and the in-page
   * button go (a core for the new adapter reports the conversation, and the background then
   * turns private mode on again where it is on).
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.connected = false;
    this.observer?.disconnect();
    this.observer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    if (this.tickTimer !== null) clearTimeout(this.tickTimer);
    this.tickTimer = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.paceTimer !== null) clearTimeout(this.paceTimer);
    this.paceTimer = null;
    if (this.deliveryTimer !== null) clearTimeout(this.deliveryTimer);
    this.deliveryTimer = null;
    if (this.followTimer !== null) clearTimeout(this.followTimer);
    this.followTimer = null;
    if (this.offerTimer !== null) clearTimeout(this.offerTimer);
    this.offerTimer = null;
    for (const type of USER_SCROLL_EVENTS) this.doc.removeEventListener(type, this.onUserScroll, true);
    this.queue.length = 0;
    this.clearAwaiting();
    this.captured.clear();
    offerGoPrivate(false, () => undefined);
    if (this.privateOn) setPrivateMode(false, null, null);
    this.privateOn = false;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private onMutations(records: MutationRecord[]): void {
    if (this.stopped) return;
    let rows = false;
    try {
      rows = this.capture(records);
    } catch {
      // A page mid-render: the next tick's full scan reads what is there.
      this.fullScanDue = true;
      rows = true;
    }
    this.scheduleTick(rows ? 0 : IDLE_TICK_MS);
  }

  /**
   * Reads, right now, every row the mutations touched (a recycled row may change again soon).
   * True when there are rows to report or a scan to run (the changes touched rows of the message
   * list, or rendered the list anew).
   */
  capture(records: readonly MutationRecord[]): boolean {
    // Most mutations of a chat page are elsewhere (a clock, a typing indicator, the sidebar):
    // only those inside the message list, or adding it (a list rendered anew), can touch a row.
    // (Adapters' rows are always inside their message list.)
    const list = this.adapter.messageList(this.doc);
    if (!list) return false;
    const rendered = records.some((r) => addsNode(r, list));
    if (!rendered && !records.some((r) => list.contains(r.target))) return false;
    const touched = this.adapter.isRow
      ? this.touchedByWalk(records, list, this.adapter.isRow)
      : this.touchedByList(records);
    const fresh: Fresh[] = [];
    for (const row of touched) {
      this.touchedRows.add(row);
      const f = this.remember(row);
      if (f) fresh.push(f);
    }
    // Placed now, while the rows stand where the page put them (a virtualized list moves on).
    this.placeRows(list, fresh);
    // A list rendered anew is scanned whole; a change in it that touched no row (a typing
    // indicator, a date line) waits like any other change instead of ticking at once.
    if (rendered) this.fullScanDue = true;
    return rendered || touched.length > 0;
  }

  /**
   * The rows the mutations touched, in document order, found from each change up to its row
   * (and down through subtrees added outside any row): work in proportion to the change, not to
   * the list.
   */
  private touchedByWalk(
    records: readonly MutationRecord[],
    list: Element,
    isRow: (el: Element, list: Element) => boolean,
  ): Element[] {
    const touched = new Set<Element>();
    const rowAt = (node: Node): Element | null => {
      for (let n: Node | null = node; n && n !== list; n = n.parentNode)
        if (n.nodeType === 1 && isRow(n as Element, list)) return n as Element;
      return null;
    };
    const rowsUnder = (root: Element) => {
      const walker = this.doc.createTreeWalker(root, 1 /* NodeFilter.SHOW_ELEMENT */);
      for (let n = walker.nextNode(); n; n = walker.nextNode())
        if (isRow(n as Element, list)) touched.add(n as Element);
    };
    for (const r of records) {
      if (list.contains(r.target)) {
        const row = rowAt(r.target);
        if (row) touched.add(row);
      }
      for (const n of r.addedNodes) {
        if (n.nodeType !== 1) continue;
        if (n === list || n.contains(list)) {
          rowsUnder(list); // the list itself rendered anew
          continue;
        }
        if (!list.contains(n)) continue;
        // A row, or inside one: that row. Else it may hold rows.
        const row = rowAt(n);
        if (row) touched.add(row);
        else rowsUnder(n as Element);
      }
    }
    return [...touched].sort((a, b) => (a.compareDocumentPosition(b) & 4 ? -1 : 1));
  }

  /** The same by listing every row (adapters without isRow). */
  private touchedByList(records: readonly MutationRecord[]): Element[] {
    const rows = this.adapter.messageRows(this.doc);
    if (rows.length === 0) return [];
    const rowSet = new Set<Node>(rows);
    const touched = new Set<Element>();
    const containers: Node[] = [];
    const touch = (node: Node, added: boolean) => {
      for (let n: Node | null = node; n; n = n.parentNode) {
        if (rowSet.has(n)) {
          touched.add(n as Element);
          return;
        }
      }
      // An added subtree that is not inside a row may hold rows (a list re-rendered whole).
      if (added && node.nodeType === 1) containers.push(node);
    };
    for (const r of records) {
      touch(r.target, false);
      for (const n of r.addedNodes) touch(n, true);
    }
    if (containers.length > 0)
      for (const row of rows) if (containers.some((c) => c.contains(row))) touched.add(row);
    // In document order, so messages are reported oldest first.
    return rows.filter((row) => touched.has(row));
  }

  /** Captures a row not read before; returns it (to be placed), or null. */
  private remember(row: Element): Fresh | null {
    const m = this.readBounded(row);
    if (!m) return null;
    const key = rowKey(m);
    if (this.known(key)) return null;
    this.captured.set(key, m);
    bounded(this.captured);
    return { row, key, m };
  }

  /** A row read before: reported, in flight or captured. */
  private known(key: string): boolean {
    return this.reported.has(key) || this.inFlight.has(key) || this.captured.has(key);
  }

  /**
   * Places rows read for the first time after the first scan whose order cannot say whether they
   * are history (the adapter gives none), by where they sit in the list, at the moment they are
   * read:
   * - a row with a row read before it further down the list (below, in the list's order) is
   *   history: an old row a virtualized list mounts when scrolled back, or older messages the site
   *   loads above. So is a late row shown above others (its OTR lines still reach the engine;
   *   docs/architecture.md §10);
   * - a row below every row read before is new when the newest row read so far is in the list
   *   above it (the chat grew at its end);
   * - when that newest row is not in the list (a virtualized list scrolled away from it, or so many
   *   new rows that it was unmounted), a row below every known one is new only while the list's
   *   newest end is in view: scrolled back into the middle of the chat, what mounts is history;
   * - while no row has been read at all (the first scan found none), a row is new.
   * The newest row placed new becomes the newest row read.
   */
  private placeRows(list: Element | null, rows: readonly Fresh[]): void {
    if (!this.initialScanDone || !list || rows.length === 0) return;
    const todo = rows.filter((f) => !this.byOrder(f.m) && !this.placed.has(f.key));
    if (todo.length === 0) return;
    const newestFirst = this.newestFirst(list);
    const last = this.lastKnownRow(list, new Set(todo.map((f) => f.row)), newestFirst);
    const belowNewest = last !== null && last.id === this.newestId;
    let endInView: boolean | undefined;
    let newest: Fresh | null = null;
    for (const f of todo) {
      let history: boolean;
      if (last !== null && !isBelow(f.row, last.row, newestFirst)) history = true;
      // Below the newest row read, or nothing read yet (the first scan found no rows: what comes
      // first is new, as with an order and no mark).
      else if (belowNewest || this.newestId === null) history = false;
      else {
        endInView ??= listEndInView(list);
        history = !endInView;
      }
      this.placed.set(f.key, history);
      if (!history && (newest === null || isBelow(f.row, newest.row, newestFirst))) newest = f;
    }
    if (newest !== null) this.newestId = newest.m.id;
    bounded(this.placed);
  }

  /** The row read before that is lowest in the list now (skipping `skip`), with its id; null when none is. */
  private lastKnownRow(
    list: Element,
    skip: ReadonlySet<Element>,
    newestFirst: boolean,
  ): { row: Element; id: string } | null {
    let steps = 0;
    for (const row of rowsFromNewest(list, this.adapter, this.doc, newestFirst)) {
      // The rows being placed are passed over (however many came at once: they are read anyway);
      // a page of unreadable or never-read rows is not searched for ever.
      if (skip.has(row)) continue;
      if (++steps > MAX_PLACE_STEPS) return null;
      const m = this.readBounded(row);
      if (m && this.known(rowKey(m))) return { row, id: m.id };
    }
    return null;
  }

  private newestFirst(list: Element): boolean {
    if (this.direction?.list !== list) {
      const style = this.doc.defaultView?.getComputedStyle(list);
      const flex = style !== undefined && /flex/.test(style.display);
      this.direction = { list, newestFirst: flex && style?.flexDirection === 'column-reverse' };
    }
    return this.direction.newestFirst;
  }

  /** Whether a row's order decides if it is history (the first scan gave a mark, the row an order). */
  private byOrder(m: AdapterMessage): boolean {
    return m.order !== undefined && this.historyMark !== null;
  }

  /** A row's message, bounded as the port's validators require (the adapter's new object, bounded in place). */
  private readBounded(row: Element): AdapterMessage | null {
    const m = this.adapter.readMessage(row);
    if (!m || m.text.length > LIMITS.chatText || m.id.length > LIMITS.chatId || m.id.length === 0)
      return null;
    if (m.from.length > LIMITS.peer) m.from = m.from.slice(0, LIMITS.peer);
    if (m.own !== true) m.own = false;
    if (m.order !== undefined && !Number.isFinite(m.order)) delete m.order;
    return m;
  }

  /**
   * A tick after `delayMs` (default: at once, in the next task, so every change of this task is
   * read in one go); an earlier request moves a later tick forward.
   */
  private scheduleTick(delayMs = 0): void {
    if (this.stopped) return;
    if (this.tickTimer !== null) {
      if (delayMs >= this.tickDelay) return;
      clearTimeout(this.tickTimer);
    }
    this.tickDelay = delayMs;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      this.tick().catch(() => undefined);
    }, delayMs);
  }

  private async tick(): Promise<void> {
    if (!this.connected || this.stopped) return;
    const a = this.adapter;
    const account = a.account(this.doc);
    const conv = a.conversation(this.doc);
    const key = conversationKey(account, conv);
    if (key !== this.convKey) {
      const changed = this.convKey !== null;
      this.convKey = key;
      // The background keeps the site's error per chat: tell it anew for the chat shown now (it
      // may have gone while another chat was open, and this one would keep showing it).
      this.reportedSiteError = undefined;
      if (changed) this.resetConversation();
      if (!account || this.stopped) return;
      const composeFound = a.composeBox(this.doc) !== null;
      const listFound = a.messageList(this.doc) !== null;
      const reply = await this.client.request({
        type: 'conversation',
        account: account.slice(0, LIMITS.account),
        protocol: a.protocol,
        peer: conv.peer,
        kind: conv.kind,
        reason: conv.reason,
        maxMessageSize: a.maxMessageLength,
        composeFound,
        listFound,
      });
      if (this.stopped) return;
      this.offerable = conv.kind === 'one-to-one' && conv.reason === null && composeFound && listFound;
      this.setPacing(reply.pacing ?? a.pacing ?? DEFAULT_PACING);
      this.updateOffer(reply.privateMode);
    }
    await this.checkSiteError();
    await this.reportRows();
  }

  /** Pacing for this site (the user's setting, else the adapter's); a new burst only if larger. */
  private setPacing(p: Pacing): void {
    if (p.burst === this.pacing.burst && p.intervalMs === this.pacing.intervalMs) return;
    this.pacing = p;
    // Nothing sent yet: the whole new burst; otherwise what is left of the old one, capped.
    this.tokens = this.lastRefill === 0 ? p.burst : Math.min(this.tokens, p.burst);
  }

  /** Reads the site's own error; tells the background when it changes; resumes sending when it goes. */
  private async checkSiteError(): Promise<void> {
    let error: string | null = null;
    try {
      error = this.adapter.siteError?.(this.doc) ?? null;
    } catch {
      error = null;
    }
    if (error !== null) error = error.slice(0, LIMITS.reason) || null;
    const was = this.siteError;
    this.siteError = error;
    if (error !== null && this.pausedSince === null && this.queue.length > 0) this.pausedSince = Date.now();
    if (error === null) this.pausedSince = null;
    if (was !== null && error === null) void this.drain();
    if (error !== null) this.scheduleDeliveryCheck();
    if (error === this.reportedSiteError) return;
    this.reportedSiteError = error;
    try {
      await this.client.request({ type: 'site-error', error });
    } catch (e) {
      this.reportedSiteError = undefined;
      throw e;
    }
  }

  /**
   * The in-page "Go private" button: shown in a usable one-to-one chat while not private. Taken
   * away at once; drawn in a task of its own (a shadow root, its style sheet and the top layer
   * cost a few ms, and the first scan of a long chat runs in the task that asks for it).
   */
  private updateOffer(privateMode: boolean): void {
    if (this.stopped) return;
    this.offerWanted = this.offerable && !privateMode;
    if (!this.offerWanted) {
      offerGoPrivate(false, () => undefined);
      return;
    }
    if (this.offerTimer !== null) return;
    this.offerTimer = setTimeout(() => {
      this.offerTimer = null;
      if (this.stopped || !this.offerWanted) return;
      offerGoPrivate(true, () => {
        this.client.request({ type: 'toggle-private' }).catch(() => undefined);
      });
    }, 0);
  }

  private resetConversation(): void {
    this.reported.clear();
    this.queued.clear();
    this.sent.clear();
    this.queue.length = 0;
    this.clearAwaiting();
    this.pausedSince = null;
    this.captured.clear();
    this.touchedRows.clear();
    this.fullScanDue = true;
    this.initialScanDone = false;
    this.historyMark = null;
    this.newestId = null;
    this.placed.clear();
    this.direction = null;
  }

  private async reportRows(): Promise<void> {
    const now = Date.now();
    const full = this.fullScanDue || !this.initialScanDone || now - this.lastFullScan >= FULL_SCAN_MS;
    const rows = full
      ? this.adapter.messageRows(this.doc)
      : [...this.touchedRows].filter((r) => r.isConnected);
    this.touchedRows.clear();
    if (full) {
      this.fullScanDue = false;
      this.lastFullScan = now;
    }
    const first = !this.initialScanDone;
    const list = this.adapter.messageList(this.doc);
    // What the observer captured (rows maybe gone or recycled since) comes first, then what is in
    // the page now; each row once, and only if not reported or in flight.
    const old: { key: string; m: AdapterMessage }[] = [];
    const recent: { key: string; m: AdapterMessage }[] = [];
    const taken = new Set<string>();
    // `otr`: whether the text holds an OTR line (the read loop has it already).
    const take = (key: string, m: AdapterMessage, otr = isOtrText(m.text)): void => {
      if (taken.has(key) || this.reported.has(key) || this.inFlight.has(key)) return;
      if (first && m.order !== undefined) this.historyMark = Math.max(this.historyMark ?? m.order, m.order);
      if (!first && !this.predatesPage(key, m)) recent.push({ key, m });
      else if (wantedInHistory(m, otr)) old.push({ key, m });
      else {
        // History the background would pass over is done with here: never sent, never read again.
        this.reported.add(key);
        if (this.placed.size > 0) this.placed.delete(key);
        return;
      }
      taken.add(key);
    };
    const own: AdapterMessage[] = [];
    for (const m of this.captured.values()) if (m.own) this.noteOwn(m, own);
    const takeCaptured = (): void => {
      for (const [key, m] of this.captured) take(key, m);
      this.captured.clear();
    };
    // The first scan takes each row as it reads it (a chat of thousands holds no list of them);
    // a later one places the rows not read before while they stand where they are, then takes them.
    if (first) takeCaptured();
    const unread = new Map<string, Fresh>();
    const collapse: Element[] = [];
    const expand: Element[] = [];
    const expanding = anyRowCollapsed();
    const newestFirst = first && list !== null && this.newestFirst(list);
    let newest: AdapterMessage | null = null;
    for (const row of rows) {
      const m = this.readBounded(row);
      if (!m) continue;
      if (m.own) this.noteOwn(m, own);
      const otr = isOtrText(m.text);
      if (otr && this.privateOn) collapse.push(row);
      // A recycled row that shows a plain message now must be readable again, private mode or not.
      else if (!otr && expanding) expand.push(row);
      const key = rowKey(m);
      if (first) {
        // The newest row in the list now: rows read later are placed against it.
        if (!newestFirst || newest === null) newest = m;
        take(key, m, otr);
      } else if (!this.known(key) && !unread.has(key)) unread.set(key, { row, key, m });
    }
    this.trimOwnSeen();
    if (this.awaiting.size > 0) this.matchOwn(own);
    if (collapse.length > 0) collapseOtrRows(collapse);
    if (expand.length > 0) expandRows(expand);
    if (first) {
      this.newestId = newest?.id ?? null;
      this.initialScanDone = true;
    } else {
      this.placeRows(list, [...unread.values()]);
      takeCaptured();
      for (const f of unread.values()) take(f.key, f.m);
    }
    bounded(this.reported);
    const sending = [...old, ...recent];
    // Every row of this report is in flight until its batch is answered: a tick running meanwhile
    // (a new row, private mode turned on) must not send the later batches' rows a second time.
    for (const f of sending) this.inFlight.add(f.key);
    try {
      await this.report(old, true);
      await this.report(recent, false);
    } catch (e) {
      // Not delivered: what was not taken is kept for the next tick (unless a newer capture
      // replaced it).
      for (const f of sending)
        if (!this.reported.has(f.key) && !this.captured.has(f.key)) this.captured.set(f.key, f.m);
      throw e;
    } finally {
      for (const f of sending) this.inFlight.delete(f.key);
    }
  }

  /** An own row (captured or read now): an OTR line remembered, kept for matching awaited lines. */
  private noteOwn(m: AdapterMessage, own: AdapterMessage[]): void {
    if (m.text.startsWith('?OTR')) this.ownOtrSeen.add(m.text);
    if (this.awaiting.size > 0) own.push(m);
  }

  private trimOwnSeen(): void {
    for (const old of this.ownOtrSeen) {
      if (this.ownOtrSeen.size <= MAX_OWN_SEEN) break;
      this.ownOtrSeen.delete(old);
    }
  }

  /**
   * Whether a row read after the first scan was in the chat before it: its order below the mark,
   * or, without an order, its place in the list (placeRows).
   */
  private predatesPage(key: string, m: AdapterMessage): boolean {
    // Strictly below: a new row may share the newest first-scan row's order (a coarse timestamp),
    // and that row itself is already reported.
    if (this.byOrder(m)) return (m.order as number) < (this.historyMark as number);
    return this.placed.get(key) === true;
  }

  /** Reports rows to the background in bounded batches; those it took are never reported again. */
  private async report(rows: { key: string; m: AdapterMessage }[], history: boolean): Promise<void> {
    for (const batch of chatBatches(rows)) {
      if (this.stopped) return;
      // Exactly the keys the background accepts (its validator refuses a batch with any other key).
      const messages = batch.map(({ m }) => ({ id: m.id, from: m.from, text: m.text, own: m.own }));
      await this.client.request({ type: 'chat-messages', messages, history });
      for (const f of batch) {
        this.reported.add(f.key);
        this.placed.delete(f.key);
      }
      bounded(this.reported);
    }
  }

  private onPush(e: PushEvent): void {
    if (this.stopped) return;
    switch (e.type) {
      case 'send-wire':
        for (const line of e.lines) {
          if (this.sent.has(line.seq)) {
            // Sent before the worker restarted; only the ack was lost. Not seen yet for the
            // background (it would not push it again): awaited again, and the rows read anew (the
            // report of its row may have been lost with the old port).
            this.client.request({ type: 'wire-sent', seq: line.seq }).catch(() => undefined);
            if (!this.awaiting.has(line.seq)) this.reawait(line.seq, line.wire);
          } else if (line.typed) {
            // Typed before this page (re)loaded: never typed again; delivered if the page shows it.
            if (!this.awaiting.has(line.seq)) this.reawait(line.seq, line.wire);
            this.sent.add(line.seq);
          } else if (!this.queued.has(line.seq)) {
            this.queued.add(line.seq);
            this.queue.push(line);
          }
        }
        this.queue.sort((x, y) => x.seq - y.seq);
        void this.drain();
        break;
      case 'private-mode': {
        this.privateOn = e.on;
        this.fullScanDue = true; // every row collapsed (or not) anew
        const target = {
          composeBox: this.adapter.composeBox(this.doc),
          messageList: this.adapter.messageList(this.doc),
        };
        setPrivateMode(e.on, target, e.reason);
        this.updateOffer(e.on);
        if (e.on) this.scheduleTick();
        this.scheduleFollow();
        break;
      }
      default:
        break;
    }
  }

  /**
   * Sends queued lines one at a time through the site, paced (a burst, then one per interval),
   * each acknowledged once the site took it and then awaited until the page shows it back.
   * Paused while the site shows its own error (e.g. disconnected).
   */
  private async drain(): Promise<void> {
    if (this.sending || this.stopped) return;
    this.sending = true;
    try {
      while (this.queue.length > 0 && !this.stopped) {
        if (this.siteError !== null) {
          this.pausedSince ??= Date.now();
          this.scheduleDeliveryCheck();
          return;
        }
        const wait = this.takeToken();
        if (wait > 0) {
          if (this.paceTimer === null)
            this.paceTimer = setTimeout(() => {
              this.paceTimer = null;
              void this.drain();
            }, wait);
          return;
        }
        const line = this.queue[0] as WireLine;
        // The lines are for the chat reported last. If the user has switched chats since, they must
        // not be typed into this one: the next tick resets the queue and reports the chat now shown,
        // and the background pushes the lines again when their chat is back.
        if (
          conversationKey(this.adapter.account(this.doc), this.adapter.conversation(this.doc)) !==
          this.convKey
        ) {
          this.scheduleTick();
          return;
        }
        const waiting = this.awaiting.get(line.seq);
        if (this.untaken.has(line.seq) && !waiting) {
          // An earlier attempt looked untaken (the site kept the line in its box), yet the page
          // has shown it as our own message since: the site sent it. Never typed a second time.
          this.queue.shift();
          this.untaken.delete(line.seq);
          this.sent.add(line.seq);
          bounded(this.sent);
          continue;
        }
        // Untaken for the whole delivery wait: checkDelivery reports it not delivered (and the
        // background drops the rest of its message); not typed again meanwhile.
        if (waiting && Date.now() - waiting.since >= this.deliveryTimeoutMs) {
          this.scheduleDeliveryCheck();
          return;
        }
        let taken = false;
        // Awaited before it is typed (the page may show it back before send() returns), from the
        // first attempt on: the delivery wait covers the retries too.
        if (!waiting) this.await(line.seq, line.wire);
        try {
          taken = await this.adapter.send(this.doc, line.wire);
        } catch {
          taken = false;
        }
        if (this.stopped) return;
        // While send() ran, the line may have left the queue (reported not delivered and dropped
        // with its message, or the chat reset): nothing to acknowledge, and the line now at the
        // head is another one, not to be taken off unsent.
        if (this.queue[0] !== line) continue;
        // Shown as ours while the site seemed not to take it: sent all the same.
        if (!taken && !this.awaiting.has(line.seq)) taken = true;
        if (!taken) {
          // Retried in a moment, never lost; the rows are read anew first (a site that sends
          // without emptying its box shows the line as ours, and it must not go twice).
          this.untaken.add(line.seq);
          this.tokens = Math.min(this.pacing.burst, this.tokens + 1);
          this.fullScanDue = true;
          this.scheduleTick();
          if (this.retryTimer === null)
            this.retryTimer = setTimeout(() => {
              this.retryTimer = null;
              void this.drain();
            }, this.retrySendMs);
          return;
        }
        this.untaken.delete(line.seq);
        this.queue.shift();
        this.sent.add(line.seq);
        bounded(this.sent);
        this.client.request({ type: 'wire-sent', seq: line.seq }).catch(() => undefined);
        // The page may already show it (a row rendered during send): look at once.
        this.scheduleTick();
      }
    } finally {
      this.sending = false;
    }
  }

  /** 0 when a line may go now (and takes its token), else how many ms until one may. */
  private takeToken(): number {
    const { burst, intervalMs } = this.pacing;
    const now = Date.now();
    if (intervalMs <= 0) return 0;
    if (this.lastRefill === 0) this.lastRefill = now;
    this.tokens = Math.min(burst, this.tokens + (now - this.lastRefill) / intervalMs);
    this.lastRefill = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) * intervalMs));
  }

  private await(seq: number, wire: string): void {
    const now = Date.now();
    this.awaiting.set(seq, { wire, since: now, first: now });
    this.scheduleFollow();
    const seqs = this.awaitingByWire.get(wire);
    if (seqs) seqs.push(seq);
    else this.awaitingByWire.set(wire, [seq]);
    this.scheduleDeliveryCheck();
  }

  /** A line typed before: delivered at once if its own row was read already, else awaited and the rows read anew. */
  private reawait(seq: number, wire: string): void {
    this.await(seq, wire);
    if (this.ownOtrSeen.has(wire)) {
      this.matchOwn([{ id: '', from: '', text: wire, own: true }]);
      return;
    }
    this.fullScanDue = true;
    this.scheduleTick();
  }

  private unawait(seq: number): void {
    const a = this.awaiting.get(seq);
    if (!a) return;
    this.awaiting.delete(seq);
    const seqs = this.awaitingByWire.get(a.wire)?.filter((s) => s !== seq) ?? [];
    if (seqs.length === 0) this.awaitingByWire.delete(a.wire);
    else this.awaitingByWire.set(a.wire, seqs);
  }

  private clearAwaiting(): void {
    this.awaiting.clear();
    this.awaitingByWire.clear();
    this.untaken.clear();
  }

  /** Own rows the page shows: the awaited lines they match are delivered. */
  private matchOwn(own: readonly AdapterMessage[]): void {
    const seen: number[] = [];
    for (const m of own) {
      const seq = this.awaitingByWire.get(m.text)?.[0];
      if (seq === undefined) continue;
      this.unawait(seq);
      seen.push(seq);
    }
    if (seen.length === 0) return;
    this.client.request({ type: 'wire-delivered', seqs: seen }).catch(() => {
      // The port dropped: the background pushes them again (typed) and a full scan finds them.
    });
  }

  /**
   * Keeps a list that was at its newest end there while offrecord reads it (private mode, or our
   * own lines awaited: an AKE may run before private mode is on here). A virtualized list mounts
   * only the rows in view, and one whose "follow new rows" falls short (a new row measured taller
   * than estimated) leaves the newest rows unmounted: unread, the AKE stalls. A list the user
   * scrolled away from its end (wheel, touch, keys, scrollbar) is left where they put it until
   * they come back within a quarter screen of the end; the page's own scrolling does not count.
   */
  private scheduleFollow(): void {
    if (this.followTimer !== null || this.stopped) return;
    if (!this.privateOn && this.awaiting.size === 0) return;
    this.followTimer = setTimeout(() => {
      this.followTimer = null;
      try {
        this.follow();
      } catch {
        // A page mid-render: looked at again next time.
      }
      this.scheduleFollow();
    }, FOLLOW_MS);
  }

  private follow(): void {
    const list = this.adapter.messageList(this.doc);
    const s = list ? scrollerOf(list) : null;
    if (!s) return;
    const gap = endGap(s);
    if (gap <= Math.max(48, s.el.clientHeight / 4)) this.awayByUser = false;
    else if (this.userScrolled) this.awayByUser = true;
    this.userScrolled = false;
    // A column-reverse list keeps its newest rows in view by itself.
    if (!this.awayByUser && gap > 2 && !s.reverse) s.el.scrollTop = s.el.scrollHeight;
  }

  private scheduleDeliveryCheck(): void {
    if (this.deliveryTimer !== null || this.stopped) return;
    if (this.awaiting.size === 0 && !(this.siteError !== null && this.queue.length > 0)) return;
    this.deliveryTimer = setTimeout(
      () => {
        this.deliveryTimer = null;
        void this.checkDelivery();
      },
      Math.min(DELIVERY_CHECK_MS, Math.max(10, this.deliveryTimeoutMs / 4)),
    );
  }

  /**
   * Lines typed but not seen within the timeout, and lines kept queued by the site's error for as
   * long: reported as not delivered; the background answers with every line it dropped with them.
   */
  private async checkDelivery(): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const limit = this.deliveryTimeoutMs;
    const failed: number[] = [];
    // A virtualized list scrolled away from its newest rows does not mount our new row (real
    // messengers scroll down on the user's own send; some do not, and then the row shows only when
    // the user scrolls down): not seen is not "not delivered" then. The wait of a line the site
    // took starts again, and runs once the newest rows are in view. (A line the site did not take
    // is not waiting for a row: it fails on time.)
    const list = this.adapter.messageList(this.doc);
    const blind = list !== null && !listEndInView(list);
    // However long the list stays scrolled away, a line fails after BLIND_WAITS waits in all: a
    // page (or an odd layout) cannot hold a message at "sending" for ever.
    for (const [seq, a] of this.awaiting) {
      if (now - a.first >= BLIND_WAITS * limit) failed.push(seq);
      else if (blind && !this.untaken.has(seq)) a.since = now;
      else if (now - a.since >= limit) failed.push(seq);
    }
    if (this.siteError !== null && this.pausedSince !== null && now - this.pausedSince >= limit)
      for (const line of this.queue) failed.push(line.seq);
    if (failed.length > 0 && this.connected) {
      try {
        const reply = await this.client.request({
          type: 'wire-failed',
          seqs: failed.slice(0, LIMITS.wireBatch),
        });
        const gone = new Set([...failed, ...reply.dropped]);
        for (const seq of gone) {
          this.unawait(seq);
          this.untaken.delete(seq);
          this.sent.add(seq);
        }
        const keep = this.queue.filter((l) => !gone.has(l.seq));
        this.queue.length = 0;
        this.queue.push(...keep);
        if (this.queue.length === 0) this.pausedSince = null;
        // Lines of other messages behind a failed one go on.
        else void this.drain();
      } catch {
        // The port dropped: checked again after the reconnect's push.
      }
    }
    this.scheduleDeliveryCheck();
  }
}

/**
 * Whether the newest rows of a message list are in view: the list's nearest scrolling ancestor
 * (or the page) is scrolled to within a quarter screen of its end (its start for a
 * `column-reverse` list, whose newest rows are at scrollTop 0). No layout (nothing scrolls): true.
 */
export function listEndInView(list: Element): boolean {
  const s = scrollerOf(list);
  return s === null || endGap(s) <= Math.max(48, s.el.clientHeight / 4);
}

/** The element a message list scrolls in (its nearest scrolling ancestor, else the page), or null when nothing scrolls. */
function scrollerOf(list: Element): { el: Element; reverse: boolean } | null {
  const doc = list.ownerDocument;
  const view = doc.defaultView;
  for (let el: Element | null = list; el && el !== doc.documentElement; el = el.parentElement) {
    if (el.scrollHeight <= el.clientHeight + 1) continue;
    const style = view?.getComputedStyle(el);
    if (!style || !/auto|scroll|overlay/.test(style.overflowY)) continue;
    return { el, reverse: style.flexDirection === 'column-reverse' };
  }
  const page = doc.scrollingElement;
  return page && page.scrollHeight > page.clientHeight + 1 ? { el: page, reverse: false } : null;
}

/** How far (px) a scroller is from its newest end. */
function endGap(s: { el: Element; reverse: boolean }): number {
  return s.reverse ? Math.abs(s.el.scrollTop) : s.el.scrollHeight - s.el.scrollTop - s.el.clientHeight;
}

/** Whether the mutation added `node` or a subtree holding it. */
function addsNode(r: MutationRecord, node: Node): boolean {
  for (const n of r.addedNodes) if (n === node || n.contains(node)) return true;
  return false;
}

/** What identifies the open chat for ChatCore: a change means another conversation. */
function conversationKey(account: string | null, conv: AdapterConversation): string {
  return JSON.stringify([account, conv.kind, conv.peer, conv.reason]);
}

/**
 * Whether a history row is of use to the background: of the rows that were in the chat before this
 * page, it takes only the buddy's OTR lines (a message that arrived while the page reloaded); the
 * router passes over our own rows and plain text there (extension/background/router.ts,
 * 'chat-messages'). Those are not sent at all: a long plain chat costs no port traffic. `otr`:
 * whether its text holds an OTR line (isOtrText; the scan has it already).
 */
function wantedInHistory(m: AdapterMessage, otr: boolean): boolean {
  return !m.own && otr;
}

/** A row read for the first time: its element (where it stands now), key and message. */
interface Fresh {
  row: Element;
  key: string;
  m: AdapterMessage;
}

/** Whether `row` stands below `other` in the list as shown (after it in the document, unless newest first). */
function isBelow(row: Element, other: Element, newestFirst: boolean): boolean {
  const pos = other.compareDocumentPosition(row);
  return newestFirst ? (pos & 2) !== 0 /* PRECEDING */ : (pos & 4) !== 0 /* FOLLOWING */;
}

/**
 * The list's rows from its newest end (the last in the document, or the first when the list
 * shows newest first), walking the list's elements without descending into rows (adapters with
 * isRow), else from messageRows.
 */
function* rowsFromNewest(
  list: Element,
  adapter: SiteAdapter,
  doc: Document,
  newestFirst: boolean,
): Generator<Element> {
  const isRow = adapter.isRow;
  if (!isRow) {
    const rows = adapter.messageRows(doc);
    if (newestFirst) yield* rows;
    else for (let i = rows.length - 1; i >= 0; i--) yield rows[i] as Element;
    return;
  }
  const first = (e: Element) => (newestFirst ? e.firstElementChild : e.lastElementChild);
  const next = (e: Element) => (newestFirst ? e.nextElementSibling : e.previousElementSibling);
  let n: Element | null = first(list);
  while (n) {
    if (isRow(n, list)) yield n;
    else {
      const child = first(n);
      if (child) {
        n = child;
        continue;
      }
    }
    let x: Element | null = n;
    while (x && x !== list && !next(x)) x = x.parentElement;
    n = x && x !== list ? next(x) : null;
  }
}

/** A row as reported: its id and text length (a re-rendered row with new text is new). */
function rowKey(m: AdapterMessage): string {
  return `${m.id}:${m.text.length}`;
}

// ---------------------------------------------------------------- the content script's controller

/** How often, at most, the page is looked at again for page-info and a late-rendered chat (ms). */
const REFRESH_MS = 1000;
/**
 * How long a generic guess is reused (ms): it walks the whole page, and the content script runs on
 * every page of an allowed site, chat or not.
 */
const GUESS_REUSE_MS = 5000;

export interface ControllerOptions {
  /** The page's URL as reported in hello (location.href at that moment). */
  url: () => string;
  /** Runs the element picker (content-scripts/picker/ui.ts); `save` sends its profile. */
  startPicker?: (save: (profile: SiteProfile) => Promise<void>) => void;
  refreshMs?: number;
  guessReuseMs?: number;
}

/**
 * Says hello after every (re)connect, picks the page's adapter (a built-in one first, else the
 * site's saved profile from the hello result), runs one ChatCore for it and replaces it when the
 * profile changes (profile-changed push) or a chat app appears late; reports page-info when it
 * changes; starts the picker on the start-picker push.
 */
export class ContentController {
  private core: ChatCore | null = null;
  private coreKey: string | null = null;
  private profile: SiteProfile | null = null;
  private connected = false;
  private lastInfo: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private observer: MutationObserver | null = null;
  private guessed: { at: number; value: ReturnType<typeof guessInfo> } | null = null;

  constructor(
    private readonly client: PortClient<ContentRequest>,
    private readonly doc: Document,
    private readonly options: ControllerOptions,
  ) {}

  start(): void {
    this.client.onPush((e) => this.onPush(e));
    const View = this.doc.defaultView?.MutationObserver ?? MutationObserver;
    this.observer = new View(() => this.scheduleRefresh());
    this.observer.observe(this.doc.documentElement, { childList: true, subtree: true });
    this.client.keepConnected(() => void this.onConnected());
  }

  /** The ChatCore running now (tests). */
  get current(): ChatCore | null {
    return this.core;
  }

  private async onConnected(): Promise<void> {
    this.connected = false;
    this.core?.detach();
    try {
      const hello = await this.client.request({ type: 'hello', url: this.options.url() });
      this.profile = hello.profile;
      this.lastInfo = null; // a restarted background has forgotten what we reported
      this.select(); // not connected yet: a new core waits for the attach below
      this.connected = true;
      await this.core?.attach();
      await this.reportInfo();
    } catch {
      // The port dropped again; the next connect retries.
    }
  }

  private onPush(e: PushEvent): void {
    if (e.type === 'profile-changed') {
      this.profile = e.profile;
      this.select();
      void this.reportInfo();
    } else if (e.type === 'start-picker') {
      this.options.startPicker?.(async (profile) => {
        await this.client.request({ type: 'profile-save', profile });
      });
    }
  }

  /** Runs the right ChatCore for the page now; a new adapter stops the old core first. */
  private select(): void {
    const adapter = pickAdapter(this.doc, this.profile);
    const key = adapter
      ? adapter.name === 'profile'
        ? `profile:${JSON.stringify(this.profile)}`
        : adapter.name
      : null;
    if (key === this.coreKey) return;
    this.core?.stop();
    this.core = null;
    this.coreKey = key;
    if (!adapter) return;
    const core = new ChatCore(this.client, this.doc, adapter);
    this.core = core;
    core.start();
    if (this.connected) void core.attach();
  }

  private scheduleRefresh(delayMs = this.options.refreshMs ?? REFRESH_MS): void {
    if (this.refreshTimer !== null) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      if (!this.connected) return;
      if (!this.core) this.select(); // a single-page app may render its chat late
      void this.reportInfo(true);
    }, delayMs);
  }

  /**
   * Sends page-info when it differs from what was last reported. `changed`: the page changed
   * since; a guess reused then is made again once it may be (the page may have rendered its chat
   * just after the guess, and change no more).
   */
  private async reportInfo(changed = false): Promise<void> {
    if (!this.connected) return;
    const adapter = this.core?.adapter ?? null;
    let guessed: ReturnType<typeof guessInfo> | null = null;
    if (!adapter) {
      const now = Date.now();
      const reuseMs = this.options.guessReuseMs ?? GUESS_REUSE_MS;
      if (!this.guessed || now - this.guessed.at >= reuseMs)
        this.guessed = { at: now, value: guessInfo(this.doc) };
      else if (changed) this.scheduleRefresh(Math.max(1, this.guessed.at + reuseMs - now));
      guessed = this.guessed.value;
    }
    const info = pageInfo(this.doc, adapter, this.profile, guessed);
    const json = JSON.stringify(info);
    if (json === this.lastInfo) return;
    this.lastInfo = json;
    try {
      await this.client.request({ type: 'page-info', info });
    } catch {
      if (this.lastInfo === json) this.lastInfo = null;
    }
  }
}
