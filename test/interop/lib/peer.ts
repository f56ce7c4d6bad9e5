/**
 * A process that speaks the otr-peer contract (issues 3 and 4): one JSON object per line on stdin,
 * events one per line on stdout, `{"event":"ready",…}` first and `{"event":"done"}` after every
 * input line. Both tools/otr-peer (offrecord) and test/interop/c/libotr-peer.c (libotr) speak it.
 *
 * `op()` writes one line and resolves with the events that line produced (up to "done"); ops may
 * be issued without waiting: the process answers in order, so the replies are matched FIFO.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export type Policy = 'never' | 'manual' | 'opportunistic' | 'always';

export type PeerOp =
  | { op: 'query'; peer: string }
  | { op: 'send'; peer: string; text: string; instance?: string }
  | { op: 'receive'; peer: string; wire: string }
  | { op: 'end'; peer: string; instance?: string }
  | { op: 'smp'; peer: string; secret: string; question?: string; instance?: string }
  | { op: 'smp-answer'; peer: string; secret: string; instance?: string }
  | { op: 'smp-abort'; peer: string; instance?: string }
  | { op: 'symkey'; peer: string; use: number; usedata: string; instance?: string }
  /** offrecord only (tools/otr-peer): snapshot the session and go on with its restored copy. */
  | { op: 'persist'; peer: string };

export interface ReadyEvent {
  event: 'ready';
  fingerprint: string;
  instanceTag: string;
}
export interface WireEvent {
  event: 'wire';
  peer: string;
  wire: string;
}
export interface MessageEvent {
  event: 'message';
  peer: string;
  text: string;
  encrypted: boolean;
}
export interface StateEvent {
  event: 'state';
  peer: string;
  state: 'plaintext' | 'encrypted' | 'finished';
  version: number;
  fingerprint: string;
  trusted: boolean;
  /** libotr-peer only: the buddy instance (hex) this state is about. */
  instance?: string;
}
export interface SmpEvent {
  event: 'smp';
  peer: string;
  result: 'question' | 'succeeded' | 'failed' | 'aborted' | 'error';
  question?: string;
}
export interface SymkeyEvent {
  event: 'symkey';
  peer: string;
  use: number;
  usedata: string;
  key: string;
  /** true when the buddy told us about its use of the key (TLV 8), absent when we asked. */
  received?: boolean;
}
export interface ErrorEvent {
  event: 'error';
  peer?: string;
  message: string;
}
export interface NoticeEvent {
  event: 'notice';
  peer: string;
  message: string;
}
/** offrecord only: after `persist`, the size of the session's JSON snapshot. */
export interface PersistedEvent {
  event: 'persisted';
  peer: string;
  bytes: number;
}
export interface DoneEvent {
  event: 'done';
}
export interface OtherEvent {
  event: string;
  [key: string]: unknown;
}
export type PeerEvent =
  | ReadyEvent
  | WireEvent
  | MessageEvent
  | StateEvent
  | SmpEvent
  | SymkeyEvent
  | ErrorEvent
  | NoticeEvent
  | PersistedEvent
  | DoneEvent;

export interface PeerSpawn {
  /** A label for logs and traces, e.g. "libotr:bob". */
  label: string;
  /** The account this process is logged in as (what the relay delivers to). */
  account: string;
  command: string;
  args: string[];
  cwd?: string;
  /** How long to wait for "ready" (key generation included). */
  readyTimeoutMs?: number;
  /** How long one op may take before the process is considered hung. */
  opTimeoutMs?: number;
}

interface Pending {
  line: string;
  events: PeerEvent[];
  resolve: (events: PeerEvent[]) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const live = new Set<Peer>();

export class Peer {
  readonly label: string;
  readonly account: string;
  /** Every event this process has produced, in order (the "done" markers included). */
  readonly events: PeerEvent[] = [];
  fingerprint = '';
  instanceTag = '';
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Pending[] = [];
  private readonly listeners = new Set<(e: PeerEvent) => void>();
  private stderr = '';
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly opTimeoutMs: number;
  private readyWaiter: { resolve: (e: ReadyEvent) => void; reject: (err: Error) => void } | null = null;

