// The user's security mark in a header (side panel, popup): the phrase on the chosen colour.

import { t } from './i18n';
import type { SecurityMark } from './mark';

export function SecurityMarkBadge({ mark }: { mark: SecurityMark | null }) {
  if (!mark) return null;
  return (
    <span
      class="security-mark"
      data-testid="security-mark"
      data-mark-colour={mark.colour}
      style={{ '--mark-colour': `var(--mark-${mark.colour})` }}
      title={t('panel_markTitle')}
    >
      {mark.phrase}
    </span>
  );
}
