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
export type {
  Partition,
  PartitionDirectory,
  PartitionFactory,
  PartitionOptions,
} from "./partition.ts";
export { Pump, type PumpOptions, type PumpTarget } from "./pump.ts";
export { hash32, rendezvousOwner } from "./rendezvous.ts";
export { eventKey, ownerOf, statKey } from "./route.ts";
export { isSampled, MergedSampler } from "./sampler.ts";
export { MAX_EVENT_TIME_SEC, TimeGate, type TimeGateOptions } from "./time_gate.ts";
