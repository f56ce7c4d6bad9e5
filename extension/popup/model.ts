// Pure functions from what the background reports to what the popup shows. No browser API here.

import type { MessageKey } from './i18n';

/** What the popup needs of ConversationStatus (extension/background/session-manager.ts). */
export interface StatusLike {
  state: 'plaintext' | 'encrypted' | 'finished';
  privateMode: boolean;
  trust: '' | 'verified' | 'smp';
  fingerprint: string | null;
  ourFingerprint: string | null;
  fingerprintChanged: boolean;
  authInProgress: boolean;
  smp: { state: string; question?: string };
}

/** pidgin-otr's four levels. */
export type Level = 'not-private' | 'unverified' | 'private' | 'finished';

export function levelOf(s: StatusLike | null): Level {
  if (!s) return 'not-private';
  if (s.state === 'finished') return 'finished';
  if (s.state === 'encrypted') return s.trust === '' ? 'unverified' : 'private';
  return 'not-private';
}

export const LEVEL_TEXT: Record<Level, MessageKey> = {
  'not-private': 'levelNotPrivate',
  unverified: 'levelUnverified',
  private: 'levelPrivate',
  finished: 'levelFinished',
};

export const LEVEL_HELP: Record<Level, MessageKey> = {
  'not-private': 'levelNotPrivateHelp',
  unverified: 'levelUnverifiedHelp',
  private: 'levelPrivateHelp',
  finished: 'levelFinishedHelp',
};

/**
 * SMP steps as a fraction done, or null when no SMP runs. 'question-asked' is not progress: it
 * waits for our user's answer and has its own prompt.
 */
export function smpProgress(state: string): number | null {
  switch (state) {
    case 'expect2':
      return 0.25;
    case 'expect3':
      return 0.5;
    case 'expect4':
      return 0.75;
    default:
      return null;
  }
}

export type SmpOutcome = 'succeeded' | 'failed' | 'aborted' | 'error';

export function isSmpOutcome(x: unknown): x is SmpOutcome {
  return x === 'succeeded' || x === 'failed' || x === 'aborted' || x === 'error';
}
