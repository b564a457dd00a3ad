/**
 * Load and resolve a statd config: TOML text → valibot-checked raw tables → defaults merged →
 * resolved {@link StatdConfig}, with every problem reported as one line naming its key.
 *
 * @example
 * ```ts
 * import { loadConfig } from "./resolve.ts";
 * const cfg = loadConfig('[cluster]\nname = "demo"\ninstances = 2\n');
 * cfg.cluster.instances; // 2
 * cfg.timeProfiles.Default.type; // "Growing"
 * cfg.statTypes.CurrNumberWaitingCalls.category; // "CurrentNumber" (from default.toml)
 * ```
 * @module
 */
import { parse as parseToml, TomlError } from "smol-toml";
import * as v from "valibot";
import {
  type ApiDef,
  CATEGORIES,
  type Category,
  type ClusterDef,
  type FilterDef,
  type Mask,
  OBJECT_TYPES,
  type ObjectType,
  type ReplayStatisticDef,
  type SipNodeDef,
  type StatdConfig,
  type StatTypeDef,
  SUBJECTS,
  type Subject,
  type TimeProfileDef,
  type TimeRangeDef,
} from "../definitions.ts";
import { compileFilter } from "../filter/compile.ts";
import { FilterError } from "../filter/lexer.ts";
import {
  checkMaskNames,
  didYouMean,
  MaskError,
  MEDIATION_DN_ACTIONS,
  parseMask,
  REGULAR_DN_ACTIONS,
} from "../mask.ts";
import { parseGrowingResets, TimeSyntaxError } from "../time/growing.ts";
import { isValidTimeZone } from "../time/zone.ts";
import { DEFAULT_TOML } from "./default_toml.ts";
import { objectTypeOfDn, resolveDirectory } from "./directory.ts";
import { ConfigError, type ConfigIssue, formatIssue, IssueSink, show } from "./errors.ts";
import { type RawConfig, RawConfigSchema, type RawStatType, type RawTimeProfile } from "./schema.ts";

/** Options of {@link loadConfig} / {@link parseConfig} / {@link configCheck}. */
export interface LoadOptions {
  /** Merge the shipped default stat types, profiles and ranges under the config (default true). */
  defaults?: boolean;
  /** Use this TOML as the defaults instead of the shipped `default.toml`. */
  defaultsToml?: string;
  /** Called with each warning line (`config: KEY: reason`). */
  onWarning?: (line: string) => void;
}

/** Largest config text accepted, in characters. */
export const MAX_CONFIG_CHARS = 64 * 1024 * 1024;

/** Categories that need a relative mask (`relMask`). */
export const CATEGORIES_NEEDING_REL_MASK: readonly Category[] = [
  "RelativeTimePercentage",
  "RelativeNumberPercentage",
  "CurrentRelativeNumberPercentage",
  "AverageNumberPerRelativeHour",
];

/** Genesys categories statd knows of but does not implement (clear error instead of a hint). */
const _UNSUPPORTED_CATEGORIES = [
  "Formula",
  "JavaCategory",
  "CurrentTargetState",
  "TotalCustomValue",
  "AverageCustomValue",
  "MinCustomValue",
  "MaxCustomValue",
  "CurrentCustomValue",
  "CurrentAverageCustomValue",
  "CurrentMinCustomValue",
  "CurrentMaxCustomValue",
  "LoadBalance",
  "LoadBalance1",
  "TotalNumberErrors",
  "RelativeNumber",
  "EstimTimeToComplete",
  "EstimTimeToEndCurrentNumber",
  "AverageOfCurrentTime",
  "CurrentRelativeTimePercentage",
  "CurrentDistinctNumber",
  "TotalDistinctTime",
  "TotalContinuousNumber",
  "ExpectedWaitTime2",
];

