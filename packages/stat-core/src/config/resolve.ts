/**
 * Load and resolve the engine's config sections: TOML text (or an already-parsed tree) →
 * valibot-checked raw tables → shipped defaults merged → resolved {@link EngineConfig}, with
 * every problem reported as one line naming its key. Every stat type is then opened, through the
 * request resolution the engine uses (`request.ts`), on each object type it lists. The daemon's
 * own sections and the whole daemon file are `@statd/config`'s, which calls
 * {@link resolveEngineConfig} with the engine's part of the file.
 *
 * @example
 * ```ts
 * import { loadEngineConfig } from "./resolve.ts";
 * const cfg = loadEngineConfig('timeZone = "Europe/Paris"\n[timeRanges]\nSL10 = "0-10"\n');
 * cfg.timeProfiles.Default.timeZone; // "Europe/Paris"
 * cfg.statTypes.CurrNumberWaitingCalls.category; // "CurrentNumber" (from default.toml)
 * ```
 * @module
 */
import { parse as parseToml } from "smol-toml";
import * as v from "valibot";
import type { EngineConfig, FilterDef, TimeProfileDef, TimeRangeDef } from "../definitions.ts";
import { compileFilter } from "../filter/compile.ts";
import { FilterError } from "../filter/lexer.ts";
import { didYouMean } from "../mask.ts";
import { parseGrowingResets, TimeSyntaxError } from "../time/growing.ts";
import { isValidTimeZone } from "../time/zone.ts";
import { DEFAULT_TOML } from "./default_toml.ts";
import { resolveDirectory } from "./directory.ts";
import { ConfigError, type ConfigIssue, formatIssue, IssueSink, show } from "./errors.ts";
import { addValibotIssues, checkReservedKeys, parseConfigToml, tomlMessage } from "./raw.ts";
import { resolveDefinition } from "./request.ts";
import { type RawEngineConfig, RawEngineConfigSchema, type RawTimeProfile } from "./schema.ts";
import { resolveStatTypes } from "./stat-types.ts";

/** Options of {@link loadEngineConfig} / {@link resolveEngineConfig}. */
export interface LoadOptions {
  /** Merge the shipped default stat types, profiles and ranges under the config (default true). */
  defaults?: boolean;
  /** Use this TOML as the defaults instead of the shipped `default.toml`. */
  defaultsToml?: string;
  /** Called with each warning line (`config: KEY: reason`), by the throwing loaders. */
  onWarning?: (line: string) => void;
}

/** What a resolution yields: the config (null when there are errors), errors and warnings. */
export interface EngineConfigAnalysis {
  config: EngineConfig | null;
  errors: ConfigIssue[];
  warnings: ConfigIssue[];
}

/**
 * Parse engine-only TOML (the engine's sections and `timeZone`) into an {@link EngineConfig}.
 * Throws {@link ConfigError} listing every issue.
 *
 * @example
 * ```ts
 * try { loadEngineConfig("[timeRanges]\nX = \"9-1\"\n"); } catch (e) { (e as Error).message; }
 * // "config: timeRanges.X: lo (9) must be less than hi (1): the range is [lo, hi)"
 * ```
 */
export function loadEngineConfig(tomlText: string, opts: LoadOptions = {}): EngineConfig {
  const p = parseConfigToml(tomlText);
  const r: EngineConfigAnalysis =
    "issue" in p ? { config: null, errors: [p.issue], warnings: [] } : resolveEngineConfig(p.value, opts);
  for (const w of r.warnings) opts.onWarning?.(formatIssue(w));
  if (!r.config) throw new ConfigError(r.errors);
  return r.config;
}

/**
 * Validate and resolve the engine's part of a parsed config (the tables named in
 * `ENGINE_SECTIONS`, and `timeZone`) without throwing. Other top-level keys are errors: a
 * caller holding a whole daemon file passes only the engine's tables.
 *
 * @example
 * ```ts
 * resolveEngineConfig({ timeRanges: { X: { lo: 5, hi: 1 } } }).errors[0].path; // "timeRanges.X"
 * ```
 */
