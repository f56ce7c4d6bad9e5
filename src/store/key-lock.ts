/**
 * Long-term keys at rest under a passphrase (issue 18): a key-encryption key (KEK) derived from
 * the passphrase with scrypt (memory-hard), and each private key's x sealed with AES-256-GCM
 * under it. No browser API here: the same code runs in the worker and under Node's unit tests.
 *
 * What is sealed: x only. p, q, g, y are public (the buddy gets them in every AKE) and stay in
 * clear, so fingerprints show while locked. The AAD binds a sealed x to its account, protocol
 * and y: a blob moved to another row, or a y swapped beside it, fails authentication.
 *
 * Blob: version (1 byte, 1) ‖ nonce (12 bytes, random) ‖ AES-GCM ciphertext with its 16-byte tag.
 * The passphrase check is such a blob over a fixed text: a wrong passphrase fails it before any
 * key is touched. A blob that is too short or of another version is damaged data, not a wrong
 * passphrase; a key blob that fails authentication once the passphrase checked out is damaged too.
 */
import { gcm } from '@noble/ciphers/aes.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { bigIntToFixed, bytesToBigInt, utf8Encode, wipe } from '../crypto/bytes';
import type { DsaPrivateKey, DsaPublicKey } from '../crypto/dsa';
import type { RandomSource } from '../crypto/random';

/**
 * scrypt N = 2^15, r = 8, p = 1 (32 MiB): about 0.5 s per derivation in V8 (Node 20 and the
 * Chromium worker, measured; docs/architecture.md). Stored with each lock record, so they can grow.
 */
export const KDF_PARAMS: KdfParams = { N: 1 << 15, r: 8, p: 1 };
export const SALT_BYTES = 16;
export const KEK_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const BLOB_VERSION = 1;
const CHECK_TEXT = 'offrecord passphrase check v1';
/**
 * Bounds on stored parameters, so a damaged or planted record cannot make us allocate gigabytes:
 * scrypt's memory is 128·N·r bytes, held to MAX_KDF_BYTES (the default needs 32 MiB).
 */
const MAX_LOG_N = 20;
const MIN_LOG_N = 10;
export const MAX_KDF_BYTES = 256 * 1024 * 1024;
export const MIN_PASSPHRASE = 8;
export const MAX_PASSPHRASE = 1024;

export interface KdfParams {
  N: number;
  r: number;
  p: number;
}

/** What IndexedDB keeps about the lock: how to derive the KEK and how to check it. */
export interface LockRecord {
  v: 1;
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: Uint8Array;
  check: Uint8Array;
}

/** The keys are locked: nothing that needs a private key can run until the user unlocks. */
export class KeyLockedError extends Error {
  override readonly name = 'KeyLockedError';
  constructor() {
    super('Your keys are locked. Unlock offrecord with your passphrase first.');
  }
}

/** The passphrase does not open the keys; nothing was changed. */
export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
  constructor() {
    super('Wrong passphrase. Nothing was changed.');
  }
}

/** A stored blob or lock record is truncated, of an unknown version, or fails authentication. */
export class SealedDataError extends Error {
  override readonly name = 'SealedDataError';
}

/** The passphrase (or a lock operation) is not acceptable as given; nothing was changed. */
export class LockUsageError extends Error {
  override readonly name = 'LockUsageError';
}

export function checkPassphrase(passphrase: string): string {
  if (typeof passphrase !== 'string' || passphrase.length < MIN_PASSPHRASE)
    throw new LockUsageError(`A passphrase needs at least ${MIN_PASSPHRASE} characters.`);
  if (passphrase.length > MAX_PASSPHRASE)
    throw new LockUsageError(`A passphrase has at most ${MAX_PASSPHRASE} characters.`);
  // The same passphrase typed on another keyboard or OS must give the same key.
  return passphrase.normalize('NFKC');
}

function checkParams(rec: { N: unknown; r: unknown; p: unknown }): KdfParams {
  const { N, r, p } = rec;
  const ok =
    typeof N === 'number' &&
    Number.isSafeInteger(N) &&
    N >= 1 << MIN_LOG_N &&
    N <= 1 << MAX_LOG_N &&
    (N & (N - 1)) === 0 &&
    typeof r === 'number' &&
    Number.isSafeInteger(r) &&
    r >= 1 &&
    r <= 16 &&
    typeof p === 'number' &&
    Number.isSafeInteger(p) &&
    p >= 1 &&
    p <= 4 &&
    128 * N * r <= MAX_KDF_BYTES;
  if (!ok) throw new SealedDataError('The stored passphrase parameters are damaged.');
  return { N, r, p };
}

/** Checks a lock record read from storage (shape, lengths, bounds); a damaged one is a typed error. */
export function validateLockRecord(x: unknown): LockRecord {
  const r = x as Partial<LockRecord> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    r.v !== 1 ||
    r.kdf !== 'scrypt' ||
    !(r.salt instanceof Uint8Array) ||
    r.salt.length !== SALT_BYTES ||
    !(r.check instanceof Uint8Array)
  )
    throw new SealedDataError('The stored passphrase record is damaged.');
  const params = checkParams(r as LockRecord);
  return { v: 1, kdf: 'scrypt', ...params, salt: r.salt, check: r.check };
}

