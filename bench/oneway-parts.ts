/**
 * Profiling helper (not part of the bench): what one one-way message costs, part by part. Times
 * each step of a 100-byte data message on its own (µs per call, best of several batches), then the
 * whole send + receive through two Sessions, and the same message's steps inside the engine.
 *   npx tsx bench/oneway-parts.ts
 */
import { Aes128Key, aes128Ctr, aes128CtrInto } from '../src/crypto/aes';
import {
  base64Decode,
  base64Encode,
  bigIntToBytes,
  bytesToBigInt,
  utf8Decode,
  utf8Encode,
} from '../src/crypto/bytes';
import { generateDsaKey } from '../src/crypto/dsa-keygen';
import { HmacSha1Key } from '../src/crypto/hash';
import { MODP_P, powG } from '../src/crypto/modp';
import { cryptoRandom } from '../src/crypto/random';
import { armor, dearmor, dearmorTransient, decodeMessage } from '../src/otr/messages';
import { POLICY_MANUAL } from '../src/otr/policy';
import { classify } from '../src/otr/proto';
import { Session } from '../src/otr/session';
import { textOf } from './common';

function us(label: string, f: () => unknown, n = 20000): void {
  let best = Number.POSITIVE_INFINITY;
  for (let b = 0; b < 7; b++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    best = Math.min(best, ((performance.now() - t0) * 1000) / n);
  }
  console.log(`${best.toFixed(2).padStart(8)} µs  ${label}`);
}

const key = cryptoRandom(16);
const macKey = cryptoRandom(20);
const ctr = cryptoRandom(8);
const text = textOf(100);
const plain = utf8Encode(text);
const gx = powG(bytesToBigInt(cryptoRandom(40)));
const [ka, kb] = [await generateDsaKey(), await generateDsaKey()];
const mk = (account: string, peer: string, k: typeof ka, tag: number) =>
  new Session({
    account,
    protocol: 'bench',
    peer,
    privateKey: k,
    instanceTag: tag,
    policy: POLICY_MANUAL,
    maxMessageSize: 0,
  });
const a = mk('alice', 'bob', ka, 0x12345678);
const b = mk('bob', 'alice', kb, 0x23456789);
const pump = (from: Session, to: Session, wire: string[]) => {
  const q = wire.map((w) => [from, to, w] as const);
  for (let i = 0; i < q.length; i++) {
    const [src, dst, w] = q[i]!;
    for (const x of dst.receive(w).wire) q.push([dst, src, x]);
  }
};
pump(a, b, a.query().wire);
pump(a, b, a.send(text).wire);
pump(b, a, b.send(text).wire);
const wire = a.send(text).wire[0]!;
const bytes = dearmor(wire);
console.log(`data message: ${bytes.length} bytes, ${wire.length} characters`);

const into = new Uint8Array(512);
us('aes128Ctr 100 B', () => aes128Ctr(key, ctr, plain));
const aesKey = new Aes128Key(key);
const hmacKey = new HmacSha1Key(macKey);
us('aes128CtrInto 100 B (prepared key, no new array)', () => aes128CtrInto(aesKey, ctr, plain, into, 228));
us('HmacSha1Key made and used once, 240 B', () => new HmacSha1Key(macKey).mac(bytes.subarray(0, 240)));
us('HmacSha1Key.mac 240 B (prepared key)', () => hmacKey.mac(bytes.subarray(0, 240)));
// The MAC-covered part of a data message, its counter changing: the remembered prefix in use.
const covered = bytes.slice(0, bytes.length - 24);
let n = 0;
us('HmacSha1Key.macInto, data message (prefix remembered)', () => {
  covered[223] = n++;
  hmacKey.macInto(covered, into, 0);
});
us('base64Encode', () => base64Encode(bytes));
us('base64Decode', () => base64Decode(wire.slice(5, -1)));
us('armor', () => armor(bytes));
us('dearmor', () => dearmor(wire));
us('dearmorTransient (reused buffer)', () => dearmorTransient(wire));
us('classify', () => classify(wire));
us('decodeMessage', () => decodeMessage(bytes));
us('bigIntToBytes (gx)', () => bigIntToBytes(gx));
us('bytesToBigInt (192 B)', () => bytesToBigInt(bytes.subarray(20, 212)));
us('x < p && x > 1 (isGroupElement-ish)', () => gx > 1n && gx < MODP_P - 1n);
us('utf8Encode 100', () => utf8Encode(text));
us('utf8Decode 100', () => utf8Decode(plain));
us('Session.send', () => a.send(text), 5000);
const wires: string[] = [];
for (let i = 0; i < 40000; i++) wires.push(a.send(text).wire[0]!);
let k = 0;
us('Session.receive', () => b.receive(wires[k++]!), 5000);

// The same message's steps inside the engine (reaching into the Session for its context).
const ctx = (a as unknown as { best(): import('../src/otr/context').Context }).best();
us('Context.seal (no armor)', () => ctx.seal(text), 5000);
us('Context.sealArmored (what Session.send uses)', () => ctx.sealArmored(text), 5000);
const sealed = ctx.seal(text).bytes;
us('armor(sealed)', () => armor(sealed));
const bctx = (b as unknown as { best(): import('../src/otr/context').Context }).best();
const msgs: ReturnType<typeof decodeMessage>[] = [];
for (let i = 0; i < 40000; i++) msgs.push(decodeMessage(ctx.seal(text).bytes));
let j = 0;
us('Context.receive (decoded)', () => bctx.receive(msgs[j++]!), 5000);
