// A counter persisted in storage.local: the foundation's proof that a popup click reaches the
// worker and that state survives a worker restart. Increments are serialized.

import browser from 'webextension-polyfill';

const KEY = 'counter';

async function read(): Promise<number> {
  const got = await browser.storage.local.get(KEY);
  const v = got[KEY];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : 0;
}

let chain: Promise<unknown> = Promise.resolve();

export function getCounter(): Promise<number> {
  return chain.then(read);
}

export function incrementCounter(): Promise<number> {
  const next = chain.then(async () => {
    const v = (await read()) + 1;
    await browser.storage.local.set({ [KEY]: v });
    return v;
  });
  chain = next.catch(() => undefined);
  return next;
}
