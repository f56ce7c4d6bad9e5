/**
 * The site-profile format: how offrecord reads a web chat it has no adapter for. Made by the
 * element picker (content-scripts/picker/), shown to the user, stored per site, exported and
 * imported as a small JSON file. A profile is DATA ONLY: CSS selectors (strings, checked by a
 * sanity check, never evaluated as code), a few enums and bounded numbers. Unknown keys are refused.
 *
 * Format, version 1 (every key listed; `?` = optional):
 *
 *   {
 *     "format": "offrecord-site-profile",
 *     "version": 1,
 *     "site": "https://chat.example.org",          origin the profile is for (http/https)
 *     "name"?: "Example chat",                     shown to the user, ≤ 100 characters
 *     "selectors": {
 *       "compose": "div.editor[contenteditable]",   the message box (textarea, input, contenteditable)
 *       "list": "#messages",                       the message list
 *       "row": ".msg",                             one message, inside the list
 *       "text"?: ".msg-body",                      the text inside a row (default: the row's text)
 *       "sender"?: ".author",                      the sender's name inside a row
 *       "peer"?: "header .buddy-name"              the element naming the buddy of the open chat
 *     },
 *     "senderAttribute"?: "data-author",           or: the row attribute holding the sender
 *     "idAttribute"?: "data-id",                   the row attribute holding the site's message id
 *                                                  (absent: a row is known by its sender and text)
 *     "orderAttribute"?: "data-ts",                the row attribute holding a number ("1043"), a word
 *                                                  ending in one ("msg-1043") or a date that grows
 *                                                  with every new message (a server sequence, a
 *                                                  timestamp): an old row that a virtualized list
 *                                                  mounts when scrolled back is told from a new one
 *                                                  (the picker sets it when the rows carry one)
 *     "own": { "match": "row" | "descendant", "selector": ".mine" },
 *                                                  a row is one of ours when it matches the selector
 *                                                  ("row") or contains a match ("descendant")
 *     "send": "enter" | { "button": "button.send" },
 *     "maxMessageLength"?: 2000                    100..100000 (OTR fragments above it)
 *   }
 *
 * Each selector is at most 300 characters of CSS selector syntax; the whole file at most 8 KiB.
 */

export const PROFILE_FORMAT = 'offrecord-site-profile';
export const PROFILE_VERSION = 1;
export const MAX_PROFILE_BYTES = 8192;
export const MAX_SELECTOR_LENGTH = 300;

export interface ProfileSelectors {
  compose: string;
  list: string;
  row: string;
  text?: string;
  sender?: string;
  peer?: string;
}

export interface OwnRule {
  match: 'row' | 'descendant';
  selector: string;
}

export type SendRule = 'enter' | { button: string };

export interface SiteProfile {
  format: typeof PROFILE_FORMAT;
  version: typeof PROFILE_VERSION;
  site: string;
  name?: string;
  selectors: ProfileSelectors;
  senderAttribute?: string;
  idAttribute?: string;
  orderAttribute?: string;
  own: OwnRule;
  send: SendRule;
  maxMessageLength?: number;
}

export class ProfileError extends Error {
  override name = 'ProfileError';
}

function fail(message: string): never {
  throw new ProfileError(message);
}

/**
 * A sanity check, not a parser: plain CSS selector characters only (no braces, semicolons,
 * backslashes, angle brackets other than the child combinator, no `url(`/`javascript:`/
 * `expression(`), balanced brackets and parentheses, balanced quotes. Returns the reason it fails, or null.
 */
