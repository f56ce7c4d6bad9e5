// The secure transcript frame: an extension-origin page mounted over the chat site's message
// list. It shows the decrypted conversation (I1: plaintext only in extension pages), each line
// with its sender, time, and whether it was private; held / not-sent lines are marked.
// The background is the source of truth: on every (re)connect the whole transcript is reloaded.

import { render } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { DeliveryState } from '../shared/delivery/DeliveryState';
import { SiteError } from '../shared/delivery/SiteError';
import type { ConversationStatus, TranscriptEntry } from '../shared/messages';
import { FrameClient } from './client';
import { mergeEntries } from './entries';
import { StatusLine } from './status';

function time(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

function Entry(props: { e: TranscriptEntry; onRetry: (entryId: string) => void }) {
  const { e, onRetry } = props;
  return (
    <li class={e.dir} data-dir={e.dir} data-encrypted={String(e.encrypted)} data-state={e.status ?? 'sent'}>
      <span class="meta">{time(e.at)}</span>
      <span class="who">{e.dir === 'out' ? 'you' : 'buddy'}</span>
      <span class="text">{e.text}</span>
      {e.encrypted ? null : <span class="plain">not private</span>}
      <DeliveryState entry={e} onRetry={onRetry} />
    </li>
  );
}

function Transcript() {
  const [status, setStatus] = useState<ConversationStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [entries, setEntries] = useState<TranscriptEntry[]>([]);
  const list = useRef<HTMLOListElement>(null);
  const client = useRef<FrameClient | null>(null);

  useEffect(() => {
    const c = new FrameClient(
      'transcript',
      (r) => {
        setStatus(r.status);
        setEntries(r.transcript);
        setError(null);
      },
      (e) => {
        if (e.type === 'status') setStatus(e.status);
        else if (e.type === 'transcript') setEntries((old) => mergeEntries(old, e.entries));
      },
      setError,
    );
    client.current = c;
    c.start();
    return () => c.close();
  }, []);

  const retry = (entryId: string) => {
    client.current
      ?.request({ type: 'retry-send', entryId })
      .then((r) => setStatus(r.status))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  // Keep the newest line in view.
  useLayoutEffect(() => {
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [entries]);

  return (
    <>
      <StatusLine status={status} error={error} />
      <SiteError status={status} />
      <ol class="transcript" ref={list} aria-live="polite">
        {entries.map((e) => (
          <Entry key={`${e.dir}:${e.id}`} e={e} onRetry={retry} />
        ))}
      </ol>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<Transcript />, root);