/** The KEK for `passphrase` under the record's salt and parameters (~0.5 s; yields while it runs). */
export async function deriveKek(
  passphrase: string,
  salt: Uint8Array,
  params: KdfParams,
  onProgress?: (fraction: number) => void,
): Promise<Uint8Array> {
  const { N, r, p } = checkParams(params);
  if (salt.length !== SALT_BYTES) throw new SealedDataError('salt has the wrong length');
  const secret = utf8Encode(checkPassphrase(passphrase));
  try {
    return await scryptAsync(secret, salt, {
      N,
      r,
      p,
      dkLen: KEK_BYTES,
      asyncTick: 10,
      ...(onProgress ? { onProgress } : {}),
    });
  } finally {
    wipe(secret);
  }
}

function seal(kek: Uint8Array, plain: Uint8Array, aad: Uint8Array, random: RandomSource): Uint8Array {
  if (kek.length !== KEK_BYTES) throw new RangeError('a KEK is 32 bytes');
  const nonce = random(NONCE_BYTES);
  const ct = gcm(kek, nonce, aad).encrypt(plain);
  const out = new Uint8Array(1 + NONCE_BYTES + ct.length);
  out[0] = BLOB_VERSION;
  out.set(nonce, 1);
  out.set(ct, 1 + NONCE_BYTES);
  return out;
}

/** Opens a blob; null when authentication fails (wrong KEK or changed bytes). Shape errors throw. */
function open(kek: Uint8Array, blob: unknown, aad: Uint8Array): Uint8Array | null {
  if (!(blob instanceof Uint8Array) || blob.length < 1 + NONCE_BYTES + TAG_BYTES + 1)
    throw new SealedDataError('A sealed blob is truncated.');
  if (blob[0] !== BLOB_VERSION) throw new SealedDataError(`A sealed blob has unknown version ${blob[0]}.`);
  try {
    return gcm(kek, blob.subarray(1, 1 + NONCE_BYTES), aad).decrypt(blob.subarray(1 + NONCE_BYTES));
  } catch {
    return null;
  }
}

const CHECK_AAD = utf8Encode('offrecord lock check');

/** A new lock record for `kek` (its salt must be the one the KEK was derived with). */
export function newLockRecord(
  kek: Uint8Array,
  salt: Uint8Array,
  params: KdfParams,
  random: RandomSource,
): LockRecord {
  return {
    v: 1,
    kdf: 'scrypt',
    ...params,
    salt,
    check: seal(kek, utf8Encode(CHECK_TEXT), CHECK_AAD, random),
  };
}

/** Whether `kek` opens the record's check blob: false for a wrong passphrase. */
export function kekMatches(rec: LockRecord, kek: Uint8Array): boolean {
  const got = open(kek, rec.check, CHECK_AAD);
  if (!got) return false;
  const want = utf8Encode(CHECK_TEXT);
  let diff = got.length ^ want.length;
  for (let i = 0; i < Math.min(got.length, want.length); i++) diff |= got[i]! ^ want[i]!;
  return diff === 0;
}

/** Derives the KEK and checks it: the unlock step. Throws WrongPassphraseError; the KEK otherwise. */
export async function unlockKek(rec: LockRecord, passphrase: string): Promise<Uint8Array> {
  const kek = await deriveKek(passphrase, rec.salt, rec);
  if (!kekMatches(rec, kek)) {
    wipe(kek);
    throw new WrongPassphraseError();
  }
  return kek;
}

function keyAad(account: string, protocol: string, y: bigint): Uint8Array {
  return utf8Encode(`offrecord key v1\0${account}\0${protocol}\0${y.toString(16)}`);
}

function xLength(q: bigint): number {
  return Math.ceil(q.toString(16).length / 2);
}

/** x sealed under the KEK, bound to the account, protocol and public key. */
export function sealKey(
  kek: Uint8Array,
  account: string,
  protocol: string,
  key: DsaPrivateKey,
  random: RandomSource,
): Uint8Array {
  const plain = bigIntToFixed(key.x, xLength(key.q));
  try {
    return seal(kek, plain, keyAad(account, protocol, key.y), random);
  } finally {
    wipe(plain);
  }
}

/** The private key from its public part and sealed x; SealedDataError when the blob does not open. */
export function openKey(
  kek: Uint8Array,
  account: string,
  protocol: string,
  pub: DsaPublicKey,
  sealed: unknown,
): DsaPrivateKey {
  const plain = open(kek, sealed, keyAad(account, protocol, pub.y));
  if (!plain) throw new SealedDataError(`The stored key of ${account} (${protocol}) is damaged.`);
  if (plain.length !== xLength(pub.q)) throw new SealedDataError('A sealed key has the wrong length.');
  const x = bytesToBigInt(plain);
  wipe(plain);
  if (x <= 0n || x >= pub.q) throw new SealedDataError('A sealed key is out of range.');
  return { p: pub.p, q: pub.q, g: pub.g, y: pub.y, x };
}
