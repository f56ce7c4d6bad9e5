// Host match patterns for the sites the user turns offrecord on for. Pure functions.

import { LIMITS } from './messages';

/**
 * The match pattern that grants one site, from what a user types or a tab's URL:
 * "https://chat.example.org/room/1" → "https://chat.example.org/*"; "chat.example.org" → https.
 * Returns null for anything that is not a plain http(s) host (no wildcards, no credentials).
 */
export function sitePatternFor(input: string): string | null {
  const text = input.trim();
  if (text.length === 0 || text.length > LIMITS.url) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  if (u.username !== '' || u.password !== '' || u.hostname === '' || u.hostname.includes('*')) return null;
  // Match patterns carry no port: access to a host covers all its ports.
  const pattern = `${u.protocol}//${u.hostname}/*`;
  return pattern.length <= LIMITS.origin ? pattern : null;
}

/** The host patterns among granted origins that the content script is registered for. */
export function siteMatches(origins: readonly string[]): string[] {
  const ok = origins.filter((o) => /^(https?|\*):\/\/[^/]+\/.*$/.test(o) && o.length <= LIMITS.origin);
  return [...new Set(ok)].sort();
}
