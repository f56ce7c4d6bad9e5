/**
 * The in-page part of private mode. Nothing in the page's window accepts private typing or shows
 * plaintext (I1): that happens in offrecord's side panel, which the page can neither focus, cover
 * nor script. Here, while private mode is on:
 * - the site's compose box is made `inert` and blurred synchronously, so nothing the user types
 *   lands in the page by habit;
 * - a cover over it says "Private conversation — type in offrecord's panel" and opens the panel
 *   when clicked (a one-shot runtime message, so Chrome keeps the click's user gesture);
 * - ciphertext rows are collapsed to a placeholder (collapseOtrRows).
 * The cover holds no secret, so a page that hides, moves or fakes it gains nothing; it is kept
 * visible anyway (closed shadow root, inline !important styles, top layer, re-mounted under a new
 * tag name when removed or restyled) so the user is told where to type.
 *
 * Called by the content script core (content-scripts/chat.ts):
 *   setPrivateMode(on, target, reason)   cover (on) / release (off) the compose box of target
 *   collapseOtrRows(rows)                rows whose text is OTR become "(padlock) encrypted message"
 */

import browser from 'webextension-polyfill';
import { t } from '../../extension/shared/i18n';
import { SHAPES, STROKE } from '../../extension/shared/icon-shapes';
import { shadowTokensCss } from '../../extension/shared/shadow-tokens';
import { writingNow } from '../sites/compose';
import { createShadowHost, showInTopLayer, Z_TOP } from './host';

export interface OverlayTarget {
  /** The site's compose box: made inert and covered by the notice. */
  composeBox: Element | null;
  /** The site's message list (its rows are collapsed; nothing is drawn over it). */
  messageList: Element | null;
}

/** Attribute on the cover's host element (tests find it by this; the page may too, harmlessly). */
export const COVER_ATTR = 'data-offrecord-cover';

/** What a collapsed ciphertext row shows instead of its text. */
/** What a collapsed ?OTR: row says instead (after a padlock drawn as SVG: no emoji as icons). */
export const PLACEHOLDER_TEXT = t('ui_encryptedRow');

/** offrecord's padlock (extension/shared/icon-shapes.ts), built with DOM calls for a shadow root. */
function padlock(doc: Document): SVGSVGElement {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = doc.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 32 32');
  svg.setAttribute('width', '1em');
  svg.setAttribute('height', '1em');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('style', 'vertical-align:-0.12em;margin-right:0.35em');
  for (const part of SHAPES.padlock) {
    const path = doc.createElementNS(ns, 'path');
    path.setAttribute('d', part.d);
    path.setAttribute('fill', part.paint === 'fill' ? 'currentColor' : 'none');
    path.setAttribute('stroke', part.paint === 'stroke' ? 'currentColor' : 'none');
    path.setAttribute('stroke-width', String(STROKE));
    path.setAttribute('stroke-linecap', 'round');
    svg.append(path);
  }
  return svg;
}

/** Attribute set on rows this module collapsed (a marker only: the page may copy or remove it). */
export const COLLAPSED_ATTR = 'data-offrecord-collapsed';

/** How often the overlay checks itself against the page (ms). */
const CHECK_INTERVAL_MS = 400;
/** Shortest time between two re-mounts (ms). */
const REMOUNT_MIN_MS = 200;
/** Smallest cover height, so a zero-sized compose box still gets a readable notice. */
const MIN_COVER_HEIGHT = 44;

/**
 * Whether a chat row carries OTR traffic: data, fragments, queries, errors (all contain "?OTR").
 * "Contains", not "starts with": callers pass a whole row's textContent, which begins with the
 * site's time and nick. Erring this way only collapses a plain row that quotes "?OTR" (the panel's
 * transcript still shows it, marked not private); it never leaves ciphertext rows expanded.
 */
export function isOtrText(text: string): boolean {
  return text.includes('?OTR');
}

// ---------------------------------------------------------------- state

