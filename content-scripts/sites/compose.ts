/**
 * Typing one line into a web chat's compose box the way real messengers listen for it, sending it
 * the way the site expects, and telling whether the site took it. Used by the profile adapter
 * (content-scripts/sites/profile-adapter.ts); DOM only, no extension API, never sees plaintext
 * (the lines are OTR wire text).
 *
 * - textarea / input: the value goes through the native value setter of the element's realm, then
 *   an `input` event (bubbling) so React / Vue / Svelte bindings see it.
 * - contenteditable / role=textbox editors: the editor's contents are selected and replaced with
 *   the events typing fires: a cancelable `beforeinput` (inputType insertText) first, since
 *   Chromium's `execCommand` fires none and Slate / Lexical insert only from it; when the editor
 *   does not take it (not prevented), `document.execCommand('insertText')` (the browser's own
 *   insertion: `input`, undo history; what ProseMirror / Draft observe), and where that is
 *   unavailable or refused, a text node and an `input` event.
 * - send: 'enter' = keydown / keypress / keyup of Enter on the box (and, for a text input in a
 *   form, the form's submission the browser does on Enter unless the site took the key);
 *   { button } = a click on the site's send button (refused while disabled).
 * - taken: the box is empty after the send, at once or within a short wait.
 *
 * The text must be IN the box before the send is triggered, or an empty box afterwards would look
 * like success while nothing went out: a send is only attempted once the box shows exactly the line.
 * A draft the user typed is never overwritten (ComposeError). When the site did not take the line,
 * our text is removed again so the next attempt starts from an empty box.
 */

import type { SendRule } from '../../src/profile/profile';

export class ComposeError extends Error {
  override name = 'ComposeError';
}

export type BoxKind = 'value' | 'editable';

export interface ComposeOptions {
  /** How long to wait for an asynchronous editor to show the text or the site to empty the box (ms). */
  waitMs?: number;
  /** Poll interval while waiting (ms). */
  pollMs?: number;
}

const DEFAULT_WAIT_MS = 1500;
const DEFAULT_POLL_MS = 20;

/** How text gets into `el`, or null when it is not a text box. */
export function boxKind(el: Element): BoxKind | null {
  if (el.tagName === 'TEXTAREA') return 'value';
  if (el.tagName === 'INPUT') {
    const type = (el.getAttribute('type') ?? 'text').toLowerCase();
    return type === 'text' || type === 'search' || type === '' ? 'value' : null;
  }
  const ce = el.getAttribute('contenteditable');
  if (ce !== null && ce.toLowerCase() !== 'false') return 'editable';
  if ((el as HTMLElement).isContentEditable === true) return 'editable';
  if (el.getAttribute('role') === 'textbox') {
    // A role=textbox wrapper around the real editor: use the editor inside.
    return 'editable';
  }
  return null;
}

/** For a role=textbox wrapper whose editable part is a descendant, that descendant; else el itself. */
function editableOf(el: Element): Element {
  if (el.getAttribute('contenteditable') !== null) return el;
  return el.querySelector('[contenteditable]:not([contenteditable="false"])') ?? el;
}

/** What the box shows, normalized (non-breaking spaces as spaces, zero-width characters dropped, trimmed). */
export function boxText(el: Element): string {
  const text = boxKind(el) === 'value' ? (el as HTMLTextAreaElement).value : (el.textContent ?? '');
  return text
    .replace(/\u00a0/g, ' ')
    .replace(/\u200b|\u200c|\u200d|\ufeff/g, '')
    .trim();
}

function windowOf(el: Element): Window & typeof globalThis {
  const view = el.ownerDocument.defaultView;
  if (!view) throw new ComposeError('the message box is not in a live page');
  return view as Window & typeof globalThis;
}

/** Sets a textarea's / input's value with its realm's native setter and tells the page (`input`). */
export function setNativeValue(el: HTMLTextAreaElement | HTMLInputElement, value: string): void {
  const view = windowOf(el);
  const proto =
    el.tagName === 'TEXTAREA' ? view.HTMLTextAreaElement.prototype : view.HTMLInputElement.prototype;
  const setter = Object.getOwnPropertyDescriptor(proto, 'value')?.set;
  if (setter) setter.call(el, value);
  else el.value = value;
  el.dispatchEvent(inputEvent(view, 'input', value === '' ? 'deleteContentBackward' : 'insertText', value));
}

function inputEvent(
  view: Window & typeof globalThis,
  type: 'beforeinput' | 'input',
  inputType: string,
  data: string | null,
): Event {
  const init = { bubbles: true, cancelable: type === 'beforeinput', composed: true, inputType, data };
  return typeof view.InputEvent === 'function' ? new view.InputEvent(type, init) : new view.Event(type, init);
}

