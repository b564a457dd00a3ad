/**
 * One instance of the cluster: an engine partition, the SIP sessions it holds, its share of
 * the aggregation of statistics, and its façade for API clients — all driven by the records it
 * polls from the bus. Written against the {@link Bus} port and the {@link Partition} port only,
 * so the same class runs in an instance process over shared memory (`main.ts`) and in tests
 * over the in-process bus (docs/architecture.md, "An instance").
 *
 * Ownership is over the cluster's slots (rendezvous hash of the key over 0..N-1): a DN, an
 * agent, a place and a statistic's object each have one owner slot whatever is alive. A dead
 * slot's keys are not re-homed (their state lives in that slot); its restart in the same slot
 * rebuilds current state from the SIP nodes' snapshots, and while it is down the statistics it
 * contributes to are `valid:false`.
 *
 * @example
 * ```ts
 * const inst = new Instance({ bus, config, nodes, links, logger, partition: (o) => new Engine(o) });
 * inst.start();
 * await inst.service.open({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }, sink);
 * ```
 * @module
 */
import type { Bus, MemberInfo } from "@statd/shm-bus";
import {
  type CrossMessage,
  type EngineConfig,
  eventKey,
  ownerOf,
  type Partition,
  type PartitionFactory,
  Pump,
  SourceClock,
  type StatPartial,
  type TEvent,
  TimeGate,
} from "@statd/stat-core";
import { AggregationOwner } from "../aggregate/owner.ts";
import { Shares } from "../aggregate/shares.ts";
import { type NotificationOut, ServiceError } from "../api/service.ts";
import { TimeMerge } from "../ingest/merge.ts";
import { assignSessions, type LinkFactory, type NodeDef, SessionHolder } from "../ingest/sessions.ts";
import { StreamView } from "../ingest/streams.ts";
import { Outbox } from "../wire/outbox.ts";
import { type BusRecord, decodeRecord, K, RecordError } from "../wire/records.ts";
import { Rpc } from "../wire/rpc.ts";
import { BusService } from "./service.ts";

/** A cross-partition message (events have `event`, messages `kind`). */
function _isMessage(x: TEvent | CrossMessage): x is CrossMessage {
  return typeof (x as { kind?: unknown }).kind === "string" && (x as { event?: unknown }).event === undefined;
}

/** The merge's key of messages from other partitions (never live: it holds nothing back). */
const _MESSAGES = "#messages";

