// Setting or changing the passphrase (options → Passphrase lock): the new passphrase twice (they
// must match), and the current one first when changing it.

import { useState } from 'preact/hooks';
import { PassphraseField } from '../shared/components/PassphraseField';
import { t } from '../shared/i18n';

export function NewPassphrase({
  label,
  button,
  busy,
  onSubmit,
  old,
}: {
  label: string;
  button: string;
  busy: boolean;
  onSubmit: (pass: string, old: string) => void;
  /** Ask for the current passphrase too (changing it). */
  old: boolean;
}) {
  const [oldPass, setOldPass] = useState('');
  const [pass, setPass] = useState('');
  const [again, setAgain] = useState('');
  const mismatch = again !== '' && pass !== again;
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (pass === '' || pass !== again || (old && oldPass === '')) return;
        onSubmit(pass, oldPass);
      }}
    >
      {old && (
        <PassphraseField
          label={t('lock_oldPassphrase')}
          value={oldPass}
          onInput={setOldPass}
          testId="lock-old"
        />
      )}
      <PassphraseField label={label} value={pass} onInput={setPass} testId="lock-new" fresh />
      <PassphraseField label={t('lock_repeat')} value={again} onInput={setAgain} testId="lock-again" fresh />
      {mismatch && (
        <p class="error" role="alert">
          {t('lock_mismatch')}
        </p>
      )}
      <button
        type="submit"
        class="primary"
        disabled={busy || pass === '' || pass !== again || (old && oldPass === '')}
      >
        {button}
      </button>
    </form>
  );
}
