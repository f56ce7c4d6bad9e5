/**
 * Type/Length/Value records carried after the NUL in a data message's plaintext (spec: "Type,
 * Length, Value"). Parsing is strict: a TLV whose length overruns the buffer is malformed.
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

export function decodeTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes.length - i < 4) fail('malformed', 'truncated TLV header');
    const type = (bytes[i]! << 8) | bytes[i + 1]!;
    const len = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    i += 4;
    if (len > bytes.length - i) fail('malformed', 'TLV length overruns the message');
    out.push({ type, value: bytes.slice(i, i + len) });
    i += len;
  }
  return out;
}
