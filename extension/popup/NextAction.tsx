// The one next action, big, and the secondary ones below it: go private when not private, refresh
// or end when private (verifying is offered by Authenticate, under it).

import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
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
          onClick={() => act((tabId) => tabRequest({ type: 'go-private', tabId }))}
        >
          <Icon name="private" />
          {t('startPrivate')}
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
