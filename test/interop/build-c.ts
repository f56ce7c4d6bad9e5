/**
 * Builds the small C programs in test/interop/c/ against the system's libotr 4.1.1
 * (`apt-get install libotr5-dev`). A program is rebuilt only when its source is newer than the
 * binary. Binaries go to build/interop/, written whole (safe when test files run side by side).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function buildC(name: string): string {
  const src = join(root, 'test/interop/c', `${name}.c`);
  const outDir = join(root, 'build/interop');
  const out = join(outDir, name);
  if (!existsSync('/usr/include/libotr/proto.h')) {
    throw new Error('libotr headers are missing: apt-get install libotr5-dev');
  }
  mkdirSync(outDir, { recursive: true });
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    // Built beside it and renamed into place: two test files may build it at once, and neither
    // may run a half-written binary.
    const tmp = `${out}.${process.pid}.tmp`;
    execFileSync('cc', ['-O2', '-Wall', '-Wextra', '-o', tmp, src, '-lotr', '-lgcrypt'], {
      stdio: 'inherit',
    });
    renameSync(tmp, out);
  }
  return out;
}
