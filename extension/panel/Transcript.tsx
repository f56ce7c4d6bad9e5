// The private conversation as the user reads it: our messages and the buddy's with names and
// times, held and unsent ones marked, plain (unencrypted) arrivals marked, and the notices in
// their place; a line cut to its byte budget says so, and the last line says what the budgets did
// (I8). Plaintext is shown here only (I1): this page is an extension page, never the chat's.

import { useLayoutEffect, useRef } from 'preact/hooks';
import { DeliveryState } from '../shared/delivery/DeliveryState';
import { SiteError } from '../shared/delivery/SiteError';
import { t } from '../shared/i18n';
import type { ConversationStatus, TranscriptEntry } from '../shared/messages';
import { BudgetLine } from './BudgetLine';
import { timeOf } from './model';
import { Notice } from './Notice';

export interface TranscriptProps {
  entries: TranscriptEntry[];
  status: ConversationStatus | null;
  peer: string;
  account: string;
  /** The 'smp-asked' notice whose answer field is live, if any. */
  liveQuestion: string | null;
  busy: boolean;
  onAnswer: (secret: string) => void;
  onDecline: () => void;
  onVerify: () => void;
  /** Sends a message that was not delivered again (encrypted afresh). */
  onRetry: (entryId: string) => void;
}

export function Transcript(props: TranscriptProps) {
  const list = useRef<HTMLOListElement>(null);
  // Keep the newest line in view.
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [props.entries.length]);
  return (
    <>
      <SiteError status={props.status} />
      <ol
        class="transcript"
        data-testid="transcript"
        ref={list}
        aria-label={t('panel_transcript')}
        aria-live="polite"
      >
        {props.entries.map((e) =>
          e.dir === 'notice' ? (
            <Notice key={`n:${e.id}`} entry={e} {...props} live={props.liveQuestion === e.id} />
          ) : (
            <Message
              key={`${e.dir}:${e.id}`}
              e={e}
              who={e.dir === 'out' ? props.account : props.peer}
              onRetry={props.onRetry}
            />
          ),
        )}
        <BudgetLine status={props.status} />
      </ol>
    </>
  );
}

function Message({
  e,
  who,
  onRetry,
}: {
  e: TranscriptEntry;
  who: string;
  onRetry: (entryId: string) => void;
}) {
  return (
    <li
      class={`entry ${e.dir}${e.encrypted ? '' : ' plain'}`}
      data-testid="entry"
      data-dir={e.dir}
      data-encrypted={String(e.encrypted)}
      data-state={e.status ?? 'sent'}
    >
      <span class="meta">
        <span class="who" data-testid="entry-who">
          {who}
        </span>{' '}
        <time class="time" data-testid="entry-time" dateTime={new Date(e.at).toISOString()}>
          {timeOf(e.at)}
        </time>
      </span>
      <span class="text" data-testid="entry-text">
        {e.text}
      </span>
      {!e.encrypted && e.dir === 'in' && (
        <span class="mark warn" data-testid="entry-plain">
          {t('panel_arrivedUnencrypted')}
        </span>
      )}
      {e.truncated !== undefined && (
        <span class="mark" data-testid="entry-cut">
          {t('budget_entryCut', e.text.length, e.truncated)}
        </span>
      )}
      <DeliveryState entry={e} onRetry={onRetry} />
    </li>
  );
}
