/**
 * The Socialist Millionaires' Protocol (OTR v3 spec: "The Socialist Millionaires' Protocol (SMP)"),
 * wire-compatible with libotr 4.1.1's sm.c and the SMP part of its message.c.
 *
 * Alice (the initiator) sends SMP1 (or SMP1Q with a question), Bob answers with SMP2 once his user
 * typed the secret, Alice sends SMP3, Bob sends SMP4; both then know whether the secrets matched and
 * nothing else. Every received group element is checked in [2, p-2], every exponent in [1, q), and
 * every zero-knowledge proof is verified (SHA-256 over a version byte and MPIs, as libotr does).
 *
 * As with libotr (and pidgin-otr's handling of its "error" and "cheated" events), a TLV that comes in
 * the wrong state or carries a bad value ends the run: we reply with an abort TLV and go back to
 * expect1. This module keeps no secret after a run ends and never throws on received input.
 */
import {
  bigIntToFixed,
  bytesToBigInt,
  concatBytes,
  equalBytes,
  utf8Decode,
  utf8Encode,
} from '../crypto/bytes';
import { sha256 } from '../crypto/hash';
import {
  isGroupElement,
  MODP_BYTES,
  MODP_P,
  MODP_Q,
  modInverse,
  type PowerCache,
  powG,
  powP,
  powProduct,
} from '../crypto/modp';
import type { RandomSource } from '../crypto/random';
import { fail, OtrError } from './errors';
import { Reader, Writer } from './serial';
import type { Tlv } from './tlv';
import { TLV_SMP_ABORT, TLV_SMP1, TLV_SMP1Q, TLV_SMP2, TLV_SMP3, TLV_SMP4 } from './tlv';

export type SmpResult = 'question' | 'succeeded' | 'failed' | 'aborted' | 'error';

export interface SmpEvent {
  result: SmpResult;
  /** For 'question': the question text of an SMP1Q (absent for a plain SMP1). */
  question?: string;
  /** For 'error': why the run was aborted (a diagnostic, never secret). */
  message?: string;
  /** Whether we started the run this event belongs to (false when no run was in progress). */
  initiator: boolean;
  /**
   * Whether the run used a question: we asked one (initiator) or we received one (responder). With
   * libotr's one-way rule, a responder that received a question does not mark the asker trusted.
   */
  withQuestion: boolean;
  /**
   * Set (true) when the event comes from the last step of a run: our SMP3 check as responder in
   * expect3, or our SMP4 check as initiator in expect4; result 'succeeded', 'failed', or 'error' for
   * a bad SMP3/SMP4. libotr sets the buddy's trust exactly then: "smp" on success and CLEARED
   * otherwise (initiator always; responder only if it received no question).
   */
  final?: true;
}

/** Step of the state machine. 'question-asked': we got SMP1/SMP1Q and wait for our user's answer. */
export type SmpState = 'expect1' | 'question-asked' | 'expect2' | 'expect3' | 'expect4';

const STATES: readonly SmpState[] = ['expect1', 'question-asked', 'expect2', 'expect3', 'expect4'];

/** Values kept between steps (libotr's OtrlSMState; g1 is the constant generator 2). */
interface Fields {
  secret?: bigint;
  x2?: bigint;
  x3?: bigint;
  g2?: bigint;
  g3?: bigint;
  /** The other side's half of g3 (g3a for Bob, g3b for Alice), needed for the log-equality proof. */
  g3o?: bigint;
  p?: bigint;
  q?: bigint;
  pab?: bigint;
  qab?: bigint;
}
type FieldName = keyof Fields;
const FIELD_NAMES: readonly FieldName[] = ['secret', 'x2', 'x3', 'g2', 'g3', 'g3o', 'p', 'q', 'pab', 'qab'];

/** Which fields each state needs (and keeps: nothing else survives a transition). */
const REQUIRED: Record<SmpState, readonly FieldName[]> = {
  expect1: [],
  'question-asked': ['x2', 'x3', 'g2', 'g3', 'g3o'],
  expect2: ['secret', 'x2', 'x3'],
  expect3: ['x3', 'g2', 'g3', 'g3o', 'p', 'q'],
  expect4: ['x3', 'g3o', 'pab', 'qab'],
};

/** JSON-serializable state: bigints as lowercase hex strings. */
export interface SmpSnapshot {
  v: 1;
  state: SmpState;
  initiator: boolean;
  withQuestion: boolean;
  /** The pending question while in 'question-asked' (so a UI can show it again after a restart). */
  question?: string;
  values: Partial<Record<FieldName, string>>;
}

