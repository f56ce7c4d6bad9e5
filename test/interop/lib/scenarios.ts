/**
 * The interop scenarios of issues 3 and 4, written once for any two peer kinds. `defineScenarios`
 * registers vitest suites where "A" (account alice) is of kind `a` and "B" (account bob) of kind
 * `b`; every scenario that has a direction runs both ways. libotr↔libotr proves the harness and
 * the C peer; offrecord↔libotr (and libotr↔offrecord) prove the engine.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Network, type Trace } from './network';
import { otrParse } from './otr-parse';
import type { Peer, PeerEvent, StateEvent } from './peer';
import { type PeerKind, type PeerOptions, startPeer, tempDir } from './start';

export interface Pair {
  a: Peer;
  b: Peer;
  net: Network;
}

export interface Harness {
  keys: ReturnType<typeof tempDir>;
  started: Peer[];
  start(kind: PeerKind, o: PeerOptions): Promise<Peer>;
  pair(ka: PeerKind, kb: PeerKind, oa?: PeerOptions, ob?: PeerOptions): Promise<Pair>;
  stop(): Promise<void>;
}

/** One key directory per suite (keys made on first use, then reused), processes stopped after each test. */
export function harness(): Harness {
  const h: Harness = {
    keys: tempDir(),
    started: [],
    async start(kind, o) {
      const account = o.account ?? 'alice';
      const p = await startPeer(kind, { key: h.keys.file(`${account}.key`), ...o });
      h.started.push(p);
      return p;
    },
    async pair(ka, kb, oa = {}, ob = {}) {
      const a = await h.start(ka, { account: 'alice', ...oa });
      const b = await h.start(kb, { account: 'bob', ...ob });
      return { a, b, net: new Network().join(a, b) };
    },
    async stop() {
      await Promise.all(h.started.splice(0).map((p) => p.close()));
    },
  };
  return h;
}

export function lastState(trace: Trace, peer: Peer, buddy?: string): StateEvent | undefined {
  const s = trace.kind(peer, 'state').filter((e) => buddy === undefined || e.peer === buddy);
  return s[s.length - 1];
}

export function messages(trace: Trace, peer: Peer): { text: string; encrypted: boolean }[] {
  return trace.kind(peer, 'message').map((m) => ({ text: m.text, encrypted: m.encrypted }));
}

/** Assert both ends report an encrypted session with each other, with each other's fingerprint. */
export function expectEncrypted(trace: Trace, x: Peer, y: Peer, version = 3): void {
  const sx = lastState(trace, x, y.account);
  const sy = lastState(trace, y, x.account);
  const why = `\n${trace}`;
  expect(sx?.state, `${x.label} state${why}`).toBe('encrypted');
  expect(sy?.state, `${y.label} state${why}`).toBe('encrypted');
  expect(sx?.version).toBe(version);
  expect(sy?.version).toBe(version);
  expect(sx?.fingerprint).toBe(y.fingerprint);
  expect(sy?.fingerprint).toBe(x.fingerprint);
}

export function expectNoErrors(trace: Trace): void {
  expect(trace.errors(), `errors:\n${trace}`).toEqual([]);
}

/** AKE started by `x` sending a query to `y`. */
export async function akeByQuery(net: Network, x: Peer, y: Peer, version = 3): Promise<Trace> {
  const t = await net.run(x, { op: 'query', peer: y.account });
  expectEncrypted(t, x, y, version);
  expectNoErrors(t);
  return t;
}

/** Send `text` from x to y; assert it arrives once, intact and encrypted. */
export async function sendEncrypted(net: Network, x: Peer, y: Peer, text: string): Promise<Trace> {
  const t = await net.run(x, { op: 'send', peer: y.account, text });
  const got = messages(t, y);
  expect(got, `${x.label} → ${y.label}\n${t}`).toEqual([{ text, encrypted: true }]);
  if (text.length > 3)
    for (const l of net.log.slice(-50)) expect(l.wire.includes(text), 'sent in clear').toBe(false);
  expectNoErrors(t);
  return t;
}

