// The toolbar badge: where the page cannot draw, the authoritative status lives (I6).
// Recomputed from the tab map + SessionStore whenever the worker wakes (see tab-state.ts).

import browser from 'webextension-polyfill';
import type { BadgeAlert, BadgeStatus, ConversationStatus } from '../shared/messages';

const LOOK: Record<BadgeStatus, { text: string; color: string; title: string }> = {
  off: { text: '', color: '#777777', title: 'offrecord: not active on this page' },
  ready: { text: 'off', color: '#777777', title: 'offrecord: active on this page, not private' },
  unverified: { text: 'OTR', color: '#c77c00', title: 'offrecord: private, buddy NOT verified' },
  private: { text: 'OTR', color: '#188038', title: 'offrecord: private, buddy verified' },
  finished: { text: 'end', color: '#5f6368', title: 'offrecord: your buddy ended the private conversation' },
};

const ALERT: Record<Exclude<BadgeAlert, ''>, { text: string; color: string; title: string }> = {
  '!': { text: '!', color: '#d93025', title: "offrecord: your buddy's key CHANGED — verify before trusting" },
  '?': { text: '?', color: '#1a73e8', title: 'offrecord: your buddy asks you to verify (SMP)' },
};

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

export function badgeText(status: BadgeStatus, alert: BadgeAlert = ''): string {
  return alert === '' ? LOOK[status].text : ALERT[alert].text;
}

export async function setBadge(tabId: number, status: BadgeStatus, alert: BadgeAlert = ''): Promise<void> {
  const look = alert === '' ? LOOK[status] : ALERT[alert];
  try {
    await Promise.all([
      browser.action.setBadgeText({ tabId, text: look.text }),
      browser.action.setBadgeBackgroundColor({ tabId, color: look.color }),
      browser.action.setTitle({ tabId, title: look.title }),
    ]);
  } catch {
    // The tab closed meanwhile: nothing to show.
  }
}
