/**
 * The one-way message path without per-message arrays (issue 8, third pass) gives the same bytes
 * and the same answers as the plain way: a data message sealed in one Writer (ciphertext and MAC
 * written in place) is byte for byte encodeDataAuthenticated + HMAC + encodeDataTail; the "Into"
 * variants of AES-CTR and HMAC-SHA1 equal the allocating ones; base64Encode's reused buffer and
 * the reused buffers for UTF-8 and decrypted plaintext never leak one message into the next.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Aes128Key, aes128Ctr, aes128CtrInto } from '../../../src/crypto/aes';
import {
  base64Decode,
  base64DecodeInto,
  base64Encode,
  bytesToBigInt,
  bytesToHex,
  concatBytes,
  utf8Encode,
} from '../../../src/crypto/bytes';
import { HmacSha1Key } from '../../../src/crypto/hash';
import { seededRandom } from '../../../src/crypto/random';
import { type AkeResult, generateDhKeyPair } from '../../../src/otr/ake';
import type { Context } from '../../../src/otr/context';
import { openDataMessage, sealDataMessage } from '../../../src/otr/data';
import { KeyState } from '../../../src/otr/keys';
import {
  armor,
  type DataMessage,
  dearmor,
  dearmorTransient,
  decodeMessage,
  type Header,
} from '../../../src/otr/messages';
import { ALLOW_V2 } from '../../../src/otr/policy';
import { classify } from '../../../src/otr/proto';
import { Reader, Writer } from '../../../src/otr/serial';
import type { Session } from '../../../src/otr/session';
import { encodeDataAuthenticated, encodeDataTail } from '../../lib/data-message';
import { connect, party, persist, say, texts } from '../otr/helpers';

const V3: Header = { version: 3, type: 3, senderTag: 0x100, receiverTag: 0x101 };
const V2: Header = { version: 2, type: 3, senderTag: 0, receiverTag: 0 };

function keyPair(seed: number): [KeyState, KeyState] {
  const rng = seededRandom(seed);
  const a = generateDhKeyPair(rng);
  const b = generateDhKeyPair(rng);
  const result = (ours: typeof a, theirY: bigint) =>
    ({ ourKeyId: 1, ourDh: ours, theirKeyId: 1, theirY }) as AkeResult;
  return [KeyState.fromAke(result(a, b.gx), rng), KeyState.fromAke(result(b, a.gx), rng)];
}

/** What sealDataMessage must produce, computed the plain way (before it changes any state). */
/** HMAC-SHA1 by node:crypto: a reference independent of src/crypto/sha1.ts. */
const nodeHmacSha1 = (key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac('sha1', key).update(data).digest());

function expectedSeal(keys: KeyState, h: Header, plaintext: Uint8Array, flags: number): string {
  const sk = keys.sendingKeys;
  const ctr = sk.sendCtr.slice();
  for (let i = 7; i >= 0; i--) {
    ctr[i] = (ctr[i]! + 1) & 255;
    if (ctr[i] !== 0) break;
  }
  const auth = encodeDataAuthenticated(
    h,
    flags,
    keys.ourKeyId - 1,
    keys.theirKeyId,
    keys.ourCurrent.gx,
    ctr,
    aes128Ctr(sk.sendAes, ctr, plaintext),
  );
  const old = concatBytes(...keys.oldMacKeys);
  return bytesToHex(encodeDataTail(auth, nodeHmacSha1(sk.sendMac, auth), old));
}

describe('sealDataMessage in one Writer', () => {
  it('gives the bytes of the plain encoding: v2 and v3, sizes 0 to 10,000 (past the shared buffer), flags, revealed MAC keys', () => {
    for (const h of [V3, V2]) {
      const [a, b] = keyPair(h.version);
      const rng = seededRandom(7);
      let revealed = 0;
      for (const [i, size] of [0, 1, 15, 16, 17, 100, 4000, 4096, 10_000, 100, 3].entries()) {
        // Alternate now and then, so keys rotate and old MAC keys are revealed in the next message.
        const [from, to] = i % 3 === 2 ? [b, a] : [a, b];
        const plaintext = rng(size);
        const flags = i & 1;
        revealed += from.oldMacKeys.length;
        const want = expectedSeal(from, h, plaintext, flags);
        const sealed = sealDataMessage(from, h, plaintext, flags);
        expect(bytesToHex(sealed.bytes)).toBe(want);
        const msg = decodeMessage(sealed.bytes) as DataMessage;
        expect(bytesToHex(openDataMessage(to, msg, rng).plaintext)).toBe(bytesToHex(plaintext));
      }
      expect(revealed).toBeGreaterThan(0);
    }
  });

  it('is the same while another Writer holds the shared work buffer', () => {
    const [a] = keyPair(3);
    const outer = new Writer().int(0x01020304);
    const plaintext = utf8Encode('held buffer');
    const want = expectedSeal(a, V3, plaintext, 0);
    expect(bytesToHex(sealDataMessage(a, V3, plaintext, 0).bytes)).toBe(want);
    expect(bytesToHex(outer.bytes())).toBe('01020304');
  });
});

