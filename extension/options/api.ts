// The options page's side of the runtime API (api.md, "options" requests), with the result
// shapes it reads. One client for the page.

import type { BuddyPolicyName, PageRequest, PolicyName, RequestBody, ResultMap } from '../shared/messages';
import { PortClient } from '../shared/port-client';

export const client = new PortClient<PageRequest>();

/** The policies in the order the options show them (messages.ts POLICY_NAMES holds the same). */
export const POLICIES: readonly PolicyName[] = ['manual', 'opportunistic', 'always', 'never'];
/** What a buddy's own policy can be: the site's (default) or one of the policies. */
export const BUDDY_POLICIES: readonly BuddyPolicyName[] = ['default', ...POLICIES];

/** The words for each policy, the same in the site and the buddy tables. */
export const POLICY_TEXT = {
  default: 'ui_policyDefault',
  never: 'policyNever',
  manual: 'policyManual',
  opportunistic: 'policyOpportunistic',
  always: 'policyAlways',
} as const;

export interface KeyRow {
  account: string;
  protocol: string;
  fingerprint: string;
  created: number;
}

export interface FingerprintRow {
  account: string;
  protocol: string;
  buddy: string;
  fingerprint: string;
  trust: '' | 'verified' | 'smp';
  lastSeen: number;
}

export interface SiteRow {
  origin: string;
  policy: string;
  maxMessageLength: number | null;
  /** Lines at once, then one per interval (null: the site adapter's default). */
  pacing: { burst: number; intervalMs: number } | null;
}

export type OptionsRequest = Extract<
  RequestBody<PageRequest>,
  {
    type:
      | 'keys-list'
      | 'key-generate'
      | 'key-export'
      | 'key-import'
      | 'key-import-preview'
      | 'key-regenerate'
      | 'key-delete'
      | 'accounts-seen'
      | 'fingerprints-list'
      | 'fingerprint-trust'
      | 'fingerprint-forget'
      | 'fingerprints-export'
      | 'fingerprints-import'
      | 'sites-list'
      | 'site-policy'
      | 'site-remove'
      | 'buddy-policies'
      | 'buddy-policy'
      | 'site-max-length'
      | 'site-pacing'
      | 'site-enabled'
      | 'profile-get'
      | 'profile-import'
      | 'profile-export'
      | 'profile-remove';
  }
>;

/** Sends one options request; the result is validated by the shared validators in PortClient. */
export function ask<B extends OptionsRequest>(body: B): Promise<ResultMap[B['type']]> {
  return client.request(body);
}

export interface KeygenProgress {
  account: string;
  protocol: string;
  fraction: number;
}

/** Calls `listener` with key generation progress pushed by the background; returns the unsubscribe. */
export function watchKeygen(listener: (ev: KeygenProgress) => void): () => void {
  return client.onPush((ev) => {
    if (ev.type === 'keygen') listener({ account: ev.account, protocol: ev.protocol, fraction: ev.fraction });
  });
}
