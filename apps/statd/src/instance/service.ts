/**
 * The {@link StatService} of one instance: the façade's view of the whole cluster. A call about
 * a statistic goes to its aggregation owner — this instance when it owns the statistic's object,
 * else a request over the bus; `/v1/cluster`, `/readyz` and `/metrics` ask every live instance.
 * Statistic ids name their owner (`slot.generation.n`), so any instance can serve a peek, close
 * or SSE stream of a statistic opened through another (the API port is shared by every instance).
 *
 * @example
 * ```ts
 * const st = await inst.service.open({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }, (n) => send(n));
 * await inst.service.peek(st.id);
 * ```
 * @module
 */
import { OBJECT_TYPES, type OpenRequest, ownerOf, statKey } from "@statd/stat-core";
import {
  type ClusterInfo,
  type InstanceInfo,
  type InstanceMetrics,
  type NotificationOut,
  type ObjectInfo,
  type ProfileInfo,
  ServiceError,
  type SessionInfo,
  type Sink,
  type StatInfo,
  type StatService,
} from "../api/service.ts";
import type { ExportedSubs } from "../api/stream.ts";
import type { Instance } from "./instance.ts";

interface _Status {
  instance: InstanceInfo;
  sessions: SessionInfo[];
  metrics: InstanceMetrics;
  bus: Record<string, number>;
}

/** See the module doc. */
export class BusService implements StatService {
  /** sid → local listeners (WebSocket subscriptions, SSE streams) */
  private readonly _sinks = new Map<string, Set<Sink>>();
  /** notifications that arrived before their open's reply (latest per sid) */
  private readonly _early = new Map<string, NotificationOut>();
  private readonly _all: number[];

  constructor(private readonly _i: Instance) {
    this._all = Array.from({ length: _i.slots }, (_, k) => k);
    const rpc = _i.rpc;
    const own = _i.owner;
    rpc.handle("open", (a, from) => {
      const { req, listen } = a as { req: OpenRequest; listen: boolean };
      return own.open(req, listen ? from : null);
    });
    rpc.handle("peek", (a) => own.peek((a as { sid: string }).sid));
    rpc.handle("close", (a) => own.close((a as { sid: string }).sid));
    rpc.handle("suspend", (a) => own.suspend((a as { sid: string }).sid));
    rpc.handle("resume", (a) => own.resume((a as { sid: string }).sid));
    rpc.handle("listen", (a, from) => own.listen((a as { sid: string }).sid, from));
    rpc.handle("unlisten", (a, from) => own.unlisten((a as { sid: string }).sid, from));
    rpc.handle("query", (a) => this._queryLocal((a as { req: OpenRequest }).req));
    rpc.handle("status", () => this._status());
    rpc.handle("objects", (a) => this._objectsLocal(a as { type?: string; tenant?: string }));
    rpc.handle("takeover", (a) => {
      const { token, tenant } = a as { token: string; tenant: string | null };
      return this.exporter?.(token, tenant) ?? null;
    });
  }

  /**
   * Hands a dropped WebSocket connection's subscriptions to another instance (its stream hub's
   * `export`; set by the instance process). A client that reconnects lands on any instance.
   */
  exporter: ((token: string, tenant: string | null) => ExportedSubs | null) | null = null;

  /** Take over a dropped connection's subscriptions from the instance whose token it is. */
  async takeover(token: string, tenant: string | null): Promise<ExportedSubs | null> {
    const m = /^(\d{1,3})\./.exec(token);
    const slot = m ? Number(m[1]) : -1;
    if (slot < 0 || slot >= this._i.slots || slot === this._i.self || !this._i.isAlive(slot)) return null;
    return this._i.rpc.call<ExportedSubs | null>(slot, "takeover", { token, tenant });
  }

  detach(id: string, sink: Sink): void {
    const set = this._sinks.get(id);
    if (!set?.delete(sink)) return;
    const owner = this._ownerOfSid(id);
    void this._callOn(owner, "unlisten", id).catch(() => {});
  }

  get name(): string {
    return this._i.name;
  }

  profile(): ProfileInfo {
    const c = this._i.config;
    return {
      statTypes: c.statTypes,
      timeProfiles: c.timeProfiles,
      timeRanges: c.timeRanges,
      filters: c.filters,
    };
  }

  tenantOf(object: { type: string; id: string }): string | null {
    return this._i.partition.dir.obj(object.type, object.id)?.tenant ?? null;
  }

