// The popup: this tab's offrecord status (authoritative, I6), a way to turn offrecord on for
// the tab's site, and the foundation's click-reaches-the-worker counter.

import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { PageRequest, StatusResult } from '../shared/messages';
import { PortClient } from '../shared/port-client';
import { sitePatternFor } from '../shared/sites';

const client = new PortClient<PageRequest>();

/** The tab this popup is about: `?tab=N` when opened as a page (tests, debugging), else the active tab. */
async function targetTab(): Promise<{ id: number | null; url: string | null }> {
  const param = new URLSearchParams(location.search).get('tab');
  if (param !== null && /^\d{1,10}$/.test(param)) {
    const id = Number(param);
    const tab = await browser.tabs.get(id).catch(() => null);
    return { id, url: tab?.url ?? null };
  }
  const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
  return { id: tab?.id ?? null, url: tab?.url ?? null };
}

export function Popup() {
  const [tab, setTab] = useState<{ id: number | null; url: string | null } | null>(null);
  const [status, setStatus] = useState<StatusResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async (t: { id: number | null }) => {
    setStatus(await client.request({ type: 'status', tabId: t.id }));
  }, []);

  useEffect(() => {
    targetTab()
      .then(async (t) => {
        setTab(t);
        await refresh(t);
      })
      .catch((e: unknown) => setError(String(e)));
  }, [refresh]);

  const increment = () => {
    client
      .request({ type: 'increment' })
      .then((r) => setStatus((s) => (s ? { ...s, counter: r.counter } : s)))
      .catch((e: unknown) => setError(String(e)));
  };

  const pattern = tab?.url ? sitePatternFor(tab.url) : null;
  const enabled = pattern !== null && (status?.sites.includes(pattern) ?? false);
  const enable = () => {
    if (!pattern || !tab) return;
    // permissions.request must be the first thing the click handler does (user gesture).
    browser.permissions
      .request({ origins: [pattern] })
      .then(() => refresh(tab))
      .catch((e: unknown) => setError(String(e)));
  };

  return (
    <main>
      <h1>offrecord</h1>
      {error && (
        <p class="error" role="alert" data-testid="error">
          {error}
        </p>
      )}
      {status === null ? (
        <p data-testid="loading">Connecting…</p>
      ) : (
        <dl data-testid="status">
          <dt>This page</dt>
          <dd data-testid="tab-state">
            {status.tab?.connected ? 'offrecord active' : 'offrecord not active'}
          </dd>
          <dt>Badge</dt>
          <dd data-testid="badge">{status.tab?.badge ?? 'off'}</dd>
          <dt>Clicks</dt>
          <dd data-testid="counter">{status.counter}</dd>
        </dl>
      )}
      {pattern && status && !enabled && (
        <button type="button" data-testid="enable-site" onClick={enable}>
          Use offrecord on {new URL(pattern.replace('/*', '/')).host}
        </button>
      )}
      <button type="button" data-testid="increment" onClick={increment} disabled={status === null}>
        Count a click
      </button>
    </main>
  );
}
