/**
 * ake.ts: the AKE's four auth states against every message type (spec: "The protocol state
 * machine"), the commit collision, retransmissions, reflections, bad MACs / signatures / group
 * elements ignored with no state change, the 16-byte r kept as bytes, and snapshot/restore at
 * every step. Keys are recomputed here from the spec's formulas to forge MAC-valid messages.
 */
import { describe, expect, it } from 'vitest';
import { aes128Ctr } from '../../../src/crypto/aes-ctr';
import { bytesToHex, concatBytes, hexToBytes } from '../../../src/crypto/bytes';
import { dsaSign } from '../../../src/crypto/dsa';
import { hmacSha256, hmacSha256_160, sha256 } from '../../../src/crypto/hash';
import { MODP_P, powG, powP } from '../../../src/crypto/modp';
import type { RandomSource } from '../../../src/crypto/random';
import { Ake, AkeHistory, type AkeStep, type AuthState } from '../../../src/otr/ake';
import {
  type DhCommit,
  type DhKey,
  decodeMessage,
  encodeDhCommit,
  encodeDhKey,
  encodeRevealSig,
  type ProtocolVersion,
  type RevealSig,
  type Sig,
} from '../../../src/otr/messages';
import { encodePublicKey, encodeSignature, fingerprint } from '../../../src/otr/pubkey';
import { encodeMpi, Reader, Writer } from '../../../src/otr/serial';
import { ALICE_KEY, ALICE_TAG, BOB_KEY, BOB_TAG, TestRandom } from './helpers';

const ZERO = new Uint8Array(8);

function handle(ake: Ake, bytes: Uint8Array): AkeStep {
  const m = decodeMessage(bytes);
  switch (m.kind) {
    case 'dh-commit':
      return ake.handleDhCommit(m);
    case 'dh-key':
      return ake.handleDhKey(m);
    case 'reveal-sig':
      return ake.handleRevealSig(m);
    case 'sig':
      return ake.handleSig(m);
    default:
      throw new Error('not an AKE message');
  }
}

const snap = (a: Ake) => JSON.stringify(a.snapshot());

interface Run {
  bob: Ake;
  alice: Ake;
  commit: Uint8Array;
  dhKey: Uint8Array;
  revealSig: Uint8Array;
  sig: Uint8Array;
  aliceStep: AkeStep;
  bobStep: AkeStep;
}

/** Bob (BOB_KEY) starts; Alice (ALICE_KEY) answers. Stops before the step named by `until`. */
function makePair(seed: number, version: ProtocolVersion = 3, bobRandom?: RandomSource) {
  const rb = new TestRandom(seed);
  const ra = new TestRandom(seed + 1);
  const bob = new Ake(BOB_KEY, bobRandom ?? rb.source, BOB_TAG, 0, new AkeHistory());
  const alice = new Ake(ALICE_KEY, ra.source, ALICE_TAG, version === 3 ? BOB_TAG : 0, new AkeHistory());
  return { bob, alice, rb, ra };
}

function fullRun(seed: number, version: ProtocolVersion = 3, bobRandom?: RandomSource): Run {
  const { bob, alice } = makePair(seed, version, bobRandom);
  const commit = bob.start(version).send[0]!;
  const dhKey = handle(alice, commit).send[0]!;
  const revealSig = handle(bob, dhKey).send[0]!;
  const aliceStep = handle(alice, revealSig);
  const sig = aliceStep.send[0]!;
  const bobStep = handle(bob, sig);
  return { bob, alice, commit, dhKey, revealSig, sig, aliceStep, bobStep };
}

/** The AKE keys from the spec ("Computing the keys"), computed independently of ake.ts. */
function specKeys(s: bigint) {
  const sb = encodeMpi(s);
  const h2 = (b: number) => sha256(concatBytes(Uint8Array.of(b), sb));
  return {
    ssid: h2(0).slice(0, 8),
    c: h2(1).slice(0, 16),
    cp: h2(1).slice(16, 32),
    m1: h2(2),
    m2: h2(3),
    m1p: h2(4),
    m2p: h2(5),
  };
}

