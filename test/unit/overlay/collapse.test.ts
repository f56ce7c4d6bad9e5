/**
 * Collapsing ciphertext rows, and showing them again when a virtualized list reuses the element for
 * a plain message (found in Chromium by the picker e2e: a recycled row stayed collapsed after
 * private mode ended, so a plain message could not be read in the page).
 */
import { Window } from 'happy-dom';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// The overlay loads webextension-polyfill, which only needs an extension id to be present.
let overlay: typeof import('../../../content-scripts/overlay/index.js');
beforeAll(async () => {
  const g = globalThis as unknown as { chrome?: unknown };
  g.chrome ??= { runtime: { id: 'offrecord-unit-test' } };
  overlay = await import('../../../content-scripts/overlay/index.js');
});
const collapseOtrRows = (rows: Element[]) => overlay.collapseOtrRows(rows);
const expandRows = (rows: Element[]) => overlay.expandRows(rows);
const COLLAPSED_ATTR = 'data-offrecord-collapsed';
const PLACEHOLDER_TEXT = 'encrypted message';

let window: Window;
const roots = new Map<Element, ShadowRoot>();

beforeEach(() => {
  window = new Window({ url: 'http://127.0.0.1:9000/' });
  const g = globalThis as unknown as { document: unknown };
  g.document = window.document;
  // The rows' roots are closed; keep a handle to look inside them.
  const proto = window.Element.prototype as unknown as { attachShadow: (o: ShadowRootInit) => ShadowRoot };
  const attach = proto.attachShadow;
  proto.attachShadow = function (this: Element, o: ShadowRootInit) {
    const root = attach.call(this, o);
    roots.set(this, root);
    return root;
  };
});

afterEach(async () => {
  roots.clear();
  await window.happyDOM.close();
  delete (globalThis as unknown as { document?: unknown }).document;
});

function row(text: string): Element {
  const el = window.document.createElement('div');
  el.textContent = text;
  window.document.body.append(el);
  return el as unknown as Element;
}

describe('collapsed rows', () => {
  it('a ciphertext row shows only the placeholder, in a closed root', () => {
    const r = row('?OTR:AAMDsecret');
    collapseOtrRows([r]);
    expect(r.hasAttribute(COLLAPSED_ATTR)).toBe(true);
    const root = roots.get(r);
    expect(root?.mode).toBe('closed');
    expect(root?.textContent).toContain(PLACEHOLDER_TEXT);
    expect(root?.querySelector('slot')).toBeNull();
  });

  it('a recycled row showing a plain message again renders its own children, and collapses again', () => {
    const r = row('?OTR:AAMDfirst');
    collapseOtrRows([r]);
    r.textContent = 'are you there?';
    expandRows([r]);
    const root = roots.get(r);
    expect(r.hasAttribute(COLLAPSED_ATTR)).toBe(false);
    expect(root?.textContent).not.toContain(PLACEHOLDER_TEXT);
    expect(root?.querySelectorAll('slot').length).toBe(1);
    r.textContent = '?OTR:AAMDsecond';
    collapseOtrRows([r]);
    expect(r.hasAttribute(COLLAPSED_ATTR)).toBe(true);
    expect(root?.textContent).toContain(PLACEHOLDER_TEXT);
    expect(roots.size).toBe(1);
  });

  it('expanding a row that was never collapsed changes nothing', () => {
    const r = row('hello');
    expandRows([r]);
    expect(roots.has(r)).toBe(false);
    expect(r.hasAttribute(COLLAPSED_ATTR)).toBe(false);
  });

  it('a row the page stripped of the marker is marked again, not given a second root', () => {
    const r = row('?OTR:AAMD');
    collapseOtrRows([r]);
    r.removeAttribute(COLLAPSED_ATTR);
    collapseOtrRows([r]);
    expect(r.hasAttribute(COLLAPSED_ATTR)).toBe(true);
    expect(roots.size).toBe(1);
  });
});
