/**
 * The binary OTR messages of protocol versions 2 and 3 (spec: "OTR version 3 messages" and the
 * AKE / Data Message sections): header, D-H Commit, D-H Key, Reveal Signature, Signature, Data.
 * Decoding is strict: every field length-checked, fixed fields exactly sized, nothing left over.
 */
import { base64Decode, base64Encode } from '../crypto/bytes';
import { MODP_BYTES } from '../crypto/modp';
import { fail } from './errors';
import { Reader, Writer } from './serial';

export const MSG_DH_COMMIT = 0x02;
export const MSG_DATA = 0x03;
export const MSG_DH_KEY = 0x0a;
export const MSG_REVEAL_SIG = 0x11;
export const MSG_SIG = 0x12;

/** Data message flag: the receiver should not report it if it cannot be read (heartbeats, ends). */
export const FLAG_IGNORE_UNREADABLE = 0x01;

/** The smallest valid instance tag (spec: "Instance Tags"). */
export const MIN_INSTANCE_TAG = 0x100;

export type ProtocolVersion = 2 | 3;

export interface Header {
  version: ProtocolVersion;
  type: number;
  /** Instance tags; both 0 in version 2. */
  senderTag: number;
  receiverTag: number;
}

export interface DhCommit {
  kind: 'dh-commit';
  header: Header;
  encryptedGx: Uint8Array;
  hashedGx: Uint8Array;
}
export interface DhKey {
  kind: 'dh-key';
  header: Header;
  gy: bigint;
}
export interface RevealSig {
  kind: 'reveal-sig';
  header: Header;
  revealedKey: Uint8Array;
  encryptedSig: Uint8Array;
  mac: Uint8Array;
}
export interface Sig {
  kind: 'sig';
  header: Header;
  encryptedSig: Uint8Array;
  mac: Uint8Array;
}
/**
 * A decoded data message. Its byte fields (ctr, encrypted, mac, oldMacKeys, authenticated) are
 * views into the decoded bytes, not copies: a data message is verified and opened once and none
 * of them is kept (the counter is copied when it is stored). Do not change the bytes while the
 * message is in use.
 */
export interface DataMessage {
  kind: 'data';
  header: Header;
  flags: number;
  senderKeyId: number;
  recipientKeyId: number;
  nextDh: bigint;
  ctr: Uint8Array;
  encrypted: Uint8Array;
  mac: Uint8Array;
  oldMacKeys: Uint8Array;
  /** The bytes the MAC covers: from the protocol version to the end of the encrypted message. */
  authenticated: Uint8Array;
}
export type OtrMessage = DhCommit | DhKey | RevealSig | Sig | DataMessage;

const MAX_ENCRYPTED_SIG = 4096;

function readHeader(r: Reader): Header {
  const version = r.short();
  if (version !== 2 && version !== 3) fail('bad-version', `unsupported protocol version ${version}`);
  const type = r.byte();
  let senderTag = 0;
  let receiverTag = 0;
  if (version === 3) {
    senderTag = r.int();
    receiverTag = r.int();
    if (senderTag < MIN_INSTANCE_TAG) fail('bad-instance', 'sender instance tag below 0x100');
    if (receiverTag !== 0 && receiverTag < MIN_INSTANCE_TAG)
      fail('bad-instance', 'receiver instance tag below 0x100');
  }
  return { version, type, senderTag, receiverTag };
}

/** The header of a message of `type` (h.type is not read: each encoder knows its own type). */
function writeHeader(w: Writer, h: Header, type: number): void {
  w.short(h.version).byte(type);
  if (h.version === 3) w.int(h.senderTag).int(h.receiverTag);
}

