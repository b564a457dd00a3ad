/**
 * `[statTypes.NAME]` tables → resolved {@link StatTypeDef}s: object types, category, subject,
 * masks, and the warnings a wrong-family name deserves. Whether each listed object type can
 * really be opened is checked by the request resolution (`request.ts`), in `resolve.ts`.
 *
 * @example
 * ```ts
 * import { IssueSink } from "./errors.ts";
 * import { resolveStatTypes } from "./stat-types.ts";
 * const sink = new IssueSink();
 * resolveStatTypes({ W: { objects: "Queue", category: "CurrentNumber", mainMask: "CallWait" } }, sink).W.subject;
 * // "DNAction"
 * ```
 * @module
 */
import {
  CATEGORIES,
  type Category,
  type Mask,
  OBJECT_TYPES,
  type ObjectType,
  type StatTypeDef,
  SUBJECTS,
  type Subject,
} from "../definitions.ts";
import {
  checkMaskNames,
  didYouMean,
  MaskError,
  MEDIATION_DN_ACTIONS,
  parseMask,
  REGULAR_DN_ACTIONS,
} from "../mask.ts";
import { type IssueSink, show } from "./errors.ts";
import { CATEGORIES_NEEDING_REL_MASK } from "./request.ts";
import type { RawStatType } from "./schema.ts";

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

/** Object types of the agent side (docs/domain.md §1.2); Tenant belongs to both. */
export const AGENT_SIDE_OBJECTS: readonly ObjectType[] = [
  "Agent",
  "Place",
  "GroupAgents",
  "GroupPlaces",
  "RegDN",
  "Tenant",
];
/** Object types of the queue side (docs/domain.md §1.2); Tenant belongs to both. */
export const QUEUE_SIDE_OBJECTS: readonly ObjectType[] = ["Queue", "RoutePoint", "GroupQueues", "Tenant"];

const _ALL_ACTIONS: ReadonlySet<string> = new Set<string>([...REGULAR_DN_ACTIONS, ...MEDIATION_DN_ACTIONS]);
const _SUBJECT_ALIASES: Record<string, Subject> = { Action: "DNAction" };

/**
 * Resolve the stat type tables (defaults already merged); a table with errors is left out.
 *
 * @example
 * ```ts
 * resolveStatTypes({ ...defaults.statTypes, ...raw.statTypes }, sink);
 * ```
 */
export function resolveStatTypes(
  raw: Record<string, RawStatType>,
  sink: IssueSink,
): Record<string, StatTypeDef> {
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
  // whether the subject (and category) applies to each listed object type is the request
  // resolution's rule, checked for every pair once all tables are resolved (resolve.ts)
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
