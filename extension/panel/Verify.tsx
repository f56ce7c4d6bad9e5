// Verifying the buddy from the panel: the popup's three ways (question and answer, shared secret,
// fingerprints), its SMP progress, all bound to the conversation the panel shows.

import { Authenticate, SmpProgress } from '../popup/Auth';
import type { PopupRequest } from '../popup/api';
import { smpProgress } from '../popup/model';
import type { ConversationStatus } from '../shared/messages';

export function Verify(props: {
  status: ConversationStatus;
  peer: string;
  account: string;
  open: boolean;
  busy: boolean;
  act: (run: (tabId: number) => Promise<unknown>) => void;
  request: (body: PopupRequest) => Promise<unknown>;
}) {
  const { status, peer, busy, act, request } = props;
  const running = smpProgress(status.smp.state);
  if (running !== null) {
    return (
      <SmpProgress
        fraction={running}
        peer={peer}
        busy={busy}
        onCancel={() => act((tabId) => request({ type: 'smp-abort', tabId }))}
      />
    );
  }
  if (status.state !== 'encrypted' || status.smp.state === 'question-asked') return null;
  return (
    <Authenticate
      peer={peer}
      account={props.account}
      status={status}
      busy={busy}
      act={act}
      request={request}
      startOpen={props.open}
    />
  );
}