interface Mounted {
  host: HTMLElement;
  root: ShadowRoot;
  cover: HTMLButtonElement;
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

/** How many times the cover had to re-mount itself because the page tampered with it (tests). */
export function remountCount(): number {
  return state.remounts;
}

// ---------------------------------------------------------------- styles

/**
 * Inside the closed shadow root: the page's CSS does not reach here. (No `:host` rule: an
 * !important one from inside the shadow tree would beat the host's inline !important styles.)
 */
export const SHADOW_CSS = `
.cover {
  all: initial;
  position: fixed;
  display: flex;
  flex-direction: column;
  justify-content: center;
  box-sizing: border-box;
  padding: var(--or-space-1) var(--or-space-3);
  border-radius: var(--or-radius-sm);
  background: var(--or-private);
  color: var(--or-on-status);
  font: var(--or-weight-strong) var(--or-text-sm)/1.4 var(--or-font);
  pointer-events: auto;
  cursor: pointer;
  z-index: 2;
  text-align: left;
}
.cover .hint { font-weight: 400; font-size: var(--or-text-xs); }
.notice {
  all: initial;
  position: fixed;
  right: var(--or-space-3);
  bottom: var(--or-space-3);
  max-width: 360px;
  padding: var(--or-space-2) var(--or-space-3);
  border-radius: var(--or-radius-md);
  background: var(--or-text);
  color: var(--or-bg);
  box-shadow: var(--or-shadow);
  font: var(--or-text-sm)/1.4 var(--or-font);
  pointer-events: auto;
  z-index: 3;
  white-space: pre-wrap;
}
.notice[hidden] { display: none; }
`;

/** The in-page "Go private" button (offerGoPrivate), on top of SHADOW_CSS. */
export const OFFER_CSS = `
.offer { position: fixed; right: var(--or-space-4); bottom: var(--or-space-4); pointer-events: auto; z-index: 4;
  padding: 6px var(--or-space-3); border: 0; border-radius: var(--or-radius-pill);
  background: var(--or-accent); color: var(--or-on-accent); box-shadow: var(--or-shadow);
  font: var(--or-weight-strong) var(--or-text-sm)/1.4 var(--or-font); cursor: pointer; }
.offer:focus-visible { outline: 2px solid var(--or-focus); outline-offset: 2px; }`;

/** A collapsed ?OTR: row's placeholder: its own small shadow root per row, so only the tokens it uses. */
export const PLACEHOLDER_CSS = `:host{display:block!important}
.p{all:initial;display:inline-block;margin:1px 0;padding:2px var(--or-space-2);border-radius:var(--or-radius-sm);
background:var(--or-surface-2);color:var(--or-text-muted);font:italic var(--or-text-xs)/1.6 var(--or-font)}`;
export const PLACEHOLDER_TOKENS: readonly string[] = [
  'surface-2',
  'text-muted',
  'text-xs',
  'font',
  'space-2',
  'radius-sm',
];

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

/** Asks the background to open the side panel (inside this click's user gesture, in Chrome). */
export function requestPanel(): void {
  browser.runtime.sendMessage({ type: 'open-panel' }).catch(() => undefined);
}

function mount(): Mounted {
  const { host, root } = createShadowHost(document, randomTag(), SHADOW_CSS);
  host.setAttribute(COVER_ATTR, '');
  const cover = document.createElement('button');
  cover.type = 'button';
  cover.className = 'cover';
  const text = document.createElement('span');
  text.append(padlock(document), t('panel_coverText'));
  cover.append(text);
  if (__OFFRECORD_TARGET__ === 'firefox') {
    // Firefox opens its sidebar only from the browser's own UI or our pages, not a page's click.
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.textContent = t('panel_coverHintFirefox');
    cover.append(hint);
  }
  cover.addEventListener('click', (e) => {
    e.stopPropagation();
    if (e.isTrusted) requestPanel();
  });
  root.append(cover);
  // The page cannot reach inside, but it can close the popover: open it again.
  host.addEventListener('toggle', () => {
    if (state.mounted?.host === host) showInTopLayer(host);
  });
  document.documentElement.append(host);
  showInTopLayer(host);
  return { host, root, cover };
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

function placeCover(c: HTMLElement, rect: DOMRect | null): void {
  const set = (p: string, v: string) => {
    if (c.style.getPropertyValue(p) !== v) c.style.setProperty(p, v, 'important');
  };
  if (!rect || rect.width < 40 || rect.height === 0) {
    // No usable compose box on screen (hidden, moved, 0×0): the notice sits at the bottom.
    set('left', '12px');
    set('top', `${Math.max(0, window.innerHeight - MIN_COVER_HEIGHT - 12)}px`);
    set('width', `${Math.max(200, Math.min(420, window.innerWidth - 24))}px`);
    set('height', `${MIN_COVER_HEIGHT}px`);
    return;
  }
  const height = Math.max(rect.height, MIN_COVER_HEIGHT);
  set('left', `${Math.round(rect.left)}px`);
  set('top', `${Math.round(Math.max(0, rect.bottom - height))}px`);
  set('width', `${Math.round(rect.width)}px`);
  set('height', `${Math.round(height)}px`);
}

function rectOf(el: Element | null): DOMRect | null {
  return el?.isConnected ? el.getBoundingClientRect() : null;
}

function layout(): void {
  if (!state.on) return;
  const m = ensureMounted();
  placeCover(m.cover, rectOf(state.target?.composeBox ?? null));
  guardComposeBox();
}

/** Keeps the site's compose box unfocusable and unfocused while private mode is on. */
function guardComposeBox(): void {
  if (writingNow()) return; // our own synchronous write (compose.ts) focuses the box for a moment
  const box = state.target?.composeBox;
  if (!box?.isConnected) return;
  if (!box.hasAttribute('inert')) box.setAttribute('inert', '');
  state.inerted.add(box);
  if (document.activeElement === box && box instanceof HTMLElement) box.blur();
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
  const { host, root } = createShadowHost(document, randomTag(), SHADOW_CSS + OFFER_CSS);
  const button = document.createElement('button');
  button.className = 'offer';
  button.type = 'button';
  button.append(padlock(document), t('ui_offerGoPrivate'));
  button.title = t('ui_offerTitle');
  button.addEventListener('click', (e) => {
    e.stopPropagation();
    // The panel opens only on the user's own click (the gesture); the page's fake clicks can at
    // most turn private mode on, which is what the button is for.
    if (e.isTrusted) requestPanel();
    onClick();
  });
  root.append(button);
  document.documentElement.append(host);
  showInTopLayer(host);
  offerHost = host;
}

// ---------------------------------------------------------------- public interface

/**
 * Private mode on: the compose box of `target` is made inert at once and covered by the notice
 * that sends the user to the panel. Called again with a new target when the open chat changes or
 * the app re-renders. Off: the cover goes and the compose box is given back; a non-null `reason`
 * (why private mode refused or ended) is shown briefly. Private mode without a compose box is
 * refused here too: nothing is mounted, the reason shown.
 */
export function setPrivateMode(on: boolean, target: OverlayTarget | null, reason: string | null): void {
  if (on && !target?.composeBox) {
    // Never leave the user typing into the page in what they think is private mode.
    setPrivateMode(false, target, reason ?? t('ui_reasonNoCompose'));
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

/** Whether private mode's cover is up (for the core and tests). */
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

/** Whether expandRows can have anything to do: a row was collapsed on this page at some time. */
export function anyRowCollapsed(): boolean {
  return anyCollapsed;
}

/**
 * Shows rows again that were collapsed but no longer carry OTR text. Virtualized lists recycle row
 * elements: the element that held a ciphertext line a moment ago may now show a plain message,
 * which must be readable. A shadow root cannot be removed, so the row's root switches from the
 * placeholder to a <slot>, which renders the row's own children as if there were no root.
 */
export function expandRows(rows: Element[]): void {
  if (!anyCollapsed) return;
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
/** Whether any row was ever collapsed on this page: until then there is nothing to expand (a long chat's scan skips the look-ups). */
let anyCollapsed = false;

function placeholder(root: ShadowRoot): void {
  const style = document.createElement('style');
  style.textContent = shadowTokensCss(PLACEHOLDER_TOKENS) + PLACEHOLDER_CSS;
  const p = document.createElement('span');
  p.className = 'p';
  p.append(padlock(document), PLACEHOLDER_TEXT);
  root.replaceChildren(style, p);
}

function collapseRow(row: Element): void {
  anyCollapsed = true;
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
