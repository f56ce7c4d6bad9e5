// The browser's i18n (texts in _locales/<lang>/messages.json) behind one typed helper.
// Keys are checked at compile time against the English file; a key the browser does not know
// (a build without _locales) shows as the key itself, so a missing text is visible, never blank.

import browser from 'webextension-polyfill';
import type en from '../../_locales/en/messages.json';

export type MessageKey = keyof typeof en;

/** The text for `key` with $1…$9 replaced by `subs` (strings; numbers are formatted first). */
export function t(key: MessageKey, ...subs: (string | number)[]): string {
  const text = browser.i18n.getMessage(
    key,
    subs.map((s) => String(s)),
  );
  return text === '' ? key : text;
}
