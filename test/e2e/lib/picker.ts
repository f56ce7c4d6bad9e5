/**
 * Driving offrecord's element picker (content-scripts/picker/ui.ts) in real Chromium the way a
 * person does: every click is a trusted mouse click (page.mouse.click at the element's centre).
 * The picker's bar lives in a CLOSED shadow root (host `[data-offrecord-picker-host]`), which no
 * page script and no Playwright locator can enter; the test reads it and finds its buttons
 * through the DevTools protocol instead: DOM.getDocument({depth: -1, pierce: true}) lists closed
 * shadow roots too, DOM.querySelector runs inside the shadow root node, DOM.getBoxModel says
 * where a button is drawn, and page.mouse.click clicks it there.
 */
import type { CDPSession, Locator, Page } from 'playwright';
import type { Page as FirefoxPage } from 'puppeteer-core';
import { REPO_ROOT } from './browsers.js';
import { extensionRequest } from './minichat-bob.js';
import { waitFor } from './ngircd.js';

export const PICKER_HOST = '[data-offrecord-picker-host]';
export type PickerPart = 'step' | 'save' | 'again' | 'cancel' | 'summary';

interface CdpNode {
  nodeId: number;
  nodeName: string;
  attributes?: string[];
  children?: CdpNode[];
  shadowRoots?: (CdpNode & { shadowRootType?: string })[];
  contentDocument?: CdpNode;
}

const sessions = new WeakMap<Page, CDPSession>();

async function cdp(page: Page): Promise<CDPSession> {
  let s = sessions.get(page);
  if (!s) {
    s = await page.context().newCDPSession(page);
    sessions.set(page, s);
    page.once('close', () => sessions.delete(page));
  }
  return s;
}

/** Forgets the page's CDP session (after a reload the node ids start over anyway). */
export async function dropCdp(page: Page): Promise<void> {
  const s = sessions.get(page);
  sessions.delete(page);
  await s?.detach().catch(() => undefined);
}

function hasAttribute(node: CdpNode, name: string): boolean {
  const a = node.attributes ?? [];
  for (let i = 0; i < a.length; i += 2) if (a[i] === name) return true;
  return false;
}

function findHost(node: CdpNode): CdpNode | null {
  if (hasAttribute(node, 'data-offrecord-picker-host')) return node;
  for (const c of [...(node.children ?? []), ...(node.shadowRoots ?? [])]) {
    const found = findHost(c);
    if (found) return found;
  }
  return null;
}

/** The picker host's shadow root: its node id and mode, or null when no picker is shown. */
export async function pickerRoot(page: Page): Promise<{ nodeId: number; mode: string } | null> {
  const s = await cdp(page);
  const { root } = (await s.send('DOM.getDocument', { depth: -1, pierce: true })) as { root: CdpNode };
  const host = findHost(root);
  const shadow = host?.shadowRoots?.[0];
  return shadow ? { nodeId: shadow.nodeId, mode: shadow.shadowRootType ?? '' } : null;
}

/** An element inside the picker's shadow root: its text and the centre of its box, or null. */
export async function pickerPart(
  page: Page,
  part: PickerPart,
): Promise<{ text: string; x: number; y: number; disabled: boolean } | null> {
  const root = await pickerRoot(page);
  if (!root) return null;
  const s = await cdp(page);
  const { nodeId } = (await s.send('DOM.querySelector', {
    nodeId: root.nodeId,
    selector: `[data-offrecord-picker="${part}"]`,
  })) as { nodeId: number };
  if (!nodeId) return null;
  const { object } = (await s.send('DOM.resolveNode', { nodeId })) as { object: { objectId?: string } };
  let text = '';
  let disabled = false;
  if (object.objectId) {
    const { result } = (await s.send('Runtime.callFunctionOn', {
      objectId: object.objectId,
      functionDeclaration:
        'function () { return JSON.stringify([this.innerText ?? this.textContent ?? "", this.disabled === true]); }',
      returnByValue: true,
    })) as { result: { value?: string } };
    [text, disabled] = JSON.parse(result.value ?? '["",false]') as [string, boolean];
    await s.send('Runtime.releaseObject', { objectId: object.objectId }).catch(() => undefined);
  }
  let x = Number.NaN;
  let y = Number.NaN;
  try {
    const { model } = (await s.send('DOM.getBoxModel', { nodeId })) as { model: { border: number[] } };
    const q = model.border;
    x = ((q[0] ?? 0) + (q[2] ?? 0) + (q[4] ?? 0) + (q[6] ?? 0)) / 4;
    y = ((q[1] ?? 0) + (q[3] ?? 0) + (q[5] ?? 0) + (q[7] ?? 0)) / 4;
  } catch {
    // not rendered (display: none): no box
  }
  return { text, x, y, disabled };
}

/** Waits for a picker part whose text matches, and returns it. */
export async function waitForPickerPart(
  page: Page,
  part: PickerPart,
  match: RegExp = /./,
  timeoutMs = 15_000,
): Promise<{ text: string; x: number; y: number; disabled: boolean }> {
  let last = '';
  return waitFor(
    `the picker's ${part} ${match}`,
    async () => {
      const p = await pickerPart(page, part).catch(() => null);
      last = p?.text ?? '(none)';
      return p && match.test(p.text) ? p : undefined;
    },
    timeoutMs,
    100,
  ).catch((e: unknown) => {
    throw new Error(`${String(e)} (last: ${JSON.stringify(last.slice(0, 300))})`);
  });
}

