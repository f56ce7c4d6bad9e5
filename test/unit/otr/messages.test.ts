/** messages.ts: byte-exact encodings, round trips, real libotr messages, and every malformed variant. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { base64Encode, bytesToHex, concatBytes } from '../../../src/crypto/bytes';
import { isGroupElement, MODP_P } from '../../../src/crypto/modp';
import { OtrError } from '../../../src/otr/errors';
import {
  armor,
  type DataMessage,
  dearmor,
  decodeMessage,
  encodeDhCommit,
  encodeDhKey,
  encodeRevealSig,
  encodeSig,
  type Header,
  type OtrMessage,
} from '../../../src/otr/messages';
import { classify, type FragmentState, reassemble } from '../../../src/otr/proto';
import { Writer } from '../../../src/otr/serial';
import { encodeDataAuthenticated, encodeDataTail } from '../../lib/data-message';
import { fixtures } from './helpers';

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof OtrError) return e.code;
    throw e;
  }
  return 'no error';
}

const h3: Header = { version: 3, type: 0, senderTag: 0x00000100, receiverTag: 0x12345678 };
const h2: Header = { version: 2, type: 0, senderTag: 0, receiverTag: 0 };
const seq = (n: number, start = 0) => Uint8Array.from({ length: n }, (_, i) => (start + i) & 255);

/** Re-encodes a decoded message with our encoders: libotr's bytes must come out unchanged. */
function reencode(m: OtrMessage): Uint8Array {
  switch (m.kind) {
    case 'dh-commit':
      return encodeDhCommit(m.header, m.encryptedGx, m.hashedGx);
    case 'dh-key':
      return encodeDhKey(m.header, m.gy);
    case 'reveal-sig':
      return encodeRevealSig(m.header, m.revealedKey, m.encryptedSig, m.mac);
    case 'sig':
      return encodeSig(m.header, m.encryptedSig, m.mac);
    case 'data':
      return encodeDataTail(
        encodeDataAuthenticated(
          m.header,
          m.flags,
          m.senderKeyId,
          m.recipientKeyId,
          m.nextDh,
          m.ctr,
          m.encrypted,
        ),
        m.mac,
        m.oldMacKeys,
      );
  }
}

describe('known answers (hand-computed bytes)', () => {
  it('D-H Commit v3', () => {
    const b = encodeDhCommit(h3, seq(3), seq(32, 0xa0));
    expect(bytesToHex(b)).toBe(
      `0003020000010012345678` + `00000003000102` + `00000020${bytesToHex(seq(32, 0xa0))}`,
    );
  });
  it('D-H Commit v2 has no instance tags', () => {
    expect(bytesToHex(encodeDhCommit(h2, seq(1), seq(32)))).toBe(
      `000202` + `0000000100` + `00000020${bytesToHex(seq(32))}`,
    );
  });
  it('D-H Key: minimal MPI', () => {
    expect(bytesToHex(encodeDhKey(h3, 0x0102n))).toBe('00030a0000010012345678' + '000000020102');
    expect(bytesToHex(encodeDhKey(h2, 5n))).toBe('00020a' + '0000000105');
  });
  it('Reveal Signature: DATA r, DATA sig, then a bare 20-byte MAC', () => {
    const b = encodeRevealSig(h3, seq(16), seq(2, 0xee), seq(20, 0x40));
    expect(bytesToHex(b)).toBe(
      `0003110000010012345678` +
        `00000010${bytesToHex(seq(16))}` +
        '00000002eeef' +
        bytesToHex(seq(20, 0x40)),
    );
  });
  it('Signature', () => {
    const b = encodeSig(h2, seq(1, 0x99), seq(20));
    expect(bytesToHex(b)).toBe(`000212` + '0000000199' + bytesToHex(seq(20)));
  });
  it('Data message: flags, key ids, next DH, CTR, DATA, MAC, old MAC keys', () => {
    const auth = encodeDataAuthenticated(h3, 1, 2, 3, 0x0abcn, seq(8, 1), seq(3, 0x70));
    expect(bytesToHex(auth)).toBe(
      '0003030000010012345678' +
        '01' +
        '00000002' +
        '00000003' +
        '000000020abc' +
        '0102030405060708' +
        '00000003707172',
    );
    const full = encodeDataTail(auth, seq(20, 0xc0), seq(40));
    expect(bytesToHex(full)).toBe(
      `${bytesToHex(auth)}${bytesToHex(seq(20, 0xc0))}00000028${bytesToHex(seq(40))}`,
    );
    const m = decodeMessage(full) as DataMessage;
    expect(bytesToHex(m.authenticated)).toBe(bytesToHex(auth));
  });
  it('armor is ?OTR: base64 .', () => {
    expect(armor(Uint8Array.of(0, 3, 2))).toBe('?OTR:AAMC.');
    expect(bytesToHex(dearmor('?OTR:AAMC.'))).toBe('000302');
    expect(bytesToHex(dearmor('some text ?OTR:AAMC. trailing'))).toBe('000302');
  });
});

