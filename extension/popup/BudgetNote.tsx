// What the byte budgets (I8) did in this tab, in plain words: messages the page showed too fast
// (dropped), lines cut, older transcript lines let go, lines not stored. Nothing when all are 0.

import { t } from '../shared/i18n';
import type { BudgetCounts } from './api';

export function BudgetNote({ counts }: { counts: BudgetCounts | null }) {
  if (!counts) return null;
  const lines = [
    counts.dropped > 0 && t('budget_dropped', counts.dropped),
    counts.truncated > 0 && t('budget_truncated', counts.truncated),
    counts.trimmed > 0 && t('budget_trimmed', counts.trimmed),
    counts.notStored > 0 && t('budget_notStored', counts.notStored),
    counts.outboxDropped > 0 && t('budget_outbox', counts.outboxDropped),
  ].filter((x): x is string => typeof x === 'string');
  if (lines.length === 0) return null;
  return (
    <section class="reason" aria-label={t('budget_title')} data-testid="budget-note">
      <h2>{t('budget_title')}</h2>
      <ul>
        {lines.map((l) => (
          <li key={l}>{l}</li>
        ))}
      </ul>
    </section>
  );
}
