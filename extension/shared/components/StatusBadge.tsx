// The status as shape + word (+ colour): never told by colour alone.

import { t } from '../i18n';
import { LEVEL_SHAPE, LEVEL_TEXT, type Level } from '../status';
import { Icon } from './Icon';

export function StatusBadge({ level, size = 16 }: { level: Level; size?: number }) {
  return (
    <span class={`status-badge level-${level}`} data-level={level}>
      <Icon name={LEVEL_SHAPE[level]} size={size} />
      <span class="status-word">{t(LEVEL_TEXT[level])}</span>
    </span>
  );
}