describe('a complete AKE', () => {
  for (const version of [3, 2] as const) {
    it(`v${version}: both sides finish with the same ssid and each other's keys`, () => {
      const r = fullRun(100 + version, version);
      const a = r.aliceStep.done!;
      const b = r.bobStep.done!;
      expect(a && b).toBeTruthy();
      expect(r.bobStep.send).toEqual([]);
      expect(bytesToHex(a.ssid)).toBe(bytesToHex(b.ssid));
      expect(a.version).toBe(version);
      expect(b.version).toBe(version);
      expect(b.ssidBoldFirstHalf).toBe(true);
      expect(a.ssidBoldFirstHalf).toBe(false);
      expect(bytesToHex(fingerprint(a.theirPublicKey))).toBe(bytesToHex(fingerprint(BOB_KEY)));
      expect(bytesToHex(fingerprint(b.theirPublicKey))).toBe(bytesToHex(fingerprint(ALICE_KEY)));
      expect(a.theirY).toBe(b.ourDh.gx);
      expect(b.theirY).toBe(a.ourDh.gx);
      expect([a.ourKeyId, a.theirKeyId, b.ourKeyId, b.theirKeyId]).toEqual([1, 1, 1, 1]);
      expect(r.alice.state).toBe('none');
      expect(r.bob.state).toBe('none');
      // the ssid is the spec's h2(0x00) of g^xy
      expect(bytesToHex(a.ssid)).toBe(bytesToHex(specKeys(powP(a.theirY, a.ourDh.x)).ssid));
      for (const m of [r.commit, r.dhKey, r.revealSig, r.sig])
        expect(decodeMessage(m).header.version).toBe(version);
    });
  }
  it('the commitment: AES_r(MPI(g^x)) and SHA256(MPI(g^x)); r is revealed in the Reveal Signature', () => {
    const r = fullRun(7);
    const c = decodeMessage(r.commit) as DhCommit;
    const rs = decodeMessage(r.revealSig) as RevealSig;
    const gx = encodeMpi(r.bobStep.done!.ourDh.gx);
    expect(bytesToHex(aes128Ctr(rs.revealedKey, ZERO, c.encryptedGx))).toBe(bytesToHex(gx));
    expect(bytesToHex(c.hashedGx)).toBe(bytesToHex(sha256(gx)));
    expect(c.header.receiverTag).toBe(0);
    expect(c.header.senderTag).toBe(BOB_TAG);
  });
  it('DH private keys are 320 bits (40 random bytes)', () => {
    const { bob } = makePair(8);
    bob.start(3);
    expect(BigInt(`0x${bob.snapshot().x}`) < 1n << 320n).toBe(true);
  });
});

describe('many AKEs', () => {
  it('40 AKEs with different random streams, both versions, all complete with matching ssids', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const r = fullRun(9000 + seed * 7, seed % 4 === 0 ? 2 : 3);
      expect(r.aliceStep.done).toBeTruthy();
      expect(r.bobStep.done).toBeTruthy();
      expect(bytesToHex(r.aliceStep.done!.ssid)).toBe(bytesToHex(r.bobStep.done!.ssid));
    }
  });
});

describe('the 16-byte r stays bytes (arlolra/otr dropped leading zeros: 1 AKE in 16 failed)', () => {
  for (const zeros of [1, 2, 8, 16]) {
    it(`r with ${zeros} leading zero byte(s)`, () => {
      const base = new TestRandom(300 + zeros);
      let calls = 0;
      const rigged: RandomSource = (n) => {
        const out = base.source(n);
        if (n === 16 && calls++ === 0) out.fill(0, 0, zeros);
        return out;
      };
      const r = fullRun(300 + zeros, 3, rigged);
      const rs = decodeMessage(r.revealSig) as RevealSig;
      expect(rs.revealedKey).toHaveLength(16);
      expect([...rs.revealedKey.slice(0, zeros)]).toEqual(new Array(zeros).fill(0));
      expect(r.aliceStep.done).toBeTruthy();
      expect(r.bobStep.done).toBeTruthy();
    });
  }
});

