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

/** What the popup says after a run: the outcome, or 'answered' when we answered the buddy's
 * question and the background did not say how it ended (libotr gives the answerer no trust). */
export type ShownOutcome = SmpOutcome | 'answered';

/**
 * The outcome of a run that just ended (`prev` was a running step, `now` is back at the start),
 * when the background did not report one: the asker learns it from trust (libotr sets it on
 * success, clears it on failure); the answerer cannot tell.
 */
export function inferOutcome(prev: string, trust: string): ShownOutcome {
  const asker = prev === 'expect2' || prev === 'expect4';
  if (!asker) return 'answered';
  return trust !== '' ? 'succeeded' : 'failed';
}

export function isSmpOutcome(x: unknown): x is SmpOutcome {
  return x === 'succeeded' || x === 'failed' || x === 'aborted' || x === 'error';
}
