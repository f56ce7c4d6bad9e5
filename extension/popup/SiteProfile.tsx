// The popup's part of issue 9: how offrecord reads a page it has no built-in adapter for.
// - No adapter, no profile: "offrecord doesn't know this chat.", the generic adapter's guess and
//   why, and "Show offrecord where the chat is" (starts the element picker in the page).
// - A saved site profile: what it says (selectors, own messages, send rule, longest message) and
//   how it fits this page; when it stopped matching, a warning with the problems and the button
//   to show offrecord again. Export, Import, Remove (asked twice).
// Everything the page reported is shown as text (textContent), never as HTML.

import { Fragment } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import type { SiteProfile } from '../../src/profile/profile';
import { t } from '../shared/i18n';
import { profileRequest, tabRequest } from './api';
import { guessPercent, type PageLike, profileFileName, profileLines, profileView } from './model';
import { downloadText, readProfileFile } from './profile-file';

type Said = { ok: boolean; msg: string } | null;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}

interface Props {
  origin: string;
  tabId: number | null;
  page: PageLike | null;
  /** After an import or removal: the popup reads the status again. */
  onChanged: () => void;
}

export function SiteProfilePanel({ origin, tabId, page, onChanged }: Props) {
  // undefined: not read yet; null: none saved.
  const [saved, setSaved] = useState<SiteProfile | null | undefined>(undefined);
  const [said, setSaid] = useState<Said>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [reload, setReload] = useState(0);
  const pageKey = JSON.stringify(page);

  // Read again whenever the page reports something new (pageKey) or after an import/removal.
  useEffect(() => {
    let live = true;
    profileRequest({ type: 'profile-get', origin })
      .then((r) => {
        if (live) setSaved(r.profile);
      })
      .catch((e: unknown) => {
        if (live) setSaid({ ok: false, msg: message(e) });
      });
    return () => {
      live = false;
    };
  }, [origin, pageKey, reload]);

  const view = profileView(page, saved === undefined ? null : saved !== null);

  const doImport = (file: File | undefined, input: HTMLInputElement) => {
    if (!file) return;
    setBusy(true);
    setSaid(null);
    readProfileFile(file)
      .then(async (r) => {
        if ('error' in r) {
          setSaid({ ok: false, msg: t('profileImportFailed', r.error) });
          return;
        }
        const { origin: site } = await profileRequest({ type: 'profile-import', text: r.text });
        setSaid({
          ok: true,
          msg: site === origin ? t('profileImported', hostOf(site)) : t('profileImportedOther', site),
        });
        setReload((n) => n + 1);
        onChanged();
      })
      .catch((e: unknown) => setSaid({ ok: false, msg: t('profileImportFailed', message(e)) }))
      .finally(() => {
        input.value = '';
        setBusy(false);
      });
  };

  const doExport = () => {
    setSaid(null);
    profileRequest({ type: 'profile-export', origin })
      .then((r) => {
        const name = profileFileName(origin);
        downloadText(name, r.text);
        setSaid({ ok: true, msg: t('profileExported', name) });
      })
      .catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
  };

  const doRemove = () => {
    setBusy(true);
    setSaid(null);
    profileRequest({ type: 'profile-remove', origin })
      .then(() => {
        setConfirming(false);
        setSaid({ ok: true, msg: t('profileRemoved', hostOf(origin)) });
        setReload((n) => n + 1);
        onChanged();
      })
      .catch((e: unknown) => setSaid({ ok: false, msg: message(e) }))
      .finally(() => setBusy(false));
  };

  if (view === null || view === 'adapter') return <Outcome said={said} />;

  // Some browsers close a popup when its file chooser opens (Firefox): the options page imports too.
  const importControl = (
    <>
      <label class="field">
        {t('profileImport')}
        <input
          type="file"
          accept=".json,application/json"
          disabled={busy}
          onChange={(e) => doImport(e.currentTarget.files?.[0], e.currentTarget)}
        />
      </label>
      <button
        type="button"
        onClick={() =>
          void browser.runtime
            .openOptionsPage()
            .catch((e: unknown) => setSaid({ ok: false, msg: message(e) }))
        }
      >
        {t('profileImportOptions')}
      </button>
    </>
  );

  if (view === 'unknown') {
    const guess = page?.guess ?? null;
    const pct = guess ? guessPercent(guess.confidence) : 0;
    return (
      <section class="profile" aria-labelledby="profile-title">
        <h2 id="profile-title">{pct >= 50 ? t('unknownChat') : t('unknownMaybeChat')}</h2>
        {guess && (
          <>
            <p>{pct >= 50 ? t('guessLooksLike', pct) : t('guessNotAChat', pct)}</p>
            {guess.reasons.length > 0 && (
              <details>
                <summary>{t('guessReasons')}</summary>
                <ul class="reasons">
                  {guess.reasons.map((r) => (
                    <li key={r}>{r}</li>
                  ))}
                </ul>
              </details>
            )}
          </>
        )}
        <TeachButton tabId={tabId} />
        {importControl}
        <Outcome said={said} />
      </section>
    );
  }

  const fit = page?.profile ?? null;
  const host = hostOf(origin);
  return (
    <section class="profile" aria-labelledby="profile-title">
      <h2 id="profile-title">{t('profileTitle', host)}</h2>
      {view === 'profile-ok' && fit && <p role="status">{t('profileMatches', fit.rows)}</p>}
      {view === 'profile-unchecked' && <p class="help">{t('profileUnchecked')}</p>}
      {saved && <ProfileDetails profile={saved} />}
      <div class="actions">
        <button type="button" disabled={busy || !saved} onClick={doExport}>
          {t('profileExport')}
        </button>
        <button type="button" disabled={busy || !saved} onClick={() => setConfirming(true)}>
          {t('profileRemove')}
        </button>
      </div>
      {confirming && (
        <fieldset class="confirm">
          <legend>{t('profileRemoveConfirm', host)}</legend>
          <button type="button" class="primary" disabled={busy} onClick={doRemove}>
            {t('profileRemoveYes')}
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            {t('cancel')}
          </button>
        </fieldset>
      )}
      {importControl}
      <Outcome said={said} />
    </section>
  );
}

