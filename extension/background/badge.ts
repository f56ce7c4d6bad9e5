// The toolbar icon and badge: where the page cannot draw, the authoritative status lives (I6).
// Recomputed from the tab map + SessionStore whenever the worker wakes (see tab-state.ts).

import browser from 'webextension-polyfill';
import { t } from '../shared/i18n';
import type { BadgeAlert, BadgeStatus } from '../shared/messages';
import { BADGE_COLOURS, badgeLook, iconPaths } from './badge-status';

// The pure part (status → badge) lives apart so the Router and its unit tests need no browser API.
export { alertFor, badgeFor } from './badge-status';

export function badgeText(status: BadgeStatus, alert: BadgeAlert = ''): string {
  const look = badgeLook(status, alert);
  return look.text === '' ? '' : t(look.text);
}

export async function setBadge(tabId: number, status: BadgeStatus, alert: BadgeAlert = ''): Promise<void> {
  const look = badgeLook(status, alert);
  const action = browser.action as typeof browser.action & {
    setBadgeTextColor?: (details: { tabId: number; color: string }) => Promise<void>;
  };
  try {
    await Promise.all([
      browser.action.setIcon({ tabId, path: iconPaths(look.shape) }),
      browser.action.setBadgeText({ tabId, text: badgeText(status, alert) }),
      browser.action.setBadgeBackgroundColor({ tabId, color: BADGE_COLOURS[look.colour] ?? '#4b5563' }),
      action.setBadgeTextColor?.({ tabId, color: '#ffffff' }),
      browser.action.setTitle({ tabId, title: t(look.title) }),
    ]);
  } catch {
    // The tab closed meanwhile: nothing to show.
  }
}
