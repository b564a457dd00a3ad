/**
 * Rendezvous (highest-random-weight) hashing: the owner of a key among live instances. When an
 * instance leaves, only the keys it owned move; when one joins, it takes about 1/n of the keys.
 *
 * @example
 * ```ts
 * import { rendezvousOwner } from "./rendezvous.ts";
 * rendezvousOwner("dn:7001", [0, 1, 2]); // one of 0, 1, 2 — always the same for this key and set
 * ```
 * @module
 */

/** 32-bit FNV-1a of a string's UTF-16 code units, then a murmur3 finaliser for avalanche. */
export function hash32(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
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

/**
 * The instance (from `instances`, e.g. live instance ids) with the highest weight for `key`.
 * Ties go to the lower id, so the result does not depend on the order of `instances`.
 *
 * @example
 * ```ts
 * rendezvousOwner("agent:agent001", [2, 0, 1]) === rendezvousOwner("agent:agent001", [0, 1, 2]); // true
 * ```
 */
export function rendezvousOwner(key: string, instances: readonly number[]): number {
  if (instances.length === 0) throw new RangeError("rendezvousOwner: no instances");
  const base = hash32(key);
  let best = -1;
  let bestW = -1;
  for (const id of instances) {
    const w = hash32(String(id), base);
    if (w > bestW || (w === bestW && id < best)) {
      bestW = w;
      best = id;
    }
  }
  return best;
}
