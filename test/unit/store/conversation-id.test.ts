// A conversation id is made and read in one module (the store's chunk keys, the panic wipe's
// conversations and the key replacement all go through it): what it makes it reads back, and
// anything else is no conversation, never an exception or a half-read one.

import { describe, expect, it } from 'vitest';
import { conversationId, parseConversationId } from '../../../src/store/conversation-id';

describe('conversation ids', () => {
  it('reads back what it made, whatever characters the page put into the names', () => {
    const parts = {
      site: 'https://chat.example',
      account: 'me@net',
      protocol: 'irc',
      peer: 'b"o\\b\u0000\u{1f600}',
    };
    expect(parseConversationId(conversationId(parts))).toEqual(parts);
  });

  it('refuses anything it did not make', () => {
    for (const bad of [
      '',
      'conv:',
      'conv:not json',
      'conv:["a","b","c"]',
      'conv:["a","b","c","d","e"]',
      'conv:["a","b","c",4]',
      'conv:{"site":"a"}',
      'tabs',
      '["a","b","c","d"]',
    ])
      expect(parseConversationId(bad)).toBeNull();
  });
});
