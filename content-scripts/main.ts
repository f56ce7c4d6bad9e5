// The content script: runs in pages of sites the user turned offrecord on for. It picks the
// site's adapter and runs the chat core (content-scripts/chat.ts). It shows nothing in the page
// but the overlay of private mode, and never holds plaintext (I1, I3).

import type { ContentRequest } from '../extension/shared/messages';
import { PortClient } from '../extension/shared/port-client';
import { ChatCore } from './chat';
import { pickAdapter, type SiteAdapter } from './sites/index';

const LOADED = Symbol.for('offrecord.content-script');
const DETECT_TRIES = 50;

function start(): void {
  const client = new PortClient<ContentRequest>();
  const run = (adapter: SiteAdapter) => new ChatCore(client, document, adapter).start();
  const adapter = pickAdapter(document);
  if (adapter) {
    run(adapter);
    return;
  }
  // No chat app recognised (yet): introduce ourselves at once, and since single-page apps render
  // late, look again for a few seconds.
  client.request({ type: 'hello', url: location.href }).catch((e: unknown) => {
    console.debug(`offrecord: background unavailable: ${String(e)}`);
  });
  let tries = 0;
  const timer = setInterval(() => {
    const found = pickAdapter(document);
    if (found || ++tries >= DETECT_TRIES) clearInterval(timer);
    if (found) run(found);
  }, 100);
}

// Registration and a later injection into an already-open tab may both run this file.
const g = globalThis as unknown as Record<symbol, boolean>;
if (!g[LOADED]) {
  g[LOADED] = true;
  start();
}
