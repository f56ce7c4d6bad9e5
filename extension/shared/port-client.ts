// The client end of a runtime port, used by the content script and every extension page.
// Connects lazily, numbers requests, validates each reply with the shared validators, and
// reconnects on the next request after the background went away (an MV3 worker may stop at
// any moment; its ports then disconnect and pending requests fail).
// Pushes from the background ({type:'push', event}) are validated and handed to onPush listeners.
// A client that must hear pushes (content script, side panel, popup) calls keepConnected():
// the port is then reopened as soon as it drops (that wakes a stopped worker), and the callback
// runs after each (re)connect so the client can introduce itself again (hello, conversation).

import browser, { type Runtime } from 'webextension-polyfill';
import { t } from './i18n';
import {
  PORT_NAME,
  type PushEvent,
  RESULT_VALIDATORS,
  type Request,
  type RequestBody,
  type ResultMap,
  validatePush,
  validateReply,
} from './messages';

interface Pending {
  type: Request['type'];
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
}

const RETRY_MIN_MS = 50;
const RETRY_MAX_MS = 5000;

export class PortClient<R extends Request> {
  private port: Runtime.Port | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly pushListeners = new Set<(event: PushEvent) => void>();
  private onConnected: (() => void) | null = null;
  private closed = false;
  private retryDelay = RETRY_MIN_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  /** Listens to validated pushes; returns the unsubscribe function. */
  onPush(listener: (event: PushEvent) => void): () => void {
    this.pushListeners.add(listener);
    return () => this.pushListeners.delete(listener);
  }

  /**
   * Keeps the port open: connects now and again whenever it drops (with a short backoff while the
   * background refuses), calling `onConnected` after every connect.
   */
  keepConnected(onConnected: () => void): void {
    this.onConnected = onConnected;
    this.closed = false;
    this.connect();
  }

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
    this.closed = true;
    this.onConnected = null;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const port = this.port;
    this.port = null;
    port?.disconnect();
    this.failAll('closed');
  }

  private connect(): Runtime.Port {
    if (this.port) return this.port;
    const port = browser.runtime.connect({ name: PORT_NAME });
    const openedAt = Date.now();
    let served = false;
    port.onMessage.addListener((msg: unknown) => {
      if (this.onMessage(msg)) served = true;
    });
    port.onDisconnect.addListener(() => {
      if (this.port === port) this.port = null;
      this.failAll(t('ui_errDisconnected'));
      // A port the background answered, or that lived a while, dropped because the worker
      // stopped (Firefox unloads an idle event page, Chrome an idle worker): reconnect at once,
      // or the tab misses what happens until the retry. One dropped at once, unanswered, was
      // refused: back off.
      this.retryDelay =
        served || Date.now() - openedAt > 2000 ? RETRY_MIN_MS : Math.min(this.retryDelay * 2, RETRY_MAX_MS);
      this.scheduleReconnect();
    });
    this.port = port;
    const hook = this.onConnected;
    if (hook) queueMicrotask(hook);
    return port;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.onConnected === null || this.retryTimer !== null) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed && this.onConnected !== null && this.port === null) {
        try {
          this.connect();
        } catch {
          // The extension was reloaded or removed: this context is orphaned; stop.
          this.closed = true;
        }
      }
    }, this.retryDelay);
  }

  /** Handles one message; true when it was a valid push or a request served (not refused). */
  private onMessage(msg: unknown): boolean {
    if ((msg as { type?: unknown } | null)?.type === 'push') {
      const event = validatePush(msg);
      if (event) for (const l of this.pushListeners) l(event);
      return event !== null;
    }
    const reply = validateReply(msg);
    if (!reply) return false;
    const p = this.pending.get(reply.id);
    if (!p) return false;
    this.pending.delete(reply.id);
    if (!reply.ok) {
      p.reject(new Error(reply.error));
      return false;
    }
    const result = RESULT_VALIDATORS[p.type](reply.result);
    if (result === null) p.reject(new Error(`malformed ${p.type} result`));
    else p.resolve(result);
    return result !== null;
  }

  private failAll(why: string): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) p.reject(new Error(why));
  }
}
