// The side panel: the private conversation of the chat open in the tab it shows (tab.ts). The
// header with the security mark and the status, the transcript with its notices, verification and
// the compose box. Everything here comes from the background over the panel's own port; the page
// never sees any of it (I1).

import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { PopupRequest } from '../popup/api';
import { t } from '../shared/i18n';
import type { LockSend } from '../shared/lock/api';
import { UnlockPrompt } from '../shared/lock/Unlock';
import { loadMark, type SecurityMark, saveMark } from '../shared/mark';
import type {
  ConversationStatus,
  LockInfo,
  PanelHello,
  PushEvent,
  TranscriptEntry,
} from '../shared/messages';
import { Actions } from './Actions';
import { Compose } from './Compose';
import { PanelClient } from './client';
import { Header } from './Header';
import { LockNow } from './LockPrompt';
import { MarkSetup } from './MarkSetup';
import {
  afterSent,
  type Draft,
  EMPTY_DRAFT,
  type InFlight,
  liveQuestionId,
  mergeEntries,
  refusalKey,
  sendBlock,
  sentInTranscript,
  statusKind,
  typed,
} from './model';
import { type Switched, SwitchNotice } from './SwitchNotice';
import { Transcript } from './Transcript';
import { followTab } from './tab';
import { Verify } from './Verify';

