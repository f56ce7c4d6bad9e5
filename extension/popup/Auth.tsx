// Authenticate buddy, as pidgin-otr offers it: question and answer, shared secret, manual
// fingerprint verification; the buddy's question when they asked one; progress and result.

import { useEffect, useState } from 'preact/hooks';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import { type PopupRequest, tabRequest } from './api';
import type { ShownOutcome, StatusLike } from './model';

type Method = 'question' | 'secret' | 'manual';

interface AuthProps {
  peer: string;
  account: string;
  status: StatusLike;
  busy: boolean;
  act: (run: (tabId: number) => Promise<unknown>) => void;
  /** How requests go out (the side panel binds them to its conversation); the popup's client by default. */
  request?: (body: PopupRequest) => Promise<unknown>;
}

/** The fingerprint as set-trust wants it: 40 lowercase hex digits (status shows libotr's groups). */
export function fingerprintHex(human: string): string {
  return human.replace(/\s+/g, '').toLowerCase();
}

export function Authenticate({
  peer,
  account,
  status,
  busy,
  act,
  request,
  startOpen,
}: AuthProps & { startOpen?: boolean }) {
  const send = request ?? tabRequest;
  const [open, setOpen] = useState(startOpen === true);
  useEffect(() => {
    if (startOpen) setOpen(true);
  }, [startOpen]);
  const [method, setMethod] = useState<Method>('question');
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState('');

  if (!open) {
    return (
      <div class="actions">
        {/* Unverified: verifying is the one next action, so it is the big button. */}
        <button
          type="button"
          class={status.trust === '' ? 'primary wide' : ''}
          data-testid="verify-open"
          onClick={() => setOpen(true)}
        >
          <Icon name="people" />
          {t('authenticate')}
        </button>
      </div>
    );
  }

  const start = (e: Event) => {
    e.preventDefault();
    if (answer === '') return;
    const secret = answer;
    const q = method === 'question' ? question : null;
    act((tabId) => send({ type: 'smp-start', tabId, secret, question: q }));
    setAnswer('');
  };

  return (
    <section class="auth" aria-labelledby="auth-title">
      <h2 id="auth-title">{t('authTitle', peer)}</h2>
      <fieldset>
        <legend>{t('authHow')}</legend>
        {(
          [
            ['question', 'methodQuestion'],
            ['secret', 'methodSecret'],
            ['manual', 'methodManual'],
          ] as const
        ).map(([m, key]) => (
          <label key={m} class="radio">
            <input
              type="radio"
              name="method"
              data-testid={`verify-method-${m}`}
              value={m}
              checked={method === m}
              onChange={() => setMethod(m)}
            />{' '}
            {t(key)}
          </label>
        ))}
      </fieldset>
      {method === 'manual' ? (
        <ManualVerify peer={peer} account={account} status={status} busy={busy} act={act} request={send} />
      ) : (
        <form onSubmit={start}>
          <p class="help">{t(method === 'question' ? 'questionHelp' : 'secretHelp')}</p>
          {method === 'question' && (
            <label class="field">
              {t('questionLabel')}
              <input
                type="text"
                data-testid="verify-question"
                value={question}
                maxLength={1000}
                onInput={(e) => setQuestion(e.currentTarget.value)}
              />
            </label>
          )}
          <label class="field">
            {t(method === 'question' ? 'answerLabel' : 'secretLabel')}
            <input
              type="password"
              autocomplete="off"
              data-testid="verify-secret"
              value={answer}
              onInput={(e) => setAnswer(e.currentTarget.value)}
            />
          </label>
          <p class="help">{t('caseSensitive')}</p>
          <div class="actions">
            <button
              type="submit"
              data-testid="verify-start"
              class="primary"
              disabled={busy || answer === '' || (method === 'question' && question.trim() === '')}
            >
              {t('authStart')}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {t('cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function ManualVerify({ peer, account, status, busy, act, request }: AuthProps) {
  const send = request ?? tabRequest;
  const fp = status.fingerprint;
  const verified = status.trust !== '';
  // The box follows the user's click at once and the background's trust when that changes.
  const [checked, setChecked] = useState(verified);
  useEffect(() => setChecked(verified), [verified]);
  return (
    <div>
      <p class="help">{t('manualHelp')}</p>
      <p class="fp-label">{t('yourFingerprint', account)}</p>
      <code class="fp" data-testid="verify-fp-ours">
        {status.ourFingerprint ?? t('unknown')}
      </code>
      <p class="fp-label">{t('purportedFingerprint', peer)}</p>
      <code class="fp" data-testid="verify-fp-theirs">
        {fp ?? t('unknown')}
      </code>
      <label class="check">
        <input
          type="checkbox"
          data-testid="verify-manual-check"
          checked={checked}
          disabled={busy || fp === null}
          onChange={(e) => {
            if (fp === null) return;
            setChecked(e.currentTarget.checked);
            const trust = e.currentTarget.checked ? 'verified' : '';
            act((tabId) => send({ type: 'set-trust', tabId, fingerprint: fingerprintHex(fp), trust }));
          }}
        />{' '}
        {t('manualVerified')}
      </label>
    </div>
  );
}

/** The buddy asked a question (or wants a shared secret): shown first, with the answer box. */
export function AnswerQuestion({
  peer,
  question,
  busy,
  onAnswer,
  onCancel,
}: {
  peer: string;
  question: string | null;
  busy: boolean;
  onAnswer: (secret: string) => void;
  onCancel: () => void;
}) {
  const [answer, setAnswer] = useState('');
  const submit = (e: Event) => {
    e.preventDefault();
    if (answer === '') return;
    onAnswer(answer);
    setAnswer('');
  };
  return (
    <section class="asked" aria-labelledby="asked-title">
      <h2 id="asked-title">{t('askedTitle', peer)}</h2>
      <form onSubmit={submit}>
        {question !== null ? (
          <>
            <p class="help">{t('askedQuestionHelp', peer)}</p>
            <p class="fp-label">{t('askedQuestionLabel')}</p>
            <blockquote class="question" aria-label={t('askedQuestionLabel')}>
              {question}
            </blockquote>
          </>
        ) : (
          <p class="help">{t('askedSecretHelp', peer)}</p>
        )}
        <label class="field">
          {t(question !== null ? 'answerLabel' : 'secretLabel')}
          <input
            type="password"
            autocomplete="off"
            value={answer}
            onInput={(e) => setAnswer(e.currentTarget.value)}
          />
        </label>
        <p class="help">{t('caseSensitive')}</p>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy || answer === ''}>
            {t('authAnswer')}
          </button>
          <button type="button" disabled={busy} onClick={onCancel}>
            {t('cancelAuth')}
          </button>
        </div>
      </form>
    </section>
  );
}

export function SmpProgress({
  fraction,
  peer,
  busy,
  onCancel,
}: {
  fraction: number;
  peer: string;
  busy: boolean;
  onCancel: () => void;
}) {
  return (
    <section class="auth" aria-labelledby="progress-title">
      <h2 id="progress-title">{t('authProgressTitle', peer)}</h2>
      <progress max={1} value={fraction} aria-label={t('authProgress')} />
      <p role="status">{t('waitingForBuddy', peer)}</p>
      <button type="button" disabled={busy} onClick={onCancel}>
        {t('cancelAuth')}
      </button>
    </section>
  );
}

const OUTCOME_TEXT: Record<ShownOutcome, Parameters<typeof t>[0]> = {
  succeeded: 'authSucceeded',
  failed: 'authFailed',
  aborted: 'authAborted',
  error: 'authError',
  answered: 'authAnswered',
};

export function SmpResult({
  outcome,
  peer,
  trusted,
  onDismiss,
}: {
  outcome: ShownOutcome;
  peer: string;
  trusted: boolean;
  onDismiss: () => void;
}) {
  const good = outcome === 'succeeded';
  return (
    <section class={good ? 'result good' : 'result bad'} aria-labelledby="result-title">
      <div role="status">
        <h2 id="result-title">{t(OUTCOME_TEXT[outcome])}</h2>
      </div>
      {good && !trusted && <p class="help">{t('authSucceededThem', peer)}</p>}
      {outcome === 'failed' && <p class="help">{t('authFailedHelp', peer)}</p>}
      {outcome === 'answered' && <p class="help">{t('authAnsweredHelp', peer)}</p>}
      <button type="button" onClick={onDismiss}>
        {t('dismiss')}
      </button>
    </section>
  );
}
