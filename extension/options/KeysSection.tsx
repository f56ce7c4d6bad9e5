// "My keys": the private key of each of my accounts. Generate for an account offrecord has seen
// (picked, never typed; the protocol comes with it), with progress; regenerate and delete only
// after a confirmation that says what changes for buddies.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { Confirm } from '../shared/components/Confirm';
import { ErrorNote } from '../shared/components/ErrorNote';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import type { AccountSeen } from '../shared/messages';
import { ask, type KeyRow, watchKeygen } from './api';
import { message, when } from './parts/Outcome';

type Pending = { kind: 'regenerate' | 'delete'; account: string; protocol: string } | null;
type Shown = { ok: true; msg: string } | { ok: false; msg: string; detail: string } | null;

const accountId = (a: { account: string; protocol: string }) => JSON.stringify([a.account, a.protocol]);

export function KeysSection() {
  const [keys, setKeys] = useState<KeyRow[] | null>(null);
  const [seen, setSeen] = useState<AccountSeen[]>([]);
  const [picked, setPicked] = useState('');
  const [pending, setPending] = useState<Pending>(null);
  const [working, setWorking] = useState<{ account: string; protocol: string } | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [shown, setShown] = useState<Shown>(null);

  const load = useCallback(async () => {
    const [k, s] = await Promise.all([ask({ type: 'keys-list' }), ask({ type: 'accounts-seen' })]);
    setKeys(k);
    setSeen(s);
  }, []);
  useEffect(() => {
    load().catch((e: unknown) => setShown({ ok: false, msg: t('ui_errLoad'), detail: message(e) }));
    // An import (Import and export section) changed the keys.
    const reload = () => void load().catch(() => undefined);
    window.addEventListener('offrecord-keys-changed', reload);
    return () => window.removeEventListener('offrecord-keys-changed', reload);
  }, [load]);
  useEffect(
    () =>
      watchKeygen((ev) => {
        if (working && ev.account === working.account && ev.protocol === working.protocol)
          setProgress(ev.fraction);
      }),
    [working],
  );

  /** Runs a key job with the progress bar, then reloads the table. */
  const run = (target: { account: string; protocol: string }, job: () => Promise<string>) => {
    setWorking(target);
    setProgress(0);
    setShown(null);
    job()
      .then(async (msg) => {
        setShown({ ok: true, msg });
        await load();
      })
      .catch((e: unknown) => setShown({ ok: false, msg: t('ui_errKeyJob'), detail: message(e) }))
      .finally(() => {
        setWorking(null);
        setProgress(null);
      });
  };

  const withoutKey = seen.filter((a) => !(keys ?? []).some((k) => accountId(k) === accountId(a)));
  const choice = withoutKey.find((a) => accountId(a) === picked) ?? withoutKey[0] ?? null;

  const generate = (e: Event) => {
    e.preventDefault();
    if (!choice) return;
    const { account, protocol } = choice;
    run(choice, async () => {
      const r = await ask({ type: 'key-generate', account, protocol });
      return t('keyGenerated', account, r.fingerprint);
    });
  };

  const confirmPending = () => {
    if (!pending) return;
    const { kind, account, protocol } = pending;
    setPending(null);
    if (kind === 'regenerate') {
      run(pending, async () => {
        const r = await ask({ type: 'key-regenerate', account, protocol });
        return t('ui_keyRegenerated', account, r.fingerprint);
      });
    } else {
      run(pending, async () => {
        await ask({ type: 'key-delete', account, protocol });
        return t('ui_keyDeleted', account);
      });
    }
  };

  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title">
        <Icon name="key" size={20} />
        {t('keysTitle')}
      </h2>
      <p class="help">{t('ui_keysHelp')}</p>
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
              <th scope="col">{t('actions')}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((k) => (
              <tr key={accountId(k)} data-account={k.account}>
                <td>{k.account}</td>
                <td>{k.protocol}</td>
                <td>
                  <code class="fp" data-testid="key-fingerprint">
                    {k.fingerprint}
                  </code>
                </td>
                <td>{when(k.created)}</td>
                <td>
                  <button
                    type="button"
                    disabled={working !== null}
                    aria-label={t('ui_keyRegenerateAria', k.account)}
                    onClick={() =>
                      setPending({ kind: 'regenerate', account: k.account, protocol: k.protocol })
                    }
                  >
                    <Icon name="refresh" />
                    {t('ui_keyRegenerate')}
                  </button>
                  <button
                    type="button"
                    disabled={working !== null}
                    aria-label={t('ui_keyDeleteAria', k.account)}
                    onClick={() => setPending({ kind: 'delete', account: k.account, protocol: k.protocol })}
                  >
                    <Icon name="trash" />
                    {t('remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {pending?.kind === 'regenerate' && (
        <Confirm
          title={t('ui_keyRegenerateTitle', pending.account)}
          confirmText={t('ui_keyRegenerateYes')}
          onConfirm={confirmPending}
          onCancel={() => setPending(null)}
          testid="confirm-regenerate"
        >
          <p>{t('ui_keyRegenerateWhat')}</p>
        </Confirm>
      )}
      {pending?.kind === 'delete' && (
        <Confirm
          title={t('ui_keyDeleteTitle', pending.account)}
          confirmText={t('ui_keyDeleteYes')}
          onConfirm={confirmPending}
          onCancel={() => setPending(null)}
          testid="confirm-delete"
        >
          <p>{t('ui_keyDeleteWhat')}</p>
        </Confirm>
      )}
      <h3>{t('generateTitle')}</h3>
      {withoutKey.length === 0 ? (
        <p class="help">{t('ui_keyNoAccounts')}</p>
      ) : (
        <form onSubmit={generate}>
          <label class="field">
            {t('ui_keyAccountPick')}
            <select
              value={choice ? accountId(choice) : ''}
              onChange={(e) => setPicked(e.currentTarget.value)}
            >
              {withoutKey.map((a) => (
                <option key={accountId(a)} value={accountId(a)}>
                  {a.site
                    ? t('ui_keyAccountOn', a.account, a.protocol, a.site)
                    : `${a.account} (${a.protocol})`}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" class="primary" disabled={working !== null || !choice}>
            {t('generate')}
          </button>
        </form>
      )}
      {working !== null && progress !== null && (
        <progress max={1} value={progress} aria-label={t('keygenProgress')} />
      )}
      {shown?.ok === true && <p role="status">{shown.msg}</p>}
      {shown?.ok === false && <ErrorNote text={shown.msg} detail={shown.detail} />}
    </section>
  );
}
