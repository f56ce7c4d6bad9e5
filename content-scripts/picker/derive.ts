/**
 * The element picker's pure DOM logic: from three picks — the message box, a message from the
 * buddy, one of our own messages — derive a site profile (src/profile/profile.ts). No UI, no
 * extension API: the popup starts the picking and shows the result (see the report of issue 9).
 *
 * Selectors are built from stable-looking parts only (tag names, ids and classes without digits
 * runs or hashes, role and data-* attribute names), so they survive re-renders and virtualized
 * lists that recycle row elements. `checkProfile` re-runs a profile on the page to say whether it
 * still matches (the site changed → private mode must refuse to start).
 */
import {
  type OwnRule,
  orderOf,
  PROFILE_FORMAT,
  PROFILE_VERSION,
  type SiteProfile,
  unparsableSelectors,
  validateProfile,
} from '../../src/profile/profile';

export interface Picks {
  compose: Element;
  buddyMessage: Element;
  ownMessage: Element;
}

export class PickError extends Error {
  override name = 'PickError';
}

/** A class or id that looks generated (hashes, long digit runs, CSS-in-JS) and would not survive a rebuild. */
function unstable(token: string): boolean {
  return (
    token.length > 40 ||
    /\d{3,}/.test(token) ||
    /^(css|sc|jsx|emotion|svelte)-[a-z0-9]+$/i.test(token) ||
    /[A-Za-z]+_[A-Za-z0-9]{5,}$/.test(token) ||
    !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(token)
  );
}

function classesOf(el: Element): string[] {
  return Array.from(el.classList).filter((c) => !unstable(c));
}

/** `tag.class1.class2` (stable classes only). */
function simple(el: Element, classes = classesOf(el)): string {
  return el.tagName.toLowerCase() + classes.map((c) => `.${c}`).join('');
}

/** A selector unique in `root` for `el`, climbing ancestors only as far as needed. */
export function uniqueSelector(el: Element, root: ParentNode = el.ownerDocument): string {
  const parts: string[] = [];
  let node: Element | null = el;
  while (node && node.tagName !== 'HTML') {
    const id = node.id;
    if (id && !unstable(id)) {
      parts.unshift(`#${id}`);
    } else {
      let part = simple(node);
      const role = node.getAttribute('role');
      if (role && /^[a-z]+$/.test(role)) part += `[role="${role}"]`;
      if (node.getAttribute('contenteditable') === 'true') part += '[contenteditable="true"]';
      parts.unshift(part);
    }
    const candidate = parts.join(' > ');
    const found = root.querySelectorAll(candidate);
    if (found.length === 1 && found[0] === el) return candidate;
    if (id && !unstable(id)) break;
    node = node.parentElement;
  }
  const candidate = parts.join(' > ');
  if (root.querySelectorAll(candidate)[0] === el) return candidate;
  throw new PickError('could not build a selector that finds the picked element again');
}

function ancestors(el: Element): Element[] {
  const out: Element[] = [];
  for (let n: Element | null = el; n; n = n.parentElement) out.push(n);
  return out;
}

function commonAncestor(a: Element, b: Element): Element | null {
  const seen = new Set(ancestors(a));
  for (const n of ancestors(b)) if (seen.has(n)) return n;
  return null;
}

/** The ancestor of `el` that is a direct child of `list` (the row), or null. */
function rowOf(list: Element, el: Element): Element | null {
  for (let n: Element | null = el; n; n = n.parentElement) if (n.parentElement === list) return n;
  return null;
}

/** Path selector from `row` down to `el` by tag + shared stable classes, or null when el is the row. */
function innerSelector(row: Element, el: Element, other?: Element): string | null {
  if (el === row) return null;
  const otherClasses = other ? new Set(classesOf(other)) : null;
  const classes = otherClasses ? classesOf(el).filter((c) => otherClasses.has(c)) : classesOf(el);
  const part = simple(el, classes);
  if (row.querySelector(part) === el) return part;
  return uniqueSelector(el, row);
}

