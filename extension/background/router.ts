// Routes each validated request to its handler and turns the outcome into a reply.
// Handlers get the port's rights (fixed at connect time). The SessionManager joins here later.

import type { ContentRequest, PageRequest, Reply, ResultMap } from '../shared/messages';
import { getCounter, incrementCounter } from './counter';
import type { ContentRights, PageRights, PortRights } from './ports';
import { grantedSites } from './registration';
import { tabConnected, tabStatus } from './tabs';

export interface RouterStats {
  invalidMessages: number;
}

export class Router {
  constructor(readonly stats: RouterStats) {}

  /** `connection` names the port, unique per worker life. */
  async handle(req: ContentRequest | PageRequest, rights: PortRights, connection: string): Promise<Reply> {
    try {
      const result =
        rights.kind === 'content'
          ? await this.content(req as ContentRequest, rights, connection)
          : await this.page(req as PageRequest, rights);
      return { type: 'reply', id: req.id, ok: true, result };
    } catch (e) {
      const error = (e instanceof Error ? e.message : String(e)).slice(0, 500);
      return { type: 'reply', id: req.id, ok: false, error };
    }
  }

  private async content(
    req: ContentRequest,
    rights: ContentRights,
    connection: string,
  ): Promise<ResultMap[ContentRequest['type']]> {
    switch (req.type) {
      case 'hello':
        // The URL the script reports is informational; identity comes from the sender.
        if (new URL(req.url).origin !== rights.origin) throw new Error('url does not match the sender');
        if (rights.frameId === 0) await tabConnected(rights.tabId, req.url, connection);
        return { tabId: rights.tabId, frameId: rights.frameId };
      default:
        throw new Error(`${req.type}: not implemented yet`);
    }
  }

  private async page(req: PageRequest, _rights: PageRights): Promise<ResultMap[PageRequest['type']]> {
    switch (req.type) {
      case 'status':
        return {
          tab: req.tabId === null ? null : await tabStatus(req.tabId),
          counter: await getCounter(),
          invalidMessages: this.stats.invalidMessages,
          sites: await grantedSites(),
          site: null,
          conversation: null,
          status: null,
          keygen: null,
        };
      case 'increment':
        return { counter: await incrementCounter() };
      default:
        throw new Error(`${req.type}: not implemented yet`);
    }
  }
}
