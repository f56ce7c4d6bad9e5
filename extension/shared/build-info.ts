// Facts about the built packages that the build, the background and the tests all need.
// Plain data: no browser API here, so vite.config.ts and Node tests can import it.

export type Target = 'chrome' | 'firefox';
export type Flavor = 'release' | 'test';

/** Firefox add-on id (browser_specific_settings.gecko.id). */
export const GECKO_ID = 'offrecord@offrecord.example';

/** Host access the test flavor is granted at install; the release build asks per site at run time. */
export const TEST_HOST_PERMISSIONS: readonly string[] = ['http://127.0.0.1/*'];

/** Where a build lands, relative to the repository root. */
export function distDirName(target: Target, flavor: Flavor): string {
  return flavor === 'test' ? `dist/${target}-test` : `dist/${target}`;
}

/** Extension-relative paths of the pages, as the browser serves them. */
export const PAGES = {
  popup: 'extension/popup/index.html',
  options: 'extension/options/index.html',
  help: 'extension/help/index.html',
  /** The side panel; `?tab=N` binds it to chat tab N (else it follows its window's active tab). */
  panel: 'extension/panel/index.html',
} as const;

/** The panel's page bound to one chat tab (Chrome's per-tab side panel path; tests). */
export function panelPath(tabId: number): string {
  return `${PAGES.panel}?tab=${tabId}`;
}
