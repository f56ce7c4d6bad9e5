/**
 * The invariant checker of the replay property tests (I7, issue 15): every line one side sends
 * is observed here, and the checker fails the test as soon as that side
 *
 * - sends two different data messages under the same keys and counter: checked on the bytes
 *   (for two messages whose plaintexts are known, c1 xor c2 must never equal p1 xor p2) and on
 *   the header (the advertised next D-H key names the sender's key pair within a session and
 *   is fresh for every session, the recipient key id names the buddy's key: the same
 *   (next key, key ids, counter) twice with different bytes is the same keys and counter twice);
 * - encrypts a second, different Reveal Signature or Signature under AKE keys it already used
 *   (the public key at the start of the encrypted part is the same plaintext every time, so the
 *   same leading ciphertext bytes mean the same AES key and counter 0).
 *
 * What it sees is only the wire: it works the same for our engine and for libotr as the sender.
 */
import { bytesToHex } from '../../src/crypto/bytes';
import { dearmor, decodeMessage, type OtrMessage } from '../../src/otr/messages';
import { classify, type FragmentState, reassemble } from '../../src/otr/proto';

interface DataSeen {
  ctr: string;
  header: string;
  encrypted: Uint8Array;
  bytes: string;
  plaintext?: Uint8Array;
}

/** Bytes of the encrypted signed part compared: inside the 400-odd bytes of the public key. */
const SIG_PREFIX = 48;

export class ReplayChecker {
  private data = new Map<string, DataSeen[]>();
  private sigs = new Map<string, Map<string, string>>();
  private fragments = new Map<string, FragmentState>();
  /** How many data messages and AKE signatures were checked (the test asserts it did check). */
  counts = { data: 0, sigs: 0, knownPlaintexts: 0 };

  /** Every line `side` sent, in order; `plaintext` for the data message of a line the user typed. */
  observe(side: string, wire: string, plaintext?: Uint8Array): void {
    const c = classify(wire);
    let whole: string | undefined;
    if (c.kind === 'fragment') {
      const key = `${side}:${c.senderTag}`;
      const step = reassemble(this.fragments.get(key) ?? { k: 0, n: 0, pieces: '' }, c);
      this.fragments.set(key, step.state);
      whole = step.complete;
    } else if (c.kind === 'encoded') {
      whole = c.text;
    }
    if (whole === undefined) return;
    let msg: OtrMessage;
    try {
      msg = decodeMessage(dearmor(whole));
    } catch {
      return;
    }
    if (msg.kind === 'data') this.checkData(side, msg, plaintext);
    else if (msg.kind === 'reveal-sig' || msg.kind === 'sig') this.checkSig(side, msg.kind, msg.encryptedSig);
  }

  private checkData(side: string, msg: Extract<OtrMessage, { kind: 'data' }>, plaintext?: Uint8Array): void {
    this.counts.data++;
    if (plaintext) this.counts.knownPlaintexts++;
    const seen: DataSeen = {
      ctr: bytesToHex(msg.ctr),
      header: `${msg.header.version}:${msg.header.senderTag}:${msg.header.receiverTag}:${msg.senderKeyId}:${msg.recipientKeyId}:${msg.nextDh.toString(16)}`,
      encrypted: msg.encrypted.slice(),
      bytes: bytesToHex(msg.authenticated),
      plaintext,
    };
    const list = this.data.get(side) ?? [];
    for (const old of list) {
      if (old.ctr !== seen.ctr || old.bytes === seen.bytes) continue;
      if (old.header === seen.header) {
        throw new Error(
          `${side} sent two different data messages under the same keys and counter ${seen.ctr}`,
        );
      }
      if (old.plaintext && seen.plaintext) {
        const n = Math.min(
          old.plaintext.length,
          seen.plaintext.length,
          old.encrypted.length,
          seen.encrypted.length,
        );
        if (n < 8) continue;
        let same = true;
        for (let i = 0; i < n && same; i++) {
          same = (old.encrypted[i]! ^ seen.encrypted[i]!) === (old.plaintext[i]! ^ seen.plaintext[i]!);
        }
        if (same) throw new Error(`${side} reused a keystream: c1 xor c2 = p1 xor p2 (counter ${seen.ctr})`);
      }
    }
    list.push(seen);
    this.data.set(side, list);
  }

  private checkSig(side: string, kind: string, encryptedSig: Uint8Array): void {
    this.counts.sigs++;
    const bySide = this.sigs.get(side) ?? new Map<string, string>();
    const prefix = `${kind}:${bytesToHex(encryptedSig.subarray(0, SIG_PREFIX))}`;
    const whole = bytesToHex(encryptedSig);
    const before = bySide.get(prefix);
    if (before !== undefined && before !== whole) {
      throw new Error(
        `${side} re-encrypted a ${kind} under AKE keys it had used (same keystream, new plaintext)`,
      );
    }
    bySide.set(prefix, whole);
    this.sigs.set(side, bySide);
  }
}