/** Brings a fresh AKE pair to the given state for the party under test and returns it with messages. */
function inState(state: AuthState, seed: number) {
  const { bob, alice } = makePair(seed);
  // A separate, complete AKE provides well-formed "foreign" messages of every type.
  const other = fullRun(seed + 50);
  let ake: Ake;
  let commitFromPeer: Uint8Array | null = null;
  let dhKeyFromPeer: Uint8Array | null = null;
  let revealFromPeer: Uint8Array | null = null;
  let lastSent: Uint8Array | null = null;
  switch (state) {
    case 'none':
      ake = alice;
      break;
    case 'awaiting-dhkey':
      ake = bob;
      lastSent = bob.start(3).send[0]!;
      dhKeyFromPeer = handle(alice, lastSent).send[0]!;
      break;
    case 'awaiting-revealsig': {
      ake = alice;
      commitFromPeer = bob.start(3).send[0]!;
      lastSent = handle(alice, commitFromPeer).send[0]!;
      revealFromPeer = handle(bob, lastSent).send[0]!;
      break;
    }
    case 'awaiting-sig': {
      ake = bob;
      commitFromPeer = bob.start(3).send[0]!;
      dhKeyFromPeer = handle(alice, commitFromPeer).send[0]!;
      lastSent = handle(bob, dhKeyFromPeer).send[0]!;
      break;
    }
  }
  expect(ake.state).toBe(state);
  return { ake, other, commitFromPeer, dhKeyFromPeer, revealFromPeer, lastSent };
}

describe('the state machine: every auth state × every message type', () => {
  const kinds = ['dh-commit', 'dh-key', 'reveal-sig', 'sig'] as const;
  const foreign = (o: Run, k: (typeof kinds)[number]) =>
    ({ 'dh-commit': o.commit, 'dh-key': o.dhKey, 'reveal-sig': o.revealSig, sig: o.sig })[k];

  // What the spec says happens to a well-formed message that does not belong to this exchange.
  const expected: Record<
    AuthState,
    Record<(typeof kinds)[number], { reply: string | null; next: AuthState }>
  > = {
    none: {
      'dh-commit': { reply: 'dh-key', next: 'awaiting-revealsig' },
      'dh-key': { reply: null, next: 'none' },
      'reveal-sig': { reply: null, next: 'none' },
      sig: { reply: null, next: 'none' },
    },
    'awaiting-dhkey': {
      'dh-commit': { reply: 'collision', next: 'awaiting-dhkey' },
      // a D-H Key from anyone answers our commit (the group element is valid)
      'dh-key': { reply: 'reveal-sig', next: 'awaiting-sig' },
      'reveal-sig': { reply: null, next: 'awaiting-dhkey' },
      sig: { reply: null, next: 'awaiting-dhkey' },
    },
    'awaiting-revealsig': {
      'dh-commit': { reply: 'dh-key', next: 'awaiting-revealsig' },
      'dh-key': { reply: null, next: 'awaiting-revealsig' },
      'reveal-sig': { reply: null, next: 'awaiting-revealsig' },
      sig: { reply: null, next: 'awaiting-revealsig' },
    },
    'awaiting-sig': {
      'dh-commit': { reply: 'dh-key', next: 'awaiting-revealsig' },
      'dh-key': { reply: null, next: 'awaiting-sig' },
      'reveal-sig': { reply: null, next: 'awaiting-sig' },
      sig: { reply: null, next: 'awaiting-sig' },
    },
  };

  for (const state of Object.keys(expected) as AuthState[]) {
    for (const kind of kinds) {
      const e = expected[state][kind];
      it(`${state} + foreign ${kind} → ${e.reply ?? 'ignored'}, ${e.next}`, () => {
        const t = inState(state, 400);
        const before = snap(t.ake);
        const step = handle(t.ake, foreign(t.other, kind));
        expect(t.ake.state === e.next || e.reply === 'collision').toBe(true);
        if (e.reply === null) {
          expect(step.send).toEqual([]);
          expect(step.ignored).toBeTruthy();
          expect(step.done).toBeUndefined();
          expect(snap(t.ake)).toBe(before);
        } else if (e.reply === 'collision') {
          // Exercised in detail below; either our commit again or a D-H Key.
          expect(step.send).toHaveLength(1);
        } else {
          expect(step.send).toHaveLength(1);
          expect(decodeMessage(step.send[0]!).kind).toBe(e.reply);
          expect(t.ake.state).toBe(e.next);
        }
      });
    }
  }
});