/** A real, trusted click on a picker button, where it is drawn. */
export async function clickPickerButton(page: Page, part: 'save' | 'again' | 'cancel'): Promise<void> {
  const p = await waitForPickerPart(page, part);
  if (!Number.isFinite(p.x) || !Number.isFinite(p.y))
    throw new Error(`the picker's ${part} button has no box`);
  if (p.disabled) throw new Error(`the picker's ${part} button is disabled`);
  await page.mouse.click(p.x, p.y);
}

/**
 * A real, trusted click on an element of the page (scrolled into view first): at its centre, or
 * near its left edge (`at: 'left'`) where the picker's bar (centred at the top) might cover the centre.
 */
export async function trustedClick(
  page: Page,
  target: Locator,
  at: 'center' | 'left' = 'center',
): Promise<void> {
  await target.scrollIntoViewIfNeeded();
  const box = await target.boundingBox();
  if (!box) throw new Error(`no box for ${String(target)}`);
  const x = at === 'left' ? box.x + Math.min(6, box.width / 2) : box.x + box.width / 2;
  await page.mouse.click(x, box.y + box.height / 2);
}

export interface PickTargets {
  compose: Locator;
  buddyMessage: Locator;
  ownMessage: Locator;
  /** Where to click the targets (default: their centres). */
  at?: 'center' | 'left';
}

let pageLibSource: Promise<string> | undefined;

/**
 * The generic adapter's guess and the profile reader (content-scripts/sites/generic.ts and
 * content-scripts/picker/derive.ts, bundled with esbuild) as a page script that sets
 * `globalThis.__offrecordPickerLib = { guess, checkProfile, readRow }`: to compare, on the real
 * page, what a saved profile reads with what the built-in adapter reads, and to see the guess
 * where the content script does not report one (an adapter is active).
 */
export function pickerLibSource(): Promise<string> {
  pageLibSource ??= (async () => {
    const { build } = await import('esbuild');
    const out = await build({
      stdin: {
        contents: [
          "export { guess } from './content-scripts/sites/generic.ts';",
          "export { checkProfile, readRow } from './content-scripts/picker/derive.ts';",
        ].join('\n'),
        resolveDir: REPO_ROOT,
        loader: 'ts',
      },
      bundle: true,
      write: false,
      format: 'iife',
      globalName: '__offrecordPickerLib',
      target: 'es2022',
    });
    const code = out.outputFiles[0]?.text ?? '';
    return `(() => {\n${code}\nglobalThis.__offrecordPickerLib = __offrecordPickerLib;\n})();`;
  })();
  return pageLibSource;
}

/** Puts the bundle into the page's main world (again after a reload). */
export async function injectPickerLib(page: Page): Promise<void> {
  const present = await page.evaluate(() => '__offrecordPickerLib' in globalThis);
  if (!present) await page.evaluate(await pickerLibSource());
}

// ---------------------------------------------------------------- Firefox (puppeteer over WebDriver BiDi)
// BiDi has no way into a closed shadow root: a Firefox test reaches the picker's Save the way a
// keyboard user does (the review opens with Save focused; Enter saves).

/**
 * One PageRequest over a runtime port from an extension page in Firefox (e.g. the popup page
 * opened in a tab), exactly as the popup sends it; the reply's result, or throws its error (or
 * after 10 s without a reply): extensionRequest with the Firefox suites' timeout.
 */
export function firefoxRequest(extPage: FirefoxPage, body: Record<string, unknown>): Promise<unknown> {
  return extensionRequest(extPage, body, 10_000);
}

const firefoxPanels = new WeakMap<FirefoxPage, FirefoxPage>();

/**
 * The side panel of a Firefox chat page: the panel page bound to the chat's tab (`?tab=N`), the
 * page the sidebar shows for it, opened as a tab of its own once; the chat page is brought back to
 * the front. It is ready once it shows a status.
 */
export async function firefoxPanel(
  ff: { browser: { newPage(): Promise<FirefoxPage> }; baseUrl: string },
  page: FirefoxPage,
  tabId: number,
  timeoutMs = 30_000,
): Promise<FirefoxPage> {
  let panel = firefoxPanels.get(page);
  if (!panel || panel.isClosed()) {
    panel = await ff.browser.newPage();
    await panel.goto(`${ff.baseUrl}extension/panel/index.html?tab=${tabId}`, { waitUntil: 'networkidle0' });
    firefoxPanels.set(page, panel);
    await page.bringToFront();
  }
  const ready = panel;
  await waitFor(
    'the Firefox panel',
    async () => ((await ready.$('[data-testid=panel-status]')) ? true : undefined),
    timeoutMs,
    100,
  );
  return ready;
}

/** What the panel's transcript shows, in order: messages only (as transcript() in Chromium). */
export async function firefoxTranscript(
  panel: FirefoxPage,
): Promise<{ dir: string; text: string; encrypted: boolean }[]> {
  return panel.$$eval(
    '[data-testid=transcript] > li[data-dir=in], [data-testid=transcript] > li[data-dir=out]',
    (lis) =>
      lis.map((li) => ({
        dir: li.getAttribute('data-dir') ?? '',
        text: li.querySelector('[data-testid=entry-text]')?.textContent ?? '',
        encrypted: li.getAttribute('data-encrypted') === 'true',
      })),
  );
}
