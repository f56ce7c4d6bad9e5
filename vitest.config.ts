import { defineConfig } from 'vitest/config';

// One runner for every kind of test, so `npm test` can count them all:
//   unit    — pure code, fast, no processes
//   interop — against real libotr (C peer built by the setup) through tools/otr-peer
//   e2e     — the built extension in real Chromium and Firefox, real web chats on 127.0.0.1
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 60_000 } },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['scripts/e2e-global-setup.mjs'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
