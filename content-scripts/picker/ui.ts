/**
 * The element picker in the page, started from the popup (the `start-picker` push): a bar in a
 * CLOSED shadow root in the top layer says the step ("Click the message box", "Click a message
 * from your buddy", "Click one of your own messages"), a box follows the pointer over what would
 * be picked, and the page's clicks are taken in the capture phase on window (prevented and
 * stopped, so the page's own handlers do not run) — only trusted ones: a page cannot pick for the
 * user. After the third pick the bar shows the derived profile (selectors, rows found and read as
 * yours / your buddy's, sample senders) with Save, Pick again and Cancel; Save has the focus
 * (when the profile can be saved), so Enter saves and Tab reaches the others. Escape cancels.
 *
 * Everything is drawn with textContent and DOM calls, no HTML strings. The decisions live in ./machine.ts.
 * Stable attributes for tests: the host has `data-offrecord-picker-host`; the step text, the
 * summary and the buttons have `data-offrecord-picker="step" | "summary" | "save" | "again" | "cancel"`
 * (and "error" for a failed pick).
 */

import { t } from '../../extension/shared/i18n';
import type { SiteProfile } from '../../src/profile/profile';
import { createShadowHost, showInTopLayer } from '../overlay/host';
import { PickerMachine } from './machine';

export interface PickerOptions {
  /** The page's origin (the profile's `site`). */
  site: string;
  /** Saves the confirmed profile (ContentRequest profile-save); rejects with the reason it failed. */
  save: (profile: SiteProfile) => Promise<void>;
  /** Called when the picker closes (saved or cancelled). */
  onClose?: () => void;
}

/** The picker's look, on the design tokens (createShadowHost puts them in the shadow root). */
export const PICKER_CSS = `
.bar {
  all: initial;
  position: fixed;
  top: var(--or-space-2);
  left: 50%;
  transform: translateX(-50%);
  width: min(640px, calc(100vw - 24px));
  box-sizing: border-box;
  padding: 10px var(--or-space-3);
  border: 1px solid var(--or-line);
  border-radius: var(--or-radius-md);
  background: var(--or-surface);
  color: var(--or-text);
  font: var(--or-text-md)/1.4 var(--or-font);
  box-shadow: var(--or-shadow);
  pointer-events: auto;
  z-index: 2;
  display: block;
}
/* While picking, what lies under the bar stays pickable: only the buttons take the pointer. */
.bar.picking { pointer-events: none; opacity: .94; }
.bar.picking button { pointer-events: auto; }
.title { font-weight: var(--or-weight-strong); display: block; }
.step { display: block; font-size: 15px; margin: 2px 0 6px; }
.error { display: block; color: var(--or-danger); margin-bottom: 6px; white-space: pre-wrap; }
.summary { display: block; white-space: pre-wrap;
  overflow-wrap: anywhere; max-height: 40vh; overflow: auto; margin-bottom: 6px; }
.selectors { font: var(--or-text-xs)/1.5 var(--or-font-mono); overflow-wrap: anywhere; }
.technical summary { cursor: pointer; font-size: var(--or-text-xs); margin-top: var(--or-space-1); }
.buttons { display: flex; gap: var(--or-space-2); justify-content: flex-end; }
button { all: initial; font: var(--or-weight-strong) var(--or-text-sm)/1.4 var(--or-font);
  padding: var(--or-space-1) var(--or-space-3); border: 1px solid var(--or-border);
  border-radius: var(--or-radius-pill); background: var(--or-surface-2); color: var(--or-text); cursor: pointer; }
button.save { background: var(--or-accent); border-color: var(--or-accent); color: var(--or-on-accent); }
button:focus-visible { outline: 2px solid var(--or-focus); outline-offset: 2px; }
button[disabled] { opacity: .45; cursor: default; }
[hidden] { display: none !important; }
.highlight { position: fixed; pointer-events: none; z-index: 1; box-sizing: border-box;
  border: 2px solid var(--or-focus); background: color-mix(in srgb, var(--or-focus) 12%, transparent);
  border-radius: var(--or-radius-sm); }
`;

let active: PickerUi | null = null;