function wireOf(events: PeerEvent[]): string[] {
  return events.flatMap((e) => (e.event === 'wire' ? [e.wire] : []));
}

const unicode = 'Grüße, 世界! Ωμέγα — emoji 🔐🙂 and RTL שלום, combining é, NBSP\u00a0end';

/** 10 KB of mixed text (multi-byte characters included). */
function bigBody(seed: string): string {
  let s = '';
  let i = 0;
  while (s.length < 10_240) s += `${seed} line ${i++}: ${unicode} ${'x'.repeat(i % 37)}\n`;
  return s.slice(0, 10_240);
}

export function defineScenarios(ka: PeerKind, kb: PeerKind): void {
  const title = `${ka} ↔ ${kb}`;
  const directions: [string, 'ab' | 'ba'][] = [
    [`${ka} starts`, 'ab'],
    [`${kb} starts`, 'ba'],
  ];
  const h = harness();
  afterEach(() => h.stop());
  afterAll(() => h.keys.cleanup());
  /** [initiator, responder] for a direction. */
  const ends = (p: Pair, d: 'ab' | 'ba'): [Peer, Peer] => (d === 'ab' ? [p.a, p.b] : [p.b, p.a]);

  describe(`${title}: AKE`, () => {
    for (const [name, d] of directions) {
      it(`by query, ${name}; messages both ways`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, x, y);
        await sendEncrypted(p.net, x, y, 'hello from the initiator');
        await sendEncrypted(p.net, y, x, 'hello from the responder');
        await sendEncrypted(p.net, x, y, 'and again');
      });

      it(`by whitespace tag, ${name}`, async () => {
        const p = await h.pair(ka, kb, { policy: 'opportunistic' }, { policy: 'opportunistic' });
        const [x, y] = ends(p, d);
        const t = await p.net.run(x, { op: 'send', peer: y.account, text: 'plain hello' });
        const first = p.net.log[0]!;
        expect(first.wire.startsWith('plain hello'), `the tag rides on the message:\n${t}`).toBe(true);
        expect(first.wire.includes(' \t  \t\t\t\t \t \t \t  '), 'whitespace tag').toBe(true);
        expect(messages(t, y), 'the tag is stripped before display').toEqual([
          { text: 'plain hello', encrypted: false },
        ]);
        expectEncrypted(t, x, y);
        expectNoErrors(t);
        await sendEncrypted(p.net, y, x, 'private now');
      });

      it(`by an OTR error message, ${name}`, async () => {
        const p = await h.pair(ka, kb, { policy: 'opportunistic' }, { policy: 'opportunistic' });
        const [x, y] = ends(p, d);
        // x receives an OTR error from y while in plaintext: ERROR_START_AKE makes x query y.
        const t = await p.net.inject(
          y.account,
          x.account,
          '?OTR Error: You sent encrypted data I could not read.',
        );
        expect(
          wireOf(t.of(x)).some((w) => /\?OTRv2?3?\?/.test(w)),
          `x answers with a query\n${t}`,
        ).toBe(true);
        expectEncrypted(t, x, y);
        await sendEncrypted(p.net, x, y, 'recovered');
      });
    }

    it('200 AKEs each way on one pair of processes, 0 failures', async () => {
      const p = await h.pair(ka, kb);
      const failures: string[] = [];
      const started = Date.now();
      for (let i = 0; i < 400; i++) {
        const [x, y] = i % 2 === 0 ? [p.a, p.b] : [p.b, p.a];
        const t = await p.net.run(x, { op: 'query', peer: y.account });
        const sx = lastState(t, x, y.account);
        const sy = lastState(t, y, x.account);
        if (sx?.state !== 'encrypted' || sy?.state !== 'encrypted' || t.errors().length > 0) {
          failures.push(`AKE ${i} (${x.label} started):\n${t}`);
        }
        const e = await p.net.run(x, { op: 'end', peer: y.account });
        if (lastState(e, y, x.account)?.state !== 'finished') failures.push(`end ${i}:\n${e}`);
        await p.net.run(y, { op: 'end', peer: x.account }); // back to plaintext on both sides
      }
      expect(failures.slice(0, 3), `${failures.length} failures`).toEqual([]);
      console.log(`${title}: 400 AKEs in ${Date.now() - started} ms`);
    });
  });

  describe(`${title}: messages`, () => {
    it('Unicode and 10 KB bodies, both ways', async () => {
      const p = await h.pair(ka, kb);
      await akeByQuery(p.net, p.a, p.b);
      await sendEncrypted(p.net, p.a, p.b, unicode);
      await sendEncrypted(p.net, p.b, p.a, unicode);
      await sendEncrypted(p.net, p.a, p.b, bigBody('alice'));
      await sendEncrypted(p.net, p.b, p.a, bigBody('bob'));
      for (let i = 0; i < 20; i++)
        await sendEncrypted(p.net, i % 3 ? p.a : p.b, i % 3 ? p.b : p.a, `n${i} ${unicode}`);
    });

    for (const limit of [100, 150, 300, 500, 1000]) {
      it(`fragmented at ${limit}: every line fits, messages arrive both ways`, async () => {
        const p = await h.pair(ka, kb, { maxMessage: limit }, { maxMessage: limit });
        await akeByQuery(p.net, p.a, p.b);
        await sendEncrypted(p.net, p.a, p.b, bigBody('a').slice(0, 3000));
        await sendEncrypted(p.net, p.b, p.a, bigBody('b').slice(0, 3000));
        const otrLines = p.net.log.filter((l) => /^\?OTR[:|,]/.test(l.wire));
        expect(otrLines.some((l) => l.wire.startsWith('?OTR|'))).toBe(true);
        for (const l of otrLines) expect(Buffer.byteLength(l.wire), l.wire).toBeLessThanOrEqual(limit);
      });
    }
  });

  describe(`${title}: sessions`, () => {
    for (const [name, d] of directions) {
      it(`end session, ${name} ends`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, p.a, p.b);
        const t = await p.net.run(x, { op: 'end', peer: y.account });
        expect(lastState(t, x, y.account)?.state, `${t}`).toBe('plaintext');
        expect(lastState(t, y, x.account)?.state, `${t}`).toBe('finished');
        // y may not send in the clear to a finished session
        const s = await p.net.run(y, { op: 'send', peer: x.account, text: 'are you there' });
        expect(messages(s, x), `${s}`).toEqual([]);
        expect(p.net.log.slice(-3).some((l) => l.wire.includes('are you there'))).toBe(false);
        // and a new AKE works from there
        await akeByQuery(p.net, y, x);
        await sendEncrypted(p.net, y, x, 'back again');
      });

      it(`extra symmetric key is equal on both sides, ${name} asks`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, p.a, p.b);
        const t = await p.net.run(x, { op: 'symkey', peer: y.account, use: 0x10203, usedata: 'cafe00ff' });
        const mine = t.kind(x, 'symkey');
        const theirs = t.kind(y, 'symkey');
        expect(mine.length, `${t}`).toBe(1);
        expect(theirs.length, `${t}`).toBe(1);
        expect(mine[0]!.key).toMatch(/^[0-9a-f]{64}$/);
        expect(theirs[0]!.key).toBe(mine[0]!.key);
        expect(theirs[0]!.use).toBe(0x10203);
        expect(theirs[0]!.usedata).toBe('cafe00ff');
      });

      it(`first message held under REQUIRE_ENCRYPTION and delivered encrypted, ${name} requires`, async () => {
        const [ox, oy]: [PeerOptions, PeerOptions] = [{ policy: 'always' }, { policy: 'opportunistic' }];
        const p = await h.pair(ka, kb, d === 'ab' ? ox : oy, d === 'ab' ? oy : ox);
        const [x, y] = ends(p, d);
        const secret = 'held until private: Grüße 🔐';
        const t = await p.net.run(x, { op: 'send', peer: y.account, text: secret });
        for (const l of p.net.log) expect(l.wire.includes(secret), `sent in clear: ${l.wire}`).toBe(false);
        expectEncrypted(t, x, y);
        expect(messages(t, y), `${t}`).toEqual([{ text: secret, encrypted: true }]);
      });
    }

    it('v2-only peer (--versions 2): AKE and messages in OTR v2, both starting', async () => {
      const v2kind = kb === 'libotr' ? kb : ka; // the v2-only side is libotr when there is one
      const other = v2kind === kb ? ka : kb;
      // both fragment: the v2 side must see v2 fragments (?OTR,k,n,…) from the v3-capable side too
      const p = await h.pair(other, v2kind, { maxMessage: 300 }, { versions: '2', maxMessage: 300 });
      await akeByQuery(p.net, p.a, p.b, 2);
      await sendEncrypted(p.net, p.a, p.b, `v2 ${unicode}`);
      await sendEncrypted(p.net, p.b, p.a, bigBody('v2').slice(0, 1500));
      for (const x of [p.a, p.b]) {
        const lines = p.net.log.filter((l) => l.fromLabel === x.label).map((l) => l.wire);
        expect(
          lines.some((w) => w.startsWith('?OTR,')),
          `${x.label} sends v2 fragments`,
        ).toBe(true);
        expect(
          lines.filter((w) => w.startsWith('?OTR|')),
          `${x.label} sends no v3 fragments`,
        ).toEqual([]);
      }
      await p.net.run(p.a, { op: 'end', peer: 'bob' });
      await p.net.run(p.b, { op: 'end', peer: 'alice' });
      await akeByQuery(p.net, p.b, p.a, 2);
      await sendEncrypted(p.net, p.a, p.b, 'v2 again');
    });

    it('two instances of the same buddy at once', async () => {
      const twinKind = kb === 'libotr' ? kb : ka;
      const soloKind = twinKind === kb ? ka : kb;
      const a = await h.start(soloKind, { account: 'alice' });
      const b1 = await h.start(twinKind, { account: 'bob', label: `${twinKind}:bob#1` });
      const b2 = await h.start(twinKind, {
        account: 'bob',
        key: h.keys.file('bob2.key'),
        label: `${twinKind}:bob#2`,
      });
      const net = new Network().join(a, b1, b2);
      const t = await net.run(a, { op: 'query', peer: 'bob' });
      expect(lastState(t, b1, 'alice')?.state, `${t}`).toBe('encrypted');
      expect(lastState(t, b2, 'alice')?.state, `${t}`).toBe('encrypted');
      const aStates = t.kind(a, 'state').filter((s) => s.state === 'encrypted');
      expect(new Set(aStates.map((s) => s.fingerprint))).toEqual(new Set([b1.fingerprint, b2.fingerprint]));
      expectNoErrors(t);
      // each instance's messages reach alice, decrypted
      for (const [bi, text] of [
        [b1, 'from bob at home'],
        [b2, 'from bob at work'],
      ] as const) {
        const s = await net.run(bi, { op: 'send', peer: 'alice', text });
        expect(messages(s, a), `${s}`).toEqual([{ text, encrypted: true }]);
      }
      // alice's message is read by exactly one instance (the one she talks to), ignored by the other
      const s = await net.run(a, { op: 'send', peer: 'bob', text: 'to one bob' });
      const got = [...messages(s, b1), ...messages(s, b2)];
      expect(got, `${s}`).toEqual([{ text: 'to one bob', encrypted: true }]);
      expectNoErrors(s);
    });
  });

  describe(`${title}: SMP`, () => {
    for (const [name, d] of directions) {
      it(`same secret succeeds on both sides, ${name} asks`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, p.a, p.b);
        const t1 = await p.net.run(x, { op: 'smp', peer: y.account, secret: 'correct horse' });
        expect(
          t1.kind(y, 'smp').map((e) => e.result),
          `${t1}`,
        ).toEqual(['question']);
        const t2 = await p.net.run(y, { op: 'smp-answer', peer: x.account, secret: 'correct horse' });
        expect(
          t2.kind(x, 'smp').map((e) => e.result),
          `${t2}`,
        ).toEqual(['succeeded']);
        expect(
          t2.kind(y, 'smp').map((e) => e.result),
          `${t2}`,
        ).toEqual(['succeeded']);
        // a shared secret (no question) verifies both ways
        expect(lastState(t2, x, y.account)?.trusted, `the asker trusts the answerer\n${t2}`).toBe(true);
        expect(lastState(t2, y, x.account)?.trusted, `the answerer trusts the asker\n${t2}`).toBe(true);
        await sendEncrypted(p.net, x, y, 'verified');
      });

      it(`different secret fails on both sides, ${name} asks`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, p.a, p.b);
        await p.net.run(x, { op: 'smp', peer: y.account, secret: 'Secret' });
        const t = await p.net.run(y, { op: 'smp-answer', peer: x.account, secret: 'secret' });
        expect(
          t.kind(x, 'smp').map((e) => e.result),
          `${t}`,
        ).toEqual(['failed']);
        expect(
          t.kind(y, 'smp').map((e) => e.result),
          `${t}`,
        ).toEqual(['failed']);
        expect(lastState(t, x, y.account)?.trusted ?? false).toBe(false);
        await sendEncrypted(p.net, y, x, 'still private');
      });

      it(`question with Unicode arrives intact, ${name} asks`, async () => {
        const p = await h.pair(ka, kb);
        const [x, y] = ends(p, d);
        await akeByQuery(p.net, p.a, p.b);
        const question = 'Wo haben wir uns getroffen? 🍵 «café»';
        const t1 = await p.net.run(x, { op: 'smp', peer: y.account, secret: 'Zürich', question });
        expect(t1.kind(y, 'smp'), `${t1}`).toEqual([
          { event: 'smp', peer: x.account, result: 'question', question },
        ]);
        const t2 = await p.net.run(y, { op: 'smp-answer', peer: x.account, secret: 'Zürich' });
        expect(t2.kind(x, 'smp').map((e) => e.result)).toEqual(['succeeded']);
        expect(t2.kind(y, 'smp').map((e) => e.result)).toEqual(['succeeded']);
        // libotr's one-way rule: the asker trusts the answerer; the answerer does not trust the asker
        expect(lastState(t2, x, y.account)?.trusted, `${t2}`).toBe(true);
        const yState = lastState(t2, y, x.account);
        expect(yState?.trusted ?? false, `${t2}`).toBe(false);
      });

      for (const aborter of ['asker', 'answerer'] as const) {
        it(`aborted mid-run by the ${aborter}, then redone, ${name} asks`, async () => {
          const p = await h.pair(ka, kb);
          const [x, y] = ends(p, d);
          await akeByQuery(p.net, p.a, p.b);
          await p.net.run(x, { op: 'smp', peer: y.account, secret: 'first try' });
          const [ab, other] = aborter === 'asker' ? [x, y] : [y, x];
          const t = await p.net.run(ab, { op: 'smp-abort', peer: other.account });
          expect(
            t.kind(other, 'smp').map((e) => e.result),
            `${t}`,
          ).toEqual(['aborted']);
          await p.net.run(x, { op: 'smp', peer: y.account, secret: 'second try' });
          const t2 = await p.net.run(y, { op: 'smp-answer', peer: x.account, secret: 'second try' });
          expect(
            t2.kind(x, 'smp').map((e) => e.result),
            `${t2}`,
          ).toEqual(['succeeded']);
          expect(
            t2.kind(y, 'smp').map((e) => e.result),
            `${t2}`,
          ).toEqual(['succeeded']);
        });
      }
    }
  });

  describe(`${title}: robustness`, () => {
    it('a malformed input line gets an error event, never a crash', async () => {
      const p = await h.pair(ka, kb);
      for (const bad of [
        'not json',
        '{"op":"send"}',
        '{"op":"nope","peer":"bob"}',
        '[1,2]',
        '{"op":"send","peer":"bob","text":{}}',
      ]) {
        for (const peer of [p.a, p.b]) {
          const ev = await peer.raw(bad);
          expect(
            ev.some((e) => e.event === 'error'),
            `${peer.label} on ${bad}`,
          ).toBe(true);
          expect(peer.alive).toBe(true);
        }
      }
      await akeByQuery(p.net, p.a, p.b);
    });

    it('garbage and truncated OTR lines are rejected without breaking the session', async () => {
      const p = await h.pair(ka, kb);
      await akeByQuery(p.net, p.a, p.b);
      const t = await p.net.run(p.a, { op: 'send', peer: 'bob', text: 'x' });
      expect(messages(t, p.b)).toHaveLength(1);
      const data = p.net.log[p.net.log.length - 1]!.wire;
      for (const bad of [
        `${data.slice(0, data.length - 20)}.`,
        '?OTR:AAMD.',
        '?OTR:!!!!.',
        `${data.slice(0, 30)}A${data.slice(31)}`,
      ]) {
        const r = await p.net.inject('alice', 'bob', bad);
        expect(messages(r, p.b).filter((m) => m.encrypted)).toEqual([]);
      }
      await sendEncrypted(p.net, p.a, p.b, 'still fine');
      await sendEncrypted(p.net, p.b, p.a, 'still fine back');
    });
  });

  describe(`${title}: otr_parse accepts every kind of wire message`, () => {
    it('query, D-H commit/key, reveal signature, signature, data, v3 and v2 fragments', async () => {
      for (const versions of ['2,3', '2']) {
        const p = await h.pair(ka, kb, { maxMessage: 250, versions }, { maxMessage: 250, versions });
        await akeByQuery(p.net, p.a, p.b, versions === '2' ? 2 : 3);
        await sendEncrypted(p.net, p.a, p.b, 'short');
        await sendEncrypted(p.net, p.b, p.a, bigBody('p').slice(0, 800));
        await p.net.run(p.a, { op: 'smp', peer: 'bob', secret: 's' });
        await p.net.run(p.b, { op: 'smp-answer', peer: 'alice', secret: 's' });
        await p.net.run(p.a, { op: 'end', peer: 'bob' });
        for (const sender of [p.a, p.b]) {
          const lines = p.net.log.filter((l) => l.fromLabel === sender.label).map((l) => l.wire);
          const parsed = otrParse(lines);
          const bad = parsed.filter((r) => !r.ok);
          expect(bad, `${sender.label} v${versions}`).toEqual([]);
          const kinds = new Set(parsed.map((r) => r.kind));
          const fragVersions = new Set(parsed.flatMap((r) => (r.fragmentVersion ? [r.fragmentVersion] : [])));
          expect(kinds.has('data')).toBe(true);
          expect(fragVersions).toEqual(new Set([versions === '2' ? 2 : 3]));
          const version = versions === '2' ? '02' : '03';
          for (const r of parsed.filter((x) => x.parser === 'otr_parse'))
            expect(r.fields.Version).toBe(version);
          if (sender === p.a) {
            expect([...kinds].sort()).toEqual(['data', 'dh-key', 'query', 'signature'].sort());
          } else {
            expect([...kinds].sort()).toEqual(['data', 'dh-commit', 'reveal-signature'].sort());
          }
        }
        await h.stop();
      }
    });
  });
}
