/**
 * A person on Converse.js for the private-mode e2e suites: a Chromium profile with the built
 * test-flavor extension, signed in to Converse (optionally with a chosen XMPP resource), in the
 * one-to-one chat with a buddy. Shaped like the Lounge suites' `Person`, so their popup-relay and
 * secure-frame helpers (test/e2e/lounge-private-helpers.ts) drive it the same way.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright';
import { type Person, tabIdOf } from '../lounge-private-helpers.js';
import { extensionDir, launchChromium } from './browsers.js';
import { converseLogin, converseOpenChat, converseSignIn } from './converse.js';
import { waitFor } from './ngircd.js';

export interface ConversePerson extends Person {
  /** The JID signed in with (bare, or full with a chosen resource). */
  jid: string;
  /** The buddy's bare JID. */
  peer: string;
  /** Reloads the page, signs in again and reopens the chat with the buddy. */
  reload(): Promise<void>;
}

/**
 * A private copy of the built test-flavor extension: other suites running at the same time rebuild
 * dist/ when sources change, and a browser reading a folder being rebuilt loses files.
 * `OFFRECORD_CHROME_EXTENSION=DIR` copies another build instead (one made from a clean checkout).
 */
export function snapshotExtension(): { dir: string; remove(): void } {
  const from = process.env.OFFRECORD_CHROME_EXTENSION || extensionDir('chrome');
  if (!existsSync(join(from, 'manifest.json'))) throw new Error(`no built extension in ${from}`);
  const root = mkdtempSync(join(tmpdir(), 'offrecord-ext-'));
  const dir = join(root, 'chrome-test');
  cpSync(from, dir, { recursive: true });
  return { dir, remove: () => rmSync(root, { recursive: true, force: true }) };
}

export async function openConversePerson(opts: {
  pageUrl: string;
  /** The unpacked extension to load (default dist/chrome-test). */
  extensionDir?: string;
  /** `name@domain` or `name@domain/resource`. */
  jid: string;
  password: string;
  peer: string;
}): Promise<ConversePerson> {
  const ext = await launchChromium({
    extensionDir: opts.extensionDir ?? extensionDir('chrome'),
    args: ['--window-size=1100,800'],
  });
  try {
    const page = ext.context.pages()[0] ?? (await ext.context.newPage());
    await page.setViewportSize({ width: 1100, height: 760 });
    await converseLogin(page, opts.pageUrl, opts.jid, opts.password);
    await converseOpenChat(page, opts.peer);
    const tabId = await tabIdOf(ext, opts.pageUrl.split('?')[0] as string);
    const name = opts.jid.split('@')[0] as string;
    return {
      user: { name, password: opts.password },
      nick: opts.jid,
      jid: opts.jid,
      peer: opts.peer,
      ext,
      page,
      tabId,
      close: () => ext.close(),
      reload: async () => {
        // Reloaded on `#converse/chat?jid=…` Converse 14 only shows its "About" splash (the route
        // runs before anyone is signed in): reload the page's own URL without the route.
        await page.evaluate(() => history.replaceState(null, '', location.pathname + location.search));
        await page.reload();
        await signInAgain(page, opts.jid, opts.password);
        await converseOpenChat(page, opts.peer);
      },
    };
  } catch (e) {
    await ext.close();
    throw e;
  }
}

/** After a reload Converse shows its login form again (no stored credentials): sign in. */
async function signInAgain(page: Page, jid: string, password: string): Promise<void> {
  const form = await waitFor(
    'the login form or the roster after the reload',
    async () =>
      page.evaluate(() =>
        document.querySelector('converse-login-form input[name="jid"]')
          ? 'form'
          : document.querySelector('converse-roster')
            ? 'roster'
            : undefined,
      ),
    30_000,
    100,
  );
  if (form === 'form') await converseSignIn(page, jid, password);
}
