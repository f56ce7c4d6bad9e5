// The one next action, big, and the secondary ones below it: go private when not private (which
// opens the side panel too), open the conversation when private, refresh or end below.
// Verifying an unverified buddy (Authenticate) is placed above this and is then the big button.

import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import { openPanel } from '../shared/open-panel';
import { tabRequest } from './api';
import type { StatusLike } from './model';

export type Act = (run: (tabId: number) => Promise<unknown>) => void;

export function NextAction({
  status,
  busy,
  act,
  refusal,
}: {
  status: StatusLike | null;
  busy: boolean;
  act: Act;
  /** Why private mode cannot start here (the button is then disabled), or null. */
  refusal: string | null;
}) {
  const st = status?.state ?? 'plaintext';
  return (
    <div class="actions">
      {st === 'plaintext' && (
        <button
          type="button"
          class="primary wide"
          disabled={busy || refusal !== null}
          aria-describedby={refusal !== null ? 'start-refused' : undefined}
          onClick={() =>
            act((tabId) => {
              // The panel is where the private conversation is typed and read: open it now,
              // inside this click (the browser allows it only in a user gesture).
              void openPanel(tabId);
              return tabRequest({ type: 'go-private', tabId });
            })
          }
        >
          <Icon name="private" />
          {t('startPrivate')}
        </button>
      )}
      {(st !== 'plaintext' || status?.privateMode) && (
        <button
          type="button"
          // The one next action once private and verified (or ended); verifying comes first otherwise.
          class={status?.trust !== '' || st === 'finished' ? 'primary wide' : 'wide'}
          data-testid="open-panel"
          onClick={() => act((tabId) => openPanel(tabId))}
        >
          <Icon name="panel" />
          {t('panel_open')}
        </button>
      )}
      {st === 'plaintext' && refusal !== null && (
        <p class="reason" id="start-refused">
          {refusal}
        </p>
      )}
      <div class="button-row secondary">
        {st === 'encrypted' && (
          <button
            type="button"
            disabled={busy}
            onClick={() => act((tabId) => tabRequest({ type: 'refresh-private', tabId }))}
          >
            <Icon name="refresh" />
            {t('refreshPrivate')}
          </button>
        )}
        {(st === 'encrypted' || st === 'finished' || status?.privateMode) && (
          <button
            type="button"
            disabled={busy}
            onClick={() => act((tabId) => tabRequest({ type: 'end-private', tabId }))}
          >
            <Icon name="stop" />
            {t('endPrivate')}
          </button>
        )}
      </div>
    </div>
  );
}