/** Decodes the binary form of any version 2 or 3 message; throws OtrError on anything malformed. */
export function decodeMessage(bytes: Uint8Array): OtrMessage {
  const r = new Reader(bytes);
  const header = readHeader(r);
  let msg: OtrMessage;
  switch (header.type) {
    case MSG_DH_COMMIT: {
      const encryptedGx = r.data('encrypted gx', MODP_BYTES + 4);
      const hashedGx = r.data('hashed gx', 32);
      if (hashedGx.length !== 32) fail('malformed', 'hashed gx must be 32 bytes');
      msg = { kind: 'dh-commit', header, encryptedGx, hashedGx };
      break;
    }
    case MSG_DH_KEY:
      msg = { kind: 'dh-key', header, gy: r.mpi('gy', MODP_BYTES) };
      break;
    case MSG_REVEAL_SIG: {
      const revealedKey = r.data('revealed key', 16);
      if (revealedKey.length !== 16) fail('malformed', 'revealed key must be 16 bytes');
      const encryptedSig = r.data('encrypted signature', MAX_ENCRYPTED_SIG);
      msg = { kind: 'reveal-sig', header, revealedKey, encryptedSig, mac: r.fixed(20, 'MAC') };
      break;
    }
    case MSG_SIG: {
      const encryptedSig = r.data('encrypted signature', MAX_ENCRYPTED_SIG);
      msg = { kind: 'sig', header, encryptedSig, mac: r.fixed(20, 'MAC') };
      break;
    }
    case MSG_DATA: {
      // Views, not copies (see DataMessage): the message is opened once and none of them kept.
      const flags = r.byte();
      const senderKeyId = r.int();
      const recipientKeyId = r.int();
      const nextDh = r.mpi('next DH key', MODP_BYTES);
      const ctr = r.fixedView(8, 'counter');
      const encrypted = r.dataView('encrypted message');
      const authenticated = bytes.subarray(0, r.position);
      const mac = r.fixedView(20, 'MAC');
      const oldMacKeys = r.dataView('old MAC keys');
      if (oldMacKeys.length % 20 !== 0) fail('malformed', 'old MAC keys are not a multiple of 20 bytes');
      msg = {
        kind: 'data',
        header,
        flags,
        senderKeyId,
        recipientKeyId,
        nextDh,
        ctr,
        encrypted,
        mac,
        oldMacKeys,
        authenticated,
      };
      break;
    }
    default:
      fail('malformed', `unknown message type 0x${header.type.toString(16)}`);
  }
  r.end(msg.kind);
  return msg;
}

export function encodeDhCommit(h: Header, encryptedGx: Uint8Array, hashedGx: Uint8Array): Uint8Array {
  const w = new Writer();
  writeHeader(w, h, MSG_DH_COMMIT);
  return w.data(encryptedGx).data(hashedGx).bytes();
}

export function encodeDhKey(h: Header, gy: bigint): Uint8Array {
  const w = new Writer();
  writeHeader(w, h, MSG_DH_KEY);
  return w.mpi(gy).bytes();
}

export function encodeRevealSig(
  h: Header,
  revealedKey: Uint8Array,
  encryptedSig: Uint8Array,
  mac: Uint8Array,
): Uint8Array {
  const w = new Writer();
  writeHeader(w, h, MSG_REVEAL_SIG);
  return w.data(revealedKey).data(encryptedSig).fixed(mac).bytes();
}

export function encodeSig(h: Header, encryptedSig: Uint8Array, mac: Uint8Array): Uint8Array {
  const w = new Writer();
  writeHeader(w, h, MSG_SIG);
  return w.data(encryptedSig).fixed(mac).bytes();
}

/** The part of a data message its MAC covers: the header through the encrypted message. */
export function encodeDataAuthenticated(
  h: Header,
  flags: number,
  senderKeyId: number,
  recipientKeyId: number,
  nextDh: bigint,
  ctr: Uint8Array,
  encrypted: Uint8Array,
): Uint8Array {
  const w = new Writer();
  writeHeader(w, h, MSG_DATA);
  return w.byte(flags).int(senderKeyId).int(recipientKeyId).mpi(nextDh).fixed(ctr).data(encrypted).bytes();
}

/** A whole data message: the MAC-covered part, its MAC, the revealed old MAC keys. */
export function encodeDataMessage(
  authenticated: Uint8Array,
  mac: Uint8Array,
  oldMacKeys: Uint8Array,
): Uint8Array {
  return new Writer().fixed(authenticated).fixed(mac).data(oldMacKeys).bytes();
}

/** `?OTR:<base64>.` of bytes[0 .. length) (all of them unless given). */
export function armor(bytes: Uint8Array, length = bytes.length): string {
  return base64Encode(bytes, length, '?OTR:', '.');
}

/** The bytes of a `?OTR:<base64>.` message; throws OtrError('bad-encoding') if it is not one. */
export function dearmor(text: string): Uint8Array {
  const bytes = base64Decode(armoredBase64(text));
  if (!bytes) fail('bad-encoding', 'invalid base64 in OTR message');
  return bytes;
}

/** The base64 between `?OTR:` and the next `.`. */
function armoredBase64(text: string): string {
  const start = text.indexOf('?OTR:');
  const end = text.indexOf('.', start + 5);
  if (start < 0 || end < 0) fail('bad-encoding', 'not an encoded OTR message');
  return text.slice(start + 5, end);
}
