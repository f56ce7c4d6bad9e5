// Export (the text shown read-only plus a download link) and import (paste or pick a file) of one
// file format, e.g. Pidgin's otr.private_key.

import { useEffect, useState } from 'preact/hooks';
import { t } from '../../shared/i18n';

/** Export: the text shown read-only plus a download link; import: paste or pick a file. */
export function FileBox({
  name,
  exportText,
  onImport,
  busy,
}: {
  name: string;
  exportText: string | null;
  onImport: (text: string) => void;
  busy: boolean;
}) {
  const [text, setText] = useState('');
  const [href, setHref] = useState<string | null>(null);
  useEffect(() => {
    if (exportText === null) return;
    const url = URL.createObjectURL(new Blob([exportText], { type: 'text/plain' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [exportText]);
  return (
    <>
      {exportText !== null && (
        <div>
          <label class="field">
            {t('exported', name)}
            <textarea readOnly rows={6} value={exportText} />
          </label>
          {href && (
            <a href={href} download={name}>
              {t('saveFile', name)}
            </a>
          )}
        </div>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (text.trim() !== '') onImport(text);
        }}
      >
        <label class="field">
          {t('importPaste', name)}
          <textarea rows={4} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </label>
        <label class="field">
          {t('importFile', name)}
          <input
            type="file"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) void f.text().then(setText);
            }}
          />
        </label>
        <button type="submit" disabled={busy || text.trim() === ''}>
          {t('importButton', name)}
        </button>
      </form>
    </>
  );
}
