// What `npm test` and `npm start` need before they can run, installed when missing, so the README's
// two commands work on a fresh Debian machine with Node 20: the npm packages (`npm ci`, when
// node_modules is missing or older than the lockfile) and, for the browsers and real peers, Debian's
// packages (installed with apt-get when we are root; otherwise we say exactly what to run).
// Only node's own modules here: this runs before node_modules exists.

import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(import.meta.url), '../..');

/**
 * Debian packages the tests use: browsers, libotr (interop peer, otr_parse), the IRC and XMPP
 * servers, and an X server + OS-level keyboard for the headed side-panel tests (xvfb, xdotool).
 */
export const APT_PACKAGES = [
  'chromium',
  // The German UI test starts Chromium in German: its translations ship separately.
  'chromium-l10n',
  'firefox-esr',
  'libotr5-dev',
  'libotr5-bin',
  'ngircd',
  'prosody',
  'build-essential',
  'xvfb',
  'xdotool',
];

function installed(pkg) {
  // dpkg-query's own format syntax, not a JavaScript template:
  const r = spawnSync('dpkg-query', ['-W', `-f=\${Status}`, pkg], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('install ok installed');
}

export function ensureNodeModules() {
  const lock = join(ROOT, 'package-lock.json');
  const marker = join(ROOT, 'node_modules', '.package-lock.json');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  console.log('offrecord: installing npm packages (npm ci)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm ci failed');
}

export function ensureAptPackages(packages = APT_PACKAGES) {
  if (!existsSync('/usr/bin/dpkg-query')) return;
  const missing = packages.filter((p) => !installed(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`missing Debian packages; run: sudo apt-get install -y ${missing.join(' ')}`);
  }
  console.log(`offrecord: installing ${missing.join(' ')} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Installing must not start the packages' system services (prosody, ngircd): tests run their own.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy)
    spawnSync('sh', ['-c', `printf '#!/bin/sh\\nexit 101\\n' > ${policy} && chmod +x ${policy}`]);
  try {
    for (const args of [
      ['update', '-q'],
      ['install', '-y', '-q', '--no-install-recommends', ...missing],
    ]) {
      const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (r.status !== 0) throw new Error(`apt-get ${args[0]} failed`);
    }
  } finally {
    if (ownPolicy) spawnSync('rm', ['-f', policy]);
  }
}
