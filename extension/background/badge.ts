// The toolbar badge: where the page cannot draw, the authoritative status lives (I6).

import browser from 'webextension-polyfill';
import type { BadgeStatus } from '../shared/messages';

const LOOK: Record<BadgeStatus, { text: string; color: string; title: string }> = {
  off: { text: '', color: '#777777', title: 'offrecord: not active on this page' },
  ready: { text: 'OTR', color: '#5f6368', title: 'offrecord: active on this page, not private' },
};

export function badgeText(status: BadgeStatus): string {
  return LOOK[status].text;
}

export async function setBadge(tabId: number, status: BadgeStatus): Promise<void> {
  const look = LOOK[status];
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
