/**
 * A relay between peer processes, like an IM server: a wire line addressed to account P is
 * delivered (as `{"op":"receive","peer":<sender's account>,"wire":…}`) to EVERY process logged in
 * as P — several processes may share an account, as a buddy logged in at several places. Lines
 * can pass through a transform (drop / duplicate / reorder / split), and every line carried is
 * recorded.
 */
import type { Peer, PeerEvent, PeerOp } from './peer';

export interface WireLine {
  /** Sender's account. */
  from: string;
  /** Sender's process label. */
  fromLabel: string;
  /** Addressed account. */
  to: string;
  wire: string;
}

/** Rewrites the batch of lines one op produced (one process, one input line) before delivery. */
export type Transform = (batch: WireLine[]) => WireLine[];

export interface Traced {
  /** Label of the process that produced the event. */
  peer: string;
  event: PeerEvent;
}

export interface LogEntry extends WireLine {
  /** Labels of the processes it was delivered to. */
  deliveredTo: string[];
}

export class Trace {
  constructor(readonly events: Traced[]) {}

  /** Events of one process (by its Peer or label), in order. */
  of(peer: Peer | string): PeerEvent[] {
    const label = typeof peer === 'string' ? peer : peer.label;
    return this.events.filter((e) => e.peer === label).map((e) => e.event);
  }

  /** Events of one kind from one process. */
  kind<K extends PeerEvent['event']>(peer: Peer | string, kind: K): Extract<PeerEvent, { event: K }>[] {
    return this.of(peer).filter((e): e is Extract<PeerEvent, { event: K }> => e.event === kind);
  }

  /** Every error event, whoever produced it. */
  errors(): Traced[] {
    return this.events.filter((e) => e.event.event === 'error');
  }

  toString(): string {
    return this.events.map((e) => `${e.peer} ${JSON.stringify(e.event)}`).join('\n');
  }
}

export class Network {
  private readonly peers: Peer[] = [];
  /** Every line carried, in delivery order, with where it went. */
  readonly log: LogEntry[] = [];
  transform: Transform | null;
  /** Lines held back by `hold()`; released by `release()`. */
  private held: WireLine[] = [];
  private holding = false;
  maxDeliveriesPerRun = 20_000;

  constructor(opts: { transform?: Transform } = {}) {
    this.transform = opts.transform ?? null;
  }

  join(...peers: Peer[]): this {
    for (const p of peers) if (!this.peers.includes(p)) this.peers.push(p);
    return this;
  }

  leave(peer: Peer): void {
    const i = this.peers.indexOf(peer);
    if (i >= 0) this.peers.splice(i, 1);
  }

  /** Stop delivering: lines are kept until `release()` (to deliver them late, or `discard()`). */
  hold(): void {
    this.holding = true;
  }

  /** Deliver everything held (through the transform), and what that produces, until quiet. */
  async release(): Promise<Trace> {
    this.holding = false;
    const lines = this.held;
    this.held = [];
    return this.pump(lines, []);
  }

  discard(): WireLine[] {
    const lines = this.held;
    this.held = [];
    return lines;
  }

  /**
   * Run `op` on `from`, then deliver every wire line it produced, and every line those deliveries
   * produce, until the network is quiet. Returns all events of all processes during the run.
   */
  async run(from: Peer, op: PeerOp): Promise<Trace> {
    const traced: Traced[] = [];
    const lines = this.collect(from, await from.op(op), traced);
    return this.pump(lines, traced);
  }

  /** Deliver a line as if `fromAccount` had sent it to `to` (to inject forged or stale lines). */
  async inject(fromAccount: string, to: string, wire: string): Promise<Trace> {
    return this.pump([{ from: fromAccount, fromLabel: `(injected as ${fromAccount})`, to, wire }], []);
  }

  private collect(from: Peer, events: PeerEvent[], traced: Traced[]): WireLine[] {
    const lines: WireLine[] = [];
    for (const e of events) {
      traced.push({ peer: from.label, event: e });
      if (e.event === 'wire')
        lines.push({ from: from.account, fromLabel: from.label, to: e.peer, wire: e.wire });
    }
    return this.transform ? this.transform(lines) : lines;
  }

  private async pump(first: WireLine[], traced: Traced[]): Promise<Trace> {
    const queue: WireLine[] = [...first];
    let deliveries = 0;
    while (queue.length > 0) {
      const line = queue.shift()!;
      if (this.holding) {
        this.held.push(line);
        continue;
      }
      const targets = this.peers.filter((p) => p.account === line.to && p.alive);
      this.log.push({ ...line, deliveredTo: targets.map((t) => t.label) });
      for (const target of targets) {
        if (++deliveries > this.maxDeliveriesPerRun) {
          throw new Error(`more than ${this.maxDeliveriesPerRun} deliveries in one run: a message loop?`);
        }
        const events = await target.op({ op: 'receive', peer: line.from, wire: line.wire });
        queue.push(...this.collect(target, events, traced));
      }
    }
    return new Trace(traced);
  }
}

/* ---------- transforms ---------- */

/** Drop the lines for which `pred` is true (e.g. the n-th line, or every D-H Key message). */
export function drop(pred: (line: WireLine, index: number) => boolean): Transform {
  let n = 0;
  return (batch) => batch.filter((l) => !pred(l, n++));
}

/** Deliver the lines for which `pred` is true twice. */
export function duplicate(pred: (line: WireLine, index: number) => boolean): Transform {
  let n = 0;
  return (batch) => batch.flatMap((l) => (pred(l, n++) ? [l, l] : [l]));
}

/** Deliver each batch in reverse order (e.g. fragments last-first). */
export function reverse(): Transform {
  return (batch) => [...batch].reverse();
}

/** Deliver each batch in a shuffled order from a seeded generator (reproducible). */
export function shuffle(seed: number): Transform {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x1_0000_0000;
  };
  return (batch) => {
    const out = [...batch];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  };
}

/** Split every line longer than `limit` characters into several lines, as some chat servers do. */
export function splitLines(limit: number): Transform {
  if (limit < 1) throw new Error('limit must be positive');
  return (batch) =>
    batch.flatMap((l) => {
      const chars = [...l.wire];
      if (chars.length <= limit) return [l];
      const out: WireLine[] = [];
      for (let i = 0; i < chars.length; i += limit)
        out.push({ ...l, wire: chars.slice(i, i + limit).join('') });
      return out;
    });
}

/** Apply transforms left to right. */
export function compose(...ts: Transform[]): Transform {
  return (batch) => ts.reduce((b, t) => t(b), batch);
}
