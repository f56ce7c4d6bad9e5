// The secure frames' connection to the background: one runtime port, requests answered by
// validated replies, pushes (transcript lines, status) validated and handed to a listener.
// When the port drops (the MV3 worker stopped), it reconnects and says hello again, so the frame
// re-syncs from the background's state (I5): the background keeps the transcript, not the frame.

import browser, { type Runtime } from 'webextension-polyfill';
import {
  type FrameRequest,
  type FrameRole,
  PORT_NAME,
  type PushEvent,
  RESULT_VALIDATORS,
  type RequestBody,
  type ResultMap,
  validatePush,
  validateReply,
} from '../shared/messages';

type FrameBody = RequestBody<FrameRequest>;

interface Pending {
  type: FrameRequest['type'];
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
}

export type HelloResult = ResultMap['frame-hello'];

/** Delay before reconnecting after the background went away (ms). */
const RECONNECT_MS = 300;

export class FrameClient {
  private port: Runtime.Port | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;

  /**
   * @param role which frame this is
   * @param onHello called with the background's state after every (re)connect
   * @param onPush called with each validated push
   */
  constructor(
    private readonly role: FrameRole,
    private readonly onHello: (r: HelloResult) => void,
    private readonly onPush: (e: PushEvent) => void,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    this.hello();
  }

  close(): void {
    this.closed = true;
    const p = this.port;
    this.port = null;
    p?.disconnect();
    this.failAll('closed');
  }

  request<B extends FrameBody>(body: B): Promise<ResultMap[B['type']]> {
    const port = this.connect();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: body.type, resolve: resolve as (v: unknown) => void, reject });
      try {
        port.postMessage({ ...body, id });
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  private hello(): void {
    this.request({ type: 'frame-hello', role: this.role })
      .then((r) => this.onHello(r))
      .catch((e: unknown) => this.onError(e instanceof Error ? e.message : String(e)));
  }

  private connect(): Runtime.Port {
    if (this.port) return this.port;
    const port = browser.runtime.connect({ name: PORT_NAME });
    port.onMessage.addListener((msg: unknown) => this.onMessage(msg));
    port.onDisconnect.addListener(() => {
      if (this.port !== port) return;
      this.port = null;
      this.failAll('disconnected from the background');
      if (!this.closed) setTimeout(() => this.hello(), RECONNECT_MS);
    });
    this.port = port;
    return port;
  }

  private onMessage(msg: unknown): void {
    if (typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === 'push') {
      const event = validatePush(msg);
      if (event) this.onPush(event);
      return;
    }
    const reply = validateReply(msg);
    if (!reply) return;
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (!reply.ok) {
      p.reject(new Error(reply.error));
      return;
    }
    const result = RESULT_VALIDATORS[p.type](reply.result);
    if (result === null) p.reject(new Error(`malformed ${p.type} result`));
    else p.resolve(result);
  }

  private failAll(why: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new Error(why));
  }
}
