// What the virtualized-list suites (virtual-list-chromium, virtual-list-firefox) share, whatever
// drives the browser: the chat's history, and how far the list is from a scroll position.
import type { EditorChat } from '../../fixtures/editors/server';

/** Posts `n` history lines, bob and alice in turn ("history 1 from bob", "history 2 from alice"…). */
export function postHistory(chat: EditorChat, n: number): void {
  for (let i = 1; i <= n; i++) {
    const [from, to] = i % 2 ? ['bob', 'alice'] : ['alice', 'bob'];
    chat.post(from as string, to as string, `history ${i} from ${from}`);
  }
}

/**
 * Run in the page: how many pixels the fixture's list must scroll to stand at `fraction` of its
 * height (0 top, 1 bottom). Self-contained (the drivers serialize it into the page).
 */
export function scrollDelta(fraction: number): number {
  const s = (globalThis as unknown as { __fixture: { scroller(): HTMLElement } }).__fixture.scroller();
  return Math.round((s.scrollHeight - s.clientHeight) * fraction) - s.scrollTop;
}
