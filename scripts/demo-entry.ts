// What scripts/demo.mjs (`npm start`) uses, bundled by it with esbuild: the e2e helpers that
// start The Lounge + ngircd and drive the extension in Chromium the way a person does.
export { openSidePanelByCover } from '../test/e2e/lib/headed.js';
export { startLounge } from '../test/e2e/lib/lounge.js';
export { startNgircd } from '../test/e2e/lib/ngircd.js';
export { ensureLounge } from '../test/e2e/lib/node22.js';
export { sideBySide } from '../test/e2e/lib/screens.js';
export {
  composeSend,
  goPrivate,
  openPerson,
  panelPage,
  secureFrame,
  startIrcTap,
  transcript,
  waitForEntry,
  waitForQuery,
  waitForStatus,
} from '../test/e2e/lounge-private-helpers.js';
