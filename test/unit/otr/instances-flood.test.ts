/**
 * The chat can make up instance tags at will. Filling every instance slot with fake D-H Commits
 * must not lock out a real new client of the buddy; private instances are never evicted.
 */
import { describe, expect, it } from 'vitest';
import { armor, encodeDhCommit } from '../../../src/otr/messages';
import { connect, party, say, texts } from './helpers';

function fakeCommit(tag: number): string {
  const hashed = new Uint8Array(32).fill(tag & 255);
  return armor(
    encodeDhCommit({ version: 3, type: 2, senderTag: tag, receiverTag: 0 }, new Uint8Array(196), hashed),
  );
}

describe('instance flood', () => {
  it('a real client of the buddy still gets private after 100 fake instances', () => {
    const alice = party('alice', 1);
    const bob = party('bob', 2);
    for (let i = 0; i < 100; i++) alice.session.receive(fakeCommit(0x5000_0000 + i));
    expect(alice.session.instanceTags.length).toBeLessThanOrEqual(64);
    connect(bob.session, alice.session);
    expect(texts(say(bob.session, alice.session, 'still reachable'))).toEqual(['still reachable']);
  });

  it('never evicts a private instance', () => {
    const alice = party('alice', 3);
    const bob = party('bob', 4);
    connect(bob.session, alice.session);
    for (let i = 0; i < 200; i++) alice.session.receive(fakeCommit(0x6000_0000 + i));
    expect(alice.session.instanceTags).toContain(bob.opts.instanceTag);
    expect(alice.session.status.state).toBe('encrypted');
    expect(texts(say(alice.session, bob.session, 'kept'))).toEqual(['kept']);
  });
});
