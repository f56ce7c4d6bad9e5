// The popup's pure site-profile logic: which state it shows for a page report, the guess as a
// percentage, the export file name, the profile's lines; and reading a picked file (size first,
// then the format's own error text).

import { Window } from 'happy-dom';
import { describe, expect, it } from 'vitest';
import {
  guessPercent,
  looksLikeChat,
  type PageLike,
  type ProfileLike,
  profileBroken,
  profileFileName,
  profileLines,
  profileView,
} from '../../../extension/popup/model';
import { readProfileFile } from '../../../extension/popup/profile-file';
import { MAX_PROFILE_BYTES, serializeProfile } from '../../../src/profile/profile';

const guess = { confidence: 0.8, reasons: ['a textarea'] };
const fits = { ok: true, problems: [], rows: 4 };
const broke = { ok: false, problems: ['selectors.list matches nothing'], rows: 0 };
const page = (
  adapter: string | null,
  profile: PageLike['profile'],
  g: PageLike['guess'] = null,
): PageLike => ({
  adapter,
  profile,
  guess: g,
});

const PROFILE: ProfileLike = {
  site: 'http://127.0.0.1:8000',
  selectors: { compose: '#compose', list: '#log', row: '.row', text: '.body', peer: 'header .buddy' },
  senderAttribute: 'data-from',
  idAttribute: 'data-id',
  own: { match: 'descendant', selector: '.mine' },
  send: { button: 'button.send' },
  maxMessageLength: 2000,
};

describe('popup model: site profiles', () => {
  it('tells a built-in adapter, an unknown page, a fitting, a broken and an unchecked profile apart', () => {
    expect(profileView(null, null)).toBeNull();
    expect(profileView(null, false)).toBeNull();
    expect(profileView(null, true)).toBe('profile-unchecked');
    expect(profileView(page('thelounge', null), null)).toBe('adapter');
    // A built-in adapter wins even where a profile is saved for the site.
    expect(profileView(page('converse', broke), true)).toBe('adapter');
    expect(profileView(page(null, null, guess), null)).toBe('unknown');
    expect(profileView(page(null, null, guess), false)).toBe('unknown');
    expect(profileView(page('profile', fits), null)).toBe('profile-ok');
    expect(profileView(page('profile', broke), true)).toBe('profile-broken');
    expect(profileView(page(null, broke), null)).toBe('profile-broken');
    // Saved (the background says so) but the page has not checked it yet.
    expect(profileView(page(null, null, guess), true)).toBe('profile-unchecked');
    // Removed (the background says none) while the page still reports the old fit: unknown.
    expect(profileView(page('profile', fits), false)).toBe('unknown');
  });

  it('refuses private mode only for a profile that reads the page and stopped matching', () => {
    expect(profileBroken(null)).toBe(false);
    expect(profileBroken(page('profile', fits))).toBe(false);
    expect(profileBroken(page('profile', broke))).toBe(true);
    expect(profileBroken(page(null, broke))).toBe(true);
    expect(profileBroken(page('minichat', broke))).toBe(false);
    expect(profileBroken(page(null, null, guess))).toBe(false);
  });

  it('shows the guess as a whole percentage, clamped', () => {
    expect(guessPercent(0.724)).toBe(72);
    expect(guessPercent(0.725)).toBe(73);
    expect(guessPercent(0)).toBe(0);
    expect(guessPercent(1)).toBe(100);
    expect(guessPercent(7)).toBe(100);
    expect(guessPercent(-1)).toBe(0);
    expect(guessPercent(Number.NaN)).toBe(0);
  });

  it('leads with the guess only when it is at least even', () => {
    expect(looksLikeChat(null)).toBe(false);
    expect(looksLikeChat(page(null, null))).toBe(false);
    expect(looksLikeChat(page(null, null, { confidence: 0.494, reasons: [] }))).toBe(false);
    expect(looksLikeChat(page(null, null, { confidence: 0.5, reasons: [] }))).toBe(true);
    expect(looksLikeChat(page(null, null, guess))).toBe(true);
  });

  it('names the export file after the host, without characters file systems refuse', () => {
    expect(profileFileName('https://chat.example.org')).toBe('offrecord-profile-chat.example.org.json');
    expect(profileFileName('http://127.0.0.1:8000')).toBe('offrecord-profile-127.0.0.1_8000.json');
    expect(profileFileName('http://[::1]:8000')).toBe('offrecord-profile-___1__8000.json');
    expect(profileFileName('not a url')).toBe('offrecord-profile-site.json');
  });

  it('lists every part of the profile once, the sender by selector or else by attribute', () => {
    const lines = profileLines(PROFILE);
    expect(lines.map((l) => [l.label, l.value, l.valueKey ?? null])).toEqual([
      ['profileCompose', '#compose', null],
      ['profileList', '#log', null],
      ['profileRow', '.row', null],
      ['profileText', '.body', null],
      ['profileSenderAttribute', 'data-from', null],
      ['profilePeer', 'header .buddy', null],
      ['profileIdAttribute', 'data-id', null],
      ['profileOwn', '.mine', 'profileOwnDescendant'],
      ['profileSend', 'button.send', 'profileSendButton'],
      ['profileMaxLength', '2000', null],
    ]);
    const minimal = profileLines({
      site: PROFILE.site,
      selectors: { compose: 'textarea', list: '#log', row: '.row', sender: '.who' },
      own: { match: 'row', selector: '.me' },
      send: 'enter',
    });
    expect(minimal.map((l) => [l.label, l.value, l.valueKey ?? null])).toEqual([
      ['profileCompose', 'textarea', null],
      ['profileList', '#log', null],
      ['profileRow', '.row', null],
      ['profileSender', '.who', null],
      ['profileOwn', '.me', 'profileOwnRow'],
      ['profileSend', '', 'profileSendEnter'],
      ['profileMaxLength', '', 'profileNoLimit'],
    ]);
  });
});