/** The few logger methods an instance uses (pino fits). */
export interface InstanceLogger {
  info(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

/** Options of {@link Instance}. */
export interface InstanceOptions {
  bus: Bus;
  /** the engine's configuration */
  config: EngineConfig;
  /** cluster name (for `/v1/cluster`) */
  name: string;
  nodes: readonly NodeDef[];
  links: LinkFactory;
  partition: PartitionFactory;
  logger: InstanceLogger;
  /** wall clock, epoch ms */
  wallNow?: () => number;
  /** collect round period, ms (default 250) */
  roundMs?: number;
  /** refuse event stamps this far ahead of the wall clock (default 7 days) */
  maxAheadOfWallMs?: number;
  /** how long the first streams wait for every slot to be alive, ms (default 10 s) */
  startupWaitMs?: number;
  /** the time-ordered merge's idle and hold limits (ms) */
  merge?: { idleMs?: number; maxHoldMs?: number };
  /** fill and unread bytes of the rings addressed to this instance (the shm adapter reads them) */
  rings?: () => { fill: number; lagBytes: number };
}

/** Instance-level counters (also in `/metrics`). */
export interface InstanceCounters {
  recordsIn: number;
  /** records that did not decode */
  badRecords: number;
  eventsRouted: number;
  messagesRouted: number;
  resyncs: number;
}

/** See the module doc. */
export class Instance {
  readonly bus: Bus;
  readonly self: number;
  readonly slots: number;
  readonly clock: SourceClock;
  readonly gate: TimeGate;
  readonly partition: Partition;
  readonly pump: Pump<Partition>;
  readonly owner: AggregationOwner;
  /** the shares of statistics this partition keeps for their owners */
  readonly shares: Shares;
  readonly rpc: Rpc;
  /** records to the other instances (sent, queued for room, dropped for a dead slot) */
  readonly outbox: Outbox;
  readonly sessions: SessionHolder;
  /** the cluster's SIP streams: holders, which are up, outages */
  readonly streams: StreamView;
  readonly service: BusService;
  /** events of the DNs this instance owns, and messages from other partitions, in time order */
  readonly merge: TimeMerge<TEvent | CrossMessage>;
  readonly counters: InstanceCounters = {
    recordsIn: 0,
    badRecords: 0,
    eventsRouted: 0,
    messagesRouted: 0,
    resyncs: 0,
  };
  /** event-loop lag, ms (measured by the round timer) */
  loopLagMs = 0;
  private readonly _o: InstanceOptions;
  private readonly _allSlots: number[];
  /** `from/kind/to` → merge time of the last state update (their order is kept) */
  private readonly _msgT = new Map<string, number>();
  private _members: MemberInfo[] = [];
  private _alive: boolean[];
  private _generation: number[];
  private _timers: ReturnType<typeof setInterval>[] = [];
  private _running = false;
  private _sessionsStarted = false;
  private _startedAt = Date.now();
  private _loop: Promise<void> | null = null;
  private _eventsAt: { t: number; n: number } = { t: 0, n: 0 };
  /** held streams whose progress the peers have not been told yet */
  private readonly _wmDirty = new Map<string, number>();
  private _wmScheduled = false;
  private readonly _release = (x: TEvent | CrossMessage): void => {
    if (_isMessage(x)) {
      const r = this.partition.deliver(x);
      if (!r.ok)
        this._o.logger.warn({ kind: x.kind, to: x.to, reason: r.reason }, "cross-partition message refused");
    } else {
      this.clock.observe(Math.round(x.time * 1000));
      this.pump.push(x);
    }
    this._drainOutbox();
  };
  eventsPerSec = 0;

  constructor(o: InstanceOptions) {
    this._o = o;
    this.bus = o.bus;
    this.self = o.bus.self;
    this.slots = o.bus.instances;
    this._allSlots = Array.from({ length: this.slots }, (_, i) => i);
    this._alive = this._allSlots.map((s) => s === this.self);
    this._generation = this._allSlots.map(() => -1);
    const wall = o.wallNow ?? (() => Date.now());
    const startMs = wall();
    this.clock = new SourceClock(startMs, wall);
    // the holder's gate: impossible times, and sources far behind the live clock (a switch with a
    // wrong clock counts nothing in statistics opened on ours: refused and counted instead)
    this.gate = new TimeGate({
      wallNow: wall,
      maxAheadOfWallMs: o.maxAheadOfWallMs ?? 7 * 86_400_000,
      clock: () => this.clock.now(),
    });
    const self = this.self;
    const slots = this._allSlots;
    this.partition = o.partition({
      config: o.config,
      clock: this.clock,
      startMs,
      ...(this.slots > 1 ? { owns: (key: string) => ownerOf(key, slots) === self } : {}),
    });
    // the owner's own gate is permissive about order (streams interleave); the holder's gate
    // already refused impossible times
    this.pump = new Pump(this.partition, {
      gate: new TimeGate({
        wallNow: wall,
        maxAheadOfWallMs: o.maxAheadOfWallMs ?? 7 * 86_400_000,
        maxLateMs: 7 * 86_400_000,
      }),
    });
    this.streams = new StreamView(assignSessions(o.nodes, this.slots));
    this.merge = new TimeMerge<TEvent | CrossMessage>({ now: () => Date.now(), ...(o.merge ?? {}) });
    this.shares = new Shares(this.partition);
    this.outbox = new Outbox(o.bus, (to) => this._alive[to] === true || this._aliveNow(to), o.logger);
    this.rpc = new Rpc((to, rec) => this.send(to, rec));
    this.owner = new AggregationOwner(
      {
        self,
        slots: this.slots,
        now: () => this.clock.now(),
        isAlive: (s) => this._alive[s] === true,
        send: (to, rec) => this.send(to, rec),
        openLocal: (sid, req) => this.shares.open(sid, req),
        closeLocal: (sid) => this.shares.close(sid),
        localPartials: (sids, at) => this._partials(sids, at, self),
        notify: (facade, sid, n) => this._notify(facade, sid, n),
      },
      `${self}.${o.bus.generation}`,
    );
    this.sessions = new SessionHolder({
      nodes: o.nodes,
      self,
      slots: this.slots,
      factory: o.links,
      gate: this.gate,
      onEvent: (ev) => this._route(ev),
      onSource: (key, op) => this._source(key, op),
    });
    this.service = new BusService(this);
  }

  get name(): string {
    return this._o.name;
  }

  get config(): EngineConfig {
    return this._o.config;
  }

  /** Whether slot `s` is alive (a stalled process counts as alive). */
  isAlive(s: number): boolean {
    return this._alive[s] === true;
  }

  /** Fill (fullest ring, 0..1) and unread bytes of the bus rings addressed to this instance. */
  rings(): { fill: number; lagBytes: number } {
    try {
      return this._o.rings?.() ?? { fill: 0, lagBytes: 0 };
    } catch {
      return { fill: 0, lagBytes: 0 };
    }
  }

  /** Membership as last read from the bus. */
  members(): MemberInfo[] {
    return this._members;
  }

  /** Every SIP stream of the cluster is up and its holder alive. */
  streamsLive(): boolean {
    return this.streams.live((s) => this._alive[s] === true);
  }

  /** Streams that are not live, with why. */
  streamsDown(): string[] {
    return this.streams.down((s) => this._alive[s] === true);
  }

  /** Start the loops and the SIP sessions. */
  start(): void {
    if (this._running) return;
    this._running = true;
    this._startedAt = Date.now();
    this._refreshMembers();
    const roundMs = this._o.roundMs ?? 250;
    let expected = Date.now() + roundMs;
    this._timers.push(
      setInterval(() => {
        const now = Date.now();
        this.loopLagMs = Math.max(0, now - expected);
        expected = now + roundMs;
        this._refreshMembers();
        this.pump.tick(this.clock.now());
        this._drainOutbox();
        this.owner.tick();
        const n = this.sessions.events;
        if (now - this._eventsAt.t >= 1000) {
          if (this._eventsAt.t > 0)
            this.eventsPerSec = ((n - this._eventsAt.n) * 1000) / (now - this._eventsAt.t);
          this._eventsAt = { t: now, n };
        }
      }, roundMs),
    );
    this._loop = this._run();
  }

  /** Stop sessions and loops; leave the bus. */
  async stop(): Promise<void> {
    if (!this._running) return;
    this._running = false;
    this.sessions.stop();
    for (const t of this._timers) clearInterval(t);
    this._timers = [];
    this.rpc.close();
    await this._loop;
    this.bus.close();
  }

  /** Send a record to slot `to` (itself: handled at once). False when dropped. */
  send(to: number, rec: BusRecord): boolean {
    if (to === this.self) {
      queueMicrotask(() => this._handle(rec, this.self));
      return true;
    }
    return this.outbox.send(to, rec);
  }

  /**
   * Whether slot `to` is alive according to the segment right now: the view refreshed by the
   * timer can be up to one period old, and a peer that joined since must not lose records.
   */
  private _aliveNow(to: number): boolean {
    try {
      const m = this.bus.members().find((x) => x.id === to);
      if (m?.state !== "alive") return false;
    } catch {
      return false;
    }
    this._refreshMembers();
    return this._alive[to] === true;
  }

  private async _run(): Promise<void> {
    const handler = (u8: Uint8Array, off: number, len: number, from: number): void => {
      this.counters.recordsIn++;
      let rec: BusRecord;
      try {
        rec = decodeRecord(u8, off, len);
      } catch (e) {
        this.counters.badRecords++;
        if (e instanceof RecordError) this._o.logger.warn({ from, err: e.message }, "bad bus record");
        return;
      }
      this._handle(rec, from);
    };
    while (this._running) {
      this.outbox.flush();
      this.merge.drain(this._release);
      let n = 0;
      try {
        n = this.bus.poll(handler, 512);
        this.merge.looked();
      } catch (e) {
        this._o.logger.error({ err: (e as Error).message }, "bus poll failed");
      }
      this._drainOutbox();
      if (n === 0) await this.bus.wait(this.outbox.waiting || this.merge.size > 0 ? 2 : 20);
      else if (n === 512) await new Promise<void>((r) => setImmediate(r));
    }
  }

  private _handle(rec: BusRecord, from: number): void {
    try {
      switch (rec.k) {
        case K.event:
          this._ingest(rec.ev);
          return;
        case K.xmsg:
          this._deliver(rec.m, from);
          return;
        case K.source:
          this._applySource(rec.key, rec.op, rec.t);
          return;
        case K.open: {
          const r = this.shares.open(rec.sid, rec.req);
          if (r instanceof ServiceError)
            this._o.logger.warn({ sid: rec.sid, err: r.message }, "share of a statistic refused");
          return;
        }
        case K.close:
          this.shares.close(rec.sid);
          return;
        case K.collect:
          this._collect(rec.round, rec.at, from);
          return;
        case K.partials:
          this.owner.onPartials(from, rec);
          return;
        case K.req:
          void this.rpc.onRequest(rec, from);
          return;
        case K.res:
          this.rpc.onReply(rec);
          return;
        case K.notify:
          this.service.deliver(rec.sid, rec.n);
          return;
        case K.watermark:
          this.merge.watermark(rec.key, rec.t);
          this.merge.drain(this._release);
          return;
      }
    } catch (e) {
      this.counters.badRecords++;
      this._o.logger.error({ kind: rec.k, from, err: (e as Error).message }, "record failed");
    }
  }

  // -------------------------------------------------------------------------------------------
  // ingest and routing

  private _route(ev: TEvent): void {
    const ms = Math.round(ev.time * 1000);
    this.clock.observe(ms);
    if (ev.snapshot !== true) this._progress(ev.node as string, ms);
    const key = eventKey(ev);
    if (key === null) {
      // about no DN (link events): every partition
      for (const s of this._allSlots) this._sendOrLocal(s, ev);
      return;
    }
    this._sendOrLocal(ownerOf(key, this._allSlots), ev);
  }

  private _sendOrLocal(to: number, ev: TEvent): void {
    if (to === this.self) this._ingest(ev);
    else {
      this.counters.eventsRouted++;
      this.send(to, { k: K.event, ev });
    }
  }

  private _ingest(ev: TEvent): void {
    // snapshot events carry the time their state began: they are applied as they come
    if (ev.snapshot === true) this._release(ev);
    else {
      this.merge.push(typeof ev.node === "string" ? ev.node : "", Math.round(ev.time * 1000), ev);
      this.merge.drain(this._release);
    }
  }

  /** A held stream reached `ms`: tell every peer (after the events sent so far), coalesced. */
  private _progress(key: string, ms: number): void {
    const had = this._wmDirty.get(key);
    if (had === undefined || ms > had) this._wmDirty.set(key, ms);
    if (this._wmScheduled) return;
    this._wmScheduled = true;
    queueMicrotask(() => {
      this._wmScheduled = false;
      for (const [k, t] of this._wmDirty) {
        this.merge.watermark(k, t);
        for (const s of this._allSlots)
          if (s !== this.self && this._alive[s]) this.send(s, { k: K.watermark, key: k, t });
      }
      this._wmDirty.clear();
      this.merge.drain(this._release);
    });
  }

  /**
   * A message from another partition: applied in time order with this partition's own events
   * (a queue's answer reflected from an agent DN must not overtake the queue's own events of the
   * call). Messages form no stream of their own: they hold nothing back.
   */
  private _deliver(m: CrossMessage, from: number): void {
    this.clock.observe(m.t);
    let t = m.t;
    if (m.kind !== "reflect") {
      // a state update (an agent's or place's DN, a login) never overtakes an earlier update of
      // the same object from the same partition: after a reset, the snapshot's "agent on the DN"
      // (stamped at the login, long before) must follow the reset's "agent left the DN", or the
      // agent ends up with no DN. (A reflected answer is a fact at its own time: time order.)
      const k = `${from}/${m.kind}/${m.to}`;
      t = Math.max(t, this._msgT.get(k) ?? Number.NEGATIVE_INFINITY);
      this._msgT.set(k, t);
    }
    this.merge.push(_MESSAGES, t, m, 1);
    this.merge.drain(this._release);
  }

  private _drainOutbox(): void {
    for (let msgs = this.partition.drainOutbox(); msgs.length > 0; msgs = this.partition.drainOutbox()) {
      for (const m of msgs) {
        this.counters.messagesRouted++;
        if (m.to === "*") {
          for (const s of this._allSlots) if (s !== this.self) this.send(s, { k: K.xmsg, m });
        } else {
          const to = ownerOf(m.to, this._allSlots);
          if (to === this.self) this.partition.deliver(m);
          else this.send(to, { k: K.xmsg, m });
        }
      }
    }
  }

  /** A held stream changed state: tell every partition, in order with the stream's events. */
  private _source(key: string, op: "down" | "up" | "reset"): void {
    const t = this.clock.now();
    for (const s of this._allSlots) {
      if (s === this.self) this._applySource(key, op, t);
      else this.send(s, { k: K.source, key, op, t });
    }
  }

  private _applySource(key: string, op: "down" | "up" | "reset", t: number): void {
    // a stream that stops or restarts: what the merge holds happened before (the rare moment
    // when order across streams gives way); a stream that comes up holds nothing yet
    if (op !== "up") this.merge.flush(this._release);
    this.merge.setLive(key, op !== "down");
    if (op === "up") {
      // the other streams that have not delivered yet come up about now (the nodes start, or
      // come back, together): none of this stream's events is applied ahead of their first ones
      // (`expect` holds only for streams that never delivered, for at most 3 s)
      for (const other of this.streams.holders.keys()) if (other !== key) this.merge.expect(other, 5000);
      // and the sessions this instance holds that wait to reconnect try now
      this.sessions.nudge();
    }
    // (an outage shorter than a collect round is still reported: see StreamView)
    this.streams.apply(key, op, this._allSlots);
    if (op === "reset") this.partition.resetSource(key, t);
    else this.partition.setSourceValid(key, op === "up", t);
    this._drainOutbox();
  }

  // -------------------------------------------------------------------------------------------
  // shares of statistics (every instance) and collect rounds

  /** The partials of `sids` at `at` for aggregation owner `requester`, after what is due here. */
  private _partials(sids: readonly string[], at: number, requester: number): (StatPartial | null)[] {
    this.merge.drain(this._release);
    this.clock.observe(at);
    this.pump.tick(at);
    this._drainOutbox();
    // an outage since this owner's last round makes this round invalid (see StreamView)
    const outage = this.streams.takeOutage(requester);
    return this.shares.partials(sids, at, this.streamsLive() && !outage);
  }

  private _collect(round: number, at: number, from: number): void {
    const sids = this.shares.ownedBy(from);
    for (const rec of Shares.answer(round, at, sids, this._partials(sids, at, from))) this.send(from, rec);
  }

  private _notify(facade: number, sid: string, n: NotificationOut): void {
    if (facade === this.self) this.service.deliver(sid, n);
    else this.send(facade, { k: K.notify, sid, n });
  }

  // -------------------------------------------------------------------------------------------
  // membership

  private _refreshMembers(): void {
    let members: MemberInfo[];
    try {
      members = this.bus.members();
    } catch {
      return;
    }
    this._members = members;
    let rejoined = false;
    for (const m of members) {
      if (m.id >= this.slots || m.id === this.self) continue;
      // a stalled process (heartbeat stale, process still there) is not dead: its ring keeps
      // its records and it carries on where it stopped
      const alive = m.state === "alive" || (m.state === "dead" && m.reason.startsWith("heartbeat"));
      const was = this._alive[m.id] === true;
      const prevGen = this._generation[m.id]!;
      if (alive && (!was || (prevGen !== -1 && m.generation !== prevGen))) {
        if (was) this._onGone(m.id); // restarted between two looks: its old incarnation is gone
        this._onJoined(m.id);
        rejoined = true;
      } else if (!alive && was) this._onGone(m.id);
      this._alive[m.id] = alive;
      if (alive) this._generation[m.id] = m.generation;
    }
    if (!this._sessionsStarted) {
      // the first streams wait until every slot is there (or a while), so that no event is
      // routed to a slot not yet alive; a first incarnation asks the nodes for their streams from
      // the start, a restarted one for a snapshot
      if (this._alive.every((a) => a) || Date.now() - this._startedAt > (this._o.startupWaitMs ?? 10_000)) {
        this._sessionsStarted = true;
        this.sessions.start(this.bus.generation <= 1);
      }
    } else if (rejoined) {
      // a slot (re)joined with an empty partition: every stream starts afresh so that its DNs'
      // current state is rebuilt from the snapshots (running totals elsewhere are kept)
      this.counters.resyncs++;
      this.sessions.resync();
    }
  }

  private _onJoined(slot: number): void {
    this._alive[slot] = true;
    this._o.logger.info({ slot }, "instance joined");
    for (const { sid, req } of this.owner.opens()) this.send(slot, { k: K.open, sid, req });
  }

  private _onGone(slot: number): void {
    this._o.logger.warn({ slot }, "instance gone");
    this._alive[slot] = false;
    this.owner.onMemberGone(slot);
    this.owner.dropFacade(slot);
    this.service.ownerGone(slot);
    // the streams it held are not fed until it is back
    for (const key of this.streams.upHeldBy(slot)) {
      this._applySource(key, "down", this.clock.now());
    }
    this.outbox.forget(slot);
    // what the dead slot told this partition of its DNs (agents' and places' statuses on them) is
    // unknown now; its restart reports the truth again from the snapshots
    const slots = this._allSlots;
    this.partition.forgetDns((key) => ownerOf(key, slots) === slot, this.clock.now());
    this._drainOutbox();
    for (const k of [...this._msgT.keys()]) if (k.startsWith(`${slot}/`)) this._msgT.delete(k);
  }
}
