// "Buddies": the known fingerprints (verify, revoke, forget; otr.fingerprints import and export).

import { useCallback, useEffect, useState } from 'preact/hooks';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import { ask, type FingerprintRow } from './api';
import { FileBox } from './parts/FileBox';
import { message, Outcome, type Said, when } from './parts/Outcome';

const TRUST_TEXT = { '': 'trustNone', verified: 'trustVerified', smp: 'trustSmp' } as const;

export function BuddiesSection() {
  const [rows, setRows] = useState<FingerprintRow[] | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);
  const [query, setQuery] = useState('');

  const load = useCallback(() => ask({ type: 'fingerprints-list' }).then(setRows), []);
  useEffect(() => {
    load().catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
  }, [load]);

  const run = (p: Promise<unknown>, ok: string) => {
    setBusy(true);
    p.then(() => {
      setSaid({ ok: true, msg: ok });
      return load();
    })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }))
      .finally(() => setBusy(false));
  };

  const key = (r: FingerprintRow) => ({
    account: r.account,
    protocol: r.protocol,
    buddy: r.buddy,
    fingerprint: r.fingerprint,
  });

  return (
    <section class="card" aria-labelledby="fps-title">
      <h2 id="fps-title">
        <Icon name="people" size={20} />
        {t('fingerprintsTitle')}
      </h2>
      {rows !== null && rows.length > 0 && (
        <label class="field search">
          {t('ui_buddySearch')}
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      )}
      {rows === null ? (
        <p>{t('loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('noFingerprints')}</p>
      ) : (
        <table aria-labelledby="fps-title">
          <thead>
            <tr>
              <th scope="col">{t('buddy')}</th>
              <th scope="col">{t('fingerprint')}</th>
              <th scope="col">{t('trust')}</th>
              <th scope="col">{t('lastSeen')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {rows
              .filter((r) => matches(r, query))
              .map((r) => (
                <tr key={`${r.account}\u0000${r.protocol}\u0000${r.buddy}\u0000${r.fingerprint}`}>
                  <td>
                    {r.buddy}
                    <br />
                    <small>{t('viaAccount', r.account, r.protocol)}</small>
                  </td>
                  <td>
                    <code class="fp">{r.fingerprint}</code>
                  </td>
                  <td>{t(TRUST_TEXT[r.trust])}</td>
                  <td>{when(r.lastSeen)}</td>
                  <td>
                    {r.trust === '' ? (
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={t('verifyAria', r.buddy, r.fingerprint)}
                        onClick={() =>
                          run(
                            ask({ type: 'fingerprint-trust', ...key(r), trust: 'verified' }),
                            t('verifiedDone', r.buddy),
                          )
                        }
                      >
                        {t('verify')}
                      </button>
                    ) : (
                      <button
                        type="button"
                        disabled={busy}
                        aria-label={t('revokeAria', r.buddy, r.fingerprint)}
                        onClick={() =>
                          run(
                            ask({ type: 'fingerprint-trust', ...key(r), trust: '' }),
                            t('revokedDone', r.buddy),
                          )
                        }
                      >
                        {t('revoke')}
                      </button>
                    )}
                    <button
                      type="button"
                      disabled={busy}
                      aria-label={t('forgetAria', r.buddy, r.fingerprint)}
                      onClick={() =>
                        run(ask({ type: 'fingerprint-forget', ...key(r) }), t('forgottenDone', r.buddy))
                      }
                    >
                      {t('forget')}
                    </button>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
      <h3>{t('fingerprintsFileTitle')}</h3>
      <button
        type="button"
        onClick={() =>
          ask({ type: 'fingerprints-export' })
            .then((r) => setExported(r.text))
            .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }))
        }
      >
        {t('exportButton', 'otr.fingerprints')}
      </button>
      <FileBox
        name="otr.fingerprints"
        exportText={exported}
        busy={busy}
        onImport={(text) => {
          setBusy(true);
          ask({ type: 'fingerprints-import', text })
            .then((r) => {
              setSaid({ ok: true, msg: t('fingerprintsImported', r.imported) });
              return load();
            })
            .catch((err: unknown) => setSaid({ ok: false, msg: t('importFailed', message(err)) }))
            .finally(() => setBusy(false));
        }}
      />
      <Outcome text={said} />
    </section>
  );
}

/** A row matches the search when the buddy, the account or the fingerprint contains it (any case, spaces ignored in fingerprints). */
function matches(r: FingerprintRow, query: string): boolean {
  const q = query.trim().toLowerCase();
  if (q === '') return true;
  const fp = r.fingerprint.replace(/\s/g, '').toLowerCase();
  return (
    r.buddy.toLowerCase().includes(q) ||
    r.account.toLowerCase().includes(q) ||
    fp.includes(q.replace(/\s/g, ''))
  );
}
