// "Policy per buddy", as pidgin-otr has it: each buddy offrecord knows (an open chat, a known
// fingerprint, a policy set before) may have its own policy, which wins over the site's for
// conversations with that buddy. "Use the site's policy" is the default and removes the buddy's own.

import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import type { BuddyPolicyInfo, BuddyPolicyName } from '../shared/messages';
import { ask, BUDDY_POLICIES, POLICY_TEXT } from './api';
import { message, Outcome, type Said } from './parts/Outcome';

function isBuddyPolicy(x: string): x is BuddyPolicyName {
  return (BUDDY_POLICIES as readonly string[]).includes(x);
}

export function BuddyPolicies() {
  const [rows, setRows] = useState<BuddyPolicyInfo[] | null>(null);
  const [said, setSaid] = useState<Said>(null);

  const load = useCallback(async () => setRows(await ask({ type: 'buddy-policies' })), []);
  useEffect(() => {
    load().catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
  }, [load]);

  const set = (row: BuddyPolicyInfo, policy: string) => {
    if (!isBuddyPolicy(policy)) return;
    const { account, protocol, buddy } = row;
    ask({ type: 'buddy-policy', account, protocol, buddy, policy })
      .then(async () => {
        await load();
        setSaid({
          ok: true,
          msg:
            policy === 'default'
              ? t('ui_buddyPolicyDefaultSaved', buddy)
              : t('policySaved', buddy, t(POLICY_TEXT[policy])),
        });
      })
      .catch((e: unknown) => setSaid({ ok: false, msg: message(e) }));
  };

  return (
    <>
      <h3 id="buddy-policies-title">{t('ui_buddyPoliciesTitle')}</h3>
      <p class="help">{t('ui_buddyPoliciesHelp')}</p>
      {rows === null ? (
        <p>{t('loading')}</p>
      ) : rows.length === 0 ? (
        <p data-testid="no-buddies">{t('ui_noBuddies')}</p>
      ) : (
        <table aria-labelledby="buddy-policies-title" data-testid="buddy-policies">
          <thead>
            <tr>
              <th scope="col">{t('buddy')}</th>
              <th scope="col">{t('account')}</th>
              <th scope="col">{t('policy')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={JSON.stringify([r.account, r.protocol, r.buddy])}>
                <td>{r.buddy}</td>
                <td>{r.account}</td>
                <td>
                  <select
                    aria-label={t('ui_buddyPolicyFor', r.buddy, r.account)}
                    value={r.policy}
                    onChange={(e) => set(r, e.currentTarget.value)}
                  >
                    {BUDDY_POLICIES.map((p) => (
                      <option key={p} value={p}>
                        {t(POLICY_TEXT[p])}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Outcome text={said} />
    </>
  );
}
