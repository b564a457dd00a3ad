/**
 * The routing rule of the cluster, written once: which key an event, a cross-partition message
 * or a statistic is owned by, and which instance owns a key among the live ones (rendezvous
 * hashing). `LocalCluster` (one process) and the daemon's instances (over the bus) both route
 * with it, so the same DN has the same owner in both (docs/architecture.md, "Ownership").
 *
 * @example
 * ```ts
 * import { eventKey, ownerOf, statKey } from "./route.ts";
 * ownerOf(eventKey({ thisDN: "7001" })!, [0, 1]);          // the owner of DN 7001
 * ownerOf(statKey({ type: "Queue", id: "8001" }), [0, 1]);  // its aggregation owner
 * ```
 * @module
 */
import { rendezvousOwner } from "./rendezvous.ts";

/** The key that owns an event (`dn:ID`), or null for an event about no DN (every partition). */
export function eventKey(ev: { thisDN?: unknown }): string | null {
  return typeof ev.thisDN === "string" ? `dn:${ev.thisDN}` : null;
}

/** The key of a statistic's aggregation owner: its object. */
export function statKey(object: { type: string; id: string }): string {
  return `obj:${object.type}:${object.id}`;
}

/** The owner of `key` among `members` (live instance ids). */
export function ownerOf(key: string, members: readonly number[]): number {
  return rendezvousOwner(key, members);
}
