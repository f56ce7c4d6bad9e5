// Pure functions from what the background reports to what the popup shows. No browser API here.

import type { MessageKey } from '../shared/i18n';
import type { SmpOutcome } from '../shared/messages';

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

// The four levels and their words live in extension/shared/status.ts (the same everywhere).
import { LEVEL_TEXT, type Level, levelOf } from '../shared/status';

export { LEVEL_TEXT, type Level, levelOf };

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

// ---------------------------------------------------------------- site profiles (issue 9)

/** What the content script reported about its page (extension/shared/messages.ts PageInfo). */
export interface PageLike {
  adapter: string | null;
  profile: { ok: boolean; problems: string[]; rows: number } | null;
  guess: { confidence: number; reasons: string[] } | null;
}

/**
 * What the popup says about how offrecord reads the page:
 * - 'adapter': a built-in adapter reads it (nothing to say about profiles);
 * - 'unknown': no adapter, no saved profile: the generic guess and "show offrecord where";
 * - 'profile-ok' / 'profile-broken': the site's saved profile matches the page / stopped matching;
 * - 'profile-unchecked': a profile is saved but the page has not said how it fits yet;
 * - null: the page has not reported anything (no content script, or not yet).
 * `saved` is what profile-get returned (true: a profile is saved for the site), or null when
 * not read yet; the page's own report decides then.
 */
export type ProfileView = 'adapter' | 'unknown' | 'profile-ok' | 'profile-broken' | 'profile-unchecked';

export function profileView(page: PageLike | null, saved: boolean | null): ProfileView | null {
  if (page === null) return saved ? 'profile-unchecked' : null;
  if (page.adapter !== null && page.adapter !== 'profile') return 'adapter';
  const has = saved ?? page.profile !== null;
  if (!has) return 'unknown';
  if (page.profile === null) return 'profile-unchecked';
  return page.profile.ok ? 'profile-ok' : 'profile-broken';
}

/** True when the tab's page reads through the site's profile and that profile stopped matching. */
export function profileBroken(page: PageLike | null): boolean {
  return (
    page !== null &&
    (page.adapter === null || page.adapter === 'profile') &&
    page.profile !== null &&
    !page.profile.ok
  );
}

/** The guess's confidence 0..1 as a whole percentage (clamped: a page's report is untrusted). */
export function guessPercent(confidence: number): number {
  if (!Number.isFinite(confidence)) return 0;
  return Math.round(Math.min(1, Math.max(0, confidence)) * 100);
}

/** The generic guess is at least even that the page is a chat (the popup then leads with it). */
export function looksLikeChat(page: PageLike | null): boolean {
  return page?.guess != null && guessPercent(page.guess.confidence) >= 50;
}

/**
 * The file name an exported profile is saved under: offrecord-profile-<host>.json, the host's
 * characters that file systems dislike (the port's colon) made underscores.
 */
export function profileFileName(origin: string): string {
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    host = 'site';
  }
  const safe = host.replace(/[^A-Za-z0-9.-]/g, '_').slice(0, 100) || 'site';
  return `offrecord-profile-${safe}.json`;
}

/** What the popup needs of a SiteProfile (src/profile/profile.ts) to show it. */
export interface ProfileLike {
  site: string;
  name?: string;
  selectors: { compose: string; list: string; row: string; text?: string; sender?: string; peer?: string };
  senderAttribute?: string;
  idAttribute?: string;
  orderAttribute?: string;
  own: { match: 'row' | 'descendant'; selector: string };
  send: 'enter' | { button: string };
  maxMessageLength?: number;
}

/** One line of the shown profile: a label (message key) and its value, the value's text as is. */
export interface ProfileLine {
  label: MessageKey;
  value: string;
  /** The value is a CSS selector (shown as code). */
  code: boolean;
  /** Filled into the label's $1 (e.g. the own-message selector's rule), if any. */
  valueKey?: MessageKey;
}

/** The profile as label/value lines, in the order the user thinks of them. */
export function profileLines(p: ProfileLike): ProfileLine[] {
  const lines: ProfileLine[] = [
    { label: 'profileCompose', value: p.selectors.compose, code: true },
    { label: 'profileList', value: p.selectors.list, code: true },
    { label: 'profileRow', value: p.selectors.row, code: true },
  ];
  if (p.selectors.text !== undefined)
    lines.push({ label: 'profileText', value: p.selectors.text, code: true });
  if (p.selectors.sender !== undefined)
    lines.push({ label: 'profileSender', value: p.selectors.sender, code: true });
  else if (p.senderAttribute !== undefined)
    lines.push({ label: 'profileSenderAttribute', value: p.senderAttribute, code: true });
  if (p.selectors.peer !== undefined)
    lines.push({ label: 'profilePeer', value: p.selectors.peer, code: true });
  if (p.idAttribute !== undefined)
    lines.push({ label: 'profileIdAttribute', value: p.idAttribute, code: true });
  if (p.orderAttribute !== undefined)
    lines.push({ label: 'profileOrderAttribute', value: p.orderAttribute, code: true });
  lines.push({
    label: 'profileOwn',
    value: p.own.selector,
    code: true,
    valueKey: p.own.match === 'row' ? 'profileOwnRow' : 'profileOwnDescendant',
  });
  if (p.send === 'enter')
    lines.push({ label: 'profileSend', value: '', code: false, valueKey: 'profileSendEnter' });
  else lines.push({ label: 'profileSend', value: p.send.button, code: true, valueKey: 'profileSendButton' });
  lines.push(
    p.maxMessageLength !== undefined
      ? { label: 'profileMaxLength', value: String(p.maxMessageLength), code: false }
      : { label: 'profileMaxLength', value: '', code: false, valueKey: 'profileNoLimit' },
  );
  return lines;
}
