/**
 * The one resolution of an open request: which object, which definition (stat type or inline),
 * which time profile, time ranges and filter — or the first reason it cannot be opened. The
 * engine opens statistics through it, and the config checks (`[statTypes]` against their
 * `objects`, `[[replay.statistics]]`, `statctl config check`) run the same function, so a config
 * that loads is a config whose statistics open. Rules: docs/semantics-config.md.
 *
 * @example
 * ```ts
 * import { resolveRequest } from "./request.ts";
 * const r = resolveRequest(config, new Directory(config.directory), {
 *   object: { type: "Place", id: "p1" },
 *   statType: "TotalTalkTime",
 * });
 * if ("error" in r) r.error.message; // e.g. "subject AgentStatus does not apply to Place"
 * ```
 * @module
 */
import {
  type Category,
  type EngineConfig,
  OBJECT_TYPES,
  type ObjectType,
  type StatDefinition,
  type StatTypeDef,
  type Subject,
  type TimeProfileDef,
  type TimeRangeDef,
} from "../definitions.ts";
import { Directory, type ObjNode } from "../engine/directory.ts";
import type { EngineError, OpenRequest } from "../engine/types.ts";
import { type CompiledFilter, compileFilter } from "../filter/compile.ts";

/** The object types each subject applies to (docs/semantics-config.md). */
export const SUBJECT_OBJECTS: Readonly<Record<Subject, ReadonlySet<ObjectType>>> = {
  DNAction: new Set(OBJECT_TYPES),
  DNStatus: new Set(["Tenant", "Agent", "Place", "GroupAgents", "GroupPlaces", "RegDN"]),
  AgentStatus: new Set(["Tenant", "Agent", "GroupAgents"]),
  PlaceStatus: new Set(["Tenant", "Place", "GroupPlaces"]),
  GroupStatus: new Set(["GroupAgents", "GroupPlaces"]),
};

/** Categories that need a relative mask (`relMask`). */
export const CATEGORIES_NEEDING_REL_MASK: readonly Category[] = [
  "RelativeTimePercentage",
  "RelativeNumberPercentage",
  "CurrentRelativeNumberPercentage",
  "AverageNumberPerRelativeHour",
];

/** Categories that read a time range (`Default` when the request names none). */
export const CATEGORIES_NEEDING_TIME_RANGE: readonly Category[] = [
  "CurrentNumberInTimeRange",
  "CurrentNumberInTimeRangePercentage",
  "TotalNumberInTimeRange",
  "TotalNumberInTimeRangePercentage",
  "TotalTimeInTimeRange",
  "ServiceFactor1",
];

/** The profile a request without `timeProfile` gets when the config has no `Default`. */
export const DEFAULT_TIME_PROFILE: TimeProfileDef = {
  name: "Default",
  type: "Growing",
  resets: { kind: "times", minutes: [0] },
  timeZone: "UTC",
};

/** The range a range category gets when the request names none and the config has no `Default`. */
export const DEFAULT_TIME_RANGE: TimeRangeDef = { name: "Default", lo: 0, hi: 20 };

const _NEEDS_REL: ReadonlySet<Category> = new Set(CATEGORIES_NEEDING_REL_MASK);
const _NEEDS_RANGE: ReadonlySet<Category> = new Set(CATEGORIES_NEEDING_TIME_RANGE);
const _QUEUE_SIDE: ReadonlySet<string> = new Set(["Queue", "RoutePoint", "GroupQueues"]);
const _AGENT_SIDE: ReadonlySet<string> = new Set(["Agent", "Place", "GroupAgents", "GroupPlaces", "RegDN"]);

/** The request field a refusal is about (for a config key path or an API error). */
export type RequestKey =
  | "object"
  | "object.id"
  | "object.tenant"
  | "statType"
  | "definition"
  | "timeProfile"
  | "timeRange"
  | "timeRange2"
  | "filter";

/** A refused request: the engine's error, and the request field it is about. */
export interface RequestError extends EngineError {
  key: RequestKey;
}

/** The objects a resolution looks up: the engine's `Directory` (structurally). */
export interface ObjectLookup<N extends { tenant: string }> {
  obj(type: ObjectType, id: string): N | undefined;
  tenantFor(tenant: string, side: "agent" | "queue" | "any"): N | undefined;
}

