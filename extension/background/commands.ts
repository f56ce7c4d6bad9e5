// The keyboard commands (manifest "commands"): "Go private" in the active tab's chat, the same as
// the popup's "Start private conversation". It only turns private mode ON; ending it takes the
// popup, where the page cannot draw (I6). "Lock offrecord" locks the keys now (issue 18).

export const GO_PRIVATE_COMMAND = 'go-private';
export const LOCK_COMMAND = 'lock-now';

export interface CommandDeps {
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
    const tabId = typeof tab?.id === 'number' && tab.id >= 0 ? tab.id : await deps.activeTabId();
    if (tabId === null) return;
    try {
      await deps.goPrivate(tabId);
    } catch (e) {
      // No chat in that tab, or one that refuses private mode: the popup says why.
      deps.logError(e);
    }
  };
}
