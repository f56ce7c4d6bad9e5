// The line under a section that says what the last action did (role=status) or why it failed
// (role=alert), and the small helpers every section uses.

import { t } from '../../shared/i18n';

export type Said = { ok: boolean; msg: string } | null;

export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function when(ms: number): string {
  return ms > 0 ? new Date(ms).toLocaleString() : t('never');
}

/** A line that says what the last action did (role=status) or why it failed (role=alert). */
export function Outcome({ text }: { text: { ok: boolean; msg: string } | null }) {
  if (!text) return null;
  return text.ok ? (
    <p role="status">{text.msg}</p>
  ) : (
    <p role="alert" class="error">
      {text.msg}
    </p>
  );
}
