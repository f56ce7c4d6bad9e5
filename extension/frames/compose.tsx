// The secure compose frame: an extension-origin page mounted over the chat site's compose box.
// What the user types here never enters the page (I1): it goes over this frame's own runtime port
// to the background, which encrypts it (or holds it until the AKE completes, I2).

import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ConversationStatus, LIMITS } from '../shared/messages';
import { FrameClient } from './client';
import { StatusLine, statusKind } from './status';

function Compose() {
  const [status, setStatus] = useState<ConversationStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const client = useRef<FrameClient | null>(null);
  const box = useRef<HTMLTextAreaElement>(null);

  useEffect(() => {
    const c = new FrameClient(
      'compose',
      (r) => {
        setStatus(r.status);
        setError(null);
      },
      (e) => {
        if (e.type === 'status') setStatus(e.status);
      },
      setError,
    );
    client.current = c;
    c.start();
    // The overlay focuses this frame when it mounts; put the caret in the box.
    const focusBox = () => box.current?.focus();
    window.addEventListener('focus', focusBox);
    focusBox();
    return () => {
      window.removeEventListener('focus', focusBox);
      c.close();
    };
  }, []);

  const send = () => {
    const c = client.current;
    if (!c || busy || text.length === 0) return;
    if (text.length > LIMITS.composeText) {
      setError(`too long: at most ${LIMITS.composeText} characters`);
      return;
    }
    setBusy(true);
    c.request({ type: 'compose-send', text })
      .then((r) => {
        setStatus(r.status);
        setText('');
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => {
        setBusy(false);
        box.current?.focus();
      });
  };

  const goPrivate = () => {
    client.current
      ?.request({ type: 'frame-go-private' })
      .then((r) => setStatus(r.status))
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  };

  const kind = statusKind(status);
  return (
    <>
      <div class="bar">
        <StatusLine status={status} error={error} />
      </div>
      <form
        class="compose"
        onSubmit={(e) => {
          e.preventDefault();
          send();
        }}
      >
        <textarea
          ref={box}
          name="message"
          aria-label="Private message"
          placeholder={kind === 'finished' ? 'Private conversation ended' : 'Private message (Enter sends)'}
          maxLength={LIMITS.composeText}
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              send();
            }
          }}
        />
        <button type="submit" disabled={busy || text.length === 0}>
          Send
        </button>
        {kind === 'not-private' || kind === 'finished' ? (
          <button type="button" class="go-private" onClick={goPrivate}>
            Go private
          </button>
        ) : null}
      </form>
    </>
  );
}

const root = document.getElementById('app');
if (root) render(<Compose />, root);