/** Object types of the two compatibility groups (domain.md §1.2); Tenant belongs to both. */
export const AGENT_SIDE_OBJECTS: readonly ObjectType[] = [
  "Agent",
  "Place",
  "GroupAgents",
  "GroupPlaces",
  "RegDN",
  "Tenant",
];
export const QUEUE_SIDE_OBJECTS: readonly ObjectType[] = ["Queue", "RoutePoint", "GroupQueues", "Tenant"];

/**
 * Parse TOML text into a {@link StatdConfig}. Throws {@link ConfigError} listing every issue.
 *
 * @example
 * ```ts
 * try { loadConfig("[cluster]\ninstances = 0\n"); } catch (e) { (e as Error).message; }
 * // "config: cluster.instances: must be at least 1, got 0"
 * ```
 */
export function loadConfig(tomlText: string, opts: LoadOptions = {}): StatdConfig {
  const r = _analyzeText(tomlText, opts);
  for (const w of r.warnings) opts.onWarning?.(formatIssue(w));
  if (!r.config) throw new ConfigError(r.errors);
  return r.config;
}

/**
 * Validate and resolve an already-parsed object (e.g. from JSON). Throws {@link ConfigError}.
 *
 * @example
 * ```ts
 * parseConfig({ cluster: { name: "x" } }).api.listen; // "127.0.0.1:7070"
 * ```
 */
export function parseConfig(obj: unknown, opts: LoadOptions = {}): StatdConfig {
  const r = analyzeConfig(obj, opts);
  for (const w of r.warnings) opts.onWarning?.(formatIssue(w));
  if (!r.config) throw new ConfigError(r.errors);
  return r.config;
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

/** Result of {@link configCheck}. */
export interface ConfigCheckResult {
  ok: boolean;
  errors: string[];
  warnings: string[];
  summary: ConfigSummary | null;
}

/**
 * Check a config text without throwing: for `statctl config check`.
 *
 * @example
 * ```ts
 * configCheck("[clustr]\n").errors; // ['config: clustr: unknown key "clustr" (did you mean "cluster"?)']
 * ```
 */
export function configCheck(text: string, opts: LoadOptions = {}): ConfigCheckResult {
  const r = _analyzeText(text, opts);
  return {
    ok: r.config !== null,
    errors: r.errors.map(formatIssue),
    warnings: r.warnings.map(formatIssue),
    summary: r.config ? summarize(r.config) : null,
  };
}

/** Counts of a resolved config. */
export function summarize(c: StatdConfig): ConfigSummary {
  const d = c.directory;
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
    statTypes: Object.keys(c.statTypes).length,
    timeProfiles: Object.keys(c.timeProfiles).length,
    timeRanges: Object.keys(c.timeRanges).length,
    filters: Object.keys(c.filters).length,
    replayStatistics: c.replay.statistics.length,
  };
}

