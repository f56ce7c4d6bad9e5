// The options' "Sending pace" section: per site, how many lines offrecord sends at once and then
// how often one more (IRC servers disconnect a client that floods them). Empty fields mean the
// site adapter's own default (The Lounge: 4 at once, then one per 1.1 s).

import { useCallback, useEffect, useState } from 'preact/hooks';
import { t } from '../shared/i18n';
import { LIMITS, type Pacing } from '../shared/messages';
import { ask, type SiteRow } from './api';

/** The typed fields as a pacing, null for "the default" (both empty), or 'invalid'. */
export function parsePacing(burst: string, interval: string): Pacing | null | 'invalid' {
  if (burst.trim() === '' && interval.trim() === '') return null;
  const b = Number(burst);
  const i = Number(interval);
  if (!Number.isInteger(b) || b < 1 || b > LIMITS.pacingBurstMax) return 'invalid';
  if (!Number.isInteger(i) || i < 0 || i > LIMITS.pacingIntervalMax) return 'invalid';
  return { burst: b, intervalMs: i };
}

function SitePacing(props: { site: SiteRow; onSaved: () => void }) {
  const { site, onSaved } = props;
  const [burst, setBurst] = useState(site.pacing ? String(site.pacing.burst) : '');
  const [interval, setIntervalText] = useState(site.pacing ? String(site.pacing.intervalMs) : '');
  const [said, setSaid] = useState<{ ok: boolean; msg: string } | null>(null);
  const save = (pacing: Pacing | null) =>
    ask({ type: 'site-pacing', origin: site.origin, pacing })
      .then(() => {
        setSaid({ ok: true, msg: t('pace_saved') });
        onSaved();
      })
      .catch((e: unknown) => setSaid({ ok: false, msg: e instanceof Error ? e.message : String(e) }));
  const submit = (e: Event) => {
    e.preventDefault();
    const p = parsePacing(burst, interval);
    if (p === 'invalid') setSaid({ ok: false, msg: t('pace_invalid') });
    else void save(p);
  };
  const id = `pace-${site.origin.replace(/[^a-z0-9]/gi, '-')}`;
  return (
    <form class="pacing" data-origin={site.origin} onSubmit={submit}>
      <span class="origin">{site.origin}</span>
      <label for={`${id}-burst`}>{t('pace_burst')}</label>
      <input
        id={`${id}-burst`}
        name="burst"
        inputMode="numeric"
        size={4}
        placeholder={t('pace_default')}
        value={burst}
        onInput={(e) => setBurst((e.target as HTMLInputElement).value)}
      />
      <label for={`${id}-interval`}>{t('pace_interval')}</label>
      <input
        id={`${id}-interval`}
        name="interval"
        inputMode="numeric"
        size={6}
        placeholder={t('pace_default')}
        value={interval}
        onInput={(e) => setIntervalText((e.target as HTMLInputElement).value)}
      />
      <button type="submit">{t('pace_save')}</button>
      <button
        type="button"
        onClick={() => {
          setBurst('');
          setIntervalText('');
          void save(null);
        }}
      >
        {t('pace_reset')}
      </button>
      {said ? (
        <span class={said.ok ? 'ok' : 'bad'} role={said.ok ? 'status' : 'alert'}>
          {said.msg}
        </span>
      ) : null}
    </form>
  );
}

export function PacingSettings() {
  const [sites, setSites] = useState<SiteRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    ask({ type: 'sites-list' })
      .then(setSites)
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);
  useEffect(load, []);
  return (
    <section class="card" aria-labelledby="pace-title" data-section="pacing">
      <h2 id="pace-title">{t('pace_section')}</h2>
      <p class="help">{t('pace_help')}</p>
      {error ? <p role="alert">{error}</p> : null}
      {sites !== null && sites.length === 0 ? <p>{t('pace_no_sites')}</p> : null}
      {sites?.map((s) => (
        <SitePacing key={s.origin} site={s} onSaved={load} />
      ))}
    </section>
  );
}
