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
/** How long a write without the focus may take to show before it is tried with the focus (ms). */
const UNFOCUSED_WAIT_MS = 250;

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

/**
 * Whether `el` (inside an editor, never the editor itself) is decoration rather than what the user
 * typed: hidden from assistive technology (aria-hidden), marked as a placeholder (an attribute or
 * class naming one: Slate's `data-slate-placeholder`, ProseMirror / Tiptap's `data-placeholder` on
 * an empty paragraph), or a non-editable island drawn out of the text flow (slate-react draws its
 * placeholder as an absolutely positioned `contenteditable=false` span INSIDE the editable root).
 * A non-editable island in the flow (a mention chip, an emoji) is content: a draft of only that
 * is still the user's.
 */
function isDecoration(el: Element): boolean {
  if (el.getAttribute('aria-hidden') === 'true') return true;
  const editable = el.getAttribute('contenteditable')?.toLowerCase();
  if (editable === 'true' || editable === '' || editable === 'plaintext-only') return false; // an editor of its own
  for (const name of el.getAttributeNames()) if (name.includes('placeholder')) return true;
  if (/placeholder/i.test(el.getAttribute('class') ?? '')) return true;
  if (editable === 'false') {
    const style = el.ownerDocument.defaultView?.getComputedStyle(el);
    if (
      style &&
      (style.position === 'absolute' || style.position === 'fixed' || style.pointerEvents === 'none')
    )
      return true;
  }
  return false;
}

/** An editor's text without its decoration; an image (an emoji, a sticker) counts as its alt text or U+FFFC. */
function editableText(root: Element): string {
  const doc = root.ownerDocument;
  const walker = doc.createTreeWalker(root, 0x1 | 0x4 /* SHOW_ELEMENT | SHOW_TEXT */, {
    acceptNode: (n) =>
      n !== root && n.nodeType === 1 && isDecoration(n as Element)
        ? 2 /* FILTER_REJECT: the whole subtree */
        : 1 /* FILTER_ACCEPT */,
  });
  let text = '';
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (n.nodeType === 3) text += (n as Text).data;
    else if ((n as Element).tagName === 'IMG' || (n as Element).getAttribute('role') === 'img')
      text += (n as Element).getAttribute('alt') || (n as Element).getAttribute('aria-label') || '\ufffc';
  }
  return text;
}

/**
 * What the box holds, normalized (non-breaking spaces as spaces, zero-width characters dropped,
 * trimmed). Decoration inside an editor (placeholders, aria-hidden parts) is not text the user typed.
 */
export function boxText(el: Element): string {
  const text = boxKind(el) === 'value' ? (el as HTMLTextAreaElement).value : editableText(editableOf(el));
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
  targetRanges: StaticRange[] = [],
): Event {
  const init = {
    bubbles: true,
    cancelable: type === 'beforeinput',
    composed: true,
    inputType,
    data,
    targetRanges,
  };
  return typeof view.InputEvent === 'function' ? new view.InputEvent(type, init) : new view.Event(type, init);
}

/** A `paste` of plain text, as the browser fires it for Ctrl+V (null where the browser cannot make one). */
function pasteEvent(view: Window & typeof globalThis, text: string): Event | null {
  if (typeof view.DataTransfer !== 'function' || typeof view.ClipboardEvent !== 'function') return null;
  try {
    const clipboardData = new view.DataTransfer();
    clipboardData.setData('text/plain', text);
    const e = new view.ClipboardEvent('paste', {
      bubbles: true,
      cancelable: true,
      composed: true,
      clipboardData,
    });
    return e.clipboardData?.getData('text/plain') === text ? e : null;
  } catch {
    return null;
  }
}

/** Synchronous writes into a site's box running now (content-script state, never the page's). */
let ownWrites = 0;

/**
 * Whether offrecord itself is writing into a site's box at this moment: the private-mode guard
 * (overlay) must let that focus be, or Quill 2 never sees its Enter while focused.
 */
export function writingNow(): boolean {
  return ownWrites > 0;
}

/** Runs `fn` with the box's `inert` lifted (private mode makes the site's box inert; inert is not editable). */
function withoutInert<T>(el: Element, fn: () => T): T {
  ownWrites++;
  const inert = el.closest('[inert]');
  try {
    inert?.removeAttribute('inert');
    return fn();
  } finally {
    inert?.setAttribute('inert', '');
    ownWrites--;
  }
}

