/**
 * `npm run soak:libotr`: 1,000 AKEs against real libotr 4.1.1, each followed by one encrypted
 * message each way and an end of session, on one long-lived pair of processes (offrecord's
 * tools/otr-peer and test/interop/c/libotr-peer). The initiator alternates. Prints `N/1000 ok`,
 * the first failures with their wire lines, and exits non-zero if any iteration failed.
 *
 *   --count N           iterations (default 1000)
 *   --peer KIND         who plays "alice": offrecord (default) or libotr (to check the soak itself)
 *   --max-message N     fragment to N characters on both sides (default: no fragmentation)
 */
import { Network, type Trace } from '../test/interop/lib/network';
import type { Peer } from '../test/interop/lib/peer';
import { type PeerKind, startPeer, tempDir } from '../test/interop/lib/start';

function opt(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const count = Number(opt('--count', '1000'));
const kind = opt('--peer', 'offrecord') as PeerKind;
const maxMessage = opt('--max-message', '');
if (!Number.isInteger(count) || count < 1 || (kind !== 'offrecord' && kind !== 'libotr')) {
  console.error('usage: soak-libotr [--count N] [--peer offrecord|libotr] [--max-message N]');
  process.exit(2);
}

function last(t: Trace, p: Peer, buddy: string, ev: 'state') {
  const s = t.kind(p, ev).filter((e) => e.peer === buddy);
  return s[s.length - 1];
}

async function main(): Promise<number> {
  const dir = tempDir('offrecord-soak-');
  const extra = maxMessage ? { maxMessage: Number(maxMessage) } : {};
  const a = await startPeer(kind, { account: 'alice', key: dir.file('alice.key'), ...extra });
  const b = await startPeer('libotr', { account: 'bob', key: dir.file('bob.key'), ...extra });
  const net = new Network().join(a, b);
  const failures: string[] = [];
  let ok = 0;
  const started = Date.now();
  try {
    for (let i = 0; i < count; i++) {
      const [x, y] = i % 2 === 0 ? [a, b] : [b, a];
      const from = net.log.length;
      const problems: string[] = [];
      const t = await net.run(x, { op: 'query', peer: y.account });
      if (last(t, x, y.account, 'state')?.state !== 'encrypted') problems.push(`${x.label} not encrypted`);
      if (last(t, y, x.account, 'state')?.state !== 'encrypted') problems.push(`${y.label} not encrypted`);
      for (const [s, r] of [
        [x, y],
        [y, x],
      ] as const) {
        const text = `soak ${i} from ${s.account} ✓`;
        const m = await net.run(s, { op: 'send', peer: r.account, text });
        const got = m.kind(r, 'message');
        if (got.length !== 1 || got[0]!.text !== text || !got[0]!.encrypted) {
          problems.push(`${s.label} → ${r.label}: ${JSON.stringify(got)}`);
        }
        if (m.errors().length) problems.push(`errors: ${JSON.stringify(m.errors())}`);
      }
      if (t.errors().length) problems.push(`AKE errors: ${JSON.stringify(t.errors())}`);
      await net.run(x, { op: 'end', peer: y.account });
      await net.run(y, { op: 'end', peer: x.account });
      if (problems.length === 0) ok++;
      else {
        const wires = net.log.slice(from).map((l) => `  ${l.fromLabel} → ${l.to}: ${l.wire}`);
        failures.push(`iteration ${i} (${x.label} started): ${problems.join('; ')}\n${wires.join('\n')}`);
      }
      if ((i + 1) % 100 === 0) process.stderr.write(`${ok}/${i + 1} ok (${Date.now() - started} ms)\n`);
    }
  } finally {
    await Promise.all([a.close(), b.close()]);
    dir.cleanup();
  }
  for (const f of failures.slice(0, 5)) console.log(f);
  console.log(`${ok}/${count} ok`);
  console.log(
    `${kind} vs libotr, ${Date.now() - started} ms, ${((Date.now() - started) / count).toFixed(1)} ms per iteration`,
  );
  return ok === count ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
