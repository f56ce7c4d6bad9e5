// What `npm test` and `npm start` need before they can run, installed when missing, so the README's
// two commands work on a fresh Debian machine with Node 20: the npm packages (`npm ci`, when
// node_modules is missing or older than the lockfile) and, for the browsers and real peers, Debian's
// packages (installed with apt-get when we are root; otherwise we say exactly what to run).
// Only node's own modules here: this runs before node_modules exists.

import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
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
  // The Firefox UI test runs Firefox in German: the langpack ships separately.
  'firefox-esr-l10n-de',
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

/**
 * ircd-hybrid, the IRC server with real flood limits (its stock "users" class disconnects a client
 * whose receive queue passes 2,560 bytes). Debian's ircd-hybrid and ngircd packages conflict, so it
 * is not installed: its .deb (and libltdl7, the one runtime library it needs that Debian 12 lacks
 * by default) are fetched with `apt-get download` and unpacked with `dpkg-deb -x` into
 * build/ircd-hybrid/root; it runs from there with LD_LIBRARY_PATH. Returns where things are.
 */
export const IRCD_HYBRID_PACKAGES = ['ircd-hybrid', 'libltdl7'];

export function ircdHybridPaths() {
  const dir = join(ROOT, 'build', 'ircd-hybrid');
  const root = join(dir, 'root');
  return {
    dir,
    binary: join(root, 'usr/sbin/ircd-hybrid'),
    libDir: join(root, 'usr/lib/x86_64-linux-gnu'),
    /** Mounted (bind, in a private mount namespace) at `mountPoint`: its core modules' path is compiled in. */
    lib: join(root, 'usr/lib/ircd-hybrid'),
    mountPoint: '/usr/lib/ircd-hybrid',
    stamp: join(dir, '.unpacked'),
  };
}

function missingLibraries(paths) {
  const r = spawnSync('ldd', [paths.binary], {
    encoding: 'utf8',
    env: { ...process.env, LD_LIBRARY_PATH: paths.libDir },
  });
  if (r.status !== 0) return [`ldd failed: ${r.stderr}`];
  return r.stdout
    .split('\n')
    .filter((l) => l.includes('not found'))
    .map((l) => l.trim());
}

export function ensureIrcdHybrid() {
  const paths = ircdHybridPaths();
  // ircd-hybrid loads its core modules from the compiled-in /usr/lib/ircd-hybrid/modules only: the
  // unpacked folder is bind-mounted there in a private mount namespace, which needs the (empty)
  // folder to exist. Nothing else is written outside build/.
  if (!existsSync(paths.mountPoint) && process.getuid?.() === 0)
    mkdirSync(paths.mountPoint, { recursive: true });
  if (existsSync(paths.binary) && existsSync(paths.stamp)) return paths;
  const debs = mkdtempSync(join(tmpdir(), 'offrecord-debs-'));
  try {
    // apt-get download writes into the current folder; `_apt` may not write there, so allow the
    // unsandboxed download (as root it warns, as a user it just works).
    const download = () =>
      spawnSync('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', ...IRCD_HYBRID_PACKAGES], {
        cwd: debs,
        encoding: 'utf8',
      });
    let r = download();
    if (r.status !== 0 && process.getuid?.() === 0) {
      // A fresh machine has no package lists yet.
      spawnSync('apt-get', ['update', '-q'], { stdio: 'inherit' });
      r = download();
    }
    if (r.status !== 0)
      throw new Error(`apt-get download ${IRCD_HYBRID_PACKAGES.join(' ')} failed: ${r.stderr}`);
    rmSync(paths.dir, { recursive: true, force: true });
    mkdirSync(paths.dir, { recursive: true });
    for (const f of readdirSync(debs).filter((n) => n.endsWith('.deb'))) {
      const x = spawnSync('dpkg-deb', ['-x', join(debs, f), join(paths.dir, 'root')], { encoding: 'utf8' });
      if (x.status !== 0) throw new Error(`dpkg-deb -x ${f} failed: ${x.stderr}`);
    }
    // It runs as an unprivileged user (it refuses root): everything readable, folders enterable.
    chmodSync(paths.dir, 0o755);
    const missing = missingLibraries(paths);
    if (missing.length > 0) throw new Error(`ircd-hybrid lacks runtime libraries: ${missing.join('; ')}`);
    writeFileSync(paths.stamp, `${new Date().toISOString()}\n`);
    return paths;
  } finally {
    rmSync(debs, { recursive: true, force: true });
  }
}

// `node scripts/ensure-deps.mjs --ircd-hybrid` (CI, test helpers): unpack it, print its paths.
if (
  process.argv[1] &&
  resolve(process.argv[1]) === fileURLToPath(import.meta.url) &&
  process.argv.includes('--ircd-hybrid')
)
  console.log(JSON.stringify(ensureIrcdHybrid()));