/**
 * Runs `fn` (which may select inside, or focus, the site's editor) and puts the page's focus and
 * selection back as they were: the site's box never keeps them. All of it runs synchronously, so
 * no keystroke of the user can land in between. (With typing in the side panel the page's
 * document usually holds no focus at all; when the user IS typing in the page, e.g. its search
 * field, the caret comes back to it.) A hostile page sees these focus and selection changes, as
 * it sees every event we dispatch: it learns that a line is being written, never more than the
 * ciphertext it carries anyway.
 */
function restoring(el: Element, fn: () => void): void {
  const doc = el.ownerDocument;
  const view = doc.defaultView;
  const before = doc.activeElement;
  const sel = doc.getSelection?.() ?? null;
  const ranges: Range[] = [];
  if (sel) for (let i = 0; i < sel.rangeCount; i++) ranges.push(sel.getRangeAt(i).cloneRange());
  try {
    fn();
  } finally {
    const now = doc.activeElement;
    if (now !== before && now !== null && (now === el || el.contains(now)) && view) {
      if (before instanceof view.HTMLElement && before !== doc.body) before.focus({ preventScroll: true });
      // Nothing focusable had it (the body): at least not the site's box.
      const still = doc.activeElement;
      if (still && (still === el || el.contains(still)) && still instanceof view.HTMLElement) still.blur();
    }
    if (sel) {
      const inside = sel.rangeCount > 0 && el.contains(sel.getRangeAt(0).startContainer);
      if (inside) {
        sel.removeAllRanges();
        for (const r of ranges) sel.addRange(r);
        // Told at once, so an editor that keeps its own selection (Lexical) lets go of it before
        // its next render, which would otherwise put the page's selection, and in Chromium the
        // focus, back into the editor.
        doc.dispatchEvent(new (view?.Event ?? Event)('selectionchange'));
      }
    }
  }
}

/**
 * Whether the page's selection may be moved into `el`. Always, unless Firefox has the focus
 * somewhere else in the page: measured on Firefox ESR 153, a selection moved into an editor
 * focuses it AND blurs a field focused inside an iframe of the page, whose focus cannot be given
 * back from here. Chromium focuses the editor too, but gives the focus back (see `restoring`).
 * Without the selection the editor still gets the target range of `beforeinput`.
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
 * The editor's whole contents as a range, put into the page's selection when `select` (and the
 * editors told: `selectionchange` is asynchronous, and editors that keep their own selection,
 * Slate and Lexical, read it when told). The static copy is the target range of `beforeinput`.
 */
