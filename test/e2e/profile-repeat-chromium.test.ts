/**
 * A site profile without row ids or order (the virtual chat, read through the profile the picker
 * makes of it, its order left out): Go private, End, Go private again. The second Go private's Query is the same line as the
 * first (`?OTRv23?` from the same sender); read by sender and text alone it was taken as the first
 * one, already seen, and the buddy never answered. Both times the chat must become private on
 * both sides, and the relay carries the Query twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVirtualChat, type VirtualChat } from '../fixtures/virtualchat/server.js';
import { virtualChat } from '../unit/profile/virtual-chat.js';
import { openVirtualPair } from './lib/virtualchat.js';
import { endPrivate, goPrivate, type Person, waitForStatus } from './lounge-private-helpers.js';

/** The virtual chat's profile with neither ids nor an order: rows known by sender and text alone. */
function profileWithoutIds() {
  // The picker reads data-index as the order; left out here.
  const { orderAttribute, ...profile } = virtualChat().profile;
  expect(orderAttribute).toBe('data-index');
  expect(profile.idAttribute).toBeUndefined();
  return profile;
}

describe('a site profile without row ids (Chromium, virtual chat)', () => {
  let chat: VirtualChat;
  let alice: Person;
  let bob: Person;

  beforeAll(async () => {
    chat = await startVirtualChat();
    [alice, bob] = await openVirtualPair(chat, profileWithoutIds());
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
