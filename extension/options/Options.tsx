// The options page: a shell of sections a user scans, one file per section, with a table of
// contents. Sections: My keys, Buddies, Sites, Sending pace, Lock, Import and export, About.

import { Icon } from '../shared/components/Icon';
import { type MessageKey, t } from '../shared/i18n';
import type { IconName } from '../shared/icon-shapes';
import { AboutSection } from './AboutSection';
import { BuddiesSection } from './BuddiesSection';
import { ImportExportSection } from './ImportExportSection';
import { KeysSection } from './KeysSection';
import { LockSection } from './LockSection';
import { PacingSettings } from './PacingSettings';
import { SitesSection } from './SitesSection';

/** The table of contents: the id of each section's heading, its title and icon. */
const CONTENTS: { id: string; title: MessageKey; icon: IconName }[] = [
  { id: 'keys-title', title: 'keysTitle', icon: 'key' },
  { id: 'fps-title', title: 'fingerprintsTitle', icon: 'people' },
  { id: 'sites-title', title: 'sitesTitle', icon: 'globe' },
  { id: 'pace-title', title: 'pace_section', icon: 'globe' },
  { id: 'pace-title', title: 'pace_section', icon: 'refresh' },
  { id: 'lock-title', title: 'lock_sectionTitle', icon: 'padlock' },
  { id: 'transfer-title', title: 'ui_transferTitle', icon: 'transfer' },
  { id: 'about-title', title: 'ui_aboutTitle', icon: 'info' },
];

export function Options() {
  return (
    <div class="options-layout">
      <nav class="toc" aria-label={t('ui_optionsContents')}>
        <p class="toc-brand">
          <Icon name="logo" size={24} class="logo" />
          <span>{t('extName')}</span>
        </p>
        <ul>
          {CONTENTS.map((c) => (
            <li key={c.id}>
              <a href={`#${c.id}`}>
                <Icon name={c.icon} />
                {t(c.title)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main class="options" aria-labelledby="options-title">
        <h1 id="options-title">{t('optionsTitle')}</h1>
        <KeysSection />
        <BuddiesSection />
        <SitesSection />
        <PacingSettings />
        <LockSection />
        <ImportExportSection />
        <AboutSection />
      </main>
    </div>
  );
}
