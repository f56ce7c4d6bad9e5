// The design tokens' colours, read from extension/shared/tokens.css itself, meet WCAG AA in the
// light and the dark scheme: what the status pill, the status words and the text are drawn with.

import { describe, expect, it } from 'vitest';
import { TOKENS_CSS as CSS, contrast, declarations, schemes } from './tokens-lib';

const BACKGROUNDS = ['--or-bg', '--or-surface', '--or-surface-2'];
const STATUSES = ['not-private', 'unverified', 'private', 'finished', 'attention'];
const COLOUR_TOKEN =
  /^--or-(bg|surface|surface-2|text|text-muted|line|border|accent|on-accent|focus|danger|danger-bg|on-status|not-private|unverified|private|finished|attention)(-bg)?$/;

describe('design tokens', () => {
  it('computes contrast as WCAG does (known pairs)', () => {
    expect(contrast('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrast('#ffffff', '#ffffff')).toBe(1);
  });

  const { light, dark } = schemes(CSS);
  it('declares the same tokens with hex colours in both schemes, dark overriding every colour', () => {
    const darkOwn = declarations(/@media \(prefers-color-scheme: dark\)[\s\S]*/.exec(CSS)?.[0] ?? '');
    for (const [name, value] of light) {
      if (!COLOUR_TOKEN.test(name)) continue;
      expect(value, name).toMatch(/^#[0-9a-f]{6}$/i);
      expect(darkOwn.get(name), `${name} in dark`).toMatch(/^#[0-9a-f]{6}$/i);
    }
    for (const s of STATUSES) {
      expect(light.has(`--or-${s}`), s).toBe(true);
      expect(light.has(`--or-${s}-bg`), s).toBe(true);
    }
    for (const scale of ['--or-space-1', '--or-space-6', '--or-text-xs', '--or-text-2xl', '--or-radius-md']) {
      expect(light.has(scale), scale).toBe(true);
    }
  });

  for (const [scheme, vars] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    const v = (name: string): string => {
      const value = vars.get(name);
      if (!value) throw new Error(`${name} missing in ${scheme}`);
      return value;
    };
    describe(scheme, () => {
      it('text, muted text and links reach 4.5:1 on every background', () => {
        for (const bg of BACKGROUNDS) {
          for (const fg of ['--or-text', '--or-text-muted', '--or-accent', '--or-danger']) {
            expect(contrast(v(fg), v(bg)), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
          }
        }
        expect(contrast(v('--or-on-accent'), v('--or-accent'))).toBeGreaterThanOrEqual(4.5);
        expect(contrast(v('--or-danger'), v('--or-danger-bg'))).toBeGreaterThanOrEqual(4.5);
      });

      for (const s of STATUSES) {
        it(`status ${s} reaches 4.5:1 as text, on its soft background and as a solid pill`, () => {
          for (const bg of [...BACKGROUNDS, `--or-${s}-bg`]) {
            expect(contrast(v(`--or-${s}`), v(bg)), `--or-${s} on ${bg}`).toBeGreaterThanOrEqual(4.5);
          }
          expect(contrast(v('--or-text'), v(`--or-${s}-bg`)), `text on --or-${s}-bg`).toBeGreaterThanOrEqual(
            4.5,
          );
          expect(contrast(v('--or-on-status'), v(`--or-${s}`)), `pill ${s}`).toBeGreaterThanOrEqual(4.5);
        });
      }

      it('control borders and the focus ring reach 3:1 (non-text contrast)', () => {
        for (const bg of BACKGROUNDS) {
          expect(contrast(v('--or-border'), v(bg)), `border on ${bg}`).toBeGreaterThanOrEqual(3);
          expect(contrast(v('--or-focus'), v(bg)), `focus on ${bg}`).toBeGreaterThanOrEqual(3);
        }
      });
    });
  }
});
