// The content script's port client, answering like the background and recording every request:
// shared by the content-script unit tests (chat, delivery, lists).

import type { ContentRequest, Pacing, PushEvent } from '../../../extension/shared/messages.js';
import type { PortClient } from '../../../extension/shared/port-client.js';
import type { SiteProfile } from '../../../src/profile/profile.js';

export type Body = { type: ContentRequest['type'] } & Record<string, unknown>;
export type Reported = { id: string; text: string; history: boolean };

export class FakeClient {
  readonly requests: Body[] = [];
  private readonly listeners = new Set<(e: PushEvent) => void>();
  private connected: (() => void) | null = null;
  /** The profile hello answers with. */
  helloProfile: SiteProfile | null = null;
  /** The pacing the conversation reply carries (the user's setting for the site). */
  pacing: Pacing | null = null;
  /** What the background answers to wire-failed: every seq it dropped with the failed ones. */
  dropWith: number[] = [];

  /** `privateMode`: what the conversation reply says. */
  constructor(readonly privateMode = true) {}

  onPush(l: (e: PushEvent) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  get pushListeners(): number {
    return this.listeners.size;
  }
  keepConnected(cb: () => void): void {
    this.connected = cb;
    queueMicrotask(cb);
  }
  /** The port dropped and came back (the worker restarted): the client calls back again. */
  reconnect(): void {
    if (this.connected) queueMicrotask(this.connected);
  }
  push(e: PushEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
  async request(body: Body): Promise<unknown> {
    this.requests.push(structuredClone(body));
    switch (body.type) {
      case 'hello':
        return { tabId: 1, frameId: 0, profile: this.helloProfile };
      case 'conversation':
        return { privateMode: this.privateMode, pacing: this.pacing };
      case 'wire-failed':
        return { dropped: [...(body.seqs as number[]), ...this.dropWith] };
      default:
        return {};
    }
  }
  of(type: string): Body[] {
    return this.requests.filter((r) => r.type === type);
  }
  /** The seqs of every request of `type` (a seqs list or one seq). */
  seqs(type: string): number[] {
    return this.of(type).flatMap((r) => (r.seqs as number[]) ?? [r.seq as number]);
  }
  /** Every chat row reported, in order, with its batch's history flag. */
  reported(): Reported[] {
    return this.of('chat-messages').flatMap((r) =>
      (r.messages as { id: string; text: string }[]).map((m) => ({
        id: m.id,
        text: m.text,
        history: r.history as boolean,
      })),
    );
  }
  /** The texts of every chat row reported, in order. */
  reportedTexts(): string[] {
    return this.reported().map((m) => m.text);
  }
  asPort(): PortClient<ContentRequest> {
    return this as unknown as PortClient<ContentRequest>;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, ok: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(5);
  }
}
