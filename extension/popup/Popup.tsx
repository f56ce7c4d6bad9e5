// The popup: the authoritative status of this tab's conversation (I6) and what the user can do
// about it, in pidgin-otr's words. Start / Refresh / End private conversation, Authenticate buddy
// (question and answer, shared secret, manual fingerprint verification), the buddy's SMP
// question first when one waits for an answer, and a changed fingerprint nobody can miss.
//
// The tab: the active tab, or `index.html?tab=N` (tests; see api.ts).

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { Icon } from '../shared/components/Icon';
import { t } from '../shared/i18n';
import { PanicWipe } from '../shared/lock/PanicWipe';
import { UnlockPrompt } from '../shared/lock/Unlock';
import { loadMark, type SecurityMark } from '../shared/mark';
import { SecurityMarkBadge } from '../shared/SecurityMark';
import { sitePatternFor } from '../shared/sites';
import { AnswerQuestion, Authenticate, SmpProgress, SmpResult } from './Auth';
import {
  type Diagnostics,
  increment,
  lockSend,
  type PopupState,
  readStatus,
  type TabInfo,
  tabRequest,
  targetTab,
  watchPushes,
} from './api';
import { BudgetNote } from './BudgetNote';
import { ChangedWarning } from './ChangedWarning';
import { DiagnosticsFooter } from './Diagnostics';
import { LockBar } from './LockBar';
import {
  inferOutcome,
  LEVEL_HELP,
  levelOf,
  looksLikeChat,
  profileBroken,
  profileView,
  type ShownOutcome,
  type StatusLike,
  smpProgress,
} from './model';
import { type Act, NextAction } from './NextAction';
import { PageLinks } from './PageLinks';
import { SiteProfilePanel, StoppedWarning } from './SiteProfile';
import { StatusCard } from './StatusCard';

/** How often the popup re-reads the status while open (pushes make it immediate when they come). */
const POLL_MS = 1000;

