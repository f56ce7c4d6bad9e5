// How a key file goes from the options page to the background (messages.ts KeyFileEncoding).

import { base64Encode, utf8Decode } from '../../src/crypto/bytes';
import type { KeyFileEncoding } from '../shared/messages';

/** A key-import request's file fields. */
export type SentKeyFile = { text: string; encoding: KeyFileEncoding };

/**
 * A picked file as the background should get it: UTF-8 text when it is UTF-8, else its exact
 * bytes as base64 (libgcrypt prints some keys with raw bytes 0xa1..0xff; a text decoder would
 * replace them and break the key). `shown` is what the import box shows.
 */
export function pickedKeyFile(bytes: Uint8Array): { shown: string; send: SentKeyFile } {
  try {
    const text = utf8Decode(bytes, true);
    return { shown: text, send: { text, encoding: 'text' } };
  } catch {
    return { shown: utf8Decode(bytes), send: { text: base64Encode(bytes), encoding: 'base64' } };
  }
}
