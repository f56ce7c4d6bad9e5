// "Sites": where offrecord runs, the OTR policy of each site and its site profile (issue 9: export,
// import, remove; a profile file can also be imported for a site not listed yet), and the policy
// per buddy (BuddyPolicies).

import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { SiteProfile } from '../../src/profile/profile';
import { profileFileName } from '../popup/model';
import { downloadText, readProfileFile } from '../popup/profile-file';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import type { PolicyName } from '../shared/messages';
import { siteMatches, sitePatternFor } from '../shared/sites';
import { ask, POLICIES, POLICY_TEXT, type SiteRow } from './api';
import { BuddyPolicies } from './BuddyPolicies';
import { ProfileCell } from './ProfileCell';
import { message, Outcome, type Said } from './parts/Outcome';

function isPolicy(x: string): x is PolicyName {
  return (POLICIES as readonly string[]).includes(x);
}

export function SitesSection() {
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
    <section class="card" aria-labelledby="sites-title">
      <h2 id="sites-title">
        <Icon name="globe" size={20} />
        {t('sitesTitle')}
      </h2>
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
      <BuddyPolicies />
    </section>
  );
}
