/**
 * Test support only: a {@link StatService} over stat-core's in-process {@link LocalCluster} (a real
 * engine, partitioned like the daemon), so the API tests exercise real statistics instead of a
 * mock. Time moves only when the test says so: {@link LocalStatService.ingest} feeds an event (its
 * time advances the replay clock), {@link LocalStatService.tick} advances to an instant and sends
 * the notifications due then (a changed value for mode `changes`, a period elapsed for mode
 * `time`, a validity flip always), to the statistic's sink and to every listener.
 *
 * What it does not model: `close` stops the notifications and forgets the id, but the
 * LocalCluster (which has no close) keeps computing the statistic; `query` opens one the same way.
 *
 * @example
 * ```ts
 * const svc = new LocalStatService({ config: loadStatdConfig(toml), startMs: T0 });
 * const st = await svc.open({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }, sink);
 * svc.ingest({ event: "EventQueued", time: T0 / 1000 + 1, thisDN: "8001", connId: "c1" });
 * svc.tick(T0 + 1000); // sink gets { value: 1, reason: "change", ... }
 * ```
 * @module
 */
import type { StatdFileConfig } from "@statd/config";
import {
  changedEnough,
  type EngineConfig,
  LocalCluster,
  type ObjectType,
  type OpenRequest,
  objectTypeOfDn,
  type StatValue,
  type TEvent,
} from "@statd/stat-core";
import {
  type ClusterInfo,
  type InstanceMetrics,
  type NotificationOut,
  type ObjectInfo,
  type ProfileInfo,
  ServiceError,
  type Sink,
  type StatInfo,
  type StatService,
} from "./service.ts";

/** Options of {@link LocalStatService}. */
export interface LocalStatServiceOptions {
  config: StatdFileConfig;
  /** engine partitions (default 1) */
  instances?: number;
  /** start of time, epoch ms */
  startMs: number;
}

interface _Stat {
  id: string;
  handle: number;
  req: OpenRequest;
  tenant: string;
  sink: Sink | null;
  listeners: Set<Sink>;
  suspended: boolean;
  last: { value: StatValue; valid: boolean } | null;
  lastSentAt: number;
}

/** The directory as `(type, id) → tenant`, keyed `type\u0000id`. */
function _directory(config: EngineConfig): Map<string, { type: ObjectType; id: string; tenant: string }> {
  const d = config.directory;
  const out = new Map<string, { type: ObjectType; id: string; tenant: string }>();
  const add = (type: ObjectType, id: string, tenant: string) =>
    out.set(`${type}\u0000${id}`, { type, id, tenant });
  for (const t of d.tenants) add("Tenant", t.id, t.id);
  for (const a of d.agents) add("Agent", a.id, a.tenant);
  for (const p of d.places) add("Place", p.id, p.tenant);
  for (const dn of d.dns) add(objectTypeOfDn(dn.type), dn.id, dn.tenant);
  for (const g of d.agentGroups) add("GroupAgents", g.id, g.tenant);
  for (const g of d.placeGroups) add("GroupPlaces", g.id, g.tenant);
  for (const g of d.queueGroups) add("GroupQueues", g.id, g.tenant);
  return out;
}

/** A real-engine {@link StatService} for tests; see the module doc. */
export class LocalStatService implements StatService {
  readonly name: string;
  readonly cluster_: LocalCluster;
  /** what `readiness()` answers; tests flip it */
  ready: { ready: boolean; reasons: string[] } = { ready: true, reasons: [] };
  private readonly _config: EngineConfig;
  private readonly _dir: Map<string, { type: ObjectType; id: string; tenant: string }>;
  private readonly _stats = new Map<string, _Stat>();
  private _next = 1;
  private _notificationsOut = 0;

  constructor(opts: LocalStatServiceOptions) {
    this._config = opts.config.engine;
    this.name = opts.config.cluster.name;
    this.cluster_ = new LocalCluster({
      config: opts.config.engine,
      instances: opts.instances ?? 1,
      startMs: opts.startMs,
    });
    this._dir = _directory(opts.config.engine);
  }