describe('round trips', () => {
  const headers = [
    h2,
    h3,
    { ...h3, receiverTag: 0 },
    { ...h3, senderTag: 0xffffffff, receiverTag: 0xffffffff },
  ];
  const samples = (h: Header): Uint8Array[] => [
    encodeDhCommit(h, seq(196), seq(32)),
    encodeDhCommit(h, new Uint8Array(0), seq(32)),
    encodeDhKey(h, MODP_P - 2n),
    encodeDhKey(h, 0n),
    encodeRevealSig(h, seq(16), seq(500), seq(20)),
    encodeSig(h, seq(4096), seq(20)),
    encodeDataTail(
      encodeDataAuthenticated(h, 0, 1, 1, 2n, seq(8), new Uint8Array(0)),
      seq(20),
      new Uint8Array(0),
    ),
    encodeDataTail(
      encodeDataAuthenticated(h, 0xff, 0xffffffff, 7, MODP_P - 2n, seq(8), seq(1000)),
      seq(20),
      seq(200),
    ),
  ];
  for (const h of headers) {
    it(`every message type, v${h.version} ${h.senderTag.toString(16)}/${h.receiverTag.toString(16)}`, () => {
      for (const b of samples(h)) {
        const m = decodeMessage(b);
        expect(m.header.version).toBe(h.version);
        expect(m.header.senderTag).toBe(h.senderTag);
        expect(m.header.receiverTag).toBe(h.receiverTag);
        expect(bytesToHex(reencode(m))).toBe(bytesToHex(b));
        expect(bytesToHex(dearmor(armor(b)))).toBe(bytesToHex(b));
      }
    });
  }
});

