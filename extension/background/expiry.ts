// Timers that must survive the worker being stopped: an `alarms` alarm (Firefox's minimum period
// is 1 minute) checks the stored deadlines; nothing relies on setTimeout outliving the worker.

import type { SessionManager } from './session-manager';

export const HELD_ALARM = 'offrecord-held-expiry';
export const HELD_CHECK_MINUTES = 1;
/** A message typed in private mode waits this long for the AKE, then is reported not sent. */
export const HELD_MAX_AGE_MS = 5 * 60_000;

export function expireHeld(manager: SessionManager, maxAgeMs = HELD_MAX_AGE_MS) {
  return manager.expireHeld(maxAgeMs);
}
