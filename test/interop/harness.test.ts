/**
 * The harness judges others, so it is tested too: otr_parse must refuse what libotr refuses, the
 * fragment checker must catch broken sequences, transforms must really change what is delivered.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { drop, duplicate, Network, reverse, splitLines } from './lib/network';
import { otrParse, reassemble } from './lib/otr-parse';
import { akeByQuery, harness, lastState, messages, sendEncrypted } from './lib/scenarios';

const h = harness();
afterEach(() => h.stop());
afterAll(() => h.keys.cleanup());

describe('otr_parse judge', () => {
  it('accepts libotr’s own messages and refuses damaged ones', async () => {
    const p = await h.pair('libotr', 'libotr');
    await akeByQuery(p.net, p.a, p.b);
    await sendEncrypted(p.net, p.a, p.b, 'judge me');
    const lines = p.net.log.map((l) => l.wire);
    const good = otrParse(lines);
    expect(good.every((r) => r.ok)).toBe(true);
    const data = lines.filter((l) => l.startsWith('?OTR:AAMD'));
    expect(data.length).toBeGreaterThan(0);
    const commit = good.find((r) => r.kind === 'dh-commit')!;
    const truncatedCommit = `${commit.wire.slice(0, 60)}.`;
    const bad = otrParse([truncatedCommit, `${data[0]!.slice(0, -12)}.`, '?OTR:AAMZAAAA.']);
    expect(bad.map((r) => [r.kind, r.ok])).toEqual([
      ['dh-commit', false],
      ['data', false],
      ['unrecognized', false],
    ]);
    expect(bad[0]!.heading).toBe('Invalid D-H Commit Message');
  });

  it('reassembles v3 and v2 fragments and flags broken sequences', () => {
    const v3 = ['?OTR|0000abcd|00001234,00001,00002,?OTR:AAMD,', '?OTR|0000abcd|00001234,00002,00002,AAAA.,'];
    expect(reassemble(v3)).toEqual([
      { wire: '?OTR:AAMDAAAA.', fragments: 2, fragmentVersion: 3, problems: [] },
    ]);
    expect(reassemble(['?OTR,1,2,?OTR:AAID,', '?OTR,2,2,AAAA.,'])[0]!.wire).toBe('?OTR:AAIDAAAA.');
    expect(reassemble([v3[1]!, v3[0]!]).flatMap((u) => u.problems)).toEqual([
      'fragment out of sequence',
      'incomplete: 1 of 2 fragments',
    ]);
    const otherTags = v3[1]!.replace('0000abcd', '0000abce');
    expect(reassemble([v3[0]!, otherTags]).flatMap((u) => u.problems)).toContain('fragment out of sequence');
    expect(
      otrParse(['?OTRv23? hello', '?OTR Error: x', 'hi \t  \t\t\t\t \t \t \t    \t\t  \t\t', 'plain']),
    ).toMatchObject([
      { kind: 'query', ok: true, parser: 'none' },
      { kind: 'error', ok: true },
      { kind: 'tagged-plaintext', ok: true },
      { kind: 'not-otr', ok: false },
    ]);
  });
});

describe('relay', () => {
  it('a dropped D-H Key leaves both sides unencrypted; without the transform the AKE completes', async () => {
    const p = await h.pair('libotr', 'libotr');
    p.net.transform = drop((l) => l.wire.startsWith('?OTR:AAMK'));
    const t = await p.net.run(p.a, { op: 'query', peer: 'bob' });
    expect(lastState(t, p.a, 'bob')).toBeUndefined();
    expect(lastState(t, p.b, 'alice')).toBeUndefined();
    expect(p.net.log.some((l) => l.wire.startsWith('?OTR:AAMK'))).toBe(false);
    p.net.transform = null;
    await akeByQuery(p.net, p.a, p.b);
  });

  it('fragments delivered in reverse do not decrypt; the session survives', async () => {
    const p = await h.pair('libotr', 'libotr', { maxMessage: 120 }, { maxMessage: 120 });
    await akeByQuery(p.net, p.a, p.b);
    p.net.transform = reverse();
    const r = await p.net.run(p.a, { op: 'send', peer: 'bob', text: 'reversed fragments' });
    expect(messages(r, p.b)).toEqual([]);
    p.net.transform = null;
    await sendEncrypted(p.net, p.a, p.b, 'in order again');
  });

  it('a duplicated data message is shown once', async () => {
    const p = await h.pair('libotr', 'libotr');
    await akeByQuery(p.net, p.a, p.b);
    p.net.transform = duplicate((l) => l.wire.startsWith('?OTR:AAMD'));
    const from = p.net.log.length;
    const d = await p.net.run(p.a, { op: 'send', peer: 'bob', text: 'said once' });
    const data = p.net.log[from]!.wire;
    expect(data.startsWith('?OTR:AAMD')).toBe(true);
    expect(p.net.log.filter((l) => l.wire === data)).toHaveLength(2);
    // libotr shows it once and calls the copy unreadable (which makes alice re-key)
    expect(messages(d, p.b), `${d}`).toEqual([{ text: 'said once', encrypted: true }]);
  });

  it('splitLines cuts long lines at the limit (as a chat server would) and records every line', async () => {
    const p = await h.pair('libotr', 'libotr');
    p.net.transform = splitLines(50);
    await p.net.run(p.a, { op: 'send', peer: 'bob', text: 'x'.repeat(120) });
    // 120 characters + the 32-character whitespace tag (base, v2, v3)
    expect(p.net.log.slice(0, 4).map((l) => [...l.wire].length)).toEqual([50, 50, 50, 2]);
    expect(p.net.log.every((l) => [...l.wire].length <= 50)).toBe(true);
    expect(p.net.log.slice(0, 4).every((l) => l.deliveredTo.join() === 'libotr:bob')).toBe(true);
  });

  it('delivers to every process logged in as the addressed account, and to no one else', async () => {
    const a = await h.start('libotr', { account: 'alice' });
    const b1 = await h.start('libotr', { account: 'bob', label: 'bob#1' });
    const b2 = await h.start('libotr', { account: 'bob', key: h.keys.file('bob2.key'), label: 'bob#2' });
    const c = await h.start('libotr', { account: 'carol' });
    const net = new Network().join(a, b1, b2, c);
    const t = await net.run(a, { op: 'send', peer: 'bob', text: 'hello bobs' });
    expect(net.log[0]!.deliveredTo).toEqual(['bob#1', 'bob#2']);
    expect(t.of(c)).toEqual([]);
  });
});
