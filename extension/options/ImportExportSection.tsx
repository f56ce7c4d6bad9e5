// "Import and export": my private keys in Pidgin's otr.private_key format. An import that would
// replace a key shows both fingerprints and asks first; an imported key is used at once. An
// exported private key comes with a warning and leaves the screen on its own.

import { useEffect, useState } from 'preact/hooks';
import { base64Decode } from '../../src/crypto/bytes';
import { Confirm } from '../shared/components/Confirm';
import { ErrorNote } from '../shared/components/ErrorNote';
import { Icon } from '../shared/components/Icon';
import { PassphraseField } from '../shared/components/PassphraseField';
import { t } from '../shared/i18n';
import type { KeyExport, KeyImportPreview } from '../shared/messages';
import { ask } from './api';
import { pickedKeyFile, type SentKeyFile } from './key-file-bytes';
import { message } from './parts/Outcome';

const KEY_FILE = 'otr.private_key';
/** How long an exported private key stays on screen. */
export const EXPORT_SHOWN_SECONDS = 60;

type Shown = { ok: true; msg: string } | { ok: false; msg: string; detail: string } | null;

/** Plain words for why a text is not a key file; the parser's own words go behind the disclosure. */
export function keyFileProblem(text: string): string {
  return text.trimStart().startsWith('(privkeys') ? t('ui_errKeyFileBroken') : t('ui_errNotKeyFile');
}

export function ImportExportSection() {
  const [text, setText] = useState('');
  /** What an import sends: the typed text, or a picked file that is not UTF-8 (until edited). */
  const [picked, setPicked] = useState<SentKeyFile | null>(null);
  const [preview, setPreview] = useState<KeyImportPreview[] | null>(null);
  const [exported, setExported] = useState<KeyExport | null>(null);
  const [shown, setShown] = useState<Shown>(null);
  const [busy, setBusy] = useState(false);
  const [exportPass, setExportPass] = useState('');

  const fail = (e: unknown, forText: string) =>
    setShown({ ok: false, msg: t('importFailed', keyFileProblem(forText)), detail: message(e) });

  const sent = (forText: string): SentKeyFile => picked ?? { text: forText, encoding: 'text' };

  const doImport = (forText: string) => {
    setBusy(true);
    ask({ type: 'key-import', ...sent(forText) })
      .then((r) => {
        setShown({ ok: true, msg: t('keysImported', r.imported) });
        setText('');
        setPicked(null);
        setPreview(null);
        // The keys table lives in another section: tell it to read again.
        window.dispatchEvent(new CustomEvent('offrecord-keys-changed'));
      })
      .catch((e: unknown) => fail(e, forText))
      .finally(() => setBusy(false));
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (text.trim() === '') return;
    setShown(null);
    setBusy(true);
    const forText = text;
    ask({ type: 'key-import-preview', ...sent(forText) })
      .then((r) => {
        if (r.keys.some((k) => k.replaces !== null)) setPreview(r.keys);
        else doImport(forText);
      })
      .catch((err: unknown) => fail(err, forText))
      .finally(() => setBusy(false));
  };

  const replacing = preview?.filter((k) => k.replaces !== null) ?? [];

  return (
    <section class="card" aria-labelledby="transfer-title">
      <h2 id="transfer-title">
        <Icon name="transfer" size={20} />
        {t('keysFileTitle')}
      </h2>
      <p class="help">{t('ui_transferHelp')}</p>
      <PassphraseField
        label={t('lock_exportPassphrase')}
        value={exportPass}
        onInput={setExportPass}
        testId="export-passphrase"
      />
      <button
        type="button"
        onClick={() =>
          ask({ type: 'key-export', passphrase: exportPass === '' ? null : exportPass })
            .then(setExported)
            .catch((e: unknown) => setShown({ ok: false, msg: t('ui_errExport'), detail: message(e) }))
        }
      >
        <Icon name="download" />
        {t('exportButton', KEY_FILE)}
      </button>
      {exported !== null && <ExportedKey exported={exported} onHide={() => setExported(null)} />}
      <form onSubmit={submit}>
        <label class="field">
          {t('importPaste', KEY_FILE)}
          <textarea
            rows={4}
            value={text}
            onInput={(e) => {
              setText(e.currentTarget.value);
              setPicked(null);
            }}
          />
        </label>
        <label class="field">
          {t('importFile', KEY_FILE)}
          <input
            type="file"
            onChange={(e) => {
              const f = e.currentTarget.files?.[0];
              if (f) {
                void f.arrayBuffer().then((buf) => {
                  const { shown, send } = pickedKeyFile(new Uint8Array(buf));
                  setText(shown);
                  setPicked(send.encoding === 'base64' ? send : null);
                });
              }
            }}
          />
        </label>
        <button type="submit" disabled={busy || text.trim() === ''}>
          <Icon name="upload" />
          {t('importButton', KEY_FILE)}
        </button>
      </form>
      {replacing.length > 0 && (
        <Confirm
          title={t('ui_importReplaceTitle')}
          confirmText={t('ui_importReplaceYes')}
          onConfirm={() => doImport(text)}
          onCancel={() => {
            setPreview(null);
            setShown({ ok: true, msg: t('ui_importCancelled') });
          }}
          testid="confirm-import"
        >
          <p>{t('ui_importReplaceWhat')}</p>
          {replacing.map((k) => (
            <dl key={`${k.account}\u0000${k.protocol}`} class="replace" data-account={k.account}>
              <dt>{t('account')}</dt>
              <dd>{t('viaAccount', k.account, k.protocol)}</dd>
              <dt>{t('ui_importCurrent')}</dt>
              <dd>
                <code class="fp" data-testid="fp-current">
                  {k.replaces}
                </code>
              </dd>
              <dt>{t('ui_importNew')}</dt>
              <dd>
                <code class="fp" data-testid="fp-new">
                  {k.fingerprint}
                </code>
              </dd>
            </dl>
          ))}
        </Confirm>
      )}
      {shown?.ok === true && <p role="status">{shown.msg}</p>}
      {shown?.ok === false && <ErrorNote text={shown.msg} detail={shown.detail} />}
    </section>
  );
}

