// The lock requests (issue 18) as the popup, the options page and the side panel send them:
// each page passes its own PortClient's request function to the shared lock components.

import type { PageRequest, RequestBody, ResultMap } from '../messages';

export type LockRequest = Extract<
  RequestBody<PageRequest>,
  {
    type:
      | 'lock-state'
      | 'lock-set'
      | 'lock-unlock'
      | 'lock-now'
      | 'lock-change'
      | 'lock-remove'
      | 'lock-auto'
      | 'lock-offer-dismiss'
      | 'panic-wipe';
  }
>;

export type LockSend = <B extends LockRequest>(body: B) => Promise<ResultMap[B['type']]>;

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