/** What marks `own` apart from `buddy`: a class on the row, a row attribute value, or a descendant class. */
function ownRule(own: Element, buddy: Element, rowSelector: string): OwnRule {
  const buddyClasses = new Set(buddy.classList);
  const cls = classesOf(own).find((c) => !buddyClasses.has(c));
  if (cls) return { match: 'row', selector: `.${cls}` };
  for (const attr of Array.from(own.attributes)) {
    if (!/^(data-[a-z0-9-]+|aria-[a-z]+)$/.test(attr.name)) continue;
    const v = attr.value;
    if (v.length === 0 || v.length > 40 || /["\\\n]/.test(v)) continue;
    if (
      buddy.getAttribute(attr.name) !== v &&
      (attr.name === 'data-own' ||
        attr.name === 'data-self' ||
        attr.name === 'data-outgoing' ||
        attr.name === 'data-direction' ||
        /^(true|false|me|self|out|outgoing|sent)$/i.test(v))
    )
      return { match: 'row', selector: `[${attr.name}="${v}"]` };
  }
  const buddyDescendantClasses = new Set<string>();
  for (const d of buddy.querySelectorAll('*')) for (const c of d.classList) buddyDescendantClasses.add(c);
  for (const d of own.querySelectorAll('*')) {
    const c = classesOf(d).find((k) => !buddyDescendantClasses.has(k) && !buddyClasses.has(k));
    if (c) return { match: 'descendant', selector: `.${c}` };
  }
  throw new PickError(
    `your message and your buddy's look the same to offrecord (rows "${rowSelector}"): pick other messages`,
  );
}

const SENDER_ATTRIBUTES = ['data-from', 'data-sender', 'data-author', 'data-user', 'data-name', 'data-nick'];

const SENDER_HINT = /author|sender|name|nick|user|from|who/i;
const TIME_LIKE = /^(\d{1,2}[:.]\d{2}([:.]\d{2})?\s*([ap]\.?m\.?)?|yesterday|today)$/i;

/**
 * Where a row names its sender when no attribute does: an element of the buddy's row, outside the
 * message text, with a short one-line text, found once in the row by tag + stable classes, and
 * (when our row has it too) saying another name there. Names hinting at a sender win. Null: none.
 */
function senderSelector(buddyRow: Element, ownRow: Element, message: Element): string | null {
  let best: { selector: string; score: number } | null = null;
  for (const d of Array.from(buddyRow.querySelectorAll('*'))) {
    if (d === message || d.contains(message) || message.contains(d)) continue;
    if (d.tagName === 'TIME' || d.children.length > 2) continue;
    const text = (d.textContent ?? '').trim();
    if (text.length === 0 || text.length > 64 || /[\n\r]/.test(text) || TIME_LIKE.test(text)) continue;
    const classes = classesOf(d);
    if (classes.length === 0) continue;
    const selector = simple(d, classes);
    if (buddyRow.querySelectorAll(selector).length !== 1) continue;
    const inOwn = ownRow.querySelectorAll(selector);
    if (inOwn.length > 1) continue;
    const ownText = inOwn[0]?.textContent?.trim();
    if (ownText !== undefined && ownText === text) continue;
    const hint = `${d.getAttribute('class') ?? ''} ${d.getAttribute('itemprop') ?? ''}`;
    const score = (SENDER_HINT.test(hint) ? 2 : 0) + (ownText ? 1 : 0);
    if (!best || score > best.score) best = { selector, score };
  }
  return best?.selector ?? null;
}

/** Attribute names that say a row's place in the history (a sequence, an id, a time) rather than its position on screen. */
const ORDER_HINT = /(^id$|[-_]id$|seq|serial|order|num|ts$|time|stamp|date|msg)/i;
/** Attribute names of layout, never an order even when they happen to grow down the list. */
const LAYOUT_HINT = /size|height|width|offset|top|left|px|depth|level|indent/i;

/**
 * The row attribute to take as the profile's `orderAttribute`: one every row in the list carries,
 * whose values offrecord reads as an order (orderOf: a number, "msg-1043", a date with a time) and
 * that grows down the list (never smaller than the row above; at least two values, and mostly
 * distinct). Needs three rows at least: two prove little. Names of a sequence, an id or a time win
 * over an index (a position, which shifts when a row is inserted above); `exclude` (the sender
 * attribute, the own-ness attribute) and layout attributes never count. Null: none fits.
 */
export function orderAttributeOf(rows: readonly Element[], exclude: readonly string[] = []): string | null {
  if (rows.length < 3) return null;
  const first = rows[0] as Element;
  let best: { name: string; score: number } | null = null;
  for (const { name } of Array.from(first.attributes)) {
    if (!(name === 'id' || /^data-[a-z0-9-]+$/.test(name))) continue;
    if (exclude.includes(name) || LAYOUT_HINT.test(name)) continue;
    const values: number[] = [];
    for (const row of rows) {
      const v = orderOf(row.getAttribute(name));
      if (v === undefined) break;
      values.push(v);
    }
    if (values.length !== rows.length) continue;
    if (values.some((v, i) => i > 0 && v < (values[i - 1] as number))) continue;
    const distinct = new Set(values).size;
    if (distinct < 2 || distinct * 2 < values.length) continue;
    const score = ORDER_HINT.test(name) ? 2 : /index/i.test(name) ? 1 : 0;
    if (!best || score > best.score) best = { name, score };
  }
  return best?.name ?? null;
}

/**
 * Derives a profile from the three picks on `doc` (`site` is the page's origin). Throws PickError
 * when the picks do not make sense together (messages in different lists, the same row twice,
 * nothing telling own messages apart).
 */
export function deriveProfile(doc: Document, picks: Picks, site: string): SiteProfile {
  const { compose, buddyMessage, ownMessage } = picks;
  if (!compose.isConnected || !buddyMessage.isConnected || !ownMessage.isConnected)
    throw new PickError('a picked element is no longer in the page');
  const editable =
    compose.tagName === 'TEXTAREA' ||
    (compose.tagName === 'INPUT' && /^(text|search|)$/i.test(compose.getAttribute('type') ?? '')) ||
    compose.getAttribute('contenteditable') === 'true' ||
    compose.getAttribute('contenteditable') === '' ||
    compose.getAttribute('role') === 'textbox';
  if (!editable) throw new PickError('the message box must be a text field or an editable area');
  const common = commonAncestor(buddyMessage, ownMessage);
  if (!common || common === buddyMessage || common === ownMessage)
    throw new PickError('pick two different messages: one from your buddy, one of yours');
  // The list is the nearest common ancestor whose children are the two (different) rows.
  let list: Element | null = common;
  let buddyRow = rowOf(list, buddyMessage);
  let ownRow = rowOf(list, ownMessage);
  while (list && (!buddyRow || !ownRow || buddyRow === ownRow)) {
    list = list.parentElement;
    if (list) {
      buddyRow = rowOf(list, buddyMessage);
      ownRow = rowOf(list, ownMessage);
    }
  }
  if (!list || !buddyRow || !ownRow) throw new PickError('the two messages are not in one message list');
  const shared = classesOf(buddyRow).filter((c) => ownRow.classList.contains(c));
  const rowSelector = buddyRow.tagName === ownRow.tagName ? simple(buddyRow, shared) : '*';
  const listSelector = uniqueSelector(list, doc);
  const text = innerSelector(
    buddyRow,
    buddyMessage,
    rowOf(ownRow, ownMessage) === ownRow ? ownMessage : undefined,
  );
  const profile: SiteProfile = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    site,
    selectors: { compose: uniqueSelector(compose, doc), list: listSelector, row: rowSelector },
    own: ownRule(ownRow, buddyRow, rowSelector),
    send: 'enter',
  };
  if (text) profile.selectors.text = text;
  const senderAttr = SENDER_ATTRIBUTES.find((a) => buddyRow.hasAttribute(a) && ownRow.hasAttribute(a));
  if (senderAttr) profile.senderAttribute = senderAttr;
  else {
    const sender = senderSelector(buddyRow, ownRow, buddyMessage);
    if (sender) profile.selectors.sender = sender;
  }
  // A monotonic number on the rows tells an old row mounted by scrolling back from a new one
  // better than the row's place in the list (docs/architecture.md §10).
  const ownAttribute = /^\[([a-z0-9-]+)=/.exec(profile.own.selector)?.[1];
  const order = orderAttributeOf(
    Array.from(list.children).filter((c) => c.matches(rowSelector)),
    [profile.senderAttribute, ownAttribute].filter((a): a is string => a !== undefined),
  );
  if (order) profile.orderAttribute = order;
  return validateProfile(profile);
}

export interface ProfileCheck {
  ok: boolean;
  /** What no longer matches, for the popup. */
  problems: string[];
  rows: number;
}

/** Whether `profile` still finds a compose box, a list, rows with text, and at most... on `doc`. */
export function checkProfile(doc: Document, profile: SiteProfile): ProfileCheck {
  const unparsable = unparsableSelectors(profile, doc);
  if (unparsable.length > 0) return { ok: false, problems: unparsable, rows: 0 };
  const problems: string[] = [];
  const compose = doc.querySelectorAll(profile.selectors.compose);
  if (compose.length !== 1)
    problems.push(`message box: ${compose.length} matches for "${profile.selectors.compose}"`);
  const lists = doc.querySelectorAll(profile.selectors.list);
  if (lists.length !== 1)
    problems.push(`message list: ${lists.length} matches for "${profile.selectors.list}"`);
  const list = lists[0];
  let rows = 0;
  if (list) {
    const found = Array.from(list.children).filter((c) => c.matches(profile.selectors.row));
    rows = found.length;
    if (rows > 0 && profile.selectors.text) {
      const textSel = profile.selectors.text;
      if (!found.some((r) => r.querySelector(textSel) !== null))
        problems.push(`no message text matches "${textSel}"`);
    }
  }
  return { ok: problems.length === 0, problems, rows };
}

/** Reads a row with a profile: text, sender, own-ness; null when the row does not fit. */
export function readRow(
  row: Element,
  profile: SiteProfile,
): { text: string; from: string | null; own: boolean } | null {
  if (!row.matches(profile.selectors.row)) return null;
  const textEl = profile.selectors.text ? row.querySelector(profile.selectors.text) : row;
  const text = textEl?.textContent;
  if (text === null || text === undefined || text.length > 200_000) return null;
  let from: string | null = null;
  if (profile.senderAttribute) from = row.getAttribute(profile.senderAttribute);
  else if (profile.selectors.sender)
    from = row.querySelector(profile.selectors.sender)?.textContent?.trim() ?? null;
  if (from !== null && from.length > 200) return null;
  const own =
    profile.own.match === 'row'
      ? row.matches(profile.own.selector)
      : row.querySelector(profile.own.selector) !== null;
  return { text: text.trim(), from, own };
}
