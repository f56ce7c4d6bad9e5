// Shared by the worker-restart e2e suites (Chromium and Firefox).

import { waitFor } from './ngircd';

/** A D-H Commit: version 3 (00 03) type 0x02 → base64 "AAMC"; version 2 (00 02 02) → "AAIC"; whole or first fragment. */
export const isDhCommit = (w: string) =>
  /^\?OTR:AA[MI]C/.test(w) || /^\?OTR\|[0-9a-f]+\|[0-9a-f]+,0*1,[0-9]+,\?OTR:AA[MI]C/.test(w);

/**
 * waitFor for checks that may fail while the worker is down (a failing check counts as "not yet");
 * on time-out `dump` is printed when OFFRECORD_DEBUG is set.
 */
export async function until<T>(
  what: string,
  f: () => Promise<T | undefined>,
  ms: number,
  dump: () => string,
): Promise<T> {
  try {
    return await waitFor(what, () => f().catch(() => undefined), ms, 100);
  } catch (e) {
    if (process.env.OFFRECORD_DEBUG) console.log(dump());
    throw e;
  }
}
