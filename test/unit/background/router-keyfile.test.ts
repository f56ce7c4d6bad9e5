// otr.private_key through the Router: the file travels as its exact bytes. libgcrypt prints an x
// whose bytes are printable as a quoted string with raw bytes 0xa1..0xff (about 1 key in 270),
// which is not UTF-8: a text decoder would put U+FFFD there and the key would be lost.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PortRights } from '../../../extension/background/ports';
import { pickedKeyFile } from '../../../extension/options/key-file-bytes';
import type { KeyExport } from '../../../extension/shared/messages';
import {
  base64Decode,
  base64Encode,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  utf8Decode,
  utf8Encode,
} from '../../../src/crypto/bytes';
import { modPow } from '../../../src/crypto/modp';
import { parsePrivateKeyFile, serializePrivateKeyFile } from '../../../src/otr/keyfile';
import { World } from './harness';

const pageRights: PortRights = {
  kind: 'page',
  url: 'chrome-extension://x/extension/options/index.html',
  tabId: null,
};

/** A key from a real libotr file, with x = "A\xe9\xa1 Latin-1 \xff x": printed as a quoted string. */
function latin1File(): Uint8Array {
  const fixture = readFileSync(new URL('../../fixtures/libotr/otr.private_key', import.meta.url));
  const base = parsePrivateKeyFile(fixture)[0]!.key;
  const x = bytesToBigInt(
    concatBytes(
      utf8Encode('A'),
      Uint8Array.of(0xe9, 0xa1),
      utf8Encode(' Latin-1 '),
      Uint8Array.of(0xff),
      utf8Encode(' x'),
    ),
  );
  const key = { ...base, x, y: modPow(base.g, x, base.p) };
  return serializePrivateKeyFile([{ account: 'alice@example.net', protocol: 'prpl-jabber', key }]);
}

describe('key file import and export through the router', () => {
  it('a file that is not UTF-8 goes in as bytes and comes out byte for byte', async () => {
    const file = latin1File();
    expect(() => utf8Decode(file, true)).toThrow(); // really not UTF-8
    const page = new World().connect(pageRights);

    // What a text decoder does to it: the key no longer matches (the bug this guards against).
    await expect(page.req({ type: 'key-import', text: utf8Decode(file), encoding: 'text' })).rejects.toThrow(
      /y != g\^x/,
    );

    const picked = pickedKeyFile(file);
    expect(picked.send.encoding).toBe('base64');
    const preview = (await page.req({ type: 'key-import-preview', ...picked.send })) as { keys: unknown[] };
    expect(preview.keys).toHaveLength(1);
    expect(await page.req({ type: 'key-import', ...picked.send })).toEqual({ imported: 1 });

    const out = (await page.req({ type: 'key-export', passphrase: null })) as KeyExport;
    expect(bytesToHex(base64Decode(out.file)!)).toBe(bytesToHex(file));
    expect(out.text).toBe(utf8Decode(file)); // shown as text, with U+FFFD where it is not UTF-8
  });

  it('a UTF-8 file goes as text, and bad base64 is a clear key-file error that imports nothing', async () => {
    const page = new World().connect(pageRights);
    const utf8 = utf8Encode('(privkeys)\n');
    expect(pickedKeyFile(utf8)).toEqual({
      shown: '(privkeys)\n',
      send: { text: '(privkeys)\n', encoding: 'text' },
    });
    await expect(page.req({ type: 'key-import', text: '(privkeys', encoding: 'base64' })).rejects.toThrow(
      /did not arrive as valid base64/,
    );
    expect(await page.req({ type: 'keys-list' })).toEqual([]);
    expect(await page.req({ type: 'key-import', text: base64Encode(utf8), encoding: 'base64' })).toEqual({
      imported: 0,
    });
  });
});
