/**
 * A throwaway Prosody 0.12 (Debian's `prosody`) on 127.0.0.1 for the e2e tests, with the settings
 * TESTBED.md found necessary: own config file and ports, `blocklist` (without it Converse's chat
 * open hangs), websocket, no s2s / TLS / offline storage, plain auth over the unencrypted loopback.
 *
 * Never run `prosody --version`: it starts the system server on all interfaces. Prosody is only
 * ever started here as `prosody --config FILE -F` (foreground, own process group, stopped by stop()).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen, spawnGroup, waitFor } from './ngircd.js';

export interface ProsodyUser {
  /** Local part of the JID (`name@localhost`). */
  name: string;
  password: string;
}

export interface Prosody {
  /** The XMPP domain (virtual host): `localhost`. */
  domain: string;
  c2sPort: number;
  httpPort: number;
  /** `ws://127.0.0.1:PORT/xmpp-websocket`. */
  websocketUrl: string;
  logPath: string;
  /** Process group id (= leader pid), to check nothing is left after stop(). */
  pid: number;
  stop(): Promise<void>;
}

export const PROSODY_DOMAIN = 'localhost';

function lua(s: string): string {
  return JSON.stringify(s);
}

/** Starts Prosody with `users` registered; resolves when c2s and HTTP (websocket) both accept connections. */
export async function startProsody(opts: { users: ProsodyUser[] }): Promise<Prosody> {
  if (!existsSync('/usr/bin/prosody')) throw new Error('prosody is missing: apt-get install prosody');
  const dir = mkdtempSync(join(tmpdir(), 'offrecord-prosody-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  mkdirSync(join(dir, 'certs'));
  const conf = join(dir, 'prosody.cfg.lua');
  const logPath = join(dir, 'prosody.log');
  const c2sPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === c2sPort) httpPort = await freePort();
  writeFileSync(
    conf,
    [
      'run_as_root = true',
      `data_path = ${lua(dataDir)}`,
      `pidfile = ${lua(join(dir, 'prosody.pid'))}`,
      'daemonize = false',
      `log = { { levels = { min = "info" }, to = "console" } }`,
      'interfaces = { "127.0.0.1" }',
      'local_interfaces = { "127.0.0.1" }',
      'c2s_interfaces = { "127.0.0.1" }',
      'http_interfaces = { "127.0.0.1" }',
      'https_ports = { }',
      's2s_ports = { }',
      `c2s_ports = { ${c2sPort} }`,
      `http_ports = { ${httpPort} }`,
      'c2s_direct_tls_ports = { }',
      'modules_enabled = { "roster"; "saslauth"; "disco"; "carbons"; "pep"; "private"; "vcard4"; "vcard_legacy"; "blocklist"; "ping"; "time"; "version"; "uptime"; "register"; "websocket"; "bosh"; "http_files"; "mam" }',
      'modules_disabled = { "s2s"; "tls"; "offline" }',
      'c2s_require_encryption = false',
      's2s_require_encryption = false',
      'allow_unencrypted_plain_auth = true',
      'consider_websocket_secure = true',
      'consider_bosh_secure = true',
      'authentication = "internal_plain"',
      'storage = "internal"',
      'archive_expires_after = "1d"',
      `VirtualHost ${lua(PROSODY_DOMAIN)}`,
      // Group chats, so that the adapter's refusal of them can be seen in the real page.
      `Component ${lua(`conference.${PROSODY_DOMAIN}`)} "muc"`,
      '',
    ].join('\n'),
  );
  // Registering writes the accounts into data_path; it does not start a server.
  for (const u of opts.users) {
    execFileSync('/usr/bin/prosodyctl', ['--config', conf, 'register', u.name, PROSODY_DOMAIN, u.password], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
  }
  const group = spawnGroup('/usr/bin/prosody', ['--config', conf, '-F'], { cwd: dir, logPath });
  let exitedEarly = false;
  void group.exited.then(() => {
    exitedEarly = true;
  });
  try {
    await waitFor(
      `prosody on ports ${c2sPort}/${httpPort}`,
      async () => {
        if (exitedEarly) throw new Error(`prosody exited at start:\n${readFileSync(logPath, 'utf8')}`);
        return (await portOpen(c2sPort)) && (await portOpen(httpPort)) ? true : undefined;
      },
      30_000,
    );
  } catch (e) {
    await group.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    domain: PROSODY_DOMAIN,
    c2sPort,
    httpPort,
    websocketUrl: `ws://127.0.0.1:${httpPort}/xmpp-websocket`,
    logPath,
    pid: group.pid,
    stop: async () => {
      await group.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
