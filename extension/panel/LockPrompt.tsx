// The panel's part of the passphrase lock (issue 18): while locked, the unlock prompt above the
// conversation (going private and a buddy's held query wait for it); while unlocked, "Lock now".

import type { LockSend } from '../shared/lock/api';
import { LockNowButton, UnlockForm } from '../shared/lock/Unlock';
import type { LockInfo } from '../shared/messages';

export function LockPrompt({
  lock,
  send,
  onChanged,
}: {
  lock: LockInfo | null;
  send: LockSend;
  onChanged: (l: LockInfo) => void;
}) {
  if (lock?.state !== 'locked') return null;
  return <UnlockForm lock={lock} send={send} onDone={onChanged} />;
}

export function LockNow({
  lock,
  send,
  onChanged,
}: {
  lock: LockInfo | null;
  send: LockSend;
  onChanged: (l: LockInfo) => void;
}) {
  if (lock?.state !== 'unlocked') return null;
  return <LockNowButton send={send} onDone={onChanged} />;
}
