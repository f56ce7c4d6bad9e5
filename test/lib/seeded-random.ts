import type { RandomSource } from '../../src/crypto/random';

/**
 * A deterministic RandomSource for tests only: a xorshift stream from a seed. Never for keys;
 * it lives under test/ so that no engine code can reach it.
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
