#!/usr/bin/env node
// `npm start`: the main job. Until the demo exists, that is building both browser packages.

import { resolve } from 'node:path';
import { build } from './build.mjs';

try {
  build(['--quiet']);
} catch (e) {
  console.error(String(e instanceof Error ? e.message : e));
  process.exit(1);
}
const at = (p) => resolve(p);
console.log(`
offrecord is built.
  Chrome:  load unpacked ${at('dist/chrome')}  (chrome://extensions → Developer mode → Load unpacked)
           or the package ${at('dist/offrecord-chrome.zip')}
  Firefox: about:debugging#/runtime/this-firefox → Load Temporary Add-on → ${at('dist/firefox/manifest.json')}
           or the package ${at('dist/offrecord-firefox.zip')}`);
