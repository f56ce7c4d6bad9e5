// Every user-visible string comes from _locales through t(), in English AND German:
// - both locales have exactly the same keys, each a non-empty message with the same $1…$9;
// - a German message equal to the English one is a name, listed below (a copy is not a translation);
// - UI code holds no hard-coded user-visible text (test/lib/ui-strings.ts says what counts).
//
// KNOWN_UNLOCALIZED held the debt found when this test was written (issue 16); it is empty now and
// may only stay so. A string found that is not on it fails; an entry no longer found fails too.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHardCodedStrings, isWords } from '../../lib/ui-strings';

const ROOT = resolve(import.meta.dirname, '../../..');
type Messages = Record<string, { message: string; description?: string; placeholders?: unknown }>;
const read = (lang: string): Messages =>
  JSON.parse(readFileSync(join(ROOT, '_locales', lang, 'messages.json'), 'utf8')) as Messages;

/** German messages that are the same word as in English: names and words German borrowed. */
const SAME_IN_GERMAN = new Set([
  'extName',
  'status',
  'actionsGroup',
  'policySaved',
  'profileName',
  'ui_version',
  // Badge texts: the protocol's name and signs (the tooltip says it in words).
  'ui_badgeTextUnverified',
  'ui_badgeTextPrivate',
  'ui_badgeTextChanged',
  'ui_badgeTextAsked',
]);

/** Directories whose .ts/.tsx files are UI code or feed text to it. */
const UI_DIRS = ['extension', 'content-scripts'];

const KNOWN_UNLOCALIZED: [string, string][] = [];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function placeholdersOf(message: string): string[] {
  return [...new Set(message.match(/\$[1-9]/g) ?? [])].sort();
}

describe('locales', () => {
  const en = read('en');
  const de = read('de');

  it('have the same keys in English and German', () => {
    const missingInDe = Object.keys(en).filter((k) => !(k in de));
    const missingInEn = Object.keys(de).filter((k) => !(k in en));
    expect({ missingInDe, missingInEn }).toEqual({ missingInDe: [], missingInEn: [] });
  });

  for (const [lang, messages] of [
    ['en', en],
    ['de', de],
  ] as const) {
    it(`${lang}: every key is a valid message name with a non-empty message`, () => {
      for (const [key, entry] of Object.entries(messages)) {
        expect(key, key).toMatch(/^[A-Za-z0-9_@]+$/);
        expect(typeof entry.message, key).toBe('string');
        expect(entry.message.trim().length, key).toBeGreaterThan(0);
        expect(
          Object.keys(entry).every((k) => ['message', 'description', 'placeholders'].includes(k)),
          key,
        ).toBe(true);
      }
    });
  }

  it('use the same substitutions ($1…$9) in both languages', () => {
    for (const [key, entry] of Object.entries(en)) {
      const german = de[key];
      if (german) expect(placeholdersOf(german.message), key).toEqual(placeholdersOf(entry.message));
    }
  });

  it('German is a translation, not a copy (only names are the same)', () => {
    const copies = Object.keys(en).filter((k) => de[k]?.message === en[k]?.message && !SAME_IN_GERMAN.has(k));
    expect(copies).toEqual([]);
  });

  it("the manifest's __MSG_…__ references exist", () => {
    const manifest = readFileSync(join(ROOT, 'manifest.json'), 'utf8');
    for (const m of manifest.matchAll(/__MSG_([A-Za-z0-9_@]+)__/g)) {
      expect(en[m[1] as string], m[1]).toBeDefined();
    }
  });

  it('every t("key") in the UI code names a key that exists', () => {
    const missing: string[] = [];
    for (const dir of UI_DIRS) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/\bt\(\s*'([A-Za-z0-9_@]+)'/g)) {
          if (!en[m[1] as string]) missing.push(`${relative(ROOT, file)}: ${m[1]}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('hard-coded user-visible strings', () => {
  const scan = (src: string, file = 'x.tsx') =>
    findHardCodedStrings(file, src, { prose: true }).map((f) => f.text);

  it('finds text in JSX, read attributes, DOM writes, badge titles and prose tables', () => {
    expect(scan('export const A = () => <p>Hello there</p>;')).toEqual(['Hello there']);
    expect(scan('export const A = () => <button title="Start chat" aria-label={"Go"} />;')).toEqual([
      'Start chat',
      'Go',
    ]);
    expect(scan('export const A = () => <p>{ok ? "Yes" : "No"}</p>;')).toEqual(['Yes No']);
    expect(scan('export const A = () => <input placeholder={`Type here`} />;')).toEqual(['Type here']);
    expect(scan("b.textContent = 'Save'; el.setAttribute('aria-label', 'Close it');", 'x.ts')).toEqual([
      'Save',
      'Close it',
    ]);
    expect(scan("browser.action.setTitle({ tabId, title: 'Not private' });", 'x.ts')).toEqual([
      'Not private',
    ]);
    expect(scan("const STEP = { one: 'Click the message box' };", 'x.ts')).toEqual(['Click the message box']);
  });

  it('lets through t() calls, brand names, code-only strings and developer messages', () => {
    expect(scan("export const A = () => <p title={t('x')}>{t('y')} <b>offrecord</b> · OTR</p>;")).toEqual([]);
    expect(scan('export const A = () => <p class="level private" data-x="two words">{n}</p>;')).toEqual([]);
    expect(
      scan(
        "if (a === 'two words') throw new Error('bad thing happened'); console.log('some words'); import x from 'a b';",
        'x.ts',
      ),
    ).toEqual([]);
    expect(
      scan(
        "const s = { compose: 'converse-message-form textarea.chat-textarea', u: 'https://a.example/x y' };",
        'x.ts',
      ),
    ).toEqual([]);
    expect(scan("style.textContent = ':host { display: block } .p { all: initial }';", 'x.ts')).toEqual([]);
    expect(scan(`const T = { mono: 'ui-monospace, "DejaVu Sans Mono", Menlo, monospace' };`, 'x.ts')).toEqual(
      [],
    );
    expect(scan('// i18n-exempt: test builds only\nexport const A = () => <p>Count a click</p>;')).toEqual(
      [],
    );
    expect(isWords('OTR · offrecord')).toBe(false);
    expect(isWords('42 %')).toBe(false);
  });

  it('UI code draws no emoji as icons (they render as empty boxes without an emoji font)', () => {
    const found: string[] = [];
    for (const dir of UI_DIRS) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/\p{Extended_Pictographic}/gu)) {
          found.push(`${relative(ROOT, file)}: ${m[0]}`);
        }
      }
    }
    for (const lang of ['en', 'de']) {
      for (const [key, entry] of Object.entries(read(lang))) {
        if (/\p{Extended_Pictographic}/u.test(entry.message)) found.push(`${lang}: ${key}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('UI code has no hard-coded user-visible text (beyond a known debt, empty now)', () => {
    const found: [string, string][] = [];
    for (const dir of UI_DIRS) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        const rel = relative(ROOT, file);
        for (const f of findHardCodedStrings(rel, readFileSync(file, 'utf8'), { prose: true })) {
          found.push([rel, f.text]);
        }
      }
    }
    const key = ([f, t]: [string, string]) => `${f}: ${t}`;
    const known = new Set(KNOWN_UNLOCALIZED.map(key));
    const foundKeys = new Set(found.map(key));
    const added = found.map(key).filter((k) => !known.has(k));
    const fixed = [...known].filter((k) => !foundKeys.has(k));
    expect({ added, fixed }).toEqual({ added: [], fixed: [] });
  });
});
