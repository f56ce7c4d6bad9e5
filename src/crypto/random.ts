/**
 * Randomness is injected everywhere: engine code takes a RandomSource, so tests can be
 * deterministic and the same code runs in Node and in the extension's worker.
 */
export type RandomSource = (length: number) => Uint8Array;

/** The platform's CSPRNG (Web Crypto; present in Node 20 and in every extension context). */
export const cryptoRandom: RandomSource = (length) => {
  const out = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let off = 0; off < length; off += 65536) {
    globalThis.crypto.getRandomValues(out.subarray(off, Math.min(length, off + 65536)));
  }
  return out;
};
