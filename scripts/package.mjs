#!/usr/bin/env node
// Zips the release builds: dist/offrecord-chrome.zip and dist/offrecord-firefox.zip
// (builds first when a build is missing or stale).

import { build } from './build.mjs';

try {
  build(['--if-stale']);
  // build() zips what it builds; make sure both zips exist even when nothing was stale.
  const { zipDirectory } = await import('./zip.mjs');
  for (const target of ['chrome', 'firefox']) {
    const n = zipDirectory(`dist/${target}`, `dist/offrecord-${target}.zip`).length;
    console.log(`dist/offrecord-${target}.zip: ${n} files`);
  }
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
}
