/** The generic adapter's guesses on three structurally different saved chat pages. */
import { afterEach, describe, expect, it } from 'vitest';
import { guess } from '../../../content-scripts/sites/generic.js';
import { closeWindows, loadPage } from '../profile/load.js';

afterEach(closeWindows);

describe('generic adapter', () => {
  it('The Lounge: the textarea and the message log', () => {
    const doc = loadPage('dom/thelounge/query.html');
    const g = guess(doc);
    expect(g.compose?.element).toBe(doc.querySelector('textarea#input'));
    expect(g.list?.element).toBe(doc.querySelector('.messages[role="log"]'));
    expect(g.confidence).toBeGreaterThan(0.3);
  });

  it('Converse.js: the chat textarea and the message history', () => {
    const doc = loadPage('dom/converse/chat-alice.html');
    const g = guess(doc);
    expect(g.compose?.element).toBe(doc.querySelector('textarea.chat-textarea'));
    expect(g.list?.element).toBe(doc.querySelector('converse-message-history'));
  });

  it('the virtualized fixture page: the contenteditable and the recycled-row container', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const g = guess(doc);
    expect(g.compose?.element).toBe(doc.querySelector('.editor'));
    expect(g.list?.element).toBe(doc.querySelector('#viewport .spacer'));
  });

  it('a focused box wins, and a page without a chat gives no confidence', () => {
    const doc = loadPage('pages/virtual-chat.html');
    const before = guess(doc).compose?.confidence ?? 0;
    (doc.querySelector('.editor') as HTMLElement).focus();
    expect(guess(doc).compose?.confidence ?? 0).toBeGreaterThan(before);
    const signedOut = loadPage('dom/converse/signed-out.html');
    expect(guess(signedOut).confidence).toBeLessThan(0.5);
  });
});
