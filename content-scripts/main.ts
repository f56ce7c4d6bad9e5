// The content script: runs in pages of sites the user turned offrecord on for. For now it only
// introduces itself to the background; the site adapters and frame mounting come later.
// It shows nothing in the page and puts nothing there (I1, I3).

import type { ContentRequest } from '../extension/shared/messages';
import { PortClient } from '../extension/shared/port-client';

const LOADED = Symbol.for('offrecord.content-script');

function start(): void {
  const client = new PortClient<ContentRequest>();
  client.request({ type: 'hello', url: location.href }).catch((e: unknown) => {
    console.debug(`offrecord: background unavailable: ${String(e)}`);
  });
}

// Registration and a later injection into an already-open tab may both run this file.
const g = globalThis as unknown as Record<symbol, boolean>;
if (!g[LOADED]) {
  g[LOADED] = true;
  start();
}
