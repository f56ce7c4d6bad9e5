// The buddy on a two-party relay chat (minichat, hostilechat): tools/otr-peer (offrecord's engine
// on stdin/stdout), fed every line the relay carries to it, its own wire lines posted back as it.
// One op at a time, in order (a relay's lines arrive in order; so must the answers).

import { join } from 'node:path';
import type { ChatLine } from '../../fixtures/minichat/server';
import type { Relay } from '../../fixtures/relay';
import type { Peer, PeerEvent } from '../../interop/lib';
import { startOffrecordPeer } from '../../interop/lib';
import { waitFor } from './ngircd';

export class RelayedBuddy {
  /** Every event of every process this buddy ran (a key change starts a new one). */
  readonly events: PeerEvent[] = [];
  private chain: Promise<unknown> = Promise.resolve();
  private peer: Peer;

  private constructor(
    private readonly chat: Relay<ChatLine>,
    readonly me: string,
    readonly them: string,
    private readonly dir: string,
    peer: Peer,
  ) {
    this.peer = peer;
    chat.onLine((l) => {
      if (l.to === me && l.from === them) void this.do({ op: 'receive', peer: them, wire: l.text });
    });
  }

  static async start(
    chat: Relay<ChatLine>,
    opts: { me: string; them: string; dir: string; maxMessage?: number },
  ): Promise<RelayedBuddy> {
    const peer = await RelayedBuddy.spawn(opts.me, join(opts.dir, `${opts.me}.key`), opts.maxMessage);
    return new RelayedBuddy(chat, opts.me, opts.them, opts.dir, peer);
  }

  private static spawn(account: string, key: string, maxMessage = 400): Promise<Peer> {
    return startOffrecordPeer({ account, policy: 'manual', key, maxMessage });
  }

  get fingerprint(): string {
    return this.peer.fingerprint;
  }

  /** Runs one op after the ones before it; every wire line it makes is posted as the buddy. */
  do(op: Record<string, unknown>): Promise<PeerEvent[]> {
    const next = this.chain.then(async () => {
      const events = await this.peer.op(op as never);
      this.events.push(...events);
      for (const e of events) {
        if (e.event === 'wire') this.chat.post(this.me, this.them, (e as { wire: string }).wire);
      }
      return events;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  send(text: string): Promise<PeerEvent[]> {
    return this.do({ op: 'send', peer: this.them, text });
  }

  /** Texts the buddy decrypted, in order. */
  read(): string[] {
    return this.events
      .filter((e) => e.event === 'message' && (e as { encrypted: boolean }).encrypted)
      .map((e) => (e as { text: string }).text);
  }

  /** Texts that reached the buddy NOT encrypted. */
  readPlain(): string[] {
    return this.events
      .filter((e) => e.event === 'message' && !(e as { encrypted: boolean }).encrypted)
      .map((e) => (e as { text: string }).text);
  }

  async waitToRead(text: string, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.me} to read ${JSON.stringify(text.slice(0, 40))}`,
      async () => (this.read().includes(text) ? true : undefined),
      timeoutMs,
      50,
    );
  }

  async waitForEvent(what: string, pick: (e: PeerEvent) => boolean, timeoutMs = 60_000): Promise<PeerEvent> {
    return waitFor(what, async () => this.events.find(pick), timeoutMs, 50);
  }

  isEncrypted(): boolean {
    const states = this.events.filter((e) => e.event === 'state') as { state: string }[];
    return states.at(-1)?.state === 'encrypted';
  }

  /** The buddy reinstalls: a new process with a NEW key (a new fingerprint for the same name). */
  async newKey(): Promise<void> {
    await this.chain;
    this.peer.kill();
    this.peer = await RelayedBuddy.spawn(this.me, join(this.dir, `${this.me}-${Date.now()}.key`));
  }

  async close(): Promise<void> {
    await this.peer.close();
  }
}
