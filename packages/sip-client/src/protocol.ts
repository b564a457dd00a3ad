/**
 * The SIP-cluster monitoring protocol (docs/protocol.md, written out in `docs/protocol.md`): the
 * event catalogue (which port carries which event, which attributes each requires), the valibot
 * schemas of every message both ways, and the TypeScript shapes they produce.
 *
 * valibot is the documented schema. The hot path validates events with the equivalent hand-rolled
 * {@link checkEvent} (`validate.ts`), property-tested to agree with {@link EventSchema}.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { EventSchema } from "./protocol.ts";
 * const ev = v.parse(EventSchema, { seq: 1, event: "EventRinging", time: 1.5, connId: "c1", thisDN: "1001" });
 * ```
 * @module
 */
import * as v from "valibot";

/** The two monitoring ports of a SIP node. */
export const PORT_KINDS = ["interactionProxy", "tController"] as const;
/** `interactionProxy` (call events) or `tController` (agent and DN events). */
export type PortKind = (typeof PORT_KINDS)[number];

/** T-Library call types (docs/domain.md §2.7). */
export const CALL_TYPES = ["Inbound", "Outbound", "Internal", "Consult", "Unknown"] as const;
export type CallType = (typeof CALL_TYPES)[number];

/** T-Library agent work modes (docs/domain.md §2.7, AgentWorkMode). */
export const WORK_MODES = [
  "Unknown",
  "ManualIn",
  "AutoIn",
  "AfterCallWork",
  "AuxWork",
  "NoCallDisconnect",
  "WalkAway",
  "ReturnBack",
] as const;
export type WorkMode = (typeof WORK_MODES)[number];

/** The typed attributes (besides `event`, `time`, `seq`, `snapshot`). */
export const ATTRIBUTES = [
  "connId",
  "previousConnId",
  "thisDN",
  "otherDN",
  "thisQueue",
  "agentId",
  "callType",
  "workMode",
  "reasons",
  "userData",
  "ani",
  "dnis",
] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** Which port carries an event: one of the two, or both (link/server events, user events). */
export type EventPort = PortKind | "both";

/** One entry of the event catalogue. */
export interface EventSpec {
  port: EventPort;
  /** attributes that must be present (besides `event` and `time`) */
  required: readonly Attribute[];
}

const CALL: EventSpec = { port: "interactionProxy", required: ["connId", "thisDN"] };
const DN: EventSpec = { port: "tController", required: ["thisDN"] };
const AGENT: EventSpec = { port: "tController", required: ["thisDN"] };
const LINK: EventSpec = { port: "both", required: [] };

/**
 * The event catalogue: every event name the protocol knows, the port that carries it and the
 * attributes it requires. An event name not listed here is a validation error (a bad frame).
 */
export const EVENT_SPECS = {
  // T-Controller: agent and DN state
  EventRegistered: DN,
  EventAddressInfo: DN,
  EventAgentLogin: { port: "tController", required: ["thisDN", "agentId"] },
  EventAgentLogout: AGENT,
  EventAgentReady: AGENT,
  EventAgentNotReady: AGENT,
  EventAgentAfterCallWork: AGENT,
  EventQueueLogout: { port: "tController", required: ["thisDN", "thisQueue"] },
  EventOffHook: DN,
  EventOnHook: DN,
  EventDNOutOfService: DN,
  EventDNBackInService: DN,
  // Interaction Proxy: calls
  EventDialing: CALL,
  EventNetworkReached: CALL,
  EventDestinationBusy: CALL,
  EventRinging: CALL,
  EventEstablished: CALL,
  EventReleased: CALL,
  EventQueued: CALL,
  EventDiverted: CALL,
  EventAbandoned: CALL,
  EventHeld: CALL,
  EventRetrieved: CALL,
  EventPartyChanged: CALL,
  EventPartyAdded: CALL,
  EventPartyDeleted: CALL,
  EventRouteRequest: CALL,
  EventRouteUsed: CALL,
  EventTreatmentApplied: CALL,
  EventTreatmentEnd: CALL,
  EventTreatmentNotApplied: CALL,
  EventAttachedDataChanged: { port: "interactionProxy", required: ["connId"] },
  // both ports
  EventUserEvent: { port: "both", required: ["thisDN"] },
  EventLinkDisconnected: LINK,
  EventLinkConnected: LINK,
  EventServerDisconnected: LINK,
} as const satisfies Record<string, EventSpec>;