/** What analysis yields: a config (null when there are errors), errors and warnings. */
export interface ConfigAnalysis {
  config: StatdConfig | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

function _analyzeText(text: string, opts: LoadOptions): ConfigAnalysis {
  if (typeof text !== "string") return _fail("", `expected TOML text, got ${typeof text}`);
  if (text.length > MAX_CONFIG_CHARS) return _fail("", `file larger than ${MAX_CONFIG_CHARS} characters`);
  let obj: unknown;
  try {
    obj = parseToml(text);
  } catch (e) {
    return _fail("", _tomlMessage(e));
  }
  return analyzeConfig(obj, opts);
}

function _fail(path: string, message: string): ConfigAnalysis {
  return { config: null, errors: [{ path, message }], warnings: [] };
}

function _tomlMessage(e: unknown): string {
  if (e instanceof TomlError) {
    const first = e.message.split("\n")[0].replace(/^Invalid TOML document:\s*/, "");
    return `TOML syntax error at line ${e.line}, column ${e.column}: ${first}`;
  }
  if (e instanceof RangeError) return "TOML nested too deeply";
  return `TOML parse failed: ${String((e as Error)?.message ?? e).split("\n")[0]}`;
}

/** Flatten valibot issues into one-line config issues (union issues to their deepest cause). */
function _valibotIssues(
  issues: readonly v.BaseIssue<unknown>[],
  sink: IssueSink,
  prefix: (string | number)[] = [],
): void {
  for (const i of issues) {
    const path = [...prefix, ...(i.path ?? []).map((p) => p.key as string | number)];
    if (i.type === "union" && i.issues) {
      // Sub-issue paths are relative to the union; those with a path went into the branch that
      // matched the value's shape (a table), so they say what is wrong inside it.
      const deeper = i.issues.filter((s) => (s.path?.length ?? 0) > 0);
      if (deeper.length > 0) {
        _valibotIssues(deeper, sink, path);
        continue;
      }
    }
    sink.error(path, i.message);
  }
}

const _RESERVED = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Keys that JavaScript objects treat specially are refused anywhere in the tree (valibot would
 * drop them silently, and a stat type named "constructor" would be a trap for lookups).
 */
function _reservedKeys(root: unknown, sink: IssueSink): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== "object" || value === null || path.length > 64) continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
      continue;
    }
    if (value instanceof Date) continue;
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0; i--) {
      const k = keys[i];
      if (_RESERVED.has(k)) sink.error([...path, k], `${show(k)} is a reserved name`);
      else stack.push({ value: (value as Record<string, unknown>)[k], path: [...path, k] });
    }
  }
}

let _defaultsCache: { text: string; raw: RawConfig } | undefined;

function _defaultsRaw(opts: LoadOptions, sink: IssueSink): RawConfig {
  if (opts.defaults === false) return {};
  const text = opts.defaultsToml ?? DEFAULT_TOML;
  if (_defaultsCache?.text === text) return _defaultsCache.raw;
  let obj: unknown;
  try {
    obj = parseToml(text);
  } catch (e) {
    sink.error("(defaults)", _tomlMessage(e));
    return {};
  }
  const r = v.safeParse(RawConfigSchema, obj, { abortEarly: false });
  if (!r.success) {
    const inner = new IssueSink();
    _valibotIssues(r.issues, inner);
    for (const i of inner.errors) sink.error(`(defaults) ${i.path}`, i.message);
    return {};
  }
  _defaultsCache = { text, raw: r.output };
  return r.output;
}

/**
 * Validate and resolve a parsed config object without throwing.
 *
 * @example
 * ```ts
 * analyzeConfig({ cluster: { instances: 0 } }).errors[0].path; // "cluster.instances"
 * ```
 */
export function analyzeConfig(obj: unknown, opts: LoadOptions = {}): ConfigAnalysis {
  const sink = new IssueSink();
  _reservedKeys(obj, sink);
  const parsed = v.safeParse(RawConfigSchema, obj, { abortEarly: false });
  if (!parsed.success) _valibotIssues(parsed.issues, sink);
  if (!parsed.success || sink.errors.length > 0)
    return { config: null, errors: sink.allErrors(), warnings: sink.warnings };
  const raw = parsed.output;
  const defaults = _defaultsRaw(opts, sink);

  const cluster = _cluster(raw, sink);
  const api = _api(raw, sink);
  const sip = _sip(raw, sink);
  const timeProfiles = _profiles({ ...defaults.timeProfiles, ...raw.timeProfiles }, cluster, sink);
  const timeRanges = _ranges({ ...defaults.timeRanges, ...raw.timeRanges }, sink);
  const filters = _filters({ ...defaults.filters, ...raw.filters }, sink);
  const statTypes = _statTypes({ ...defaults.statTypes, ...raw.statTypes }, sink);
  const directory = resolveDirectory(raw.directory, sink);

  const tenants = new Set(directory.tenants.map((t) => t.id));
  api.tokens.forEach((t, i) => {
    if (t.tenant !== undefined && !tenants.has(t.tenant))
      sink.error(
        ["api", "tokens", i, "tenant"],
        `unknown tenant ${show(t.tenant)}${didYouMean(t.tenant, tenants)}`,
      );
  });

  const config: StatdConfig = {
    cluster,
    api,
    sip,
    directory,
    statTypes,
    timeProfiles,
    timeRanges,
    filters,
    replay: { statistics: [] },
  };
  config.replay.statistics = _replay(raw, config, sink);
  const errors = sink.allErrors();
  return { config: errors.length ? null : config, errors, warnings: sink.warnings };
}

