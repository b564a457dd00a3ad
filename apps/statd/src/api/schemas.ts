/**
 * The valibot schemas of every body the API reads (REST bodies, WebSocket client messages) and of
 * every body it answers. The validators in `app.ts` and `stream.ts` and the OpenAPI document
 * (`openapi.ts`) are built from these same schemas, so the document cannot drift from what the
 * server accepts.
 *
 * Every object schema is strict (an unknown key is an error, so a typo such as `statype` is
 * reported instead of silently ignored), every string and array has a size cap.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { OpenBody } from "./schemas.ts";
 * const r = v.safeParse(OpenBody, { object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" });
 * r.success; // true
 * ```
 * @module
 */
import {
  CATEGORIES,
  type Mask,
  MaskError,
  OBJECT_TYPES,
  type OpenRequest,
  parseMask,
  SUBJECTS,
} from "@statd/stat-core";
import * as v from "valibot";

/** Longest object id, stat type, profile, range or filter name accepted. */
export const MAX_NAME = 256;
/** Most requests in one `POST /v1/query` array. */
export const MAX_QUERY_ITEMS = 1000;
/** Longest WebSocket `ref`. */
export const MAX_REF = 128;
/** Longest reattach token accepted (the server's own are 32 characters). */
export const MAX_TOKEN = 128;

const _name = (what: string) =>
  v.pipe(
    v.string(`${what} must be a string`),
    v.minLength(1, `${what} must not be empty`),
    v.maxLength(MAX_NAME, `${what} is longer than ${MAX_NAME} characters`),
  );

/** A statistic object: `{type, id, tenant?}`. */
export const ObjectRef = v.strictObject({
  type: v.picklist(OBJECT_TYPES, `object.type must be one of ${OBJECT_TYPES.join(", ")}`),
  id: _name("object.id"),
  tenant: v.optional(_name("object.tenant")),
});

const _maskObject = v.strictObject({
  all: v.boolean(),
  include: v.pipe(v.array(_name("mask name")), v.maxLength(256)),
  exclude: v.pipe(v.array(_name("mask name")), v.maxLength(256)),
});

/**
 * A mask as the config writes it (`"CallInbound, ~CallWait"`, `"*"`), as an array of entries, or
 * already parsed (`{all, include, exclude}`); always a {@link Mask} after parsing.
 */
export const MaskInput = v.pipe(
  v.union(
    [
      v.pipe(v.string(), v.maxLength(4096)),
      v.pipe(v.array(v.pipe(v.string(), v.maxLength(MAX_NAME))), v.maxLength(256)),
      _maskObject,
    ],
    "mask must be a string, an array of strings or {all, include, exclude}",
  ),
  v.rawTransform(({ dataset, addIssue, NEVER }): Mask => {
    const m = dataset.value;
    if (typeof m === "object" && !Array.isArray(m))
      return { all: m.all, include: m.include, exclude: m.exclude };
    try {
      return parseMask(m);
    } catch (e) {
      if (!(e instanceof MaskError)) throw e;
      addIssue({ message: e.message });
      return NEVER;
    }
  }),
);

/** An explicit statistic definition instead of a stat type name. */
export const Definition = v.strictObject({
  category: v.picklist(CATEGORIES, "definition.category is not a known category"),
  subject: v.picklist(SUBJECTS, `definition.subject must be one of ${SUBJECTS.join(", ")}`),
  mainMask: MaskInput,
  relMask: v.optional(MaskInput),
});

/** How an open statistic notifies (default `changes`). */
export const Notification = v.strictObject({
  mode: v.picklist(
    ["changes", "time", "reset", "none"],
    'notification.mode must be "changes", "time", "reset" or "none"',
  ),
  frequency: v.optional(
    v.pipe(
      v.number("notification.frequency must be a number (seconds)"),
      v.gtValue(0, "notification.frequency must be > 0"),
      v.maxValue(86_400, "notification.frequency must be at most 86400 s"),
    ),
  ),
  insensitivity: v.optional(
    v.pipe(
      v.number("notification.insensitivity must be a number (percent)"),
      v.minValue(0, "notification.insensitivity must be ≥ 0"),
      v.maxValue(10_000, "notification.insensitivity must be at most 10000 %"),
    ),
  ),
});

