// The secure frames' connection to the background: the shared PortClient (validated replies and
// pushes, reconnect when the MV3 worker stopped), plus the frame's hello after every (re)connect,
// so the frame re-syncs from the background's state (I5): the background keeps the transcript,
// not the frame.

import type { FrameRequest, FrameRole, PushEvent, RequestBody, ResultMap } from '../shared/messages';
import { PortClient } from '../shared/port-client';

export type HelloResult = ResultMap['frame-hello'];

export class FrameClient {
  private readonly client = new PortClient<FrameRequest>();
  private unsubscribe: (() => void) | null = null;

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
    this.unsubscribe = this.client.onPush(this.onPush);
    this.client.keepConnected(() => this.hello());
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.client.close();
  }

  request<B extends RequestBody<FrameRequest>>(body: B): Promise<ResultMap[B['type'] & keyof ResultMap]> {
    return this.client.request(body);
  }

  private hello(): void {
    this.client
      .request({ type: 'frame-hello', role: this.role })
      .then((r) => this.onHello(r))
      .catch((e: unknown) => this.onError(e instanceof Error ? e.message : String(e)));
  }
}