// ------------------------------------------------------------------------------------------

const _HOSTPORT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?):([0-9]{1,5})$/;

/**
 * Check a `HOST:PORT` address; returns the reason it is bad, or undefined.
 *
 * @example
 * ```ts
 * checkHostPort("127.0.0.1:7070"); // undefined
 * checkHostPort("localhost"); // 'expected HOST:PORT, got "localhost"'
 * ```
 */
export function checkHostPort(s: string, allowPortZero = false): string | undefined {
  const m = _HOSTPORT.exec(s);
  if (!m) return `expected HOST:PORT, got ${show(s)}`;
  const port = Number(m[3]);
  if (port > 65535 || (port === 0 && !allowPortZero))
    return `port must be ${allowPortZero ? 0 : 1}-65535, got ${port}`;
  return undefined;
}

function _cluster(raw: RawConfig, sink: IssueSink): ClusterDef {
  const c = raw.cluster ?? {};
  const out: ClusterDef = {
    name: c.name ?? "statd",
    instances: c.instances ?? 1,
    dataDir: c.dataDir ?? "./data",
  };
  if (c.timeZone !== undefined) {
    if (!isValidTimeZone(c.timeZone)) sink.error(["cluster", "timeZone"], _badZone(c.timeZone));
    out.timeZone = c.timeZone;
  }
  if (/^[A-Za-z0-9._-]{1,64}$/.test(out.name) === false)
    sink.error(
      ["cluster", "name"],
      `must match [A-Za-z0-9._-]{1,64} (it names the shm segment), got ${show(out.name)}`,
    );
  return out;
}

function _badZone(tz: string): string {
  const hint = didYouMean(tz, _zoneNames());
  return `unknown time zone ${show(tz)}${hint || ' (use an IANA name such as "Europe/Paris" or "UTC")'}`;
}

function _zoneNames(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  try {
    return [...(intl.supportedValuesOf?.("timeZone") ?? []), "UTC"];
  } catch {
    return ["UTC"];
  }
}

function _api(raw: RawConfig, sink: IssueSink): ApiDef {
  const a = raw.api ?? {};
  const listen = a.listen ?? "127.0.0.1:7070";
  const bad = checkHostPort(listen, true);
  if (bad) sink.error(["api", "listen"], bad);
  const seen = new Set<string>();
  const tokens = (a.tokens ?? []).map((t, i) => {
    if (seen.has(t.token)) sink.error(["api", "tokens", i, "token"], "duplicate token");
    seen.add(t.token);
    if (t.token.length < 12)
      sink.warn(["api", "tokens", i, "token"], "token shorter than 12 characters is easy to guess");
    return t.tenant === undefined ? { token: t.token } : { token: t.token, tenant: t.tenant };
  });
  return { listen, tokens };
}

function _sip(raw: RawConfig, sink: IssueSink): { nodes: SipNodeDef[] } {
  const ids = new Set<string>();
  const addrs = new Map<string, string>();
  const nodes = (raw.sip?.nodes ?? []).map((n, i) => {
    if (ids.has(n.id)) sink.error(["sip", "nodes", i, "id"], `duplicate SIP node id ${show(n.id)}`);
    ids.add(n.id);
    for (const k of ["interactionProxy", "tController"] as const) {
      const bad = checkHostPort(n[k]);
      if (bad) sink.error(["sip", "nodes", i, k], bad);
      const prev = addrs.get(n[k]);
      if (prev) sink.error(["sip", "nodes", i, k], `address ${show(n[k])} is already used by ${prev}`);
      addrs.set(n[k], `node ${show(n.id)} ${k}`);
    }
    return { id: n.id, interactionProxy: n.interactionProxy, tController: n.tController };
  });
  return { nodes };
}