const _openEntries = {
  object: ObjectRef,
  statType: v.optional(_name("statType")),
  definition: v.optional(Definition),
  timeProfile: v.optional(_name("timeProfile")),
  timeRange: v.optional(_name("timeRange")),
  timeRange2: v.optional(_name("timeRange2")),
  filter: v.optional(_name("filter")),
  notification: v.optional(Notification),
};

const _XOR = "give exactly one of statType and definition";
const _xor = (body: object): boolean => {
  const b = body as { op?: unknown; statType?: unknown; definition?: unknown };
  return (
    (b.op !== undefined && b.op !== "open") || (b.statType === undefined) !== (b.definition === undefined)
  );
};

/** Body of `POST /v1/statistics` (and each item of `POST /v1/query`). */
export const OpenBody = v.pipe(
  v.strictObject(_openEntries),
  v.check((b) => _xor(b), _XOR),
  v.description("A statistic to open or read: an object and exactly one of statType and definition."),
);

/** Body of `POST /v1/query`: one open body or an array of at most {@link MAX_QUERY_ITEMS}. */
export const QueryBody = v.union(
  [
    // the array first: an array also passes valibot's object check, with confusing issues
    v.pipe(
      v.array(OpenBody),
      v.minLength(1, "the array must not be empty"),
      v.maxLength(MAX_QUERY_ITEMS, `at most ${MAX_QUERY_ITEMS} requests in one query`),
    ),
    OpenBody,
  ],
  "the body must be an open request or an array of them",
);

/** A client's name for one subscription on its connection: a string or an integer. */
export const Ref = v.union(
  [v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_REF)), v.pipe(v.number(), v.safeInteger())],
  `ref must be a non-empty string of at most ${MAX_REF} characters or an integer`,
);

/** Client → server WebSocket messages, by `op`. */
export const ClientMessage = v.pipe(
  v.variant(
    "op",
    [
      v.strictObject({ op: v.literal("open"), ref: Ref, ..._openEntries }),
      v.strictObject({ op: v.picklist(["close", "peek", "suspend", "resume"]), ref: Ref }),
      v.strictObject({ op: v.literal("peekAll") }),
      v.strictObject({
        op: v.literal("reattach"),
        token: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_TOKEN)),
        lastSeq: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
      }),
    ],
    'op must be one of "open", "close", "peek", "suspend", "resume", "peekAll", "reattach"',
  ),
  v.check((b) => _xor(b), _XOR),
);

/** A parsed client message. */
export type ClientMessage = v.InferOutput<typeof ClientMessage>;
/** A subscription reference as the client gave it. */
export type Ref = v.InferOutput<typeof Ref>;

// ---------------------------------------------------------------------------------------------
// responses (for the OpenAPI document and the tests)

/** A statistic value: a number, `null` (undefined: no data, divide by zero) or a structure. */
export const Value = v.nullable(v.union([v.number(), v.record(v.string(), v.unknown())]));