  async objects(q: { type?: string; tenant?: string }): Promise<ObjectInfo[]> {
    if (q.type !== undefined && !(OBJECT_TYPES as readonly string[]).includes(q.type))
      throw new ServiceError(
        400,
        "bad-request",
        `unknown object type "${q.type}" (one of ${OBJECT_TYPES.join(", ")})`,
      );
    const rows = this._objectsLocal({ ...q, statuses: false });
    // each object's status lives on the instance that owns it
    const statuses = await Promise.all(
      this._live().map((s) =>
        s === this._i.self
          ? this._objectsLocal(q)
          : this._i.rpc.call<ObjectInfo[]>(s, "objects", q).catch(() => [] as ObjectInfo[]),
      ),
    );
    const byKey = new Map<string, ObjectInfo["status"]>();
    for (const list of statuses) for (const o of list) if (o.status) byKey.set(`${o.type}:${o.id}`, o.status);
    return rows.map((o) => {
      const st = byKey.get(`${o.type}:${o.id}`);
      return st ? { ...o, status: st } : o;
    });
  }

  async open(req: OpenRequest, sink: Sink | null): Promise<StatInfo> {
    const owner = this._ownerOfObject(req);
    const info =
      owner === this._i.self
        ? await this._i.owner.open(req, sink ? owner : null)
        : await this._i.rpc.call<StatInfo>(owner, "open", { req, listen: sink !== null });
    if (sink) this._addSink(info.id, sink);
    return info;
  }

  peek(id: string): Promise<StatInfo> {
    return this._call(id, "peek");
  }

  async close(id: string): Promise<void> {
    await this._call(id, "close");
    this._sinks.delete(id);
    this._early.delete(id);
  }

  async suspend(id: string): Promise<void> {
    await this._call(id, "suspend");
  }

  async resume(id: string): Promise<void> {
    await this._call(id, "resume");
  }

