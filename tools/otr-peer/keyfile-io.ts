/** Reading and updating one account's key in a libotr-format otr.private_key file, as bytes (atoms may hold raw bytes). */
import type { DsaPrivateKey } from '../../src/crypto/dsa';
import { parsePrivateKeyFile, serializePrivateKeyFile } from '../../src/otr/keyfile';

export function readAccountKey(text: Uint8Array, account: string, protocol: string): DsaPrivateKey | null {
  const entry = parsePrivateKeyFile(text).find((e) => e.account === account && e.protocol === protocol);
  return entry ? entry.key : null;
}

/** The file's text with this account's key added or replaced (other accounts kept as they were). */
export function writeAccountKey(
  existing: Uint8Array | null,
  account: string,
  protocol: string,
  key: DsaPrivateKey,
): Uint8Array {
  const others = existing
    ? parsePrivateKeyFile(existing).filter((e) => !(e.account === account && e.protocol === protocol))
    : [];
  return serializePrivateKeyFile([...others, { account, protocol, key }]);
}