  private constructor(spec: PeerSpawn) {
    this.label = spec.label;
    this.account = spec.account;
    this.opTimeoutMs = spec.opTimeoutMs ?? 30_000;
    this.child = spawn(spec.command, spec.args, { cwd: spec.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d: string) => {
      this.stderr = (this.stderr + d).slice(-8000);
    });
    this.child.stdin.on('error', () => {
      /* reported through 'exit' */
    });
    const rl = createInterface({ input: this.child.stdout, crlfDelay: Number.POSITIVE_INFINITY });
    rl.on('line', (line) => this.onLine(line));
    this.child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      live.delete(this);
      const err = new Error(`${this.label} exited (code ${code}, signal ${signal})\n${this.stderr}`);
      this.readyWaiter?.reject(err);
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(err);
      }
    });
    this.child.on('error', (err) => {
      this.readyWaiter?.reject(err);
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(err);
      }
    });
    live.add(this);
  }

  /** Spawn the process and wait for its "ready" event. */
  static async start(spec: PeerSpawn): Promise<Peer> {
    const peer = new Peer(spec);
    const timeout = spec.readyTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      const ready = await new Promise<ReadyEvent>((resolve, reject) => {
        peer.readyWaiter = { resolve, reject };
        timer = setTimeout(
          () => reject(new Error(`${spec.label}: no "ready" within ${timeout} ms\n${peer.stderr}`)),
          timeout,
        );
      });
      peer.fingerprint = ready.fingerprint;
      peer.instanceTag = ready.instanceTag;
      return peer;
    } catch (err) {
      peer.kill();
      throw err;
    } finally {
      clearTimeout(timer);
      peer.readyWaiter = null;
    }
  }

  get stderrTail(): string {
    return this.stderr;
  }

  get alive(): boolean {
    return this.exited === null;
  }

  /** Listen to every event as it arrives; returns the unsubscribe function. */
  onEvent(listener: (e: PeerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Run one op; resolves with the events it produced, without the final "done". */
  op(op: PeerOp): Promise<PeerEvent[]> {
    return this.raw(JSON.stringify(op));
  }

  /** Write one raw line (for malformed-input tests). It must not contain a newline. */
  raw(line: string): Promise<PeerEvent[]> {
    if (line.includes('\n')) return Promise.reject(new Error('a line must not contain a newline'));
    if (this.exited) return Promise.reject(new Error(`${this.label} has exited\n${this.stderr}`));
    return new Promise<PeerEvent[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.findIndex((p) => p.timer === timer);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new Error(`${this.label}: no "done" within ${this.opTimeoutMs} ms for ${line.slice(0, 200)}`));
        this.kill(); // the FIFO pairing is lost; this process cannot be trusted any more
      }, this.opTimeoutMs);
      this.pending.push({ line, events: [], resolve, reject, timer });
      this.child.stdin.write(`${line}\n`);
    });
  }

  private onLine(line: string): void {
    let ev: PeerEvent;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as OtherEvent).event !== 'string') {
        throw new Error('not an event object');
      }
      ev = parsed as PeerEvent;
    } catch (err) {
      const e = new Error(`${this.label} wrote a line that is not an event: ${line.slice(0, 300)} (${err})`);
      for (const p of this.pending.splice(0)) {
        clearTimeout(p.timer);
        p.reject(e);
      }
      return;
    }
    this.events.push(ev);
    for (const l of this.listeners) l(ev);
    if (ev.event === 'ready') {
      this.readyWaiter?.resolve(ev);
      return;
    }
    const head = this.pending[0];
    if (!head) return; // unsolicited output (should not happen); kept in `events`
    if (ev.event === 'done') {
      this.pending.shift();
      clearTimeout(head.timer);
      head.resolve(head.events);
    } else {
      head.events.push(ev);
    }
  }

  /** Close stdin and wait for the process to exit (killed after `graceMs`). */
  async close(graceMs = 3000): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end();
    const timer = setTimeout(() => this.kill(), graceMs);
    await done;
    clearTimeout(timer);
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Stop every peer process still running (for afterAll hooks). */
export async function stopAllPeers(): Promise<void> {
  await Promise.all([...live].map((p) => p.close()));
}
