// The help page: what OTR is, what each status means, how to verify a buddy, and what the chat
// page can and cannot see. Opened from the popup and the options page.

import { Icon } from '../shared/components/Icon';
import { StatusBadge } from '../shared/components/StatusBadge';
import { type MessageKey, t } from '../shared/i18n';
import { LEVELS, type Level } from '../shared/status';

const MEANING: Record<Level, MessageKey> = {
  'not-private': 'ui_helpNotPrivate',
  unverified: 'ui_helpUnverified',
  private: 'ui_helpPrivate',
  finished: 'ui_helpFinished',
};

export function Help() {
  return (
    <main class="help-page" aria-labelledby="help-title">
      <h1 id="help-title">
        <Icon name="logo" size={28} class="logo" />
        {t('ui_helpTitle')}
      </h1>
      <section class="card" aria-labelledby="what-title">
        <h2 id="what-title">{t('ui_helpWhatTitle')}</h2>
        <p>{t('ui_helpWhat1')}</p>
        <p>{t('ui_helpWhat2')}</p>
      </section>
      <section class="card" aria-labelledby="status-title">
        <h2 id="status-title">{t('ui_helpStatusTitle')}</h2>
        <p>{t('ui_helpStatusIntro')}</p>
        <dl class="statuses">
          {LEVELS.map((level) => (
            <div key={level} class="status-row">
              <dt>
                <StatusBadge level={level} size={18} />
              </dt>
              <dd>{t(MEANING[level])}</dd>
            </div>
          ))}
          <div class="status-row">
            <dt>
              <span class="status-badge level-attention">
                <Icon name="attention" size={18} />
                <span class="status-word">{t('ui_helpAttentionWord')}</span>
              </span>
            </dt>
            <dd>{t('ui_helpAttention')}</dd>
          </div>
        </dl>
      </section>
      <section class="card" aria-labelledby="verify-title">
        <h2 id="verify-title">{t('ui_helpVerifyTitle')}</h2>
        <p>{t('ui_helpVerifyIntro')}</p>
        <ul>
          <li>
            <strong>{t('methodQuestion')}</strong>: {t('ui_helpVerifyQuestion')}
          </li>
          <li>
            <strong>{t('methodSecret')}</strong>: {t('ui_helpVerifySecret')}
          </li>
          <li>
            <strong>{t('methodManual')}</strong>: {t('ui_helpVerifyManual')}
          </li>
        </ul>
      </section>
      <section class="card" aria-labelledby="page-title">
        <h2 id="page-title">{t('ui_helpPageTitle')}</h2>
        <h3>{t('ui_helpPageSeesTitle')}</h3>
        <ul>
          <li>{t('ui_helpPageSees1')}</li>
          <li>{t('ui_helpPageSees2')}</li>
          <li>{t('ui_helpPageSees3')}</li>
        </ul>
        <h3>{t('ui_helpPageNotTitle')}</h3>
        <ul>
          <li>{t('ui_helpPageNot1')}</li>
          <li>{t('ui_helpPageNot2')}</li>
          <li>{t('ui_helpPageNot3')}</li>
        </ul>
        <p>{t('ui_helpPageWhere')}</p>
      </section>
    </main>
  );
}