const _PROFILE_KEYS: Record<string, readonly string[]> = {
  Growing: ["resets", "timeZone"],
  Sliding: ["length", "step"],
  Selection: ["n"],
  SinceLogin: [],
};

function _profiles(
  raw: Record<string, RawTimeProfile>,
  cluster: { timeZone?: string },
  sink: IssueSink,
): Record<string, TimeProfileDef> {
  const out: Record<string, TimeProfileDef> = Object.create(null);
  const types = Object.keys(_PROFILE_KEYS);
  if (!Object.hasOwn(raw, "Default")) raw = { Default: { type: "Growing", resets: "00:00" }, ...raw };
  for (const [name, p] of Object.entries(raw)) {
    const path = ["timeProfiles", name];
    if (!types.includes(p.type)) {
      sink.error(
        [...path, "type"],
        `unknown profile type ${show(p.type)}${didYouMean(p.type, types) || ` (known: ${types.join(", ")})`}`,
      );
      continue;
    }
    const allowed = _PROFILE_KEYS[p.type];
    let bad = false;
    for (const k of ["resets", "timeZone", "length", "step", "n"] as const)
      if (p[k] !== undefined && !allowed.includes(k)) {
        sink.error(
          [...path, k],
          `not used by ${p.type} profiles${allowed.length ? ` (their keys: ${allowed.join(", ")})` : ""}`,
        );
        bad = true;
      }
    if (bad) continue;
    switch (p.type) {
      case "Growing": {
        const tz = p.timeZone ?? cluster.timeZone ?? "UTC";
        if (p.timeZone !== undefined && !isValidTimeZone(p.timeZone)) {
          sink.error([...path, "timeZone"], _badZone(p.timeZone));
          continue;
        }
        try {
          out[name] = {
            name,
            type: "Growing",
            resets: parseGrowingResets(p.resets ?? "00:00"),
            timeZone: tz,
          };
        } catch (e) {
          if (!(e instanceof TimeSyntaxError)) throw e;
          sink.error([...path, "resets"], e.message);
        }
        break;
      }
      case "Sliding": {
        if (p.length === undefined || p.step === undefined) {
          sink.error(
            path,
            "Sliding profiles need length and step in seconds (e.g. length = 3600, step = 60)",
          );
          continue;
        }
        if (p.length % p.step !== 0) {
          sink.error([...path, "length"], `length (${p.length}) must be a multiple of step (${p.step})`);
          continue;
        }
        if (p.length / p.step > 10_000) {
          sink.error([...path, "step"], `length/step is ${p.length / p.step} buckets; at most 10000`);
          continue;
        }
        out[name] = { name, type: "Sliding", lengthSec: p.length, stepSec: p.step };
        break;
      }
      case "Selection":
        if (p.n === undefined)
          sink.error([...path, "n"], "Selection profiles need n (the number of last actions)");
        else out[name] = { name, type: "Selection", n: p.n };
        break;
      case "SinceLogin":
        out[name] = { name, type: "SinceLogin" };
        break;
    }
  }
  return out;
}

function _ranges(
  raw: Record<string, { lo: number; hi: number } | string>,
  sink: IssueSink,
): Record<string, TimeRangeDef> {
  const out: Record<string, TimeRangeDef> = Object.create(null);
  if (!Object.hasOwn(raw, "Default")) raw = { Default: { lo: 0, hi: 20 }, ...raw };
  for (const [name, r] of Object.entries(raw)) {
    const path = ["timeRanges", name];
    let lo: number;
    let hi: number;
    if (typeof r === "string") {
      const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*-\s*([0-9]+(?:\.[0-9]+)?)\s*$/.exec(r);
      if (!m) {
        sink.error(path, `expected "LO-HI" in seconds (e.g. "0-20"), got ${show(r)}`);
        continue;
      }
      lo = Number(m[1]);
      hi = Number(m[2]);
    } else {
      lo = r.lo;
      hi = r.hi;
    }
    if (lo >= hi) {
      sink.error(path, `lo (${lo}) must be less than hi (${hi}): the range is [lo, hi)`);
      continue;
    }
    out[name] = { name, lo, hi };
  }
  return out;
}

