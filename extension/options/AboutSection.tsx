// "About": what this is, its version, where the help is.

import browser from 'webextension-polyfill';
import { HELP_PAGE } from '../popup/PageLinks';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';

export function AboutSection() {
  const version = browser.runtime.getManifest().version;
  return (
    <section class="card" aria-labelledby="about-title">
      <h2 id="about-title">
        <Icon name="info" size={20} />
        {t('ui_aboutTitle')}
      </h2>
      <p>{t('ui_aboutText')}</p>
      <dl>
        <dt>{t('ui_version')}</dt>
        <dd data-testid="version">{version}</dd>
      </dl>
      <p>
        <a href={browser.runtime.getURL(HELP_PAGE)}>{t('ui_openHelp')}</a>
      </p>
    </section>
  );
}
