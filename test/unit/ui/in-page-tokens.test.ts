// Our UI inside the page's closed shadow roots (the cover, notice and "Go private" button of the
// overlay, a collapsed row's placeholder, the element picker's bar) is drawn with the design
// tokens, light and dark, and nothing of its own: these fail when a colour is written into that
// CSS, when a token it uses does not exist, when the copy of the tokens put into the shadow roots
// (extension/shared/shadow-tokens.ts) differs from tokens.css, or when a foreground/background
// pair the CSS draws falls below WCAG AA in either scheme.

import { Window } from 'happy-dom';
import { beforeAll, describe, expect, it } from 'vitest';
import { createShadowHost } from '../../../content-scripts/overlay/host';
import { PICKER_CSS } from '../../../content-scripts/picker/ui';
import { DARK_TOKENS, LIGHT_TOKENS, shadowTokensCss } from '../../../extension/shared/shadow-tokens';
import { contrast, declarations, schemes, TOKENS_CSS } from './tokens-lib';

let overlay: typeof import('../../../content-scripts/overlay/index.js');
beforeAll(async () => {
  // The overlay loads webextension-polyfill, which only needs an extension id to be present.
  const g = globalThis as unknown as { chrome?: unknown };
  g.chrome ??= { runtime: { id: 'offrecord-unit-test' } };
  overlay = await import('../../../content-scripts/overlay/index.js');
});

const { light, dark } = schemes(TOKENS_CSS);
const darkOwn = declarations(/@media \(prefers-color-scheme: dark\)[\s\S]*/.exec(TOKENS_CSS)?.[0] ?? '');

/** The in-page stylesheets, each with the background its rules without one are drawn on. */
function sheets(): { name: string; css: string; base: string | null }[] {
  return [
    { name: 'overlay', css: overlay.SHADOW_CSS, base: null },
    { name: 'offer', css: overlay.OFFER_CSS, base: null },
    { name: 'placeholder', css: overlay.PLACEHOLDER_CSS, base: null },
    { name: 'picker', css: PICKER_CSS, base: '--or-surface' },
  ];
}

const noComments = (css: string) => css.replace(/\/\*[\s\S]*?\*\//g, '');

/** Rules as selector → declarations text (flat CSS: no nested blocks in these sheets). */
function rules(css: string): { selector: string; body: string }[] {
  return [...noComments(css).matchAll(/([^{}]+)\{([^{}]*)\}/g)].map((m) => ({
    selector: (m[1] as string).trim(),
    body: m[2] as string,
  }));
}

/** The token a property is set to in a rule, when it is exactly var(--or-…). */
function tokenOf(body: string, prop: string): string | null {
  const m = new RegExp(`(?:^|[;\\s])${prop}\\s*:\\s*var\\((--or-[a-z0-9-]+)\\)\\s*(?:;|$)`).exec(body);
  return m ? (m[1] as string) : null;
}

describe('in-page UI on the design tokens', () => {
  it('the shadow roots get exactly the tokens of tokens.css, light and dark', () => {
    const lightHere = new Map(Object.entries(LIGHT_TOKENS).map(([k, v]) => [`--or-${k}`, v]));
    const darkHere = new Map(Object.entries(DARK_TOKENS).map(([k, v]) => [`--or-${k}`, v]));
    expect(lightHere).toEqual(light);
    expect(darkHere).toEqual(darkOwn);
    const all = shadowTokensCss();
    const [lightPart, darkPart] = all.split('@media (prefers-color-scheme: dark)') as [string, string];
    expect(declarations(lightPart)).toEqual(light);
    expect(new Map([...light, ...declarations(darkPart)])).toEqual(dark);
    // A subset (a collapsed row's own shadow root) declares only what it names, in both schemes.
    const few = shadowTokensCss(['text-muted', 'surface-2']);
    expect([...declarations(few.split('@media')[0] as string).keys()]).toEqual([
      '--or-surface-2',
      '--or-text-muted',
    ]);
    expect(few).toContain(`--or-text-muted:${dark.get('--or-text-muted')}`);
  });

  it('every in-page shadow root holds the tokens before its own CSS', () => {
    const doc = new Window().document as unknown as Document;
    const { root } = createShadowHost(doc, 'offrecord-test', '.x{color:var(--or-text)}');
    const style = root.querySelector('style');
    expect(style?.textContent).toBe(`${shadowTokensCss()}.x{color:var(--or-text)}`);
  });

  it('the in-page CSS has no colour of its own and uses only tokens that exist', () => {
    for (const { name, css } of sheets()) {
      const text = noComments(css);
      expect(text, name).not.toMatch(/#[0-9a-f]{3,8}\b/i);
      expect(text, name).not.toMatch(/\b(rgba?|hsla?|hwb|lab|lch|oklab|oklch)\(/i);
      expect(text, name).not.toMatch(/:\s*(white|black|gr[ae]y|red|green|blue)\b/i);
      const used = [...text.matchAll(/var\((--or-[a-z0-9-]+)\)/g)].map((m) => m[1] as string);
      expect(used.length, name).toBeGreaterThan(0);
      for (const v of used) expect(light.has(v), `${name}: ${v}`).toBe(true);
    }
    // The placeholder's root gets only the tokens it names: it must name all it uses.
    const used = [...overlay.PLACEHOLDER_CSS.matchAll(/var\(--or-([a-z0-9-]+)\)/g)].map((m) => m[1]);
    for (const v of used) expect(overlay.PLACEHOLDER_TOKENS, v).toContain(v);
  });

  for (const [scheme, vars] of [
    ['light', light],
    ['dark', dark],
  ] as const) {
    it(`what the in-page UI draws reaches 4.5:1 in ${scheme}`, () => {
      let pairs = 0;
      for (const { name, css, base } of sheets()) {
        for (const r of rules(css)) {
          const fg = tokenOf(r.body, 'color');
          const bg = tokenOf(r.body, 'background') ?? base;
          if (!fg || !bg) continue;
          pairs++;
          const ratio = contrast(vars.get(fg) as string, vars.get(bg) as string);
          expect(ratio, `${name} ${r.selector}: ${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
        }
      }
      // cover, notice, offer, placeholder, bar, error, button, save
      expect(pairs).toBeGreaterThanOrEqual(8);
    });
  }
});
