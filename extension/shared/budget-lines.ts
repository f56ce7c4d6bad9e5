// What the byte budgets (I8) did in a chat, in plain words, one sentence per count that is not 0:
// messages the page showed too fast (dropped), lines cut, older lines let go, lines not stored,
// OTR lines not queued. Shared by the popup's note and the side panel's line.

import { t } from './i18n';
import type { ConversationLimits } from './messages';

/** Every count, 0 where nothing happened. */
export type BudgetCounts = Required<ConversationLimits>;

/** The counts from a conversation's limits and its tab's dropped rows (null: nothing to count). */
export function budgetCounts(
  limits: ConversationLimits | undefined,
  dropped: number | undefined,
): BudgetCounts | null {
  if (!limits && dropped === undefined) return null;
  return {
    dropped: dropped ?? limits?.dropped ?? 0,
    truncated: limits?.truncated ?? 0,
    trimmed: limits?.trimmed ?? 0,
    notStored: limits?.notStored ?? 0,
    outboxDropped: limits?.outboxDropped ?? 0,
  };
}

export function budgetLines(counts: BudgetCounts): string[] {
  return [
    counts.dropped > 0 && t('budget_dropped', counts.dropped),
    counts.truncated > 0 && t('budget_truncated', counts.truncated),
    counts.trimmed > 0 && t('budget_trimmed', counts.trimmed),
    counts.notStored > 0 && t('budget_notStored', counts.notStored),
    counts.outboxDropped > 0 && t('budget_outbox', counts.outboxDropped),
  ].filter((x): x is string => typeof x === 'string');
}
