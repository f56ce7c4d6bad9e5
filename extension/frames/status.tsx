// The conversation status line both secure frames show. A convenience only: the authoritative
// status is the toolbar badge and the popup (I6), where the page cannot draw.

import type { ConversationStatus } from '../shared/messages';

export type StatusKind = 'none' | 'not-private' | 'starting' | 'unverified' | 'private' | 'finished';

export function statusKind(s: ConversationStatus | null): StatusKind {
  if (!s) return 'none';
  if (s.state === 'finished') return 'finished';
  if (s.state === 'encrypted') return s.trust === '' ? 'unverified' : 'private';
  return s.privateMode || s.authInProgress ? 'starting' : 'not-private';
}

const LABELS: Record<StatusKind, string> = {
  none: 'offrecord: no conversation',
  'not-private': 'Not private',
  starting: 'Going private…',
  unverified: 'Private (unverified buddy)',
  private: 'Private (verified)',
  finished: 'Finished: your buddy ended the private conversation',
};

export function statusLabel(s: ConversationStatus | null): string {
  const kind = statusKind(s);
  const held = s && s.held > 0 ? ` · ${s.held} held until private` : '';
  return `${LABELS[kind]}${held}`;
}

export function StatusLine(props: { status: ConversationStatus | null; error: string | null }) {
  const kind = statusKind(props.status);
  return (
    <div class={`status status-${kind}`} data-status={kind} role="status">
      <span class="dot" aria-hidden="true" />
      <span class="label">{statusLabel(props.status)}</span>
      {props.error ? <span class="error"> · {props.error}</span> : null}
    </div>
  );
}
