// vitest globalSetup of the e2e project: the suites load the BUILT extension, so build every
// flavor once before they run (skipped when nothing changed since the last build).

import { build } from './build.mjs';

export default function setup() {
  const built = build(['--flavor', 'all', '--if-stale', '--quiet']);
  if (built.length > 0) console.log(`e2e setup: built ${built.length} extension folder(s)`);
}
