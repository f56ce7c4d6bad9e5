/**
 * Profiling helper (not part of the bench): runs one row of the offrecord column many times so
 * `node --cpu-prof` has something to see, then prints the top functions by self time.
 *
 *   npx tsx bench/profile.ts ROW [N]      ROW: ake | oneway | alt | smp | frag | keygen
 *
 * It starts itself again under --cpu-prof in a temporary directory and summarizes the profile.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Counts } from './common';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

const row = process.argv[2] ?? 'ake';
const n = Number(process.argv[3] ?? '50');

if (process.env.BENCH_PROFILE_CHILD) {
  const { runOffrecord } = await import('./impl-offrecord');
  const counts: Counts = { keygen: 0, ake: 0, oneway: 0, alt: 0, smp: 0, frag: 0, modexp: 0 };
  (counts as unknown as Record<string, number>)[row] = n;
  const rows = await runOffrecord(counts, 100);
  const t = [...(rows[row] ?? [])].sort((a, b) => a - b);
  console.log(`${row}: median ${t[t.length >> 1]?.toFixed(4)} ms over ${t.length} runs`);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'offrecord-prof-'));
  try {
    process.stdout.write(
      execFileSync(
        process.execPath,
        [
          '--cpu-prof',
          '--cpu-prof-dir',
          dir,
          ...process.execArgv,
          fileURLToPath(import.meta.url),
          row,
          String(n),
        ],
        { encoding: 'utf8', env: { ...process.env, BENCH_PROFILE_CHILD: '1' } },
      ),
    );
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no profile written');
    const prof = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[] };
    const self = new Map<string, number>();
    let total = 0;
    for (const node of prof.nodes) {
      const hits = node.hitCount ?? 0;
      total += hits;
      const { functionName, url, lineNumber } = node.callFrame;
      const key = `${functionName || '(anonymous)'} ${url.replace(/^.*\/work\/main\//, '')}:${lineNumber + 1}`;
      self.set(key, (self.get(key) ?? 0) + hits);
    }
    const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25);
    for (const [k, v] of top) console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${k}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
