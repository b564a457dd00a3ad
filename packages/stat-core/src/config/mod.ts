/**
 * The engine's configuration: the TOML sections the engine runs on (`[directory]`,
 * `[statTypes]`, `[timeProfiles]`, `[timeRanges]`, `[filters]`) → validated, resolved
 * {@link EngineConfig}, and the one resolution of an open request that the engine and the
 * config checks share. Loads no engine: `@statd/config` (the daemon's whole file) and `statctl`
 * import this module alone, as `@statd/stat-core/config`.
 *
 * @example
 * ```ts
 * import { loadEngineConfig, requestResolver } from "@statd/stat-core/config";
 * const cfg = loadEngineConfig('[directory]\ntenants = [{ id = "t" }]\nagents = [{ id = "a1" }]\n');
 * const r = requestResolver(cfg)({ object: { type: "Agent", id: "a1" }, statType: "TotalTalkTime" });
 * "error" in r; // false
 * ```
 * @module
 */
export { type EngineConfig, OBJECT_TYPES, type ObjectType } from "../definitions.ts";
export { didYouMean } from "../mask.ts";
export { DEFAULT_TOML } from "./default_toml.ts";
export { isMediationDnType, MAX_DIRECTORY_OBJECTS, objectTypeOfDn, resolveDirectory } from "./directory.ts";
export { ConfigError, type ConfigIssue, formatIssue, formatPath, IssueSink, show } from "./errors.ts";
export {
  addValibotIssues,
  checkReservedKeys,
  MAX_CONFIG_CHARS,
  parseConfigToml,
  tomlMessage,
} from "./raw.ts";
export {
  CATEGORIES_NEEDING_REL_MASK,
  CATEGORIES_NEEDING_TIME_RANGE,
  DEFAULT_TIME_PROFILE,
  DEFAULT_TIME_RANGE,
  type ObjectLookup,
  type RequestError,
  type RequestKey,
  type ResolvedDefinition,
  type ResolvedRequest,
  requestResolver,
  resolveDefinition,
  resolveObject,
  resolveRequest,
  SUBJECT_OBJECTS,
} from "./request.ts";
export {
  checkTimeZone,
  type EngineConfigAnalysis,
  type LoadOptions,
  loadEngineConfig,
  resolveEngineConfig,
} from "./resolve.ts";
export { ENGINE_SECTIONS, RawEngineConfigSchema } from "./schema.ts";
export * as configSchema from "./schema-kit.ts";
export { AGENT_SIDE_OBJECTS, QUEUE_SIDE_OBJECTS } from "./stat-types.ts";
export { compileTemplate, TemplateError } from "./template.ts";