describe('decoded data messages are views, opened plaintexts a reused buffer', () => {
  it('each opened plaintext is right when read before the next open; tampering with the message bytes is refused', () => {
    const [a, b] = keyPair(5);
    const rng = seededRandom(9);
    const sealed = [300, 5, 70_000, 40].map((n) => {
      const p = rng(n);
      return { p, bytes: sealDataMessage(a, V3, p, 0).bytes };
    });
    for (const { p, bytes } of sealed) {
      const msg = decodeMessage(bytes) as DataMessage;
      expect(msg.authenticated.buffer).toBe(bytes.buffer);
      const bad = bytes.slice();
      const at = bad.length - 10; // inside the MAC (the old MAC keys, last, are empty here)
      bad[at] = bad[at]! ^ 1;
      expect(() => openDataMessage(b, decodeMessage(bad) as DataMessage, rng)).toThrow(/MAC/);
      expect(bytesToHex(openDataMessage(b, msg, rng).plaintext)).toBe(bytesToHex(p));
    }
  });

  it('Session: long, non-ASCII and lone-surrogate texts arrive as TextEncoder would encode them, one after another', () => {
    const a = party('alice', 41);
    const b = party('bob', 42);
    connect(a.session, b.session);
    const lone = 'a\ud800b';
    const messages = ['short', 'é'.repeat(30_000), '😀'.repeat(20_000), lone, 'x'.repeat(70_000), 'après'];
    for (const m of messages) {
      const want = new TextDecoder().decode(new TextEncoder().encode(m));
      expect(texts(say(a.session, b.session, m))).toEqual([want]);
    }
  });
});

