// The content script's core: reads the open chat through the site adapter, reports it and its
// new rows to the background, types the wire lines the background pushes into the site (one at a
// time, each acknowledged), and mounts / unmounts the secure frames on private-mode pushes.
// It never sees plaintext (I1): the background sends it only ciphertext lines to send.

import type { ContentRequest, PushEvent, WireLine } from '../extension/shared/messages';
import { LIMITS } from '../extension/shared/messages';
import type { PortClient } from '../extension/shared/port-client';
import { collapseOtrRows, isOtrText, offerGoPrivate, setPrivateMode } from './overlay/index';
import type { AdapterMessage, SiteAdapter } from './sites/index';

/** Bound on the ids remembered per conversation (rows already reported). */
const MAX_REMEMBERED = 5000;
const TICK_MS = 50;
const RETRY_SEND_MS = 1000;

function bounded(set: Set<string | number>): void {
  if (set.size <= MAX_REMEMBERED) return;
  for (const v of set) {
    set.delete(v);
    if (set.size <= MAX_REMEMBERED) break;
  }
}

export class ChatCore {
  private convKey: string | null = null;
  /** Rows the background accepted (row id + text length: a re-rendered row with new text is new). */
  private readonly reported = new Set<string>();
  /** Rows sent in a request not yet answered. */
  private readonly inFlight = new Set<string>();
  private initialScanDone = false;
  /** Wire lines queued or sent in this conversation, by seq (a re-push after a restart is not re-sent). */
  private readonly queued = new Set<number>();
  private readonly sent = new Set<number>();
  private readonly queue: WireLine[] = [];
  private sending = false;
  private privateOn = false;
  private offerable = false;
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  private connected = false;

  constructor(
    private readonly client: PortClient<ContentRequest>,
    private readonly doc: Document,
    private readonly adapter: SiteAdapter,
  ) {}

  start(): void {
    this.client.onPush((e) => this.onPush(e));
    this.client.keepConnected(() => this.onConnected());
    const observer = new MutationObserver(() => this.scheduleTick());
    observer.observe(this.doc.documentElement, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-id', 'id', 'aria-label', 'data-type'],
    });
  }

  /** After every (re)connect: introduce ourselves again, then report the chat and unreported rows. */
  private async onConnected(): Promise<void> {
    this.connected = false;
    try {
      await this.client.request({ type: 'hello', url: location.href });
      this.convKey = null; // report the conversation again on this port
      this.connected = true;
      await this.tick();
    } catch {
      // The port dropped again; the next connect retries.
    }
  }

  private scheduleTick(): void {
    if (this.tickTimer !== null) return;
    this.tickTimer = setTimeout(() => {
      this.tickTimer = null;
      this.tick().catch(() => undefined);
    }, TICK_MS);
  }

  private async tick(): Promise<void> {
    if (!this.connected) return;
    const a = this.adapter;
    const account = a.account(this.doc);
    const conv = a.conversation(this.doc);
    const key = JSON.stringify([account, conv.kind, conv.peer]);
    if (key !== this.convKey) {
      const changed = this.convKey !== null;
      this.convKey = key;
      if (changed) this.resetConversation();
      if (!account) return;
      const composeFound = a.composeBox(this.doc) !== null;
      const listFound = a.messageList(this.doc) !== null;
      const reply = await this.client.request({
        type: 'conversation',
        account: account.slice(0, LIMITS.account),
        protocol: a.protocol,
        peer: conv.peer,
        kind: conv.kind,
        reason: conv.reason,
        maxMessageSize: a.maxMessageLength,
        composeFound,
        listFound,
      });
      this.offerable = conv.kind === 'one-to-one' && conv.reason === null && composeFound && listFound;
      this.updateOffer(reply.privateMode);
    }
    await this.reportRows();
  }

  /** The in-page "Go private" button: shown in a usable one-to-one chat while not private. */
  private updateOffer(privateMode: boolean): void {
    offerGoPrivate(this.offerable && !privateMode, () => {
      this.client.request({ type: 'toggle-private' }).catch(() => undefined);
    });
  }

  private resetConversation(): void {
    this.reported.clear();
    this.queued.clear();
    this.sent.clear();
    this.queue.length = 0;
    this.initialScanDone = false;
  }

  private async reportRows(): Promise<void> {
    const rows = this.adapter.messageRows(this.doc);
    if (this.privateOn) collapseOtrRows(rows.filter((r) => isOtrText(r.textContent ?? '')));
    const fresh: { key: string; m: AdapterMessage }[] = [];
    for (const row of rows) {
      const m = this.adapter.readMessage(row);
      if (!m || m.text.length > LIMITS.chatText || m.id.length > LIMITS.chatId) continue;
      const key = `${m.id}:${m.text.length}`;
      if (this.reported.has(key) || this.inFlight.has(key)) continue;
      fresh.push({ key, m: { ...m, from: m.from.slice(0, LIMITS.peer) } });
    }
    const history = !this.initialScanDone;
    this.initialScanDone = true;
    for (let i = 0; i < fresh.length; i += LIMITS.chatBatch) {
      const batch = fresh.slice(i, i + LIMITS.chatBatch);
      for (const f of batch) this.inFlight.add(f.key);
      try {
        await this.client.request({ type: 'chat-messages', messages: batch.map((f) => f.m), history });
        for (const f of batch) this.reported.add(f.key);
        bounded(this.reported);
      } finally {
        for (const f of batch) this.inFlight.delete(f.key);
      }
    }
  }

  private onPush(e: PushEvent): void {
    switch (e.type) {
      case 'send-wire':
        for (const line of e.lines) {
          if (this.sent.has(line.seq)) {
            // Sent before the worker restarted; only the ack was lost.
            this.client.request({ type: 'wire-sent', seq: line.seq }).catch(() => undefined);
          } else if (!this.queued.has(line.seq)) {
            this.queued.add(line.seq);
            this.queue.push(line);
          }
        }
        this.queue.sort((x, y) => x.seq - y.seq);
        void this.drain();
        break;
      case 'private-mode': {
        this.privateOn = e.on;
        const target = {
          composeBox: this.adapter.composeBox(this.doc),
          messageList: this.adapter.messageList(this.doc),
        };
        setPrivateMode(e.on, target, e.reason);
        this.updateOffer(e.on);
        if (e.on) this.scheduleTick();
        break;
      }
      default:
        break;
    }
  }

  /** Sends queued lines one at a time through the site, each acknowledged once the site took it. */
  private async drain(): Promise<void> {
    if (this.sending) return;
    this.sending = true;
    try {
      while (this.queue.length > 0) {
        const line = this.queue[0] as WireLine;
        let taken = false;
        try {
          taken = this.adapter.send(this.doc, line.wire);
        } catch {
          taken = false;
        }
        if (!taken) {
          setTimeout(() => void this.drain(), RETRY_SEND_MS);
          return;
        }
        this.queue.shift();
        this.sent.add(line.seq);
        bounded(this.sent);
        this.client.request({ type: 'wire-sent', seq: line.seq }).catch(() => undefined);
      }
    } finally {
      this.sending = false;
    }
  }
}
