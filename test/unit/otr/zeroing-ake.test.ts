/**
 * The AKE zeroes what it derives once it is used (spec: "Computing the keys"): the hash inputs
 * b ‖ MPI(s), the keys c, c', m1, m2, m1', m2', and Bob's r when the exchange ends. The hash and
 * AES modules are wrapped to see the buffers ake.ts hands them; the values are not changed.
 */
import { describe, expect, it, vi } from 'vitest';
import { Ake, AkeHistory, type AkeStep } from '../../../src/otr/ake';
import { decodeMessage } from '../../../src/otr/messages';
import { ALICE_KEY, ALICE_TAG, BOB_KEY, BOB_TAG, TestRandom } from './helpers';

const seen = vi.hoisted(() => ({
  /** Inputs of the AKE's key derivation h2(b) = SHA256(b ‖ MPI(s)). */
  hashInputs: [] as Uint8Array[],
  macKeys: [] as Uint8Array[],
  aesKeys: [] as { key: Uint8Array; value: Uint8Array }[],
}));

vi.mock('../../../src/crypto/hash', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/crypto/hash')>();
  return {
    ...real,
    sha256: (data: Uint8Array) => {
      // b ‖ MPI(s): one byte, then a 4-byte length that matches what follows (judged now: the
      // bytes are zeroed afterwards).
      const d = data;
      if (d.length > 100 && d[0]! <= 5 && d[1] === 0 && d[2] === 0 && d[3] === 0 && d.length === 5 + d[4]!)
        seen.hashInputs.push(data);
      return real.sha256(data);
    },
    hmacSha256: (key: Uint8Array, data: Uint8Array) => {
      seen.macKeys.push(key);
      return real.hmacSha256(key, data);
    },
    hmacSha256_160: (key: Uint8Array, data: Uint8Array) => {
      seen.macKeys.push(key);
      return real.hmacSha256_160(key, data);
    },
  };
});
vi.mock('../../../src/crypto/aes-ctr', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/crypto/aes-ctr')>();
  return {
    ...real,
    aes128Ctr: (key: Uint8Array, ctr: Uint8Array, data: Uint8Array) => {
      seen.aesKeys.push({ key, value: key.slice() });
      return real.aes128Ctr(key, ctr, data);
    },
  };
});

function handle(ake: Ake, bytes: Uint8Array): AkeStep {
  const m = decodeMessage(bytes);
  if (m.kind === 'dh-commit') return ake.handleDhCommit(m);
  if (m.kind === 'dh-key') return ake.handleDhKey(m);
  if (m.kind === 'reveal-sig') return ake.handleRevealSig(m);
  if (m.kind === 'sig') return ake.handleSig(m);
  throw new Error(`not an AKE message: ${m.kind}`);
}

const zero = (b: Uint8Array) => b.every((x) => x === 0);

describe('AKE key material is zeroed once used', () => {
  it('hash inputs, c, c′, m1, m2, m1′, m2′ and Bob’s r, after a completed AKE', () => {
    const bob = new Ake(BOB_KEY, new TestRandom(5).source, BOB_TAG, 0, new AkeHistory());
    const alice = new Ake(ALICE_KEY, new TestRandom(6).source, ALICE_TAG, BOB_TAG, new AkeHistory());
    const commit = bob.start(3).send[0]!;
    const r = seen.aesKeys[0]!;
    const dhKey = handle(alice, commit).send[0]!;
    const revealSig = handle(bob, dhKey).send[0]!;
    const aliceStep = handle(alice, revealSig);
    const bobStep = handle(bob, aliceStep.send[0]!);
    expect(aliceStep.done && bobStep.done).toBeTruthy();
    expect(aliceStep.done!.ssid).toEqual(bobStep.done!.ssid);
    expect(zero(aliceStep.done!.ssid)).toBe(false);

    const derivations = seen.hashInputs;
    expect(derivations.length).toBe(18); // 6 hashes × (Bob: D-H Key, Signature; Alice: Reveal Signature)
    for (const d of derivations) expect(zero(d)).toBe(true);
    expect(seen.macKeys.length).toBeGreaterThanOrEqual(8);
    for (const k of seen.macKeys) expect(zero(k)).toBe(true);
    // Bob's r is zeroed; Alice's copy of it is the revealed one from the wire (public by then).
    expect(zero(r.key)).toBe(true);
    for (const { key, value } of seen.aesKeys) {
      if (!zero(key)) expect(key).toEqual(r.value);
      else expect(zero(value)).toBe(false);
    }
  });
});