/** What an open request's definition resolves to, independent of the object instance. */
export interface ResolvedDefinition {
  /** the stat type (with its name and objects), or the inline definition */
  def: StatDefinition | StatTypeDef;
  /** for a Tenant object: the side its statistic sees (docs/semantics.md §2); else null */
  side: "agent" | "queue" | "any" | null;
  /** the time profile, by name (`Default` when the request names none) */
  profile: TimeProfileDef;
  /** the time range, when the category reads one or the request names one */
  range: TimeRangeDef | null;
  /** the second time range (ServiceFactor1's short abandons), when the request names one */
  range2: TimeRangeDef | null;
  filter: CompiledFilter | null;
}

/** A resolved request: the object node it attaches to, and its definition. */
export interface ResolvedRequest<N> extends ResolvedDefinition {
  obj: N;
}

function _err(code: string, message: string, key: RequestKey): RequestError {
  return { error: { code, message }, key };
}

/**
 * Resolve a whole open request against a config and a directory.
 *
 * @example
 * ```ts
 * const r = resolveRequest(config, dir, { object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" });
 * "error" in r ? r.error.code : r.def.category; // "CurrentNumber"
 * ```
 */
export function resolveRequest<N extends { tenant: string }>(
  config: EngineConfig,
  dir: ObjectLookup<N>,
  req: OpenRequest,
  filters?: Map<string, CompiledFilter>,
): ResolvedRequest<N> | RequestError {
  const o = resolveObject(dir, req);
  if ("error" in o) return o;
  const d = resolveDefinition(config, req.object.type, req, filters);
  if ("error" in d) return d;
  const obj = d.side !== null ? (dir.tenantFor(req.object.id, d.side) ?? o.obj) : o.obj;
  return { ...d, obj };
}

/**
 * The object of a request: it must exist in the directory (and be in the tenant, if named).
 *
 * @example
 * ```ts
 * resolveObject(dir, { object: { type: "Agent", id: "nobody" } }); // { error: { code: "unknown-object", ... } }
 * ```
 */
export function resolveObject<N extends { tenant: string }>(
  dir: ObjectLookup<N>,
  req: OpenRequest,
): { obj: N } | RequestError {
  if (!req || typeof req !== "object" || !req.object || typeof req.object !== "object")
    return _err("bad-request", "object is required", "object");
  const { type, id, tenant } = req.object;
  const obj = dir.obj(type, id);
  if (!obj) return _err("unknown-object", `no ${type} ${JSON.stringify(id)} in the directory`, "object.id");
  if (tenant !== undefined && tenant !== obj.tenant)
    return _err(
      "unknown-object",
      `${type} ${JSON.stringify(id)} is not in tenant ${JSON.stringify(tenant)}`,
      "object.tenant",
    );
  return { obj };
}

/**
 * The definition part of a request on an object of type `type`: stat type or inline definition,
 * whether its subject and category apply to the type, the time profile, ranges and filter.
 * Needs no directory: the config checks run it for every object type a stat type lists.
 *
 * @example
 * ```ts
 * resolveDefinition(config, "Place", { object: { type: "Place", id: "" }, statType: "TotalTalkTime" });
 * // { error: { code: "subject-not-supported", message: "subject AgentStatus does not apply to Place" }, key: "statType" }
 * ```
 */