export function resolveEngineConfig(
  raw: Record<string, unknown>,
  opts: LoadOptions = {},
): EngineConfigAnalysis {
  const sink = new IssueSink();
  checkReservedKeys(raw, sink);
  const parsed = v.safeParse(RawEngineConfigSchema, raw, { abortEarly: false });
  if (!parsed.success) addValibotIssues(parsed.issues, sink);
  if (!parsed.success || sink.errors.length > 0)
    return { config: null, errors: sink.allErrors(), warnings: sink.warnings };
  const r = parsed.output;
  const defaults = _defaultsRaw(opts, sink);

  let timeZone: string | undefined;
  if (r.timeZone !== undefined) {
    const bad = checkTimeZone(r.timeZone);
    if (bad) sink.error(["timeZone"], bad);
    else timeZone = r.timeZone;
  }
  const timeProfiles = _profiles({ ...defaults.timeProfiles, ...r.timeProfiles }, timeZone, sink);
  const timeRanges = _ranges({ ...defaults.timeRanges, ...r.timeRanges }, sink);
  const filters = _filters({ ...defaults.filters, ...r.filters }, sink);
  const statTypes = resolveStatTypes({ ...defaults.statTypes, ...r.statTypes }, sink);
  const directory = resolveDirectory(r.directory, sink);
  const config: EngineConfig = { directory, statTypes, timeProfiles, timeRanges, filters };
  if (timeZone !== undefined) config.timeZone = timeZone;
  _openEveryObjectType(config, sink);
  const errors = sink.allErrors();
  return { config: errors.length ? null : config, errors, warnings: sink.warnings };
}

/**
 * Every stat type must open on every object type it lists: each pair goes through the engine's
 * own resolution (`resolveDefinition`, default profile), so a subject or category that does not
 * apply to a listed type is a config error here, not a refusal at open time.
 */
function _openEveryObjectType(config: EngineConfig, sink: IssueSink): void {
  for (const st of Object.values(config.statTypes))
    for (const type of st.objects) {
      const r = resolveDefinition(config, type, { object: { type, id: "" }, statType: st.name });
      if ("error" in r) sink.error(["statTypes", st.name, "objects"], `${type}: ${r.error.message}`);
    }
}

/**
 * Check an IANA time zone name; returns the reason it is bad (with a did-you-mean), or undefined.
 *
 * @example
 * ```ts
 * checkTimeZone("Europe/Paris"); // undefined
 * checkTimeZone("Europe/Pariss"); // 'unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?)'
 * ```
 */
export function checkTimeZone(tz: string): string | undefined {
  return isValidTimeZone(tz) ? undefined : _badZone(tz);
}

let _defaultsCache: { text: string; raw: RawEngineConfig } | undefined;

function _defaultsRaw(opts: LoadOptions, sink: IssueSink): RawEngineConfig {
  if (opts.defaults === false) return {};
  const text = opts.defaultsToml ?? DEFAULT_TOML;
  if (_defaultsCache?.text === text) return _defaultsCache.raw;
  let obj: unknown;
  try {
    obj = parseToml(text);
  } catch (e) {
    sink.error("(defaults)", tomlMessage(e));
    return {};
  }
  const r = v.safeParse(RawEngineConfigSchema, obj, { abortEarly: false });
  if (!r.success) {
    const inner = new IssueSink();
    addValibotIssues(r.issues, inner);
    for (const i of inner.errors) sink.error(`(defaults) ${i.path}`, i.message);
    return {};
  }
  _defaultsCache = { text, raw: r.output };
  return r.output;
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

const _PROFILE_KEYS: Record<string, readonly string[]> = {
  Growing: ["resets", "timeZone"],
  Sliding: ["length", "step"],
  Selection: ["n"],
  SinceLogin: [],
};

function _profiles(
  raw: Record<string, RawTimeProfile>,
  defaultZone: string | undefined,
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
        const tz = p.timeZone ?? defaultZone ?? "UTC";
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
