// The options page of a launched Chromium extension, for the e2e suites that drive it
// (options-chromium, popup-profile-chromium).

import type { Page } from '@playwright/test';
import { PAGES } from '../../../extension/shared/build-info';
import type { ChromiumExtension } from './browsers';

/** Opens the options page in a new tab; resolves once its heading shows (the page has rendered). */
export async function openOptions(ext: ChromiumExtension): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(`${ext.baseUrl}${PAGES.options}`);
  await page.getByRole('heading', { name: 'offrecord options', level: 1 }).waitFor();
  return page;
}
