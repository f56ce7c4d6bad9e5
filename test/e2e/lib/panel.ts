// Reading and driving offrecord's side panel (extension/panel/) from the e2e tests, wherever the
// panel runs: Chrome's real side panel (a CDP target, see headed.ts ExtensionTarget), Firefox's
// real sidebar (read from another extension page through browser.extension.getViews), or the panel
// page opened as a tab bound to the chat tab (headless). Everything goes through `PanelView`, one
// function that evaluates a JavaScript EXPRESSION with `document` being the panel's document; the
// readers below are plain JS source (not functions: esbuild's helpers would not survive
// serialisation). Hooks: the panel's data-testid attributes.

import { PAGES } from '../../../extension/shared/build-info';
import { waitFor } from './ngircd';

export const PANEL_PAGE = PAGES.panel;

/** Evaluates a JS expression in which `doc` is the panel's document; returns its value. */
export interface PanelView {
  run<T>(expressionOverDoc: string): Promise<T>;
}

export interface PanelEntry {
  dir: 'in' | 'out' | 'notice';
  text: string;
  encrypted: boolean;
  state: string;
  notice: string | null;
  /** An 'in' message marked "arrived unencrypted". */
  plainMark: boolean;
  question: string | null;
}

export interface PanelState {
  /** none | not-private | starting | unverified | private | finished ('' before it rendered). */
  status: string;
  buddy: string;
  account: string;
  entries: PanelEntry[];
  compose: string;
  composeDisabled: boolean;
  /** Why the typed text stays in the box, if the panel says so. */
  reason: string;
  markSetup: boolean;
  /** The security mark is shown in the header (the panel loaded it). */
  mark: boolean;
  /** data-testid (or tag) of the focused element, and whether the panel's document has the focus. */
  focused: string;
  hasFocus: boolean;
}

/** JS source: reads the PanelState from `doc`. */
export const READ_STATE = `(() => {
  const q = (s) => doc.querySelector('[data-testid="' + s + '"]');
  const text = (el) => (el ? el.textContent || '' : '');
  const box = q('compose-box');
  const a = doc.activeElement;
  return {
    status: (q('panel-status') && q('panel-status').getAttribute('data-status')) || '',
    buddy: text(q('panel-buddy')),
    account: text(q('panel-account')),
    entries: Array.from(doc.querySelectorAll('[data-testid="transcript"] [data-testid="entry"]')).map((li) => ({
      dir: li.getAttribute('data-dir') || '',
      text: text(li.querySelector('[data-testid="entry-text"]')),
      encrypted: li.getAttribute('data-encrypted') === 'true',
      state: li.getAttribute('data-state') || '',
      notice: li.getAttribute('data-notice'),
      plainMark: li.querySelector('[data-testid="entry-plain"]') !== null,
      question: li.querySelector('[data-testid="smp-question"]') ? text(li.querySelector('[data-testid="smp-question"]')) : null,
    })),
    compose: box ? box.value : '',
    composeDisabled: box ? box.disabled : true,
    reason: text(q('compose-reason')),
    markSetup: q('mark-setup') !== null,
    mark: q('security-mark') !== null,
    focused: a ? a.getAttribute('data-testid') || a.localName : '',
    hasFocus: doc.hasFocus(),
  };
})()`;

/** JS source: the viewport rectangle of the element with data-testid `id` (null when absent). */
export function rectOf(testId: string): string {
  return `(() => {
    const el = doc.querySelector('[data-testid=${JSON.stringify(testId)}]');
    if (!el) return null;
    el.scrollIntoView({ block: 'nearest' });
    const r = el.getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height };
  })()`;
}

/** JS source: clicks the element with data-testid `id` (a DOM click: setup steps, not typing). */
export function clickSource(testId: string): string {
  return `(() => {
    const el = doc.querySelector('[data-testid=${JSON.stringify(testId)}]');
    if (!el) return false;
    el.click();
    return true;
  })()`;
}

export function panelState(view: PanelView): Promise<PanelState> {
  return view.run<PanelState>(READ_STATE);
}

/** Waits until `pick` returns something for the panel's state; says the last state on time-out. */
export async function untilPanel<T>(
  view: PanelView,
  what: string,
  pick: (s: PanelState) => T | undefined | null | false,
  timeoutMs = 60_000,
): Promise<T> {
  let last: PanelState | null = null;
  return waitFor(
    what,
    async () => {
      last = await panelState(view).catch(() => null);
      if (!last) return undefined;
      const v = pick(last);
      return v === null || v === false ? undefined : v;
    },
    timeoutMs,
    100,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)}\nlast panel state: ${JSON.stringify(last)?.slice(0, 3000)}`);
  });
}

export const waitForPanelStatus = (view: PanelView, want: string[], timeoutMs = 60_000) =>
  untilPanel(view, `the panel to show ${want.join('|')}`, (s) => want.includes(s.status), timeoutMs);

/** Waits for a transcript entry in direction `dir` with exactly `text`. */
export const waitForPanelEntry = (
  view: PanelView,
  dir: PanelEntry['dir'],
  text: string,
  timeoutMs = 60_000,
) =>
  untilPanel(
    view,
    `the panel to show (${dir}) ${JSON.stringify(text.slice(0, 40))}`,
    (s) => s.entries.find((e) => e.dir === dir && e.text === text),
    timeoutMs,
  );

export const waitForNotice = (view: PanelView, code: string, timeoutMs = 60_000) =>
  untilPanel(
    view,
    `a ${code} notice in the panel`,
    (s) => s.entries.find((e) => e.notice === code),
    timeoutMs,
  );

/** First use: keep the generated security mark when the panel asks for it. */
export async function acceptMarkIfAsked(view: PanelView): Promise<void> {
  const s = await untilPanel(view, 'the panel to render', (st) =>
    st.status !== '' || st.markSetup ? st : null,
  );
  if (s.markSetup) {
    await view.run(clickSource('mark-accept'));
    await untilPanel(view, 'the mark setup to close', (st) => !st.markSetup && st.status !== '');
  }
}
