import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GO_PRIVATE_COMMAND, LOCK_COMMAND, onCommand } from '../../../extension/background/commands';

function fake(active: number | null, fail = false) {
  const calls: number[] = [];
  const opened: number[] = [];
  const errors: unknown[] = [];
  const locks: number[] = [];
  const handler = onCommand({
    openPanel: (tabId) => opened.push(tabId),
    goPrivate: async (tabId) => {
      calls.push(tabId);
      if (fail) throw new Error('no chat here');
    },
    lockNow: async () => {
      locks.push(1);
    },
    activeTabId: async () => active,
    logError: (e) => errors.push(e),
  });
  return { calls, opened, errors, locks, handler };
}

describe('the "go private" keyboard command', () => {
  it('is declared in the manifest with a shortcut', () => {
    const m = JSON.parse(readFileSync('manifest.json', 'utf8'));
    expect(m.commands[GO_PRIVATE_COMMAND].suggested_key.default).toBe('Alt+Shift+O');
  });
  it('goes private in the tab the browser names, else the active tab', async () => {
    const f = fake(9);
    await f.handler(GO_PRIVATE_COMMAND, { id: 4 });
    await f.handler(GO_PRIVATE_COMMAND);
    expect(f.calls).toEqual([4, 9]);
  });
  it('opens the panel before anything awaits (inside the gesture), then goes private', async () => {
    const f = fake(9);
    const pending = f.handler(GO_PRIVATE_COMMAND, { id: 4 });
    // Synchronously, before the handler's first await: the browser's gesture is still on.
    expect(f.opened).toEqual([4]);
    await pending;
    expect(f.calls).toEqual([4]);
  });
  it('ignores other commands and tabs it cannot name; a refusal is logged, not thrown', async () => {
    const f = fake(null, true);
    await f.handler('something-else', { id: 1 });
    await f.handler(GO_PRIVATE_COMMAND);
    expect(f.calls).toEqual([]);
    await f.handler(GO_PRIVATE_COMMAND, { id: 2 });
    expect(f.calls).toEqual([2]);
    expect(f.errors).toHaveLength(1);
  });
  it('"Lock offrecord" is declared with its own shortcut and locks, whatever the tab', async () => {
    const m = JSON.parse(readFileSync('manifest.json', 'utf8'));
    expect(m.commands[LOCK_COMMAND].suggested_key.default).toBe('Alt+Shift+L');
    const f = fake(null);
    await f.handler(LOCK_COMMAND);
    expect(f.locks).toEqual([1]);
    expect(f.calls).toEqual([]);
  });
});
