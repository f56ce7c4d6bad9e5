/**
 * A throwaway ngircd (Debian's `ngircd`) on 127.0.0.1 for the e2e tests, with the settings
 * TESTBED.md found necessary: 30-character nicks, no flood penalties, no DNS / ident / PAM.
 *
 * Also home to the small process helpers the testbed shares (free port, spawn in an own process
 * group, stop the whole group and check nothing is left).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('no port'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` every `intervalMs` until it returns a value other than undefined, or throws on timeout. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1');
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface Group {
  child: ChildProcess;
  pid: number;
  /** Resolves when the leader has exited. */
  exited: Promise<number | null>;
  /** SIGTERM to the whole process group, SIGKILL after a grace period; resolves when no member is left. */
  stop(): Promise<void>;
}

const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/**
 * Spawns `cmd` as the leader of a new process group, stdout and stderr appended to `logPath`.
 * Every member of the group is killed by `stop()`, and on this process's exit as a last resort.
 */
export function spawnGroup(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; logPath: string },
): Group {
  const log = createWriteStream(opts.logPath, { flags: 'a' });
  const child = spawn(cmd, args, {
    cwd: opts.cwd,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);
  liveGroups.add(pid);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (groupAlive(pid)) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          // raced with exit
        }
        const deadline = Date.now() + 5000;
        while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
        if (groupAlive(pid)) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // gone
          }
          while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 25));
        }
      }
      liveGroups.delete(pid);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
      log.end();
    })();
    return stopping;
  };
  return { child, pid, exited, stop };
}

/** True when no process of the group led by `pid` remains. */
export function groupGone(pid: number): boolean {
  return !groupAlive(pid);
}

export interface Ngircd {
  port: number;
  /** Everything ngircd printed (it runs in the foreground, logging to stderr). */
  logPath: string;
  /** Process group id (= leader pid), to check that nothing is left after stop(). */
  pid: number;
  stop(): Promise<void>;
}

/** Starts ngircd on 127.0.0.1 (a free port unless one is given) in an own temp dir; resolves once it accepts connections. */
export async function startNgircd(opts: { port?: number } = {}): Promise<Ngircd> {
  if (!existsSync('/usr/sbin/ngircd')) throw new Error('ngircd is missing: apt-get install ngircd');
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'offrecord-ngircd-'));
  const conf = join(dir, 'ngircd.conf');
  const logPath = join(dir, 'ngircd.log');
  // ngircd drops root for "nobody" before writing its PID file: give it a folder it may write.
  const runDir = join(dir, 'run');
  mkdirSync(runDir);
  chmodSync(dir, 0o711);
  chmodSync(runDir, 0o777);
  writeFileSync(
    conf,
    [
      '[Global]',
      'Name = irc.offrecord.test',
      'Info = offrecord e2e',
      'Listen = 127.0.0.1',
      `Ports = ${port}`,
      'MotdPhrase = offrecord test server',
      'ServerUID = root',
      `PidFile = ${join(runDir, 'ngircd.pid')}`,
      'AdminInfo1 = offrecord tests',
      'AdminInfo2 = 127.0.0.1 only',
      'AdminEMail = nobody@localhost',
      '[Limits]',
      'MaxNickLength = 30',
      'MaxPenaltyTime = 0',
      'MaxConnectionsIP = 0',
      'PingTimeout = 600',
      'PongTimeout = 120',
      '[Options]',
      'DNS = no',
      'Ident = no',
      'PAM = no',
      '',
    ].join('\n'),
  );
  const group = spawnGroup('/usr/sbin/ngircd', ['-n', '-f', conf], { cwd: dir, logPath });
  let exitedEarly = false;
  void group.exited.then(() => {
    exitedEarly = true;
  });
  try {
    await waitFor(
      `ngircd on port ${port}`,
      async () => {
        if (exitedEarly) throw new Error(`ngircd exited at start:\n${readFileSync(logPath, 'utf8')}`);
        return (await portOpen(port)) ? true : undefined;
      },
      20_000,
    );
  } catch (e) {
    await group.stop();
    throw e;
  }
  return {
    port,
    logPath,
    pid: group.pid,
    stop: async () => {
      await group.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