describe('Into variants and the reused base64 buffer', () => {
  it('aes128CtrInto writes what aes128Ctr returns, at an offset, and refuses a short output', () => {
    const rng = seededRandom(11);
    const key = rng(16);
    const ctr = rng(8);
    for (const n of [0, 1, 16, 33, 100, 1000]) {
      const data = rng(n);
      const out = new Uint8Array(n + 10).fill(0xaa);
      aes128CtrInto(new Aes128Key(key), ctr, data, out, 7);
      expect(bytesToHex(out.subarray(7, 7 + n))).toBe(bytesToHex(aes128Ctr(key, ctr, data)));
      expect([...out.subarray(0, 7), ...out.subarray(7 + n)].every((x) => x === 0xaa)).toBe(true);
    }
    expect(() => aes128CtrInto(new Aes128Key(key), ctr, rng(20), new Uint8Array(25), 6)).toThrow(RangeError);
  });

  it('HmacSha1Key.macInto writes the HMAC-SHA1 of node:crypto (remembered prefix), at an offset, and refuses a short output', () => {
    const rng = seededRandom(12);
    const key = rng(20);
    const prepared = new HmacSha1Key(key);
    const base = rng(400);
    for (const n of [0, 64, 250, 330, 400]) {
      const data = base.slice(0, n);
      const out = new Uint8Array(30);
      prepared.macInto(data, out, 5);
      expect(bytesToHex(out.subarray(5, 25))).toBe(bytesToHex(nodeHmacSha1(key, data)));
    }
    expect(() => prepared.macInto(base, new Uint8Array(24), 5)).toThrow(RangeError);
    // Over a prefix of the array (a sealed message's MAC, over the bytes written before it).
    for (const n of [0, 63, 64, 200, 328, 399]) {
      const out = new Uint8Array(20);
      prepared.macInto(base, out, 0, n);
      expect(bytesToHex(out)).toBe(bytesToHex(nodeHmacSha1(key, base.slice(0, n))));
    }
    expect(() => prepared.macInto(base, new Uint8Array(20), 0, 401)).toThrow(RangeError);
    expect(() => prepared.macInto(base, new Uint8Array(20), 0, -1)).toThrow(RangeError);
  });

  it('HMAC-SHA1 with the remembered prefix: messages sharing 0-4 leading blocks, aligned and not, equal node:crypto', () => {
    const rng = seededRandom(14);
    const key = rng(20);
    const prepared = new HmacSha1Key(key);
    const base = rng(400);
    const backing = new Uint8Array(420);
    for (let round = 0; round < 60; round++) {
      const n = 64 + ((round * 37) % 330);
      const msg = base.slice(0, n);
      const changeAt = (round * 53) % n;
      if (round % 3 !== 0) msg[changeAt] = msg[changeAt]! ^ (1 + (round % 255));
      const offset = round % 4; // byteOffset 0 (compared as words) or 1-3 (as bytes)
      backing.set(msg, offset);
      const data = backing.subarray(offset, offset + n);
      const want = createHmac('sha1', key).update(msg).digest('hex');
      expect(bytesToHex(prepared.mac(data))).toBe(want);
    }
  });

  it('Reader.mpi (remembers the last long value) decodes values that differ in any byte, aligned and not', () => {
    const rng = seededRandom(15);
    const value = rng(192);
    value[0] = value[0]! | 1;
    const backing = new Uint8Array(210);
    for (let round = 0; round < 40; round++) {
      const bytes = value.slice();
      const at = (round * 29) % 192;
      if (round % 2) bytes[at] = bytes[at]! ^ (1 + (round % 200));
      const offset = round % 4;
      backing.set([0, 0, 0, 192], offset);
      backing.set(bytes, offset + 4);
      const r = new Reader(backing.subarray(offset, offset + 196));
      expect(r.mpi()).toBe(bytesToBigInt(bytes));
      r.end();
    }
  });

  it('Reader.mpi compares the remembered value where the field really is, in a Reader over a slice', () => {
    // The remembered MPI V, then a Reader over backing[4..] whose MPI W starts at backing[8]. An
    // offset mistake (the slice's own offset left out) would compare V with backing[4..196],
    // which holds V exactly: a false match, W read as V.
    const rng = seededRandom(16);
    const w = rng(192);
    w[0] = w[0]! | 1;
    const v = new Uint8Array(192);
    v.set([0, 0, 0, 192], 0);
    v.set(w.subarray(0, 188), 4);
    const first = new Reader(Uint8Array.of(0, 0, 0, 192, ...v));
    expect(first.mpi()).toBe(bytesToBigInt(v));
    const backing = new Uint8Array(200);
    backing.set([0, 0, 0, 192], 4);
    backing.set(w, 8);
    const r = new Reader(backing.subarray(4, 200));
    expect(r.mpi()).toBe(bytesToBigInt(w));
    r.end();
  });

  it('the remembered HMAC prefix is compared in a resizable buffer that grew since (no stale view)', () => {
    const key = new HmacSha1Key(new Uint8Array(20).fill(9));
    const Resizable = ArrayBuffer as unknown as new (
      n: number,
      o: { maxByteLength: number },
    ) => ArrayBuffer & {
      resize(n: number): void;
    };
    const ab = new Resizable(256, { maxByteLength: 2048 });
    const zeros = new Uint8Array(ab, 0, 200);
    key.mac(zeros); // remembers three blocks of zeros
    key.mac(zeros); // compares them, through a word view of the 256-byte buffer
    ab.resize(1024);
    const data = new Uint8Array(ab, 512, 300);
    data.set(seededRandom(17)(300));
    const want = createHmac('sha1', new Uint8Array(20).fill(9)).update(data).digest('hex');
    expect(bytesToHex(key.mac(data))).toBe(want);
  });

  it('base64Encode gives the standard encoding for every size, before and after one larger than its kept buffer', () => {
    const rng = seededRandom(13);
    const sizes = [0, 1, 2, 3, 350, 1000, 100_000, 2, 700, 50_000, 352];
    for (const n of sizes) {
      const bytes = rng(n);
      const s = base64Encode(bytes);
      expect(s).toBe(Buffer.from(bytes).toString('base64'));
      expect(bytesToHex(base64Decode(s)!)).toBe(bytesToHex(bytes));
      // Of a prefix: what a message written into a larger buffer is encoded as.
      const cut = n >> 1;
      expect(base64Encode(bytes, cut)).toBe(Buffer.from(bytes.subarray(0, cut)).toString('base64'));
    }
    expect(() => base64Encode(new Uint8Array(3), 4)).toThrow(RangeError);
    // Between a prefix and a suffix (odd and even lengths: the base64 is written 16 bits at a time).
    for (const [prefix, suffix] of [
      ['?OTR:', '.'],
      ['ab', ''],
      ['', '!'],
      ['x', 'yz'],
    ] as const) {
      for (const n of [0, 1, 2, 3, 352, 2000]) {
        const bytes = rng(n);
        const want = `${prefix}${Buffer.from(bytes).toString('base64')}${suffix}`;
        expect(base64Encode(bytes, n, prefix, suffix)).toBe(want);
      }
    }
    expect(() => base64Encode(new Uint8Array(3), 3, 'é')).toThrow(RangeError);
    // Where the characters fit the kept buffer (64 KB) but the prefix and suffix do not.
    for (let n = 49_145; n <= 49_150; n++) {
      const bytes = rng(n);
      expect(base64Encode(bytes, n, '?OTR:', '.')).toBe(`?OTR:${Buffer.from(bytes).toString('base64')}.`);
    }
  });
});

