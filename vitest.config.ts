import { defineConfig } from 'vitest/config';

// One runner for every kind of test, so `npm test` can count them all:
//   unit    — pure code, fast, no processes
//   interop — against real libotr (C peer built by the setup) through tools/otr-peer
//   e2e     — the built extension in real Chromium and Firefox, real web chats on 127.0.0.1
//
// Order: unit first (both cores), then the e2e files two at a time (most of their time is spent
// waiting on servers, pacing and browsers, not computing; every file starts its own browsers,
// servers and X display on free ports, so two never share anything), then interop alone (it
// computes: AKE and SMP loops). OFFRECORD_E2E_WORKERS=1 runs the e2e files one at a time.
const e2eWorkers = Number(process.env.OFFRECORD_E2E_WORKERS) || 2;

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 60_000,
          maxWorkers: 2,
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['scripts/e2e-global-setup.mjs'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          maxWorkers: e2eWorkers,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'interop',
          include: ['test/interop/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
