// The client end of a runtime port, used by the content script and every extension page.
// Connects lazily, numbers requests, validates each reply with the shared validators, and
// reconnects on the next request after the background went away (an MV3 worker may stop at
// any moment; its ports then disconnect and pending requests fail).

import browser, { type Runtime } from 'webextension-polyfill';
import {
  PORT_NAME,
  RESULT_VALIDATORS,
  type Request,
  type RequestBody,
  type ResultMap,
  validateReply,
} from './messages';

interface Pending {
  type: Request['type'];
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
}

export class PortClient<R extends Request> {
  private port: Runtime.Port | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  /** Sends a request and resolves with its validated result; rejects on error reply or disconnect. */
  request<B extends RequestBody<R>>(body: B): Promise<ResultMap[B['type'] & keyof ResultMap]> {
    const port = this.connect();
    const id = this.nextId++;
    const type = (body as { type: Request['type'] }).type;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type, resolve: resolve as (v: unknown) => void, reject });
      try {
        port.postMessage({ ...body, id });
      } catch (e) {
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  }

  /** Closes the port; pending requests fail. */
  close(): void {
    const port = this.port;
    this.port = null;
    port?.disconnect();
    this.failAll('closed');
  }

  private connect(): Runtime.Port {
    if (this.port) return this.port;
    const port = browser.runtime.connect({ name: PORT_NAME });
    port.onMessage.addListener((msg: unknown) => this.onMessage(msg));
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.port = null;
      this.failAll('disconnected from the background');
    });
    this.port = port;
    return port;
  }

  private onMessage(msg: unknown): void {
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
