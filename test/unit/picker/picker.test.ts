/**
 * The element picker: its decisions (PickerMachine, driven with trusted / untrusted clicks) and
 * its bar (PickerUi in happy-dom: closed shadow root, stable attributes, only trusted clicks pick,
 * the page never sees a pick, Save / Pick again / Cancel / Escape).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { editableTarget, PickerMachine, STEP_TEXT } from '../../../content-scripts/picker/machine.js';
import { runningPicker, startPicker } from '../../../content-scripts/picker/ui.js';
import type { SiteProfile } from '../../../src/profile/profile.js';
import { closeWindows, loadPage } from '../profile/load.js';

afterEach(async () => {
  runningPicker()?.close();
  await closeWindows();
});

const SITE = 'http://127.0.0.1:9000';

function q(doc: Document, sel: string, index = 0): Element {
  const el = doc.querySelectorAll(sel)[index];
  if (!el) throw new Error(`no ${sel}[${index}]`);
  return el;
}

describe('picker machine', () => {
  it('three trusted picks make a profile, with a summary of what it reads', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const m = new PickerMachine(doc, SITE);
    expect(m.step).toBe('compose');
    expect(m.stepText).toBe(STEP_TEXT.compose);
    expect(m.click(q(doc, '.editor'), true)).toBe(true);
    expect(m.step).toBe('buddy');
    expect(m.click(q(doc, '.bubble.in p.body', 1), true)).toBe(true);
    expect(m.step).toBe('own');
    expect(m.click(q(doc, '.bubble.out .who'), true)).toBe(true);
    expect(m.step).toBe('review');
    const r = m.review;
    expect(r?.profile.selectors.list).toBe('div.spacer');
    expect(r?.profile.own).toEqual({ match: 'row', selector: '.out' });
    expect(r?.check).toEqual({ ok: true, problems: [], rows: 4 });
    expect([r?.read, r?.own, r?.buddy]).toEqual([4, 2, 2]);
    expect(r?.ownSenders).toEqual(['alice']);
    expect(r?.buddySenders).toEqual(['bob']);
    expect(r?.lines.join('\n')).toMatch(
      /Messages found: 4\. offrecord can read 4 of them \(2 yours, 2 your buddy's\)/,
    );
    expect(r?.technical).toContain('order: @data-index');
    expect(m.saveable).toBe(r?.profile);
  });

  it('untrusted clicks are never picks', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const m = new PickerMachine(doc, SITE);
    expect(m.click(q(doc, '.editor'), false)).toBe(false);
    expect(m.step).toBe('compose');
  });

  it('a click inside the editor picks the editor root; a non-text box is refused with a reason', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const editor = q(doc, '.editor');
    const p = doc.createElement('p');
    editor.append(p);
    expect(editableTarget(p)).toBe(editor);
    const m = new PickerMachine(doc, SITE);
    m.click(q(doc, 'h1.title'), true);
    expect(m.step).toBe('compose');
    expect(m.error).toMatch(/not a text box/);
    m.click(p, true);
    expect(m.step).toBe('buddy');
    expect(m.error).toBeNull();
    // The message box is not a message; the buddy's message is not one of ours.
    m.click(editor, true);
    expect(m.step).toBe('buddy');
    expect(m.error).toMatch(/message box/);
    m.click(q(doc, '.bubble.in p.body'), true);
    m.click(q(doc, '.bubble.in p.body'), true);
    expect(m.step).toBe('own');
    expect(m.error).toMatch(/buddy's message again/);
  });

  it('picks that make no profile: the reason, and back to the first step', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const m = new PickerMachine(doc, SITE);
    m.click(q(doc, '.editor'), true);
    m.click(q(doc, '.bubble.in p.body', 0), true);
    m.click(q(doc, '.bubble.in p.body', 1), true); // two of the buddy's: nothing tells them apart
    expect(m.step).toBe('compose');
    expect(m.error).toMatch(/look the same/);
    expect(m.review).toBeNull();
    expect(m.saveable).toBeNull();
  });

  it('Pick again starts over, cancel closes; neither leaves a saveable profile', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const m = new PickerMachine(doc, SITE);
    m.click(q(doc, '.editor'), true);
    m.click(q(doc, '.bubble.in p.body'), true);
    m.click(q(doc, '.bubble.out p.body'), true);
    expect(m.saveable).not.toBeNull();
    m.again();
    expect([m.step, m.review, m.saveable]).toEqual(['compose', null, null]);
    m.cancel();
    expect(m.step).toBe('closed');
    expect(m.picking).toBe(false);
    expect(m.click(q(doc, '.editor'), true)).toBe(false);
  });
});

/** A click as a person's would arrive (happy-dom has no isTrusted; the browser sets it true). */
function click(doc: Document, target: Element, trusted: boolean): { prevented: boolean; pageSaw: boolean } {
  const view = doc.defaultView as Window & typeof globalThis;
  let pageSaw = false;
  const listener = () => {
    pageSaw = true;
  };
  target.addEventListener('click', listener);
  const e = new view.MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
  if (trusted) Object.defineProperty(e, 'isTrusted', { value: true });
  target.dispatchEvent(e);
  target.removeEventListener('click', listener);
  return { prevented: e.defaultPrevented, pageSaw };
}

