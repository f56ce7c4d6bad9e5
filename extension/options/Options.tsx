// The options page: my private keys per account (generate with progress, export and import in
// Pidgin's otr.private_key format), known fingerprints (verify, revoke, forget; otr.fingerprints
// import and export), and the sites offrecord runs on with their OTR policy and site profile
// (issue 9: export, import, remove; a profile file can also be imported for a site not listed yet).

import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { SiteProfile } from '../../src/profile/profile';
import { profileFileName } from '../popup/model';
import { downloadText, readProfileFile } from '../popup/profile-file';
import { t } from '../shared/i18n';
import { siteMatches, sitePatternFor } from '../shared/sites';
import {
  ask,
  type FingerprintRow,
  type KeyRow,
  POLICIES,
  type Policy,
  type SiteRow,
  watchKeygen,
} from './api';
import { LockSection } from './LockSection';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function when(ms: number): string {
  return ms > 0 ? new Date(ms).toLocaleString() : t('never');
}

/** A line that says what the last action did (role=status) or why it failed (role=alert). */
function Outcome({ text }: { text: { ok: boolean; msg: string } | null }) {
  if (!text) return null;
  return text.ok ? (
    <p role="status">{text.msg}</p>
  ) : (
    <p role="alert" class="error">
      {text.msg}
    </p>
  );
}

type Said = { ok: boolean; msg: string } | null;

/** Export: the text shown read-only plus a download link; import: paste or pick a file. */
function FileBox({
  name,
  exportText,
  onImport,
  busy,
}: {
  name: string;
  exportText: string | null;
  onImport: (text: string) => void;
  busy: boolean;
}) {
  const [text, setText] = useState('');
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    if (exportText === null) return;
    const url = URL.createObjectURL(new Blob([exportText], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [exportText]);
  return (
    <>
      {exportText !== null && (
        <div>
          <label class="field">
            {t('exported', name)}
            <textarea readOnly rows={6} value={exportText} />
          </label>
          {href && (
            <a href={href} download={name}>
              {t('saveFile', name)}
            </a>
          )}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim() !== '') onImport(text);
        }}
      >
        <label class="field">
          {t('importPaste', name)}
          <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label class="field">
          {t('importFile', name)}
          <input
            type="file"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void f.text().then(setText);
            }}
          />
        </label>
        <button type="submit" disabled={busy || text.trim() === ''}>
          {t('importButton', name)}
        </button>
      </form>
    </>
  );
}

function Keys() {
  const [keys, setKeys] = useState<KeyRow[] | null>(null);
  const [account, setAccount] = useState('');
  const [protocol, setProtocol] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [exportPass, setExportPass] = useState('');
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
    ask({ type: 'key-export', passphrase: exportPass === '' ? null : exportPass })
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
    <section aria-labelledby="keys-title">
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
      <label class="field">
        {t('lock_exportPassphrase')}
        <input
          type="password"
          autocomplete="current-password"
          value={exportPass}
          maxLength={1024}
          onInput={(e) => setExportPass(e.currentTarget.value)}
          data-testid="export-passphrase"
        />
      </label>
      <button type="button" onClick={doExport}>
        {t('exportButton', 'otr.private_key')}
      </button>
      <FileBox name="otr.private_key" exportText={exported} onImport={doImport} busy={busy} />
      <Outcome text={said} />
    </section>
  );
}

const TRUST_TEXT = { '': 'trustNone', verified: 'trustVerified', smp: 'trustSmp' } as const;

