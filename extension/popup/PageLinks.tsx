// Links to the other places: the side panel (where the private conversation is), the options page
// and the help page. Each opens from the click (the side panel needs the user's gesture).

import browser from 'webextension-polyfill';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import { openPanel } from '../shared/open-panel';

export const HELP_PAGE = 'extension/help/index.html';

export function PageLinks({ tabId }: { tabId: number | null }) {
  return (
    <nav class="page-links" aria-label={t('ui_morePlaces')}>
      {tabId !== null && (
        <button type="button" class="link" onClick={() => void openPanel(tabId)}>
          <Icon name="panel" />
          {t('ui_panelLink')}
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
