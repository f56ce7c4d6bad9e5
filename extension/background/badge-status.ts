// Which badge a conversation status shows (pure; the drawing is in badge.ts).

import type { BadgeAlert, BadgeStatus, ConversationStatus } from '../shared/messages';

/** The badge status for a conversation's status (null: no conversation reported). */
export function badgeFor(status: ConversationStatus | null): BadgeStatus {
  if (!status) return 'ready';
  if (status.state === 'finished') return 'finished';
  if (status.state === 'encrypted') return status.trust === '' ? 'unverified' : 'private';
  return 'ready';
}

export function alertFor(status: ConversationStatus | null): BadgeAlert {
  if (!status) return '';
  if (status.fingerprintChanged) return '!';
  if (status.smp.state === 'question-asked') return '?';
  return '';
}