function Fingerprints() {
  const [rows, setRows] = useState<FingerprintRow[] | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const [busy, setBusy] = useState(false);

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
    <section aria-labelledby="fps-title">
      <h2 id="fps-title">{t('fingerprintsTitle')}</h2>
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
            {rows.map((r) => (
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

const POLICY_TEXT = {
  manual: 'policyManual',
  opportunistic: 'policyOpportunistic',
  always: 'policyAlways',
} as const;

function isPolicy(x: string): x is Policy {
  return (POLICIES as readonly string[]).includes(x);
}

function Sites() {
  const [sites, setSites] = useState<SiteRow[] | null>(null);
  const [granted, setGranted] = useState<string[] | null>(null);
  const [profiles, setProfiles] = useState<Map<string, SiteProfile | null>>(new Map());
  const [input, setInput] = useState('');
  const [said, setSaid] = useState<Said>(null);
  const [importSaid, setImportSaid] = useState<Said>(null);
  const [confirmRemove, setConfirmRemove] = useState<string | null>(null);

  const load = useCallback(async () => {
    const all = await browser.permissions.getAll();
    setGranted(siteMatches(all.origins ?? []));
    const list = await ask({ type: 'sites-list' });
    const found = await Promise.all(
      list.map(
        async (s) => [s.origin, (await ask({ type: 'profile-get', origin: s.origin })).profile] as const,
      ),
    );
    setProfiles(new Map(found));
    setSites(list);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
    const onChange = () => void load().catch(() => undefined);
    browser.permissions.onAdded.addListener(onChange);
    browser.permissions.onRemoved.addListener(onChange);
    return () => {
      browser.permissions.onAdded.removeListener(onChange);
      browser.permissions.onRemoved.removeListener(onChange);
    };
  }, [load]);

  const add = (e: Event) => {
    e.preventDefault();
    const pattern = sitePatternFor(input);
    if (!pattern) {
      setSaid({ ok: false, msg: t('siteInvalid') });
      return;
    }
    const typed = /^[a-z][a-z0-9+.-]*:/i.test(input.trim()) ? input.trim() : `https://${input.trim()}`;
    const origin = new URL(typed).origin;
    // First thing in the handler: the browser's prompt needs the user's gesture.
    browser.permissions
      .request({ origins: [pattern] })
      .then(async (granted) => {
        if (!granted) {
          setSaid({ ok: false, msg: t('siteNotGranted') });
          return;
        }
        await ask({ type: 'site-enabled', origin });
        // Give the site its settings row (the background's default, manual) so its policy can be set.
        const known = await ask({ type: 'sites-list' });
        if (!known.some((k) => k.origin === origin))
          await ask({ type: 'site-policy', origin, policy: 'manual' });
        setSaid({ ok: true, msg: t('siteAdded', origin) });
        setInput('');
        await load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  /** Takes back the browser's permission for a host pattern (offrecord stops running there). */
  const revokeHost = (pattern: string) => {
    browser.permissions
      .remove({ origins: [pattern] })
      .then(async (removed) => {
        setSaid(
          removed
            ? { ok: true, msg: t('siteRemoved', pattern) }
            : { ok: false, msg: t('siteFixed', pattern) },
        );
        await load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  const remove = (origin: string) => {
    const pattern = sitePatternFor(origin);
    ask({ type: 'site-remove', origin })
      .then(async () => {
        // A host granted by the manifest (the test build's 127.0.0.1) cannot be removed: ignore.
        if (pattern) await browser.permissions.remove({ origins: [pattern] }).catch(() => false);
        setSaid({ ok: true, msg: t('siteRemoved', origin) });
        await load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  const setMaxLength = (origin: string, value: string) => {
    const v = value.trim();
    const n = v === '' ? null : Number(v);
    if (n !== null && (!Number.isInteger(n) || n < 100 || n > 100_000)) {
      setSaid({ ok: false, msg: t('maxLengthInvalid') });
      return;
    }
    ask({ type: 'site-max-length', origin, maxMessageLength: n })
      .then(async () => {
        // The table first, then the word that it is saved: a re-render before the reload put the
        // controlled box back to the old value under "saved" (caught by the options e2e).
        await load();
        setSaid({
          ok: true,
          msg: n === null ? t('maxLengthCleared', origin) : t('maxLengthSaved', origin, n),
        });
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  const setPolicy = (origin: string, policy: string) => {
    if (!isPolicy(policy)) return;
    ask({ type: 'site-policy', origin, policy })
      .then(async () => {
        await load();
        setSaid({ ok: true, msg: t('policySaved', origin, t(POLICY_TEXT[policy])) });
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  /** A picked profile file: checked here first (its own error text), then imported for its site. */
  const importProfile = (file: File | undefined, input: HTMLInputElement, show: (s: Said) => void) => {
    if (!file) return;
    show(null);
    readProfileFile(file)
      .then(async (r) => {
        if ('error' in r) {
          show({ ok: false, msg: t('profileImportFailed', r.error) });
          return;
        }
        const { origin } = await ask({ type: 'profile-import', text: r.text });
        show({ ok: true, msg: t('profileImported', origin) });
        await load();
      })
      .catch((err: unknown) => show({ ok: false, msg: t('profileImportFailed', message(err)) }))
      .finally(() => {
        input.value = '';
      });
  };

  const exportProfile = (origin: string) => {
    ask({ type: 'profile-export', origin })
      .then((r) => {
        const name = profileFileName(origin);
        downloadText(name, r.text);
        setSaid({ ok: true, msg: t('profileExported', name) });
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  const removeProfile = (origin: string) => {
    ask({ type: 'profile-remove', origin })
      .then(async () => {
        setConfirmRemove(null);
        setSaid({ ok: true, msg: t('profileRemoved', origin) });
        await load();
      })
      .catch((err: unknown) => setSaid({ ok: false, msg: message(err) }));
  };

  return (
    <section aria-labelledby="sites-title">
      <h2 id="sites-title">{t('sitesTitle')}</h2>
      <p class="help">{t('sitesHelp')}</p>
      <h3 id="profile-import-title">{t('profileImport')}</h3>
      <p class="help">{t('profileImportHelp')}</p>
      <label class="field">
        {t('profileImportTop')}
        <input
          type="file"
          accept=".json,application/json"
          data-testid="profile-import"
          onChange={(e) => importProfile(e.currentTarget.files?.[0], e.currentTarget, setImportSaid)}
        />
      </label>
      <Outcome text={importSaid} />
      <h3 id="granted-title">{t('grantedTitle')}</h3>
      {granted === null ? (
        <p>{t('loading')}</p>
      ) : granted.length === 0 ? (
        <p data-testid="no-sites">{t('noSites')}</p>
      ) : (
        <ul class="sites" data-testid="sites" aria-labelledby="granted-title">
          {granted.map((g) => (
            <li key={g} data-site={g}>
              {g}{' '}
              <button type="button" aria-label={t('removeSiteAria', g)} onClick={() => revokeHost(g)}>
                {t('remove')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add}>
        <label class="field">
          {t('siteAddLabel')}
          <input
            data-testid="site-input"
            value={input}
            onInput={(e) => setInput(e.currentTarget.value)}
            placeholder="https://chat.example.org"
          />
        </label>
        <button type="submit" data-testid="site-add">
          {t('siteAdd')}
        </button>
      </form>
      <h3 id="policies-title">{t('policiesTitle')}</h3>
      {sites === null ? (
        <p>{t('loading')}</p>
      ) : sites.length === 0 ? (
        <p>{t('noPolicies')}</p>
      ) : (
        <table aria-labelledby="policies-title">
          <thead>
            <tr>
              <th scope="col">{t('site')}</th>
              <th scope="col">{t('policy')}</th>
              <th scope="col">{t('maxLength')}</th>
              <th scope="col">{t('profileColumn')}</th>
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {sites.map((s) => (
              <tr key={s.origin}>
                <td class="origin">{s.origin}</td>
                <td>
                  <select
                    aria-label={t('policyFor', s.origin)}
                    value={s.policy}
                    onChange={(e) => setPolicy(s.origin, e.currentTarget.value)}
                  >
                    {POLICIES.map((p) => (
                      <option key={p} value={p}>
                        {t(POLICY_TEXT[p])}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    type="number"
                    class="max-length"
                    min={100}
                    max={100_000}
                    step={1}
                    placeholder={t('maxLengthPlaceholder')}
                    aria-label={t('maxLengthFor', s.origin)}
                    value={s.maxMessageLength ?? ''}
                    onChange={(e) => setMaxLength(s.origin, e.currentTarget.value)}
                  />
                </td>
                <td>
                  <ProfileCell
                    origin={s.origin}
                    profile={profiles.get(s.origin) ?? null}
                    confirming={confirmRemove === s.origin}
                    onExport={() => exportProfile(s.origin)}
                    onImport={(file, el) => importProfile(file, el, setSaid)}
                    onRemove={() => setConfirmRemove(s.origin)}
                    onConfirm={() => removeProfile(s.origin)}
                    onCancel={() => setConfirmRemove(null)}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={t('forgetSiteAria', s.origin)}
                    onClick={() => remove(s.origin)}
                  >
                    {t('forget')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Outcome text={said} />
    </section>
  );
}

/** A site's profile in the sites table: none / saved, with Export, Import and Remove (asked twice). */
function ProfileCell({
  origin,
  profile,
  confirming,
  onExport,
  onImport,
  onRemove,
  onConfirm,
  onCancel,
}: {
  origin: string;
  profile: SiteProfile | null;
  confirming: boolean;
  onExport: () => void;
  onImport: (file: File | undefined, input: HTMLInputElement) => void;
  onRemove: () => void;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div class="profile-cell">
      <span data-testid="profile-state">
        {profile ? t('profileSaved') : t('profileNone')}
        {profile?.name !== undefined && ` (${profile.name})`}
      </span>
      <br />
      {profile && (
        <button type="button" aria-label={t('profileExportAria', origin)} onClick={onExport}>
          {t('exportShort')}
        </button>
      )}
      <label class="file-button">
        <span>{t('importShort')}</span>
        <input
          type="file"
          accept=".json,application/json"
          aria-label={t('profileImportAria', origin)}
          onChange={(e) => onImport(e.currentTarget.files?.[0], e.currentTarget)}
        />
      </label>
      {profile && !confirming && (
        <button type="button" aria-label={t('profileRemoveAria', origin)} onClick={onRemove}>
          {t('remove')}
        </button>
      )}
      {confirming && (
        <fieldset class="confirm">
          <legend>{t('profileRemoveConfirm', origin)}</legend>
          <button type="button" onClick={onConfirm}>
            {t('profileRemoveYes')}
          </button>
          <button type="button" onClick={onCancel}>
            {t('cancel')}
          </button>
        </fieldset>
      )}
    </div>
  );
}

export function Options() {
  return (
    <main class="options" aria-labelledby="options-title">
      <h1 id="options-title">{t('optionsTitle')}</h1>
      <LockSection />
      <Keys />
      <Fingerprints />
      <Sites />
    </main>
  );
}
