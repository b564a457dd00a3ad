/**
 * The partition port: everything a driver (`LocalCluster`, `statd replay`, `statd watch`, the
 * daemon's instances) asks of one engine partition. The daemon holds a `Partition`, never an
 * `Engine`, so a faster engine that implements this interface replaces the current one without
 * touching the daemon (docs/architecture.md, "The partition port").
 *
 * @example
 * ```ts
 * import type { Partition, PartitionFactory } from "./partition.ts";
 * const make: PartitionFactory = (o) => new Engine(o);
 * const p: Partition = make({ config, clock, startMs, owns: (key) => owner(key) === self });
 * p.ingest(ev); for (const m of p.drainOutbox()) route(m);
 * ```
 * @module
 */
import type { EngineConfig, TEvent } from "../definitions.ts";
import type { Clock } from "../engine/clock.ts";
import type { StatPartial } from "../engine/partial.ts";
import type { CrossMessage, EngineError, IngestResult, Opened, OpenRequest } from "../engine/types.ts";

/** The directory as a partition exposes it (object → tenant). */
export interface PartitionDirectory {
  obj(type: string, id: string): { type: string; id: string; tenant: string } | undefined;
  readonly objs: ReadonlyMap<string, { type: string; id: string; tenant: string }>;
}

/** One engine partition. */
export interface Partition {
  readonly dir: PartitionDirectory;
  /** apply one event (owned DN, or an event about no DN) */
  ingest(ev: TEvent): IngestResult;
  /** apply a message another partition sent to a key this one owns */
  deliver(m: CrossMessage): IngestResult;
  /** messages for keys other partitions own, produced since the last call */
  drainOutbox(): CrossMessage[];
  open(req: OpenRequest): Opened | EngineError;
  close(statId: number): boolean;
  /** this partition's share of an open statistic at `now` */
  partialOf(statId: number, now?: number): StatPartial | null;
  /** this partition's share of a statistic described by a request */
  partial(req: OpenRequest, now?: number): StatPartial | EngineError;
  /** advance to `nowMs` (resets, sliding steps, samplers) */
  tick(nowMs: number): void;
  /** a stream (`node` key) is monitored or not: the statistics it feeds are valid or not */
  setSourceValid(node: string, valid: boolean, t?: number): void;
  /** a stream restarted: drop what it built (its snapshot follows) */
  resetSource(node: string, t: number): void;
  /** another partition died: forget what it reported of its DNs (`gone(dn:ID)`) at `t` */
  forgetDns(gone: (dnKey: string) => boolean, t: number): void;
  /** current status of an agent, place or DN this partition owns */
  objectStatus(type: string, id: string): { status: string; since: number } | null;
  counters(): Record<string, number>;
}

/** Options a partition is built with. */
export interface PartitionOptions {
  config: EngineConfig;
  clock: Clock;
  startMs: number;
  /** ownership predicate over keys `dn:ID`, `agent:ID`, `place:ID` (absent: owns everything) */
  owns?: (key: string) => boolean;
}

/** Builds a partition. */
export type PartitionFactory = (o: PartitionOptions) => Partition;
