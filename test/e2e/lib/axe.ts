// axe-core in an extension page (popup, options, panel, help), Chromium or Firefox: evaluated over
// the driver (CDP or BiDi), since the pages' CSP forbids injected script tags.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page as PlaywrightPage } from '@playwright/test';
import type { Page as PuppeteerPage } from 'puppeteer-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/** axe's serious and critical violations on the page (WCAG 2.1 A/AA and best practice), one line each. */
export async function seriousViolations(page: PlaywrightPage | PuppeteerPage): Promise<string[]> {
  // Both take a function or a source text; the page is either kind, the call the same.
  const p = page as PlaywrightPage;
  await p.evaluate(AXE_SOURCE);
  const violations = (await p.evaluate(async () => {
    const axe = (
      globalThis as unknown as {
        axe: { run(ctx: Document, opts: unknown): Promise<{ violations: unknown[] }> };
      }
    ).axe;
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return r.violations;
  })) as Violation[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`,
    );
}