/** `{"error":{"code","message","details"?}}` */
export const ErrorBody = v.object({
  error: v.object({ code: v.string(), message: v.string(), details: v.optional(v.unknown()) }),
});
/** 201 of `POST /v1/statistics` */
export const OpenedResponse = v.object({ id: v.string(), value: Value, valid: v.boolean() });
/** `GET /v1/statistics/:id` (`at`: epoch ms of the event time the value holds for) */
export const PeekResponse = v.object({ id: v.string(), value: Value, valid: v.boolean(), at: v.number() });
/** One result of `POST /v1/query`; in an array, a failed item is an {@link ErrorBody}. */
export const QueryResult = v.object({ value: Value, valid: v.boolean(), at: v.number() });
/** `POST /v1/query` answer: one result, or one per item (in order). */
export const QueryResponse = v.union([QueryResult, v.array(v.union([QueryResult, ErrorBody]))]);
/** `GET /healthz` */
export const HealthResponse = v.object({ ok: v.boolean(), name: v.string() });
/** `GET /readyz` (200 ready, 503 with reasons) */
export const ReadyResponse = v.object({ ready: v.boolean(), reasons: v.array(v.string()) });
/** `DELETE`, suspend, resume */
export const AckResponse = v.object({ id: v.string(), ok: v.literal(true) });
/** One row of `GET /v1/objects` */
export const ObjectRow = v.object({
  type: v.picklist(OBJECT_TYPES),
  id: v.string(),
  tenant: v.string(),
  status: v.optional(v.nullable(v.object({ status: v.string(), since: v.number() }))),
});
/** `GET /v1/objects` */
export const ObjectsResponse = v.object({ objects: v.array(ObjectRow) });
/** `GET /v1/profile` */
export const ProfileResponse = v.object({
  statTypes: v.record(v.string(), v.unknown()),
  timeProfiles: v.record(v.string(), v.unknown()),
  timeRanges: v.record(v.string(), v.unknown()),
  filters: v.record(v.string(), v.unknown()),
});
/** `GET /v1/cluster` */
export const ClusterResponse = v.object({
  name: v.string(),
  self: v.number(),
  instances: v.array(
    v.object({
      id: v.number(),
      pid: v.number(),
      state: v.string(),
      heartbeatAgeMs: v.nullable(v.number()),
      eventsPerSec: v.number(),
      ownedObjects: v.number(),
    }),
  ),
  sessions: v.array(
    v.object({
      node: v.string(),
      port: v.picklist(["interactionProxy", "tController"]),
      instance: v.number(),
      state: v.string(),
      lastSeq: v.number(),
      live: v.boolean(),
    }),
  ),
  bus: v.record(v.string(), v.number()),
  overload: v.optional(v.object({ state: v.picklist(["normal", "overloaded"]), loopLagMs: v.number() })),
});

/** Server → client WebSocket messages (every one carries the connection's `seq`). */
export const ServerMessage = v.variant("event", [
  v.object({ event: v.literal("welcome"), token: v.string(), seq: v.number() }),
  v.object({ event: v.literal("opened"), ref: Ref, id: v.string(), seq: v.number() }),
  v.object({
    event: v.literal("info"),
    ref: Ref,
    value: Value,
    valid: v.boolean(),
    at: v.number(),
    seq: v.number(),
  }),
  v.object({
    event: v.picklist(["closed", "suspended", "resumed", "valid", "invalid"]),
    ref: Ref,
    seq: v.number(),
  }),
  v.object({ event: v.literal("reattached"), refs: v.array(Ref), seq: v.number() }),
  v.object({
    event: v.literal("error"),
    ref: v.optional(Ref),
    code: v.string(),
    message: v.string(),
    seq: v.number(),
  }),
]);

/** A validation failure as the API lists it in `error.details`. */
export interface IssueDetail {
  /** dotted path of the offending field (`""` for the body itself) */
  path: string;
  message: string;
}

/**
 * The issues of a failed parse as `[{path, message}]` (at most 20, so a hostile body with
 * thousands of bad items does not produce a huge answer).
 *
 * @example
 * ```ts
 * const r = v.safeParse(OpenBody, {});
 * if (!r.success) issueDetails(r.issues); // [{ path: "object", message: "..." }, ...]
 * ```
 */
export function issueDetails(issues: readonly v.BaseIssue<unknown>[]): IssueDetail[] {
  return issues.slice(0, 20).map((i) => ({
    path: (i.path ?? []).map((p) => String(p.key)).join("."),
    message: i.message,
  }));
}

/**
 * Parse an open body into the engine's {@link OpenRequest} (the schema output is that type).
 *
 * @example
 * ```ts
 * const r = parseOpen({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" });
 * if (r.ok) r.req.object.id; // "8001"
 * ```
 */
export function parseOpen(
  body: unknown,
): { ok: true; req: OpenRequest } | { ok: false; details: IssueDetail[] } {
  const r = v.safeParse(OpenBody, body);
  return r.success
    ? { ok: true, req: toOpenRequest(r.output) }
    : { ok: false, details: issueDetails(r.issues) };
}

/**
 * The engine request of a parsed open body (or open message: `op` and `ref` are dropped).
 *
 * @example
 * ```ts
 * toOpenRequest({ op: "open", ref: 1, object: { type: "Queue", id: "8001" }, statType: "X" }); // no op/ref
 * ```
 */
export function toOpenRequest(
  b: v.InferOutput<typeof OpenBody> & { op?: unknown; ref?: unknown },
): OpenRequest {
  const { op: _op, ref: _ref, ...rest } = b;
  return rest;
}
