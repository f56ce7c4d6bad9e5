// The toolbar badge's look: a different icon shape per status, short badge text that fits in
// both languages, the status word in the tooltip, colours equal to the design tokens.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BADGE_COLOURS, badgeFor, badgeLook, iconPaths } from '../../../extension/background/badge-status';
import { BADGE_ALERTS, BADGE_STATUSES } from '../../../extension/shared/messages';

const ROOT = resolve(import.meta.dirname, '../../..');
type Messages = Record<string, { message: string }>;
const locale = (lang: string): Messages =>
  JSON.parse(readFileSync(join(ROOT, '_locales', lang, 'messages.json'), 'utf8')) as Messages;

const WORD_OF = {
  ready: 'levelNotPrivate',
  unverified: 'levelUnverified',
  private: 'levelPrivate',
  finished: 'levelFinished',
} as const;

describe('badge look', () => {
  it('gives every status and alert its own icon shape, and the PNGs exist', () => {
    const shapes = [...BADGE_STATUSES.map((s) => badgeLook(s).shape), badgeLook('private', '!').shape];
    expect(new Set(shapes).size).toBe(shapes.length);
    for (const status of BADGE_STATUSES) {
      for (const alert of BADGE_ALERTS) {
        for (const path of Object.values(iconPaths(badgeLook(status, alert).shape))) {
          expect(() => readFileSync(join(ROOT, 'public', path)), path).not.toThrow();
        }
      }
    }
  });

  for (const lang of ['en', 'de']) {
    it(`${lang}: badge text fits (≤ 4 characters) and the tooltip names the status in its word`, () => {
      const m = locale(lang);
      for (const status of BADGE_STATUSES) {
        for (const alert of BADGE_ALERTS) {
          const look = badgeLook(status, alert);
          if (look.text !== '')
            expect([...(m[look.text]?.message ?? 'xxxxx')].length, look.text).toBeLessThanOrEqual(4);
          expect(m[look.title]?.message, look.title).toBeTruthy();
        }
        if (status !== 'off') {
          const word = m[WORD_OF[status]]?.message as string;
          expect(m[badgeLook(status).title]?.message, status).toContain(word);
        }
      }
      // Unverified and private differ in words too, not only in shape and colour.
      expect(m[badgeLook('unverified').text as string]?.message).not.toBe(
        m[badgeLook('private').text as string]?.message,
      );
    });
  }

  it('uses the light status colours of tokens.css', () => {
    const css = readFileSync(join(ROOT, 'extension/shared/tokens.css'), 'utf8');
    const light = css.slice(0, css.indexOf('@media'));
    for (const [name, hex] of Object.entries(BADGE_COLOURS)) {
      expect(new RegExp(`--or-${name}:\\s*${hex};`, 'i').test(light), name).toBe(true);
    }
  });

  it('maps conversation states to the four statuses', () => {
    expect(badgeFor(null)).toBe('ready');
    const base = { state: 'encrypted', trust: '' } as Parameters<typeof badgeFor>[0];
    expect(badgeFor(base)).toBe('unverified');
    expect(badgeFor({ ...base, trust: 'smp' } as Parameters<typeof badgeFor>[0])).toBe('private');
    expect(badgeFor({ ...base, state: 'finished' } as Parameters<typeof badgeFor>[0])).toBe('finished');
  });
});
