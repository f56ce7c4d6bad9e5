/**
 * session.ts (with context.ts): policies × what arrives, whitespace offers, private mode holding
 * messages (I2), finished and ended conversations, heartbeats, instance tags, the extra symmetric
 * key, SMP through sessions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../../src/crypto/bytes';
import type { Context } from '../../../src/otr/context';
import { armor, type DataMessage, dearmor, decodeMessage, encodeDhKey } from '../../../src/otr/messages';
import {
  POLICY_ALWAYS,
  POLICY_MANUAL,
  POLICY_NEVER,
  POLICY_OPPORTUNISTIC,
  policyFor,
} from '../../../src/otr/policy';
import { classify, whitespaceTag } from '../../../src/otr/proto';
import type { Output, Session, SessionEvent } from '../../../src/otr/session';
import type { Tlv } from '../../../src/otr/tlv';
import { ALICE_TAG, BOB_TAG, BOB2_TAG, connect, fixtures, party, pump, say, texts, types } from './helpers';

const POLICIES = {
  never: POLICY_NEVER,
  manual: POLICY_MANUAL,
  opportunistic: POLICY_OPPORTUNISTIC,
  always: POLICY_ALWAYS,
};

function kindOf(wire: string): string {
  const c = classify(wire);
  if (c.kind !== 'encoded') return c.kind;
  return decodeMessage(dearmor(wire)).kind;
}

function dataOf(wire: string): DataMessage {
  const m = decodeMessage(dearmor(wire));
  if (m.kind !== 'data') throw new Error(`not a data message: ${m.kind}`);
  return m;
}

describe('policies × what arrives', () => {
  // A real D-H Commit from bob, to feed alice.
  const bobCommit = () => {
    const b = party('bob', 11);
    const a = party('alice', 12);
    const q = a.session.query().wire[0]!;
    return b.session.receive(q).wire[0]!;
  };
  const inputs: Record<string, () => string> = {
    plain: () => 'hello there',
    tagged: () => `hello${whitespaceTag([2, 3])}`,
    query: () => '?OTRv23? bob wants to talk',
    error: () => '?OTR Error: something broke',
    commit: bobCommit,
  };
  // [wire kinds sent back, event types] per policy and input
  const expected: Record<keyof typeof POLICIES, Record<string, [string[], string[]]>> = {
    never: {
      plain: [[], ['message']],
      tagged: [[], ['message']],
      query: [[], ['message']],
      error: [[], ['message']],
      commit: [[], ['message']],
    },
    manual: {
      plain: [[], ['message']],
      tagged: [[], ['message']],
      query: [['dh-commit'], []],
      error: [[], ['otr-error']],
      commit: [['dh-key'], []],
    },
    opportunistic: {
      plain: [[], ['message']],
      tagged: [['dh-commit'], ['message']],
      query: [['dh-commit'], []],
      error: [['query'], ['otr-error']],
      commit: [['dh-key'], []],
    },
    always: {
      plain: [[], ['message']],
      tagged: [['dh-commit'], ['message']],
      query: [['dh-commit'], []],
      error: [['query'], ['otr-error']],
      commit: [['dh-key'], []],
    },
  };
  for (const [pname, policy] of Object.entries(POLICIES) as [keyof typeof POLICIES, number][]) {
    for (const [iname, make] of Object.entries(inputs)) {
      const [wireKinds, eventTypes] = expected[pname][iname]!;
      it(`${pname} receiving ${iname}: sends [${wireKinds}], reports [${eventTypes}]`, () => {
        const a = party('alice', 20, { policy });
        const input = make();
        const out = a.session.receive(input);
        expect(out.wire.map(kindOf)).toEqual(wireKinds);
        expect(types(out.events)).toEqual(eventTypes);
        const msg = out.events.find((e) => e.type === 'message');
        if (msg && msg.type === 'message' && !msg.encrypted) {
          if (pname === 'never') expect(msg.text).toBe(input);
          else expect(msg.text).toBe('hello' + (iname === 'plain' ? ' there' : ''));
          expect(msg.unencryptedWarning).toBe(pname === 'always');
        }
      });
    }
  }
  it('never: send passes text through untouched and query reports the policy', () => {
    const a = party('alice', 21, { policy: POLICY_NEVER });
    expect(a.session.send('hi').wire).toEqual(['hi']);
    expect(a.session.query()).toMatchObject({ wire: [], events: [{ type: 'error', code: 'policy' }] });
  });
  it('a v2-only policy answers a v2/v3 query with a v2 AKE, and ignores v3 messages', () => {
    const a = party('alice', 22, { policy: policyFor('manual', [2]) });
    const out = a.session.receive('?OTRv23?');
    expect(decodeMessage(dearmor(out.wire[0]!)).header.version).toBe(2);
    const v3 = `?OTR:${Buffer.from(encodeDhKey({ version: 3, type: 10, senderTag: BOB_TAG, receiverTag: ALICE_TAG }, 5n)).toString('base64')}.`;
    expect(types(a.session.receive(v3).events)).toEqual(['ignored']);
  });
  it('a query offering only versions we do not allow is ignored', () => {
    const a = party('alice', 23, { policy: policyFor('manual', [3]) });
    expect(a.session.receive('?OTRv2?')).toEqual({ wire: [], events: [] });
    expect(a.session.receive('?OTR?')).toEqual({ wire: [], events: [] });
  });
});

describe('whitespace offers (SEND_WHITESPACE_TAG)', () => {
  it('tag on every message until the buddy answers without one; then plain', () => {
    const a = party('alice', 30, { policy: POLICY_OPPORTUNISTIC });
    expect(a.session.send('one').wire).toEqual([`one${whitespaceTag([3, 2])}`]);
    expect(a.session.send('two').wire).toEqual([`two${whitespaceTag([3, 2])}`]);
    a.session.receive('plain reply from a client without OTR');
    expect(a.session.send('three').wire).toEqual(['three']);
  });
  it('a buddy that answers with a tag starts the AKE, and the conversation goes private', () => {
    const a = party('alice', 31, { policy: POLICY_OPPORTUNISTIC });
    const b = party('bob', 32, { policy: POLICY_OPPORTUNISTIC });
    const t = pump({ name: 'a', s: a.session }, { name: 'b', s: b.session }, a.session.send('hello'));
    expect(texts(t.events.b)).toEqual(['hello']);
    expect(a.session.status.state).toBe('encrypted');
    expect(b.session.status.state).toBe('encrypted');
    expect(texts(say(a.session, b.session, 'now private'))).toEqual(['now private']);
  });
  it('a manual policy never adds a tag', () => {
    const a = party('alice', 33);
    expect(a.session.send('x').wire).toEqual(['x']);
  });
});

describe('private mode (REQUIRE_ENCRYPTION): held messages (I2)', () => {
  for (const max of [0, 150]) {
    it(`everything typed before the AKE is held, then sent encrypted in order (max line ${max || '∞'})`, () => {
      const a = party('alice', 40, { policy: POLICY_ALWAYS, maxMessageSize: max });
      const b = party('bob', 41, { maxMessageSize: max });
      const first = a.session.send('one');
      expect(types(first.events)).toEqual(['held']);
      expect(first.wire).toHaveLength(1);
      expect(kindOf(first.wire[0]!)).toBe('query');
      const second = a.session.send('two ✓');
      const third = a.session.send('three');
      expect(second.wire).toEqual([]); // one query is enough
      expect(third.events).toEqual([{ type: 'held', text: 'three', count: 3 }]);
      expect(a.session.status.held).toBe(3);
      const t = pump({ name: 'a', s: a.session }, { name: 'b', s: b.session }, first);
      expect(texts(t.events.b)).toEqual(['one', 'two ✓', 'three']);
      expect(
        t.events.b!.filter((e) => e.type === 'message').every((e) => e.type === 'message' && e.encrypted),
      ).toBe(true);
      for (const l of t.lines.filter((l) => l.from === 'a')) expect(l.wire.startsWith('?OTR')).toBe(true);
      // Encoded lines respect the limit (the query is plain text, sent as it is).
      for (const l of t.lines)
        if (max && !l.wire.startsWith('?OTRv')) expect(l.wire.length).toBeLessThanOrEqual(max);
      expect(a.session.status.held).toBe(0);
    });
  }
  it('held messages are reported not-sent when the user ends, never dropped silently', () => {
    const a = party('alice', 42, { policy: POLICY_ALWAYS });
    a.session.send('one');
    a.session.send('two');
    const out = a.session.end();
    expect(out.wire).toEqual([]);
    expect(out.events.filter((e) => e.type === 'not-sent').map((e) => (e as { text: string }).text)).toEqual([
      'one',
      'two',
    ]);
    expect(a.session.status.held).toBe(0);
    // after ending, the next message asks again
    expect(kindOf(a.session.send('three').wire[0]!)).toBe('query');
  });
  it('never emits a plaintext line in private mode, whatever arrives', () => {
    const a = party('alice', 43, { policy: POLICY_ALWAYS });
    const lines: string[] = [];
    for (const input of ['hi', `tag${whitespaceTag([3])}`, '?OTR Error: x', 'bye']) {
      lines.push(...a.session.receive(input).wire, ...a.session.send(`typed after ${input}`).wire);
    }
    for (const l of lines) expect(l.startsWith('?OTR')).toBe(true);
  });
});

describe('ending, finished, and TLV 1', () => {
  it('end() sends a data message with TLV 1 (IGNORE_UNREADABLE) and the buddy goes to finished', () => {
    const a = party('alice', 50);
    const b = party('bob', 51);
    connect(a.session, b.session);
    const end = b.session.end();
    expect(end.wire).toHaveLength(1);
    expect(dataOf(end.wire[0]!).flags).toBe(1);
    expect(end.events).toContainEqual(expect.objectContaining({ type: 'state', state: 'plaintext' }));
    expect(b.session.status.state).toBe('plaintext');
    const got = a.session.receive(end.wire[0]!);
    expect(got.events).toContainEqual(expect.objectContaining({ type: 'state', state: 'finished' }));
    expect(got.wire).toEqual([]);
    expect(a.session.status.state).toBe('finished');
  });
  it('finished refuses to send (not-sent, nothing on the wire) until ended or refreshed', () => {
    const a = party('alice', 52);
    const b = party('bob', 53);
    connect(a.session, b.session);
    a.session.receive(b.session.end().wire[0]!);
    const out = a.session.send('secret');
    expect(out.wire).toEqual([]);
    expect(types(out.events)).toEqual(['not-sent']);
    const ended = a.session.end();
    expect(ended.wire).toEqual([]); // no TLV 1 from finished
    expect(a.session.status.state).toBe('plaintext');
    // refresh: a new AKE works
    connect(a.session, b.session);
    expect(texts(say(a.session, b.session, 'again'))).toEqual(['again']);
  });
  it('a data message when not private: error reported (not for IGNORE_UNREADABLE), nothing sent', () => {
    const a = party('alice', 54);
    const b = party('bob', 55);
    connect(a.session, b.session);
    const msg = a.session.send('hi').wire[0]!;
    const hb = b.session.end().wire[0]!;
    const fresh = party('bob', 56);
    const got = fresh.session.receive(msg);
    expect(got.wire).toEqual([]);
    expect(got.events.some((e) => e.type === 'error' && e.code === 'not-private')).toBe(true);
    expect(got.events.some((e) => e.type === 'message')).toBe(false);
    const quiet = fresh.session.receive(hb);
    expect(quiet.events.filter((e) => e.type === 'error')).toEqual([]);
  });
  it("an unreadable data message in an encrypted conversation gets libotr's error reply", () => {
    const a = party('alice', 57);
    const b = party('bob', 58);
    connect(a.session, b.session);
    const line = a.session.send('hi').wire[0]!;
    const bytes = dearmor(line);
    bytes[bytes.length - 10]! ^= 1; // inside the MAC
    const out = b.session.receive(`?OTR:${Buffer.from(bytes).toString('base64')}.`);
    expect(out.wire).toEqual(['?OTR Error: You transmitted an unreadable encrypted message.']);
    expect(out.events.some((e) => e.type === 'error')).toBe(true);
  });
});

describe('heartbeats', () => {
  it('after receiving, a heartbeat goes out only if we sent nothing for 60 s', () => {
    const a = party('alice', 60);
    const b = party('bob', 61);
    connect(a.session, b.session);
    // bob has sent nothing since the AKE ended: heartbeat
    const m1 = b.session.receive(a.session.send('one').wire[0]!);
    expect(m1.wire).toHaveLength(1);
    const hb = dataOf(m1.wire[0]!);
    expect(hb.flags).toBe(1);
    // the heartbeat shows nothing to alice
    expect(a.session.receive(m1.wire[0]!).events).toEqual([]);
    b.clock.t += 30_000;
    expect(b.session.receive(a.session.send('two').wire[0]!).wire).toEqual([]);
    b.clock.t += 31_000;
    expect(b.session.receive(a.session.send('three').wire[0]!).wire).toHaveLength(1);
    // a message without text (here: the extra symmetric key TLV) never triggers one
    b.clock.t += 120_000;
    const silent = a.session.extraSymmetricKey(1, new Uint8Array(0)).wire[0]!;
    expect(b.session.receive(silent).wire).toEqual([]);
  });
  it('the heartbeat interval is configurable', () => {
    const a = party('alice', 62);
    const b = party('bob', 63, { heartbeatInterval: 1000 });
    connect(a.session, b.session);
    b.session.receive(a.session.send('x').wire[0]!);
    b.clock.t += 1001;
    expect(b.session.receive(a.session.send('y').wire[0]!).wire).toHaveLength(1);
  });
});

describe('instance tags', () => {
  function twoBobs() {
    const a = party('alice', 70);
    const b1 = party('bob', 71);
    const b2 = party('bob2', 72);
    const q = a.session.query().wire[0]!;
    // both logins of bob get the query; alice gets both commits
    const c1 = b1.session.receive(q).wire[0]!;
    const c2 = b2.session.receive(q).wire[0]!;
    pump({ name: 'b1', s: b1.session }, { name: 'a', s: a.session }, { wire: [c1], events: [] });
    pump({ name: 'b2', s: b2.session }, { name: 'a', s: a.session }, { wire: [c2], events: [] });
    return { a, b1, b2 };
  }
  it('two instances of the buddy: two private conversations, messages routed by tag', () => {
    const { a, b1, b2 } = twoBobs();
    expect(a.session.instanceTags.sort()).toEqual([BOB_TAG, BOB2_TAG].sort());
    expect(b1.session.status.state).toBe('encrypted');
    expect(b2.session.status.state).toBe('encrypted');
    a.clock.t += 1000;
    const from1 = a.session.receive(b1.session.send('from one').wire[0]!).events;
    a.clock.t += 1000;
    const from2 = a.session.receive(b2.session.send('from two').wire[0]!).events;
    expect(from1.find((e) => e.type === 'message')).toMatchObject({ text: 'from one', instance: BOB_TAG });
    expect(from2.find((e) => e.type === 'message')).toMatchObject({ text: 'from two', instance: BOB2_TAG });
    // alice answers the instance that spoke last
    const reply = a.session.send('to the last').wire[0]!;
    expect(dataOf(reply).header.receiverTag).toBe(BOB2_TAG);
    expect(texts(b2.session.receive(reply).events)).toEqual(['to the last']);
    // the other instance ignores it
    const other = b1.session.receive(reply);
    expect(types(other.events)).toEqual(['ignored']);
    expect(other.wire).toEqual([]);
  });
  it('a message carrying our own sender tag (reflected) is ignored without change', () => {
    const a = party('alice', 73);
    const b = party('bob', 74);
    connect(a.session, b.session);
    const mine = a.session.send('mine').wire[0]!;
    const before = JSON.stringify(a.session.snapshot());
    const out = a.session.receive(mine);
    expect(types(out.events)).toEqual(['ignored']);
    expect(JSON.stringify(a.session.snapshot())).toBe(before);
  });
  it('a data message from an unknown instance is ignored (and reported unless IGNORE_UNREADABLE)', () => {
    const { a, b2 } = twoBobs();
    const stranger = party('bob', 75, { instanceTag: 0x4444_4444 });
    // re-tag bob2's message as coming from a stranger instance: the tag is outside the armor check, MAC fails
    const line = b2.session.send('x').wire[0]!;
    const bytes = dearmor(line);
    bytes.set([0x44, 0x44, 0x44, 0x44], 3);
    const out = a.session.receive(`?OTR:${Buffer.from(bytes).toString('base64')}.`);
    expect(types(out.events)).toEqual(['ignored', 'error']);
    expect(out.wire).toEqual([]);
    expect(stranger.session.instanceTag).toBe(0x44444444);
  });
  it('instance tags below 0x100 are refused at construction', () => {
    expect(() => party('alice', 76, { instanceTag: 0xff })).toThrow(RangeError);
  });
});

describe('extra symmetric key (TLV 8)', () => {
  it('both sides get the same key, with the use and use-data sent', () => {
    const a = party('alice', 80);
    const b = party('bob', 81);
    connect(a.session, b.session);
    const sk = a.session.extraSymmetricKey(0x01020304, Uint8Array.of(9, 8, 7));
    expect(sk.key).toHaveLength(32);
    const got = b.session.receive(sk.wire[0]!).events.find((e) => e.type === 'symkey');
    expect(got).toBeDefined();
    if (got?.type !== 'symkey') throw new Error('no symkey');
    expect(got.use).toBe(0x01020304);
    expect([...got.usedata]).toEqual([9, 8, 7]);
    expect(bytesToHex(got.key)).toBe(bytesToHex(sk.key));
  });
  it('the key handed out (return value and event) is a copy: the caller may wipe it', () => {
    const a = party('alice', 83);
    const b = party('bob', 84);
    connect(a.session, b.session);
    const first = a.session.extraSymmetricKey(1, new Uint8Array(0));
    const expected = bytesToHex(first.key);
    const got = b.session.receive(first.wire[0]!).events.find((e) => e.type === 'symkey');
    if (got?.type !== 'symkey') throw new Error('no symkey');
    first.key.fill(0);
    got.key.fill(0);
    // Same key pair (nothing was answered, so no rotation): the same key again, on both sides.
    const second = a.session.extraSymmetricKey(2, new Uint8Array(0));
    expect(bytesToHex(second.key)).toBe(expected);
    const again = b.session.receive(second.wire[0]!).events.find((e) => e.type === 'symkey');
    if (again?.type !== 'symkey') throw new Error('no symkey');
    expect(bytesToHex(again.key)).toBe(expected);
  });
  it('refused when not private', () => {
    const a = party('alice', 82);
    expect(() => a.session.extraSymmetricKey(1, new Uint8Array(0))).toThrow();
  });
});

describe('SMP through sessions', () => {
  function smp(events: readonly SessionEvent[] | undefined) {
    return (events ?? []).flatMap((e) => (e.type === 'smp' ? [e.result] : []));
  }
  function run(secretA: string, secretB: string, question?: string) {
    const a = party('alice', 90);
    const b = party('bob', 91);
    connect(a.session, b.session);
    const start = a.session.startSmp(secretA, question);
    const asked = b.session.receive(start.wire[0]!);
    expect(smp(asked.events)).toEqual(['question']);
    const q = asked.events.find((e) => e.type === 'smp');
    if (question) expect(q).toMatchObject({ question });
    const t = pump({ name: 'b', s: b.session }, { name: 'a', s: a.session }, b.session.answerSmp(secretB));
    return { a, b, t };
  }
  it('same secret: both succeed; every SMP message is an IGNORE_UNREADABLE data message', () => {
    const { t } = run('red fish', 'red fish');
    expect(smp(t.events.a)).toEqual(['succeeded']);
    expect(smp(t.events.b)).toEqual(['succeeded']);
    for (const l of t.lines) expect(dataOf(l.wire).flags).toBe(1);
  });
  it('different secrets: both fail', () => {
    const { t } = run('red fish', 'blue fish');
    expect(smp(t.events.a)).toEqual(['failed']);
    expect(smp(t.events.b)).toEqual(['failed']);
  });
  it('with a question (Unicode)', () => {
    const { t } = run('42', '42', 'Wo haben wir uns getroffen? ✓');
    expect(smp(t.events.a)).toEqual(['succeeded']);
  });
  it('abort mid-run, then a new run succeeds', () => {
    const a = party('alice', 92);
    const b = party('bob', 93);
    connect(a.session, b.session);
    b.session.receive(a.session.startSmp('s').wire[0]!);
    const ab = b.session.abortSmp();
    expect(smp(ab.events)).toEqual(['aborted']);
    // bob answered the run, he did not start it
    expect(ab.events[0]).toMatchObject({ type: 'smp', initiator: false });
    a.session.startSmp('mine');
    expect(a.session.abortSmp().events[0]).toMatchObject({ type: 'smp', result: 'aborted', initiator: true });
    const got = a.session.receive(ab.wire[0]!);
    expect(smp(got.events)).toEqual(['aborted']);
    expect(a.session.status.smpState).toBe('expect1');
    b.session.receive(a.session.startSmp('again').wire[0]!);
    const t = pump({ name: 'b', s: b.session }, { name: 'a', s: a.session }, b.session.answerSmp('again'));
    expect(smp(t.events.a)).toEqual(['succeeded']);
  });
  it('restart: starting again while a run is in progress', () => {
    const a = party('alice', 94);
    const b = party('bob', 95);
    connect(a.session, b.session);
    a.session.startSmp('first');
    const second = a.session.startSmp('second');
    b.session.receive(second.wire[0]!);
    const t = pump({ name: 'b', s: b.session }, { name: 'a', s: a.session }, b.session.answerSmp('second'));
    expect(smp(t.events.a)).toEqual(['succeeded']);
  });
  it('SMP needs a private conversation', () => {
    const a = party('alice', 96);
    expect(() => a.session.startSmp('x')).toThrow();
  });
});

describe('fragments through sessions', () => {
  it('a conversation with a 100-character line limit: every line fits, every message arrives', () => {
    const a = party('alice', 100, { maxMessageSize: 100 });
    const b = party('bob', 101, { maxMessageSize: 100 });
    const t = connect(a.session, b.session);
    for (const l of t.lines) if (!l.wire.startsWith('?OTRv')) expect(l.wire.length).toBeLessThanOrEqual(100);
    const long = 'ünïcödé '.repeat(500);
    const out: Output = a.session.send(long);
    expect(out.wire.length).toBeGreaterThan(10);
    const got = pump({ name: 'a', s: a.session }, { name: 'b', s: b.session }, out);
    expect(texts(got.events.b)).toEqual([long]);
  });
  it('a plain line in the middle of a fragmented message drops the reassembly', () => {
    const a = party('alice', 102, { maxMessageSize: 100 });
    const b = party('bob', 103);
    connect(a.session, b.session);
    const parts = a.session.send('x'.repeat(400)).wire;
    for (const p of parts.slice(0, 2)) expect(b.session.receive(p).events).toEqual([]);
    expect(texts(b.session.receive('interruption').events)).toEqual(['interruption']);
    const rest = parts.slice(2).flatMap((p) => b.session.receive(p).events);
    expect(texts(rest)).toEqual([]);
  });
  it('a v3 fragment addressed to another instance is ignored', () => {
    const b = party('bob', 104);
    const out = b.session.receive('?OTR|00000200|00000999,00001,00002,?OTR:AA,');
    expect(types(out.events)).toEqual(['ignored']);
  });
});

describe('regressions found in review', () => {
  it('the side that answered a query does not report an AKE in progress once private, nor after ending', () => {
    const a = party('alice', 110);
    const b = party('bob', 111);
    connect(a.session, b.session);
    expect(a.session.status.authInProgress).toBe(false);
    expect(b.session.status.authInProgress).toBe(false);
    b.session.end();
    expect(b.session.status.authInProgress).toBe(false);
    // while the commit is unanswered it is in progress
    const c = party('bob', 112);
    c.session.receive('?OTRv3?');
    expect(c.session.status.authInProgress).toBe(true);
  });
  it('an ignored D-H Key from an unknown instance leaves no instance behind (rejected input changes nothing)', () => {
    const b = party('bob', 113);
    b.session.receive('?OTRv3?');
    const before = JSON.stringify(b.session.snapshot());
    const bad = encodeDhKey({ version: 3, type: 10, senderTag: 0x999, receiverTag: BOB_TAG }, 1n);
    const out = b.session.receive(`?OTR:${Buffer.from(bad).toString('base64')}.`);
    expect(types(out.events)).toEqual(['ignored']);
    expect(b.session.instanceTags).toEqual([]);
    expect(JSON.stringify(b.session.snapshot())).toBe(before);
  });
  it('a second instance of the buddy can still answer the same commit after the first one did', () => {
    const a = party('alice', 114);
    const b1 = party('bob', 115);
    const b2 = party('bob2', 116);
    const commit = a.session.receive('?OTRv3?').wire[0]!;
    pump({ name: 'b1', s: b1.session }, { name: 'a', s: a.session }, b1.session.receive(commit));
    expect(a.session.status.authInProgress).toBe(false);
    pump({ name: 'b2', s: b2.session }, { name: 'a', s: a.session }, b2.session.receive(commit));
    expect(b1.session.status.state).toBe('encrypted');
    expect(b2.session.status.state).toBe('encrypted');
    expect(a.session.instanceTags.sort()).toEqual([BOB_TAG, BOB2_TAG].sort());
  });
});

describe('real libotr messages and version 2 through sessions', () => {
  const fixture = (name: string) =>
    JSON.parse(readFileSync(join(fixtures, `wire/libotr-${name}.json`), 'utf8')) as {
      alice: { instanceTag: string };
      bob: { instanceTag: string };
      lines: { from: string; step: string; wire: string }[];
    };
  for (const name of ['v3', 'v2']) {
    it(`a libotr ${name} D-H Commit is answered with a D-H Key addressed to its instance`, () => {
      const f = fixture(name);
      const commit = f.lines.find((l) => l.step === 'dh-commit')!.wire;
      const a = party('alice', 120);
      const out = a.session.receive(commit);
      expect(out.wire).toHaveLength(1);
      const reply = decodeMessage(dearmor(out.wire[0]!));
      expect(reply.kind).toBe('dh-key');
      expect(reply.header.version).toBe(name === 'v3' ? 3 : 2);
      expect(reply.header.receiverTag).toBe(name === 'v3' ? Number.parseInt(f.bob.instanceTag, 16) : 0);
      expect(a.session.status.authInProgress).toBe(true);
    });
  }
  it('libotr’s query text starts an AKE of the best common version', () => {
    const q = fixture('v3').lines.find((l) => l.step === 'query')!.wire;
    const out = party('bob', 121).session.receive(q);
    expect(decodeMessage(dearmor(out.wire[0]!))).toMatchObject({ kind: 'dh-commit', header: { version: 3 } });
  });
  it('a whole v2 conversation with 80-character lines: AKE, data both ways, SMP, end', () => {
    const v2 = policyFor('manual', [2]);
    const a = party('alice', 122, { policy: v2, maxMessageSize: 80 });
    const b = party('bob', 123, { policy: POLICY_MANUAL, maxMessageSize: 80 });
    const t = connect(a.session, b.session);
    expect(a.session.status.version).toBe(2);
    for (const l of t.lines) {
      if (l.wire.startsWith('?OTR,')) expect(l.wire.length).toBeLessThanOrEqual(80);
      expect(l.wire.startsWith('?OTR|')).toBe(false);
    }
    expect(texts(say(a.session, b.session, 'v2 hello'))).toEqual(['v2 hello']);
    expect(texts(say(b.session, a.session, 'v2 back'))).toEqual(['v2 back']);
    const smpRun = pump({ name: 'a', s: a.session }, { name: 'b', s: b.session }, a.session.startSmp('pw'));
    expect(smpRun.events.b).toContainEqual(expect.objectContaining({ type: 'smp', result: 'question' }));
    const answered = pump(
      { name: 'b', s: b.session },
      { name: 'a', s: a.session },
      b.session.answerSmp('pw'),
    );
    expect(answered.events.a).toContainEqual(expect.objectContaining({ type: 'smp', result: 'succeeded' }));
    expect(answered.lines.some((l) => l.wire.startsWith('?OTR,'))).toBe(true);
    const end = a.session.end();
    const got = end.wire.flatMap((w) => b.session.receive(w).events);
    expect(got).toContainEqual(expect.objectContaining({ type: 'state', state: 'finished', version: 2 }));
  });
});

describe('TLVs and the IGNORE_UNREADABLE flag', () => {
  type WithBest = { best(): Context };
  const sealFrom = (s: Session, text: string, tlvs: Tlv[], flags = 0) =>
    armor((s as unknown as WithBest).best().seal(text, tlvs, flags).bytes);
  it('padding (TLV 0) and unknown TLV types are ignored; the text is shown', () => {
    const a = party('alice', 130);
    const b = party('bob', 131);
    connect(a.session, b.session);
    const line = sealFrom(a.session, 'padded', [
      { type: 0, value: new Uint8Array(100) },
      { type: 0x99, value: Uint8Array.of(1, 2) },
    ]);
    const out = b.session.receive(line);
    expect(texts(out.events)).toEqual(['padded']);
    expect(out.events.some((e) => e.type === 'error')).toBe(false);
    expect(b.session.status.state).toBe('encrypted');
  });
  it('text and TLV 1 together: the text is shown, then the conversation is finished', () => {
    const a = party('alice', 132);
    const b = party('bob', 133);
    connect(a.session, b.session);
    const out = b.session.receive(sealFrom(a.session, 'bye', [{ type: 1, value: new Uint8Array(0) }]));
    expect(types(out.events)).toEqual(['message', 'state']);
    expect(b.session.status.state).toBe('finished');
  });
  it('an unreadable message flagged IGNORE_UNREADABLE gets no error reply and no error event', () => {
    const a = party('alice', 134);
    const b = party('bob', 135);
    connect(a.session, b.session);
    const bytes = dearmor(sealFrom(a.session, '', [], 1));
    bytes[bytes.length - 10]! ^= 1; // inside the MAC
    const out = b.session.receive(armor(bytes));
    expect(out).toEqual({ wire: [], events: [] });
  });
});
