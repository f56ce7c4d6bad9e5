/**
 * SMP math against REAL libotr 4.1.1: its otrl_sm_step1..5 (test/interop/c/smp-peer.c) on one side,
 * src/otr/smp.ts on the other, each side initiating. The TLV values are exchanged byte for byte.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigIntToFixed, bytesToHex, hexToBytes, utf8Encode } from '../../src/crypto/bytes';
import { cryptoRandom } from '../../src/crypto/random';
import { Smp, smpSecret } from '../../src/otr/smp';
import { TLV_SMP1, TLV_SMP1Q, TLV_SMP2, TLV_SMP3, TLV_SMP4 } from '../../src/otr/tlv';
import { buildC } from './build-c';

interface Step {
  err: number;
  prog: number;
  out: Uint8Array;
}

class LibotrSm {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly waiting: ((line: string) => void)[] = [];

  constructor(bin: string) {
    this.proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (line) => this.waiting.shift()?.(line));
  }

  async step(cmd: string, arg: Uint8Array, extra = ''): Promise<Step> {
    const line = await new Promise<string>((resolve) => {
      this.waiting.push(resolve);
      const hex = arg.length ? bytesToHex(arg) : '-';
      this.proc.stdin.write(`${cmd} ${hex}${extra ? ` ${extra}` : ''}\n`);
    });
    const [err, prog, out] = line.split(' ');
    return { err: Number(err), prog: Number(prog), out: out === '-' ? new Uint8Array(0) : hexToBytes(out!) };
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.proc.once('exit', () => resolve());
      this.proc.stdin.end('quit\n');
    });
  }
}

const PROG_SUCCEEDED = 1;
const PROG_FAILED = -1;
const PROG_CHEATED = -2;

const fpAlice = hexToBytes('00112233445566778899aabbccddeeff00112233');
const fpBob = hexToBytes('ffeeddccbbaa99887766554433221100ffeeddcc');
const ssid = hexToBytes('0123456789abcdef');
const secret = (answer: string) => smpSecret(fpAlice, fpBob, ssid, utf8Encode(answer));
const secretBytes = (answer: string) => bigIntToFixed(secret(answer), 32);

let bin = '';
const peers: LibotrSm[] = [];
function peer(): LibotrSm {
  const p = new LibotrSm(bin);
  peers.push(p);
  return p;
}

beforeAll(() => {
  bin = buildC('smp-peer');
});
afterAll(async () => {
  await Promise.all(peers.map((p) => p.stop()));
});

describe('SMP against libotr 4.1.1 (otrl_sm_step*)', () => {
  for (const [answerA, answerB, same] of [
    ['Blue', 'Blue', true],
    ['Blue', 'blue', false],
  ] as const) {
    it(`libotr starts, offrecord answers: ${same ? 'same secret, both succeed' : 'different, both fail'}`, async () => {
      const alice = peer();
      const bob = new Smp(cryptoRandom);
      const s1 = await alice.step('step1', secretBytes(answerA));
      expect(s1.err).toBe(0);
      const r1 = bob.receive({ type: TLV_SMP1, value: s1.out });
      expect(r1.event?.result).toBe('question');
      const m2 = bob.answer(secret(answerB));
      const s3 = await alice.step('step3', m2[0]!.value);
      expect(s3.err).toBe(0);
      expect(s3.prog).toBe(0);
      const r3 = bob.receive({ type: TLV_SMP3, value: s3.out });
      expect(r3.event?.result).toBe(same ? 'succeeded' : 'failed');
      const s5 = await alice.step('step5', r3.reply[0]!.value);
      expect(s5.prog).toBe(same ? PROG_SUCCEEDED : PROG_FAILED);
    });

    it(`offrecord starts, libotr answers: ${same ? 'same secret, both succeed' : 'different, both fail'}`, async () => {
      const alice = new Smp(cryptoRandom);
      const bob = peer();
      const m1 = alice.start(secret(answerA));
      const s2a = await bob.step('step2a', m1[0]!.value, '0');
      expect(s2a).toMatchObject({ err: 0, prog: 0 });
      const s2b = await bob.step('step2b', secretBytes(answerB));
      const r2 = alice.receive({ type: TLV_SMP2, value: s2b.out });
      expect(r2.event).toBeUndefined();
      const s4 = await bob.step('step4', r2.reply[0]!.value);
      expect(s4.prog).toBe(same ? PROG_SUCCEEDED : PROG_FAILED);
      const r4 = alice.receive({ type: TLV_SMP4, value: s4.out });
      expect(r4.event?.result).toBe(same ? 'succeeded' : 'failed');
    });
  }

  it('our SMP1Q payload after the question NUL is what libotr step2a checks', async () => {
    const q = 'Wo haben wir uns getroffen? 🐟';
    const alice = new Smp(cryptoRandom);
    const bob = peer();
    const m1 = alice.start(secret('am Meer'), q);
    expect(m1[0]!.type).toBe(TLV_SMP1Q);
    const qlen = utf8Encode(q).length;
    const s2a = await bob.step('step2a', m1[0]!.value.subarray(qlen + 1), '1');
    expect(s2a).toMatchObject({ err: 0, prog: 0 });
    const s2b = await bob.step('step2b', secretBytes('am Meer'));
    const r2 = alice.receive({ type: TLV_SMP2, value: s2b.out });
    const s4 = await bob.step('step4', r2.reply[0]!.value);
    expect(s4.prog).toBe(PROG_SUCCEEDED);
    expect(alice.receive({ type: TLV_SMP4, value: s4.out }).event).toEqual({
      result: 'succeeded',
      initiator: true,
      withQuestion: true,
      final: true,
    });
  });

  it('a run aborted mid-way is redone with the same libotr state, several times', async () => {
    const lib = peer();
    const ours = new Smp(cryptoRandom);
    // libotr starts, we abort after SMP2 was sent.
    const s1 = await lib.step('step1', secretBytes('x'));
    ours.receive({ type: TLV_SMP1, value: s1.out });
    ours.answer(secret('x'));
    ours.abort();
    // We start now; libotr (reset by the abort, as message.c does: nextExpected = EXPECT1) answers.
    for (const [a, b, want] of [
      ['one', 'one', PROG_SUCCEEDED],
      ['one', 'two', PROG_FAILED],
      ['three', 'three', PROG_SUCCEEDED],
    ] as const) {
      const m1 = ours.start(secret(a));
      expect((await lib.step('step2a', m1[0]!.value, '0')).err).toBe(0);
      const s2b = await lib.step('step2b', secretBytes(b));
      const r2 = ours.receive({ type: TLV_SMP2, value: s2b.out });
      const s4 = await lib.step('step4', r2.reply[0]!.value);
      expect(s4.prog).toBe(want);
      expect(ours.receive({ type: TLV_SMP4, value: s4.out }).event?.result).toBe(
        want === PROG_SUCCEEDED ? 'succeeded' : 'failed',
      );
    }
  });

  it('libotr and offrecord refuse the same tampered SMP2 (a proof broken)', async () => {
    const lib = peer();
    const ours = new Smp(cryptoRandom);
    const ourBob = new Smp(cryptoRandom);
    // libotr as Alice gets a tampered SMP2 from our Bob: cheated.
    const s1 = await lib.step('step1', secretBytes('k'));
    ourBob.receive({ type: TLV_SMP1, value: s1.out });
    const m2 = ourBob.answer(secret('k'))[0]!.value.slice();
    m2[m2.length - 1] = m2[m2.length - 1]! ^ 1; // last byte of d6
    const s3 = await lib.step('step3', m2);
    expect(s3.err).not.toBe(0);
    expect(s3.prog).toBe(PROG_CHEATED);
    // Our Alice gets the same kind of tampered SMP2 from libotr's Bob: error and abort.
    const lib2 = peer();
    const m1 = ours.start(secret('k'));
    await lib2.step('step2a', m1[0]!.value, '0');
    const s2b = (await lib2.step('step2b', secretBytes('k'))).out.slice();
    s2b[s2b.length - 1] = s2b[s2b.length - 1]! ^ 1;
    const r = ours.receive({ type: TLV_SMP2, value: s2b });
    expect(r.event?.result).toBe('error');
    expect(ours.state).toBe('expect1');
  });
});
