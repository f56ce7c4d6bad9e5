#!/usr/bin/env node
// `npm test`: every check and every test, one summary.
//   biome check .  ·  tools/check-no-html.mjs  ·  tsc --noEmit  ·  build (all flavors, zips)
//   ·  web-ext lint dist/firefox (0 errors)  ·  vitest run (unit, interop, e2e)
// Each check counts as 1 passed or 1 failed; each vitest test counts itself (a test file that
// fails to load counts 1 failed). The LAST line printed is exactly "N passed, N failed"; the exit
// code is non-zero when anything failed. Arguments after `--` go to vitest
// (e.g. `npm test -- --project unit`). The vitest JSON report lands in test-results/vitest.json.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureAptPackages, ensureIrcdHybrid, ensureNodeModules } from './ensure-deps.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');
const REPORT = join(ROOT, 'test-results', 'vitest.json');

let passed = 0;
let failed = 0;
const failures = [];

function banner(name) {
  console.log(`\n=== ${name} ===`);
}

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', encoding: 'utf8', ...opts });
}

function check(name, ok) {
  if (ok) passed++;
  else {
    failed++;
    failures.push(name);
  }
  console.log(`--- ${name}: ${ok ? 'ok' : 'FAILED'}`);
}

function step(name, cmd, args) {
  banner(name);
  const r = run(cmd, args);
  check(name, r.status === 0);
  return r.status === 0;
}

// A fresh clone on a fresh machine: install what is missing first (npm packages; Debian's when root).
try {
  ensureNodeModules();
  ensureAptPackages();
  // ircd-hybrid (the flood-limit e2e) conflicts with ngircd: unpacked, not installed.
  ensureIrcdHybrid();
} catch (e) {
  console.error(`npm test: ${e.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

step('biome check', join(BIN, 'biome'), ['check', '.']);
step('check-no-html', process.execPath, [join(ROOT, 'tools/check-no-html.mjs')]);
step('typecheck', join(BIN, 'tsc'), ['--noEmit', '-p', '.']);
const built = step('build', process.execPath, [
  join(ROOT, 'scripts/build.mjs'),
  '--flavor',
  'all',
  '--quiet',
]);

banner('web-ext lint dist/firefox');
if (!built) check('web-ext lint', false);
else {
  const r = run(
    join(BIN, 'web-ext'),
    ['lint', '--source-dir', 'dist/firefox', '--output', 'json', '--no-config-discovery'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let report = null;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    process.stdout.write(r.stdout ?? '');
  }
  if (report) {
    for (const kind of ['errors', 'warnings']) {
      for (const m of report[kind] ?? [])
        console.log(`${kind.slice(0, -1)}: ${m.code} ${m.message} (${m.file ?? ''})`);
    }
    console.log(`web-ext lint: ${report.summary.errors} errors, ${report.summary.warnings} warnings`);
  }
  check('web-ext lint', report !== null && report.summary.errors === 0);
}

banner('vitest');
mkdirSync(dirname(REPORT), { recursive: true });
rmSync(REPORT, { force: true });
const extra = process.argv.slice(2);
// A hung test run must not hang CI: stop it after OFFRECORD_VITEST_TIMEOUT_MIN minutes (default 60).
const minutes = Number(process.env.OFFRECORD_VITEST_TIMEOUT_MIN ?? 60);
const v = run(
  join(BIN, 'vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${REPORT}`, ...extra],
  { timeout: minutes * 60_000, killSignal: 'SIGKILL' },
);
if (v.error) console.log(`vitest: ${v.error.message}`);
if (existsSync(REPORT)) {
  const j = JSON.parse(readFileSync(REPORT, 'utf8'));
  passed += j.numPassedTests ?? 0;
  failed += j.numFailedTests ?? 0;
  // A file that failed to load or whose hooks failed has no failed test to count: count the file.
  for (const f of j.testResults ?? []) {
    const failedTests = (f.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (f.status === 'failed' && failedTests === 0) {
      failed++;
      failures.push(`vitest file ${f.name}`);
    }
  }
  if (
    v.status !== 0 &&
    (j.numFailedTests ?? 0) === 0 &&
    failures.every((f) => !f.startsWith('vitest file'))
  ) {
    failed++;
    failures.push('vitest (non-zero exit)');
  }
  for (const f of j.testResults ?? []) {
    for (const a of f.assertionResults ?? []) if (a.status === 'failed') failures.push(`${a.fullName}`);
  }
} else {
  failed++;
  failures.push('vitest (no report)');
}

if (failures.length > 0) {
  console.log('\nFailed:');
  for (const f of failures) console.log(`  ${f}`);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
