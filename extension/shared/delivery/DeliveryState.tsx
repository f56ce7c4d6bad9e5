// How one sent message stands (delivered means seen): "held until private", "sending 3 of 8…",
// "not delivered" with a Retry button, "not sent". One small component for every transcript that
// shows sent messages (the side panel's). Received messages show nothing.

import { t } from '../i18n';
import type { TranscriptEntry } from '../messages';

/** The words for an entry's delivery state, or null when there is nothing to say (sent, received). */
export function deliveryText(e: TranscriptEntry): string | null {
  if (e.dir !== 'out') return null;
  switch (e.status) {
    case 'held':
      return t('pace_held');
    case 'sending':
      // "sending 3 of 8…": the line going out now (lines seen + 1), at most the last.
      return e.progress && e.progress.total > 1
        ? t('pace_sending_progress', Math.min(e.progress.done + 1, e.progress.total), e.progress.total)
        : t('pace_sending');
    case 'not-delivered':
      return t('pace_not_delivered');
    case 'not-sent':
      return t('pace_not_sent');
    default:
      return null;
  }
}

/** Whether Retry makes sense for the entry (it was never seen on the page). */
export function canRetry(e: TranscriptEntry): boolean {
  return e.dir === 'out' && (e.status === 'not-delivered' || e.status === 'not-sent');
}

export function DeliveryState(props: { entry: TranscriptEntry; onRetry?: (entryId: string) => void }) {
  const { entry, onRetry } = props;
  const text = deliveryText(entry);
  if (text === null) return null;
  return (
    <span class="delivery" data-delivery={entry.status}>
      <span class="delivery-state" role="status">
        {text}
      </span>
      {onRetry && canRetry(entry) ? (
        <button type="button" class="delivery-retry" data-action="retry" onClick={() => onRetry(entry.id)}>
          {t('pace_retry')}
        </button>
      ) : null}
    </span>
  );
}
