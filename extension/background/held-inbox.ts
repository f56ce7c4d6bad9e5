// Buddies' messages that arrived while the keys were locked (issue 18): an OTR query, a D-H
// commit, data messages. The engine cannot run without the private key, so they wait here, in
// arrival order, in storage.session (memory only; they survive the worker being stopped), and
// are fed to the SessionManager after the unlock. Nothing is answered meanwhile, so nothing goes
// out in clear. Bounded (I8): a page cannot fill storage by chatting at a locked offrecord.

import { storedBytes } from '../../src/store/budgets';
import { conversationId } from '../../src/store/conversation-id';
import type { StorageAreaLike } from '../../src/store/session-storage';
import { LIMITS } from '../shared/messages';
import type { ConversationRef } from './session-manager';

export const HELD_KEY = 'lock:held';
/**
 * Bytes the held inbox may take in storage.session (storedBytes, as the browsers count them; the
 * count is LIMITS.heldWhileLocked). Counted in bytes, not characters: a character can take up to
 * 6 bytes of JSON. Beside the session store's own budget (BUDGETS.total) and the tab table's.
 */
export const HELD_MAX_BYTES = 512 * 1024;

export interface HeldMessage {
  tabId: number;
  ref: ConversationRef;
  msg: { id: string; text: string };
  at: number;
}

export class HeldInbox {
  /**
   * Known empty: nothing is read while so (every chat row asks). Only this class writes the inbox,
   * so it cannot fill behind our back; a new worker starts not knowing, and reads once.
   */
  private empty = false;

  constructor(private readonly area: StorageAreaLike) {}

  async all(): Promise<HeldMessage[]> {
    if (this.empty) return [];
    const v = (await this.area.get(HELD_KEY))[HELD_KEY];
    const list = Array.isArray(v) ? (v as HeldMessage[]) : [];
    this.empty = list.length === 0;
    return list;
  }

  async count(): Promise<number> {
    return (await this.all()).length;
  }

  /** Whether a message of this conversation already waits (later ones must wait behind it). */
  async has(conversation: (r: ConversationRef) => boolean): Promise<boolean> {
    return (await this.all()).some((h) => conversation(h.ref));
  }

  /**
   * Holds one message; false when the inbox is full (the message is dropped, not answered). One
   * held already (the same conversation, id and text: the page showed it again) is held once.
   */
  async add(h: HeldMessage): Promise<boolean> {
    const list = await this.all();
    const conv = conversationId(h.ref);
    if (
      list.some((o) => o.msg.id === h.msg.id && o.msg.text === h.msg.text && conversationId(o.ref) === conv)
    )
      return true;
    if (list.length >= LIMITS.heldWhileLocked) return false;
    list.push(h);
    if (storedBytes(HELD_KEY, list) > HELD_MAX_BYTES) return false;
    await this.area.set({ [HELD_KEY]: list });
    this.empty = false;
    return true;
  }

  /** The oldest held message, left in place until `shift` (a worker stopped meanwhile loses none). */
  async first(): Promise<HeldMessage | null> {
    return (await this.all())[0] ?? null;
  }

  async shift(): Promise<void> {
    const list = await this.all();
    list.shift();
    if (list.length > 0) await this.area.set({ [HELD_KEY]: list });
    else {
      await this.area.remove(HELD_KEY);
      this.empty = true;
    }
  }

  async clear(): Promise<void> {
    await this.area.remove(HELD_KEY);
    this.empty = true;
  }
}
