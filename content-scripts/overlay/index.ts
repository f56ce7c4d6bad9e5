/**
 * The in-page part of private mode: mounts the secure frames (extension-origin pages, the only
 * place plaintext is shown or typed, I1) over the chat page, keeps them there against the page,
 * and collapses ciphertext rows to a placeholder.
 *
 * Called by the content script core (content-scripts/main.ts):
 *   setPrivateMode(on, target, reason)   mount (on) / unmount (off) the frames over target
 *   collapseOtrRows(rows)                rows whose text is OTR become "🔒 encrypted message"
 *
 * What the page can and cannot do here:
 * - The frames are cross-origin (chrome-extension:// / moz-extension://): the page cannot read
 *   their documents, their keystrokes or their text. That is the security boundary.
 * - Everything else is defence in depth against a page that hides, moves or covers the frames:
 *   one host element appended to <html> (outside the app's tree, so re-renders do not touch it),
 *   a CLOSED shadow root created from this isolated world (the page's patches of attachShadow do
 *   not apply here and it cannot reach inside), styles reset with `all: initial` and set inline
 *   with !important, the host in the top layer (popover), and a MutationObserver plus a periodic
 *   check that re-mount a removed or restyled host under a new random tag name.
 * - The site's compose box is made `inert` and blurred synchronously, BEFORE the frame has even
 *   loaded, so nothing the user types in private mode lands in the page (I2 starts here).
 *
 * Nothing here ever handles plaintext: the frames talk to the background over their own ports.
 */

import browser from 'webextension-polyfill';
import { createShadowHost, showInTopLayer, Z_TOP } from './host';

export interface OverlayTarget {
  /** The site's compose box: covered by the secure compose frame. */
  composeBox: Element | null;
  /** The site's message list: covered by the secure transcript frame. */
  messageList: Element | null;
}

/** Extension-relative paths of the secure frames (as built; see vite.config.ts). */
export const FRAME_PAGES = {
  compose: 'extension/frames/compose.html',
  transcript: 'extension/frames/transcript.html',
} as const;

/** What a collapsed ciphertext row shows instead of its text. */
export const PLACEHOLDER_TEXT = '🔒 encrypted message';

/** Attribute set on rows this module collapsed (a marker only: the page may copy or remove it). */
export const COLLAPSED_ATTR = 'data-offrecord-collapsed';

/** How often the overlay checks itself against the page (ms). */
const CHECK_INTERVAL_MS = 400;
/** Shortest time between two re-mounts (ms). */
const REMOUNT_MIN_MS = 200;
/** Smallest frame sizes, so a zero-sized target still gives a usable frame. */
const MIN_COMPOSE_HEIGHT = 44;
const MIN_TRANSCRIPT_HEIGHT = 120;

/**
 * Whether a chat row carries OTR traffic: data, fragments, queries, errors (all contain "?OTR").
 * "Contains", not "starts with": callers pass a whole row's textContent, which begins with the
 * site's time and nick. Erring this way only collapses a plain row that quotes "?OTR" (the secure
 * transcript still shows it, marked not private); it never leaves ciphertext rows expanded.
 */
export function isOtrText(text: string): boolean {
  return text.includes('?OTR');
}

// ---------------------------------------------------------------- state

interface Mounted {
  host: HTMLElement;
  root: ShadowRoot;
  compose: HTMLIFrameElement;
  transcript: HTMLIFrameElement;
  notice: HTMLElement;
}

interface State {
  on: boolean;
  target: OverlayTarget | null;
  reason: string | null;
  mounted: Mounted | null;
  /** Compose boxes we made inert, with their previous focusability, to restore when turning off. */
  inerted: Set<Element>;
  observer: MutationObserver | null;
  resize: ResizeObserver | null;
  timer: ReturnType<typeof setInterval> | null;
  remounts: number;
  lastRemount: number;
}

const state: State = {
  on: false,
  target: null,
  reason: null,
  mounted: null,
  inerted: new Set(),
  observer: null,
  resize: null,
  timer: null,
  remounts: 0,
  lastRemount: 0,
};

/** How many times the overlay had to re-mount itself because the page tampered with it (tests). */
export function remountCount(): number {
  return state.remounts;
}

// ---------------------------------------------------------------- styles

/**
 * Inside the closed shadow root: the page's CSS does not reach here. (No `:host` rule: an
 * !important one from inside the shadow tree would beat the host's inline !important styles.)
 */