describe('sending without copying the message out, receiving from a reused buffer', () => {
  const best = (s: Session) => (s as unknown as { best(): Context }).best();

  for (const [name, policy, maxMessageSize, prefix] of [
    ['v3, whole', undefined, 0, '?OTR:'],
    ['v3, fragmented', undefined, 200, '?OTR|'],
    ['v2, fragmented', ALLOW_V2, 150, '?OTR,'],
  ] as const) {
    it(`Session.send (${name}) sends what armor(Context.seal) makes, fragmented in its version's format`, () => {
      const opts = { maxMessageSize, ...(policy === undefined ? {} : { policy }) };
      const a = party('alice', 61, opts);
      const b = party('bob', 62, opts);
      connect(a.session, b.session);
      for (const text of ['hello', 'é'.repeat(500), '']) {
        const twin = persist(a);
        const sent = a.session.send(text).wire;
        const sealed = armor(best(twin.session).seal(text).bytes);
        expect(sent.every((line) => line.startsWith(prefix))).toBe(true);
        if (maxMessageSize === 0) expect(sent).toEqual([sealed]);
        else {
          expect(sent.every((line) => line.length < maxMessageSize)).toBe(true);
          const pieces = sent
            .map((line) => classify(line))
            .map((c) => (c.kind === 'fragment' ? c.piece : '?'));
          expect(pieces.join('')).toBe(sealed);
        }
        const got = sent.flatMap((line) => b.session.receive(line).events);
        expect(texts(got)).toEqual(text ? [text] : []);
      }
    });
  }

  it('dearmorTransient gives what dearmor gives, refuses what it refuses, and reuses its buffer', () => {
    const rng = seededRandom(21);
    const first = dearmorTransient(armor(rng(300)));
    for (const n of [0, 1, 2, 3, 352, 70_000, 10]) {
      const bytes = rng(n);
      const text = `prefix ?OTR:${base64Encode(bytes)}. suffix`;
      expect(bytesToHex(dearmorTransient(text))).toBe(bytesToHex(dearmor(text)));
    }
    expect(first.buffer).toBe(dearmorTransient(armor(rng(300))).buffer);
    for (const bad of ['?OTR:AAA.', '?OTR:AAAA', 'AAAA.', '?OTR:AA=A.', '?OTR:ÀAAA.']) {
      expect(() => dearmorTransient(bad)).toThrow(expect.objectContaining({ code: 'bad-encoding' }));
      expect(() => dearmor(bad)).toThrow(expect.objectContaining({ code: 'bad-encoding' }));
    }
  });

  it('base64DecodeInto returns the length written, -1 for invalid input, and refuses a short output', () => {
    const out = new Uint8Array(12);
    expect(base64DecodeInto('AQIDBA==', out)).toBe(4);
    expect([...out.subarray(0, 4)]).toEqual([1, 2, 3, 4]);
    expect(base64DecodeInto('AQID', out)).toBe(3);
    expect(base64DecodeInto('AQ=D', out)).toBe(-1);
    expect(base64DecodeInto('AQI', out)).toBe(-1);
    expect(() => base64DecodeInto('AQIDBAUG', new Uint8Array(5))).toThrow(RangeError);
  });

  it('Writer.release gives the shared buffer back: the next Writers still write what they are told', () => {
    const w = new Writer().int(7).data(utf8Encode('abc'));
    expect(bytesToHex(w.target.subarray(0, w.writtenLength))).toBe('0000000700000003616263');
    w.release();
    expect(w.writtenLength).toBe(0);
    expect(w.target.length).toBe(0);
    const x = new Writer().short(0x0102);
    const y = new Writer().byte(9);
    expect([bytesToHex(x.bytes()), bytesToHex(y.bytes())]).toEqual(['0102', '09']);
  });
});
