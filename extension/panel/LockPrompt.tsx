// The panel's "Lock now" while unlocked (issue 18); while locked it shows the shared UnlockPrompt.

import type { LockSend } from '../shared/lock/api';
import { LockNowButton } from '../shared/lock/Unlock';
import type { LockInfo } from '../shared/messages';

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
