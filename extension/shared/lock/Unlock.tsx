// "offrecord is locked": the passphrase prompt, shown where the page cannot draw (popup, side
// panel, options). Says why it asks (a buddy's message waits, or going private needs the keys).

import { useState } from 'preact/hooks';
import { PassphraseField } from '../components/PassphraseField';
import { t } from '../i18n';
import type { LockInfo } from '../messages';
import { errorText, type LockSend } from './api';

/** What a lock control of the popup or panel gets: the lock's state, how to ask, what to tell after. */
export interface LockControlProps {
  lock: LockInfo | null;
  send: LockSend;
  onChanged: (l: LockInfo) => void;
}

/** While locked, the unlock form (popup and panel: going private and a buddy's held query wait for it). */
export function UnlockPrompt({ lock, send, onChanged }: LockControlProps) {
  return lock?.state === 'locked' ? <UnlockForm lock={lock} send={send} onDone={onChanged} /> : null;
}

export function UnlockForm({
  lock,
  send,
  onDone,
}: {
  lock: LockInfo;
  send: LockSend;
  onDone: (info: LockInfo) => void;
}) {
  const [pass, setPass] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    if (pass === '') return;
    setBusy(true);
    setError(null);
    send({ type: 'lock-unlock', passphrase: pass })
      .then((info) => {
        setPass('');
        onDone(info);
      })
      .catch((err: unknown) => setError(errorText(err)))
      .finally(() => setBusy(false));
  };
  return (
    <section class="lock locked" aria-labelledby="lock-unlock-title" data-testid="lock-unlock">
      <h2 id="lock-unlock-title">{t('lock_lockedTitle')}</h2>
      <p class="help">{lock.held > 0 ? t('lock_heldWaiting', lock.held) : t('lock_lockedText')}</p>
      <form onSubmit={submit}>
        <PassphraseField
          label={t('lock_passphrase')}
          value={pass}
          onInput={setPass}
          testId="lock-passphrase"
        />
        <button type="submit" class="primary" disabled={busy || pass === ''}>
          {busy ? t('lock_unlocking') : t('lock_unlock')}
        </button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

export function LockNowButton({ send, onDone }: { send: LockSend; onDone: (info: LockInfo) => void }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button
        type="button"
        data-testid="lock-now"
        onClick={() => {
          setError(null);
          send({ type: 'lock-now' })
            .then(onDone)
            .catch((e: unknown) => setError(errorText(e)));
        }}
      >
        {t('lock_lockNow')}
      </button>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
