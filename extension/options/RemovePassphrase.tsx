// Taking the passphrase off (options → Passphrase lock): the keys go back to being stored in
// clear; asks for the passphrase once more.

import { useState } from 'preact/hooks';
import { PassphraseField } from '../shared/components/PassphraseField';
import { t } from '../shared/i18n';

export function RemovePassphrase({ busy, onSubmit }: { busy: boolean; onSubmit: (pass: string) => void }) {
  const [pass, setPass] = useState('');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (pass !== '') onSubmit(pass);
      }}
    >
      <h3>{t('lock_removeTitle')}</h3>
      <p class="help">{t('lock_removeHelp')}</p>
      <PassphraseField
        label={t('lock_oldPassphrase')}
        value={pass}
        onInput={setPass}
        testId="lock-remove-passphrase"
      />
      <button type="submit" disabled={busy || pass === ''}>
        {t('lock_removeButton')}
      </button>
    </form>
  );
}
