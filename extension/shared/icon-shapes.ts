// The shapes of offrecord's icons, as SVG path data on a 32×32 grid: one source for the inline
// icons of the pages (components/Icon.tsx) and the toolbar PNGs (scripts/icons.ts rasterizes them).
//
// Must stay true: the five status shapes differ in silhouette, not only in colour — open padlock
// (not private), closed padlock with a question mark (unverified), shield with a tick (private),
// octagon with a bar (finished), triangle with an exclamation mark (needs attention).

export interface ShapePart {
  d: string;
  /** 'fill': the shape's colour; 'cut': drawn in the contrast colour (white on the solid shape). */
  paint: 'fill' | 'stroke' | 'cut' | 'cut-stroke';
}

export type StatusShape = 'not-private' | 'unverified' | 'private' | 'finished' | 'attention';

export type IconName =
  | StatusShape
  | 'logo'
  | 'padlock'
  | 'panel'
  | 'settings'
  | 'help'
  | 'key'
  | 'people'
  | 'globe'
  | 'transfer'
  | 'info'
  | 'refresh'
  | 'stop'
  | 'check'
  | 'download'
  | 'upload'
  | 'trash'
  | 'search'
  | 'external';

const LOCK_BODY =
  'M6 14.5a2.5 2.5 0 0 1 2.5-2.5h15a2.5 2.5 0 0 1 2.5 2.5v12a2.5 2.5 0 0 1-2.5 2.5h-15A2.5 2.5 0 0 1 6 26.5z';