export function Popup() {
  const [tab, setTab] = useState<TabInfo | null>(null);
  const [state, setState] = useState<PopupState | null>(null);
  const [diag, setDiag] = useState<Diagnostics | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<ShownOutcome | null>(null);
  const lastSmp = useRef<{ state: string; trust: string } | null>(null);
  const [mark, setMark] = useState<SecurityMark | null>(null);
  useEffect(() => {
    loadMark()
      .then(setMark)
      .catch(() => undefined);
  }, []);

  const refresh = useCallback(async (t0: TabInfo) => {
    const next = await readStatus(t0);
    const st = next.status;
    // The SMP result: a run ended (its state went back to the start). The background reports the
    // outcome when it knows it; otherwise model.inferOutcome works it out where it can.
    const prev = lastSmp.current;
    if (st) {
      if (prev && smpProgress(prev.state) !== null && st.smp.state === 'expect1') {
        setOutcome((o) => (o === 'aborted' ? o : (next.smpOutcome ?? inferOutcome(prev.state, st.trust))));
      } else if (next.smpOutcome) {
        setOutcome(next.smpOutcome);
      }
      lastSmp.current = { state: st.smp.state, trust: st.trust };
    }
    setState(next);
    setDiag(next.diagnostics);
  }, []);

  useEffect(() => {
    let timer: ReturnType<typeof setInterval> | undefined;
    let stopPush: (() => void) | undefined;
    targetTab()
      .then(async (found) => {
        setTab(found);
        await refresh(found);
        const again = () => void refresh(found).catch((e: unknown) => setError(String(e)));
        stopPush = watchPushes(found.id, again);
        timer = setInterval(again, POLL_MS);
      })
      .catch((e: unknown) => setError(String(e)));
    return () => {
      clearInterval(timer);
      stopPush?.();
    };
  }, [refresh]);

  /** Runs one request about this tab, then re-reads the status; errors show in the alert line. */
  const act = useCallback(
    (run: (tabId: number) => Promise<unknown>) => {
      if (!tab || tab.id === null) return;
      const tabId = tab.id;
      setBusy(true);
      setError(null);
      run(tabId)
        .then(() => refresh(tab))
        .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
        .finally(() => setBusy(false));
    },
    [tab, refresh],
  );

  const redraw = () => {
    if (tab) void refresh(tab).catch((e: unknown) => setError(String(e)));
  };

  const enableSite = () => {
    const origin = state?.site?.origin ?? (tab?.url ? new URL(tab.url).origin : null);
    const pattern = origin ? sitePatternFor(origin) : null;
    if (!origin || !pattern || !tab) return;
    // permissions.request must be the first thing the click handler does (user gesture).
    browser.permissions
      .request({ origins: [pattern] })
      .then(async (granted) => {
        if (!granted) {
          setError(t('siteNotGranted'));
          return;
        }
        await tabRequest({ type: 'site-enabled', origin });
        await refresh(tab);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  return (
    <main aria-labelledby="title">
      <header class="popup-header">
        <h1 id="title">
          <Icon name="logo" size={20} class="logo" />
          {t('extName')}
        </h1>
        <SecurityMarkBadge mark={mark} />
      </header>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {state !== null && <UnlockPrompt lock={state.lock} send={lockSend} onChanged={redraw} />}
      {state === null ? (
        <p>{t('connecting')}</p>
      ) : (
        <Body
          state={state}
          tabId={tab?.id ?? null}
          onChanged={() => {
            if (tab) void refresh(tab).catch((e: unknown) => setError(String(e)));
          }}
          busy={busy}
          act={act}
          enableSite={enableSite}
          outcome={outcome}
          clearOutcome={() => setOutcome(null)}
          setAborted={() => setOutcome('aborted')}
        />
      )}
      {state !== null && <LockBar lock={state.lock} send={lockSend} onChanged={redraw} />}
      {state !== null && <PanicWipe send={lockSend} onDone={redraw} />}
      <PageLinks tabId={tab?.id ?? null} />
      {__OFFRECORD_FLAVOR__ === 'test' && diag && (
        <DiagnosticsFooter
          diag={diag}
          onIncrement={() =>
            increment()
              .then(() => (tab ? refresh(tab) : undefined))
              .catch((e: unknown) => setError(String(e)))
          }
        />
      )}
    </main>
  );
}

interface BodyProps {
  state: PopupState;
  tabId: number | null;
  onChanged: () => void;
  busy: boolean;
  act: Act;
  enableSite: () => void;
  outcome: ShownOutcome | null;
  clearOutcome: () => void;
  setAborted: () => void;
}

function Body({
  state,
  tabId,
  onChanged,
  busy,
  act,
  enableSite,
  outcome,
  clearOutcome,
  setAborted,
}: BodyProps) {
  const { site, conversation, status, page } = state;
  if (site === null) return <p class="reason">{t('noWebPage')}</p>;
  if (!site.enabled) {
    return (
      <section aria-label={t('siteSection')}>
        <p>{t('siteNotEnabled', hostOf(site.origin))}</p>
        <button type="button" class="primary" onClick={enableSite}>
          {t('enableSite')}
        </button>
      </section>
    );
  }
  // How offrecord reads a page without a built-in adapter: the guess, the site profile (issue 9).
  const panel = <SiteProfilePanel origin={site.origin} tabId={tabId} page={page} onChanged={onChanged} />;
  const broken = profileBroken(page);
  const warning = broken && page ? <StoppedWarning tabId={tabId} page={page} /> : null;
  if (conversation === null || conversation.kind === 'none' || conversation.peer === null) {
    // On a page that looks like a chat offrecord doesn't know, the panel says so and "no chat
    // open" would only confuse; on one that doesn't look like a chat, that line is the news.
    const unknown =
      profileView(page, null) === 'unknown' && looksLikeChat(page) && (conversation?.reason ?? null) === null;
    return (
      <>
        {warning}
        <section aria-label={t('conversationSection')}>
          <SiteLine origin={site.origin} />
          {!unknown && (
            <p class="reason" role="status">
              {conversation?.reason ?? (broken ? t('profileStoppedReason') : t('noConversation'))}
            </p>
          )}
        </section>
        {panel}
      </>
    );
  }
  if (conversation.kind === 'group') {
    return (
      <section aria-label={t('conversationSection')}>
        <SiteLine origin={site.origin} />
        <p class="reason" role="status">
          {conversation.reason ?? t('groupChat')}
        </p>
      </section>
    );
  }
  const peer = conversation.peer;
  const level = levelOf(status);
  const asked = status?.smp.state === 'question-asked';
  const running = status ? smpProgress(status.smp.state) : null;
  // Private mode refuses to start where the background would refuse it: say why up front.
  const refusal = broken ? (conversation.reason ?? t('profileStoppedReason')) : conversation.reason;
  return (
    <>
      {status?.fingerprintChanged && <ChangedWarning peer={peer} />}
      {warning}
      <BudgetNote counts={state.budget} />
      {status && asked && (
        <AnswerQuestion
          peer={peer}
          question={status.smp.question ?? null}
          busy={busy}
          onAnswer={(secret) => act((tabId) => tabRequest({ type: 'smp-answer', tabId, secret }))}
          onCancel={() => {
            setAborted();
            act((tabId) => tabRequest({ type: 'smp-abort', tabId }));
          }}
        />
      )}
      <StatusCard
        level={level}
        peer={peer}
        account={conversation.account}
        site={hostOf(site.origin)}
        help={levelHelp(level, peer, status)}
        fingerprint={status?.fingerprint ?? null}
      />
      {running !== null && (
        <SmpProgress
          fraction={running}
          peer={peer}
          busy={busy}
          onCancel={() => {
            setAborted();
            act((tabId) => tabRequest({ type: 'smp-abort', tabId }));
          }}
        />
      )}
      {outcome && running === null && !asked && (
        <SmpResult outcome={outcome} peer={peer} trusted={status?.trust !== ''} onDismiss={clearOutcome} />
      )}
      {status?.state === 'encrypted' && running === null && !asked && (
        <Authenticate peer={peer} account={conversation.account} status={status} busy={busy} act={act} />
      )}
      {/* Go private (the one next action when not private), then Refresh / End below verifying. */}
      <NextAction status={status} busy={busy} act={act} refusal={refusal} />
      {panel}
    </>
  );
}

function levelHelp(level: ReturnType<typeof levelOf>, peer: string, status: StatusLike | null): string {
  if (level === 'not-private' && status?.authInProgress) return t('starting', peer);
  if (level === 'not-private' && status?.privateMode) return t('privateModeWaiting', peer);
  return t(LEVEL_HELP[level], peer);
}

function SiteLine({ origin }: { origin: string }) {
  return (
    <dl>
      <dt>{t('site')}</dt>
      <dd>{hostOf(origin)}</dd>
    </dl>
  );
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
