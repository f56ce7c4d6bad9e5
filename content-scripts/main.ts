// The content script: runs in pages of sites the user turned offrecord on for. It picks the
// site's adapter (a built-in one, else the site's saved profile) and runs the chat core
// (content-scripts/chat.ts). It shows nothing in the page but the overlay of private mode and,
// when the user starts it from the popup, the element picker; it never holds plaintext (I1, I3).

import type { ContentRequest } from '../extension/shared/messages';
import { PortClient } from '../extension/shared/port-client';
import { ContentController } from './chat';
import { startPicker } from './picker/ui';

const LOADED = Symbol.for('offrecord.content-script');

function start(): void {
  const client = new PortClient<ContentRequest>();
  const controller = new ContentController(client, document, {
    url: () => location.href,
    startPicker: (save) => startPicker(document, { site: location.origin, save }),
  });
  controller.start();
}

// Registration and a later injection into an already-open tab may both run this file.
const g = globalThis as unknown as Record<symbol, boolean>;
if (!g[LOADED]) {
  g[LOADED] = true;
  start();
}
