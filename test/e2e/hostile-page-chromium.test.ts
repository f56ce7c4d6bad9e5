// Issue 14's hostile-page suite (test/e2e/lib/hostile-suite.ts) in Chromium, headed on Xvfb, with
// the REAL side panel. Playwright does not list the side panel: it is a CDP target of type 'page'
// at the panel's URL, reached over the browser's CDP session (lib/headed.ts ExtensionTarget).
// Screen positions: the window sits at 0,0 and each viewport's origin on the screen is measured by
// moving the mouse over it (viewportOrigin).

import { extensionDir } from './lib/browsers';
import {
  browserCdp,
  ExtensionTarget,
  launchHeadedChromium,
  listTargets,
  viewportOrigin,
  type Xvfb,
} from './lib/headed';
import { type HostileDriver, hostileSuite } from './lib/hostile-suite';
import { waitFor } from './lib/ngircd';
import { PANEL_PAGE, rectOf } from './lib/panel';

async function open(x: Xvfb, url: string): Promise<HostileDriver> {
  const ext = await launchHeadedChromium({ extensionDir: extensionDir('chrome', 'test'), xvfb: x });
  let target: ExtensionTarget | null = null;
  let pageOrigin: { x: number; y: number } | null = null;
  let panelOrigin: { x: number; y: number } | null = null;
  try {
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.goto(url);
    const cdp = await browserCdp(ext);
    const inPage = <T>(e: string) => page.evaluate(e) as Promise<T>;
    const inPanel = <T>(e: string): Promise<T> => {
      if (!target) throw new Error('the panel is not open');
      return target.evaluate<T>(e);
    };
    return {
      inPage,
      async pageRect(selector) {
        pageOrigin ??= await viewportOrigin(x, inPage, { x: 200, y: 300 });
        const r = await page.locator(selector).boundingBox();
        return r && { ...r, x: r.x + pageOrigin.x, y: r.y + pageOrigin.y };
      },
      async panel() {
        target = await ExtensionTarget.find(cdp, `${ext.baseUrl}${PANEL_PAGE}`);
        return { run: (src) => inPanel(`(() => { const doc = document; return ${src}; })()`) };
      },
      async panelRect(testId) {
        // The panel is the right-hand part of the 1300-pixel-wide window.
        panelOrigin ??= await viewportOrigin(x, inPanel, { x: 1300 - 150, y: 450 });
        const r = await inPanel<{ x: number; y: number; width: number; height: number } | null>(
          `(() => { const doc = document; return ${rectOf(testId)}; })()`,
        );
        return r && { ...r, x: r.x + panelOrigin.x, y: r.y + panelOrigin.y };
      },
      async closePanel() {
        const t = target;
        if (!t) return;
        target = null;
        panelOrigin = null;
        await t.evaluate('(window.close(), true)').catch(() => undefined);
        await waitFor('the side panel to close', async () =>
          (await listTargets(cdp)).some((i) => i.targetId === t.info.targetId) ? undefined : true,
        );
        await t.close();
      },
      async close() {
        await target?.close();
        await ext.close();
      },
    };
  } catch (e) {
    await ext.close();
    throw e;
  }
}

hostileSuite({ name: 'Chromium', open, blursWhenPanelFocused: false, coverOpensPanel: true });
