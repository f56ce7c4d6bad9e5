// Reading extension/shared/tokens.css and computing WCAG contrast, for the tokens tests.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const TOKENS_CSS = readFileSync(
  resolve(import.meta.dirname, '../../../extension/shared/tokens.css'),
  'utf8',
);

/** The custom properties declared in a block of declarations. */
export function declarations(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of block.matchAll(/(--or-[a-z0-9-]+)\s*:\s*([^;]+);/g))
    out.set(m[1] as string, (m[2] as string).trim());
  return out;
}

/** Light: the top-level :root block. Dark: light overridden by the prefers-color-scheme: dark block. */
export function schemes(css: string): { light: Map<string, string>; dark: Map<string, string> } {
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
export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}
