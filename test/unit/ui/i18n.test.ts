// Every user-visible string comes from _locales through t(), in English AND German:
// - both locales have exactly the same keys, each a non-empty message with the same $1…$9;
// - a German message equal to the English one is a name, listed below (a copy is not a translation);
// - UI code holds no hard-coded user-visible text (test/lib/ui-strings.ts says what counts).
//
// KNOWN_UNLOCALIZED is the debt found when this test was written (issue 16): it may only shrink.
// A string found that is not on it fails (someone added one); an entry no longer found fails too
// (take it off the list, so the list stays the truth).

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findHardCodedStrings, isWords } from '../../lib/ui-strings';

const ROOT = resolve(import.meta.dirname, '../../..');
type Messages = Record<string, { message: string; description?: string; placeholders?: unknown }>;
const read = (lang: string): Messages =>
  JSON.parse(readFileSync(join(ROOT, '_locales', lang, 'messages.json'), 'utf8')) as Messages;

/** German messages that are the same word as in English: names and words German borrowed. */
const SAME_IN_GERMAN = new Set(['extName', 'status', 'actionsGroup', 'policySaved', 'profileName']);

/** Directories whose .ts/.tsx files are UI code or feed text to it. */
const UI_DIRS = ['extension', 'content-scripts'];

const KNOWN_UNLOCALIZED: [string, string][] = [
  ['extension/background/badge.ts', 'offrecord: not active on this page'],
  ['extension/background/badge.ts', 'offrecord: active on this page, not private'],
  ['extension/background/badge.ts', 'offrecord: private, buddy NOT verified'],
  ['extension/background/badge.ts', 'offrecord: private, buddy verified'],
  ['extension/background/badge.ts', 'offrecord: your buddy ended the private conversation'],
  ['extension/background/badge.ts', "offrecord: your buddy's key CHANGED — verify before trusting"],
  ['extension/background/badge.ts', 'offrecord: your buddy asks you to verify (SMP)'],
  ['extension/background/index.ts', 'refused: not a valid request for this port'],
  ['extension/background/router.ts', 'This is a group chat: OTR is for two people.'],
  ['extension/background/router.ts', 'No one-to-one chat is open.'],
  ['extension/background/router.ts', "offrecord can't find this chat's compose box."],
  ['extension/background/router.ts', "offrecord can't find this chat's messages."],
  ['extension/background/router.ts', 'No one-to-one chat is open in that tab.'],
  ['extension/options/Options.tsx', 'prpl-irc'],
  ['extension/popup/Popup.tsx', 'Content script'],
  ['extension/popup/Popup.tsx', 'offrecord active offrecord not active'],
  ['extension/popup/Popup.tsx', 'Badge'],
  ['extension/popup/Popup.tsx', 'off'],
  ['extension/popup/Popup.tsx', 'Clicks'],
  ['extension/popup/Popup.tsx', 'Count a click'],
  ['extension/shared/port-client.ts', 'disconnected from the background'],
  ['content-scripts/overlay/index.ts', '🔒 encrypted message'],
  ['content-scripts/overlay/index.ts', '🔒 Go private'],
  ['content-scripts/overlay/index.ts', 'Start a private (OTR) conversation in this chat'],
  ['content-scripts/overlay/index.ts', 'private mode needs the chat’s compose box, which was not found'],
  ['content-scripts/picker/machine.ts', 'Click the message box (where you type)'],
  ['content-scripts/picker/machine.ts', 'Click a message from your buddy'],
  ['content-scripts/picker/machine.ts', 'Click one of your own messages'],
  ['content-scripts/picker/machine.ts', 'Check what offrecord found, then save it for this site'],
  ['content-scripts/picker/machine.ts', 'That is not a text box: click where you type your messages.'],
  ['content-scripts/picker/machine.ts', 'That is the message box: click a message in the conversation.'],
  ['content-scripts/picker/machine.ts', "That is your buddy's message again: click one of your own."],
  ['content-scripts/picker/machine.ts', 'offrecord could not make sense of these picks'],
  ['content-scripts/picker/machine.ts', 'rows matching'],
  ['content-scripts/picker/machine.ts', 'rows containing'],
  ['content-scripts/picker/machine.ts', 'not found'],
  ['content-scripts/picker/ui.ts', 'offrecord: show where the chat is'],
  ['content-scripts/picker/ui.ts', 'Save'],
  ['content-scripts/picker/ui.ts', 'Pick again'],
  ['content-scripts/picker/ui.ts', 'Cancel'],
  [
    'content-scripts/sites/converse.ts',
    'This is a group chat (multi-user chat room): OTR is for two people.',
  ],
  ['content-scripts/sites/generic.ts', 'multi-line editor'],
  ['content-scripts/sites/generic.ts', 'named like a message box'],
  ['content-scripts/sites/generic.ts', 'named like a message list'],
  ['content-scripts/sites/index.ts', 'This is a channel: OTR is for two people.'],
  ['content-scripts/sites/index.ts', 'no message box found'],
  ['content-scripts/sites/index.ts', 'no message list found'],
  ['content-scripts/sites/profile-adapter.ts', 'unknown problem'],
  [
    'content-scripts/sites/profile-adapter.ts',
    'offrecord cannot tell who your buddy is here yet: no message from them is in vie',
  ],
  [
    'content-scripts/sites/profile-adapter.ts',
    'offrecord does not know your name on this site yet: one of your own messages mus',
  ],
];

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
    expect(scan('// i18n-exempt: test builds only\nexport const A = () => <p>Count a click</p>;')).toEqual(
      [],
    );
    expect(isWords('OTR · offrecord')).toBe(false);
    expect(isWords('42 %')).toBe(false);
  });

  it('UI code has none beyond the known debt, and the known debt is still there', () => {
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
