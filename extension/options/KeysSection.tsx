// "My keys": the private key of each of my accounts (generate with progress, export and import in
// Pidgin's otr.private_key format).

import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { ask, type KeyRow, watchKeygen } from './api';
import { FileBox } from './parts/FileBox';
import { message, Outcome, type Said, when } from './parts/Outcome';

export function KeysSection() {
  const [keys, setKeys] = useState<KeyRow[] | null>(null);
  const [account, setAccount] = useState('');
  const [protocol, setProtocol] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => ask({ type: 'keys-list' }).then(setKeys), []);
  useEffect(() => {
    load().catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
  }, [load]);
  useEffect(
    () =>
      watchKeygen((ev) => {
        if (ev.account === account.trim() && ev.protocol === protocol.trim()) setProgress(ev.fraction);
      }),
    [account, protocol],
  );

  const generate = (e: Event) => {
    e.preventDefault();
    const a = account.trim();
    const p = protocol.trim();
    if (a === '' || p === '') return;
    setBusy(true);
    setProgress(0);
    setSaid(null);
    ask({ type: 'key-generate', account: a, protocol: p })
      .then((r) => {
        setSaid({ ok: true, msg: t('keyGenerated', a, r.fingerprint) });
        return load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }))
      .finally(() => {
        setBusy(false);
        setProgress(null);
      });
  };

  const doExport = () => {
    ask({ type: 'key-export' })
      .then((r) => setExported(r.text))
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  const doImport = (text: string) => {
    setBusy(true);
    ask({ type: 'key-import', text })
      .then((r) => {
        setSaid({ ok: true, msg: t('keysImported', r.imported) });
        return load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: t('importFailed', message(err)) }))
      .finally(() => setBusy(false));
  };

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">{t('keysTitle')}</h2>
      {keys === null ? (
        <p>{t('loading')}</p>
      ) : keys.length === 0 ? (
        <p>{t('noKeys')}</p>
      ) : (
        <table aria-labelledby="keys-title">
          <thead>
            <tr>
              <th scope="col">{t('account')}</th>
              <th scope="col">{t('protocol')}</th>
              <th scope="col">{t('fingerprint')}</th>
              <th scope="col">{t('created')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={`${k.account}\u0000${k.protocol}`}>
                <td>{k.account}</td>
                <td>{k.protocol}</td>
                <td>
                  <code class="fp">{k.fingerprint}</code>
                </td>
                <td>{when(k.created)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h3>{t('generateTitle')}</h3>
      <form onSubmit={generate}>
        <label class="field">
          {t('account')}
          <input value={account} onInput={(e) => setAccount(e.currentTarget.value)} maxLength={256} />
        </label>
        <label class="field">
          {t('protocol')}
          <input
            value={protocol}
            onInput={(e) => setProtocol(e.currentTarget.value)}
            maxLength={64}
            placeholder="prpl-irc"
          />
        </label>
        <button type="submit" disabled={busy || account.trim() === '' || protocol.trim() === ''}>
          {t('generate')}
        </button>
        {progress !== null && <progress max={1} value={progress} aria-label={t('keygenProgress')} />}
      </form>
      <h3>{t('keysFileTitle')}</h3>
      <button type="button" onClick={doExport}>
        {t('exportButton', 'otr.private_key')}
      </button>
      <FileBox name="otr.private_key" exportText={exported} onImport={doImport} busy={busy} />
      <Outcome text={said} />
    </section>
  );
}