/** libotr draws SMP exponents as SM_MOD_LEN_BYTES = 192 random bytes (1536 bits), unreduced. */
const EXPONENT_BYTES = MODP_BYTES;
/** A proof's challenge c is a SHA-256 output read as an integer, so it is below 2^256. */
const HASH_BOUND = 1n << 256n;
/** MPI counts of SMP1..SMP4 (libotr's SM_MSG1_LEN..SM_MSG4_LEN). */
const MSG1_LEN = 6;
const MSG2_LEN = 11;
const MSG3_LEN = 8;
const MSG4_LEN = 3;
/** A TLV's length field is a SHORT. */
const MAX_TLV_VALUE = 0xffff;

/**
 * SMP's secret exactly as libotr's init_respond_smp computes it: SHA-256 over the version byte 0x01,
 * the initiator's fingerprint (20 bytes), the responder's fingerprint (20 bytes), the secure session
 * id and the user's secret bytes, read as a big-endian integer. Both sides put the fingerprint of the
 * side that started the run first.
 */
export function smpSecret(
  initiatorFingerprint: Uint8Array,
  responderFingerprint: Uint8Array,
  ssid: Uint8Array,
  userSecret: Uint8Array,
): bigint {
  if (initiatorFingerprint.length !== 20 || responderFingerprint.length !== 20) {
    fail('malformed', 'SMP secret: a fingerprint must be 20 bytes');
  }
  if (ssid.length !== 8) fail('malformed', 'SMP secret: the secure session id must be 8 bytes');
  return bytesToBigInt(
    sha256(concatBytes(Uint8Array.of(1), initiatorFingerprint, responderFingerprint, ssid, userSecret)),
  );
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function mulP(a: bigint, b: bigint): bigint {
  return (a * b) % MODP_P;
}

/** libotr's otrl_sm_hash: SHA-256(version || MPI(a) [|| MPI(b)]) as an integer. */
function smpHash(version: number, a: bigint, b?: bigint): bigint {
  const w = new Writer().byte(version).mpi(a);
  if (b !== undefined) w.mpi(b);
  return bytesToBigInt(sha256(w.bytes()));
}

function encodeMpis(values: readonly bigint[]): Uint8Array {
  const w = new Writer().int(values.length);
  for (const v of values) w.mpi(v);
  return w.bytes();
}

/** A TLV value: INT count, then exactly that many MPIs, then nothing. */
function decodeMpis(value: Uint8Array, count: number, what: string): bigint[] {
  const r = new Reader(value);
  const n = r.int();
  if (n !== count) fail('malformed', `${what}: ${n} MPIs instead of ${count}`);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(r.mpi(`${what} MPI ${i}`));
  r.end(what);
  return out;
}

function checkGroup(values: readonly bigint[], indexes: readonly number[], what: string): void {
  for (const i of indexes) {
    if (!isGroupElement(values[i]!)) fail('bad-group-element', `${what}: MPI ${i} is not in [2, p-2]`);
  }
}

function checkExponent(values: readonly bigint[], indexes: readonly number[], what: string): void {
  for (const i of indexes) {
    const x = values[i]!;
    if (x < 1n || x >= MODP_Q) fail('malformed', `${what}: exponent ${i} is not in [1, q)`);
  }
}

/**
 * A challenge that no SHA-256 output can equal fails its proof anyway (libotr would say "cheated");
 * refusing it first keeps a huge c from costing a huge exponentiation.
 */
function checkHash(values: readonly bigint[], indexes: readonly number[], what: string): void {
  for (const i of indexes) {
    if (values[i]! >= HASH_BOUND) fail('bad-mac', `${what}: proof ${i} does not verify`);
  }
}

/** Constant-time comparison of two integers below p (fixed-length encodings). */
function equalElements(a: bigint, b: bigint): boolean {
  return equalBytes(bigIntToFixed(a, MODP_BYTES), bigIntToFixed(b, MODP_BYTES));
}

function proofFailed(what: string): never {
  fail('bad-mac', `${what}: zero-knowledge proof does not verify`);
}

export class Smp {
  private st: SmpState = 'expect1';
  private f: Fields = {};
  private initiator = false;
  private withQuestion = false;
  private pendingQuestion: string | undefined;

  /**
   * This run's Yao tables for the bases it raises to several exponents (g2, g3, Qa/Qb; modp.ts
   * PowerCache): kept between the steps of a run, emptied when it ends (reset), never shared.
   */
  private readonly tables: PowerCache = new Map();

  constructor(private readonly random: RandomSource) {}

  private pow(x: bigint, e: bigint): bigint {
    return powP(x, e, this.tables);
  }

  /**
   * a^x · b^y mod p with one shared chain of squarings (powProduct, Shamir's trick), or with this
   * run's tables. Terms in g use powG's fixed-base tables instead.
   */
  private mulPow2(a: bigint, x: bigint, b: bigint, y: bigint): bigint {
    return powProduct(a, x, b, y, MODP_P, this.tables);
  }

  get state(): SmpState {
    return this.st;
  }

  /** The question of the SMP1Q we are waiting to answer, if any. */
  get question(): string | undefined {
    return this.st === 'question-asked' ? this.pendingQuestion : undefined;
  }

  /** We start: returns [SMP1] or [SMP1Q]. A run in progress is replaced, as libotr does. */
  start(secret: bigint, question?: string): Tlv[] {
    checkSecret(secret);
    if (question?.includes('\u0000')) fail('malformed', 'an SMP question cannot contain NUL');
    const x2 = this.randomExponent();
    const x3 = this.randomExponent();
    const g2a = powG(x2);
    const [c2, d2] = this.proveKnowLog(x2, 1);
    const g3a = powG(x3);
    const [c3, d3] = this.proveKnowLog(x3, 2);
    const payload = encodeMpis([g2a, c2, d2, g3a, c3, d3]);
    const value =
      question === undefined ? payload : concatBytes(utf8Encode(question), Uint8Array.of(0), payload);
    if (value.length > MAX_TLV_VALUE) fail('malformed', 'the SMP question is too long for a TLV');
    this.reset();
    this.f = { secret, x2, x3 };
    this.st = 'expect2';
    this.initiator = true;
    this.withQuestion = question !== undefined;
    return [{ type: question === undefined ? TLV_SMP1 : TLV_SMP1Q, value }];
  }

  /** Our user answers the pending SMP1/SMP1Q: returns [SMP2]. */
  answer(secret: bigint): Tlv[] {
    if (this.st !== 'question-asked') fail('bad-state', `no SMP question to answer (state ${this.st})`);
    checkSecret(secret);
    const { x2, x3, g2, g3, g3o } = this.need('x2', 'x3', 'g2', 'g3', 'g3o');
    const g2b = powG(x2);
    const [c2, d2] = this.proveKnowLog(x2, 3);
    const g3b = powG(x3);
    const [c3, d3] = this.proveKnowLog(x3, 4);
    const r = this.randomExponent();
    const pb = this.pow(g3, r);
    const qb = mulP(powG(r), this.pow(g2, secret));
    const [cp, d5, d6] = this.proveEqualCoords(g2, g3, r, secret, 5);
    this.f = { x3, g2, g3, g3o, p: pb, q: qb };
    this.st = 'expect3';
    this.pendingQuestion = undefined;
    return [{ type: TLV_SMP2, value: encodeMpis([g2b, c2, d2, g3b, c3, d3, pb, qb, cp, d5, d6]) }];
  }

  /** Our user aborts: returns [abort TLV] and resets. */
  abort(): Tlv[] {
    this.reset();
    return [{ type: TLV_SMP_ABORT, value: new Uint8Array(0) }];
  }

  /** A received TLV. Types other than 2..7 are not SMP's and are ignored. Never throws. */
  receive(tlv: Tlv): { reply: Tlv[]; event?: SmpEvent } {
    const initiator = this.initiator;
    const withQuestion = this.withQuestion;
    const final =
      (tlv.type === TLV_SMP3 && this.st === 'expect3') || (tlv.type === TLV_SMP4 && this.st === 'expect4');
    try {
      switch (tlv.type) {
        case TLV_SMP_ABORT:
          this.reset();
          return { reply: [], event: { result: 'aborted', initiator, withQuestion } };
        case TLV_SMP1:
        case TLV_SMP1Q:
          if (this.st !== 'expect1' && this.st !== 'question-asked') return this.wrongState(tlv.type);
          return this.step2a(tlv);
        case TLV_SMP2:
          if (this.st !== 'expect2') return this.wrongState(tlv.type);
          return this.step3(tlv.value);
        case TLV_SMP3:
          if (this.st !== 'expect3') return this.wrongState(tlv.type);
          return this.step4(tlv.value);
        case TLV_SMP4:
          if (this.st !== 'expect4') return this.wrongState(tlv.type);
          return this.step5(tlv.value);
        default:
          return { reply: [] };
      }
    } catch (e) {
      const message = e instanceof OtrError ? e.message : `internal error: ${String(e)}`;
      const event: SmpEvent = { result: 'error', message, initiator, withQuestion };
      if (final) event.final = true;
      return { reply: this.abort(), event };
    }
  }

  snapshot(): SmpSnapshot {
    const values: Partial<Record<FieldName, string>> = {};
    for (const name of FIELD_NAMES) {
      const v = this.f[name];
      if (v !== undefined) values[name] = v.toString(16);
    }
    const snap: SmpSnapshot = {
      v: 1,
      state: this.st,
      initiator: this.initiator,
      withQuestion: this.withQuestion,
      values,
    };
    if (this.st === 'question-asked' && this.pendingQuestion !== undefined)
      snap.question = this.pendingQuestion;
    return snap;
  }

  static restore(snap: SmpSnapshot, random: RandomSource): Smp {
    const bad = (why: string): never => fail('malformed', `SMP snapshot: ${why}`);
    if (typeof snap !== 'object' || snap === null) bad('not an object');
    const s = snap as unknown as Record<string, unknown>;
    if (s.v !== 1) bad('unknown version');
    const state = s.state;
    if (typeof state !== 'string' || !(STATES as readonly string[]).includes(state)) bad('unknown state');
    if (typeof s.initiator !== 'boolean' || typeof s.withQuestion !== 'boolean')
      bad('flags are not booleans');
    if (s.question !== undefined && typeof s.question !== 'string') bad('question is not a string');
    const values = s.values;
    if (typeof values !== 'object' || values === null || Array.isArray(values))
      bad('values is not an object');
    const f: Fields = {};
    for (const [key, hex] of Object.entries(values as Record<string, unknown>)) {
      if (!(FIELD_NAMES as readonly string[]).includes(key)) bad(`unknown value ${key}`);
      if (typeof hex !== 'string' || !/^[0-9a-f]{1,384}$/.test(hex)) bad(`value ${key} is not hex`);
      f[key as FieldName] = BigInt(`0x${hex as string}`);
    }
    const st = state as SmpState;
    for (const name of REQUIRED[st]) if (f[name] === undefined) bad(`state ${st} needs ${name}`);
    for (const name of Object.keys(f)) {
      if (!REQUIRED[st].includes(name as FieldName)) bad(`state ${st} does not keep ${name}`);
    }
    for (const name of ['g2', 'g3', 'g3o', 'p', 'q', 'pab', 'qab'] as const) {
      const v = f[name];
      if (v !== undefined && !isGroupElement(v)) bad(`${name} is not a group element`);
    }
    if (f.secret !== undefined && f.secret >= MODP_Q) bad('secret out of range');
    const smp = new Smp(random);
    smp.st = st;
    smp.f = f;
    smp.initiator = s.initiator as boolean;
    smp.withQuestion = s.withQuestion as boolean;
    smp.pendingQuestion = st === 'question-asked' ? (s.question as string | undefined) : undefined;
    return smp;
  }

  // ---- the steps on receipt (libotr's otrl_sm_step2a, step3, step4, step5) ----

  /** Bob receives SMP1/SMP1Q: verify, pick his halves of g2 and g3, then wait for his user. */
  private step2a(tlv: Tlv): { reply: Tlv[]; event: SmpEvent } {
    let payload = tlv.value;
    let question: string | undefined;
    if (tlv.type === TLV_SMP1Q) {
      const nul = payload.indexOf(0);
      if (nul < 0) fail('malformed', 'SMP1Q: the question is not NUL-terminated');
      question = utf8Decode(payload.subarray(0, nul));
      payload = payload.subarray(nul + 1);
    }
    const what = tlv.type === TLV_SMP1Q ? 'SMP1Q' : 'SMP1';
    const m = decodeMpis(payload, MSG1_LEN, what);
    checkGroup(m, [0, 3], what);
    checkExponent(m, [2, 5], what);
    checkHash(m, [1, 4], what);
    const [g2a, c2, d2, g3a, c3, d3] = m as [bigint, bigint, bigint, bigint, bigint, bigint];
    if (!this.checkKnowLog(c2, d2, g2a, 1) || !this.checkKnowLog(c3, d3, g3a, 2)) proofFailed(what);
    const x2 = this.randomExponent();
    const x3 = this.randomExponent();
    this.reset();
    this.f = { x2, x3, g2: this.pow(g2a, x2), g3: this.pow(g3a, x3), g3o: g3a };
    this.st = 'question-asked';
    this.initiator = false;
    this.withQuestion = question !== undefined;
    this.pendingQuestion = question;
    const event: SmpEvent = { result: 'question', initiator: false, withQuestion: question !== undefined };
    if (question !== undefined) event.question = question;
    return { reply: [], event };
  }

  /** Alice receives SMP2: verify Bob's proofs, compute Pa, Qa, Ra and send SMP3. */
  private step3(value: Uint8Array): { reply: Tlv[] } {
    const what = 'SMP2';
    const m = decodeMpis(value, MSG2_LEN, what);
    checkGroup(m, [0, 3, 6, 7], what);
    checkExponent(m, [2, 5, 9, 10], what);
    checkHash(m, [1, 4, 8], what);
    const [g2b, c2, d2, g3b, c3, d3, pb, qb, cp, d5, d6] = m as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const { secret, x2, x3 } = this.need('secret', 'x2', 'x3');
    if (!this.checkKnowLog(c2, d2, g2b, 3) || !this.checkKnowLog(c3, d3, g3b, 4)) proofFailed(what);
    const g2 = this.pow(g2b, x2);
    const g3 = this.pow(g3b, x3);
    if (!this.checkEqualCoords(cp, d5, d6, pb, qb, g2, g3, 5)) proofFailed(what);
    const r = this.randomExponent();
    const pa = this.pow(g3, r);
    const qa = mulP(powG(r), this.pow(g2, secret));
    const [cp3, d5a, d6a] = this.proveEqualCoords(g2, g3, r, secret, 6);
    const pab = mulP(pa, modInverse(pb, MODP_P));
    const qab = mulP(qa, modInverse(qb, MODP_P));
    const ra = this.pow(qab, x3);
    const [cr, d7] = this.proveEqualLogs(qab, x3, 7);
    this.f = { x3, g3o: g3b, pab, qab };
    this.st = 'expect4';
    return { reply: [{ type: TLV_SMP3, value: encodeMpis([pa, qa, cp3, d5a, d6a, ra, cr, d7]) }] };
  }

  /** Bob receives SMP3: verify Alice's proofs, send SMP4 and learn the result. */
  private step4(value: Uint8Array): { reply: Tlv[]; event: SmpEvent } {
    const what = 'SMP3';
    const m = decodeMpis(value, MSG3_LEN, what);
    checkGroup(m, [0, 1, 5], what);
    checkExponent(m, [3, 4, 7], what);
    checkHash(m, [2, 6], what);
    const [pa, qa, cp, d5, d6, ra, cr, d7] = m as [
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    const { x3, g2, g3, g3o, p: pb, q: qb } = this.need('x3', 'g2', 'g3', 'g3o', 'p', 'q');
    if (!this.checkEqualCoords(cp, d5, d6, pa, qa, g2, g3, 6)) proofFailed(what);
    const pab = mulP(pa, modInverse(pb, MODP_P));
    const qab = mulP(qa, modInverse(qb, MODP_P));
    if (!this.checkEqualLogs(cr, d7, ra, g3o, qab, 7)) proofFailed(what);
    const rb = this.pow(qab, x3);
    const [cr4, d7b] = this.proveEqualLogs(qab, x3, 8);
    const rab = this.pow(ra, x3);
    const same = equalElements(rab, pab);
    const event: SmpEvent = {
      result: same ? 'succeeded' : 'failed',
      initiator: false,
      withQuestion: this.withQuestion,
      final: true,
    };
    this.reset();
    return { reply: [{ type: TLV_SMP4, value: encodeMpis([rb, cr4, d7b]) }], event };
  }

  /** Alice receives SMP4: verify Bob's proof and learn the result. */
  private step5(value: Uint8Array): { reply: Tlv[]; event: SmpEvent } {
    const what = 'SMP4';
    const m = decodeMpis(value, MSG4_LEN, what);
    checkGroup(m, [0], what);
    checkExponent(m, [2], what);
    checkHash(m, [1], what);
    const [rb, cr, d7] = m as [bigint, bigint, bigint];
    const { x3, g3o, pab, qab } = this.need('x3', 'g3o', 'pab', 'qab');
    if (!this.checkEqualLogs(cr, d7, rb, g3o, qab, 8)) proofFailed(what);
    const rab = this.pow(rb, x3);
    const same = equalElements(rab, pab);
    const event: SmpEvent = {
      result: same ? 'succeeded' : 'failed',
      initiator: true,
      withQuestion: this.withQuestion,
      final: true,
    };
    this.reset();
    return { reply: [], event };
  }

  // ---- helpers ----

  private wrongState(type: number): { reply: Tlv[]; event: SmpEvent } {
    const event: SmpEvent = {
      result: 'error',
      message: `unexpected SMP TLV ${type} in state ${this.st}`,
      initiator: this.initiator,
      withQuestion: this.withQuestion,
    };
    return { reply: this.abort(), event };
  }

  private reset(): void {
    this.st = 'expect1';
    this.f = {};
    this.initiator = false;
    this.withQuestion = false;
    this.pendingQuestion = undefined;
    this.tables.clear();
  }

  private need<K extends FieldName>(...names: K[]): Record<K, bigint> {
    const out = {} as Record<K, bigint>;
    for (const n of names) {
      const v = this.f[n];
      if (v === undefined) fail('bad-state', `SMP state lacks ${n}`);
      out[n] = v;
    }
    return out;
  }

  private randomExponent(): bigint {
    const bytes = this.random(EXPONENT_BYTES);
    if (bytes.length !== EXPONENT_BYTES) throw new RangeError('random source returned the wrong length');
    return bytesToBigInt(bytes);
  }

  /** Proof of knowledge of x = log_g1(g1^x): c = h(g1^r), d = r - x·c mod q. */
  private proveKnowLog(x: bigint, version: number): [bigint, bigint] {
    const r = this.randomExponent();
    const c = smpHash(version, powG(r));
    return [c, mod(r - x * c, MODP_Q)];
  }

  /** c == h(g1^d · X^c). */
  private checkKnowLog(c: bigint, d: bigint, x: bigint, version: number): boolean {
    return smpHash(version, mulP(powG(d), this.pow(x, c))) === c;
  }

  /** Proof that P = g3^r and Q = g1^r · g2^secret share r: c = h(g3^r1, g1^r1 g2^r2). */
  private proveEqualCoords(
    g2: bigint,
    g3: bigint,
    r: bigint,
    secret: bigint,
    version: number,
  ): [bigint, bigint, bigint] {
    const r1 = this.randomExponent();
    const r2 = this.randomExponent();
    const c = smpHash(version, this.pow(g3, r1), mulP(powG(r1), this.pow(g2, r2)));
    return [c, mod(r1 - r * c, MODP_Q), mod(r2 - secret * c, MODP_Q)];
  }

  /** c == h(g3^d1 · P^c, g1^d1 · g2^d2 · Q^c). */
  private checkEqualCoords(
    c: bigint,
    d1: bigint,
    d2: bigint,
    p: bigint,
    q: bigint,
    g2: bigint,
    g3: bigint,
    version: number,
  ): boolean {
    const a = this.mulPow2(g3, d1, p, c);
    const b = mulP(powG(d1), this.mulPow2(g2, d2, q, c));
    return smpHash(version, a, b) === c;
  }

  /** Proof that R = qab^x3 with g3-half = g1^x3: c = h(g1^r, qab^r), d = r - x3·c mod q. */
  private proveEqualLogs(qab: bigint, x3: bigint, version: number): [bigint, bigint] {
    const r = this.randomExponent();
    const c = smpHash(version, powG(r), this.pow(qab, r));
    return [c, mod(r - x3 * c, MODP_Q)];
  }

  /** c == h(g1^d · g3o^c, qab^d · R^c). */
  private checkEqualLogs(
    c: bigint,
    d: bigint,
    r: bigint,
    g3o: bigint,
    qab: bigint,
    version: number,
  ): boolean {
    return smpHash(version, mulP(powG(d), this.pow(g3o, c)), this.mulPow2(qab, d, r, c)) === c;
  }
}

function checkSecret(secret: bigint): void {
  if (typeof secret !== 'bigint' || secret < 0n || secret >= MODP_Q) {
    throw new RangeError('SMP secret must be a bigint in [0, q)');
  }
}
