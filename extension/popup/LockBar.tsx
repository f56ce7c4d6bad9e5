// The popup's part of the passphrase lock (issue 18). While locked, the unlock prompt comes
// first, above the status (going private and a buddy's waiting query need it): the shared
// UnlockPrompt (shared/lock/Unlock.tsx).
// Below the conversation (LockBar): while unlocked, "Lock now"; with keys in clear, the offer to
// protect them (set in the options page, where the warning about a forgotten passphrase has room).

import browser from 'webextension-polyfill';
import { t } from '../shared/i18n';
import type { LockSend } from '../shared/lock/api';
import { LockNowButton } from '../shared/lock/Unlock';
import type { LockInfo } from '../shared/messages';

interface Props {
  lock: LockInfo;
  send: LockSend;
  onChanged: () => void;
}

export function LockBar({ lock, send, onChanged }: Props) {
  if (lock.state === 'locked') return null;
  if (lock.state === 'unlocked')
    return (
      <section class="lock unlocked" aria-label={t('lock_sectionTitle')}>
        <span class="help">{t('lock_unlockedText')}</span> <LockNowButton send={send} onDone={onChanged} />
      </section>
    );
  if (!lock.offer) return null;
  return (
    <section class="lock offer" aria-labelledby="lock-offer-title" data-testid="lock-offer">
      <h2 id="lock-offer-title">{t('lock_offerTitle')}</h2>
      <p class="help">{t('lock_offerText')}</p>
      <button type="button" class="primary" onClick={() => void browser.runtime.openOptionsPage()}>
        {t('lock_offerSet')}
      </button>
      <button type="button" onClick={() => void send({ type: 'lock-offer-dismiss' }).then(onChanged)}>
        {t('lock_offerLater')}
      </button>
    </section>
  );
}
