// PortClient's reconnect pacing (extension/shared/port-client.ts), over a stand-in for
// runtime.connect: the real port's lifetime is tested in the browsers (background-firefox unloads
// the event page between every step); here, which drop is answered how, with a clock we control.
// What could break: a background that answered and then stopped left the tab unserved for up to
// five seconds (the backoff meant for a background that refuses the port).

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (x?: unknown) => void;
class FakePort {
  readonly sent: { id: number; type: string }[] = [];
  readonly onMessage = {
    listeners: [] as Listener[],
    addListener: (l: Listener) => this.onMessage.listeners.push(l),
  };
  readonly onDisconnect = {
    listeners: [] as Listener[],
    addListener: (l: Listener) => this.onDisconnect.listeners.push(l),
  };
  postMessage(m: { id: number; type: string }) {
    this.sent.push(m);
  }
  disconnect() {}
  answer(result: unknown) {
    const last = this.sent.at(-1)!;
    for (const l of this.onMessage.listeners) l({ type: 'reply', id: last.id, ok: true, result });
  }
  drop() {
    for (const l of this.onDisconnect.listeners) l();
  }
}

const ports: FakePort[] = [];
const port = (i: number): FakePort => {
  const p = ports[i];
  if (!p) throw new Error(`no port ${i}`);
  return p;
};
vi.mock('webextension-polyfill', () => ({
  default: {
    runtime: {
      connect: () => {
        const p = new FakePort();
        ports.push(p);
        return p;
      },
    },
  },
}));

const { PortClient } = await import('../../../extension/shared/port-client');

describe('PortClient reconnects', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    ports.length = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('at once after a port the background answered drops, however soon; with a growing wait after one dropped unanswered', async () => {
    const client = new PortClient();
    let connects = 0;
    client.keepConnected(() => {
      connects++;
    });
    expect(ports).toHaveLength(1);
    // Refused: dropped at once, never answered — backs off 100, 200, 400 ms…
    port(0).drop();
    await vi.advanceTimersByTimeAsync(60);
    expect(ports).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(ports).toHaveLength(2);
    port(1).drop();
    await vi.advanceTimersByTimeAsync(150);
    expect(ports).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(60);
    expect(ports).toHaveLength(3);
    // Answered, then dropped within a second (an event page unloaded when idle): back at once.
    const asked = client.request({ type: 'keys-list' } as never);
    port(2).answer([]);
    await expect(asked).resolves.toEqual([]);
    port(2).drop();
    await vi.advanceTimersByTimeAsync(60);
    expect(ports).toHaveLength(4);
    // And the wait starts over: the next unanswered drop waits the shortest time again.
    port(3).drop();
    await vi.advanceTimersByTimeAsync(110);
    expect(ports).toHaveLength(5);
    expect(connects).toBeGreaterThanOrEqual(5);
    client.close();
  });
});
