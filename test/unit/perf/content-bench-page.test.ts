/**
 * The content-script bench (bench/content-script.ts) times The Lounge's adapter on a generated
 * page: that page must be one the adapter fully understands (a one-to-one query, 5,000 readable
 * rows with distinct ids), or the bench would time a content script that found nothing.
 */
import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import { bundle, CONTENT_ROWS, loungePage } from '../../../bench/content-script';
import { theLounge } from '../../../content-scripts/sites/thelounge';

describe('content-script bench page', () => {
  it('is a The Lounge query with 5,000 rows the adapter reads, each once', () => {
    const window = new Window({ url: 'http://127.0.0.1/' });
    try {
      const doc = window.document as unknown as Document;
      doc.write(loungePage(CONTENT_ROWS));
      expect(theLounge.detect(doc)).toBe(true);
      expect(theLounge.conversation(doc)).toEqual({ kind: 'query', peer: 'carol' });
      expect(theLounge.composeBox(doc)).not.toBeNull();
      const rows = theLounge.messageRows(doc);
      expect(rows.length).toBe(CONTENT_ROWS);
      const ids = new Set<string>();
      let own = 0;
      for (const row of rows) {
        const m = theLounge.readMessage(row);
        expect(m).not.toBeNull();
        ids.add(m?.id ?? '');
        if (m?.own) own++;
      }
      expect(ids.size).toBe(CONTENT_ROWS);
      expect(own).toBe(CONTENT_ROWS / 2);
    } finally {
      void window.happyDOM.close();
    }
  });

  it('the content script bundles for the page (esbuild, webextension-polyfill stubbed)', async () => {
    const js = await bundle();
    expect(js).toContain('offrecordBench');
    expect(js).not.toContain('This script should only be loaded in a browser extension');
  });
});
