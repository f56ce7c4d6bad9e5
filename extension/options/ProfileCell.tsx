// A site's profile in the sites table: none / saved, with Export, Import and Remove (asked twice).

import type { SiteProfile } from '../../src/profile/profile';
import { t } from '../shared/i18n';

/** A site's profile in the sites table: none / saved, with Export, Import and Remove (asked twice). */
export function ProfileCell({
  origin,
  profile,
  confirming,
  onExport,
  onImport,
  onRemove,
  onConfirm,
  onCancel,
}: {
  origin: string;
  profile: SiteProfile | null;
  confirming: boolean;
  onExport: () => void;
  onImport: (file: File | undefined, input: HTMLInputElement) => void;
  onRemove: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div class="profile-cell">
      <span data-testid="profile-state">
        {profile ? t('profileSaved') : t('profileNone')}
        {profile?.name !== undefined && ` (${profile.name})`}
      </span>
      <br />
      {profile && (
        <button type="button" aria-label={t('profileExportAria', origin)} onClick={onExport}>
          {t('exportShort')}
        </button>
      )}
      <label class="file-button">
        <span>{t('importShort')}</span>
        <input
          type="file"
          accept=".json,application/json"
          aria-label={t('profileImportAria', origin)}
          onChange={(e) => onImport(e.currentTarget.files?.[0], e.currentTarget)}
        />
      </label>
      {profile && !confirming && (
        <button type="button" aria-label={t('profileRemoveAria', origin)} onClick={onRemove}>
          {t('remove')}
        </button>
      )}
      {confirming && (
        <fieldset class="confirm">
          <legend>{t('profileRemoveConfirm', origin)}</legend>
          <button type="button" onClick={onConfirm}>
            {t('profileRemoveYes')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        </fieldset>
      )}
    </div>
  );
}
