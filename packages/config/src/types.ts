/**
 * The resolved daemon config: the daemon's own sections (`[cluster]`, `[api]`, `[[sip.nodes]]`,
 * `[[replay.statistics]]`) and the engine's ({@link EngineConfig}, from stat-core).
 *
 * @example
 * ```ts
 * import type { StatdFileConfig } from "./types.ts";
 * const instances = (c: StatdFileConfig): number => c.cluster.instances;
 * ```
 * @module
 */
import type { EngineConfig, ObjectType } from "@statd/stat-core/config";

/** `[cluster]`. Its `timeZone` is the engine's: {@link EngineConfig.timeZone}. */
export interface ClusterDef {
  /** names the shm segment (`statd-NAME`); default "statd" */
  name: string;
  /** engine partitions; default 1 */
  instances: number;
  /** default "./data" */
  dataDir: string;
}

/** One `[[api.tokens]]` entry. */
export interface ApiTokenDef {
  token: string;
  /** tenant scope; absent = all tenants */
  tenant?: string;
}

/** `[api]` */
export interface ApiDef {
  /** "HOST:PORT"; default "127.0.0.1:7070" */
  listen: string;
  tokens: ApiTokenDef[];
}

/** One `[[sip.nodes]]` entry: a SIP Server node's two ports. */
export interface SipNodeDef {
  id: string;
  /** "HOST:PORT" */
  interactionProxy: string;
  /** "HOST:PORT" */
  tController: string;
}

/** One `[[replay.statistics]]` entry: a statistic `statd replay` reports. */
export interface ReplayStatisticDef {
  object: { type: ObjectType; id: string; tenant?: string };
  statType: string;
  timeProfile?: string;
  timeRange?: string;
  timeRange2?: string;
  filter?: string;
}

/** The whole validated daemon config file. */
export interface StatdFileConfig {
  cluster: ClusterDef;
  api: ApiDef;
  sip: { nodes: SipNodeDef[] };
  replay: { statistics: ReplayStatisticDef[] };
  /** what the engine runs on (`[directory]`, `[statTypes]`, ...; `[cluster].timeZone`) */
  engine: EngineConfig;
}
