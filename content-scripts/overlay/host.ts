/**
 * The host element of every piece of our UI drawn in a page (the cover over the site's compose
 * box, the overlay's notice and "Go private" button, the element picker's bar): it fills the viewport, takes no
 * click itself (its contents may), is styled inline with !important so the page's selectors lose,
 * is meant for the top layer (popover=manual), and holds a CLOSED shadow root created from this
 * isolated world (the page's patches of attachShadow do not run here), so the page's scripts and
 * CSS do not reach inside. No extension APIs here: the picker uses it too.
 */

import { shadowTokensCss } from '../../extension/shared/shadow-tokens';

/** The highest z-index: above the page's content where the top layer is not available. */
export const Z_TOP = '2147483647';

/** Inline, !important: beats the page's selectors for the host element. */
const HOST_STYLE: Record<string, string> = {
  all: 'initial',
  position: 'fixed',
  inset: '0',
  left: '0',
  top: '0',
  width: '100vw',
  height: '100vh',
  margin: '0',
  padding: '0',
  border: '0',
  background: 'transparent',
  overflow: 'visible',
  display: 'block',
  visibility: 'visible',
  opacity: '1',
  transform: 'none',
  filter: 'none',
  'clip-path': 'none',
  'pointer-events': 'none',
  'z-index': Z_TOP,
};

function applyHostStyle(host: HTMLElement): void {
  for (const [prop, value] of Object.entries(HOST_STYLE)) host.style.setProperty(prop, value, 'important');
}

/**
 * A host element `tag`, not yet in the page, with its closed shadow root already holding a
 * <style> of the design tokens and `css` (inside the shadow root: the page's CSS does not reach
 * there). `css` uses the tokens (var(--or-…)), never colours of its own.
 */
export function createShadowHost(
  doc: Document,
  tag: string,
  css: string,
): { host: HTMLElement; root: ShadowRoot } {
  const host = doc.createElement(tag);
  host.setAttribute('popover', 'manual');
  applyHostStyle(host);
  const root = host.attachShadow({ mode: 'closed' });
  const style = doc.createElement('style');
  // The design tokens first (declared inside the tree: the page cannot restyle them), then `css`.
  style.textContent = shadowTokensCss() + css;
  root.append(style);
  return { host, root };
}

/** Puts the host in the top layer (again, if the page closed its popover). */
export function showInTopLayer(host: HTMLElement): void {
  try {
    if (typeof host.showPopover === 'function' && !host.matches(':popover-open')) host.showPopover();
  } catch {
    // Without the popover API the inline z-index still puts the host above the page's content.
  }
}
