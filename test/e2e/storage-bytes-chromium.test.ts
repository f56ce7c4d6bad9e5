// How Chromium counts storage.session bytes (its QUOTA_BYTES, getBytesInUse) and how we count
// them for the budgets (storedBytes): ours must never be less, or a store within its budgets could
// still hit the browser's quota. Chromium counts the memory of its values, not their JSON: a
// transcript chunk of short entries costs it ~5 times its JSON, a tiny value nothing.

import type { Page } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'webextension-polyfill';
import { chromiumBytes, storedBytes, utf8Length } from '../../src/store/budgets';
import { type ChromiumExtension, extensionDir, launchChromium } from './lib/browsers';

declare const chrome: Browser;

const entry = (i: number, text: string) => ({
  id: `in-${i}`,
  dir: 'in',
  text,
  at: 1_700_000_000_000 + i,
  encrypted: true,
});

/** Entries of every shape offrecord stores, small and large. */
const CASES: [string, string, unknown][] = [
  ['a number', 'k', 1],
  ['a short string', 'k', 'abc'],
  ['a number under a long key', 'a'.repeat(40), 1],
  ['a string of 100 characters', 'k', 'x'.repeat(100)],
  ['a string of 10,000 characters, not ASCII', 'k', 'ü'.repeat(10_000)],
  ['an empty array', 'k', []],
  ['100 numbers', 'k', Array.from({ length: 100 }, (_, i) => i * 1000)],
  ['100 pairs of numbers (the index)', 'txindex', Array.from({ length: 100 }, (_, i) => [i * 1000, i])],
  [
    'a chunk of 100 short entries',
    'tc:0123456789abcdef:0',
    Array.from({ length: 100 }, (_, i) => entry(i, 'hi')),
  ],
  [
    'a chunk of 100 entries of 150 characters',
    'tc:0123456789abcdef:0',
    Array.from({ length: 100 }, (_, i) => entry(i, 'x'.repeat(150))),
  ],
  [
    'a state with 2,000 seen ids',
    'conv:["https://a.example","me","irc","bob"]',
    { v: 2, seen: '0123456789abcdef'.repeat(2000), outbox: [], privateMode: false },
  ],
  [
    'a tab table',
    'tabs',
    {
      '1': {
        url: 'https://a.example/chat',
        origin: 'https://a.example',
        connection: 'c1',
        conversation: {
          account: 'me',
          protocol: 'irc',
          peer: 'bob',
          kind: 'one-to-one',
          reason: null,
          maxMessageSize: 400,
        },
        ref: { site: 'https://a.example', account: 'me', protocol: 'irc', peer: 'bob' },
        privateMode: true,
        badge: 'private',
        alert: '',
      },
    },
  ],
];

describe('storage.session bytes as Chromium counts them (I8)', () => {
  let ext: ChromiumExtension;
  let page: Page;
  beforeAll(async () => {
    ext = await launchChromium({ extensionDir: extensionDir('chrome', 'test') });
    page = await ext.context.newPage();
    await page.goto(`${ext.baseUrl}extension/popup/index.html`);
  });
  afterAll(async () => {
    await ext?.close();
  });

  it('our count is never below Chromium’s, and Chromium’s is what chromiumBytes says', async () => {
    const counted = await page.evaluate(async (cases) => {
      const area = chrome.storage.session as unknown as {
        getBytesInUse(keys: null): Promise<number>;
        clear(): Promise<void>;
      };
      const out: number[] = [];
      for (const [, key, value] of cases) {
        await area.clear();
        await chrome.storage.session.set({ [key]: value });
        out.push(await area.getBytesInUse(null));
      }
      await area.clear();
      return out;
    }, CASES);
    const rows = CASES.map(([name, key, value], i) => ({
      name,
      chromium: counted[i]!,
      json: utf8Length(key) + utf8Length(JSON.stringify(value)),
      model: chromiumBytes(key, value),
      ours: storedBytes(key, value),
    }));
    console.log(
      rows.map((r) => `${r.name}: Chromium ${r.chromium}, key + JSON ${r.json}, ours ${r.ours}`).join('\n'),
    );
    for (const r of rows) {
      expect(r.ours, r.name).toBeGreaterThanOrEqual(r.chromium);
      expect(r.model, r.name).toBe(r.chromium);
    }
  });
});