/** A known event name. */
export type EventName = keyof typeof EVENT_SPECS;
/** Every known event name, in catalogue order. */
export const EVENT_NAMES: readonly EventName[] = Object.keys(EVENT_SPECS) as EventName[];

/** True if `port` may carry `event`. @example `portCarries("EventRinging", "interactionProxy") // true` */
export function portCarries(event: EventName, port: PortKind): boolean {
  const p = EVENT_SPECS[event].port;
  return p === "both" || p === port;
}

/** Key-value lists (`reasons`, `userData`): string keys, string or number values. */
export type KvList = Record<string, string | number>;

/**
 * One event as it travels on the wire and as the client delivers it. Structurally assignable to
 * stat-core's `TEvent` (kept in step by `test/sip-types.test.ts`, without a package dependency).
 */
export interface SipEvent {
  event: EventName;
  /** source time, epoch seconds (float) */
  time: number;
  /** stream sequence number; absent on snapshot events */
  seq?: number;
  /** true on events that describe current state inside a snapshot */
  snapshot?: boolean;
  /** set by the cluster client to the node id the event came from */
  node?: string;
  connId?: string;
  previousConnId?: string;
  thisDN?: string;
  otherDN?: string;
  thisQueue?: string;
  agentId?: string;
  callType?: CallType;
  workMode?: WorkMode;
  reasons?: KvList;
  userData?: KvList;
  ani?: string;
  dnis?: string;
  /** further attributes pass through untyped (e.g. `thirdPartyDN`, `callState`, `treatmentType`) */
  [extra: string]: unknown;
}

/**
 * An event as the simulation publishes it, before the node stamps `seq` on it:
 * `{ event, time, ...attributes }`. Deliberately loose; the client validates what arrives.
 */
export interface EventBody {
  event: string;
  time: number;
  [attribute: string]: unknown;
}

// ---------------------------------------------------------------------------------------------
// valibot schemas

const plainObject = v.custom<Record<string, unknown>>(
  (x) => x !== null && typeof x === "object" && !Array.isArray(x),
  "Invalid type: Expected Object",
);
const idString = v.pipe(v.string(), v.nonEmpty());
const kvList = v.pipe(plainObject, v.record(v.string(), v.union([v.string(), v.number()])));

/** Schemas of the typed attributes, by name. */
export const ATTRIBUTE_SCHEMAS = {
  connId: idString,
  previousConnId: idString,
  thisDN: idString,
  otherDN: idString,
  thisQueue: idString,
  agentId: idString,
  callType: v.picklist(CALL_TYPES),
  workMode: v.picklist(WORK_MODES),
  reasons: kvList,
  userData: kvList,
  ani: v.string(),
  dnis: v.string(),
} as const;

/** `time`: finite, non-negative epoch seconds. */
export const TimeSchema = v.pipe(v.number(), v.finite(), v.minValue(0));
/** `seq`: a safe integer ≥ 1. */
export const SeqSchema = v.pipe(v.number(), v.safeInteger(), v.minValue(1));

function eventObjectSchema(name: EventName) {
  const req = new Set<string>(EVENT_SPECS[name].required);
  const entries: Record<string, v.GenericSchema> = {
    event: v.literal(name),
    time: TimeSchema,
    seq: v.optional(SeqSchema),
    snapshot: v.optional(v.boolean()),
    node: v.optional(v.string()),
  };
  for (const a of ATTRIBUTES) {
    const s = ATTRIBUTE_SCHEMAS[a] as v.GenericSchema;
    entries[a] = req.has(a) ? s : v.optional(s);
  }
  return v.looseObject(entries);
}

/**
 * The schema of one event line: a JSON object whose `event` names a catalogue entry, with that
 * entry's required attributes, every typed attribute well-typed, and any other key passed through.
 */
export const EventSchema: v.GenericSchema<unknown, SipEvent> = v.pipe(
  plainObject,
  v.variant("event", EVENT_NAMES.map(eventObjectSchema) as never),
) as unknown as v.GenericSchema<unknown, SipEvent>;