function _filters(
  raw: Record<string, { expression: string } | string>,
  sink: IssueSink,
): Record<string, FilterDef> {
  const out: Record<string, FilterDef> = Object.create(null);
  for (const [name, f] of Object.entries(raw)) {
    const expression = typeof f === "string" ? f : f.expression;
    const path = typeof f === "string" ? ["filters", name] : ["filters", name, "expression"];
    try {
      compileFilter(expression);
      out[name] = { name, expression };
    } catch (e) {
      if (!(e instanceof FilterError)) throw e;
      sink.error(path, e.message);
    }
  }
  return out;
}

const _ALL_ACTIONS: ReadonlySet<string> = new Set<string>([...REGULAR_DN_ACTIONS, ...MEDIATION_DN_ACTIONS]);
const _SUBJECT_ALIASES: Record<string, Subject> = { Action: "DNAction" };
const _STATUS_SUBJECTS: readonly Subject[] = ["DNStatus", "AgentStatus", "PlaceStatus", "GroupStatus"];

function _statTypes(raw: Record<string, RawStatType>, sink: IssueSink): Record<string, StatTypeDef> {
  const out: Record<string, StatTypeDef> = Object.create(null);
  for (const [name, s] of Object.entries(raw)) {
    const def = _statType(name, s, ["statTypes", name], sink);
    if (def) out[name] = def;
  }
  return out;
}

function _list(x: string | string[]): string[] {
  return (typeof x === "string" ? x.split(",") : x.flatMap((s) => s.split(",")))
    .map((s) => s.trim())
    .filter(Boolean);
}

