// The toolbar badge: where the page cannot draw, the authoritative status lives (I6).
// Recomputed from the tab map + SessionStore whenever the worker wakes (see tab-state.ts).

import browser from 'webextension-polyfill';
import type { BadgeAlert, BadgeStatus } from '../shared/messages';

// The pure part (status → badge) lives apart so the Router and its unit tests need no browser API.
export { alertFor, badgeFor } from './badge-status';

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