describe('commit collision (both send D-H Commit)', () => {
  it('the higher hash resends its commit, the lower one answers; the AKE completes either way', () => {
    const seen = new Set<boolean>();
    for (let seed = 500; seen.size < 2 && seed < 520; seed++) {
      const { bob, alice } = makePair(seed);
      const cb = bob.start(3).send[0]!;
      const ca = alice.start(3).send[0]!;
      const hb = (decodeMessage(cb) as DhCommit).hashedGx;
      const ha = (decodeMessage(ca) as DhCommit).hashedGx;
      const bobWins = bytesToHex(hb) > bytesToHex(ha);
      seen.add(bobWins);
      const atBob = handle(bob, ca);
      const atAlice = handle(alice, cb);
      const [winner, loser, winnerStep, loserStep, winnerCommit] = bobWins
        ? [bob, alice, atBob, atAlice, cb]
        : [alice, bob, atAlice, atBob, ca];
      expect(bytesToHex(winnerStep.send[0]!)).toBe(bytesToHex(winnerCommit));
      expect(winner.state).toBe('awaiting-dhkey');
      expect(decodeMessage(loserStep.send[0]!).kind).toBe('dh-key');
      expect(loser.state).toBe('awaiting-revealsig');
      // finish: the winner gets the loser's D-H Key
      const rs = handle(winner, loserStep.send[0]!).send[0]!;
      const fin = handle(loser, rs);
      expect(fin.done).toBeTruthy();
      expect(handle(winner, fin.send[0]!).done).toBeTruthy();
    }
    expect(seen.size).toBe(2);
  });
  it('our own commit reflected back is ignored', () => {
    const { bob } = makePair(530);
    const c = bob.start(3).send[0]!;
    const before = snap(bob);
    const step = handle(bob, c);
    expect(step.send).toEqual([]);
    expect(step.ignored).toMatch(/reflected/);
    expect(snap(bob)).toBe(before);
  });
});

describe('retransmissions', () => {
  it('awaiting-revealsig: the same commit again gets the identical D-H Key', () => {
    const t = inState('awaiting-revealsig', 600);
    const again = handle(t.ake, t.commitFromPeer!);
    expect(bytesToHex(again.send[0]!)).toBe(bytesToHex(t.lastSent!));
    expect(t.ake.state).toBe('awaiting-revealsig');
  });
  it('awaiting-revealsig: a new commit gets the same D-H Key and replaces the old commitment', () => {
    const t = inState('awaiting-revealsig', 601);
    const { bob: bob2 } = makePair(6020);
    const c2 = bob2.start(3).send[0]!;
    const again = handle(t.ake, c2);
    expect((decodeMessage(again.send[0]!) as DhKey).gy).toBe((decodeMessage(t.lastSent!) as DhKey).gy);
    // the first Bob's Reveal Signature no longer opens the commitment
    const stale = handle(t.ake, t.revealFromPeer!);
    expect(stale.ignored).toBeTruthy();
    // the new Bob's does
    const rs = handle(bob2, again.send[0]!).send[0]!;
    expect(handle(t.ake, rs).done).toBeTruthy();
  });
  it('awaiting-sig: the same D-H Key again gets the identical Reveal Signature', () => {
    const t = inState('awaiting-sig', 603);
    const again = handle(t.ake, t.dhKeyFromPeer!);
    expect(bytesToHex(again.send[0]!)).toBe(bytesToHex(t.lastSent!));
    expect(t.ake.state).toBe('awaiting-sig');
  });
  it('awaiting-sig: a commit restarts as the answering side with a fresh D-H key', () => {
    const t = inState('awaiting-sig', 604);
    const { bob: other } = makePair(605);
    const step = handle(t.ake, other.start(3).send[0]!);
    expect(t.ake.state).toBe('awaiting-revealsig');
    expect(decodeMessage(step.send[0]!).kind).toBe('dh-key');
  });
  it('awaiting-dhkey: a restart makes a new x and r', () => {
    const { bob } = makePair(606);
    const c1 = bob.start(3).send[0]!;
    const c2 = bob.start(3).send[0]!;
    expect(bytesToHex(c1)).not.toBe(bytesToHex(c2));
  });
});

