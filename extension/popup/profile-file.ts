// Site-profile files on the user's side (popup and options): reading a picked file (size-checked
// before it is read, parsed and validated here first so the user sees the format's own error
// text and the background never gets a message its validator would drop), and saving an export
// as a download. The link is made with createElement (no HTML strings) and never attached to the page.

import { MAX_PROFILE_BYTES, parseProfile, unparsableSelectors } from '../../src/profile/profile';

/** The file's text when it is a valid profile, else the reason it is not (ProfileError's words). */
export async function readProfileFile(
  file: Blob,
  /** Whose CSS parser checks the selectors: the popup's or options page's own document. */
  doc: Document | undefined = globalThis.document,
): Promise<{ text: string } | { error: string }> {
  if (file.size > MAX_PROFILE_BYTES)
    return { error: `profile file is ${file.size} bytes; at most ${MAX_PROFILE_BYTES} are allowed` };
  const text = await file.text();
  try {
    const profile = parseProfile(text);
    const unparsable = doc ? unparsableSelectors(profile, doc) : [];
    if (unparsable.length > 0) return { error: unparsable[0] as string };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
  return { text };
}

/** Offers `text` as a download named `name` (a Blob behind an <a download>, clicked once). */
export function downloadText(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.click();
  // The browser has taken the blob once the click's download started; free it a little later.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
