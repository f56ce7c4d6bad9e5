// The panel's connection to the background: the shared PortClient (validated replies and pushes,
// reconnect when the MV3 worker stopped) and a hello for the tab shown after every (re)connect,
// so the panel re-syncs from the background's state (I5): the background keeps the transcript.

import type { PanelHello, PanelRequest, PushEvent, RequestBody, ResultMap } from '../shared/messages';
import { PortClient } from '../shared/port-client';

export class PanelClient {
  private readonly client = new PortClient<PanelRequest>();
  private unsubscribe: (() => void) | null = null;
  private tabId: number | null = null;
  /** Only the newest hello's answer counts (a quick switch may overtake an older one). */
  private helloSeq = 0;

  constructor(
    private readonly onHello: (r: PanelHello) => void,
    private readonly onPush: (e: PushEvent) => void,
    private readonly onError: (message: string) => void,
  ) {}

  start(): void {
    this.unsubscribe = this.client.onPush(this.onPush);
    this.client.keepConnected(() => this.hello());
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client.close();
  }

  /** Shows tab `tabId` from now on (and says hello for it). */
  show(tabId: number | null): void {
    this.tabId = tabId;
    this.hello();
  }

  request<B extends RequestBody<PanelRequest>>(body: B): Promise<ResultMap[B['type'] & keyof ResultMap]> {
    return this.client.request(body);
  }

  hello(): void {
    const tabId = this.tabId;
    if (tabId === null) return;
    const seq = ++this.helloSeq;
    this.client
      .request({ type: 'panel-hello', tabId })
      .then((r) => {
        if (seq === this.helloSeq && r.tabId === this.tabId) this.onHello(r);
      })
      .catch((e: unknown) => {
        if (seq === this.helloSeq) this.onError(e instanceof Error ? e.message : String(e));
      });
  }
}