/** Runs `fn` with the box's `inert` lifted (private mode makes the site's box inert; inert is not editable). */
function withoutInert<T>(el: Element, fn: () => T): T {
  const inert = el.closest('[inert]');
  if (!inert) return fn();
  inert.removeAttribute('inert');
  try {
    return fn();
  } finally {
    inert.setAttribute('inert', '');
  }
}

/**
 * Whether the selection may be moved into `el` without taking the focus from where the user is
 * typing. Always when nothing else has the focus. Otherwise not in Firefox: measured on Firefox
 * ESR 153, a selection moved into an editor focuses it AND blurs the field focused inside an
 * iframe (our secure compose frame), so the user's next keystrokes would land in the page, or
 * nowhere once the focus is given back. Chromium leaves the focus alone (measured), so the
 * browser's own insertion (execCommand) is used there.
 */
function maySelect(el: Element): boolean {
  const doc = el.ownerDocument;
  const active = doc.activeElement;
  const elsewhere =
    active !== null &&
    active !== doc.body &&
    active !== doc.documentElement &&
    active !== el &&
    !el.contains(active);
  if (!elsewhere) return true;
  const ua = doc.defaultView?.navigator?.userAgent ?? '';
  return !/\bFirefox\//.test(ua);
}

/**
 * Runs `fn` (which selects inside the site's editor) and gives the focus back to where it was:
 * the site's box must never keep the focus. In private mode the user is typing in our secure
 * compose frame, and keystrokes landing in the page would hand it plaintext. Measured: Chromium
 * leaves the focus in an iframe when the selection moves into an editor; Firefox moves the focus
 * to the editor (and the next keystrokes go there). All of this runs synchronously, so no
 * keystroke can arrive in between.
 */
function keepFocus(el: Element, fn: () => void): void {
  const doc = el.ownerDocument;
  const before = doc.activeElement;
  try {
    fn();
  } finally {
    const now = doc.activeElement;
    if (now !== before && now !== null && (now === el || el.contains(now))) {
      const view = doc.defaultView;
      if (before && view && before instanceof view.HTMLElement && before !== doc.body) {
        before.focus({ preventScroll: true });
      }
      // Not focusable (the body, a closed overlay's host): at least not the site's box.
      const still = doc.activeElement;
      if (still && (still === el || el.contains(still)) && view && still instanceof view.HTMLElement)
        still.blur();
    }
  }
}

function selectContents(el: Element): void {
  const doc = el.ownerDocument;
  const sel = doc.getSelection?.();
  if (!sel) return;
  const range = doc.createRange();
  range.selectNodeContents(el);
  sel.removeAllRanges();
  sel.addRange(range);
}

/**
 * The browser's own editing command on the selection (fires `input`, keeps the editor's undo
 * history); false where there is none or it did nothing.
 */
function execEdit(doc: Document, command: 'insertText' | 'delete', text?: string): boolean {
  if (typeof doc.execCommand !== 'function') return false;
  try {
    return doc.execCommand(command, false, text) === true;
  } catch {
    return false;
  }
}

/**
 * Runs `edit` on the box's editor with its `inert` lifted and the focus given back afterwards,
 * the editor's contents selected first where that may be done (`selected`; see maySelect).
 */
function editEditable(
  box: Element,
  edit: (el: Element, doc: Document, view: Window & typeof globalThis, selected: boolean) => void,
): void {
  const el = editableOf(box);
  withoutInert(el, () =>
    keepFocus(el, () => {
      const selected = maySelect(el);
      if (selected) selectContents(el);
      edit(el, el.ownerDocument, windowOf(el), selected);
    }),
  );
}

/** Replaces the editor's contents with `text` through the events editors listen to. */
function insertIntoEditable(box: Element, text: string): void {
  editEditable(box, (el, doc, view, selected) => {
    // Chromium's execCommand fires `input` but no `beforeinput` (measured), and editors such as
    // Slate and Lexical insert text only from beforeinput: offer it to them first.
    const proceed = el.dispatchEvent(inputEvent(view, 'beforeinput', 'insertText', text));
    if (!proceed) return; // The editor inserts the text itself (maybe a moment later).
    // The browser's own insertion (fires `input`, keeps the editor's undo history).
    if (selected && execEdit(doc, 'insertText', text)) return;
    el.replaceChildren(doc.createTextNode(text));
    el.dispatchEvent(inputEvent(view, 'input', 'insertText', text));
  });
}

/** Empties the editor (our own text, after a send the site did not take). */
function clearEditable(box: Element): void {
  editEditable(box, (el, doc, view, selected) => {
    if (selected && execEdit(doc, 'delete') && boxText(el) === '') return;
    const before = inputEvent(view, 'beforeinput', 'deleteContentBackward', null);
    if (!el.dispatchEvent(before)) return;
    el.replaceChildren();
    el.dispatchEvent(inputEvent(view, 'input', 'deleteContentBackward', null));
  });
}

