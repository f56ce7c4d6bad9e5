// What the byte budgets (I8) did in this tab, in plain words: messages the page showed too fast
// (dropped), lines cut, older transcript lines let go, lines not stored. Nothing when all are 0.

import { type BudgetCounts, budgetLines } from '../shared/budget-lines';
import { t } from '../shared/i18n';

export function BudgetNote({ counts }: { counts: BudgetCounts | null }) {
  if (!counts) return null;
  const lines = budgetLines(counts);
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