function _statType(name: string, s: RawStatType, path: string[], sink: IssueSink): StatTypeDef | undefined {
  const before = sink.errors.length;
  // objects
  const objects: ObjectType[] = [];
  const names = _list(s.objects);
  if (names.length === 0) sink.error([...path, "objects"], "must list at least one object type");
  for (const o of names) {
    if ((OBJECT_TYPES as readonly string[]).includes(o)) {
      if (!objects.includes(o as ObjectType)) objects.push(o as ObjectType);
    } else
      sink.error(
        [...path, "objects"],
        `unknown object type ${show(o)}${didYouMean(o === "AgentPlace" ? "Place" : o, OBJECT_TYPES) || ` (known: ${OBJECT_TYPES.join(", ")})`}`,
      );
  }
  const agentOnly = objects.filter((o) => !QUEUE_SIDE_OBJECTS.includes(o));
  const queueOnly = objects.filter((o) => !AGENT_SIDE_OBJECTS.includes(o));
  if (agentOnly.length && queueOnly.length)
    sink.error(
      [...path, "objects"],
      `mixes compatibility groups: ${agentOnly.join(", ")} (agent side) with ${queueOnly.join(", ")} (queue side); split it into two stat types`,
    );
  // category
  let category: Category | undefined;
  if ((CATEGORIES as readonly string[]).includes(s.category)) category = s.category as Category;
  else if (_UNSUPPORTED_CATEGORIES.includes(s.category))
    sink.error([...path, "category"], `category ${show(s.category)} is not implemented by statd`);
  else
    sink.error(
      [...path, "category"],
      `unknown category ${show(s.category)}${didYouMean(s.category, CATEGORIES)}`,
    );
  // subject
  let subject: Subject | undefined = "DNAction";
  if (s.subject !== undefined) {
    subject = (SUBJECTS as readonly string[]).includes(s.subject)
      ? (s.subject as Subject)
      : _SUBJECT_ALIASES[s.subject];
    if (!subject)
      sink.error(
        [...path, "subject"],
        s.subject === "CampaignAction"
          ? 'subject "CampaignAction" (outbound) is not supported by statd'
          : `unknown subject ${show(s.subject)}${didYouMean(s.subject, SUBJECTS) || ` (known: ${SUBJECTS.join(", ")})`}`,
      );
  }
  if (subject && _STATUS_SUBJECTS.includes(subject) && queueOnly.length)
    sink.error(
      [...path, "subject"],
      `${subject} needs agent-side objects, but objects include ${queueOnly.join(", ")}`,
    );
  if (subject === "GroupStatus" && objects.some((o) => o !== "GroupAgents" && o !== "GroupPlaces"))
    sink.warn([...path, "subject"], "GroupStatus applies to GroupAgents and GroupPlaces only");
  if (category && (category === "ServiceFactor1" || category === "EstimWaitTime")) {
    if (subject !== "DNAction") sink.error([...path, "subject"], `${category} works on DNAction only`);
    if (agentOnly.length)
      sink.warn(
        [...path, "objects"],
        `${category} is meant for queue objects (Queue, RoutePoint, GroupQueues)`,
      );
  }
  // masks
  const kind = subject === "DNAction" || subject === undefined ? "action" : "status";
  const mask = (key: "mainMask" | "relMask", text: string | string[]): Mask | undefined => {
    try {
      const m = parseMask(text);
      for (const f of checkMaskNames(m, kind)) {
        if (f.level === "error") sink.error([...path, key], f.message);
        else sink.warn([...path, key], f.message);
      }
      return m;
    } catch (e) {
      if (!(e instanceof MaskError)) throw e;
      sink.error([...path, key], e.message);
      return undefined;
    }
  };
  let mainMask: Mask | undefined;
  if (s.mainMask === undefined) {
    if (category === "CurrentState" || category === "CurrentStateReasons")
      mainMask = { all: true, include: [], exclude: [] };
    else
      sink.error(
        [...path, "mainMask"],
        'missing mainMask (the actions or statuses to aggregate, e.g. "CallWait" or "*")',
      );
  } else mainMask = mask("mainMask", s.mainMask);
  let relMask: Mask | undefined;
  if (s.relMask !== undefined) {
    relMask = mask("relMask", s.relMask);
    if (category && !CATEGORIES_NEEDING_REL_MASK.includes(category))
      sink.warn([...path, "relMask"], `ignored: category ${category} uses no relative mask`);
  } else if (category && CATEGORIES_NEEDING_REL_MASK.includes(category))
    sink.error(
      [...path, "relMask"],
      `category ${category} needs relMask (the denominator's actions or statuses)`,
    );

  // Action names that the objects' DN class never produces can never match.
  if (subject === "DNAction") {
    const sided = objects.filter((o) => o !== "Tenant");
    const side =
      sided.length === 0
        ? undefined
        : sided.every((o) => queueOnly.includes(o))
          ? "queue"
          : sided.every((o) => agentOnly.includes(o))
            ? "agent"
            : undefined;
    const own: ReadonlySet<string> = new Set<string>(
      side === "queue" ? MEDIATION_DN_ACTIONS : REGULAR_DN_ACTIONS,
    );
    for (const [key, m] of [
      ["mainMask", mainMask],
      ["relMask", relMask],
    ] as const)
      for (const n of m?.include ?? [])
        if (side && _ALL_ACTIONS.has(n) && !own.has(n))
          sink.warn(
            [...path, key],
            side === "queue"
              ? `${show(n)} is a regular-DN action; queue objects (${sided.join(", ")}) never see it`
              : `${show(n)} is a mediation-DN action; agent-side objects (${sided.join(", ")}) never see it`,
          );
  }
  if (sink.errors.length > before || !category || !subject || !mainMask) return undefined;
  const def: StatTypeDef = { name, objects, category, subject, mainMask };
  if (relMask) def.relMask = relMask;
  if (s.useSourceTimestamps !== undefined) def.useSourceTimestamps = s.useSourceTimestamps;
  if (s.description !== undefined) def.description = s.description;
  return def;
}