  /** Statistics open now (for tests that check cleanup). */
  get openCount(): number {
    return this._stats.size;
  }

  /** Listeners attached now, over every statistic (for tests that check SSE cleanup). */
  get listenerCount(): number {
    let n = 0;
    for (const s of this._stats.values()) n += s.listeners.size;
    return n;
  }

  /** Feed one event (its time advances the clock). */
  ingest(ev: TEvent): void {
    this.cluster_.ingest(ev);
  }

  /**
   * Mark a SIP node's events as (not) monitored: the statistics depending on it turn invalid
   * (or valid again) at the next {@link tick}.
   */
  setSourceValid(node: string, valid: boolean): void {
    for (const e of this.cluster_.engines) e.setSourceValid(node, valid);
  }

  /** Advance to `nowMs` and deliver the notifications due. */
  tick(nowMs: number): void {
    this.cluster_.clock.observe?.(nowMs);
    this.cluster_.tick(nowMs);
    for (const s of this._stats.values()) {
      const cur = this.cluster_.value(s.handle, nowMs);
      const mode = s.req.notification?.mode ?? "changes";
      const last = s.last;
      let reason: NotificationOut["reason"] | null = null;
      if (last !== null && last.valid !== cur.valid) reason = "validity";
      else if (
        mode === "changes" &&
        changedEnough(last?.value, cur.value, s.req.notification?.insensitivity ?? 0)
      )
        reason = "change";
      else if (mode === "time" && nowMs - s.lastSentAt >= (s.req.notification?.frequency ?? 1) * 1000)
        reason = "time";
      if (reason === null || s.suspended) continue;
      s.last = cur;
      s.lastSentAt = nowMs;
      const n: NotificationOut = { ...cur, at: nowMs, reason };
      if (s.sink) this._send(s.sink, n);
      for (const l of [...s.listeners]) this._send(l, n);
    }
  }

  private _send(sink: Sink, n: NotificationOut): void {
    this._notificationsOut++;
    sink(n);
  }

  profile(): ProfileInfo {
    const c = this._config;
    return {
      statTypes: c.statTypes,
      timeProfiles: c.timeProfiles,
      timeRanges: c.timeRanges,
      filters: c.filters,
    };
  }