const SHADOW_CSS = `
iframe {
  all: initial;
  position: fixed;
  display: block;
  border: 0;
  margin: 0;
  padding: 0;
  background: #fff;
  color-scheme: light;
  pointer-events: auto;
  box-shadow: 0 0 0 2px #1b7f3b;
  border-radius: 4px;
  z-index: 2;
}
iframe[hidden] { display: none; }
.notice {
  all: initial;
  position: fixed;
  right: 12px;
  bottom: 12px;
  max-width: 360px;
  padding: 8px 12px;
  border-radius: 6px;
  background: #333;
  color: #fff;
  font: 13px/1.4 system-ui, sans-serif;
  pointer-events: auto;
  z-index: 3;
  white-space: pre-wrap;
}
.notice[hidden] { display: none; }
`;

/** True when the page changed what the host looks like (computed, so stylesheets count too). */
function hostTampered(host: HTMLElement): boolean {
  if (!host.isConnected || host.parentNode !== document.documentElement) return true;
  const cs = getComputedStyle(host);
  return (
    cs.display === 'none' ||
    cs.visibility !== 'visible' ||
    cs.opacity !== '1' ||
    cs.position !== 'fixed' ||
    cs.transform !== 'none' ||
    cs.clipPath !== 'none' ||
    cs.filter !== 'none' ||
    cs.zIndex !== Z_TOP
  );
}

// ---------------------------------------------------------------- mounting

function randomTag(): string {
  const bytes = new Uint8Array(6);
  crypto.getRandomValues(bytes);
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return `offrecord-${s}`;
}

function frame(page: string, title: string): HTMLIFrameElement {
  const f = document.createElement('iframe');
  f.src = browser.runtime.getURL(page);
  f.title = title;
  // Our pages need scripts and their own origin (for the runtime port); nothing else.
  f.setAttribute('allow', '');
  f.setAttribute('referrerpolicy', 'no-referrer');
  f.setAttribute('loading', 'eager');
  return f;
}

function mount(): Mounted {
  const { host, root } = createShadowHost(document, randomTag(), SHADOW_CSS);
  const transcript = frame(FRAME_PAGES.transcript, 'offrecord secure transcript');
  const compose = frame(FRAME_PAGES.compose, 'offrecord secure compose');
  const notice = document.createElement('div');
  notice.className = 'notice';
  notice.hidden = true;
  root.append(transcript, compose, notice);
  compose.addEventListener('load', () => {
    if (state.on && state.mounted?.compose === compose) compose.focus();
  });
  // The page cannot reach inside, but it can close the popover: open it again.
  host.addEventListener('toggle', () => {
    if (state.mounted?.host === host) showInTopLayer(host);
  });
  document.documentElement.append(host);
  showInTopLayer(host);
  return { host, root, compose, transcript, notice };
}

function unmount(): void {
  const m = state.mounted;
  state.mounted = null;
  if (m) m.host.remove();
}

/** Mounts a fresh host (new tag name) when the current one is gone or tampered with. */
function ensureMounted(): Mounted {
  const m = state.mounted;
  if (m && !hostTampered(m.host)) return m;
  if (m) {
    // A page that undoes every re-mount at once must not get us into a busy loop: at most
    // a few re-mounts per second from mutations; the periodic check goes on regardless.
    const now = Date.now();
    if (now - state.lastRemount < REMOUNT_MIN_MS) return m;
    state.lastRemount = now;
    state.remounts++;
    unmount();
  }
  state.mounted = mount();
  return state.mounted;
}

function placeFrame(f: HTMLIFrameElement, rect: DOMRect | null, minHeight: number): void {
  if (!rect || (rect.width === 0 && rect.height === 0)) {
    f.hidden = true;
    return;
  }
  f.hidden = false;
  const height = Math.max(rect.height, minHeight);
  // Grow upwards for the compose box (it sits at the bottom of the page), downwards otherwise.
  const top = minHeight === MIN_COMPOSE_HEIGHT ? rect.bottom - height : rect.top;
  const set = (p: string, v: string) => {
    if (f.style.getPropertyValue(p) !== v) f.style.setProperty(p, v, 'important');
  };
  set('left', `${Math.round(rect.left)}px`);
  set('top', `${Math.round(Math.max(0, top))}px`);
  set('width', `${Math.round(rect.width)}px`);
  set('height', `${Math.round(height)}px`);
}

function rectOf(el: Element | null): DOMRect | null {
  return el?.isConnected ? el.getBoundingClientRect() : null;
}