/** Starts the picker in `doc` (again: the running one stays). Returns it (tests, the e2e). */
export function startPicker(doc: Document, options: PickerOptions): PickerUi {
  if (active && !active.closed) return active;
  active = new PickerUi(doc, options);
  active.open();
  return active;
}

/** The picker running in this page, if any. */
export function runningPicker(): PickerUi | null {
  return active && !active.closed ? active : null;
}

const PAGE_EVENTS = [
  'pointerdown',
  'mousedown',
  'pointerup',
  'mouseup',
  'click',
  'auxclick',
  'dblclick',
] as const;

export class PickerUi {
  readonly machine: PickerMachine;
  closed = false;
  private host: HTMLElement | null = null;
  private parts: {
    bar: HTMLElement;
    step: HTMLElement;
    error: HTMLElement;
    summary: HTMLElement;
    words: HTMLElement;
    technicalTitle: HTMLElement;
    selectors: HTMLElement;
    save: HTMLButtonElement;
    again: HTMLButtonElement;
    cancel: HTMLButtonElement;
    highlight: HTMLElement;
  } | null = null;
  private saving = false;
  /** Whether Save got the focus for the review now shown (once per review, so a re-render never steals it back). */
  private reviewFocused = false;

  constructor(
    private readonly doc: Document,
    private readonly options: PickerOptions,
  ) {
    this.machine = new PickerMachine(doc, options.site);
  }

  private readonly onPageEvent = (e: Event): void => {
    if (this.closed || !this.machine.picking || this.fromBar(e)) return;
    if (!e.isTrusted) return; // the page's own synthetic events: not a person's click, not ours
    // The page must not react to a pick (focus its editor, follow a link, send...).
    e.preventDefault();
    e.stopImmediatePropagation();
    if (e.type !== 'click') return;
    const target = this.pageTarget(e);
    this.machine.click(target, e.isTrusted);
    this.render();
  };

  private readonly onMove = (e: Event): void => {
    if (this.closed || this.fromBar(e)) return;
    this.highlight(this.machine.candidate(this.pageTarget(e)));
  };

  private readonly onKey = (e: Event): void => {
    if (this.closed || !e.isTrusted || (e as KeyboardEvent).key !== 'Escape') return;
    e.preventDefault();
    e.stopImmediatePropagation();
    this.close();
  };

  private readonly onLayout = (): void => {
    if (!this.closed) this.highlight(null);
  };

