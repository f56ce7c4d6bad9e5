// A question asked in place before something that cannot be undone: what will change, and two
// buttons. The confirming button says what it does ("Replace the key"), never just "OK".

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n';

export function Confirm({
  title,
  children,
  confirmText,
  onConfirm,
  onCancel,
  danger = true,
  testid,
}: {
  title: string;
  children?: ComponentChildren;
  confirmText: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
  testid?: string;
}) {
  const first = useRef<HTMLButtonElement>(null);
  // The question takes the focus, so keyboard and screen-reader users meet it at once.
  useEffect(() => first.current?.focus(), []);
  return (
    <div class="confirm" role="alertdialog" aria-label={title} data-testid={testid}>
      <p class="confirm-title">
        <strong>{title}</strong>
      </p>
      {children}
      <div class="button-row">
        <button type="button" ref={first} onClick={onCancel}>
          {t('cancel')}
        </button>
        <button type="button" class={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmText}
        </button>
      </div>
    </div>
  );
}