describe('bad messages are ignored and change nothing', () => {
  it('D-H Key with g^y outside [2, p-2], or our own g^x reflected, or of another version', () => {
    for (const gy of [0n, 1n, MODP_P - 1n, MODP_P, MODP_P + 5n]) {
      const t = inState('awaiting-dhkey', 700);
      const before = snap(t.ake);
      const bytes = encodeDhKey({ version: 3, type: 0x0a, senderTag: ALICE_TAG, receiverTag: BOB_TAG }, gy);
      let step: AkeStep;
      try {
        step = handle(t.ake, bytes);
      } catch {
        continue; // longer than 192 bytes: refused by the decoder already
      }
      expect(step.send).toEqual([]);
      expect(step.ignored).toBeTruthy();
      expect(snap(t.ake)).toBe(before);
    }
    const t = inState('awaiting-dhkey', 701);
    const before = snap(t.ake);
    const gx = powG(BigInt(`0x${t.ake.snapshot().x}`));
    expect(
      handle(t.ake, encodeDhKey({ version: 3, type: 0x0a, senderTag: ALICE_TAG, receiverTag: BOB_TAG }, gx))
        .ignored,
    ).toMatch(/reflected/);
    const v2 = encodeDhKey(
      { version: 2, type: 0x0a, senderTag: 0, receiverTag: 0 },
      (decodeMessage(t.dhKeyFromPeer!) as DhKey).gy,
    );
    expect(handle(t.ake, v2).ignored).toBeTruthy();
    expect(snap(t.ake)).toBe(before);
  });

  it('Reveal Signature: every single bit flip in r, the signature or the MAC is ignored with no change', () => {
    const t = inState('awaiting-revealsig', 710);
    const before = snap(t.ake);
    const rs = decodeMessage(t.revealFromPeer!) as RevealSig;
    const variants: RevealSig[] = [];
    for (let i = 0; i < 16; i++) {
      const k = rs.revealedKey.slice();
      k[i]! ^= 0x80;
      variants.push({ ...rs, revealedKey: k });
    }
    for (let i = 0; i < rs.encryptedSig.length; i += 7) {
      const s = rs.encryptedSig.slice();
      s[i]! ^= 1;
      variants.push({ ...rs, encryptedSig: s });
    }
    for (let i = 0; i < 20; i++) {
      const m = rs.mac.slice();
      m[i]! ^= 4;
      variants.push({ ...rs, mac: m });
    }
    for (const v of variants) {
      const step = t.ake.handleRevealSig(v);
      expect(step.send).toEqual([]);
      expect(step.ignored).toBeTruthy();
      expect(snap(t.ake)).toBe(before);
    }
    // and the genuine one still works afterwards
    expect(handle(t.ake, t.revealFromPeer!).done).toBeTruthy();
  });

  it('Signature: every bit flip of the MAC and signature is ignored with no change', () => {
    const r = (() => {
      const { bob, alice } = makePair(720);
      const dk = handle(alice, bob.start(3).send[0]!).send[0]!;
      const rs = handle(bob, dk).send[0]!;
      return { bob, sig: handle(alice, rs).send[0]! };
    })();
    const before = snap(r.bob);
    const sig = decodeMessage(r.sig) as Sig;
    for (let i = 0; i < sig.encryptedSig.length + 20; i += 3) {
      const v =
        i < sig.encryptedSig.length
          ? { ...sig, encryptedSig: sig.encryptedSig.map((b, j) => (j === i ? b ^ 2 : b)) }
          : { ...sig, mac: sig.mac.map((b, j) => (j === i - sig.encryptedSig.length ? b ^ 2 : b)) };
      const step = r.bob.handleSig(v);
      expect(step.ignored).toBeTruthy();
      expect(snap(r.bob)).toBe(before);
    }
    expect(r.bob.handleSig(sig).done).toBeTruthy();
  });

  /** Forges a Reveal Signature with a valid MAC around a chosen signed part (we know both secrets). */
  function forgeReveal(
    seed: number,
    tweak: (pub: Uint8Array, keyId: Uint8Array, sig: Uint8Array, M: Uint8Array) => Uint8Array,
  ) {
    const t = inState('awaiting-revealsig', seed);
    const { bob } = makePair(seed);
    bob.start(3); // same seed: the same x and r as the Bob that made the commit in inState
    const bs = bob.snapshot();
    const as = t.ake.snapshot();
    const x = BigInt(`0x${bs.x}`);
    const y = BigInt(`0x${as.x}`);
    const gx = powG(x);
    const gy = powG(y);
    const k = specKeys(powP(gy, x));
    const pub = encodePublicKey(BOB_KEY);
    const keyId = new Writer().int(1).bytes();
    const M = hmacSha256(k.m1, concatBytes(encodeMpi(gx), encodeMpi(gy), pub, keyId));
    const sig = encodeSignature(dsaSign(BOB_KEY, M, new TestRandom(seed).source), BOB_KEY.q);
    const plain = tweak(pub, keyId, sig, M);
    const enc = aes128Ctr(k.c, ZERO, plain);
    const mac = hmacSha256_160(k.m2, new Writer().data(enc).bytes());
    const bytes = encodeRevealSig(
      { version: 3, type: 0x11, senderTag: BOB_TAG, receiverTag: ALICE_TAG },
      hexToBytes(bs.r!),
      enc,
      mac,
    );
    return { t, bytes };
  }

  it('a forged Reveal Signature built from the spec formulas is accepted (the test forge is right)', () => {
    const { t, bytes } = forgeReveal(730, (pub, keyId, sig) => concatBytes(pub, keyId, sig));
    expect(handle(t.ake, bytes).done).toBeTruthy();
  });
  const bad: [string, (pub: Uint8Array, keyId: Uint8Array, sig: Uint8Array) => Uint8Array][] = [
    [
      'a signature with one bit flipped',
      (p, k, s) =>
        concatBytes(
          p,
          k,
          s.map((b, i) => (i === 5 ? b ^ 1 : b)),
        ),
    ],
    ['key id 0', (p, _k, s) => concatBytes(p, new Uint8Array(4), s)],
    ['a trailing byte', (p, k, s) => concatBytes(p, k, s, Uint8Array.of(0))],
    ['a truncated signature', (p, k, s) => concatBytes(p, k, s.slice(0, -1))],
    ['someone else’s public key', (_p, k, s) => concatBytes(encodePublicKey(ALICE_KEY), k, s)],
    ['a public key of type 1', (p, k, s) => concatBytes(Uint8Array.of(0, 1), p.slice(2), k, s)],
  ];
  for (const [name, tweak] of bad) {
    it(`a MAC-valid Reveal Signature with ${name} is ignored with no change`, () => {
      const { t, bytes } = forgeReveal(731, tweak);
      const before = snap(t.ake);
      const step = handle(t.ake, bytes);
      expect(step.done).toBeUndefined();
      expect(step.send).toEqual([]);
      expect(step.ignored).toBeTruthy();
      expect(snap(t.ake)).toBe(before);
    });
  }
  it('a Reveal Signature whose g^x is out of range (p-1) is ignored even with a matching commitment', () => {
    // Bob commits to g^x = p - 1 (he knows no x for it); Alice must refuse when it is revealed.
    const r = new Uint8Array(16).fill(7);
    const gxMpi = encodeMpi(MODP_P - 1n);
    const commit = encodeDhCommit(
      { version: 3, type: 2, senderTag: BOB_TAG, receiverTag: 0 },
      aes128Ctr(r, ZERO, gxMpi),
      sha256(gxMpi),
    );
    const { alice } = makePair(740);
    handle(alice, commit);
    const before = snap(alice);
    const reveal = encodeRevealSig(
      { version: 3, type: 0x11, senderTag: BOB_TAG, receiverTag: ALICE_TAG },
      r,
      new Uint8Array(40),
      new Uint8Array(20),
    );
    const step = handle(alice, reveal);
    expect(step.ignored).toMatch(/range/);
    expect(snap(alice)).toBe(before);
  });
});

