// The options page's passphrase lock (issue 18): set a passphrase (with the plain warning that a
// forgotten one means the keys are gone), unlock, lock now, change or remove it, the auto-lock
// time, and the panic wipe. The forms are NewPassphrase, RemovePassphrase and the shared
// UnlockForm, all on PassphraseField.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { errorText, type LockSend } from '../shared/lock/api';
import { PanicWipe } from '../shared/lock/PanicWipe';
import { LockNowButton, UnlockForm } from '../shared/lock/Unlock';
import type { LockInfo } from '../shared/messages';
import { client } from './api';
import { NewPassphrase } from './NewPassphrase';
import { Outcome, type Said } from './parts/Outcome';
import { RemovePassphrase } from './RemovePassphrase';

const send: LockSend = (body) => client.request(body);

/** Auto-lock choices in minutes (0: never). */
const AUTO_LOCK_MINUTES = [0, 1, 5, 15, 30, 60, 240, 1440];

export function LockSection() {
  const [lock, setLock] = useState<LockInfo | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => send({ type: 'lock-state' }).then(setLock), []);
  useEffect(() => {
    load().catch((e: unknown) => setSaid({ ok: false, msg: errorText(e) }));
    return client.onPush((ev) => {
      if (ev.type === 'lock') setLock(ev.lock);
    });
  }, [load]);

  const run = (p: Promise<LockInfo>, ok: string) => {
    setBusy(true);
    setSaid(null);
    p.then((info) => {
      setLock(info);
      setSaid({ ok: true, msg: ok });
    })
      .catch((e: unknown) => setSaid({ ok: false, msg: errorText(e) }))
      .finally(() => setBusy(false));
  };

  return (
    <section class="card" aria-labelledby="lock-title" data-testid="lock-section">
      <h2 id="lock-title">{t('lock_sectionTitle')}</h2>
      {lock === null ? (
        <p>{t('lock_loading')}</p>
      ) : (
        <>
          <p data-testid="lock-state">
            {lock.state === 'none'
              ? t('lock_stateNone')
              : lock.state === 'locked'
                ? t('lock_stateLocked')
                : t('lock_stateUnlocked')}
          </p>
          {lock.state === 'none' && (
            <>
              <p class="warning" data-testid="lock-forget-warning">
                {t('lock_forgetWarning')}
              </p>
              <NewPassphrase
                label={t('lock_newPassphrase')}
                button={t('lock_setButton')}
                busy={busy}
                old={false}
                onSubmit={(pass) => run(send({ type: 'lock-set', passphrase: pass }), t('lock_setDone'))}
              />
            </>
          )}
          {lock.state === 'locked' && <UnlockForm lock={lock} send={send} onDone={setLock} />}
          {lock.state === 'unlocked' && <LockNowButton send={send} onDone={setLock} />}
          {lock.state !== 'none' && (
            <>
              <h3>{t('lock_changeTitle')}</h3>
              <p class="help">{t('lock_forgetWarning')}</p>
              <NewPassphrase
                label={t('lock_newPassphrase')}
                button={t('lock_changeButton')}
                busy={busy}
                old={true}
                onSubmit={(pass, old) =>
                  run(
                    send({ type: 'lock-change', oldPassphrase: old, newPassphrase: pass }),
                    t('lock_changeDone'),
                  )
                }
              />
              <h3>{t('lock_autoTitle')}</h3>
              <label class="field">
                {t('lock_autoLabel')}
                <select
                  value={String(lock.autoLockSeconds)}
                  disabled={busy}
                  data-testid="lock-auto"
                  onChange={(e) =>
                    run(
                      send({ type: 'lock-auto', autoLockSeconds: Number(e.currentTarget.value) }),
                      t('lock_autoDone'),
                    )
                  }
                >
                  {(AUTO_LOCK_MINUTES.includes(lock.autoLockSeconds / 60)
                    ? AUTO_LOCK_MINUTES
                    : [...AUTO_LOCK_MINUTES, lock.autoLockSeconds / 60]
                  ).map((m) => (
                    <option key={m} value={String(m * 60)}>
                      {m === 0 ? t('lock_autoNever') : t('lock_autoMinutes', m)}
                    </option>
                  ))}
                </select>
              </label>
              <RemovePassphrase
                busy={busy}
                onSubmit={(pass) =>
                  run(send({ type: 'lock-remove', passphrase: pass }), t('lock_removeDone'))
                }
              />
            </>
          )}
        </>
      )}
      <Outcome text={said} />
      <PanicWipe send={send} onDone={() => void load()} />
    </section>
  );
}
