/**
 * The compose writers (content-scripts/sites/compose.ts) on chat pages built from the real editor
 * packages (test/fixtures/editors): Lexical, slate-react, Draft.js, ProseMirror, Tiptap, Quill 2.
 * Each page sends what ITS EDITOR'S OWN STATE holds, so a line counts only when the framework
 * took it. The writer runs in the page (bundled with esbuild), while the user's focus is in
 * another field of the page (as when the user types elsewhere, or in the side panel): it must
 * write, send, leave the editor empty, not keep the focus or the selection, never send twice, and
 * never overwrite a draft the user typed. The full private conversation through the extension
 * on the same pages is editors-chromium.test.ts.
 */
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildFixturePages,
  COMPOSE_SELECTOR,
  EDITOR_FRAMEWORKS,
  type EditorFramework,
  type FixturePage,
} from '../fixtures/editors/build';
import { type EditorChat, startEditorChat } from '../fixtures/editors/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './lib/browsers.js';
import { waitFor } from './lib/ngircd.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');

async function writerSource(): Promise<string> {
  const { build } = await import('esbuild');
  const out = await build({
    stdin: {
      contents: "export { composeAndSend, boxText, ComposeError } from './content-scripts/sites/compose.ts';",
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: '__offrecordCompose',
    target: 'es2022',
  });
  return out.outputFiles[0]?.text ?? '';
}

interface Written {
  ok: boolean;
  error: string | null;
}

/** composeAndSend in the page on the fixture's editor. */
async function write(
  page: Page,
  fw: EditorFramework,
  text: string,
  rule: 'enter' | 'button',
): Promise<Written> {
  return page.evaluate(
    async ({ sel, text, rule }) => {
      // biome-ignore lint/suspicious/noExplicitAny: the bundle's global, set by writerSource()
      const lib = (globalThis as any).__offrecordCompose;
      const box = document.querySelector(sel);
      try {
        const ok = await lib.composeAndSend(
          document,
          box,
          text,
          rule === 'enter' ? 'enter' : { button: '#send' },
        );
        return { ok, error: null };
      } catch (e) {
        return { ok: false, error: String(e) };
      }
    },
    { sel: COMPOSE_SELECTOR[fw], text, rule },
  );
}

/** What the editor's own state holds (the fixture asks its framework). */
function editorText(page: Page): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
  return page.evaluate(() => (globalThis as any).__fixture.text() as string);
}

function sentByPage(page: Page): Promise<string[]> {
  // biome-ignore lint/suspicious/noExplicitAny: the fixture's hook
  return page.evaluate(() => [...(globalThis as any).__fixture.sent] as string[]);
}

describe('compose writers on real editor frameworks (Chromium, no extension)', () => {
  let browser: Browser;
  let scripts: Record<FixturePage, string>;
  let writer: string;

  beforeAll(async () => {
    [scripts, writer] = await Promise.all([buildFixturePages(), writerSource()]);
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  for (const fw of EDITOR_FRAMEWORKS) {
    it(`${fw}: writes and sends without the focus, leaves nothing behind, never overwrites a draft`, async () => {
      const chat: EditorChat = await startEditorChat(fw, scripts[fw]);
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      try {
        await page.goto(chat.pageUrl('alice', 'bob'));
        await page.waitForSelector('html[data-loaded="true"]');
        const editor = page.locator(COMPOSE_SELECTOR[fw]);
        const fromAlice = () =>
          chat
            .lines()
            .filter((l) => l.from === 'alice')
            .map((l) => l.text);

        // The page is a real chat: the user's own typing is sent from the editor's state.
        await editor.click();
        await page.keyboard.type('hello from the keyboard');
        await page.keyboard.press('Enter');
        await waitFor('the typed line sent', async () => (fromAlice().length === 1 ? true : undefined));
        expect(fromAlice()).toEqual(['hello from the keyboard']);
        expect(await editorText(page)).toBe('');

        await page.evaluate(writer);
        // The empty editor shows its placeholder: not a draft.
        expect(
          await page.evaluate((s) => {
            // biome-ignore lint/suspicious/noExplicitAny: the bundle's global
            return (globalThis as any).__offrecordCompose.boxText(document.querySelector(s));
          }, COMPOSE_SELECTOR[fw]),
        ).toBe('');

        // The user is in another field of the page (the search box) with text in it.
        const search = page.locator('#elsewhere');
        await search.click();
        await search.fill('searching');
        const lines = [
          '?OTR:AAMDshortline.',
          `?OTR:AAMD${'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo'.repeat(40)}.`,
          '?OTR|5c0f8a3e|7d1a2b4c,00001,00003,first fragment part,',
        ];
        for (const [i, line] of lines.entries()) {
          const rule = fw === 'tiptap' && i === 1 ? 'button' : 'enter';
          expect(await write(page, fw, line, rule)).toEqual({ ok: true, error: null });
          expect(await editorText(page)).toBe('');
          expect(await page.evaluate(() => document.activeElement?.id)).toBe('elsewhere');
        }
        await waitFor('every line at the relay', async () => (fromAlice().length === 4 ? true : undefined));
        expect(fromAlice()).toEqual(['hello from the keyboard', ...lines]);
        expect(await sentByPage(page)).toEqual(['hello from the keyboard', ...lines]);
        expect(await search.inputValue()).toBe('searching');

        // In private mode the site's box is inert: still written, and inert again afterwards.
        await page.evaluate(() => document.querySelector('.composer')?.setAttribute('inert', ''));
        expect(await write(page, fw, '?OTR:AAMDinert.', 'enter')).toEqual({ ok: true, error: null });
        expect(await page.evaluate(() => document.querySelector('.composer')?.hasAttribute('inert'))).toBe(
          true,
        );
        await page.evaluate(() => document.querySelector('.composer')?.removeAttribute('inert'));
        expect(await editorText(page)).toBe('');

        // A draft the user typed is never overwritten.
        await editor.click();
        await page.keyboard.type('my own draft');
        await search.click();
        const refused = await write(page, fw, '?OTR:AAMDnotoverthedraft.', 'enter');
        expect(refused.ok).toBe(false);
        expect(refused.error).toMatch(/draft/);
        expect(await editorText(page)).toBe('my own draft');
        await new Promise((r) => setTimeout(r, 200));
        expect(fromAlice()).toHaveLength(5);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        await chat.close();
      }
    });
  }
});