describe('snapshot/restore at every step', () => {
  function persisted(seed: number, persist: boolean) {
    const rb = new TestRandom(seed);
    const ra = new TestRandom(seed + 1);
    const hb = new AkeHistory();
    const ha = new AkeHistory();
    let bob = new Ake(BOB_KEY, rb.source, BOB_TAG, 0, hb);
    let alice = new Ake(ALICE_KEY, ra.source, ALICE_TAG, BOB_TAG, ha);
    let rbNow = rb;
    let raNow = ra;
    const p = () => {
      if (!persist) return;
      rbNow = rbNow.clone();
      raNow = raNow.clone();
      bob = Ake.restore(JSON.parse(JSON.stringify(bob.snapshot())), BOB_KEY, rbNow.source, hb);
      alice = Ake.restore(JSON.parse(JSON.stringify(alice.snapshot())), ALICE_KEY, raNow.source, ha);
    };
    const out: string[] = [];
    const record = (s: AkeStep) => {
      out.push(
        ...s.send.map(bytesToHex),
        s.done ? bytesToHex(s.done.ssid) + s.done.theirY.toString(16) : '-',
      );
      return s;
    };
    p();
    const c = record(bob.start(3)).send[0]!;
    p();
    record(handle(bob, c)); // reflected: ignored
    p();
    const k = record(handle(alice, c)).send[0]!;
    p();
    record(handle(alice, c)); // retransmitted D-H Key
    p();
    const rs = record(handle(bob, k)).send[0]!;
    p();
    record(handle(bob, k)); // retransmitted Reveal Signature
    p();
    const s = record(handle(alice, rs)).send[0]!;
    p();
    record(handle(bob, s));
    p();
    out.push(snap(alice), snap(bob));
    return out;
  }
  it('persisting both sides through JSON before every message changes no byte of the outcome', () => {
    expect(persisted(800, true)).toEqual(persisted(800, false));
  });
  it('restore refuses unknown states and incomplete snapshots', () => {
    const { bob } = makePair(810);
    bob.start(3);
    const s = bob.snapshot();
    expect(() =>
      Ake.restore(
        { ...s, state: 'bogus' as AuthState },
        BOB_KEY,
        Math.random as unknown as RandomSource,
        new AkeHistory(),
      ),
    ).toThrow();
    expect(() =>
      Ake.restore({ ...s, r: undefined }, BOB_KEY, new TestRandom(1).source, new AkeHistory()),
    ).toThrow();
    expect(() =>
      Ake.restore({ ...s, state: 'awaiting-sig' }, BOB_KEY, new TestRandom(1).source, new AkeHistory()),
    ).toThrow();
    const ok = Ake.restore(s, BOB_KEY, new TestRandom(1).source, new AkeHistory());
    expect(ok.snapshot()).toEqual(s);
  });
  it('the AKE snapshot holds the DH private key and r only while they are needed', () => {
    const r = fullRun(820);
    expect(r.alice.snapshot().x).toBeUndefined();
    expect(r.bob.snapshot().r).toBeUndefined();
    expect(r.bob.snapshot().state).toBe('none');
    const rd = new Reader(r.commit);
    expect(rd.short()).toBe(3);
  });
});
