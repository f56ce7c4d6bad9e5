// Issue 14's hostile-page suite (test/e2e/lib/hostile-suite.ts) in Firefox ESR, headed on Xvfb,
// with the REAL sidebar (sidebar_action). WebDriver BiDi shows no sidebar context: it is read from
// an extension page of ours in a window of its own, through browser.extension.getViews
// (lib/headed.ts sidebarProbe). Screen positions come from mozInnerScreenX/Y (Xvfb: 1 CSS pixel
// is 1 screen pixel).

import type { Page } from 'puppeteer-core';
import { extensionDir } from './lib/browsers';
import { launchHeadedFirefox, pressKeys, sidebarProbe, type Xvfb } from './lib/headed';
import { type HostileDriver, hostileSuite } from './lib/hostile-suite';
import { waitFor } from './lib/ngircd';
import { rectOf } from './lib/panel';

async function open(x: Xvfb, url: string): Promise<HostileDriver> {
  const ff = await launchHeadedFirefox({ extensionDir: extensionDir('firefox', 'test'), xvfb: x });
  try {
    // The probe first: its window must exist before the sidebar does (opening it passes through a
    // new tab, and the sidebar follows the active tab).
    const page: Page = (await ff.browser.pages())[0] ?? (await ff.browser.newPage());
    const probe = await sidebarProbe(ff);
    await page.goto(url);
    const inPage = <T>(e: string) => page.evaluate(e) as Promise<T>;
    const inPanel = <T>(src: string): Promise<T> => probe.run<T>(src);
    return {
      inPage,
      pageRect: (selector) =>
        inPage(`(() => {
          const el = document.querySelector(${JSON.stringify(selector)});
          if (!el) return null;
          const r = el.getBoundingClientRect();
          return { x: r.x + mozInnerScreenX, y: r.y + mozInnerScreenY, width: r.width, height: r.height };
        })()`),
      async panel() {
        await waitFor('the sidebar to open', async () =>
          (await inPanel('doc.readyState').catch(() => null)) ? true : undefined,
        );
        return { run: inPanel };
      },
      async panelRect(testId) {
        const r = await inPanel<{ x: number; y: number; width: number; height: number } | null>(
          rectOf(testId),
        );
        const o = await inPanel<[number, number]>('[win.mozInnerScreenX, win.mozInnerScreenY]');
        return r && { ...r, x: r.x + o[0], y: r.y + o[1] };
      },
      async closePanel() {
        // Firefox has one sidebar per window: opening the bookmarks sidebar (Ctrl+B) closes ours.
        pressKeys(x, 'ctrl+b');
        await waitFor('our sidebar to close', async () =>
          (await probe.page.evaluate("browser.extension.getViews({ type: 'sidebar' }).length")) === 0
            ? true
            : undefined,
        );
      },
      close: () => ff.close(),
    };
  } catch (e) {
    await ff.close();
    throw e;
  }
}

hostileSuite({ name: 'Firefox', open, blursWhenPanelFocused: true, coverOpensPanel: false });
