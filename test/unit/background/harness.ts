// The router test harness shared by router.test.ts and router-profile.test.ts: memory stores and
// fake ports that go through the same admission check as the real ones (ports.validateFor). A
// "worker" is a Router + SessionManager built over stores that outlive it (as IndexedDB and
// storage.session outlive the MV3 worker); restart() throws the worker away, drops every port, and
// builds a new one.

import { LockService, SessionSecretCache } from '../../../extension/background/lock';
import { type PortRights, validateFor } from '../../../extension/background/ports';
import { Router, type RouterStats } from '../../../extension/background/router';
import { SessionManager } from '../../../extension/background/session-manager';
import { TabTable } from '../../../extension/background/tab-table';
import type { BadgeAlert, BadgeStatus, PushEvent, Reply } from '../../../extension/shared/messages';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import { Keyring } from '../../../src/store/keyring';
import { MemoryArea, MemoryKeyStore } from '../../../src/store/memory';
import { StorageSessionStore } from '../../../src/store/session-storage';

export const SITE = 'http://127.0.0.1:8000';

/** The minichat page's `conversation` report: alice's one-to-one chat with `peer`, compose box and list found. */
export function minichatConversation(peer = 'bob') {
  return {
    type: 'conversation',
    account: 'alice',
    protocol: 'minichat',
    peer,
    kind: 'one-to-one',
    reason: null,
    maxMessageSize: 0,
    composeFound: true,
    listFound: true,
  } as const;
}

export { MemoryArea } from '../../../src/store/memory';

export interface Port {
  connection: string;
  rights: PortRights;
  pushes: PushEvent[];
  alive: boolean;
  /** Sends a raw message as this port would; null when the worker refused it (no reply). */
  send(msg: Record<string, unknown>): Promise<Reply | null>;
  /** Sends and returns the result, throwing the error reply's text, or 'refused'. */
  req(msg: Record<string, unknown>): Promise<unknown>;
}

export type KeyGenerator = (progress: (fraction: number) => void) => Promise<DsaPrivateKey>;

/** The persistent stores and a worker over them that can be thrown away at any time. */
export class World {
  readonly keys = new MemoryKeyStore();
  /** storage.session: the tab table and the conversations share it, as in the browser. */
  readonly area = new MemoryArea();
  /** The worker's store over it (a new one per worker: nothing cached survives a restart). */
  sessions!: StorageSessionStore;
  /** storage.local stand-in (erased by the panic wipe; offrecord keeps nothing there a page may not see). */
  readonly local = new MemoryArea();
  readonly stats: RouterStats = { invalidMessages: 0 };
  readonly badges = new Map<number, [BadgeStatus, BadgeAlert]>();
  /** Every time the toolbar button was drawn (the browser loads and decodes its icon each time). */
  readonly draws: number[] = [];
  router!: Router;
  manager!: SessionManager;
  keyring!: Keyring;
  lock!: LockService;
  /** Now (ms), for the lock's auto-lock and the incoming rate limit; tests move it by hand. */
  clock = 1_000_000;
  ports: Port[] = [];
  restarts = 0;
  private nextConn = 1;
  private nextId = 1;

  /** generateKey: the manager's key source; without it, the manager's own (real) generation. */
  constructor(private readonly generateKey?: KeyGenerator) {
    this.boot();
  }

  boot(): void {
    this.sessions = new StorageSessionStore(this.area);
    // As in the worker: everything reads keys through the Keyring (small scrypt cost for speed).
    this.keyring = new Keyring(this.keys, new SessionSecretCache(this.area), {
      params: { N: 1 << 10, r: 8, p: 1 },
    });
    this.lock = new LockService({
      keyring: this.keyring,
      session: this.area,
      settings: this.keys,
      now: () => this.clock,
      minAutoLockSeconds: 1,
      onLocked: () => this.manager.dropCache(),
      onChange: (info) => this.router.lockChanged(info),
    });
    this.manager = new SessionManager({
      keys: this.keyring,
      sessions: this.sessions,
      ...(this.generateKey ? { generateKey: this.generateKey } : {}),
      onKeyProgress: (a, p, f) => this.router.keyProgress(a, p, f),
    });
    this.router = new Router({
      manager: this.manager,
      keys: this.keyring,
      sessions: this.sessions,
      tabs: new TabTable(this.area),
      stats: this.stats,
      setBadge: async (tabId, badge, alert) => {
        this.badges.set(tabId, [badge, alert]);
        this.draws.push(tabId);
      },
      grantedSites: async () => [`${SITE.replace(/:\d+$/, '')}/*`],
      siteEnabled: async () => true,
      syncContentScripts: async () => [],
      counter: { get: async () => 0, increment: async () => 1 },
      now: () => this.clock,
      lock: this.lock,
      eraseStorage: async () => {
        const n = this.area.data.size + this.local.data.size;
        this.area.clear();
        this.local.clear();
        return n;
      },
      wipeWaitMs: 200,
    });
  }

  /** The worker is stopped: its memory and every port are gone; the next event starts a new one. */
  restart(): void {
    for (const p of this.ports) p.alive = false;
    this.ports = [];
    this.restarts++;
    this.boot();
  }

  connect(rights: PortRights): Port {
    const connection = `c${this.nextConn++}`;
    const router = this.router;
    const port: Port = {
      connection,
      rights,
      pushes: [],
      alive: true,
      send: async (msg) => {
        if (!port.alive) throw new Error('port disconnected');
        const req = validateFor(rights, msg);
        if (!req) {
          this.stats.invalidMessages++;
          return null;
        }
        return router.handle(req, rights, connection);
      },
      req: async (msg) => {
        const reply = await port.send({ ...msg, id: this.nextId++ });
        if (!reply) throw new Error('refused');
        if (!reply.ok) throw new Error(reply.error);
        return reply.result;
      },
    };
    router.attach(connection, rights, {
      post: (m) => {
        if (!port.alive) throw new Error('port disconnected');
        port.pushes.push(m.event);
      },
    });
    this.ports.push(port);
    return port;
  }
}