function _replay(raw: RawConfig, c: StatdConfig, sink: IssueSink): ReplayStatisticDef[] {
  const d = c.directory;
  const byType: Record<ObjectType, Map<string, string>> = {
    Tenant: new Map(d.tenants.map((t) => [t.id, t.id])),
    Agent: new Map(d.agents.map((x) => [x.id, x.tenant])),
    Place: new Map(d.places.map((x) => [x.id, x.tenant])),
    GroupAgents: new Map(d.agentGroups.map((x) => [x.id, x.tenant])),
    GroupPlaces: new Map(d.placeGroups.map((x) => [x.id, x.tenant])),
    GroupQueues: new Map(d.queueGroups.map((x) => [x.id, x.tenant])),
    RegDN: new Map(),
    Queue: new Map(),
    RoutePoint: new Map(),
  };
  for (const dn of d.dns) byType[objectTypeOfDn(dn.type)].set(dn.id, dn.tenant);
  const out: ReplayStatisticDef[] = [];
  (raw.replay?.statistics ?? []).forEach((s, i) => {
    const path = ["replay", "statistics", i];
    const before = sink.errors.length;
    const type = s.object.type as ObjectType;
    if (!(OBJECT_TYPES as readonly string[]).includes(type)) {
      sink.error(
        [...path, "object", "type"],
        `unknown object type ${show(type)}${didYouMean(type, OBJECT_TYPES)}`,
      );
    } else {
      const tenant = byType[type].get(s.object.id);
      if (tenant === undefined) {
        const hint = didYouMean(s.object.id, byType[type].keys());
        sink.error([...path, "object", "id"], `no ${type} ${show(s.object.id)} in the directory${hint}`);
      } else if (s.object.tenant !== undefined && s.object.tenant !== tenant)
        sink.error(
          [...path, "object", "tenant"],
          `${type} ${show(s.object.id)} belongs to tenant ${show(tenant)}, not ${show(s.object.tenant)}`,
        );
    }
    const st = c.statTypes[s.statType];
    if (!Object.hasOwn(c.statTypes, s.statType))
      sink.error(
        [...path, "statType"],
        `unknown stat type ${show(s.statType)}${didYouMean(s.statType, Object.keys(c.statTypes))}`,
      );
    else if (!st.objects.includes(type) && (OBJECT_TYPES as readonly string[]).includes(type))
      sink.error(
        [...path, "statType"],
        `stat type ${show(s.statType)} does not apply to ${type} (its objects: ${st.objects.join(", ")})`,
      );
    const ref = (
      key: "timeProfile" | "timeRange" | "timeRange2" | "filter",
      table: Record<string, unknown>,
      what: string,
    ) => {
      const name = s[key];
      if (name !== undefined && !Object.hasOwn(table, name))
        sink.error([...path, key], `unknown ${what} ${show(name)}${didYouMean(name, Object.keys(table))}`);
    };
    ref("timeProfile", c.timeProfiles, "time profile");
    ref("timeRange", c.timeRanges, "time range");
    ref("timeRange2", c.timeRanges, "time range");
    ref("filter", c.filters, "filter");
    if (sink.errors.length > before) return;
    const r: ReplayStatisticDef = { object: { ...s.object, type }, statType: s.statType };
    if (s.timeProfile !== undefined) r.timeProfile = s.timeProfile;
    if (s.timeRange !== undefined) r.timeRange = s.timeRange;
    if (s.timeRange2 !== undefined) r.timeRange2 = s.timeRange2;
    if (s.filter !== undefined) r.filter = s.filter;
    out.push(r);
  });
  return out;
}
