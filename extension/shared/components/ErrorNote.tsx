// An error in plain words, with the technical detail behind a disclosure for whoever needs it.

import { t } from '../i18n';
import { Icon } from './Icon';

export function ErrorNote({ text, detail }: { text: string; detail?: string | null }) {
  return (
    <div class="error-note" role="alert">
      <p>
        <Icon name="attention" class="error-icon" />
        <span>{text}</span>
      </p>
      {detail && detail !== text && (
        <details>
          <summary>{t('ui_technicalDetail')}</summary>
          <code class="detail">{detail}</code>
        </details>
      )}
    </div>
  );
}
