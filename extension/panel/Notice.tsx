// One notice in the transcript: what pidgin-otr says in its conversation window. The buddy's
// request to authenticate carries its answer field right here while the buddy waits; a changed key
// is loud and says what to do; after a failed check it says what still stands.

import { useState } from 'preact/hooks';
import { type MessageKey, t } from '../shared/i18n';
import type { ConversationStatus, NoticeCode, TranscriptEntry } from '../shared/messages';
import { timeOf } from './model';

const TEXT: Record<NoticeCode, MessageKey> = {
  started: 'panel_noticeStarted',
  ended: 'panel_noticeEnded',
  'buddy-ended': 'panel_noticeBuddyEnded',
  'key-changed': 'panel_noticeKeyChanged',
  'key-changed-unverified': 'panel_noticeKeyChangedUnverified',
  'smp-asked': 'panel_noticeSmpAsked',
  'smp-succeeded': 'panel_noticeSmpSucceeded',
  'smp-failed': 'panel_noticeSmpFailed',
  'smp-aborted': 'panel_noticeSmpAborted',
  'smp-error': 'panel_noticeSmpError',
  unreadable: 'panel_noticeUnreadable',
  'not-sent': 'panel_noticeNotSent',
  error: 'panel_noticeError',
};

const LOUD: ReadonlySet<NoticeCode> = new Set(['key-changed', 'smp-failed', 'buddy-ended', 'unreadable']);

export function Notice(props: {
  entry: TranscriptEntry;
  status: ConversationStatus | null;
  peer: string;
  live: boolean;
  busy: boolean;
  onAnswer: (secret: string) => void;
  onDecline: () => void;
  onVerify: () => void;
}) {
  const { entry: e, peer } = props;
  const code = e.notice ?? 'error';
  const verified = (props.status?.trust ?? '') !== '';
  return (
    <li
      class={`entry notice${LOUD.has(code) ? ' loud' : ''}`}
      data-testid="entry"
      data-dir="notice"
      data-notice={code}
      data-encrypted="false"
      data-state="sent"
      role={code === 'key-changed' ? 'alert' : undefined}
    >
      <span class="meta">
        <time class="time" data-testid="entry-time" dateTime={new Date(e.at).toISOString()}>
          {timeOf(e.at)}
        </time>
      </span>
      <span class="text" data-testid="entry-text">
        {code === 'smp-asked' && e.text === '' ? t('panel_noticeSmpAskedSecret', peer) : t(TEXT[code], peer)}
      </span>
      {code === 'smp-asked' && e.text !== '' && (
        <blockquote class="question" data-testid="smp-question">
          {e.text}
        </blockquote>
      )}
      {(code === 'key-changed' ||
        code === 'key-changed-unverified' ||
        code === 'unreadable' ||
        code === 'not-sent' ||
        code === 'error') &&
        e.text !== '' && (
          <code class="detail" data-testid="notice-detail">
            {e.text}
          </code>
        )}
      {code === 'smp-succeeded' && (
        <span class="detail">{t(verified ? 'panel_smpYouVerified' : 'panel_smpTheyVerified', peer)}</span>
      )}
      {code === 'smp-failed' && (
        <span class="detail" data-testid="smp-still-stands">
          {t(verified ? 'panel_smpStillVerified' : 'panel_smpNotVerified', peer)}
        </span>
      )}
      {(code === 'key-changed' || code === 'key-changed-unverified') && (
        <button type="button" class="primary" data-testid="notice-verify" onClick={props.onVerify}>
          {t('panel_verifyNow', peer)}
        </button>
      )}
      {code === 'smp-asked' && props.live && (
        <AnswerField
          busy={props.busy}
          question={e.text !== ''}
          onAnswer={props.onAnswer}
          onDecline={props.onDecline}
        />
      )}
    </li>
  );
}

function AnswerField(props: {
  busy: boolean;
  question: boolean;
  onAnswer: (secret: string) => void;
  onDecline: () => void;
}) {
  const [answer, setAnswer] = useState('');
  return (
    <form
      class="answer"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (answer === '') return;
        props.onAnswer(answer);
        setAnswer('');
      }}
    >
      <label class="field">
        {t(props.question ? 'answerLabel' : 'secretLabel')}
        <input
          type="password"
          autocomplete="off"
          data-testid="smp-answer-box"
          value={answer}
          onInput={(ev) => setAnswer(ev.currentTarget.value)}
        />
      </label>
      <p class="help">{t('caseSensitive')}</p>
      <button
        type="submit"
        class="primary"
        data-testid="smp-answer-submit"
        disabled={props.busy || answer === ''}
      >
        {t('authAnswer')}
      </button>
      <button type="button" disabled={props.busy} onClick={props.onDecline}>
        {t('cancelAuth')}
      </button>
    </form>
  );
}
