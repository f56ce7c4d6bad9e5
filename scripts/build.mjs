#!/usr/bin/env node
// Builds the extension from one source for each browser, via vite + @crxjs/vite-plugin.
//   node scripts/build.mjs                   release builds: dist/chrome, dist/firefox + both zips
//   node scripts/build.mjs --flavor test     dist/chrome-test, dist/firefox-test (127.0.0.1 pre-granted)
//   node scripts/build.mjs --flavor all      all four
//   --target chrome|firefox                  one browser only
//   --if-stale                               skip builds whose inputs did not change since the last one
//   --quiet                                  vite's output only on failure
// Each build runs in its own process (crxjs keeps module-level state).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipDirectory } from './zip.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const INPUTS = [
  'manifest.json',
  'vite.config.ts',
  'package-lock.json',
  'extension',
  'content-scripts',
  'src',
];
const STAMPS = join(ROOT, 'build', 'extension-stamps');

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)));
  return newest;
}

function distDir(target, flavor) {
  return join(ROOT, 'dist', flavor === 'test' ? `${target}-test` : target);
}

function isStale(target, flavor) {
  const stamp = join(STAMPS, `${target}-${flavor}`);
  if (!existsSync(stamp) || !existsSync(join(distDir(target, flavor), 'manifest.json'))) return true;
  const inputs = Math.max(...INPUTS.map((p) => newestMtime(join(ROOT, p))));
  return inputs > statSync(stamp).mtimeMs;
}

function parseArgs(argv) {
  const opts = { flavors: ['release'], targets: ['chrome', 'firefox'], ifStale: false, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--flavor') {
      const v = argv[++i];
      opts.flavors = v === 'all' ? ['release', 'test'] : [v];
      if (!['release', 'test', 'all'].includes(v)) throw new Error(`--flavor release|test|all, not ${v}`);
    } else if (a === '--target') {
      const v = argv[++i];
      if (!['chrome', 'firefox'].includes(v)) throw new Error(`--target chrome|firefox, not ${v}`);
      opts.targets = [v];
    } else if (a === '--if-stale') opts.ifStale = true;
    else if (a === '--quiet') opts.quiet = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** Builds what is asked; returns the list of dist folders built. Throws on failure. */
export function build(argv = []) {
  const opts = parseArgs(argv);
  const built = [];
  mkdirSync(STAMPS, { recursive: true });
  for (const flavor of opts.flavors) {
    for (const target of opts.targets) {
      const out = distDir(target, flavor);
      if (opts.ifStale && !isStale(target, flavor)) continue;
      const started = Date.now();
      const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build'], {
        cwd: ROOT,
        env: { ...process.env, TARGET: target, FLAVOR: flavor, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
        encoding: 'utf8',
        stdio: opts.quiet ? 'pipe' : 'inherit',
      });
      if (r.status !== 0) {
        if (opts.quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
        throw new Error(`vite build failed for ${target}/${flavor}`);
      }
      if (flavor === 'release') {
        const zip = join(ROOT, 'dist', `offrecord-${target}.zip`);
        const n = zipDirectory(out, zip).length;
        console.log(`packaged ${n} files → ${zip}`);
      }
      writeFileSync(join(STAMPS, `${target}-${flavor}`), `${new Date().toISOString()}\n`);
      console.log(`built ${target}/${flavor} → ${out} in ${Date.now() - started} ms`);
      built.push(out);
    }
  }
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build(process.argv.slice(2));
  } catch (e) {
    console.error(String(e instanceof Error ? e.message : e));
    process.exit(1);
  }
}