function layout(): void {
  if (!state.on) return;
  const m = ensureMounted();
  const t = state.target;
  placeFrame(m.compose, rectOf(t?.composeBox ?? null), MIN_COMPOSE_HEIGHT);
  placeFrame(m.transcript, rectOf(t?.messageList ?? null), MIN_TRANSCRIPT_HEIGHT);
  guardComposeBox();
}

/** Keeps the site's compose box unfocusable and unfocused while private mode is on. */
function guardComposeBox(): void {
  const box = state.target?.composeBox;
  if (!box?.isConnected) return;
  if (!box.hasAttribute('inert')) box.setAttribute('inert', '');
  state.inerted.add(box);
  if (document.activeElement === box && box instanceof HTMLElement) {
    box.blur();
    state.mounted?.compose.focus();
  }
}

function releaseComposeBoxes(): void {
  for (const box of state.inerted) box.removeAttribute('inert');
  state.inerted.clear();
}

// ---------------------------------------------------------------- watching the page

function onPageMutation(records: MutationRecord[]): void {
  const m = state.mounted;
  if (!state.on || !m) return;
  for (const r of records) {
    if (r.target === m.host || (r.type === 'childList' && [...r.removedNodes].includes(m.host))) {
      layout();
      return;
    }
    if (r.target === state.target?.composeBox && r.attributeName === 'inert') {
      guardComposeBox();
      return;
    }
  }
  // The app re-rendered something: positions may have moved.
  layout();
}

function startWatching(): void {
  stopWatching();
  state.observer = new MutationObserver(onPageMutation);
  state.observer.observe(document.documentElement, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ['style', 'class', 'hidden', 'popover', 'inert'],
  });
  state.resize = new ResizeObserver(() => layout());
  for (const el of [state.target?.composeBox, state.target?.messageList]) if (el) state.resize.observe(el);
  window.addEventListener('resize', layout, true);
  window.addEventListener('scroll', layout, true);
  document.addEventListener('focusin', guardComposeBox, true);
  state.timer = setInterval(layout, CHECK_INTERVAL_MS);
}

function stopWatching(): void {
  state.observer?.disconnect();
  state.observer = null;
  state.resize?.disconnect();
  state.resize = null;
  window.removeEventListener('resize', layout, true);
  window.removeEventListener('scroll', layout, true);
  document.removeEventListener('focusin', guardComposeBox, true);
  if (state.timer !== null) clearInterval(state.timer);
  state.timer = null;
}

// ---------------------------------------------------------------- notices

let noticeHost: { host: HTMLElement; notice: HTMLElement } | null = null;
let noticeTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * Shows a short note in the page (not authoritative, I6: the popup is): why private mode refused.
 * Carries only the adapter's reason, never conversation text.
 */
function showNotice(text: string): void {
  let n = noticeHost;
  if (!n?.host.isConnected) {
    const { host, root } = createShadowHost(document, randomTag(), SHADOW_CSS);
    const notice = document.createElement('div');
    notice.className = 'notice';
    root.append(notice);
    document.documentElement.append(host);
    showInTopLayer(host);
    n = { host, notice };
    noticeHost = n;
  }
  n.notice.textContent = text;
  n.notice.hidden = false;
  if (noticeTimer !== null) clearTimeout(noticeTimer);
  noticeTimer = setTimeout(hideNotice, 8000);
}

function hideNotice(): void {
  if (noticeTimer !== null) clearTimeout(noticeTimer);
  noticeTimer = null;
  noticeHost?.host.remove();
  noticeHost = null;
}

// ---------------------------------------------------------------- the in-page "Go private" button

let offerHost: HTMLElement | null = null;

/**
 * A small "Go private" button at the bottom right of a one-to-one chat while private mode is
 * off: a convenience next to the popup (authoritative, I6) and the keyboard command. It lives in
 * a closed shadow root in the top layer; it only ever turns private mode ON, so a page that
 * clicks it or draws a fake one can do nothing the user would not want.
 */
export function offerGoPrivate(show: boolean, onClick: () => void): void {
  if (!show) {
    offerHost?.remove();
    offerHost = null;
    return;
  }
  if (offerHost?.isConnected) return;
  const { host, root } = createShadowHost(
    document,
    randomTag(),
    `${SHADOW_CSS}
.offer { position: fixed; right: 16px; bottom: 16px; pointer-events: auto; z-index: 4;
  padding: 6px 12px; border: 0; border-radius: 16px; background: #1f6f3f; color: #fff;
  font: 600 13px/1.4 system-ui, sans-serif; cursor: pointer; }`,
  );
  const button = document.createElement('button');
  button.className = 'offer';
  button.type = 'button';
  button.textContent = '🔒 Go private';
  button.title = 'Start a private (OTR) conversation in this chat';
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    onClick();
  });
  root.append(button);
  document.documentElement.append(host);
  showInTopLayer(host);
  offerHost = host;
}

