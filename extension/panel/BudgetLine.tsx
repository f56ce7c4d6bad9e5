// The last line of the transcript when a byte budget (I8) has acted on this conversation: how many
// older lines were let go, lines cut, messages the page showed too fast and were skipped. Drawn
// from the conversation's status (its counts), not stored as an entry: a flood that trims every
// few messages would otherwise fill the transcript with its own notices.

import { budgetCounts, budgetLines } from '../shared/budget-lines';
import { t } from '../shared/i18n';
import type { ConversationStatus } from '../shared/messages';

export function BudgetLine({ status }: { status: ConversationStatus | null }) {
  const counts = status?.limits ? budgetCounts(status.limits, undefined) : null;
  const lines = counts ? budgetLines(counts) : [];
  if (lines.length === 0) return null;
  return (
    <li class="entry notice" data-testid="budget-line" data-notice="budget">
      <span class="text">{t('budget_title')}</span>
      <ul class="detail">
        {lines.map((s) => (
          <li key={s}>{s}</li>
        ))}
      </ul>
    </li>
  );
}
