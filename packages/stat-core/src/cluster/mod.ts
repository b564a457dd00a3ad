/**
 * Cluster helpers that are pure logic: rendezvous ownership and an in-process cluster of engine
 * partitions (the daemon does the same across processes over the bus).
 *
 * @example
 * ```ts
 * import { LocalCluster, rendezvousOwner } from "./mod.ts";
 * ```
 * @module
 */
export { LocalCluster, type LocalClusterOptions } from "./local.ts";
export { hash32, rendezvousOwner } from "./rendezvous.ts";
