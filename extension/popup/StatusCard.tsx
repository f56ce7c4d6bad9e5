// The status at a glance: the status (shape + word), the buddy, my account on the site, one line
// that says what it means, and the buddy's fingerprint behind a disclosure.

import { StatusBadge } from '../shared/components/StatusBadge';
import { t } from '../shared/i18n';
import { LEVEL_TEXT, type Level } from '../shared/status';

export function StatusCard({
  level,
  peer,
  account,
  site,
  help,
  fingerprint,
}: {
  level: Level;
  peer: string;
  account: string;
  site: string;
  help: string;
  fingerprint: string | null;
}) {
  return (
    <section class={`status-card level-${level}`} aria-label={t('conversationSection')}>
      <output class={`level ${level}`} aria-label={t('statusAria', t(LEVEL_TEXT[level]))}>
        <StatusBadge level={level} size={20} />
      </output>
      <p class="peer" data-testid="popup-buddy">
        {peer}
      </p>
      <dl class="who">
        <dt>{t('myAccount')}</dt>
        <dd>{account}</dd>
        <dt>{t('site')}</dt>
        <dd>{site}</dd>
      </dl>
      <p class="help">{help}</p>
      {fingerprint && (
        <details>
          <summary>{t('showFingerprint')}</summary>
          <p class="fp-label">{t('buddyFingerprint', peer)}</p>
          <code class="fp">{fingerprint}</code>
        </details>
      )}
    </section>
  );
}
