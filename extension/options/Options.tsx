// Options (skeleton): the sites offrecord may run on. Granting a site is the browser's own
// permission prompt (permissions.request); the background then registers the content script there.
// Keys, fingerprints and site profiles come with their issues.

import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { PageRequest } from '../shared/messages';
import { PortClient } from '../shared/port-client';
import { sitePatternFor } from '../shared/sites';

const client = new PortClient<PageRequest>();

export function Options() {
  const [sites, setSites] = useState<string[] | null>(null);
  const [input, setInput] = useState('');
  const [message, setMessage] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const s = await client.request({ type: 'status', tabId: null });
    setSites(s.sites);
  }, []);

  useEffect(() => {
    refresh().catch((e: unknown) => setMessage(String(e)));
    const onChange = () => void refresh().catch(() => undefined);
    browser.permissions.onAdded.addListener(onChange);
    browser.permissions.onRemoved.addListener(onChange);
    return () => {
      browser.permissions.onAdded.removeListener(onChange);
      browser.permissions.onRemoved.removeListener(onChange);
    };
  }, [refresh]);

  const add = (e: Event) => {
    e.preventDefault();
    const pattern = sitePatternFor(input);
    if (!pattern) {
      setMessage('Enter a site such as https://chat.example.org');
      return;
    }
    // First thing in the handler: the prompt needs the user's gesture.
    browser.permissions
      .request({ origins: [pattern] })
      .then((granted) => {
        setMessage(granted ? `Allowed ${pattern}` : `Not allowed: ${pattern}`);
        setInput('');
        return refresh();
      })
      .catch((err: unknown) => setMessage(String(err)));
  };

  const remove = (pattern: string) => {
    browser.permissions
      .remove({ origins: [pattern] })
      .then(() => refresh())
      .catch((err: unknown) => setMessage(String(err)));
  };

  return (
    <main>
      <h1>offrecord: sites</h1>
      <p>offrecord runs only on the sites you allow here or from its toolbar popup.</p>
      <form onSubmit={add}>
        <label>
          Site{' '}
          <input
            data-testid="site-input"
            value={input}
            onInput={(e) => setInput((e.currentTarget as HTMLInputElement).value)}
            placeholder="https://chat.example.org"
          />
        </label>
        <button type="submit" data-testid="site-add">
          Allow
        </button>
      </form>
      {message && <p data-testid="message">{message}</p>}
      {sites === null ? (
        <p>Loading…</p>
      ) : sites.length === 0 ? (
        <p data-testid="no-sites">No sites allowed yet.</p>
      ) : (
        <ul class="sites" data-testid="sites">
          {sites.map((s) => (
            <li key={s} data-site={s}>
              {s}{' '}
              <button type="button" onClick={() => remove(s)}>
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
