import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Window } from 'happy-dom';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures');
export const windows: Window[] = [];

/** A saved page (path under test/fixtures) as a happy-dom document, scripts not run. */
export function loadPage(path: string): Document {
  const window = new Window({ url: 'http://127.0.0.1:9000/' });
  windows.push(window);
  const parsed = new window.DOMParser().parseFromString(
    readFileSync(join(fixtures, path), 'utf8'),
    'text/html',
  );
  for (const s of parsed.querySelectorAll('script')) s.remove();
  const doc = window.document;
  const imported = doc.importNode(parsed.documentElement, true);
  doc.documentElement.remove();
  doc.appendChild(imported);
  return doc as unknown as Document;
}

export async function closeWindows(): Promise<void> {
  for (const w of windows.splice(0)) await w.happyDOM.close();
}