describe('reading a picked profile file', () => {
  const good = serializeProfile({
    format: 'offrecord-site-profile',
    version: 1,
    site: 'http://127.0.0.1:8000',
    selectors: { compose: 'textarea', list: '#log', row: '.row' },
    own: { match: 'row', selector: '.me' },
    send: 'enter',
  });

  it('gives the text of a valid file unchanged', async () => {
    expect(await readProfileFile(new Blob([good]))).toEqual({ text: good });
  });

  it("says what is wrong with a bad file in the format's own words", async () => {
    expect(await readProfileFile(new Blob(['not json']))).toEqual({
      error: 'profile file is not valid JSON',
    });
    expect(await readProfileFile(new Blob([good.replace('"textarea"', '"javascript:x()"')]))).toEqual({
      error: 'selectors.compose looks like script, not a selector',
    });
  });

  it("refuses a selector the page's CSS parser refuses, naming it", async () => {
    const window = new Window();
    try {
      const doc = window.document as unknown as Document;
      expect(await readProfileFile(new Blob([good]), doc)).toEqual({ text: good });
      const bad = JSON.parse(good) as { selectors: { row: string } };
      bad.selectors.row = 'div >> p';
      expect(await readProfileFile(new Blob([JSON.stringify(bad)]), doc)).toEqual({
        error: 'selectors.row "div >> p" is not a valid CSS selector',
      });
    } finally {
      await window.happyDOM.close();
    }
  });

  it('refuses an oversized file by its size, before reading it', async () => {
    const big = new Blob([good, ' '.repeat(MAX_PROFILE_BYTES)]);
    let read = false;
    const spy = Object.assign(big, {
      text: () => {
        read = true;
        return Blob.prototype.text.call(big);
      },
    });
    expect(await readProfileFile(spy)).toEqual({
      error: `profile file is ${big.size} bytes; at most ${MAX_PROFILE_BYTES} are allowed`,
    });
    expect(read).toBe(false);
  });
});