export function Panel() {
  const [view, setView] = useState<PanelHello | null>(null);
  const [entries, setEntries] = useState<TranscriptEntry[]>([]);
  const [status, setStatus] = useState<ConversationStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [reason, setReason] = useState<string | null>(null);
  const [switched, setSwitched] = useState<Switched | null>(null);
  const [mark, setMark] = useState<SecurityMark | null>(null);
  const [editMark, setEditMark] = useState(false);
  const [verifyOpen, setVerifyOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [lock, setLock] = useState<LockInfo | null>(null);
  const client = useRef<PanelClient | null>(null);
  // The push handler and hello callback read the latest values through refs.
  const viewRef = useRef<PanelHello | null>(null);
  const draftRef = useRef<Draft>(EMPTY_DRAFT);
  const titleRef = useRef('');
  draftRef.current = draft;
  const inFlight = useRef<InFlight | null>(null);
  /** An unanswered send that the transcript shows as taken leaves the box (never sent twice). */
  const settle = useCallback((conv: string | null, shown: TranscriptEntry[]) => {
    const f = inFlight.current;
    if (f === null || f.conv !== conv || !sentInTranscript(shown, f)) return;
    inFlight.current = null;
    setDraft((d) => afterSent(d, f.text));
    setReason(null);
  }, []);

  const onHello = useCallback(
    (r: PanelHello) => {
      const prev = viewRef.current;
      if (prev && (prev.tabId !== r.tabId || prev.conv !== r.conv)) {
        const d = draftRef.current;
        setSwitched({
          to: r.conversation?.peer ?? null,
          title: titleRef.current,
          kept: d.text !== '' && d.conv !== r.conv,
          keptFor: d.peer,
        });
        setVerifyOpen(false);
      }
      viewRef.current = r;
      client.current
        ?.request({ type: 'lock-state' })
        .then(setLock)
        .catch(() => undefined);
      setView(r);
      setEntries(r.transcript);
      settle(r.conv, r.transcript);
      setStatus(r.status);
      setError(null);
    },
    [settle],
  );

  const onPush = useCallback(
    (e: PushEvent) => {
      if (e.type === 'lock') {
        setLock(e.lock);
        return;
      }
      const v = viewRef.current;
      if (!v) return;
      if (e.type === 'transcript' && e.tabId === v.tabId && e.conv === v.conv) {
        setEntries((old) => mergeEntries(old, e.entries));
        settle(e.conv, e.entries);
      } else if (e.type === 'status' && e.tabId === v.tabId) setStatus(e.status);
      else if (e.type === 'panel-switch' && e.tabId === v.tabId) client.current?.hello();
    },
    [settle],
  );

  useEffect(() => {
    const c = new PanelClient(onHello, onPush, setError);
    client.current = c;
    c.start();
    const stop = followTab(location.search, (tab) => {
      titleRef.current = tab.title;
      c.show(tab.id);
    });
    loadMark()
      .then(setMark)
      .catch(() => undefined);
    return () => {
      stop();
      c.close();
    };
  }, [onHello, onPush]);

  const lockSend: LockSend = useCallback(
    ((body) => {
      const c = client.current;
      return c ? c.request(body as never) : Promise.reject(new Error(t('panel_reasonNoChat')));
    }) as LockSend,
    [],
  );

  const conv = view?.conv ?? null;
  const conversation = view?.conversation ?? null;
  const peer = conversation?.peer ?? null;
  const kind = statusKind(status, conv);

  /** A conversation operation, bound to the conversation shown (refused if the tab changed chat). */
  const bound = useCallback(
    (body: PopupRequest) => {
      const c = client.current;
      if (!c || conv === null) return Promise.reject(new Error(t('panel_reasonNoChat')));
      return c.request({ ...body, conv } as never);
    },
    [conv],
  );
  const act = useCallback(
    (run: (tabId: number) => Promise<unknown>) => {
      if (!view) return;
      setBusy(true);
      setError(null);
      run(view.tabId)
        .then((r) => {
          const st = (r as { status?: ConversationStatus } | null)?.status;
          if (st) setStatus(st);
        })
        .catch((e: unknown) => {
          const msg = e instanceof Error ? e.message : String(e);
          const key = refusalKey(msg);
          setError(key ? t(key) : msg);
        })
        .finally(() => setBusy(false));
    },
    [view],
  );

  const send = () => {
    const c = client.current;
    if (!c || !view || busy || draft.text === '') return;
    const block = sendBlock(draft, conv, status);
    if (block !== null) {
      setReason(t(block, draft.peer ?? peer ?? ''));
      return;
    }
    const text = draft.text;
    const target = draft.conv ?? conv;
    if (target === null) return;
    setBusy(true);
    // Kept until the reply: if the worker stops before replying, the next hello shows whether the
    // message went out (then its text leaves the box) or not (then it stays, with the reason).
    const mine: InFlight = { text, conv: target, since: Date.now() };
    inFlight.current = mine;
    c.request({ type: 'panel-send', tabId: view.tabId, conv: target, text })
      .then((r) => {
        setStatus(r.status);
        // The transcript push comes before the reply and usually settled it already: the text left
        // the box once, and what the user typed since stays.
        if (inFlight.current !== mine) return;
        inFlight.current = null;
        setDraft((d) => afterSent(d, text));
        setReason(null);
      })
      .catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        const key = refusalKey(msg);
        setReason(key ? t(key, draft.peer ?? peer ?? '') : msg);
      })
      .finally(() => setBusy(false));
  };

  const live = draft.text !== '' ? sendBlock(draft, conv, status) : null;
  const shownReason = reason ?? (live !== null ? t(live, draft.peer ?? peer ?? '') : null);

  return (
    <main class="panel" aria-labelledby="panel-title">
      <Header
        mark={mark}
        kind={kind}
        peer={peer}
        account={conversation?.account ?? null}
        site={view?.site ?? null}
        held={status?.held ?? 0}
      />
      {mark && (!mark.confirmed || editMark) && (
        <MarkSetup
          mark={mark}
          onSave={(m) => {
            saveMark(m)
              .then(() => {
                setMark(m);
                setEditMark(false);
              })
              .catch((e: unknown) => setError(String(e)));
          }}
        />
      )}
      <UnlockPrompt lock={lock} send={lockSend} onChanged={setLock} />
      {error && (
        <p class="error" role="alert" data-testid="panel-error">
          {error}
        </p>
      )}
      {view === null ? (
        <p>{t('connecting')}</p>
      ) : conv === null || peer === null ? (
        <p class="reason" data-testid="panel-no-chat" role="status">
          {conversation?.reason ?? t('panel_noChatHelp')}
        </p>
      ) : (
        <>
          <Actions
            status={status}
            busy={busy}
            refusal={conversation?.reason ?? null}
            act={act}
            request={bound}
          />
          <Transcript
            entries={entries}
            status={status}
            peer={peer}
            account={conversation?.account ?? ''}
            liveQuestion={liveQuestionId(entries, status)}
            busy={busy}
            onAnswer={(secret) => act((tabId) => bound({ type: 'smp-answer', tabId, secret }))}
            onDecline={() => act((tabId) => bound({ type: 'smp-abort', tabId }))}
            onVerify={() => setVerifyOpen(true)}
            onRetry={(entryId) => act((tabId) => bound({ type: 'retry-send-tab', tabId, entryId }))}
          />
          {status && (
            <Verify
              status={status}
              peer={peer}
              account={conversation?.account ?? ''}
              open={verifyOpen}
              busy={busy}
              act={act}
              request={bound}
            />
          )}
        </>
      )}
      {switched && <SwitchNotice switched={switched} onDismiss={() => setSwitched(null)} />}
      {view !== null && (
        <Compose
          text={draft.text}
          reason={shownReason}
          disabled={false}
          busy={busy}
          onInput={(text) => {
            setReason(null);
            setDraft((d) => typed(d, text, conv, peer));
          }}
          onSend={send}
        />
      )}
      <footer class="panel-footer">
        <LockNow lock={lock} send={lockSend} onChanged={setLock} />
        <button type="button" class="link" data-testid="mark-change" onClick={() => setEditMark(true)}>
          {t('panel_markChange')}
        </button>
      </footer>
    </main>
  );
}
