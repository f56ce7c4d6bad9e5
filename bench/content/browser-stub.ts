/**
 * Stands in for `webextension-polyfill` in the content-script bench bundle (bench/content-script.ts):
 * the bench page is a plain web page, where the polyfill refuses to load. ChatCore gets its port
 * from the bench (entry.ts), so only the overlay's `runtime.getURL` (the secure frames' address)
 * is ever called; it points at an empty page of the bench server.
 */
const browser = {
  runtime: {
    getURL(path: string): string {
      return `${location.origin}/blank.html#${encodeURIComponent(path)}`;
    },
    connect(): never {
      throw new Error('bench: no runtime port here (ChatCore gets the bench port)');
    },
  },
};

export default browser;
export type Runtime = { Port: unknown };
