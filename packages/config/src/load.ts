/**
 * The daemon's config file: TOML text → the daemon's sections (here) and the engine's (stat-core's
 * `resolveEngineConfig`) → one {@link StatdFileConfig}, with every problem of either as one line
 * naming its key. `statctl config check`, `statd replay`, `statd watch` and the daemon all load
 * through here. Reference: docs/config.md.
 *
 * @example
 * ```ts
 * import { checkStatdConfig, loadStatdConfig } from "./load.ts";
 * loadStatdConfig('[cluster]\nname = "demo"\n').cluster.name; // "demo"
 * checkStatdConfig("[clustr]\n").errors; // ['config: clustr: unknown key "clustr" (did you mean "cluster"?)']
 * ```
 * @module
 */
import {
  addValibotIssues,
  ConfigError,
  type ConfigIssue,
  checkReservedKeys,
  configSchema,
  didYouMean,
  ENGINE_SECTIONS,
  formatIssue,
  IssueSink,
  type LoadOptions,
  parseConfigToml,
  resolveEngineConfig,
  show,
} from "@statd/stat-core/config";
import * as v from "valibot";
import { resolveApi, resolveCluster, resolveSip } from "./daemon.ts";
import { resolveReplay } from "./replay.ts";
import { RawStatdFileSchema } from "./schema.ts";
import type { StatdFileConfig } from "./types.ts";

/** Options of {@link loadStatdConfig} and friends (the defaults ones are for tests and tools). */
export interface StatdLoadOptions extends LoadOptions {
  /** Called with each warning line (`config: KEY: reason`). */
  onWarning?(w: string): void;
}

/** What analysis yields: the config (null when there are errors), errors and warnings. */
export interface StatdConfigAnalysis {
  config: StatdFileConfig | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/** Counts shown by `statctl config check`. */
export interface ConfigSummary {
  cluster: string;
  instances: number;
  sipNodes: number;
  tenants: number;
  agents: number;
  places: number;
  dns: number;
  agentGroups: number;
  placeGroups: number;
  queueGroups: number;
  statTypes: number;
  timeProfiles: number;
  timeRanges: number;
  filters: number;
  replayStatistics: number;
}

/** Result of {@link checkStatdConfig}. */
export interface ConfigCheckResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
  summary: ConfigSummary | null;
}

/**
 * Parse a daemon config file. Throws stat-core's `ConfigError` listing every issue; its message
 * is the first one's line (`config: cluster.instancs: unknown key "instancs" (did you mean
 * "instances"?)`), plus how many more there are.
 *
 * @example
 * ```ts
 * const c = loadStatdConfig('[cluster]\ninstances = 2\n', { onWarning: (w) => console.warn(w) });
 * c.cluster.instances; // 2
 * c.engine.statTypes.CurrNumberWaitingCalls.category; // "CurrentNumber" (shipped defaults)
 * ```
 */
export function loadStatdConfig(text: string, opts: StatdLoadOptions = {}): StatdFileConfig {
  const r = analyzeStatdText(text, opts);
  for (const w of r.warnings) opts.onWarning?.(formatIssue(w));
  if (!r.config) throw new ConfigError(r.errors);
  return r.config;
}

/**
 * Check a config text without throwing: for `statctl config check`.
 *
 * @example
 * ```ts
 * checkStatdConfig('[cluster]\nname = "x"\n').summary?.cluster; // "x"
 * ```
 */
export function checkStatdConfig(text: string, opts: StatdLoadOptions = {}): ConfigCheckResult {
  const r = analyzeStatdText(text, opts);
  return {
    ok: r.config !== null,
    errors: r.errors.map(formatIssue),
    warnings: r.warnings.map(formatIssue),
    summary: r.config ? summarize(r.config) : null,
  };
}

/**
 * Analyze config text: TOML parsed, then {@link analyzeStatdConfig}.
 *
 * @example
 * ```ts
 * analyzeStatdText("a = [1,\n").errors[0].message; // "TOML syntax error at line 2, ..."
 * ```
 */
