// Port admission: who is on the other end, decided ONCE at connect time from the browser-given
// sender (never from anything the sender says about itself), then fixed for the port's life (I4).

import type { Runtime } from 'webextension-polyfill';
import {
  type ContentRequest,
  isWebUrl,
  type PageRequest,
  type PanelRequest,
  validateContentRequest,
  validatePageRequest,
  validatePanelRequest,
} from '../shared/messages';

/** A content script in a web page's frame. */
export interface ContentRights {
  kind: 'content';
  tabId: number;
  frameId: number;
  url: string;
  origin: string;
}

/**
 * The side panel: our page under extension/panel/, in the browser's side panel (Chrome
 * `side_panel`, Firefox `sidebar_action`) or opened as a tab (tests, `?tab=N`). It names the chat
 * tab it shows in each request, as the popup does; what it may send is PanelRequest.
 */
export interface PanelRights {
  kind: 'panel';
  url: string;
}

/** PANEL_PATH under the extension origin: where the side panel's page lives. */
export const PANEL_PATH = '/extension/panel/';

/** One of our own extension pages not in a frame role: popup, options. */
export interface PageRights {
  kind: 'page';
  url: string;
  /** The tab the page is in (options opened as a tab), null for the popup. */
  tabId: number | null;
}

export type PortRights = ContentRights | PanelRights | PageRights;

/** The part of runtime.MessageSender we rely on (Chrome also has `origin`; Firefox may not). */
export type Sender = Pick<Runtime.MessageSender, 'id' | 'url' | 'tab' | 'frameId'> & { origin?: string };

/**
 * Decides a port's rights. `runtimeId` is runtime.id, `extensionOrigin` the origin of
 * runtime.getURL('/'), e.g. "chrome-extension://abc…" or "moz-extension://uuid".
 * Returns null for anything else: other extensions, web pages (no externally_connectable),
 * senders without a URL, privileged schemes.
 */
export function classifySender(
  sender: Sender | undefined,
  runtimeId: string,
  extensionOrigin: string,
): PortRights | null {
  if (!sender || sender.id !== runtimeId || typeof sender.url !== 'string') return null;
  const tabId = sender.tab?.id;
  const hasTab = typeof tabId === 'number' && tabId >= 0;
  // When the browser gives an origin too, it must agree with the URL's.
  const originAgrees = (expected: string) =>
    sender.origin === undefined || sender.origin === 'null' || sender.origin === expected;

  // Extension schemes are not "special" to every URL parser (Node gives origin "null"): compare text.
  if (sender.url.startsWith(`${extensionOrigin}/`)) {
    if (!originAgrees(extensionOrigin)) return null;
    // Our page inside a web page's tab as a subframe would be a page-controlled embedding: the
    // panel is a top-level document (side panel, sidebar, or a tab of its own), never a frame.
    if (sender.url.startsWith(`${extensionOrigin}${PANEL_PATH}`)) {
      if (typeof sender.frameId === 'number' && sender.frameId > 0) return null;
      return { kind: 'panel', url: sender.url };
    }
    return { kind: 'page', url: sender.url, tabId: hasTab ? tabId : null };
  }
  if (!isWebUrl(sender.url) || !hasTab) return null;
  const origin = new URL(sender.url).origin;
  if (!originAgrees(origin)) return null;
  const frameId = typeof sender.frameId === 'number' && sender.frameId >= 0 ? sender.frameId : 0;
  return { kind: 'content', tabId, frameId, url: sender.url, origin };
}

/** Validates a message against what this port may send; null when refused. */
export function validateFor(
  rights: PortRights,
  msg: unknown,
): ContentRequest | PanelRequest | PageRequest | null {
  switch (rights.kind) {
    case 'content':
      return validateContentRequest(msg);
    case 'panel':
      return validatePanelRequest(msg);
    case 'page':
      return validatePageRequest(msg);
  }
}

/** A port that sends this many refused messages is disconnected. */
export const MAX_INVALID_PER_PORT = 20;