const sessionIdString = v.pipe(v.string(), v.nonEmpty(), v.maxLength(128));
const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

/** client → node: open or resume a session. */
export const RegisterSchema = v.looseObject({
  op: v.literal("register"),
  client: v.pipe(v.string(), v.nonEmpty(), v.maxLength(128)),
  sessionId: v.optional(sessionIdString),
  lastSeq: v.optional(count),
  snapshot: v.optional(v.boolean()),
  udataKeys: v.optional(v.pipe(v.array(v.string()), v.maxLength(1024))),
});
/** client → node: everything up to `seq` was received. */
export const AckSchema = v.looseObject({ op: v.literal("ack"), seq: count });
/** either way: keepalive. */
export const PingSchema = v.looseObject({ op: v.literal("ping") });
/** either way: keepalive answer. */
export const PongSchema = v.looseObject({ op: v.literal("pong") });

/** node → client: the answer to `register`. */
export const RegisteredSchema = v.looseObject({
  op: v.literal("registered"),
  sessionId: sessionIdString,
  resumed: v.boolean(),
  eventsInCache: count,
  /** seq of the first live event that will follow (after the replay or the snapshot) */
  nextSeq: v.optional(SeqSchema),
  /** number of cached events about to be replayed (resumed sessions) */
  replay: v.optional(count),
  node: v.optional(v.string()),
  port: v.optional(v.picklist(PORT_KINDS)),
});
/** node → client: a snapshot of current state follows. */
export const SnapshotBeginSchema = v.looseObject({
  op: v.literal("snapshot-begin"),
  count: v.optional(count),
});
/** node → client: the snapshot is complete; live events follow. */
export const SnapshotEndSchema = v.looseObject({ op: v.literal("snapshot-end") });
/** node → client: a request of the client was refused (the session stays up). */
export const ErrorSchema = v.looseObject({
  op: v.literal("error"),
  code: v.string(),
  message: v.string(),
});

/** Any line a client may send to a node. */
export const ClientOpSchema = v.variant("op", [RegisterSchema, AckSchema, PingSchema, PongSchema]);
/** Any non-event line a node may send to a client. */
export const NodeOpSchema = v.variant("op", [
  RegisteredSchema,
  SnapshotBeginSchema,
  SnapshotEndSchema,
  PingSchema,
  PongSchema,
  ErrorSchema,
]);

export type RegisterOp = v.InferOutput<typeof RegisterSchema>;
export type AckOp = v.InferOutput<typeof AckSchema>;
export type RegisteredOp = v.InferOutput<typeof RegisteredSchema>;
export type ErrorOp = v.InferOutput<typeof ErrorSchema>;
export type ClientOp = v.InferOutput<typeof ClientOpSchema>;
export type NodeOp = v.InferOutput<typeof NodeOpSchema>;

/** Error codes a node sends in `{"op":"error"}`. */
export const ERROR_CODES = [
  "bad-frame", // the client's line was not JSON, not an op, or failed validation
  "line-too-long", // the client's line exceeded 64 KiB
  "not-registered", // an ack before register
  "cache-overrun", // the client fell behind the node's cache; the connection is closed
  "slow-consumer", // too much unsent output; the connection is closed
  "session-taken-over", // another connection registered the same sessionId
] as const;

/** The longest line either side accepts, in bytes, excluding the terminating `\n`. */
export const MAX_LINE_BYTES = 64 * 1024;

/** One-line reason from valibot issues. @example `issueText(v.safeParse(S, x).issues)` */
export function issueText(issues: readonly v.BaseIssue<unknown>[] | undefined): string {
  if (!issues || issues.length === 0) return "invalid";
  const i = issues[0]!;
  const path = v.getDotPath(i);
  return path ? `${path}: ${i.message}` : i.message;
}

/**
 * Validate one parsed event with the documented valibot schema (the slow, reference path; the
 * session uses the equivalent `checkEvent`). Returns the event or a one-line reason.
 *
 * @example
 * ```ts
 * const r = parseEventWithSchema({ event: "EventOnHook", time: 1, thisDN: "1001" });
 * ```
 */
export function parseEventWithSchema(x: unknown): SipEvent | string {
  const r = v.safeParse(EventSchema, x);
  return r.success ? r.output : issueText(r.issues);
}
