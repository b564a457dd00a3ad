/**
 * The statd configuration: TOML → validated, resolved {@link StatdConfig}.
 *
 * @example
 * ```ts
 * import { configCheck, loadConfig } from "./mod.ts";
 * loadConfig('[cluster]\nname = "demo"\n').cluster.name; // "demo"
 * configCheck("x = 1").ok; // false
 * ```
 * @module
 */
export { DEFAULT_TOML } from "./default_toml.ts";
export { isMediationDnType, MAX_DIRECTORY_OBJECTS, objectTypeOfDn, resolveDirectory } from "./directory.ts";
export { ConfigError, type ConfigIssue, formatIssue, formatPath } from "./errors.ts";
export {
  AGENT_SIDE_OBJECTS,
  analyzeConfig,
  CATEGORIES_NEEDING_REL_MASK,
  type ConfigAnalysis,
  type ConfigCheckResult,
  type ConfigSummary,
  checkHostPort,
  configCheck,
  type LoadOptions,
  loadConfig,
  MAX_CONFIG_CHARS,
  parseConfig,
  QUEUE_SIDE_OBJECTS,
  summarize,
} from "./resolve.ts";
export { RawConfigSchema } from "./schema.ts";
export { compileTemplate, TemplateError } from "./template.ts";
