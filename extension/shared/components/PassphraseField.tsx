// One passphrase box with its label, the same wherever a passphrase is typed: unlocking (popup,
// side panel, options), setting, changing and removing it (options), and the key export. A
// password input, at most LIMITS.passphrase characters (what the background accepts), with the
// autocomplete that tells password managers whether it is the current or a new passphrase.

import { LIMITS } from '../messages';

export function PassphraseField({
  label,
  value,
  onInput,
  testId,
  fresh = false,
}: {
  label: string;
  value: string;
  onInput: (value: string) => void;
  /** The e2e tests' hook (data-testid). */
  testId: string;
  /** A new passphrase being chosen (not the current one). */
  fresh?: boolean;
}) {
  return (
    <label class="field">
      {label}
      <input
        type="password"
        autocomplete={fresh ? 'new-password' : 'current-password'}
        value={value}
        maxLength={LIMITS.passphrase}
        onInput={(e) => onInput(e.currentTarget.value)}
        data-testid={testId}
      />
    </label>
  );
}