/**
 * The exported private key: a warning, the text and a download link, gone after a minute. The
 * download is the file's exact bytes (`file`), not the text shown, which may not be UTF-8.
 */
function ExportedKey({ exported, onHide }: { exported: KeyExport; onHide: () => void }) {
  const [left, setLeft] = useState(EXPORT_SHOWN_SECONDS);
  const [href, setHref] = useState<string | null>(null);
  const { text, file } = exported;
  useEffect(() => {
    const bytes = base64Decode(file);
    if (!bytes) return;
    const url = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'application/octet-stream' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => {
      const remaining = EXPORT_SHOWN_SECONDS - Math.floor((Date.now() - started) / 1000);
      if (remaining <= 0) onHide();
      else setLeft(remaining);
    }, 1000);
    return () => clearInterval(timer);
  }, [onHide]);
  return (
    <div class="exported" data-testid="exported-key">
      <div class="warning" role="alert">
        <h3>
          <Icon name="attention" size={18} />
          {t('ui_exportWarningTitle')}
        </h3>
        <p>{t('ui_exportWarning')}</p>
      </div>
      <label class="field">
        {t('exported', KEY_FILE)}
        <textarea readOnly rows={6} value={text} />
      </label>
      <p class="help" data-testid="export-countdown">
        {t('ui_exportHidesIn', left)}
      </p>
      <div class="button-row">
        {href && (
          <a href={href} download={KEY_FILE}>
            {t('saveFile', KEY_FILE)}
          </a>
        )}
        <button type="button" onClick={onHide}>
          {t('ui_exportHide')}
        </button>
      </div>
    </div>
  );
}
