// The chat page's own error that pauses sending (The Lounge disconnected from its IRC network),
// in the site's words inside ours. Shown by every view of the conversation (side panel, frames).

import { t } from '../i18n';
import type { ConversationStatus } from '../messages';

export function SiteError(props: { status: ConversationStatus | null }) {
  const error = props.status?.siteError ?? null;
  if (error === null) return null;
  return (
    <p class="site-error" role="alert" data-site-error="">
      {t('pace_site_error', error)}
    </p>
  );
}