function trustedClickOn(el: HTMLElement): void {
  const view = el.ownerDocument.defaultView as Window & typeof globalThis;
  const e = new view.MouseEvent('click', { bubbles: true, cancelable: true, composed: true });
  Object.defineProperty(e, 'isTrusted', { value: true });
  el.dispatchEvent(e);
}

describe('picker bar', () => {
  it('a closed shadow root host with stable attributes; the page sees no pick, untrusted clicks do nothing', async () => {
    const doc = loadPage('pages/virtual-chat.html');
    const saved: SiteProfile[] = [];
    const ui = startPicker(doc, {
      site: SITE,
      save: async (p) => {
        saved.push(p);
      },
    });
    expect(startPicker(doc, { site: SITE, save: async () => undefined })).toBe(ui); // one at a time
    const host = doc.querySelector('[data-offrecord-picker-host]');
    expect(host).toBe(ui.hostElement);
    expect(host?.shadowRoot).toBeNull(); // closed
    expect(ui.part('step')?.getAttribute('data-offrecord-picker')).toBe('step');
    expect(ui.part('step')?.textContent).toMatch(/message box/);
    expect(ui.part('words')?.textContent).toBe('');
    expect(ui.part('save')?.hidden).toBe(true);
    expect(ui.part('cancel')?.hidden).toBe(false);

    // The page's own (untrusted) click: not a pick, and not stopped.
    expect(click(doc, q(doc, '.editor'), false)).toEqual({ prevented: false, pageSaw: true });
    expect(ui.machine.step).toBe('compose');

    // A person's clicks: picks, and the page's handlers never see them.
    expect(click(doc, q(doc, '.editor'), true)).toEqual({ prevented: true, pageSaw: false });
    expect(ui.part('step')?.textContent).toMatch(/from your buddy/);
    click(doc, q(doc, '.bubble.in p.body'), true);
    expect(ui.part('step')?.textContent).toMatch(/your own/);
    click(doc, q(doc, '.bubble.out p.body'), true);
    expect(ui.machine.step).toBe('review');
    expect(ui.part('selectors')?.textContent).toMatch(/list: div\.spacer/);
    expect(ui.part('words')?.textContent).toMatch(/Names read: yours alice; your buddy's bob/);
    const save = ui.part('save') as HTMLButtonElement;
    expect(save.hidden).toBe(false);
    expect(save.disabled).toBe(false);
    // In review the page works normally again.
    expect(click(doc, q(doc, '.bubble.in p.body'), true).pageSaw).toBe(true);

    // An untrusted click on Save does nothing; a person's saves and closes.
    save.click();
    await Promise.resolve();
    expect(saved).toHaveLength(0);
    trustedClickOn(save);
    await new Promise((r) => setTimeout(r, 0));
    expect(saved).toHaveLength(1);
    expect(saved[0]?.selectors.text).toBe('p.body');
    expect(ui.closed).toBe(true);
    expect(doc.querySelector('[data-offrecord-picker-host]')).toBeNull();
    expect(runningPicker()).toBeNull();
  });

  it('a failed save is shown and the bar stays; Pick again starts over; Escape cancels', async () => {
    const doc = loadPage('pages/virtual-chat.html');
    let closed = 0;
    const ui = startPicker(doc, {
      site: SITE,
      save: async () => {
        throw new Error('a page may save a profile for its own site only');
      },
      onClose: () => closed++,
    });
    click(doc, q(doc, '.editor'), true);
    click(doc, q(doc, '.bubble.in p.body'), true);
    click(doc, q(doc, '.bubble.out p.body'), true);
    trustedClickOn(ui.part('save') as HTMLElement);
    await new Promise((r) => setTimeout(r, 0));
    expect(ui.closed).toBe(false);
    expect(ui.part('error')?.textContent).toMatch(/^Not saved: a page may save/);
    trustedClickOn(ui.part('again') as HTMLElement);
    expect(ui.machine.step).toBe('compose');
    expect(ui.part('words')?.textContent).toBe('');
    const view = doc.defaultView as Window & typeof globalThis;
    // The page's synthetic Escape does not close it; a person's does.
    doc.body.dispatchEvent(new view.KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(ui.closed).toBe(false);
    const esc = new view.KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true });
    Object.defineProperty(esc, 'isTrusted', { value: true });
    doc.body.dispatchEvent(esc);
    expect(ui.closed).toBe(true);
    expect(closed).toBe(1);
    // After closing, clicks are the page's again.
    expect(click(doc, q(doc, '.editor'), true)).toEqual({ prevented: false, pageSaw: true });
  });

  it('the review opens with Save focused (Enter saves, Tab reaches Pick again and Cancel); a re-render or a failed save keeps the focus where the user put it', async () => {
    const doc = loadPage('pages/virtual-chat.html');
    let fail = true;
    const saved: SiteProfile[] = [];
    const ui = startPicker(doc, {
      site: SITE,
      save: async (p) => {
        if (fail) throw new Error('storage is busy');
        saved.push(p);
      },
    });
    const save = ui.part('save') as HTMLButtonElement;
    const again = ui.part('again') as HTMLButtonElement;
    const root = save.getRootNode() as ShadowRoot;
    click(doc, q(doc, '.editor'), true);
    click(doc, q(doc, '.bubble.in p.body'), true);
    // While picking nothing of the bar takes the focus.
    expect(root.activeElement).toBeNull();
    click(doc, q(doc, '.bubble.out p.body'), true);
    expect(ui.machine.step).toBe('review');
    expect(save.disabled).toBe(false);
    expect(root.activeElement).toBe(save);
    expect(doc.activeElement).toBe(ui.hostElement); // from outside: only the host
    // The user tabs on to Pick again: a re-render does not take the focus back.
    again.focus();
    ui.render();
    expect(root.activeElement).toBe(again);
    // A failed save: the bar stays, Save is enabled again, the focus stays where it was.
    save.focus();
    trustedClickOn(save);
    await new Promise((r) => setTimeout(r, 0));
    expect(ui.part('error')?.textContent).toMatch(/storage is busy/);
    expect(save.disabled).toBe(false);
    expect(root.activeElement).toBe(save);
    // Pick again, three picks: the new review focuses Save again.
    trustedClickOn(again);
    expect(ui.machine.step).toBe('compose');
    doc.body.focus();
    click(doc, q(doc, '.editor'), true);
    click(doc, q(doc, '.bubble.in p.body'), true);
    click(doc, q(doc, '.bubble.out p.body'), true);
    expect(root.activeElement).toBe(save);
    fail = false;
    trustedClickOn(save);
    await new Promise((r) => setTimeout(r, 0));
    expect(saved).toHaveLength(1);
    expect(ui.closed).toBe(true);
  });

  it('Cancel closes without saving', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const ui = startPicker(doc, { site: SITE, save: async () => undefined });
    click(doc, q(doc, '.editor'), true);
    trustedClickOn(ui.part('cancel') as HTMLElement);
    expect(ui.closed).toBe(true);
    expect(doc.querySelector('[data-offrecord-picker-host]')).toBeNull();
  });
});
