// Panic wipe (issue 18): one action, confirmed once, that ends every private conversation and
// erases everything offrecord keeps; then it says what it erased.

import { useState } from 'preact/hooks';
import { t } from '../i18n';
import type { WipeReport } from '../messages';
import { errorText, type LockSend } from './api';

export function PanicWipe({ send, onDone }: { send: LockSend; onDone?: (r: WipeReport) => void }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<WipeReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const wipe = () => {
    setBusy(true);
    setError(null);
    send({ type: 'panic-wipe' })
      .then((r) => {
        setReport(r);
        setConfirming(false);
        onDone?.(r);
      })
      .catch((e: unknown) => setError(errorText(e)))
      .finally(() => setBusy(false));
  };
  return (
    <section class="panic" aria-labelledby="lock-panic-title" data-testid="panic-wipe">
      <h2 id="lock-panic-title">{t('lock_panicTitle')}</h2>
      {!confirming && (
        <button type="button" onClick={() => setConfirming(true)} data-testid="panic-start">
          {t('lock_panicButton')}
        </button>
      )}
      {confirming && (
        <fieldset class="confirm warning">
          <legend>{t('lock_panicConfirmTitle')}</legend>
          <p>{t('lock_panicConfirmText')}</p>
          <button type="button" class="primary" disabled={busy} onClick={wipe} data-testid="panic-confirm">
            {busy ? t('lock_panicWorking') : t('lock_panicYes')}
          </button>
          <button type="button" disabled={busy} onClick={() => setConfirming(false)}>
            {t('lock_cancel')}
          </button>
        </fieldset>
      )}
      {report && (
        <div role="status" data-testid="panic-report">
          <p>{t('lock_panicDone')}</p>
          <ul>
            <li>{t('lock_panicEnded', report.ended)}</li>
            {report.unreachable > 0 && <li>{t('lock_panicUnreachable', report.unreachable)}</li>}
            <li>{t('lock_panicKeys', report.keys)}</li>
            <li>{t('lock_panicFingerprints', report.fingerprints)}</li>
            <li>{t('lock_panicConversations', report.conversations, report.transcriptEntries)}</li>
            <li>{t('lock_panicSites', report.sites)}</li>
            <li>{t('lock_panicSettings', report.settings + report.instanceTags)}</li>
          </ul>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
