// The design tokens' colours, read from extension/shared/tokens.css itself, meet WCAG AA in the
// light and the dark scheme: what the status pill, the status words and the text are drawn with.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const CSS = readFileSync(resolve(import.meta.dirname, '../../../extension/shared/tokens.css'), 'utf8');

/** The custom properties declared in a block of declarations. */
function declarations(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.matchAll(/(--or-[a-z0-9-]+)\s*:\s*([^;]+);/g))
    out.set(m[1] as string, (m[2] as string).trim());
  return out;
}

/** Light: the top-level :root block. Dark: light overridden by the prefers-color-scheme: dark block. */
function schemes(css: string): { light: Map<string, string>; dark: Map<string, string> } {
  const noComments = css.replace(/\/\*[\s\S]*?\*\//g, '');
  const darkAt = noComments.indexOf('@media (prefers-color-scheme: dark)');
  if (darkAt < 0) throw new Error('tokens.css has no dark block');
  const lightBlock = /:root\s*\{([^}]*)\}/.exec(noComments.slice(0, darkAt));
  const darkBlock = /:root\s*\{([^}]*)\}/.exec(noComments.slice(darkAt));
  if (!lightBlock || !darkBlock) throw new Error('tokens.css: :root blocks not found');
  const light = declarations(lightBlock[1] as string);
  const dark = new Map([...light, ...declarations(darkBlock[1] as string)]);
  return { light, dark };
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

function luminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => channel(Number.parseInt(h as string, 16))) as [
    number,
    number,
    number,
  ];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio. */
function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

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
