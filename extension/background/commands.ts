// The keyboard commands (manifest "commands"): "Go private" in the active tab's chat, the same as
// the popup's "Start private conversation": it opens the side panel (first thing in the handler:
// the browser allows that only inside the command's user gesture) and starts the AKE. It only
// turns private mode ON; ending it takes the panel or the popup, where the page cannot draw (I6).
// "Lock offrecord" locks the keys now (issue 18).

export const GO_PRIVATE_COMMAND = 'go-private';
export const LOCK_COMMAND = 'lock-now';

export interface CommandDeps {
  /** Opens the panel for the tab; called synchronously, before anything awaits. */
  openPanel(tabId: number): void;
  goPrivate(tabId: number): Promise<unknown>;
  lockNow(): Promise<unknown>;
  activeTabId(): Promise<number | null>;
  logError(e: unknown): void;
}

export function onCommand(deps: CommandDeps) {
  return async (command: string, tab?: { id?: number }): Promise<void> => {
    if (command === LOCK_COMMAND) {
      await deps.lockNow().catch((e: unknown) => deps.logError(e));
      return;
    }
    if (command !== GO_PRIVATE_COMMAND) return;
    const given = typeof tab?.id === 'number' && tab.id >= 0 ? tab.id : null;
    if (given !== null) deps.openPanel(given);
    const tabId = given ?? (await deps.activeTabId());
    if (tabId === null) return;
    // Without the tab in the event (older browsers) the gesture is gone by now; try anyway.
    if (given === null) deps.openPanel(tabId);
    try {
      await deps.goPrivate(tabId);
    } catch (e) {
      // No chat in that tab, or one that refuses private mode: the popup says why.
      deps.logError(e);
    }
  };
}
