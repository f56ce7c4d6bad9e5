/**
 * A data message encoded field by field, straight from the spec ("Data Message"), for tests: the
 * reference the engine's one-buffer writer (messages.ts beginDataMessage, data.ts
 * writeDataMessage) is checked against, and a way to build data messages with any field values.
 */
import { type Header, MSG_DATA } from '../../src/otr/messages';
import { Writer } from '../../src/otr/serial';

/** The MAC-covered part of a data message: header through the encrypted message. */
export function encodeDataAuthenticated(
  h: Header,
  flags: number,
  senderKeyId: number,
  recipientKeyId: number,
  nextDh: bigint,
  ctr: Uint8Array,
  encrypted: Uint8Array,
): Uint8Array {
  const w = new Writer().short(h.version).byte(MSG_DATA);
  if (h.version === 3) w.int(h.senderTag).int(h.receiverTag);
  return w.byte(flags).int(senderKeyId).int(recipientKeyId).mpi(nextDh).fixed(ctr).data(encrypted).bytes();
}

/** The whole data message: the MAC-covered part, the MAC, the revealed old MAC keys. */
export function encodeDataTail(
  authenticated: Uint8Array,
  mac: Uint8Array,
  oldMacKeys: Uint8Array,
): Uint8Array {
  return new Writer().fixed(authenticated).fixed(mac).data(oldMacKeys).bytes();
}
