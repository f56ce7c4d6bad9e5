/**
 * The fingerprints otr-peer has seen and their trust, optionally backed by a libotr-format
 * otr.fingerprints file (read at start, written back when trust changes and at exit).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { equalBytes } from '../../src/crypto/bytes';
import {
  type FingerprintEntry,
  parseFingerprintsFile,
  serializeFingerprintsFile,
} from '../../src/otr/fingerprints-file';

export class FingerprintBook {
  private entries: FingerprintEntry[] = [];

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) this.entries = parseFingerprintsFile(readFileSync(file, 'utf8'));
  }

  private find(
    account: string,
    protocol: string,
    buddy: string,
    fp: Uint8Array,
  ): FingerprintEntry | undefined {
    return this.entries.find(
      (e) =>
        e.account === account &&
        e.protocol === protocol &&
        e.username === buddy &&
        equalBytes(e.fingerprint, fp),
    );
  }

  seen(account: string, protocol: string, buddy: string, fp: Uint8Array): void {
    if (!this.find(account, protocol, buddy, fp)) {
      this.entries.push({ username: buddy, account, protocol, fingerprint: fp.slice(), trust: '' });
      this.save();
    }
  }

  trusted(account: string, protocol: string, buddy: string, fp: Uint8Array): boolean {
    return (this.find(account, protocol, buddy, fp)?.trust ?? '') !== '';
  }

  setTrust(account: string, protocol: string, buddy: string, fp: Uint8Array, trust: string): void {
    this.seen(account, protocol, buddy, fp);
    this.find(account, protocol, buddy, fp)!.trust = trust;
    this.save();
  }

  save(): void {
    if (this.file) writeFileSync(this.file, serializeFingerprintsFile(this.entries));
  }
}