  listen(id: string, sink: Sink): () => void {
    this._addSink(id, sink);
    const owner = this._ownerOfSid(id);
    void this._callOn(owner, "listen", id).catch(() => {});
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this._sinks.get(id)?.delete(sink);
      void this._callOn(owner, "unlisten", id).catch(() => {});
    };
  }

  async query(req: OpenRequest): Promise<{ value: StatInfo["value"]; valid: boolean; at: number }> {
    const owner = this._ownerOfObject(req);
    return owner === this._i.self ? this._queryLocal(req) : this._i.rpc.call(owner, "query", { req });
  }

  async cluster(): Promise<ClusterInfo> {
    const statuses = await this._statuses();
    const members = this._i.members();
    const instances: InstanceInfo[] = this._all.map((s) => {
      const st = statuses.get(s);
      if (st) return st.instance;
      const m = members.find((x) => x.id === s);
      return {
        id: s,
        pid: m?.pid ?? 0,
        state: m?.state ?? "free",
        heartbeatAgeMs: m && Number.isFinite(m.heartbeatAgeMs) ? m.heartbeatAgeMs : null,
        eventsPerSec: 0,
        ownedObjects: 0,
      };
    });
    const sessions = [...statuses.values()].flatMap((s) => s.sessions);
    const bus: Record<string, number> = {};
    for (const s of statuses.values()) for (const [k, v] of Object.entries(s.bus)) bus[k] = (bus[k] ?? 0) + v;
    return {
      name: this.name,
      self: this._i.self,
      instances,
      sessions,
      bus,
      overload: { state: "normal", loopLagMs: this._i.loopLagMs },
    };
  }

  async readiness(): Promise<{ ready: boolean; reasons: string[] }> {
    const reasons: string[] = [];
    for (const s of this._all) if (!this._i.isAlive(s)) reasons.push(`instance ${s} is not alive`);
    reasons.push(...this._i.streamsDown());
    return { ready: reasons.length === 0, reasons };
  }

  async metrics(): Promise<InstanceMetrics[]> {
    const statuses = await this._statuses();
    return [...statuses.values()].map((s) => s.metrics).sort((a, b) => a.instance - b.instance);
  }

  /** A notification for `sid` reached this façade. */
  deliver(sid: string, n: NotificationOut): void {
    const sinks = this._sinks.get(sid);
    if (!sinks || sinks.size === 0) {
      if (this._early.size < 10_000) this._early.set(sid, n);
      return;
    }
    for (const s of sinks) s(n);
  }

  /** The aggregation owner `slot` died: its statistics are gone; their listeners are told. */
  ownerGone(slot: number): void {
    for (const [sid, sinks] of this._sinks) {
      if (this._ownerOfSid(sid) !== slot) continue;
      for (const s of sinks) s({ value: null, valid: false, at: this._i.clock.now(), reason: "validity" });
    }
  }

  private _addSink(sid: string, sink: Sink): void {
    let set = this._sinks.get(sid);
    if (!set) {
      set = new Set();
      this._sinks.set(sid, set);
    }
    set.add(sink);
    const early = this._early.get(sid);
    if (early) {
      this._early.delete(sid);
      sink(early);
    }
  }

  private _live(): number[] {
    return this._all.filter((s) => this._i.isAlive(s));
  }

  private _ownerOfObject(req: OpenRequest): number {
    const o = req?.object;
    if (!o || typeof o.type !== "string" || typeof o.id !== "string")
      throw new ServiceError(400, "bad-request", "object {type, id} is required");
    const owner = ownerOf(statKey(o), this._all);
    if (!this._i.isAlive(owner))
      throw new ServiceError(
        503,
        "unavailable",
        `instance ${owner}, which owns ${o.type} ${o.id}, is restarting`,
      );
    return owner;
  }

  private _ownerOfSid(sid: string): number {
    const m = /^(\d{1,3})\.\d+\.\d+$/.exec(sid);
    const slot = m ? Number(m[1]) : -1;
    if (slot < 0 || slot >= this._i.slots)
      throw new ServiceError(404, "unknown-statistic", `no open statistic ${sid}`);
    return slot;
  }

  private _call<T>(sid: string, method: "peek" | "close" | "suspend" | "resume"): Promise<T> {
    return this._callOn<T>(this._ownerOfSid(sid), method, sid);
  }

  private async _callOn<T>(owner: number, method: string, sid: string): Promise<T> {
    if (owner === this._i.self) {
      const own = this._i.owner;
      switch (method) {
        case "peek":
          return (await own.peek(sid)) as T;
        case "close":
          return own.close(sid) as T;
        case "suspend":
          return own.suspend(sid) as T;
        case "resume":
          return own.resume(sid) as T;
        case "listen":
          return own.listen(sid, owner) as T;
        case "unlisten":
          return own.unlisten(sid, owner) as T;
      }
    }
    if (!this._i.isAlive(owner))
      throw new ServiceError(
        404,
        "unknown-statistic",
        `statistic ${sid} was lost with instance ${owner}; open it again`,
      );
    return this._i.rpc.call<T>(owner, method, { sid });
  }

  private _queryLocal(req: OpenRequest): Promise<{ value: StatInfo["value"]; valid: boolean; at: number }> {
    return this._i.owner.query(req);
  }

  private _objectsLocal(q: { type?: string; tenant?: string; statuses?: boolean }): ObjectInfo[] {
    const out: ObjectInfo[] = [];
    const p = this._i.partition;
    for (const [key, o] of p.dir.objs) {
      if (key.includes("@")) continue;
      if (q.type !== undefined && o.type !== q.type) continue;
      if (q.tenant !== undefined && o.tenant !== q.tenant) continue;
      const row: ObjectInfo = { type: o.type as ObjectInfo["type"], id: o.id, tenant: o.tenant };
      if (q.statuses !== false) {
        const st = p.objectStatus(o.type, o.id);
        if (!st) continue; // another instance owns it
        row.status = st;
      }
      out.push(row);
    }
    return out;
  }

  private async _statuses(): Promise<Map<number, _Status>> {
    const out = new Map<number, _Status>();
    await Promise.all(
      this._live().map(async (s) => {
        try {
          out.set(
            s,
            s === this._i.self ? this._status() : await this._i.rpc.call<_Status>(s, "status", {}, 1500),
          );
        } catch {
          // not answering: shown from the membership table only
        }
      }),
    );
    return out;
  }

  private _status(): _Status {
    const i = this._i;
    const m = i.members().find((x) => x.id === i.self);
    const c = i.partition.counters();
    const refused: Record<string, number> = { ...i.gate.refused };
    for (const [k, v] of Object.entries(i.pump.gate.refused)) refused[k] = (refused[k] ?? 0) + v;
    for (const [k, v] of Object.entries(i.pump.skipped)) refused[k] = (refused[k] ?? 0) + v;
    const rings = i.rings();
    return {
      instance: {
        id: i.self,
        pid: m?.pid ?? 0,
        state: m?.state ?? "alive",
        heartbeatAgeMs: m && Number.isFinite(m.heartbeatAgeMs) ? m.heartbeatAgeMs : 0,
        eventsPerSec: Math.round(i.eventsPerSec),
        ownedObjects: c.dnStates ?? 0,
      },
      sessions: i.sessions.stats(),
      metrics: {
        instance: i.self,
        eventsIn: i.pump.applied,
        refused,
        actions: c.actions ?? 0,
        notificationsOut: i.owner.counters.notifications,
        ringFill: rings.fill,
        ringLag: rings.lagBytes,
        loopLagMs: i.loopLagMs,
        openStatistics: i.owner.size,
      },
      bus: {
        recordsIn: i.counters.recordsIn,
        recordsOut: i.outbox.counters.recordsOut,
        droppedDead: i.outbox.counters.droppedDead,
        badRecords: i.counters.badRecords,
        backlog: i.outbox.counters.backlog,
      },
    };
  }
}
