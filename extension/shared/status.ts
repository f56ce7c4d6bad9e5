// The four privacy statuses (pidgin-otr's levels) and their words: one definition for the
// toolbar, popup, side panel, options and help, so the words are the same everywhere.

import type { MessageKey } from './i18n';
import type { StatusShape } from './icon-shapes';

export type Level = 'not-private' | 'unverified' | 'private' | 'finished';

export const LEVELS: readonly Level[] = ['not-private', 'unverified', 'private', 'finished'];

/** The status from a conversation's OTR state and the buddy's trust. */
export function levelOf(s: { state: 'plaintext' | 'encrypted' | 'finished'; trust: string } | null): Level {
  if (!s) return 'not-private';
  if (s.state === 'finished') return 'finished';
  if (s.state === 'encrypted') return s.trust === '' ? 'unverified' : 'private';
  return 'not-private';
}

/** The status word. */
export const LEVEL_TEXT: Record<Level, MessageKey> = {
  'not-private': 'levelNotPrivate',
  unverified: 'levelUnverified',
  private: 'levelPrivate',
  finished: 'levelFinished',
};

/** The icon shape (each differs in silhouette, not only in colour). */
export const LEVEL_SHAPE: Record<Level, StatusShape> = {
  'not-private': 'not-private',
  unverified: 'unverified',
  private: 'private',
  finished: 'finished',
};
