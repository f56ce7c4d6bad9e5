/**
 * A conversation's id, the key of its state record in the SessionStore: `conv:` and the JSON of
 * [site, account, protocol, peer]. Made and read here only; everything else passes the parts or
 * the id on, never parses it again.
 */

/** Who a conversation is between: the chat site's origin, our account there, the buddy. */
export interface ConversationParts {
  site: string;
  account: string;
  protocol: string;
  peer: string;
}

export const CONVERSATION_ID_PREFIX = 'conv:';

export function conversationId(c: ConversationParts): string {
  return `${CONVERSATION_ID_PREFIX}${JSON.stringify([c.site, c.account, c.protocol, c.peer])}`;
}

/** The parts an id names; null for anything not made by conversationId. */
export function parseConversationId(id: string): ConversationParts | null {
  if (!id.startsWith(CONVERSATION_ID_PREFIX)) return null;
  let v: unknown;
  try {
    v = JSON.parse(id.slice(CONVERSATION_ID_PREFIX.length));
  } catch {
    return null;
  }
  if (!Array.isArray(v) || v.length !== 4 || !v.every((x) => typeof x === 'string')) return null;
  const [site, account, protocol, peer] = v as [string, string, string, string];
  return { site, account, protocol, peer };
}