function contentsRange(el: Element, select: boolean): StaticRange | null {
  const doc = el.ownerDocument;
  const view = doc.defaultView;
  const range = doc.createRange();
  range.selectNodeContents(el);
  const sel = select ? doc.getSelection?.() : null;
  if (sel) {
    sel.removeAllRanges();
    sel.addRange(range);
    doc.dispatchEvent(new (view?.Event ?? Event)('selectionchange'));
  }
  if (!view || typeof view.StaticRange !== 'function') return null;
  return new view.StaticRange({
    startContainer: range.startContainer,
    startOffset: range.startOffset,
    endContainer: range.endContainer,
    endOffset: range.endOffset,
  });
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
 * How the last line got into an editor: 'model' when the editor took it through its own model
 * (it handled our beforeinput or paste), 'dom' when the DOM was edited under it. An editor with a
 * model of its own is never edited under its feet afterwards either: Draft.js, whose whole block
 * markup `execCommand('insertText')` replaced, threw NotFoundError (removeChild) and unmounted.
 */
const insertedBy = new WeakMap<Element, 'model' | 'dom'>();

/**
 * Runs `edit` on the box's editor with its `inert` lifted, its contents as the target range (and
 * in the page's selection where `maySelect`; selection and focus restored afterwards), focusing
 * it first when `focus` is set.
 */
function editEditable(
  box: Element,
  focus: boolean,
  edit: (
    el: Element,
    doc: Document,
    view: Window & typeof globalThis,
    target: StaticRange[],
    selected: boolean,
  ) => void,
): void {
  const el = editableOf(box);
  const view = windowOf(el);
  withoutInert(el, () =>
    restoring(el, () => {
      if (focus && el instanceof view.HTMLElement) el.focus({ preventScroll: true });
      const selected = focus || maySelect(el);
      const range = contentsRange(el, selected);
      edit(el, el.ownerDocument, view, range ? [range] : [], selected);
    }),
  );
}

/**
 * Replaces the editor's contents with `text` the ways editors take text, first that works:
 * 1. a cancelable `beforeinput` (insertText) whose target range is the editor's contents:
 *    Lexical, Slate (which selects that range itself: it has no selection while unfocused) and
 *    Quill 2 insert from it through their own model and cancel it;
 * 2. a `paste` of the text: Draft.js (whose React `onBeforeInput` is not the native event) and
 *    ProseMirror / Tiptap take it into their own state and cancel it;
 * 3. the browser's insertion, `execCommand('insertText')` (fires `input`; plain contenteditable);
 * 4. a text node and an `input` event.
 * Neither event does anything by itself when no one cancels it (dispatched events have no default
 * action), so an editor that ignores 1 and 2 still starts from its own contents.
 */
function insertIntoEditable(box: Element, text: string, focus: boolean): void {
  editEditable(box, focus, (el, doc, view, target, selected) => {
    const record = (how: 'model' | 'dom') => insertedBy.set(el, how);
    if (!el.dispatchEvent(inputEvent(view, 'beforeinput', 'insertText', text, target)))
      return record('model');
    const paste = pasteEvent(view, text);
    if (paste && !el.dispatchEvent(paste)) return record('model');
    record('dom');
    if (selected && execEdit(doc, 'insertText', text)) return;
    el.replaceChildren(doc.createTextNode(text));
    el.dispatchEvent(inputEvent(view, 'input', 'insertText', text));
  });
}

/**
 * Empties the editor (only ever our own line, after a send the site did not take): a `beforeinput`
 * deleting the target range (deleteByCut: Slate, Lexical), a replacement by nothing
 * (insertReplacementText: Quill 2); the DOM is edited only under an editor that took the line
 * that way. An editor with a model that takes neither event (Draft.js, ProseMirror) keeps the line:
 * the next attempt sends it from there (never typed twice, since the box then holds exactly it).
 */
function clearEditable(box: Element): void {
  editEditable(box, false, (el, doc, view, target, selected) => {
    if (!el.dispatchEvent(inputEvent(view, 'beforeinput', 'deleteByCut', null, target))) return;
    if (!el.dispatchEvent(inputEvent(view, 'beforeinput', 'insertReplacementText', '', target))) return;
    if (insertedBy.get(el) === 'model') return;
    if (selected && execEdit(doc, 'delete') && boxText(el) === '') return;
    el.replaceChildren();
    el.dispatchEvent(inputEvent(view, 'input', 'deleteContentBackward', null));
  });
}

/**
 * Puts `text` into the box (replacing what it holds). Synchronous part only; see `composeAndSend`.
 * `focus`: focus the editor for the write (a retry, for an editor that inserts nothing unfocused).
 */
export function insertText(box: Element, text: string, focus = false): void {
  const kind = boxKind(box);
  if (kind === 'value') setNativeValue(box as HTMLTextAreaElement, text);
  else if (kind === 'editable') insertIntoEditable(box, text, focus);
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

/** keydown, keypress (unless keydown was cancelled), keyup of Enter on `target`; whether anyone cancelled it. */
function enterKeys(view: Window & typeof globalThis, target: Element): boolean {
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
  return !press;
}

/**
 * Enter as the keyboard sends it, on the box (a rich editor: on its editable part); whether the
 * site cancelled the key. With `focus`, the editor is focused with the caret at the end of its
 * contents for the one key press, and the focus and selection put back at once (see `restoring`):
 * for editors that run their key bindings only while they have the focus (Quill 2 checks
 * `quill.hasFocus()`).
 */
export function pressEnter(box: Element, focus = false): boolean {
  const view = windowOf(box);
  if (boxKind(box) !== 'editable') return enterKeys(view, box);
  const el = editableOf(box);
  let cancelled = false;
  withoutInert(el, () => {
    if (!focus || !(el instanceof view.HTMLElement)) {
      cancelled = enterKeys(view, el);
      return;
    }
    restoring(el, () => {
      el.focus({ preventScroll: true });
      const doc = el.ownerDocument;
      const sel = doc.getSelection?.();
      if (sel) {
        const range = doc.createRange();
        range.selectNodeContents(el);
        range.collapse(false);
        sel.removeAllRanges();
        sel.addRange(range);
        doc.dispatchEvent(new view.Event('selectionchange'));
      }
      cancelled = enterKeys(view, el);
    });
  });
  return cancelled;
}

/**
 * Triggers the site's send. Throws when the button is missing or disabled. For Enter: whether the
 * site cancelled the key (a button click: true).
 */
export function triggerSend(doc: Document, box: Element, rule: SendRule, focus = false): boolean {
  if (rule === 'enter') return pressEnter(box, focus);
  const button = doc.querySelector(rule.button);
  if (!button) throw new ComposeError(`the send button ("${rule.button}") is not in the page`);
  if (isDisabled(button)) throw new ComposeError('the send button is disabled');
  const view = windowOf(button);
  if (button instanceof view.HTMLElement) button.click();
  else button.dispatchEvent(new view.MouseEvent('click', { bubbles: true, cancelable: true, view }));
  return true;
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
  const focusedBefore = doc.activeElement;
  const held = boxText(box);
  // Our own line left over from an attempt the site did not take may be replaced; anything else is the user's.
  if (held !== '' && held !== text)
    throw new ComposeError('the message box holds a draft; not overwriting it');
  if (held !== text) {
    insertText(box, text);
    // An editor that inserts nothing while unfocused (Slate where the browser gives a synthetic
    // beforeinput no target range) gets the same write once more with the focus.
    if (
      !(await waitFor(() => boxText(box) === text, Math.min(UNFOCUSED_WAIT_MS, waitMs), pollMs)) &&
      boxText(box) === ''
    )
      insertText(box, text, true);
  }
  if (!(await waitFor(() => boxText(box) === text, waitMs, pollMs))) {
    if (boxText(box) !== '' && boxText(box) !== held) clearBox(box);
    throw new ComposeError('the site did not accept the text in its message box');
  }
  if (rule !== 'enter') {
    // Sites enable their send button once they saw the input: give them the same short wait.
    const button = doc.querySelector(rule.button);
    if (button && isDisabled(button)) await waitFor(() => !isDisabled(button), waitMs, pollMs);
  }
  let cancelled: boolean;
  try {
    cancelled = triggerSend(doc, box, rule);
  } catch (e) {
    clearBox(box);
    throw e;
  }
  // A rich editor that sends on Enter cancels the key (else the browser would add a line). One that
  // neither cancelled it nor emptied may run its key bindings only while focused (Quill 2): the
  // key once more, with the focus. Never for a key the site reacted to: that would send twice.
  const editor = editableOf(box);
  const retryFocused =
    rule === 'enter' &&
    !cancelled &&
    boxKind(box) === 'editable' &&
    doc.activeElement !== editor &&
    !editor.contains(doc.activeElement);
  let taken = await waitFor(
    () => boxText(box) === '',
    retryFocused ? Math.min(UNFOCUSED_WAIT_MS, waitMs) : waitMs,
    pollMs,
  );
  if (!taken && retryFocused && boxText(box) === text) {
    triggerSend(doc, box, rule, true);
    taken = await waitFor(() => boxText(box) === '', waitMs, pollMs);
  }
  if (!taken && boxText(box) === text) clearBox(box);
  giveBackFocus(box, focusedBefore);
  return taken;
}

/**
 * After the send: an editor that keeps a selection of its own may have taken the focus on its own
 * render (Lexical puts the page's selection back where its model says, and Chromium focuses the
 * editor with it). It goes back to where it was, so the box never keeps it.
 */
function giveBackFocus(box: Element, before: Element | null): void {
  const doc = box.ownerDocument;
  const view = doc.defaultView;
  const el = editableOf(box);
  const now = doc.activeElement;
  if (
    !view ||
    !now ||
    !(now === el || el.contains(now)) ||
    (before && (before === el || el.contains(before)))
  )
    return;
  if (before instanceof view.HTMLElement && before !== doc.body && before.isConnected)
    before.focus({ preventScroll: true });
  const still = doc.activeElement;
  if (still && (still === el || el.contains(still)) && still instanceof view.HTMLElement) still.blur();
}
