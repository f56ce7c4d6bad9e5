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

/**
 * A deterministic source for tests only: a xorshift stream from a seed. Never use it for keys.
 */
export function seededRandom(seed: number): RandomSource {
  let s = seed >>> 0 || 0x9e3779b9;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 255;
    }
    return out;
  };
}
