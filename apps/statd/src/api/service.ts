/**
 * The port between the HTTP/WebSocket API and the cluster: what one instance (the façade that
 * holds a client's connection) can do for the whole cluster. The Hono app (`app.ts`) and the
 * WebSocket stream protocol (`stream.ts`) are written against this interface only; the instance
 * implements it over the bus (`../instance/`), so the API never sees the engine or the bus.
 *
 * Errors are thrown as {@link ServiceError}: the API turns them into the error body of docs/api.md
 * `{"error":{"code","message","details"}}` with the status they carry.
 *
 * @example
 * ```ts
 * const s: StatService = instance.service;
 * const st = await s.open({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }, (n) => push(n));
 * const v = await s.peek(st.id);
 * await s.close(st.id);
 * ```
 * @module
 */
import type { ObjectType, OpenRequest, StatValue } from "@statd/stat-core";

/** An error the API reports as a 4xx/5xx JSON body. */
export class ServiceError extends Error {
  override name = "ServiceError";
  constructor(
    /** HTTP status: 400 bad request, 403, 404 unknown id/object, 409, 413, 422, 503 unavailable */
    readonly status: number,
    /** machine-readable code, e.g. `unknown-statistic`, `bad-request`, `unavailable` */
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** A statistic's value as the API returns it. `at` is the event time (epoch ms) it holds for. */
export interface StatInfo {
  /** cluster-wide id of an open statistic (opaque string) */
  id: string;
  value: StatValue;
  valid: boolean;
  at: number;
  /** tenant of the statistic's object (for token scope checks) */
  tenant: string;
}

/** One notification of one open statistic. */
export interface NotificationOut {
  value: StatValue;
  valid: boolean;
  /** epoch ms of the event time the value holds for */
  at: number;
  reason: "change" | "time" | "reset" | "validity";
}

/** Receives the notifications of one open statistic (called on the façade's event loop). */
export type Sink = (n: NotificationOut) => void;

/** `GET /v1/profile` */
export interface ProfileInfo {
  statTypes: Record<string, unknown>;
  timeProfiles: Record<string, unknown>;
  timeRanges: Record<string, unknown>;
  filters: Record<string, unknown>;
}

/** One row of `GET /v1/objects`. */
export interface ObjectInfo {
  type: ObjectType;
  id: string;
  tenant: string;
  /** current status where the object has one (agents, places, DNs) */
  status?: { status: string; since: number } | null;
}

/** One instance of the cluster as `/v1/cluster` shows it. */
export interface InstanceInfo {
  id: number;
  pid: number;
  /** `alive`, `joining`, `dead`, `free` … (membership state) */
  state: string;
  heartbeatAgeMs: number | null;
  eventsPerSec: number;
  ownedObjects: number;
}

/** One SIP session (node × port). */
export interface SessionInfo {
  node: string;
  port: "interactionProxy" | "tController";
  /** instance holding the session */
  instance: number;
  state: string;
  lastSeq: number;
  live: boolean;
}

/** `GET /v1/cluster` */
export interface ClusterInfo {
  name: string;
  /** instance that answered */
  self: number;
  instances: InstanceInfo[];
  sessions: SessionInfo[];
  bus: Record<string, number>;
  overload?: { state: "normal" | "overloaded"; loopLagMs: number };
}

/** Per-instance counters for `/metrics` (the API renders them as Prometheus text). */
export interface InstanceMetrics {
  instance: number;
  eventsIn: number;
  /** refused events by reason */
  refused: Record<string, number>;
  actions: number;
  notificationsOut: number;
  /** bus rings addressed to this instance: fullest ring's fill 0..1, and bytes published to it unread */
  ringFill: number;
  ringLag: number;
  loopLagMs: number;
  openStatistics: number;
}

/** What an instance can do for the API, for the whole cluster. */
export interface StatService {
  /** cluster name */
  readonly name: string;
  /** `GET /v1/profile` */
  profile(): ProfileInfo;
  /** `GET /v1/objects`; unknown type → ServiceError 400 */
  objects(q: { type?: string; tenant?: string }): Promise<ObjectInfo[]>;
  /** tenant of a directory object, or null when the object is unknown */
  tenantOf(object: { type: string; id: string }): string | null;
  /**
   * Open a statistic; its notifications (by `req.notification`, default `changes`) go to `sink`
   * (null: none until a listener is attached). Bad request → ServiceError 400/404.
   */
  open(req: OpenRequest, sink: Sink | null): Promise<StatInfo>;
  /** Current value of an open statistic; unknown id → ServiceError 404. */
  peek(id: string): Promise<StatInfo>;
  close(id: string): Promise<void>;
  suspend(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Add a listener to an open statistic (SSE); returns the function that removes it. */
  listen(id: string, sink: Sink): () => void;
  /** Remove the listener given to `open` (its subscription moves to another instance's stream). */
  detach?(id: string, sink: Sink): void;
  /** One-shot value without keeping the statistic open. */
  query(req: OpenRequest): Promise<{ value: StatValue; valid: boolean; at: number }>;
  cluster(): Promise<ClusterInfo>;
  /** all instances up and every SIP session live */
  readiness(): Promise<{ ready: boolean; reasons: string[] }>;
  /** counters of every instance */
  metrics(): Promise<InstanceMetrics[]>;
}
