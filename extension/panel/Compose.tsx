// The private compose box. What is typed here belongs to the conversation shown when typing began
// (model.ts Draft): it is sent only there, and only in private mode (held until the AKE completes,
// I2). When it cannot be sent it stays in the box with the reason; it is never silently emptied.

import { t } from '../shared/i18n';
import { LIMITS } from '../shared/messages';

export function Compose(props: {
  text: string;
  /** Why the text stays in the box (already translated), or null. */
  reason: string | null;
  disabled: boolean;
  busy: boolean;
  onInput: (text: string) => void;
  onSend: () => void;
}) {
  return (
    <form
      class="compose"
      onSubmit={(e) => {
        e.preventDefault();
        props.onSend();
      }}
    >
      {props.reason !== null && (
        <p class="reason" data-testid="compose-reason" role="status" id="compose-reason">
          {props.reason}
        </p>
      )}
      <textarea
        data-testid="compose-box"
        name="message"
        aria-label={t('panel_composeLabel')}
        aria-describedby={props.reason !== null ? 'compose-reason' : undefined}
        placeholder={t('panel_composePlaceholder')}
        maxLength={LIMITS.composeText}
        rows={3}
        disabled={props.disabled}
        value={props.text}
        onInput={(e) => props.onInput(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            props.onSend();
          }
        }}
      />
      <button
        type="submit"
        class="primary"
        data-testid="compose-send"
        disabled={props.busy || props.text.length === 0}
      >
        {t('panel_send')}
      </button>
    </form>
  );
}