describe('malformed messages are refused with the right code', () => {
  const good = [
    encodeDhCommit(h3, seq(196), seq(32)),
    encodeDhKey(h3, 12345n),
    encodeRevealSig(h3, seq(16), seq(40), seq(20)),
    encodeSig(h3, seq(40), seq(20)),
    encodeDataTail(encodeDataAuthenticated(h3, 0, 1, 1, 2n, seq(8), seq(5)), seq(20), seq(20)),
    encodeDataTail(encodeDataAuthenticated(h2, 0, 1, 1, 2n, seq(8), seq(5)), seq(20), new Uint8Array(0)),
  ];
  it('truncated at every byte', () => {
    for (const b of good) {
      for (let n = 0; n < b.length; n++) expect(code(() => decodeMessage(b.slice(0, n)))).toBe('malformed');
    }
  });
  it('one trailing byte', () => {
    for (const b of good)
      expect(code(() => decodeMessage(concatBytes(b, Uint8Array.of(0))))).toBe('malformed');
  });
  it('protocol versions 0, 1, 4 and 0x0103', () => {
    for (const v of [0, 1, 4, 0x0103]) {
      const b = good[1]!.slice();
      b[0] = v >> 8;
      b[1] = v & 255;
      expect(code(() => decodeMessage(b))).toBe('bad-version');
    }
  });
  it('v3 sender tag below 0x100, receiver tag in 1..0xff', () => {
    for (const [s, r] of [
      [0, 0x100],
      [0xff, 0x100],
      [0x100, 1],
      [0x100, 0xff],
    ] as const) {
      expect(code(() => decodeMessage(encodeDhKey({ ...h3, senderTag: s, receiverTag: r }, 5n)))).toBe(
        'bad-instance',
      );
    }
  });
  it('unknown message types (0x00, v1 key exchange 0x01, 0x04, 0x13, 0xff)', () => {
    for (const t of [0x00, 0x01, 0x04, 0x13, 0xff]) {
      const b = new Writer().short(3).byte(t).int(0x100).int(0).bytes();
      expect(code(() => decodeMessage(b))).toBe('malformed');
    }
  });
  it('hashed g^x of 31 or 33 bytes; encrypted g^x too long', () => {
    expect(code(() => decodeMessage(encodeDhCommit(h3, seq(10), seq(31))))).toBe('malformed');
    expect(code(() => decodeMessage(encodeDhCommit(h3, seq(10), seq(33))))).toBe('malformed');
    expect(code(() => decodeMessage(encodeDhCommit(h3, seq(197), seq(32))))).toBe('malformed');
  });
  it('g^y longer than 192 bytes', () => {
    expect(code(() => decodeMessage(encodeDhKey(h3, 1n << 1536n)))).toBe('malformed');
  });
  it('revealed key of 15 or 17 bytes; encrypted signature over 4096 bytes', () => {
    expect(code(() => decodeMessage(encodeRevealSig(h3, seq(15), seq(4), seq(20))))).toBe('malformed');
    expect(code(() => decodeMessage(encodeRevealSig(h3, seq(17), seq(4), seq(20))))).toBe('malformed');
    expect(code(() => decodeMessage(encodeRevealSig(h3, seq(16), seq(4097), seq(20))))).toBe('malformed');
    expect(code(() => decodeMessage(encodeSig(h3, seq(4097), seq(20))))).toBe('malformed');
  });
  it('old MAC keys that are not a multiple of 20 bytes; next DH over 192 bytes', () => {
    const auth = encodeDataAuthenticated(h3, 0, 1, 1, 2n, seq(8), seq(5));
    for (const n of [1, 19, 21, 39])
      expect(code(() => decodeMessage(encodeDataTail(auth, seq(20), seq(n))))).toBe('malformed');
    const big = encodeDataAuthenticated(h3, 0, 1, 1, 1n << 1536n, seq(8), seq(5));
    expect(code(() => decodeMessage(encodeDataTail(big, seq(20), seq(0))))).toBe('malformed');
  });
  it('armor: no ?OTR:, no final dot, bad base64, missing padding', () => {
    expect(code(() => dearmor('hello'))).toBe('bad-encoding');
    expect(code(() => dearmor('?OTR:AAMC'))).toBe('bad-encoding');
    expect(code(() => dearmor('?OTR:AA*C.'))).toBe('bad-encoding');
    expect(code(() => dearmor('?OTR:AAM.'))).toBe('bad-encoding');
    expect(code(() => dearmor('?OTR:AAMCA=.'))).toBe('bad-encoding');
  });
});

interface WireFixture {
  alice: { instanceTag: string };
  bob: { instanceTag: string };
  lines: { from: 'alice' | 'bob'; step: string; wire: string }[];
}
const load = (name: string): WireFixture =>
  JSON.parse(readFileSync(join(fixtures, `wire/libotr-${name}.json`), 'utf8')) as WireFixture;

/** The whole messages of a recorded conversation, fragments reassembled (as our proto.ts does). */
function wholeMessages(f: WireFixture): { from: 'alice' | 'bob'; step: string; text: string }[] {
  const out: { from: 'alice' | 'bob'; step: string; text: string }[] = [];
  const state: Record<string, FragmentState> = {
    alice: { k: 0, n: 0, pieces: '' },
    bob: { k: 0, n: 0, pieces: '' },
  };
  for (const l of f.lines) {
    const c = classify(l.wire);
    if (c.kind === 'fragment') {
      const step = reassemble(state[l.from]!, c);
      state[l.from] = step.state;
      if (step.complete !== undefined) out.push({ from: l.from, step: l.step, text: step.complete });
    } else out.push({ from: l.from, step: l.step, text: l.wire });
  }
  return out;
}

