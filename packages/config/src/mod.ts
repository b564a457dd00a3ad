/**
 * `@statd/config`: the statd daemon's config file — its own sections (`[cluster]`, `[api]`,
 * `[[sip.nodes]]`, `[[replay.statistics]]`) and, through stat-core's config module (not the
 * engine), the engine's. Reference: docs/config.md.
 *
 * @example
 * ```ts
 * import { checkStatdConfig, loadStatdConfig } from "@statd/config";
 * const c = loadStatdConfig('[cluster]\nname = "demo"\n');
 * c.cluster.name; // "demo"
 * c.engine.timeProfiles.Default.type; // "Growing"
 * checkStatdConfig("x = 1").ok; // false
 * ```
 * @module
 */
export { checkHostPort } from "./daemon.ts";
export {
  analyzeStatdConfig,
  analyzeStatdText,
  type ConfigCheckResult,
  type ConfigSummary,
  checkStatdConfig,
  loadStatdConfig,
  type StatdConfigAnalysis,
  type StatdLoadOptions,
  summarize,
} from "./load.ts";
export { DAEMON_SECTIONS, RawStatdFileSchema } from "./schema.ts";
export type {
  ApiDef,
  ApiTokenDef,
  ClusterDef,
  ReplayStatisticDef,
  SipNodeDef,
  StatdFileConfig,
} from "./types.ts";
