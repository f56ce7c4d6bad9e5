// Reading what the hostile chat page (test/fixtures/pages/hostile-chat.html) recorded, and driving
// its attacks, in any browser: `run` evaluates a JS expression in the page's main world (Playwright
// page.evaluate, puppeteer page.evaluate).

export type RunInPage = <T>(expression: string) => Promise<T>;

export interface HostileRecord {
  texts: string[];
  keys: string;
  keyEvents: { type: string; key: string | null; data: string | null; target: string }[];
  events: number;
  focusCalls: number;
  attacks: string[];
  /** Trusted blur events of the page's window. */
  blurs: number;
  removed?: number;
}

/** Everything the page recorded so far (after one more sweep of the DOM). */
export function hostileRecord(run: RunInPage): Promise<HostileRecord> {
  return run<HostileRecord>(`(() => {
    window.__hostileSweep();
    const r = window.__hostile;
    return JSON.parse(JSON.stringify(r));
  })()`);
}

/**
 * The secrets found in the record, whole or by a distinctive part (their first 10 characters
 * anywhere, or their last 8 among the keys): a few leaked keystrokes or a cut line count.
 */
export function leaks(r: HostileRecord, secrets: string[]): string[] {
  const all = `${r.texts.join('\n')}\n${r.keys}`;
  return secrets.filter(
    (s) => all.includes(s) || all.includes(s.slice(0, 10)) || r.keys.includes(s.slice(-8)),
  );
}

export function startAttack(run: RunInPage, name: string): Promise<unknown> {
  return run(`(window.__attacks.start(${JSON.stringify(name)}), true)`);
}

export function stopAttacks(run: RunInPage): Promise<unknown> {
  return run('(window.__attacks.stopAll(), true)');
}

/** The attacks that move focus, layout or the top layer: each runs alone while the user types. */
export const TYPING_ATTACKS = [
  'focus-blur',
  'focus-timer',
  'lookalike',
  'move-target',
  'invisible-modal',
  'remove-overlay',
] as const;
