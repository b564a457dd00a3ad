/**
 * The shared vocabulary of stat-core: object types, subjects, categories, and the *resolved*
 * definitions that the config loader (`config/`) produces and the engine consumes. This file is
 * the contract between those two halves; change it deliberately.
 *
 * Everything here is plain data (no classes), portable, and JSON-serialisable.
 *
 * @example
 * ```ts
 * import type { StatTypeDef } from "./definitions.ts";
 * const waiting: StatTypeDef = {
 *   name: "CurrNumberWaitingCalls", objects: ["Queue", "RoutePoint", "GroupQueues"],
 *   category: "CurrentNumber", subject: "DNAction", mainMask: { all: false, include: ["CallWait"], exclude: [] },
 * };
 * ```
 * @module
 */

/** Statistic object types supported by statd (voice, cluster mode, Place kept). */
export const OBJECT_TYPES = [
  "Tenant",
  "Agent",
  "Place",
  "GroupAgents",
  "GroupPlaces",
  "RegDN",
  "Queue",
  "RoutePoint",
  "GroupQueues",
] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];

/** What a statistic aggregates: actions, or one of the status levels. */
export const SUBJECTS = ["DNAction", "DNStatus", "AgentStatus", "PlaceStatus", "GroupStatus"] as const;
export type Subject = (typeof SUBJECTS)[number];

/**
 * The current categories: instantaneous values that ignore the time profile (docs/domain.md §3.3),
 * the two current-state ones (structured values) first.
 */
export const CURRENT_CATEGORIES = [
  "CurrentState",
  "CurrentStateReasons",
  "CurrentNumber",
  "CurrentTime",
  "CurrentContinuousTime",
  "CurrentMaxTime",
  "CurrentMinTime",
  "CurrentAverageTime",
  "CurrentRelativeNumberPercentage",
  "CurrentNumberInTimeRange",
  "CurrentNumberInTimeRangePercentage",
] as const;

/** The categories statd implements (docs/domain.md §3.4). */
export const CATEGORIES = [
  ...CURRENT_CATEGORIES,
  // historical
  "TotalNumber",
  "TotalTime",
  "TotalAdjustedNumber",
  "TotalAdjustedTime",
  "AverageTime",
  "MaxTime",
  "MinTime",
  "MaxNumber",
  "MinNumber",
  "AverageOfCurrentNumber",
  "ElapsedTimePercentage",
  "RelativeTimePercentage",
  "RelativeNumberPercentage",
  "TotalNumberInTimeRange",
  "TotalNumberInTimeRangePercentage",
  "TotalTimeInTimeRange",
  "TotalNumberPerSecond",
  "AverageNumberPerRelativeHour",
  // compound
  "ServiceFactor1",
  "EstimWaitTime",
] as const;
export type Category = (typeof CATEGORIES)[number];

/** DN types from the configuration. Regular DNs hold parties; mediation DNs hold waiting calls. */
export const REGULAR_DN_TYPES = ["Extension", "ACDPosition", "VoiceTreatmentPort", "Mixed"] as const;
export const MEDIATION_DN_TYPES = [
  "ACDQueue",
  "RoutingPoint",
  "VirtualQueue",
  "RoutingQueue",
  "ServiceNumber",
] as const;
export type RegularDnType = (typeof REGULAR_DN_TYPES)[number];
export type MediationDnType = (typeof MEDIATION_DN_TYPES)[number];
export type DnType = RegularDnType | MediationDnType;

/**
 * A parsed action/status mask. `all` is `*`; `include` lists names added explicitly; `exclude`
 * lists `~NAME` entries. Membership: `(all || include has x) && !exclude has x`.
 */
export interface Mask {
  all: boolean;
  include: string[];
  exclude: string[];
}

/** A stat type (`[statTypes.NAME]`), resolved. */
export interface StatTypeDef {
  name: string;
  objects: ObjectType[];
  category: Category;
  subject: Subject;
  mainMask: Mask;
  relMask?: Mask;
  /** Durations from source time stamps (default true: statd always has source time). */
  useSourceTimestamps?: boolean;
  description?: string;
}

/** An explicit definition in an open request (instead of a stat type name). */
export interface StatDefinition {
  category: Category;
  subject: Subject;
  mainMask: Mask;
  relMask?: Mask;
}