/**
 * The site's profile stopped matching the page: the problems the page found, and the way to show
 * offrecord the chat again. Shown first in the popup; private mode is refused meanwhile.
 */
export function StoppedWarning({ tabId, page }: { tabId: number | null; page: PageLike }) {
  const problems = page.profile?.problems ?? [];
  return (
    <section class="warning" role="alert" aria-labelledby="profile-broken-title">
      <h2 id="profile-broken-title">{t('profileStoppedTitle')}</h2>
      <p>{t('profileStoppedText')}</p>
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <TeachButton tabId={tabId} />
    </section>
  );
}

/** "Show offrecord where the chat is": starts the element picker in the tab's page. */
function TeachButton({ tabId }: { tabId: number | null }) {
  const [teaching, setTeaching] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const teach = useCallback(() => {
    if (tabId === null) return;
    setError(null);
    tabRequest({ type: 'picker-start', tabId })
      .then(() => setTeaching(true))
      .catch((e: unknown) => setError(message(e)));
  }, [tabId]);
  return (
    <>
      <button type="button" class="primary" disabled={tabId === null} onClick={teach}>
        {t('teachButton')}
      </button>
      {teaching ? (
        <p class="help" role="status">
          {t('teachStarted')}
        </p>
      ) : (
        <p class="help">{t('teachHelp')}</p>
      )}
      {error && (
        <p role="alert" class="error">
          {error}
        </p>
      )}
    </>
  );
}

/** The profile's lines: what each part of the page is, as selectors the user can compare. */
export function ProfileDetails({ profile }: { profile: SiteProfile }) {
  return (
    <dl class="profile-lines">
      {profile.name !== undefined && (
        <>
          <dt>{t('profileName')}</dt>
          <dd>{profile.name}</dd>
        </>
      )}
      {profileLines(profile).map((l) => (
        <Fragment key={l.label}>
          <dt>{t(l.label)}</dt>
          <dd>
            {l.valueKey && <span>{t(l.valueKey)} </span>}
            {l.value !== '' && (l.code ? <code>{l.value}</code> : <span>{l.value}</span>)}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}

function Outcome({ said }: { said: Said }) {
  if (!said) return null;
  return said.ok ? (
    <p role="status">{said.msg}</p>
  ) : (
    <p role="alert" class="error">
      {said.msg}
    </p>
  );
}