export function analyzeStatdText(text: string, opts: StatdLoadOptions = {}): StatdConfigAnalysis {
  const p = parseConfigToml(text);
  if ("issue" in p) return { config: null, errors: [p.issue], warnings: [] };
  return analyzeStatdConfig(p.value, opts);
}

/**
 * Validate and resolve an already-parsed config tree (e.g. from JSON) without throwing.
 *
 * @example
 * ```ts
 * analyzeStatdConfig({ cluster: { instances: 0 } }).errors[0].path; // "cluster.instances"
 * ```
 */
export function analyzeStatdConfig(obj: unknown, opts: StatdLoadOptions = {}): StatdConfigAnalysis {
  if (typeof obj !== "object" || obj === null || Array.isArray(obj) || obj instanceof Date)
    return {
      config: null,
      errors: [{ path: "", message: `expected a table, got ${configSchema.kindOf(obj)}` }],
      warnings: [],
    };
  const sink = new IssueSink();
  const root = obj as Record<string, unknown>;
  // the engine's tables are stat-core's to check (reserved keys too); the rest is the daemon's
  const engineRaw: Record<string, unknown> = {};
  const daemonRaw: Record<string, unknown> = {};
  for (const key of Object.keys(root)) {
    if ((ENGINE_SECTIONS as readonly string[]).includes(key)) engineRaw[key] = root[key];
    else {
      daemonRaw[key] = root[key];
      checkReservedKeys({ [key]: root[key] }, sink);
    }
  }
  const parsed = v.safeParse(RawStatdFileSchema, daemonRaw, { abortEarly: false });
  if (!parsed.success) addValibotIssues(parsed.issues, sink);
  const daemonOk = parsed.success && sink.errors.length === 0;
  const raw = parsed.success ? parsed.output : {};
  const { cluster, timeZone } = resolveCluster(raw, sink);
  const api = resolveApi(raw, sink);
  const sip = resolveSip(raw, sink);
  if (timeZone !== undefined) engineRaw.timeZone = timeZone;
  const eng = resolveEngineConfig(engineRaw, opts);
  const errors = [...sink.allErrors(), ...eng.errors];
  const warnings = [...sink.warnings, ...eng.warnings];
  const engine = eng.config;
  if (!daemonOk || !engine) return { config: null, errors, warnings };

  const cross = new IssueSink();
  const tenants = new Set(engine.directory.tenants.map((t) => t.id));
  api.tokens.forEach((t, i) => {
    if (t.tenant !== undefined && !tenants.has(t.tenant))
      cross.error(
        ["api", "tokens", i, "tenant"],
        `unknown tenant ${show(t.tenant)}${didYouMean(t.tenant, tenants)}`,
      );
  });
  const statistics = resolveReplay(raw, engine, cross);
  errors.push(...cross.allErrors());
  if (errors.length > 0) return { config: null, errors, warnings };
  return { config: { cluster, api, sip, replay: { statistics }, engine }, errors, warnings };
}

/**
 * Counts of a resolved config.
 *
 * @example
 * ```ts
 * summarize(loadStatdConfig("")).statTypes; // the number of shipped stat types
 * ```
 */
export function summarize(c: StatdFileConfig): ConfigSummary {
  const d = c.engine.directory;
  return {
    cluster: c.cluster.name,
    instances: c.cluster.instances,
    sipNodes: c.sip.nodes.length,
    tenants: d.tenants.length,
    agents: d.agents.length,
    places: d.places.length,
    dns: d.dns.length,
    agentGroups: d.agentGroups.length,
    placeGroups: d.placeGroups.length,
    queueGroups: d.queueGroups.length,
    statTypes: Object.keys(c.engine.statTypes).length,
    timeProfiles: Object.keys(c.engine.timeProfiles).length,
    timeRanges: Object.keys(c.engine.timeRanges).length,
    filters: Object.keys(c.engine.filters).length,
    replayStatistics: c.replay.statistics.length,
  };
}
