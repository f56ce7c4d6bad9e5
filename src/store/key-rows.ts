/** Key rows as IndexedDB and the memory store keep them: big integers as hex strings (plain data). */
import type { DsaPrivateKey, DsaPublicKey } from '../crypto/dsa';
import type { KeyRow } from './types';

const hex = (n: bigint) => n.toString(16);
const big = (h: string) => BigInt(`0x${h}`);

export function publicOfRow(r: KeyRow): DsaPublicKey {
  return { p: big(r.p), q: big(r.q), g: big(r.g), y: big(r.y) };
}

/** A row's key in clear; a sealed row has none (the Keyring opens it). */
export function clearKeyOfRow(r: KeyRow): DsaPrivateKey | null {
  return r.x === undefined ? null : { ...publicOfRow(r), x: big(r.x) };
}

export function keyRowOf(account: string, protocol: string, key: DsaPublicKey, created: number): KeyRow {
  return { account, protocol, p: hex(key.p), q: hex(key.q), g: hex(key.g), y: hex(key.y), created };
}

export function clearKeyRow(account: string, protocol: string, key: DsaPrivateKey, created: number): KeyRow {
  return { ...keyRowOf(account, protocol, key, created), x: hex(key.x) };
}

export function keyOfRowOrThrow(r: KeyRow): DsaPrivateKey {
  const k = clearKeyOfRow(r);
  if (!k) throw new Error('this key is under a passphrase: read it through the Keyring');
  return k;
}
