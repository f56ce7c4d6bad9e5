// Build-time constants (vite `define`) and crxjs' script-import query.

declare const __OFFRECORD_TARGET__: 'chrome' | 'firefox';
declare const __OFFRECORD_FLAVOR__: 'release' | 'test';

declare module '*?script&iife' {
  /** Extension-relative file name of the self-contained (IIFE) script crxjs emits. */
  const fileName: string;
  export default fileName;
}