// ---------------------------------------------------------------- public interface

/**
 * Private mode on: the secure frames cover the compose box and the message list of `target`
 * (the compose box is made inert at once, before the frame has loaded). Called again with a new
 * target when the open chat changes or the app re-renders. Off: the frames go and the compose box
 * is given back; a non-null `reason` (why private mode refused or ended) is shown briefly.
 * Private mode without a compose box is refused here too: nothing is mounted, the reason shown.
 */
export function setPrivateMode(on: boolean, target: OverlayTarget | null, reason: string | null): void {
  if (on && !target?.composeBox) {
    // Never leave the user typing into the page in what they think is private mode.
    setPrivateMode(false, target, reason ?? 'private mode needs the chat’s compose box, which was not found');
    return;
  }
  if (!on) {
    state.on = false;
    stopWatching();
    unmount();
    releaseComposeBoxes();
    state.target = target;
    state.reason = reason;
    if (reason) showNotice(`offrecord: ${reason}`);
    else hideNotice();
    return;
  }
  hideNotice();
  const previous = state.target?.composeBox;
  if (previous && previous !== target?.composeBox) {
    previous.removeAttribute('inert');
    state.inerted.delete(previous);
  }
  state.on = true;
  state.target = target;
  state.reason = reason;
  guardComposeBox();
  layout();
  startWatching();
}

/** Whether the frames are mounted (for the core and tests). */
export function isPrivateModeOn(): boolean {
  return state.on;
}

/**
 * Collapses chat rows that carry OTR traffic (the buddy's and our own echoes, every fragment) to a
 * placeholder holding no plaintext. The row's own children stay in place (the app's renderer
 * keeps working) but are no longer rendered: the row gets a closed shadow root with only the
 * placeholder. Rows that cannot host a shadow root are hidden instead.
 */
export function collapseOtrRows(rows: Element[]): void {
  for (const row of rows) {
    if (row.hasAttribute(COLLAPSED_ATTR) && collapsed.get(row)?.shown === 'placeholder') continue;
    collapseRow(row);
  }
}

/**
 * Shows rows again that were collapsed but no longer carry OTR text. Virtualized lists recycle row
 * elements: the element that held a ciphertext line a moment ago may now show a plain message,
 * which must be readable. A shadow root cannot be removed, so the row's root switches from the
 * placeholder to a <slot>, which renders the row's own children as if there were no root.
 */
export function expandRows(rows: Element[]): void {
  for (const row of rows) {
    const c = collapsed.get(row);
    if (!c || c.shown === 'children') continue;
    if (c.root) c.root.replaceChildren(document.createElement('slot'));
    else if (row instanceof HTMLElement || row instanceof SVGElement) row.style.removeProperty('display');
    c.shown = 'children';
    row.removeAttribute(COLLAPSED_ATTR);
  }
}

interface Collapsed {
  /** The row's closed shadow root, or null when the row could not host one (hidden instead). */
  root: ShadowRoot | null;
  shown: 'placeholder' | 'children';
}

const collapsed = new WeakMap<Element, Collapsed>();

function placeholder(root: ShadowRoot): void {
  const style = document.createElement('style');
  style.textContent =
    ':host{display:block!important}.p{all:initial;display:block;padding:2px 8px;font:italic 12px/1.6 system-ui,sans-serif;color:#777}';
  const p = document.createElement('span');
  p.className = 'p';
  p.textContent = PLACEHOLDER_TEXT;
  root.replaceChildren(style, p);
}

function collapseRow(row: Element): void {
  let c = collapsed.get(row);
  if (!c) {
    let root: ShadowRoot | null = null;
    try {
      root = row.attachShadow({ mode: 'closed' });
    } catch {
      root = null;
    }
    c = { root, shown: 'children' };
    collapsed.set(row, c);
  }
  if (c.shown === 'children') {
    if (c.root) placeholder(c.root);
    else if (row instanceof HTMLElement || row instanceof SVGElement)
      row.style.setProperty('display', 'none', 'important');
    c.shown = 'placeholder';
  }
  row.setAttribute(COLLAPSED_ATTR, '');
}
