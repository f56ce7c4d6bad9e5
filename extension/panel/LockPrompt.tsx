// The panel's "Lock now" while unlocked (issue 18); while locked it shows the shared UnlockPrompt.

import { type LockControlProps, LockNowButton } from '../shared/lock/Unlock';

export function LockNow({ lock, send, onChanged }: LockControlProps) {
  if (lock?.state !== 'unlocked') return null;
  return <LockNowButton send={send} onDone={onChanged} />;
}
