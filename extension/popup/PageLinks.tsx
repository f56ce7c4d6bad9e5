// Links to the other places: the side panel (where the private conversation is), the options page
// and the help page. Each opens from the click (the side panel needs the user's gesture).

import browser from 'webextension-polyfill';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';

export const HELP_PAGE = 'extension/help/index.html';

interface SidePanelApi {
  open(options: { tabId: number }): Promise<void>;
}

/** Chrome's side panel API, when this build has a side panel. */
function sidePanel(): SidePanelApi | null {
  const manifest = browser.runtime.getManifest() as { side_panel?: unknown };
  const api = (globalThis as { chrome?: { sidePanel?: SidePanelApi } }).chrome?.sidePanel;
  return manifest.side_panel && api ? api : null;
}

/** Firefox's sidebar, when this build has one. */
function sidebar(): { open(): Promise<void> } | null {
  const api = (browser as unknown as { sidebarAction?: { open(): Promise<void> } }).sidebarAction;
  return api ?? null;
}

export function PageLinks({ tabId }: { tabId: number | null }) {
  const panel = sidePanel();
  const bar = sidebar();
  const openPanel = () => {
    if (panel && tabId !== null) void panel.open({ tabId }).then(() => window.close());
    else if (bar) void bar.open().then(() => window.close());
  };
  return (
    <nav class="page-links" aria-label={t('ui_morePlaces')}>
      {(panel || bar) && tabId !== null && (
        <button type="button" class="link" onClick={openPanel}>
          <Icon name="panel" />
          {t('ui_openPanel')}
        </button>
      )}
      <button type="button" class="link" onClick={() => void browser.runtime.openOptionsPage()}>
        <Icon name="settings" />
        {t('ui_openOptions')}
      </button>
      <a class="link" href={browser.runtime.getURL(HELP_PAGE)} target="_blank" rel="noreferrer">
        <Icon name="help" />
        {t('ui_openHelp')}
      </a>
    </nav>
  );
}
