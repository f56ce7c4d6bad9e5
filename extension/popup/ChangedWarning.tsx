// The buddy's key changed since it was verified: a warning nobody can miss, first in the popup.

import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';

export function ChangedWarning({ peer }: { peer: string }) {
  return (
    <section class="warning" role="alert" aria-label={t('changedTitle')}>
      <h2>
        <Icon name="attention" size={18} />
        {t('changedTitle')}
      </h2>
      <p>{t('changedText', peer)}</p>
    </section>
  );
}
