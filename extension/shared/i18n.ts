// The browser's i18n (texts in _locales/<lang>/messages.json) behind one typed helper, for every
// context: pages, the background, content scripts (the picker, in-page notices).
// Keys are checked at compile time against the English file; a key the browser does not know
// (a build without _locales) shows as the key itself, so a missing text is visible, never blank.
// Outside an extension (unit tests in Node) the English texts are used.

import en from '../../_locales/en/messages.json';

export type MessageKey = keyof typeof en;

interface I18nApi {
  getMessage(key: string, substitutions?: string[]): string;
}

function api(): I18nApi | null {
  const g = globalThis as { browser?: { i18n?: I18nApi }; chrome?: { i18n?: I18nApi } };
  return g.browser?.i18n ?? g.chrome?.i18n ?? null;
}

/** English with $1…$9 filled in (the browser's own substitution rules for messages without placeholders). */
function english(key: MessageKey, subs: string[]): string {
  return en[key].message.replace(/\$([1-9])/g, (_, n: string) => subs[Number(n) - 1] ?? '');
}

/** The text for `key` with $1…$9 replaced by `subs` (strings; numbers are formatted first). */
export function t(key: MessageKey, ...subs: (string | number)[]): string {
  const strings = subs.map((s) => String(s));
  const i18n = api();
  const text = i18n ? i18n.getMessage(key, strings) : english(key, strings);
  return text === '' ? key : text;
}
