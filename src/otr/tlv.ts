/**
 * Type/Length/Value records carried after the NUL in a data message's plaintext (spec: "Type,
 * Length, Value"). decodeTlvs is strict (a TLV that overruns the buffer is malformed);
 * decodeTlvPrefix keeps what comes before such a TLV, as libotr does with a received message.
 */
import { concatBytes } from '../crypto/bytes';
import { fail } from './errors';

export const TLV_PADDING = 0;
export const TLV_DISCONNECTED = 1;
export const TLV_SMP1 = 2;
export const TLV_SMP2 = 3;
export const TLV_SMP3 = 4;
export const TLV_SMP4 = 5;
export const TLV_SMP_ABORT = 6;
export const TLV_SMP1Q = 7;
export const TLV_EXTRA_SYMKEY = 8;

export interface Tlv {
  type: number;
  value: Uint8Array;
}

export function encodeTlvs(tlvs: readonly Tlv[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const t of tlvs) {
    if (t.value.length > 0xffff) throw new RangeError('TLV value too long');
    parts.push(Uint8Array.of(t.type >> 8, t.type & 255, t.value.length >> 8, t.value.length & 255), t.value);
  }
  return concatBytes(...parts);
}

/** Strict: a TLV header or value that overruns the bytes is malformed (OtrError). */
export function decodeTlvs(bytes: Uint8Array): Tlv[] {
  return readTlvs(bytes, true);
}

/**
 * The TLVs before the first truncated one, which is dropped (libotr's otrl_tlv_parse stops there
 * too): how a received data message's TLVs are read, since its sender was authenticated by the
 * MAC and libotr is this lenient with it.
 */
export function decodeTlvPrefix(bytes: Uint8Array): Tlv[] {
  return readTlvs(bytes, false);
}

function readTlvs(bytes: Uint8Array, strict: boolean): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes.length - i < 4) {
      if (strict) fail('malformed', 'truncated TLV header');
      break;
    }
    const type = (bytes[i]! << 8) | bytes[i + 1]!;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    if (len > bytes.length - i - 4) {
      if (strict) fail('malformed', 'TLV length overruns the message');
      break;
    }
    out.push({ type, value: bytes.slice(i + 4, i + 4 + len) });
    i += 4 + len;
  }
  return out;
}
