// The panel's header: the user's security mark (a page cannot know it), whom the conversation is
// with and as whom, and its status in pidgin-otr's four words, as the popup and toolbar say it.

import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import type { SecurityMark } from '../shared/mark';
import { SecurityMarkBadge } from '../shared/SecurityMark';
import { STATUS_WORD, type StatusKind } from './model';

export function Header(props: {
  mark: SecurityMark | null;
  kind: StatusKind;
  peer: string | null;
  account: string | null;
  site: string | null;
  held: number;
}) {
  const { kind, peer, account, site } = props;
  const shape = kind === 'none' ? null : kind === 'starting' ? 'not-private' : kind;
  return (
    <header class="panel-header">
      <div class="brand">
        <h1 id="panel-title">{t('extName')}</h1>
        <SecurityMarkBadge mark={props.mark} />
      </div>
      {peer !== null && (
        <dl class="who">
          <dt>{t('buddy')}</dt>
          <dd data-testid="panel-buddy">{peer}</dd>
          <dt>{t('myAccount')}</dt>
          <dd data-testid="panel-account">{account ?? ''}</dd>
          {site !== null && (
            <>
              <dt>{t('site')}</dt>
              <dd>{hostOf(site)}</dd>
            </>
          )}
        </dl>
      )}
      <p
        class={`panel-status level ${kind}${shape ? ` status-badge level-${shape}` : ''}`}
        data-testid="panel-status"
        data-status={kind}
        role="status"
      >
        {/* The same shape as the toolbar icon and the popup: the status is never colour alone. */}
        {shape && <Icon name={shape} size={18} />}
        <span class="word">{t(STATUS_WORD[kind])}</span>
        {kind === 'starting' && <span class="detail"> · {t('panel_starting')}</span>}
        {props.held > 0 && <span class="detail"> · {t('panel_heldCount', props.held)}</span>}
      </p>
    </header>
  );
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
