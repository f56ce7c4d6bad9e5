/**
 * Starting the two kinds of peer: libotr 4.1.1 (test/interop/c/libotr-peer.c, built on demand)
 * and offrecord (tools/otr-peer/main.ts run by node + tsx). Both take the same options.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildC } from '../build-c';
import { Peer, type Policy } from './peer';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const otrPeerMain = join(repoRoot, 'tools/otr-peer/main.ts');

export interface PeerOptions {
  /** Default "alice". */
  account?: string;
  /** Default "prpl-irc". */
  protocol?: string;
  /** libotr-format otr.private_key; created with a new key when missing. */
  key?: string;
  policy?: Policy;
  /** e.g. "2,3" (default), "2", "3". */
  versions?: string;
  maxMessage?: number;
  /** Our instance tag, hex. */
  instanceTag?: string;
  /** libotr-peer only: libotr's otr.fingerprints file (read at start, written on change). */
  fingerprints?: string;
  /** libotr-peer only: libotr's otr.instance_tags file. */
  instanceTags?: string;
  /** Label in traces; default "<kind>:<account>". */
  label?: string;
  opTimeoutMs?: number;
}

function args(o: PeerOptions): string[] {
  const a: string[] = [];
  if (o.account !== undefined) a.push('--account', o.account);
  if (o.protocol !== undefined) a.push('--protocol', o.protocol);
  if (o.key !== undefined) a.push('--key', o.key);
  if (o.policy !== undefined) a.push('--policy', o.policy);
  if (o.versions !== undefined) a.push('--versions', o.versions);
  if (o.maxMessage !== undefined) a.push('--max-message', String(o.maxMessage));
  if (o.instanceTag !== undefined) a.push('--instance-tag', o.instanceTag);
  return a;
}

export function libotrPeerBinary(): string {
  return buildC('libotr-peer');
}

export function startLibotrPeer(o: PeerOptions = {}): Promise<Peer> {
  const a = args(o);
  if (o.fingerprints !== undefined) a.push('--fingerprints', o.fingerprints);
  if (o.instanceTags !== undefined) a.push('--instance-tags', o.instanceTags);
  const account = o.account ?? 'alice';
  return Peer.start({
    label: o.label ?? `libotr:${account}`,
    account,
    command: libotrPeerBinary(),
    args: a,
    opTimeoutMs: o.opTimeoutMs,
  });
}

/** Whether the lead's tools/otr-peer exists in this tree yet. */
export function offrecordPeerAvailable(): boolean {
  return existsSync(otrPeerMain);
}

export function startOffrecordPeer(o: PeerOptions = {}): Promise<Peer> {
  const account = o.account ?? 'alice';
  return Peer.start({
    label: o.label ?? `offrecord:${account}`,
    account,
    command: process.execPath,
    args: ['--import', 'tsx', otrPeerMain, ...args(o)],
    cwd: repoRoot,
    opTimeoutMs: o.opTimeoutMs,
  });
}

export type PeerKind = 'libotr' | 'offrecord';

export function startPeer(kind: PeerKind, o: PeerOptions = {}): Promise<Peer> {
  return kind === 'libotr' ? startLibotrPeer(o) : startOffrecordPeer(o);
}

/** A fresh temporary directory for key, fingerprint and instance-tag files; `cleanup()` removes it. */
export function tempDir(prefix = 'offrecord-interop-'): {
  dir: string;
  file: (name: string) => string;
  cleanup: () => void;
} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    file: (name) => join(dir, name),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
