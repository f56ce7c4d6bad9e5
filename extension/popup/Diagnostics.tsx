// Test builds only: what the foundation's e2e tests read (port, badge, worker-restart counter).
// Never in a release build, so its words are not translated.

import type { Diagnostics } from './api';

export function DiagnosticsFooter({ diag, onIncrement }: { diag: Diagnostics; onIncrement: () => void }) {
  return (
    <footer class="diag">
      <dl data-testid="status">
        {/* i18n-exempt: test builds only */}
        <dt>Content script</dt>
        <dd data-testid="tab-state">
          {/* i18n-exempt: test builds only */}
          {diag.connected ? 'offrecord active' : 'offrecord not active'}
        </dd>
        {/* i18n-exempt: test builds only */}
        <dt>Badge</dt>
        {/* i18n-exempt: test builds only */}
        <dd data-testid="badge">{diag.badge ?? 'off'}</dd>
        {/* i18n-exempt: test builds only */}
        <dt>Clicks</dt>
        <dd data-testid="counter">{diag.counter ?? 0}</dd>
      </dl>
      <button type="button" data-testid="increment" onClick={onIncrement}>
        {/* i18n-exempt: test builds only */}
        Count a click
      </button>
    </footer>
  );
}
