// Which badge a conversation status shows, and how each badge looks (pure; the drawing is in
// badge.ts). Each status has its own icon SHAPE (public/icons/status/, drawn by scripts/icons.ts),
// its words in the tooltip and a short word as badge text: never colour alone.

import type { MessageKey } from '../shared/i18n';
import type { StatusShape } from '../shared/icon-shapes';
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

export interface BadgeLook {
  /** The toolbar icon's shape; null: offrecord's own icon (not active on this page). */
  shape: StatusShape | null;
  /** The badge text (at most 4 characters in every language), '' for none. */
  text: MessageKey | '';
  /** The tooltip, in words. */
  title: MessageKey;
  /** The badge's background: a light-scheme status token of extension/shared/tokens.css. */
  colour: string;
}

/** The look of each status, the alert (a changed key, a question from the buddy) first. */
export function badgeLook(status: BadgeStatus, alert: BadgeAlert = ''): BadgeLook {
  if (alert === '!')
    return {
      shape: 'attention',
      text: 'ui_badgeTextChanged',
      title: 'ui_badgeTitleChanged',
      colour: 'attention',
    };
  if (alert === '?')
    return {
      shape: 'attention',
      text: 'ui_badgeTextAsked',
      title: 'ui_badgeTitleAsked',
      colour: 'attention',
    };
  switch (status) {
    case 'off':
      return { shape: null, text: '', title: 'ui_badgeTitleOff', colour: 'finished' };
    case 'ready':
      return {
        shape: 'not-private',
        text: 'ui_badgeTextNotPrivate',
        title: 'ui_badgeTitleNotPrivate',
        colour: 'not-private',
      };
    case 'unverified':
      return {
        shape: 'unverified',
        text: 'ui_badgeTextUnverified',
        title: 'ui_badgeTitleUnverified',
        colour: 'unverified',
      };
    case 'private':
      return {
        shape: 'private',
        text: 'ui_badgeTextPrivate',
        title: 'ui_badgeTitlePrivate',
        colour: 'private',
      };
    case 'finished':
      return {
        shape: 'finished',
        text: 'ui_badgeTextFinished',
        title: 'ui_badgeTitleFinished',
        colour: 'finished',
      };
  }
}

/** Light-scheme values of the status tokens (tokens.css; a unit test keeps them equal). */
export const BADGE_COLOURS: Record<string, string> = {
  'not-private': '#b3261e',
  unverified: '#8a5300',
  private: '#146c2e',
  finished: '#4b5563',
  attention: '#6a3fc8',
};

/** The icon paths for a shape (sizes drawn by scripts/icons.ts), or offrecord's own icon. */
export function iconPaths(shape: StatusShape | null): Record<string, string> {
  if (shape === null) return { 16: '/icons/offrecord-16.png', 32: '/icons/offrecord-32.png' };
  return { 16: `/icons/status/${shape}-16.png`, 32: `/icons/status/${shape}-32.png` };
}
