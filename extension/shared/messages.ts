// Every message that crosses a runtime port, with its validator. Both ends import this module:
// the background validates every request it receives (I3, I4), the clients validate every reply.
//
// Shape of the protocol:
//   client → background   a request  { type, id, ...fields }   (id: the client's request number)
//   background → client   a reply    { type: 'reply', id, ok: true, result } | { ..., ok: false, error }
// Which requests a port may send is decided by the background once, at connect time, from the
// browser-given sender (see extension/background/ports.ts): content scripts send ContentRequest,
// extension pages (popup, options, later the secure frames) send PageRequest.
//
// To add a message: add its type to a union below, a branch to that direction's validator, its
// result type to ResultMap and a validator to RESULT_VALIDATORS; then a handler in the router.

export const PORT_NAME = 'offrecord';

/** Upper bounds on everything that comes from outside; anything longer is refused. */
export const LIMITS = {
  url: 4096,
  error: 500,
  sites: 1000,
  origin: 300,
} as const;

// ---------------------------------------------------------------- statuses

/** What the toolbar badge says about a tab (I6). The OTR states join when the engine lands. */
export type BadgeStatus = 'off' | 'ready';
export const BADGE_STATUSES: readonly BadgeStatus[] = ['off', 'ready'];

// ---------------------------------------------------------------- requests

/** Content script → background. */
export type ContentRequest = { type: 'hello'; id: number; url: string };

/** Extension page (popup, options, frames) → background. */
export type PageRequest =
  | { type: 'status'; id: number; tabId: number | null }
  | { type: 'increment'; id: number };

export type Request = ContentRequest | PageRequest;
export type RequestType = Request['type'];

// ---------------------------------------------------------------- results

export interface HelloResult {
  tabId: number;
  frameId: number;
}

export interface TabStatus {
  tabId: number;
  /** A content script in this tab's top frame said hello and its port is still open. */
  connected: boolean;
  /** The URL the content script reported (only when connected). */
  url: string | null;
  badge: BadgeStatus;
}

export interface StatusResult {
  tab: TabStatus | null;
  counter: number;
  /** Messages the background refused since it started (bad shape, or not allowed for that port). */
  invalidMessages: number;
  /** Host patterns offrecord holds permission for, i.e. where its content script is registered. */
  sites: string[];
}

export interface IncrementResult {
  counter: number;
}

export interface ResultMap {
  hello: HelloResult;
  status: StatusResult;
  increment: IncrementResult;
}

export type Reply =
  | { type: 'reply'; id: number; ok: true; result: unknown }
  | { type: 'reply'; id: number; ok: false; error: string };

// ---------------------------------------------------------------- helpers

type Rec = Record<string, unknown>;

function isRecord(x: unknown): x is Rec {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** True when x has exactly these own keys: no missing, no extra. */
function hasExactKeys(x: Rec, keys: readonly string[]): boolean {
  const own = Object.keys(x);
  return own.length === keys.length && keys.every((k) => Object.hasOwn(x, k));
}

function isUint(x: unknown, max = Number.MAX_SAFE_INTEGER): x is number {
  return typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 && x <= max;
}

/** Tab ids are non-negative; frame ids too (0 = top frame). */
const isTabId = (x: unknown): x is number => isUint(x);

function isBoundedString(x: unknown, max: number): x is string {
  return typeof x === 'string' && x.length <= max;
}

/** An http(s) URL of bounded length that the URL parser accepts. */
export function isWebUrl(x: unknown): x is string {
  if (!isBoundedString(x, LIMITS.url) || x.length === 0) return false;
  let u: URL;
  try {
    u = new URL(x);
  } catch {
    return false;
  }
  return u.protocol === 'http:' || u.protocol === 'https:';
}

// ---------------------------------------------------------------- request validators

export function validateContentRequest(x: unknown): ContentRequest | null {
  if (!isRecord(x) || !isUint(x.id)) return null;
  switch (x.type) {
    case 'hello':
      if (!hasExactKeys(x, ['type', 'id', 'url']) || !isWebUrl(x.url)) return null;
      return { type: 'hello', id: x.id, url: x.url };
    default:
      return null;
  }
}

export function validatePageRequest(x: unknown): PageRequest | null {
  if (!isRecord(x) || !isUint(x.id)) return null;
  switch (x.type) {
    case 'status':
      if (!hasExactKeys(x, ['type', 'id', 'tabId'])) return null;
      if (x.tabId !== null && !isTabId(x.tabId)) return null;
      return { type: 'status', id: x.id, tabId: x.tabId };
    case 'increment':
      if (!hasExactKeys(x, ['type', 'id'])) return null;
      return { type: 'increment', id: x.id };
    default:
      return null;
  }
}

// ---------------------------------------------------------------- reply validators

export function validateReply(x: unknown): Reply | null {
  if (!isRecord(x) || x.type !== 'reply' || !isUint(x.id)) return null;
  if (x.ok === true) {
    if (!hasExactKeys(x, ['type', 'id', 'ok', 'result'])) return null;
    return { type: 'reply', id: x.id, ok: true, result: x.result };
  }
  if (x.ok === false) {
    if (!hasExactKeys(x, ['type', 'id', 'ok', 'error']) || !isBoundedString(x.error, LIMITS.error))
      return null;
    return { type: 'reply', id: x.id, ok: false, error: x.error };
  }
  return null;
}

export function validateHelloResult(x: unknown): HelloResult | null {
  if (!isRecord(x) || !hasExactKeys(x, ['tabId', 'frameId'])) return null;
  if (!isTabId(x.tabId) || !isUint(x.frameId)) return null;
  return { tabId: x.tabId, frameId: x.frameId };
}

function validateTabStatus(x: unknown): TabStatus | null {
  if (!isRecord(x) || !hasExactKeys(x, ['tabId', 'connected', 'url', 'badge'])) return null;
  if (!isTabId(x.tabId) || typeof x.connected !== 'boolean') return null;
  if (x.url !== null && !isWebUrl(x.url)) return null;
  if (!BADGE_STATUSES.includes(x.badge as BadgeStatus)) return null;
  return { tabId: x.tabId, connected: x.connected, url: x.url, badge: x.badge as BadgeStatus };
}

export function validateStatusResult(x: unknown): StatusResult | null {
  if (!isRecord(x) || !hasExactKeys(x, ['tab', 'counter', 'invalidMessages', 'sites'])) return null;
  const tab = x.tab === null ? null : validateTabStatus(x.tab);
  if (x.tab !== null && tab === null) return null;
  if (!isUint(x.counter) || !isUint(x.invalidMessages)) return null;
  if (!Array.isArray(x.sites) || x.sites.length > LIMITS.sites) return null;
  const sites: string[] = [];
  for (const s of x.sites) {
    if (!isBoundedString(s, LIMITS.origin)) return null;
    sites.push(s);
  }
  return { tab, counter: x.counter, invalidMessages: x.invalidMessages, sites };
}

export function validateIncrementResult(x: unknown): IncrementResult | null {
  if (!isRecord(x) || !hasExactKeys(x, ['counter']) || !isUint(x.counter)) return null;
  return { counter: x.counter };
}

export const RESULT_VALIDATORS: { [K in RequestType]: (x: unknown) => ResultMap[K] | null } = {
  hello: validateHelloResult,
  status: validateStatusResult,
  increment: validateIncrementResult,
};

/** A request without its id: what a client passes to PortClient.request(). */
export type RequestBody<R extends Request> = R extends Request ? Omit<R, 'id'> : never;
