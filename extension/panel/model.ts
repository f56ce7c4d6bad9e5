// Pure functions from what the background reports to what the side panel shows, and the rule that
// binds typed text to the conversation it was typed for. No browser API here (unit-tested).

import type { MessageKey } from '../shared/i18n';
import { type ConversationStatus, LIMITS, REFUSAL, type TranscriptEntry } from '../shared/messages';

/**
 * What the panel's status line says. pidgin-otr's four words (Not private / Unverified / Private /
 * Finished), the same as the popup and the toolbar; 'starting' is "Not private" while the AKE
 * runs; 'none' when the tab shows no one-to-one chat.
 */
export type StatusKind = 'none' | 'not-private' | 'starting' | 'unverified' | 'private' | 'finished';

export function statusKind(s: ConversationStatus | null, conv: string | null): StatusKind {
  if (!s || conv === null) return conv === null ? 'none' : 'not-private';
  if (s.state === 'finished') return 'finished';
  if (s.state === 'encrypted') return s.trust === '' ? 'unverified' : 'private';
  return s.privateMode || s.authInProgress ? 'starting' : 'not-private';
}

/** The popup's level words for each kind (popup/model.ts LEVEL_TEXT keys). */
export const STATUS_WORD: Record<StatusKind, MessageKey> = {
  none: 'panel_noChat',
  'not-private': 'levelNotPrivate',
  starting: 'levelNotPrivate',
  unverified: 'levelUnverified',
  private: 'levelPrivate',
  finished: 'levelFinished',
};

/**
 * Replaces entries with the same direction and id (a held line that was then sent), appends new
 * ones, and keeps the newest LIMITS.transcript (what a hello brings): a panel left open on a busy
 * or flooded conversation does not grow without bound.
 */
export function mergeEntries(old: TranscriptEntry[], added: TranscriptEntry[]): TranscriptEntry[] {
  const out = old.slice();
  const index = new Map(out.map((e, i) => [`${e.dir}:${e.id}`, i]));
  for (const e of added) {
    const key = `${e.dir}:${e.id}`;
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push(e);
    } else {
      out[at] = e;
    }
  }
  return out.length > LIMITS.transcript ? out.slice(out.length - LIMITS.transcript) : out;
}

/**
 * Text being typed and the conversation it belongs to: the one shown when typing started. A chat
 * switch never moves it to another conversation; emptying the box frees it.
 */
export interface Draft {
  text: string;
  /** Conversation id the text was typed for (null: the box is empty, nothing bound yet). */
  conv: string | null;
  /** Whom it was typed for (for the notice). */
  peer: string | null;
}

export const EMPTY_DRAFT: Draft = { text: '', conv: null, peer: null };

/** The user typed: the first character binds the draft to the conversation shown now. */
export function typed(d: Draft, text: string, conv: string | null, peer: string | null): Draft {
  if (text === '') return EMPTY_DRAFT;
  if (d.text === '' || d.conv === null) return { text, conv, peer };
  return { ...d, text };
}

/** What is left in the box once `text` was sent from it (the user may have typed on meanwhile). */
export function afterSent(d: Draft, text: string): Draft {
  if (d.text === text) return EMPTY_DRAFT;
  if (d.text.startsWith(text)) return { ...d, text: d.text.slice(text.length) };
  return d;
}

/** A send the panel handed to the background and has no reply for yet. */
export interface InFlight {
  text: string;
  conv: string;
  /** Date.now() when the request left the panel. */
  since: number;
}

/**
 * Whether the background took an in-flight send: its transcript shows an entry of ours with exactly
 * that text, stamped no earlier than the request left. The worker can stop after encrypting and
 * before its reply reaches the panel; the message went out then, and leaving its text in the box
 * would have the user send it a second time.
 */
export function sentInTranscript(entries: TranscriptEntry[], f: InFlight): boolean {
  return entries.some((e) => e.dir === 'out' && e.text === f.text && e.at >= f.since);
}

/**
 * Why the draft cannot be sent now (an i18n key), or null when it can: it goes to the conversation
 * it was typed for, only while that conversation is shown and in private mode (held until the AKE
 * completes), never into a finished one.
 */
export function sendBlock(d: Draft, conv: string | null, s: ConversationStatus | null): MessageKey | null {
  if (conv === null) return 'panel_reasonNoChat';
  if (d.conv !== null && d.conv !== conv) return 'panel_reasonOtherChat';
  if (!s) return 'panel_reasonNotPrivate';
  if (s.state === 'finished') return 'panel_reasonFinished';
  if (!s.privateMode) return 'panel_reasonNotPrivate';
  return null;
}

/** The background's refusal of a send or an operation, as an i18n key (null: show its text). */
export function refusalKey(error: string): MessageKey | null {
  if (error === REFUSAL.changed) return 'panel_reasonOtherChat';
  if (error === REFUSAL.notPrivate) return 'panel_reasonNotPrivate';
  if (error === REFUSAL.finished) return 'panel_reasonFinished';
  return null;
}

/** The newest 'smp-asked' notice: the one whose answer field is live while the buddy waits. */
export function liveQuestionId(entries: TranscriptEntry[], s: ConversationStatus | null): string | null {
  if (s?.smp.state !== 'question-asked') return null;
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i] as TranscriptEntry;
    if (e.dir === 'notice' && e.notice === 'smp-asked') return e.id;
  }
  return null;
}

/** hh:mm:ss of a transcript time, in the user's locale. */
export function timeOf(at: number): string {
  return new Date(at).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
}
