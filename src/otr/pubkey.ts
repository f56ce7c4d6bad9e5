/**
 * OTR's PUBKEY and SIG fields and key fingerprints (spec: "Public keys, signatures, and
 * fingerprints"), byte-exact with libotr 4.1.1:
 *
 * - PUBKEY: SHORT type (0 = DSA), then MPIs p, q, g, y (minimal encodings when we write).
 * - SIG: r and s, each exactly len(q) bytes (20 for a 160-bit q), left-padded with zeros, as
 *   `otrl_privkey_sign` writes them.
 * - Fingerprint: SHA-1 over the PUBKEY bytes WITHOUT the type SHORT (libotr hashes from after
 *   the type: auth.c for the buddy's key, `otrl_privkey_fingerprint` for our own), shown as
 *   five groups of eight upper-case hex digits (`otrl_privkey_hash_to_human`).
 */
import { bigIntToFixed, bytesToBigInt, bytesToHex, hexToBytes } from '../crypto/bytes';
import type { DsaPublicKey, DsaSignature } from '../crypto/dsa';
import { sha1 } from '../crypto/hash';
import { fail } from './errors';
import { type Reader, Writer } from './serial';

export const PUBKEY_TYPE_DSA = 0;

/**
 * Bound for each MPI of a received key: 3072 bits, the largest DSA size libgcrypt (and so libotr)
 * generates; real OTR keys are 1024-bit. A tighter bound than "anything" matters: the page can play
 * an AKE peer, and verifying with an 8192-bit key costs seconds of the worker's time.
 */
export const MAX_PUBKEY_MPI_BYTES = 384;
/** q of a DSA key is at most 256 bits (FIPS 186-3); its SIG halves are that long. */
export const MAX_Q_BYTES = 32;

/** SHORT type 0, then MPIs p, q, g, y. */
export function encodePublicKey(k: DsaPublicKey): Uint8Array {
  return new Writer().short(PUBKEY_TYPE_DSA).mpi(k.p).mpi(k.q).mpi(k.g).mpi(k.y).bytes();
}

/**
 * Reads a PUBKEY field. Refuses (OtrError 'malformed') a type other than DSA, truncated or
 * oversized MPIs, and values that cannot form a DSA key (q < 2, p <= q, g or y outside (1, p)).
 * No primality checks here: a bogus key simply never verifies.
 */
export function readPublicKey(r: Reader): DsaPublicKey {
  const type = r.short();
  if (type !== PUBKEY_TYPE_DSA) fail('malformed', `unsupported public key type ${type}`);
  const p = r.mpi('DSA p', MAX_PUBKEY_MPI_BYTES);
  const q = r.mpi('DSA q', MAX_Q_BYTES);
  const g = r.mpi('DSA g', MAX_PUBKEY_MPI_BYTES);
  const y = r.mpi('DSA y', MAX_PUBKEY_MPI_BYTES);
  if (q < 2n || p <= q) fail('malformed', 'DSA public key with impossible p, q');
  if (g <= 1n || g >= p) fail('malformed', 'DSA public key with g outside (1, p)');
  if (y <= 1n || y >= p) fail('malformed', 'DSA public key with y outside (1, p)');
  return { p, q, g, y };
}

/** Byte length of q: the length of each half of a SIG. */
export function qBytes(q: bigint): number {
  return Math.ceil(q.toString(2).length / 8);
}

/** r and s, each fixed to q's byte length (20 for OTR's 160-bit q), as libotr writes them. */
export function encodeSignature(sig: DsaSignature, q: bigint): Uint8Array {
  const n = qBytes(q);
  return new Writer().fixed(bigIntToFixed(sig.r, n)).fixed(bigIntToFixed(sig.s, n)).bytes();
}

/** Reads a SIG field of 2 * len(q) bytes. Range checks on r and s are left to dsaVerify. */
export function readSignature(r: Reader, q: bigint): DsaSignature {
  const n = qBytes(q);
  if (n === 0) fail('malformed', 'signature for a key without q');
  const rb = r.fixed(n, 'SIG r');
  const sb = r.fixed(n, 'SIG s');
  return { r: bytesToBigInt(rb), s: bytesToBigInt(sb) };
}

/** SHA-1 over the key's encoding without the type SHORT: libotr's 20-byte fingerprint. */
export function fingerprint(k: DsaPublicKey): Uint8Array {
  return sha1(encodePublicKey(k).subarray(2));
}

/** libotr's human form: five groups of eight upper-case hex digits separated by spaces. */
export function formatFingerprint(fp: Uint8Array): string {
  if (fp.length !== 20) throw new RangeError('a fingerprint is 20 bytes');
  const hex = bytesToHex(fp).toUpperCase();
  const groups: string[] = [];
  for (let i = 0; i < 40; i += 8) groups.push(hex.slice(i, i + 8));
  return groups.join(' ');
}

/**
 * Accepts the human form (any case, groups separated by single spaces) or 40 hex digits;
 * anything else is an OtrError 'malformed'.
 */
export function parseFingerprint(s: string): Uint8Array {
  const t = s.trim();
  if (!/^[0-9a-fA-F]{40}$/.test(t) && !/^[0-9a-fA-F]{8}( [0-9a-fA-F]{8}){4}$/.test(t)) {
    fail('malformed', 'a fingerprint is 40 hex digits, optionally in five space-separated groups of 8');
  }
  return hexToBytes(t.replace(/ /g, ''));
}
