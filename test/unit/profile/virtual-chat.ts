// Shared by the unit tests that work on the virtual-chat fixture page (the picker's derivation, the
// profile adapter, the content script's core): the element query they all use and the profile the
// picker makes of that page from its three picks.

import { deriveProfile } from '../../../content-scripts/picker/derive.js';
import type { SiteProfile } from '../../../src/profile/profile.js';
import { loadPage } from './load.js';

/** The origin the fixture pages are loaded at (load.ts), and the profiles made on them are for. */
export const FIXTURE_SITE = 'http://127.0.0.1:9000';

/** The `index`th element matching `sel`; throws when there is none. */
export function q(doc: Document, sel: string, index = 0): Element {
  const el = doc.querySelectorAll(sel)[index];
  if (!el) throw new Error(`no ${sel}[${index}]`);
  return el;
}

/**
 * test/fixtures/pages/virtual-chat.html (contenteditable compose, recycled rows) and the profile
 * deriveProfile makes of it from the picks a user would make: the editor, a buddy's message body,
 * one's own message body.
 */
export function virtualChat(): { doc: Document; profile: SiteProfile } {
  const doc = loadPage('pages/virtual-chat.html');
  const profile = deriveProfile(
    doc,
    {
      compose: q(doc, '.editor'),
      buddyMessage: q(doc, '.bubble.in p.body'),
      ownMessage: q(doc, '.bubble.out p.body'),
    },
    FIXTURE_SITE,
  );
  return { doc, profile };
}
