// Said when the panel switches to another tab or the tab to another chat: which conversation is
// shown now, and that text typed for the previous one stayed in the box and goes nowhere else.

import { t } from '../shared/i18n';

export interface Switched {
  /** The buddy shown now (null: no one-to-one chat). */
  to: string | null;
  /** The shown tab's title. */
  title: string;
  /** Text typed for the previous conversation is still in the box. */
  kept: boolean;
  keptFor: string | null;
}

export function SwitchNotice({ switched, onDismiss }: { switched: Switched; onDismiss: () => void }) {
  return (
    <section
      class="switched"
      data-testid="panel-switched"
      data-draft-kept={String(switched.kept)}
      role="status"
    >
      <p>
        {switched.to !== null
          ? t('panel_switchedTo', switched.to, switched.title)
          : t('panel_switchedNone', switched.title)}
      </p>
      {switched.kept && <p class="warn">{t('panel_draftKept', switched.keptFor ?? '')}</p>}
      <button type="button" class="link" onClick={onDismiss}>
        {t('dismiss')}
      </button>
    </section>
  );
}
