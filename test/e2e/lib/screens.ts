// Screenshots that show what the user sees together: the chat page and offrecord's panel side by
// side, composed in a blank page of the same browser (no image library needed).

import { writeFileSync } from 'node:fs';
import type { BrowserContext } from '@playwright/test';

/** Writes one PNG with `images` (PNG bytes) left to right, top-aligned, to `out`. */
export async function sideBySide(context: BrowserContext, images: Uint8Array[], out: string): Promise<void> {
  const page = await context.newPage();
  try {
    const imgs = images
      .map(
        (b) => `<img style="display:block" src="data:image/png;base64,${Buffer.from(b).toString('base64')}">`,
      )
      .join('');
    await page.setContent(
      `<!doctype html><body style="margin:0;display:inline-flex;align-items:flex-start;gap:4px;background:#777">${imgs}</body>`,
    );
    await page.waitForFunction(() => Array.from(document.images).every((i) => i.complete));
    const body = await page.locator('body').boundingBox();
    const png = await page.screenshot({
      fullPage: true,
      clip: body ? { x: 0, y: 0, width: body.width, height: body.height } : undefined,
    });
    writeFileSync(out, png);
  } finally {
    await page.close();
  }
}