describe('real libotr 4.1.1 messages (test/fixtures/wire)', () => {
  for (const name of ['v3', 'v2', 'v3-frag', 'v2-frag']) {
    it(`${name}: every message decodes, re-encodes byte-exactly, and carries the right tags`, () => {
      const f = load(name);
      const version = name.startsWith('v3') ? 3 : 2;
      const tag = {
        alice: Number.parseInt(f.alice.instanceTag, 16),
        bob: Number.parseInt(f.bob.instanceTag, 16),
      };
      const msgs = wholeMessages(f);
      const kinds: string[] = [];
      let dataFromAlice = 0;
      for (const m of msgs) {
        if (m.step === 'query') {
          expect(classify(m.text)).toEqual({ kind: 'query', versions: version === 3 ? [2, 3] : [2] });
          continue;
        }
        expect(classify(m.text).kind).toBe('encoded');
        const bytes = dearmor(m.text);
        expect(armor(bytes)).toBe(m.text);
        const msg = decodeMessage(bytes);
        kinds.push(msg.kind);
        expect(msg.header.version).toBe(version);
        const other = m.from === 'alice' ? 'bob' : 'alice';
        if (version === 3) {
          expect(msg.header.senderTag).toBe(tag[m.from]);
          expect(msg.header.receiverTag).toBe(msg.kind === 'dh-commit' ? 0 : tag[other]);
        } else {
          expect(msg.header.senderTag).toBe(0);
          expect(msg.header.receiverTag).toBe(0);
        }
        expect(bytesToHex(reencode(msg))).toBe(bytesToHex(bytes));
        if (msg.kind === 'dh-commit') expect(msg.encryptedGx.length).toBe(196);
        if (msg.kind === 'dh-key') expect(isGroupElement(msg.gy)).toBe(true);
        if (msg.kind === 'data') {
          expect(isGroupElement(msg.nextDh)).toBe(true);
          if (m.from === 'alice') dataFromAlice++;
          // libotr always sends the NUL after the text, even without TLVs.
          expect(msg.encrypted.length).toBeGreaterThan(0);
          expect(msg.flags & ~1).toBe(0);
          expect(m.step === 'end' ? msg.flags : 0).toBe(m.step === 'end' ? 1 : 0);
        }
      }
      expect(kinds.slice(0, 4)).toEqual(['dh-commit', 'dh-key', 'reveal-sig', 'sig']);
      expect(dataFromAlice).toBeGreaterThan(2);
    });
  }
  it('fragments from libotr are at most limit-1 characters, in its header format', () => {
    for (const name of ['v3-frag', 'v2-frag']) {
      for (const l of load(name).lines) {
        if (!l.wire.startsWith('?OTR|') && !l.wire.startsWith('?OTR,')) continue;
        expect(l.wire.length).toBeLessThanOrEqual(249);
        expect(l.wire).toMatch(
          name === 'v3-frag'
            ? /^\?OTR\|[0-9a-f]{8}\|[0-9a-f]{8},\d{5},\d{5},[^,]+,$/
            : /^\?OTR,\d{5},\d{5},[^,]+,$/,
        );
      }
    }
  });
  it('a bit flip anywhere in a real message either fails to decode with an OtrError or decodes to another message', () => {
    const bytes = dearmor(load('v3').lines.find((l) => l.step === 'reveal-sig')!.wire);
    for (let i = 0; i < bytes.length; i += 3) {
      const b = bytes.slice();
      b[i]! ^= 1 << (i % 8);
      try {
        decodeMessage(b);
      } catch (e) {
        expect(e).toBeInstanceOf(OtrError);
      }
    }
    expect(base64Encode(bytes).length).toBeGreaterThan(0);
  });
});