/** Growing profile reset schedule. Minutes are minutes after local midnight in `timeZone`. */
export type GrowingResets =
  | { kind: "times"; minutes: number[] } // e.g. "00:00,12:00" -> [0, 720]
  | { kind: "period"; startMinute: number; periodMinutes: number } // e.g. "00:00+00:15"
  | { kind: "never" }; // ever-growing

/** A time profile (`[timeProfiles.NAME]`), resolved. */
export type TimeProfileDef =
  | { name: string; type: "Growing"; resets: GrowingResets; timeZone: string }
  | { name: string; type: "Sliding"; lengthSec: number; stepSec: number }
  | { name: string; type: "Selection"; n: number }
  | { name: string; type: "SinceLogin" };

/** A time range `[lo, hi)` in seconds (`[timeRanges.NAME]`). */
export interface TimeRangeDef {
  name: string;
  lo: number;
  hi: number;
}

/** A named filter (`[filters.NAME]`): the expression source text (see filter/). */
export interface FilterDef {
  name: string;
  expression: string;
}

/** Notification mode of one subscription (docs/api.md). */
export interface NotificationDef {
  mode: "changes" | "time" | "reset" | "none";
  /** seconds between evaluations, mode "time" */
  frequency?: number;
  /** percent of the last reported value (docs/domain.md §5.4) */
  insensitivity?: number;
}

// ---------------------------------------------------------------------------------------------
// Directory (the object model read from config)

export interface TenantDef {
  id: string;
  name?: string;
}
export interface DnDef {
  /** the DN number as it appears in events' thisDN */
  id: string;
  tenant: string;
  type: DnType;
  /** owning place, for regular DNs (static binding) */
  place?: string;
}
export interface PlaceDef {
  id: string;
  tenant: string;
}
export interface AgentDef {
  /** EmployeeID: the id statistics are opened on */
  id: string;
  tenant: string;
  /** login code(s) seen as `agentId` in events; defaults to [id] */
  loginIds: string[];
  name?: string;
}
export interface AgentGroupDef {
  id: string;
  tenant: string;
  agents: string[];
  /** mediation DNs feeding this group (for queue-reflected pseudo actions) */
  originationDns: string[];
}
export interface PlaceGroupDef {
  id: string;
  tenant: string;
  places: string[];
  originationDns: string[];
}
export interface QueueGroupDef {
  id: string;
  tenant: string;
  /** mediation DNs in the group */
  dns: string[];
}
export interface DirectoryDef {
  tenants: TenantDef[];
  dns: DnDef[];
  places: PlaceDef[];
  agents: AgentDef[];
  agentGroups: AgentGroupDef[];
  placeGroups: PlaceGroupDef[];
  queueGroups: QueueGroupDef[];
}

// ---------------------------------------------------------------------------------------------
// The engine's configuration (the daemon's own sections are `@statd/config`'s)

/** The validated configuration the engine runs on: its object model and definitions. */
export interface EngineConfig {
  directory: DirectoryDef;
  statTypes: Record<string, StatTypeDef>;
  timeProfiles: Record<string, TimeProfileDef>;
  timeRanges: Record<string, TimeRangeDef>;
  filters: Record<string, FilterDef>;
  /**
   * default zone of Growing profiles that name none (IANA name; absent = UTC); already applied
   * to `timeProfiles`, kept to say what the file set (`[cluster].timeZone` in a daemon file)
   */
  timeZone?: string;
}

// ---------------------------------------------------------------------------------------------
// Input events (the protocol's event format, docs/protocol.md; validated at the sip-client edge)

export type CallType = "Inbound" | "Outbound" | "Internal" | "Consult" | "Unknown";

/** One T-Library event as the engine consumes it. `time` is the source time, epoch seconds. */
export interface TEvent {
  event: string;
  time: number;
  seq?: number;
  /** SIP node the event came from (for link-loss validity) */
  node?: string;
  snapshot?: boolean;
  connId?: string;
  previousConnId?: string;
  thisDN?: string;
  otherDN?: string;
  thisQueue?: string;
  agentId?: string;
  callType?: CallType;
  workMode?: string;
  reasons?: Record<string, string | number>;
  userData?: Record<string, string | number>;
  ani?: string;
  dnis?: string;
  [extra: string]: unknown;
}

/** Statistic values on the wire: numbers, null (undefined), or a structure (CurrentState). */
export type StatValue = number | null | { [k: string]: unknown };