export function resolveDefinition(
  config: EngineConfig,
  type: ObjectType,
  req: OpenRequest,
  filters?: Map<string, CompiledFilter>,
): ResolvedDefinition | RequestError {
  let def: StatDefinition | StatTypeDef;
  let defKey: RequestKey = "statType";
  if (req.statType !== undefined) {
    const st = Object.hasOwn(config.statTypes, req.statType) ? config.statTypes[req.statType] : undefined;
    if (!st) return _err("unknown-stat-type", `no stat type ${JSON.stringify(req.statType)}`, "statType");
    if (!st.objects.includes(type))
      return _err(
        "object-type-not-supported",
        `stat type ${req.statType} does not apply to ${type}`,
        "statType",
      );
    def = st;
  } else if (req.definition) {
    def = req.definition;
    defKey = "definition";
  } else return _err("bad-request", "statType or definition is required", "statType");
  const { category: cat, subject } = def;
  let side: "agent" | "queue" | "any" | null = null;
  if (type === "Tenant") {
    // a tenant statistic sees the side of its stat type's objects (docs/semantics.md §2)
    const objs: readonly string[] = req.statType !== undefined ? (def as StatTypeDef).objects : [];
    const q = objs.some((x) => _QUEUE_SIDE.has(x));
    const a = objs.some((x) => _AGENT_SIDE.has(x));
    side = q && !a ? "queue" : a && !q ? "agent" : "any";
  }
  if (!SUBJECT_OBJECTS[subject]?.has(type))
    return _err("subject-not-supported", `subject ${subject} does not apply to ${type}`, defKey);
  if (subject === "GroupStatus" && cat !== "CurrentState" && cat !== "CurrentStateReasons")
    return _err("category-not-supported", "subject GroupStatus supports CurrentState only", defKey);
  if ((cat === "CurrentState" || cat === "CurrentStateReasons") && type === "Tenant")
    return _err("category-not-supported", "CurrentState is not available for a Tenant", defKey);
  if (cat === "CurrentContinuousTime") {
    const ok =
      (type === "RegDN" && (subject === "DNAction" || subject === "DNStatus")) ||
      (type === "Agent" && subject === "AgentStatus") ||
      (type === "Place" && subject === "PlaceStatus");
    if (!ok)
      return _err(
        "category-not-supported",
        "CurrentContinuousTime needs RegDN+DNAction/DNStatus, Agent+AgentStatus or Place+PlaceStatus",
        defKey,
      );
  }
  if (_NEEDS_REL.has(cat) && !def.relMask) return _err("relmask-required", `${cat} needs a relMask`, defKey);
  // time profile
  const pname = req.timeProfile ?? "Default";
  const profile = Object.hasOwn(config.timeProfiles, pname)
    ? config.timeProfiles[pname]
    : pname === "Default"
      ? DEFAULT_TIME_PROFILE
      : undefined;
  if (!profile)
    return _err("unknown-time-profile", `no time profile ${JSON.stringify(pname)}`, "timeProfile");
  if (profile.type === "SinceLogin" && type !== "Agent")
    return _err("time-profile-not-supported", "SinceLogin applies to Agent objects only", "timeProfile");
  if (
    (cat === "MaxNumber" || cat === "MinNumber") &&
    profile.type !== "Growing" &&
    profile.type !== "SinceLogin"
  )
    return _err("time-profile-not-supported", `${cat} needs a Growing or SinceLogin profile`, "timeProfile");
  // ranges
  let range: TimeRangeDef | null = null;
  if (_NEEDS_RANGE.has(cat) || req.timeRange !== undefined) {
    const rname = req.timeRange ?? "Default";
    const r = Object.hasOwn(config.timeRanges, rname)
      ? config.timeRanges[rname]
      : rname === "Default"
        ? DEFAULT_TIME_RANGE
        : undefined;
    if (!r) return _err("unknown-time-range", `no time range ${JSON.stringify(rname)}`, "timeRange");
    range = r;
  }
  let range2: TimeRangeDef | null = null;
  if (req.timeRange2 !== undefined) {
    const r = Object.hasOwn(config.timeRanges, req.timeRange2)
      ? config.timeRanges[req.timeRange2]
      : undefined;
    if (!r)
      return _err("unknown-time-range", `no time range ${JSON.stringify(req.timeRange2)}`, "timeRange2");
    range2 = r;
  }
  // filter
  let filter: CompiledFilter | null = null;
  if (req.filter !== undefined) {
    let f = filters?.get(req.filter);
    if (!f) {
      const fd = Object.hasOwn(config.filters, req.filter) ? config.filters[req.filter] : undefined;
      if (!fd) return _err("unknown-filter", `no filter ${JSON.stringify(req.filter)}`, "filter");
      try {
        f = compileFilter(fd.expression);
      } catch (e) {
        return _err("bad-filter", `filter ${req.filter}: ${(e as Error).message}`, "filter");
      }
      filters?.set(req.filter, f);
    }
    filter = f;
  }
  return { def, side, profile, range, range2, filter };
}

/**
 * A resolver over a config's own directory (the engine's `Directory`, built once): what the
 * config checks open `[[replay.statistics]]` with, exactly as the engine will.
 *
 * @example
 * ```ts
 * const resolve = requestResolver(config);
 * const r = resolve({ object: { type: "Queue", id: "8001" }, statType: "ServiceFactor", timeRange2: "Short" });
 * if ("error" in r) r.key; // "timeRange2"
 * ```
 */
export function requestResolver(
  config: EngineConfig,
): (req: OpenRequest) => ResolvedRequest<ObjNode> | RequestError {
  const dir = new Directory(config.directory);
  const filters = new Map<string, CompiledFilter>();
  return (req) => resolveRequest(config, dir, req, filters);
}