/** Puts `text` into the box (replacing what it holds). Synchronous part only; see `composeAndSend`. */
export function insertText(box: Element, text: string): void {
  const kind = boxKind(box);
  if (kind === 'value') setNativeValue(box as HTMLTextAreaElement, text);
  else if (kind === 'editable') insertIntoEditable(box, text);
  else throw new ComposeError('the message box is not a text field or an editable area');
}

/** Removes what the box holds (used only on our own text). */
export function clearBox(box: Element): void {
  const kind = boxKind(box);
  if (kind === 'value') setNativeValue(box as HTMLTextAreaElement, '');
  else if (kind === 'editable') clearEditable(box);
}

function isDisabled(button: Element): boolean {
  return (
    (button as HTMLButtonElement).disabled === true ||
    button.hasAttribute('disabled') ||
    button.getAttribute('aria-disabled') === 'true'
  );
}

/** Enter as the keyboard sends it: keydown, keypress (unless keydown was cancelled), keyup. */
export function pressEnter(box: Element): void {
  const view = windowOf(box);
  const target = boxKind(box) === 'editable' ? editableOf(box) : box;
  const init = {
    key: 'Enter',
    code: 'Enter',
    keyCode: 13,
    which: 13,
    charCode: 0,
    bubbles: true,
    cancelable: true,
    composed: true,
  };
  const down = target.dispatchEvent(new view.KeyboardEvent('keydown', init));
  const press = down && target.dispatchEvent(new view.KeyboardEvent('keypress', { ...init, charCode: 13 }));
  // Enter in a text input submits its form (implicit submission): the browser's default action,
  // which a dispatched key event does not have. Do it as the browser would, unless the site took
  // the key (prevented it), as sites with their own Enter handling do.
  if (press && target instanceof view.HTMLInputElement && target.form) {
    const form = target.form;
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.dispatchEvent(new view.Event('submit', { bubbles: true, cancelable: true }));
  }
  target.dispatchEvent(new view.KeyboardEvent('keyup', init));
}

/** Triggers the site's send. Throws when the button is missing or disabled. */
export function triggerSend(doc: Document, box: Element, rule: SendRule): void {
  if (rule === 'enter') {
    pressEnter(box);
    return;
  }
  const button = doc.querySelector(rule.button);
  if (!button) throw new ComposeError(`the send button ("${rule.button}") is not in the page`);
  if (isDisabled(button)) throw new ComposeError('the send button is disabled');
  const view = windowOf(button);
  if (button instanceof view.HTMLElement) button.click();
  else button.dispatchEvent(new view.MouseEvent('click', { bubbles: true, cancelable: true, view }));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `done()` holds or `waitMs` passed; the result of the last check. */
async function waitFor(done: () => boolean, waitMs: number, pollMs: number): Promise<boolean> {
  if (done()) return true;
  const end = Date.now() + waitMs;
  while (Date.now() < end) {
    await sleep(pollMs);
    if (done()) return true;
  }
  return done();
}

/** Refuses lines that cannot go as one chat message unchanged. */
export function checkLine(text: string, maxLength: number): void {
  if (text.length === 0) throw new ComposeError('empty message');
  if (/[\r\n\0]/.test(text)) throw new ComposeError('a message cannot contain line breaks or NUL');
  if (text !== text.trim()) throw new ComposeError('leading or trailing whitespace would be lost');
  if (text.length > maxLength)
    throw new ComposeError(`message of ${text.length} characters is over the ${maxLength} limit`);
}

/**
 * Puts one line into `box` and sends it with `rule`. Resolves true when the site took it (the box
 * emptied), false when it did not (our text is then removed again). Throws ComposeError when it
 * cannot even try: the box holds the user's draft, the box is not a text box, the text did not
 * land in the box, the send button is missing or stays disabled.
 */
export async function composeAndSend(
  doc: Document,
  box: Element,
  text: string,
  rule: SendRule,
  options: ComposeOptions = {},
): Promise<boolean> {
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  if (!boxKind(box)) throw new ComposeError('the message box is not a text field or an editable area');
  const held = boxText(box);
  // Our own line left over from an attempt the site did not take may be replaced; anything else is the user's.
  if (held !== '' && held !== text)
    throw new ComposeError('the message box holds a draft; not overwriting it');
  if (held !== text) insertText(box, text);
  if (!(await waitFor(() => boxText(box) === text, waitMs, pollMs))) {
    if (boxText(box) !== '' && boxText(box) !== held) clearBox(box);
    throw new ComposeError('the site did not accept the text in its message box');
  }
  if (rule !== 'enter') {
    // Sites enable their send button once they saw the input: give them the same short wait.
    const button = doc.querySelector(rule.button);
    if (button && isDisabled(button)) await waitFor(() => !isDisabled(button), waitMs, pollMs);
  }
  try {
    triggerSend(doc, box, rule);
  } catch (e) {
    clearBox(box);
    throw e;
  }
  const taken = await waitFor(() => boxText(box) === '', waitMs, pollMs);
  if (!taken && boxText(box) === text) clearBox(box);
  return taken;
}
