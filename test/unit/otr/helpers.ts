/**
 * Shared helpers for the engine's unit tests: libotr-made long-term keys (no key generation in
 * tests), a deterministic random source that can be cloned (so a restored session draws exactly
 * the bytes the original would have), and a two-party harness that carries wire lines between
 * two Sessions.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { DsaPrivateKey } from '../../../src/crypto/dsa';
import type { RandomSource } from '../../../src/crypto/random';
import { parsePrivateKeyFile } from '../../../src/otr/keyfile';
import { POLICY_MANUAL } from '../../../src/otr/policy';
import { type Output, Session, type SessionEvent, type SessionOptions } from '../../../src/otr/session';

const here = dirname(fileURLToPath(import.meta.url));
export const fixtures = join(here, '../../fixtures');

const entries = parsePrivateKeyFile(readFileSync(join(fixtures, 'libotr/otr.private_key')));
/** Two DSA keys made by libotr 4.1.1 (test/fixtures/libotr). */
export const ALICE_KEY: DsaPrivateKey = entries[0]!.key;
export const BOB_KEY: DsaPrivateKey = entries[1]!.key;

export const ALICE_TAG = 0x1111_1111;
export const BOB_TAG = 0x2222_2222;
export const BOB2_TAG = 0x3333_3333;

/** A deterministic xorshift128 stream whose position can be cloned. Tests only. */
export class TestRandom {
  private s: [number, number, number, number];
  drawn = 0;
  constructor(seed: number | [number, number, number, number]) {
    this.s = Array.isArray(seed)
      ? [...seed]
      : [seed >>> 0 || 1, (seed * 0x9e3779b9) >>> 0 || 2, 0x243f6a88, 0x85a308d3];
  }
  private next(): number {
    let t = this.s[3];
    const s0 = this.s[0];
    this.s[3] = this.s[2];
    this.s[2] = this.s[1];
    this.s[1] = s0;
    t ^= t << 11;
    t ^= t >>> 8;
    this.s[0] = (t ^ s0 ^ (s0 >>> 19)) >>> 0;
    return this.s[0];
  }
  readonly source: RandomSource = (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 255;
    this.drawn += length;
    return out;
  };
  clone(): TestRandom {
    const c = new TestRandom([...this.s]);
    c.drawn = this.drawn;
    return c;
  }
}

/** A clock tests move by hand. */
export class TestClock {
  t = 1_700_000_000_000;
  readonly now = () => this.t;
}

export interface Party {
  session: Session;
  rng: TestRandom;
  clock: TestClock;
  opts: SessionOptions;
}

export function party(
  name: 'alice' | 'bob' | 'bob2',
  seed: number,
  overrides: Partial<SessionOptions> = {},
): Party {
  const rng = new TestRandom(seed);
  const clock = new TestClock();
  const opts: SessionOptions = {
    account: name === 'alice' ? 'alice' : 'bob',
    protocol: 'prpl-irc',
    peer: name === 'alice' ? 'bob' : 'alice',
    privateKey: name === 'alice' ? ALICE_KEY : BOB_KEY,
    instanceTag: name === 'alice' ? ALICE_TAG : name === 'bob' ? BOB_TAG : BOB2_TAG,
    policy: POLICY_MANUAL,
    random: rng.source,
    now: clock.now,
    ...overrides,
  };
  return { session: new Session(opts), rng, clock, opts };
}

/** Snapshot through JSON and restore with a clone of the random stream: the same session, persisted. */
export function persist(p: Party): Party {
  const json = JSON.stringify(p.session.snapshot());
  const rng = p.rng.clone();
  const opts = { ...p.opts, random: rng.source, now: p.clock.now };
  return { session: Session.restore(JSON.parse(json), opts), rng, clock: p.clock, opts };
}

export function snap(s: Session): string {
  return JSON.stringify(s.snapshot());
}

export interface Transcript {
  /** Every line carried, with who sent it. */
  lines: { from: string; wire: string }[];
  events: Record<string, SessionEvent[]>;
}

/**
 * Carries lines back and forth until both sides are quiet. `first` is what `from` just produced.
 */
export function pump(
  from: { name: string; s: Session },
  to: { name: string; s: Session },
  first: Output,
  t: Transcript = { lines: [], events: {} },
  limit = 50,
): Transcript {
  const log = (name: string, events: readonly SessionEvent[]) => {
    const list = t.events[name] ?? [];
    list.push(...events);
    t.events[name] = list;
  };
  log(from.name, first.events);
  let queue = first.wire.map((wire) => ({ wire, src: from, dst: to }));
  for (let i = 0; queue.length > 0; i++) {
    if (i > limit) throw new Error('conversation does not settle');
    const next: typeof queue = [];
    for (const { wire, src, dst } of queue) {
      t.lines.push({ from: src.name, wire });
      const out = dst.s.receive(wire);
      log(dst.name, out.events);
      for (const w of out.wire) next.push({ wire: w, src: dst, dst: src });
    }
    queue = next;
  }
  return t;
}

/** Runs a whole AKE started by alice's query. */
export function connect(a: Session, b: Session): Transcript {
  const t = pump({ name: 'a', s: a }, { name: 'b', s: b }, a.query());
  expect(a.status.state).toBe('encrypted');
  expect(b.status.state).toBe('encrypted');
  return t;
}

/** Sends a message from `a` to `b` and returns what `b` reported. */
export function say(a: Session, b: Session, text: string): SessionEvent[] {
  const t = pump({ name: 'a', s: a }, { name: 'b', s: b }, a.send(text));
  return t.events.b ?? [];
}

export function texts(events: readonly SessionEvent[] | undefined): string[] {
  return (events ?? []).flatMap((e) => (e.type === 'message' ? [e.text] : []));
}

export function types(events: readonly SessionEvent[] | undefined): string[] {
  return (events ?? []).map((e) => e.type);
}