  open(): void {
    const doc = this.doc;
    const { host, root } = createShadowHost(doc, 'offrecord-picker', PICKER_CSS);
    host.setAttribute('data-offrecord-picker-host', '');
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, part?: string) => {
      const e = doc.createElement(tag);
      e.className = cls;
      if (part) e.setAttribute('data-offrecord-picker', part);
      return e;
    };
    const bar = el('div', 'bar');
    const title = el('span', 'title');
    title.textContent = t('ui_pickTitle');
    const step = el('span', 'step', 'step');
    const error = el('span', 'error', 'error');
    const summary = el('div', 'summary', 'summary');
    const words = el('div', 'words', 'words');
    const technical = el('details', 'technical');
    const technicalTitle = el('summary', 'technical-title');
    const selectors = el('div', 'selectors', 'selectors');
    technical.append(technicalTitle, selectors);
    summary.append(words, technical);
    const buttons = el('div', 'buttons');
    const save = el('button', 'save', 'save');
    save.type = 'button';
    save.textContent = t('ui_pickSave');
    const again = el('button', 'again', 'again');
    again.type = 'button';
    again.textContent = t('ui_pickAgain');
    const cancel = el('button', 'cancel', 'cancel');
    cancel.type = 'button';
    cancel.textContent = t('cancel');
    buttons.append(save, again, cancel);
    bar.append(title, step, error, summary, buttons);
    const highlight = el('div', 'highlight');
    highlight.hidden = true;
    root.append(highlight, bar);
    save.addEventListener('click', (e) => {
      if (e.isTrusted) void this.save();
    });
    again.addEventListener('click', (e) => {
      if (!e.isTrusted) return;
      this.machine.again();
      this.render();
    });
    cancel.addEventListener('click', (e) => {
      if (e.isTrusted) this.close();
    });
    this.host = host;
    this.parts = {
      bar,
      step,
      error,
      summary,
      words,
      technicalTitle,
      selectors,
      save,
      again,
      cancel,
      highlight,
    };
    doc.documentElement.append(host);
    showInTopLayer(host);
    const win = doc.defaultView;
    for (const t of PAGE_EVENTS) win?.addEventListener(t, this.onPageEvent, true);
    win?.addEventListener('pointermove', this.onMove, true);
    win?.addEventListener('keydown', this.onKey, true);
    win?.addEventListener('scroll', this.onLayout, true);
    win?.addEventListener('resize', this.onLayout, true);
    this.render();
  }

  /** One of the bar's parts (the closed root hides them from the page; tests read them here). */
  part(
    name:
      | 'bar'
      | 'step'
      | 'error'
      | 'summary'
      | 'words'
      | 'selectors'
      | 'save'
      | 'again'
      | 'cancel'
      | 'highlight',
  ): HTMLElement | null {
    return this.parts?.[name] ?? null;
  }

  /** The host element (null once closed). */
  get hostElement(): HTMLElement | null {
    return this.host;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.machine.cancel();
    const win = this.doc.defaultView;
    for (const t of PAGE_EVENTS) win?.removeEventListener(t, this.onPageEvent, true);
    win?.removeEventListener('pointermove', this.onMove, true);
    win?.removeEventListener('keydown', this.onKey, true);
    win?.removeEventListener('scroll', this.onLayout, true);
    win?.removeEventListener('resize', this.onLayout, true);
    this.host?.remove();
    this.host = null;
    this.parts = null;
    if (active === this) active = null;
    this.options.onClose?.();
  }

  /** Whether the event happened on our bar (the host, as seen from outside the closed root). */
  private fromBar(e: Event): boolean {
    const host = this.host;
    return host !== null && (e.target === host || e.composedPath().includes(host));
  }

  /** The page element under the event: the target, or what is at its point. */
  private pageTarget(e: Event): Element | null {
    const t = e.target;
    const view = this.doc.defaultView;
    if (view && t instanceof view.Element && t !== this.host) return t;
    const m = e as MouseEvent;
    if (typeof m.clientX === 'number') {
      const at = this.doc.elementFromPoint?.(m.clientX, m.clientY) ?? null;
      return at === this.host ? null : at;
    }
    return null;
  }

  private highlight(el: Element | null): void {
    const h = this.parts?.highlight;
    if (!h) return;
    if (!el) {
      h.hidden = true;
      return;
    }
    const r = el.getBoundingClientRect();
    h.hidden = false;
    h.style.left = `${Math.round(r.left)}px`;
    h.style.top = `${Math.round(r.top)}px`;
    h.style.width = `${Math.round(r.width)}px`;
    h.style.height = `${Math.round(r.height)}px`;
  }

  private async save(): Promise<void> {
    const profile = this.machine.saveable;
    if (!profile || this.saving) return;
    this.saving = true;
    this.render();
    try {
      await this.options.save(profile);
      this.close();
    } catch (e) {
      this.machine.error = `Not saved: ${e instanceof Error ? e.message : String(e)}`.slice(0, 300);
    } finally {
      this.saving = false;
      if (!this.closed) this.render();
    }
  }

  /** Draws the machine's state (textContent only). */
  render(): void {
    const p = this.parts;
    if (!p) return;
    const m = this.machine;
    p.bar.classList.toggle('picking', m.picking);
    p.step.textContent = m.stepText;
    p.error.textContent = m.error ?? '';
    p.error.hidden = m.error === null;
    const review = m.step === 'review' ? m.review : null;
    p.words.textContent = review ? review.lines.join('\n') : '';
    p.selectors.textContent = review ? review.technical.join('\n') : '';
    p.technicalTitle.textContent = review ? t('ui_technicalDetail') : '';
    p.summary.hidden = review === null;
    p.save.hidden = review === null;
    p.again.hidden = review === null;
    p.save.disabled = this.saving || m.saveable === null;
    if (!m.picking) p.highlight.hidden = true;
    // Keyboard users: the review opens with Save focused (Enter saves; Tab reaches Pick again, Cancel).
    if (review === null) this.reviewFocused = false;
    else if (!this.reviewFocused && !p.save.disabled) {
      this.reviewFocused = true;
      p.save.focus({ preventScroll: true });
    }
  }
}