export const SHAPES: Record<IconName, ShapePart[]> = {
  // Open padlock: the shackle lifted off to the left.
  'not-private': [
    { d: 'M10 12V8.5a6 6 0 0 1 11.6-2.2', paint: 'stroke' },
    { d: LOCK_BODY, paint: 'fill' },
    { d: 'M16 18.5v4', paint: 'cut-stroke' },
  ],
  // Closed padlock with a question mark.
  unverified: [
    { d: 'M10 12V9a6 6 0 0 1 12 0v3', paint: 'stroke' },
    { d: LOCK_BODY, paint: 'fill' },
    { d: 'M13.6 17.6a2.5 2.5 0 1 1 3.6 2.2c-.8.4-1.2.9-1.2 1.7v.5', paint: 'cut-stroke' },
    { d: 'M16 24.2a1.3 1.3 0 1 0 0 2.6a1.3 1.3 0 1 0 0-2.6z', paint: 'cut' },
  ],
  // Shield with a tick.
  private: [
    { d: 'M16 2.5 27.5 6.5V15c0 7.3-4.9 12.6-11.5 15-6.6-2.4-11.5-7.7-11.5-15V6.5z', paint: 'fill' },
    { d: 'M10.5 16l4 4 7-8', paint: 'cut-stroke' },
  ],
  // Octagon with a bar: the conversation was ended.
  finished: [
    { d: 'M10.6 3h10.8L29 10.6v10.8L21.4 29H10.6L3 21.4V10.6z', paint: 'fill' },
    { d: 'M10 16h12', paint: 'cut-stroke' },
  ],
  // Triangle with an exclamation mark: an authentication request, a changed key.
  attention: [
    { d: 'M14.3 4.2a2 2 0 0 1 3.4 0l12 21A2 2 0 0 1 28 28.2H4a2 2 0 0 1-1.7-3z', paint: 'fill' },
    { d: 'M16 11.5v7.5', paint: 'cut-stroke' },
    { d: 'M16 22.2a1.4 1.4 0 1 0 0 2.8a1.4 1.4 0 1 0 0-2.8z', paint: 'cut' },
  ],
  // Speech bubble with a padlock: offrecord.
  logo: [
    {
      d: 'M6 4h20a4 4 0 0 1 4 4v13a4 4 0 0 1-4 4H14l-7 5v-5H6a4 4 0 0 1-4-4V8a4 4 0 0 1 4-4z',
      paint: 'fill',
    },
    { d: 'M12.5 13v-2a3.5 3.5 0 0 1 7 0v2', paint: 'cut-stroke' },
    { d: 'M11 13.5h10v7H11z', paint: 'cut' },
  ],
  padlock: [
    { d: 'M10 12V9a6 6 0 0 1 12 0v3', paint: 'stroke' },
    { d: LOCK_BODY, paint: 'fill' },
  ],
  panel: [
    { d: 'M4 6h24v20H4z', paint: 'stroke' },
    { d: 'M20 6v20', paint: 'stroke' },
  ],
  settings: [
    { d: 'M16 11a5 5 0 1 0 0 10a5 5 0 1 0 0-10z', paint: 'stroke' },
    {
      d: 'M16 3v4M16 25v4M3 16h4M25 16h4M6.8 6.8l2.8 2.8M22.4 22.4l2.8 2.8M6.8 25.2l2.8-2.8M22.4 9.6l2.8-2.8',
      paint: 'stroke',
    },
  ],
  help: [
    { d: 'M16 3a13 13 0 1 0 0 26a13 13 0 1 0 0-26z', paint: 'stroke' },
    { d: 'M12.5 12.5a3.5 3.5 0 1 1 5 3.2c-1 .5-1.5 1.2-1.5 2.3v1', paint: 'stroke' },
    { d: 'M16 22.5a1.3 1.3 0 1 0 0 2.6a1.3 1.3 0 1 0 0-2.6z', paint: 'fill' },
  ],
  key: [
    { d: 'M11 10a6 6 0 1 0 0 12a6 6 0 1 0 0-12z', paint: 'stroke' },
    { d: 'M17 16h12M25 16v5M21 16v3', paint: 'stroke' },
  ],
  people: [
    {
      d: 'M12 6a4.5 4.5 0 1 0 0 9a4.5 4.5 0 1 0 0-9zM3.5 27c0-5 3.8-8.5 8.5-8.5s8.5 3.5 8.5 8.5',
      paint: 'stroke',
    },
    { d: 'M21.5 7.5a4 4 0 0 1 0 7.5M23.5 19c3 1 5 3.8 5 8', paint: 'stroke' },
  ],
  globe: [
    { d: 'M16 3a13 13 0 1 0 0 26a13 13 0 1 0 0-26z', paint: 'stroke' },
    { d: 'M3 16h26M16 3c-4 4-4 22 0 26M16 3c4 4 4 22 0 26', paint: 'stroke' },
  ],
  transfer: [{ d: 'M5 11h20l-5-5M27 21H7l5 5', paint: 'stroke' }],
  info: [
    { d: 'M16 3a13 13 0 1 0 0 26a13 13 0 1 0 0-26z', paint: 'stroke' },
    { d: 'M16 14v9', paint: 'stroke' },
    { d: 'M16 8.2a1.4 1.4 0 1 0 0 2.8a1.4 1.4 0 1 0 0-2.8z', paint: 'fill' },
  ],
  refresh: [{ d: 'M26 16a10 10 0 1 1-3-7.1M26 4v6h-6', paint: 'stroke' }],
  stop: [{ d: 'M7 7h18v18H7z', paint: 'stroke' }],
  check: [{ d: 'M6 16.5l6.5 6.5L26 9.5', paint: 'stroke' }],
  download: [{ d: 'M16 4v16M9 13l7 7 7-7M5 27h22', paint: 'stroke' }],
  upload: [{ d: 'M16 21V5M9 12l7-7 7 7M5 27h22', paint: 'stroke' }],
  trash: [{ d: 'M5 8h22M12 8V5h8v3M8 8l1.5 19h13L24 8M13.5 13v9M18.5 13v9', paint: 'stroke' }],
  search: [{ d: 'M13.5 4a9.5 9.5 0 1 0 0 19a9.5 9.5 0 1 0 0-19zM20.5 20.5 28 28', paint: 'stroke' }],
  external: [{ d: 'M18 4h10v10M28 4 15 17M24 19v8H5V8h8', paint: 'stroke' }],
};

/** Stroke width on the 32-unit grid (thick enough to survive 16 px). */
export const STROKE = 3;
