// Draws offrecord's icons with the real Chromium (no image library): the store/toolbar icon from
// its SVG source (extension/icons/offrecord.svg) and the toolbar status icons from the shapes in
// extension/shared/icon-shapes.ts (also written out as SVG files in extension/icons/status/).
//
//   npm run icons            writes the files
//   npm run icons -- --check exits 1 when a file on disk differs from what it would write
//
// The PNGs go to public/icons/ (vite copies public/ into every build as is).

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { SHAPES, STROKE, type StatusShape } from '../extension/shared/icon-shapes';

const ROOT = resolve(import.meta.dirname, '..');
export const LOGO_SIZES = [16, 32, 48, 128] as const;
export const STATUS_SIZES = [16, 32] as const;
export const STATUS_SHAPES: StatusShape[] = ['not-private', 'unverified', 'private', 'finished', 'attention'];

/** Light-scheme status colours of extension/shared/tokens.css (the toolbar has no colour scheme of its own). */
function statusColours(): Record<StatusShape, string> {
  const css = readFileSync(join(ROOT, 'extension/shared/tokens.css'), 'utf8');
  const light = css.slice(0, css.indexOf('@media'));
  const colour = (name: string): string => {
    const m = new RegExp(`--or-${name}:\\s*(#[0-9a-f]{6})`, 'i').exec(light);
    if (!m) throw new Error(`tokens.css: --or-${name} not found`);
    return m[1] as string;
  };
  return Object.fromEntries(STATUS_SHAPES.map((s) => [s, colour(s)])) as Record<StatusShape, string>;
}

/** A status icon as an SVG document: the shape in its colour, a white halo so it stands out on dark toolbars too. */
export function statusSvg(shape: StatusShape, colour: string): string {
  const parts = SHAPES[shape];
  const halo = parts
    .filter((p) => p.paint === 'fill' || p.paint === 'stroke')
    .map(
      (p) =>
        `<path d="${p.d}" fill="${p.paint === 'fill' ? '#ffffff' : 'none'}" stroke="#ffffff" stroke-width="${p.paint === 'fill' ? 3 : STROKE + 3}" stroke-linecap="round" stroke-linejoin="round"/>`,
    );
  const body = parts.map((p) => {
    const fill = p.paint === 'fill' ? colour : p.paint === 'cut' ? '#ffffff' : 'none';
    const stroke = p.paint === 'stroke' ? colour : p.paint === 'cut-stroke' ? '#ffffff' : 'none';
    const width = p.paint === 'stroke' || p.paint === 'cut-stroke' ? ` stroke-width="${STROKE}"` : '';
    return `<path d="${p.d}" fill="${fill}" stroke="${stroke}"${width} stroke-linecap="round" stroke-linejoin="round"/>`;
  });
  return [
    '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="-1 -1 34 34">',
    `  <title>offrecord: ${shape}</title>`,
    ...halo.map((l) => `  ${l}`),
    ...body.map((l) => `  ${l}`),
    '</svg>',
    '',
  ].join('\n');
}

export interface IconFile {
  path: string;
  bytes: Buffer;
}

/** Every icon file, rendered by Chromium. */
export async function renderIcons(): Promise<IconFile[]> {
  const files: IconFile[] = [];
  const colours = statusColours();
  const sources: { svg: string; out: (size: number) => string; sizes: readonly number[] }[] = [
    {
      svg: readFileSync(join(ROOT, 'extension/icons/offrecord.svg'), 'utf8'),
      out: (n) => `public/icons/offrecord-${n}.png`,
      sizes: LOGO_SIZES,
    },
  ];
  for (const shape of STATUS_SHAPES) {
    const svg = statusSvg(shape, colours[shape]);
    files.push({ path: `extension/icons/status/${shape}.svg`, bytes: Buffer.from(svg) });
    sources.push({ svg, out: (n) => `public/icons/status/${shape}-${n}.png`, sizes: STATUS_SIZES });
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
  try {
    const page = await browser.newPage({ deviceScaleFactor: 1 });
    for (const src of sources) {
      const data = `data:image/svg+xml;base64,${Buffer.from(src.svg).toString('base64')}`;
      for (const size of src.sizes) {
        await page.setViewportSize({ width: size, height: size });
        await page.setContent(
          `<html><body style="margin:0;background:transparent"><img src="${data}" width="${size}" height="${size}" style="display:block"></body></html>`,
        );
        await page.locator('img').evaluate((img: HTMLImageElement) => img.decode());
        const bytes = await page.screenshot({
          omitBackground: true,
          clip: { x: 0, y: 0, width: size, height: size },
        });
        files.push({ path: src.out(size), bytes });
      }
    }
  } finally {
    await browser.close();
  }
  return files;
}

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  const files = await renderIcons();
  const stale: string[] = [];
  for (const f of files) {
    const path = join(ROOT, f.path);
    let old: Buffer | null = null;
    try {
      old = readFileSync(path);
    } catch {
      old = null;
    }
    if (old?.equals(f.bytes)) continue;
    if (check) {
      stale.push(f.path);
      continue;
    }
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.bytes);
    console.log(`wrote ${f.path}`);
  }
  if (stale.length > 0) {
    console.error(`icons out of date (run npm run icons): ${stale.join(', ')}`);
    process.exit(1);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) await main();
