/**
 * A throwaway ircd-hybrid on 127.0.0.1: the IRC server with real flood limits (TESTBED.md "IRC
 * flood limits"). Its stock client class "users" (recvq 2,560 bytes) disconnects a client that
 * sends faster than the server reads ("Closing Link: … (Excess Flood)"), as real networks do;
 * ngircd only delays such clients.
 *
 * Debian's ircd-hybrid conflicts with ngircd, so it is unpacked, not installed
 * (`node scripts/ensure-deps.mjs --ircd-hybrid`: `apt-get download` + `dpkg-deb -x` into
 * build/ircd-hybrid). It refuses to run as root: it runs as `nobody` (runuser) with its own config
 * and databases in a temp folder that user may write.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen, spawnGroup, waitFor } from './ngircd';
import { repoRoot } from './node22';

export interface IrcdHybridPaths {
  binary: string;
  libDir: string;
  /** The unpacked usr/lib/ircd-hybrid, and where it is bind-mounted for the server. */
  lib: string;
  mountPoint: string;
}

/** Unpacks ircd-hybrid once (build/ircd-hybrid) and returns where it is. */
export function ensureIrcdHybrid(): IrcdHybridPaths {
  const out = execFileSync(process.execPath, [join(repoRoot, 'scripts/ensure-deps.mjs'), '--ircd-hybrid'], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as IrcdHybridPaths;
}

export interface IrcdHybrid {
  port: number;
  /** What ircd-hybrid printed, then its own log (user and kill lines: "Excess Flood" shows there). */
  logPath: string;
  /** Process group id (= leader pid), to check that nothing is left after stop(). */
  pid: number;
  /** ircd-hybrid's log file so far (connects, exits with their reason). */
  log(): string;
  stop(): Promise<void>;
}

const NOBODY = { uid: 65534, gid: 65534 };

/** The stock "users" class of Debian's ircd.conf, but for the number of connections per IP. */
function config(dir: string, port: number): string {
  return `serverinfo {
  name = "hybrid.offrecord.test";
  sid = "0OR";
  description = "offrecord e2e";
  network_name = "offrecord";
  hub = no;
  max_nick_length = 30;
  max_topic_length = 160;
};
admin { name = "offrecord"; description = "tests"; email = "<nobody@localhost>"; };
class {
  name = "users";
  ping_time = 90 seconds;
  number_per_ip_local = 32;
  number_per_ip_global = 32;
  max_number = 100;
  sendq = 100 kbytes;
  recvq = 2560 bytes;
};
listen { host = "127.0.0.1"; port = ${port}; };
auth { user = "*@*"; class = "users"; };
general {
  disable_auth = yes;
  throttle_time = 0;
  throttle_count = 100;
  ping_cookie = no;
  away_time = 0;
};
motd { mask = "*"; file = "${join(dir, 'motd')}"; };
log {
  use_logging = yes;
  file { type = user; name = "${join(dir, 'user.log')}"; size = unlimited; };
  file { type = kill; name = "${join(dir, 'kill.log')}"; size = unlimited; };
  file { type = debug; name = "${join(dir, 'debug.log')}"; size = unlimited; };
};
`;
}

/** Starts ircd-hybrid on 127.0.0.1 (a free port) as `nobody`; resolves once it accepts connections. */
export async function startIrcdHybrid(): Promise<IrcdHybrid> {
  const paths = ensureIrcdHybrid();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'offrecord-hybrid-'));
  chmodSync(dir, 0o755);
  const conf = join(dir, 'ircd.conf');
  writeFileSync(conf, config(dir, port));
  writeFileSync(join(dir, 'motd'), 'offrecord test server\n');
  const logPath = join(dir, 'stdout.log');
  const ownLog = join(dir, 'ircd.log');
  chownSync(dir, NOBODY.uid, NOBODY.gid);
  const file = (n: string) => join(dir, n);
  // A private mount namespace shows the unpacked modules where the binary looks for them.
  const group = spawnGroup(
    'unshare',
    [
      '--mount',
      '--',
      'sh',
      '-c',
      'mount --bind "$0" "$1" && shift && exec "$@"',
      paths.lib,
      paths.mountPoint,
      'runuser',
      '-u',
      'nobody',
      '--',
      'env',
      `LD_LIBRARY_PATH=${paths.libDir}`,
      paths.binary,
      '-foreground',
      '-configfile',
      conf,
      '-pidfile',
      file('ircd.pid'),
      '-logfile',
      ownLog,
      '-klinefile',
      file('kline.db'),
      '-dlinefile',
      file('dline.db'),
      '-xlinefile',
      file('xline.db'),
      '-resvfile',
      file('resv.db'),
    ],
    { cwd: dir, logPath },
  );
  const read = (p: string) => {
    try {
      return readFileSync(p, 'utf8');
    } catch {
      return '';
    }
  };
  let exitedEarly = false;
  void group.exited.then(() => {
    exitedEarly = true;
  });
  try {
    await waitFor(
      `ircd-hybrid on port ${port}`,
      async () => {
        if (exitedEarly) throw new Error(`ircd-hybrid exited at start:\n${read(logPath)}\n${read(ownLog)}`);
        return (await portOpen(port)) ? true : undefined;
      },
      20_000,
    );
  } catch (e) {
    await group.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    port,
    logPath,
    pid: group.pid,
    log: () => [ownLog, file('user.log'), file('kill.log')].map(read).join('\n'),
    stop: async () => {
      await group.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
