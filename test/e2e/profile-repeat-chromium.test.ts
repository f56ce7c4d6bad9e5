/**
 * A site profile without row ids or order (the virtual chat, read through the profile the picker
 * makes of it, its order left out): Go private, End, Go private again. The second Go private's Query is the same line as the
 * first (`?OTRv23?` from the same sender); read by sender and text alone it was taken as the first
 * one, already seen, and the buddy never answered. Both times the chat must become private on
 * both sides, and the relay carries the Query twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeProfile } from '../../src/profile/profile.js';
import { startVirtualChat, type VirtualChat } from '../fixtures/virtualchat/server.js';
import { virtualChat } from '../unit/profile/virtual-chat.js';
import { waitFor } from './lib/ngircd.js';
import { openVirtualPerson } from './lib/virtualchat.js';
import { endPrivate, goPrivate, type Person, pageRequest, waitForStatus } from './lounge-private-helpers.js';

interface Status {
  conversation: { kind: string; peer: string | null } | null;
  page: { adapter: string | null } | null;
}

async function withProfile(p: Person, chat: VirtualChat, peer: string): Promise<void> {
  // Neither ids nor an order (the picker reads data-index as the order; left out here): rows are
  // known by sender and text alone.
  const { orderAttribute, ...profile } = virtualChat().profile;
  expect(orderAttribute).toBe('data-index');
  expect(profile.idAttribute).toBeUndefined();
  await pageRequest(p, { type: 'profile-import', text: serializeProfile({ ...profile, site: chat.origin }) });
  await waitFor(
    `${p.nick} in a one-to-one chat with ${peer}`,
    async () => {
      const s = (await pageRequest(p, { type: 'status', tabId: p.tabId })) as Status;
      return s.page?.adapter === 'profile' && s.conversation?.peer === peer ? true : undefined;
    },
    30_000,
    150,
  );
}

describe('a site profile without row ids (Chromium, virtual chat)', () => {
  let chat: VirtualChat;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    chat = await startVirtualChat();
    chat.post('bob', 'alice', 'hi alice');
    chat.post('alice', 'bob', 'hello bob');
    [alice, bob] = await Promise.all([
      openVirtualPerson(chat, 'alice', 'bob'),
      openVirtualPerson(chat, 'bob', 'alice'),
    ]);
    await Promise.all([withProfile(alice, chat, 'bob'), withProfile(bob, chat, 'alice')]);
  }, 120_000);

  afterAll(async () => {
    await alice?.close();
    await bob?.close();
    await chat?.close();
  });

  it('Go private, End, Go private again: private both times (the same Query line twice is two Queries)', async () => {
    const queries = () => chat.lines().filter((l) => l.from === 'alice' && l.text.startsWith('?OTRv'));
    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);
    expect(queries()).toHaveLength(1);

    await endPrivate(alice);
    await waitForStatus(alice.page, ['not-private', 'finished'], 30_000);
    await waitForStatus(bob.page, 'finished', 30_000);

    await goPrivate(alice);
    await waitForStatus(alice.page, ['unverified', 'private'], 60_000);
    await waitForStatus(bob.page, ['unverified', 'private'], 60_000);
    const sent = queries();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.text).toBe(sent[0]?.text);
  }, 180_000);
});
