// Start, refresh and end the private conversation from the panel (the popup offers the same).
// Every request names the conversation shown, so none lands on a chat the tab switched to.

import type { PopupRequest } from '../popup/api';
import { t } from '../shared/i18n';
import type { ConversationStatus } from '../shared/messages';

export function Actions(props: {
  status: ConversationStatus | null;
  busy: boolean;
  /** Why private mode cannot start here, or null. */
  refusal: string | null;
  act: (run: (tabId: number) => Promise<unknown>) => void;
  request: (body: PopupRequest) => Promise<unknown>;
}) {
  const { status, busy, act, request } = props;
  const st = status?.state ?? 'plaintext';
  const starting = st === 'plaintext' && status?.privateMode === true;
  return (
    <div class="actions">
      {st === 'plaintext' && !starting && (
        <button
          type="button"
          class="primary"
          data-testid="go-private"
          disabled={busy || props.refusal !== null}
          onClick={() => act((tabId) => request({ type: 'go-private', tabId }))}
        >
          {t('startPrivate')}
        </button>
      )}
      {(st === 'encrypted' || st === 'finished' || starting) && (
        <button
          type="button"
          data-testid="refresh-private"
          disabled={busy}
          onClick={() => act((tabId) => request({ type: 'refresh-private', tabId }))}
        >
          {t('refreshPrivate')}
        </button>
      )}
      {(st === 'encrypted' || st === 'finished' || status?.privateMode) && (
        <button
          type="button"
          data-testid="end-private"
          disabled={busy}
          onClick={() => act((tabId) => request({ type: 'end-private', tabId }))}
        >
          {t('endPrivate')}
        </button>
      )}
      {st === 'plaintext' && props.refusal !== null && <p class="reason">{props.refusal}</p>}
    </div>
  );
}