  async objects(q: { type?: string; tenant?: string }): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    for (const o of this._dir.values()) {
      if (q.type !== undefined && o.type !== q.type) continue;
      if (q.tenant !== undefined && o.tenant !== q.tenant) continue;
      let status: ObjectInfo["status"] = null;
      for (const e of this.cluster_.engines) status ??= e.objectStatus(o.type, o.id);
      out.push({ ...o, status });
    }
    return out;
  }

  tenantOf(object: { type: string; id: string }): string | null {
    return this._dir.get(`${object.type}\u0000${object.id}`)?.tenant ?? null;
  }

  private _openHandle(req: OpenRequest): { handle: number; tenant: string } {
    const tenant = this.tenantOf(req.object);
    if (tenant === null)
      throw new ServiceError(404, "unknown-object", `no ${req.object.type} ${JSON.stringify(req.object.id)}`);
    const o = this.cluster_.open(req);
    if ("error" in o) throw new ServiceError(400, o.error.code, o.error.message);
    return { handle: o.handle, tenant };
  }

  async open(req: OpenRequest, sink: Sink | null): Promise<StatInfo> {
    const { handle, tenant } = this._openHandle(req);
    const id = `s${this._next++}`;
    const now = this.cluster_.clock.now();
    const cur = this.cluster_.value(handle, now);
    this._stats.set(id, {
      id,
      handle,
      req,
      tenant,
      sink,
      listeners: new Set(),
      suspended: false,
      last: cur,
      lastSentAt: now,
    });
    return { id, ...cur, at: now, tenant };
  }

  private _get(id: string): _Stat {
    const s = this._stats.get(id);
    if (!s) throw new ServiceError(404, "unknown-statistic", `no open statistic ${JSON.stringify(id)}`);
    return s;
  }

  async peek(id: string): Promise<StatInfo> {
    const s = this._get(id);
    const now = this.cluster_.clock.now();
    return { id, ...this.cluster_.value(s.handle, now), at: now, tenant: s.tenant };
  }

  async close(id: string): Promise<void> {
    this._get(id);
    this._stats.delete(id);
  }

  async suspend(id: string): Promise<void> {
    this._get(id).suspended = true;
  }

  async resume(id: string): Promise<void> {
    this._get(id).suspended = false;
  }

  listen(id: string, sink: Sink): () => void {
    const s = this._get(id);
    s.listeners.add(sink);
    return () => {
      s.listeners.delete(sink);
    };
  }

  async query(req: OpenRequest): Promise<{ value: StatValue; valid: boolean; at: number }> {
    const { handle } = this._openHandle(req);
    const now = this.cluster_.clock.now();
    return { ...this.cluster_.value(handle, now), at: now };
  }

  async cluster(): Promise<ClusterInfo> {
    return {
      name: this.name,
      self: 0,
      instances: this.cluster_.engines.map((e, id) => ({
        id,
        pid: 0,
        state: "alive",
        heartbeatAgeMs: 0,
        eventsPerSec: 0,
        ownedObjects: e.counters().dnStates ?? 0,
      })),
      sessions: [],
      bus: { messages: this.cluster_.messages },
    };
  }

  async readiness(): Promise<{ ready: boolean; reasons: string[] }> {
    return this.ready;
  }

  async metrics(): Promise<InstanceMetrics[]> {
    return this.cluster_.engines.map((e, instance) => {
      const c = e.counters();
      const refused: Record<string, number> = {};
      for (const [k, n] of Object.entries(c)) if (k.startsWith("skipped.")) refused[k.slice(8)] = n;
      return {
        instance,
        eventsIn: c.eventsIn ?? 0,
        refused,
        actions: c.actions ?? 0,
        notificationsOut: instance === 0 ? this._notificationsOut : 0,
        ringFill: 0,
        ringLag: 0,
        loopLagMs: 0,
        openStatistics: c.openStatistics ?? 0,
      };
    });
  }
}

/** Epoch ms the test configs start at (2026-01-05 08:00 UTC, a Monday). */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

/**
 * A small two-tenant config: tenant `acme` (queue 8001, agent a1 on DN 7001 in place p1, group
 * g1) and tenant `globex` (queue 9001, agent b1 on DN 7101), with the default stat types and two
 * API tokens: `admin-token` (every tenant) and `acme-token` (scoped to `acme`).
 *
 * @example
 * ```ts
 * const config = loadStatdConfig(TWO_TENANT_TOML);
 * ```
 */
export const TWO_TENANT_TOML = `
[cluster]
name = "apitest"

[api]
listen = "127.0.0.1:0"
tokens = [{ token = "admin-token" }, { token = "acme-token", tenant = "acme" }]

[directory]
tenants = [{ id = "acme" }, { id = "globex" }]
places = [{ id = "p1", tenant = "acme" }, { id = "p2", tenant = "globex" }]
dns = [
  { id = "7001", type = "Extension", place = "p1", tenant = "acme" },
  { id = "8001", type = "ACDQueue", tenant = "acme" },
  { id = "7101", type = "Extension", place = "p2", tenant = "globex" },
  { id = "9001", type = "ACDQueue", tenant = "globex" },
]
agents = [{ id = "a1", tenant = "acme" }, { id = "b1", tenant = "globex" }]
agentGroups = [{ id = "g1", tenant = "acme", agents = ["a1"], originationDns = ["8001"] }]
`;

/**
 * A call queued on `queue` at `ms` (epoch ms), from SIP node `node`: with the default stat
 * types, the queue's CurrNumberWaitingCalls goes up by one.
 *
 * @example
 * ```ts
 * svc.ingest(queued("8001", "c1", T0 + 1000));
 * ```
 */
export function queued(queue: string, connId: string, ms: number, node = "n1"): TEvent {
  return {
    event: "EventQueued",
    time: ms / 1000,
    node,
    thisDN: queue,
    thisQueue: queue,
    connId,
    callType: "Inbound",
  };
}
