/**
 * @module sim/prng
 * Deterministic hashing for the simulated fleet. Everything the simulator invents (roles, grains,
 * package versions, presence, pids) is a pure function of the seed and a few names, so two
 * simulators with the same seed agree byte for byte and nothing needs to be stored per minion.
 */

/** FNV-1a over the joined parts, then an avalanche mix; returns an unsigned 32-bit integer. */
export function hash32(...parts: Array<string | number>): number {
  const s = parts.join('\u0001');
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A value in [0, 1) derived from the parts. */
export function unit(...parts: Array<string | number>): number {
  return hash32(...parts) / 0x1_0000_0000;
}

/** Picks an element of a non-empty array by hash. */
export function pick<T>(items: readonly T[], h: number): T {
  return items[h % items.length];
}

/** Hex string of `length` characters derived from the parts (used for ids, fingerprints, tokens-like values). */
export function hexFrom(length: number, ...parts: Array<string | number>): string {
  let out = '';
  let i = 0;
  while (out.length < length) out += hash32(...parts, i++).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

/** A Salt-style key fingerprint: 32 colon-separated hex bytes. */
export function fingerprint(...parts: Array<string | number>): string {
  return hexFrom(64, 'finger', ...parts).match(/../g)!.join(':');
}