export function selectorProblem(selector: string): string | null {
  if (selector.length === 0) return 'is empty';
  if (selector.length > MAX_SELECTOR_LENGTH) return `is longer than ${MAX_SELECTOR_LENGTH} characters`;
  if (!/^[A-Za-z0-9_\-#.[\]=~|^$*:()>+,"' @%!\u00a0-\uffff]+$/.test(selector) || /[<{};\\`]/.test(selector))
    return 'contains characters that are not CSS selector syntax';
  if (/javascript:|url\(|expression\(|@import|<\s*script|(^|[^a-z-])on[a-z]+\s*=/i.test(selector))
    return 'looks like script, not a selector';
  let square = 0;
  let round = 0;
  let quote: string | null = null;
  for (const ch of selector) {
    if (quote) {
      if (ch === quote) quote = null;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[') square++;
    else if (ch === ']') square--;
    else if (ch === '(') round++;
    else if (ch === ')') round--;
    if (square < 0 || round < 0) return 'has unbalanced brackets';
  }
  if (quote || square !== 0 || round !== 0) return 'has unbalanced brackets or quotes';
  return null;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(`${where}: unknown key "${key.slice(0, 40)}"`);
  }
}

function selector(v: unknown, where: string): string {
  if (typeof v !== 'string') fail(`${where} must be a string (a CSS selector)`);
  const problem = selectorProblem(v);
  if (problem) fail(`${where} ${problem}`);
  return v;
}

function attributeName(v: unknown, key: string): string {
  if (typeof v !== 'string' || !/^[a-z][a-z0-9_.:-]{0,63}$/i.test(v) || /^on/i.test(v))
    fail(`"${key}" must be an attribute name (not an event handler)`);
  return v;
}

function optional<T>(obj: Record<string, unknown>, key: string, read: (v: unknown) => T): T | undefined {
  return key in obj ? read(obj[key]) : undefined;
}

/** Validates an already-parsed value as a profile; throws ProfileError with the first problem. */
export function validateProfile(value: unknown): SiteProfile {
  if (!isObject(value)) fail('profile must be a JSON object');
  onlyKeys(
    value,
    [
      'format',
      'version',
      'site',
      'name',
      'selectors',
      'senderAttribute',
      'idAttribute',
      'orderAttribute',
      'own',
      'send',
      'maxMessageLength',
    ],
    'profile',
  );
  if (value.format !== PROFILE_FORMAT) fail(`"format" must be "${PROFILE_FORMAT}"`);
  if (value.version !== PROFILE_VERSION)
    fail(
      `"version" ${JSON.stringify(value.version)} is not supported (this offrecord reads version ${PROFILE_VERSION})`,
    );
  const site = value.site;
  if (typeof site !== 'string' || site.length > 200)
    fail('"site" must be an origin such as https://chat.example.org');
  let origin: string;
  try {
    const url = new URL(site);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('"site" must be an http or https origin');
    origin = url.origin;
  } catch (e) {
    if (e instanceof ProfileError) throw e;
    fail('"site" must be an origin such as https://chat.example.org');
  }
  if (origin !== site) fail(`"site" must be an origin only (${origin}), without path`);
  const name = optional(value, 'name', (v) => {
    if (typeof v !== 'string' || v.length > 100 || /[<>]/.test(v) || /\p{Cc}/u.test(v))
      fail('"name" must be a string of at most 100 characters, no control characters or < >');
    return v;
  });
  const sel = value.selectors;
  if (!isObject(sel)) fail('"selectors" must be an object');
  onlyKeys(sel, ['compose', 'list', 'row', 'text', 'sender', 'peer'], 'selectors');
  const selectors: ProfileSelectors = {
    compose: selector(sel.compose, 'selectors.compose'),
    list: selector(sel.list, 'selectors.list'),
    row: selector(sel.row, 'selectors.row'),
  };
  const text = optional(sel, 'text', (v) => selector(v, 'selectors.text'));
  if (text !== undefined) selectors.text = text;
  const sender = optional(sel, 'sender', (v) => selector(v, 'selectors.sender'));
  if (sender !== undefined) selectors.sender = sender;
  const peer = optional(sel, 'peer', (v) => selector(v, 'selectors.peer'));
  if (peer !== undefined) selectors.peer = peer;
  const senderAttribute = optional(value, 'senderAttribute', (v) => attributeName(v, 'senderAttribute'));
  const idAttribute = optional(value, 'idAttribute', (v) => attributeName(v, 'idAttribute'));
  const orderAttribute = optional(value, 'orderAttribute', (v) => attributeName(v, 'orderAttribute'));
  const own = value.own;
  if (!isObject(own)) fail('"own" must be an object { match, selector }');
  onlyKeys(own, ['match', 'selector'], 'own');
  if (own.match !== 'row' && own.match !== 'descendant') fail('own.match must be "row" or "descendant"');
  const ownRule: OwnRule = { match: own.match, selector: selector(own.selector, 'own.selector') };
  let send: SendRule;
  if (value.send === 'enter') send = 'enter';
  else if (isObject(value.send)) {
    onlyKeys(value.send, ['button'], 'send');
    send = { button: selector(value.send.button, 'send.button') };
  } else fail('"send" must be "enter" or { "button": selector }');
  const maxMessageLength = optional(value, 'maxMessageLength', (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 100 || v > 100_000)
      fail('"maxMessageLength" must be an integer from 100 to 100000');
    return v;
  });
  const profile: SiteProfile = {
    format: PROFILE_FORMAT,
    version: PROFILE_VERSION,
    site,
    selectors,
    own: ownRule,
    send,
  };
  if (name !== undefined) profile.name = name;
  if (senderAttribute !== undefined) profile.senderAttribute = senderAttribute;
  if (idAttribute !== undefined) profile.idAttribute = idAttribute;
  if (orderAttribute !== undefined) profile.orderAttribute = orderAttribute;
  if (maxMessageLength !== undefined) profile.maxMessageLength = maxMessageLength;
  return profile;
}

/** Every CSS selector of a profile, with where it stands ("selectors.row", "own.selector", ...). */
export function profileSelectors(profile: SiteProfile): [where: string, selector: string][] {
  const out: [string, string][] = Object.entries(profile.selectors).map(([k, v]) => [`selectors.${k}`, v]);
  out.push(['own.selector', profile.own.selector]);
  if (typeof profile.send === 'object') out.push(['send.button', profile.send.button]);
  return out;
}

/**
 * The profile's selectors that the page's CSS parser refuses, as problems for the user ([] when
 * all parse). `selectorProblem` is a sanity check of the characters only: "div >> p" or "..x"
 * pass it, and a querySelector with them throws, so a page (or the popup, on import) asks its own
 * parser once before using a profile.
 */
export function unparsableSelectors(profile: SiteProfile, doc: Document): string[] {
  const probe = doc.createDocumentFragment();
  const problems: string[] = [];
  for (const [where, sel] of profileSelectors(profile)) {
    try {
      probe.querySelector(sel);
    } catch {
      problems.push(`${where} "${sel.slice(0, 80)}" is not a valid CSS selector`);
    }
  }
  return problems;
}

/** Parses an imported profile file; throws ProfileError saying what is wrong. */
export function parseProfile(text: string): SiteProfile {
  if (typeof text !== 'string') fail('profile must be text');
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > MAX_PROFILE_BYTES)
    fail(`profile file is ${bytes} bytes; at most ${MAX_PROFILE_BYTES} are allowed`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('profile file is not valid JSON');
  }
  return validateProfile(value);
}

/** The file text for export (stable key order, validated first). */
export function serializeProfile(profile: SiteProfile): string {
  const checked = validateProfile(profile);
  return `${JSON.stringify(checked, null, 2)}\n`;
}

/**
 * A row's place in the chat's history from its order attribute: a finite number, a word ending in
 * a whole number ("msg-1043", "m1043": the number), or a date, else undefined.
 */
export function orderOf(v: string | null): number | undefined {
  if (v === null || v.length === 0 || v.length > 64) return undefined;
  const s = v.trim();
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s)) {
    const n = Number(s);
    return Number.isFinite(n) ? n : undefined;
  }
  const tail = /^[A-Za-z_]+[-_:]?(\d{1,15})$/.exec(s);
  if (tail) return Number(tail[1]);
  // A date needs a year-month-day and a time (Date.parse reads far too much else: "1", "May"; a
  // day alone would put every row of the day at one place in the history).
  if (!/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/.test(s)) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}
