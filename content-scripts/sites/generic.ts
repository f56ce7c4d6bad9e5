/**
 * The generic adapter: on a chat page offrecord has no adapter for, it GUESSES where the compose
 * box and the message list are and says how sure it is (0..1). It never turns anything on by
 * itself: the popup shows the guess, and the user confirms it or runs the element picker
 * (content-scripts/picker/derive.ts), whose profile is what private mode then uses.
 */

import { t } from '../../extension/shared/i18n';

export interface Guess {
  element: Element;
  /** 0..1 */
  confidence: number;
  /** Why, for the popup. */
  reasons: string[];
}

export interface GenericGuess {
  compose: Guess | null;
  list: Guess | null;
  /** min of both, 0 when either is missing. */
  confidence: number;
}

const WORDS = /message|chat|reply|write|type|compose|send|nachricht|mensaje/i;
const LIST_WORDS = /message|chat|conversation|log|history|timeline|transcript/i;

function hint(el: Element): string {
  return [
    el.id,
    el.getAttribute('class') ?? '',
    el.getAttribute('placeholder') ?? '',
    el.getAttribute('aria-label') ?? '',
    el.getAttribute('name') ?? '',
    el.getAttribute('data-placeholder') ?? '',
  ].join(' ');
}

function hiddenByAttribute(el: Element): boolean {
  for (let n: Element | null = el; n; n = n.parentElement) {
    if (n.hasAttribute('hidden') || n.getAttribute('aria-hidden') === 'true') return true;
    const style = n.getAttribute('style') ?? '';
    if (/display\s*:\s*none|visibility\s*:\s*hidden/.test(style)) return true;
  }
  return false;
}

/** The most likely compose box: a focused textarea / contenteditable / role=textbox wins. */
export function findCompose(doc: Document): Guess | null {
  const candidates = doc.querySelectorAll(
    'textarea, input[type="text"], input:not([type]), [contenteditable="true"], [contenteditable=""], [role="textbox"]',
  );
  let best: Guess | null = null;
  for (const el of candidates) {
    if (hiddenByAttribute(el) || el.hasAttribute('disabled') || el.hasAttribute('readonly')) continue;
    const reasons: string[] = [];
    let score = 0.2;
    if (el.tagName === 'TEXTAREA' || el.getAttribute('contenteditable') !== null) {
      score += 0.2;
      reasons.push(t('ui_guessMultiLine'));
    } else if (el.getAttribute('role') === 'textbox') {
      score += 0.15;
      reasons.push('role=textbox');
    }
    const type = el.getAttribute('type');
    if (el.tagName === 'INPUT' && (type === 'password' || type === 'search')) continue;
    if (doc.activeElement === el) {
      score += 0.35;
      reasons.push(t('ui_guessFocused'));
    }
    if (WORDS.test(hint(el))) {
      score += 0.2;
      reasons.push(t('ui_guessNamedCompose'));
    }
    if (el.closest('form, footer, [role="form"]')) score += 0.05;
    const confidence = Math.min(1, score);
    if (!best || confidence > best.confidence) best = { element: el, confidence, reasons };
  }
  return best;
}

function signature(el: Element): string {
  return `${el.tagName}.${el.classList[0] ?? ''}`;
}

/** The most likely message list: a container of repeated, text-carrying rows. */
export function findMessageList(doc: Document): Guess | null {
  let best: Guess | null = null;
  for (const el of doc.body?.querySelectorAll('*') ?? []) {
    const children = Array.from(el.children);
    if (children.length < 2) continue;
    const counts = new Map<string, number>();
    for (const c of children) counts.set(signature(c), (counts.get(signature(c)) ?? 0) + 1);
    let top = 0;
    let topSig = '';
    for (const [sig, n] of counts) if (n > top) [top, topSig] = [n, sig];
    if (top < 2 || /^(SPAN|A|B|I|EM|STRONG|SMALL|CODE|TIME|BR|SVG|LI)$/.test(topSig.split('.')[0] ?? ''))
      continue;
    const rows = children.filter((c) => signature(c) === topSig);
    const withText = rows.filter((r) => (r.textContent ?? '').trim().length > 0).length;
    if (withText < 2) continue;
    // Not rendered (a closed dialog styled display:none by the site's CSS, not by an attribute).
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility()) continue;
    // Nav menus and option lists repeat too: rows with controls inside only are not messages.
    if (/^(UL|OL|SELECT|NAV|TR|TBODY)$/.test(el.tagName) && !LIST_WORDS.test(hint(el))) continue;
    const reasons: string[] = [`${top} repeated rows`];
    let score = Math.min(0.35, 0.07 * top) + 0.15 * (withText / rows.length) + 0.2 * (top / children.length);
    const role = el.getAttribute('role');
    if (role === 'log' || role === 'feed' || role === 'list') {
      score += 0.25;
      reasons.push(`role=${role}`);
    }
    if (LIST_WORDS.test(hint(el))) {
      score += 0.15;
      reasons.push(t('ui_guessNamedList'));
    }
    const style = el.getAttribute('style') ?? '';
    if (/overflow(-y)?\s*:\s*(auto|scroll)/.test(style) || el.hasAttribute('aria-live')) {
      score += 0.1;
      reasons.push(t('ui_guessScrolls'));
    }
    if (el.querySelector('textarea, [contenteditable="true"]')) score -= 0.3;
    // A row holding a row-like container is the message, not the list: prefer the outer list.
    if (el.parentElement?.closest('[role="log"], converse-message-history')) score -= 0.2;
    const confidence = Math.max(0, Math.min(1, score));
    if (!best || confidence > best.confidence) best = { element: el, confidence, reasons };
  }
  return best;
}

/** Both guesses and an overall confidence. Only a suggestion: nothing is enabled from it. */
export function guess(doc: Document): GenericGuess {
  const compose = findCompose(doc);
  const list = findMessageList(doc);
  const confidence = compose && list ? Math.min(compose.confidence, list.confidence) : 0;
  return { compose, list, confidence };
}

export const generic = { name: 'generic', findCompose, findMessageList, guess } as const;
