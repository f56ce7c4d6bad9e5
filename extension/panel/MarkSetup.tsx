// First use: the security mark offrecord generated, to keep or to change (phrase and colour).
// Shown until the user confirms it; "Change" later in the footer opens it again.

import { useState } from 'preact/hooks';
import { type MessageKey, t } from '../shared/i18n';
import { MARK_COLOURS, MARK_PHRASE_MAX, type MarkColour, type SecurityMark } from '../shared/mark';
import { SecurityMarkBadge } from '../shared/SecurityMark';

const COLOUR_NAME: Record<MarkColour, MessageKey> = {
  teal: 'panel_colourTeal',
  violet: 'panel_colourViolet',
  amber: 'panel_colourAmber',
  rose: 'panel_colourRose',
  blue: 'panel_colourBlue',
  green: 'panel_colourGreen',
  slate: 'panel_colourSlate',
  orange: 'panel_colourOrange',
};

export function MarkSetup(props: { mark: SecurityMark; onSave: (m: SecurityMark) => void }) {
  const [phrase, setPhrase] = useState(props.mark.phrase);
  const [colour, setColour] = useState(props.mark.colour);
  const draft = { phrase: phrase.trim() === '' ? props.mark.phrase : phrase, colour, confirmed: true };
  return (
    <section class="mark-setup" data-testid="mark-setup" aria-labelledby="mark-title">
      <h2 id="mark-title">{t('panel_markSetupTitle')}</h2>
      <p class="help">{t('panel_markSetupHelp')}</p>
      <p>
        <SecurityMarkBadge mark={draft} />
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          props.onSave(draft);
        }}
      >
        <label class="field">
          {t('panel_markPhrase')}
          <input
            type="text"
            data-testid="mark-phrase"
            maxLength={MARK_PHRASE_MAX}
            value={phrase}
            onInput={(e) => setPhrase(e.currentTarget.value)}
          />
        </label>
        <fieldset class="mark-colours">
          <legend>{t('panel_markColour')}</legend>
          {MARK_COLOURS.map((c) => (
            <label key={c} class="swatch" style={{ '--mark-colour': `var(--mark-${c})` }}>
              <input
                type="radio"
                name="mark-colour"
                value={c}
                checked={colour === c}
                aria-label={t(COLOUR_NAME[c])}
                onChange={() => setColour(c)}
              />
            </label>
          ))}
        </fieldset>
        <button type="submit" class="primary" data-testid="mark-accept">
          {t('panel_markKeep')}
        </button>
      </form>
    </section>
  );
}
