/**
 * The aggregation owner: the instance that owns a statistic (rendezvous hash of its object over
 * the cluster's slots) keeps its subscriptions, collects the partials of every instance at one
 * instant, merges them (stat-core's associative merge), samples Max/Min on the merged count,
 * applies each subscription's notification policy and sends what is due to the façade instance
 * that holds the client. One collect round at a time, every `roundMs`; a peek or an open waits
 * for the next round, so what a client reads is the whole cluster at one instant
 * (docs/architecture.md, "Aggregation").
 *
 * A contributor that is not alive, or does not answer within `roundTimeoutMs`, makes the merged
 * value `valid:false` (its share is missing), never a stale or a partial number passed as valid.
 *
 * @example
 * ```ts
 * const owner = new AggregationOwner(ctx);
 * const st = await owner.open(req, facadeSlot);     // opens on every instance, first round
 * owner.onPartials(from, rec);                        // each contributor's reply
 * ```
 * @module
 */
import {
  C,
  type Category,
  checkNotification,
  isSampled,
  MergedSampler,
  mergeAll,
  type OpenRequest,
  type StatPartial,
  valueOfPartial,
} from "@statd/stat-core";
import { type NotificationOut, ServiceError, type StatInfo } from "../api/service.ts";
import { NotifyPolicy, type RoundValue } from "../notify/policy.ts";
import { type BusRecord, K } from "../wire/records.ts";

/** What the owner needs from its instance. */
export interface OwnerContext {
  readonly self: number;
  /** number of slots in the cluster */
  readonly slots: number;
  /** instance time, epoch ms */
  now(): number;
  /** slot is a live process (alive or merely stalled) */
  isAlive(slot: number): boolean;
  send(to: number, rec: BusRecord): boolean;
  /** open `sid` in the local partition: its category and the object's tenant, or the error */
  openLocal(sid: string, req: OpenRequest): { cat: Category; tenant: string } | ServiceError;
  closeLocal(sid: string): void;
  /** advance the local partition to `at` and take the partials of `sids` */
  localPartials(sids: readonly string[], at: number): (StatPartial | null)[];
  /** deliver a notification to the façade `facade` (itself or over the bus) */
  notify(facade: number, sid: string, n: NotificationOut): void;
}

/** The identity of a statistic: two requests with the same key share one aggregate. */
export function aggregateKey(req: OpenRequest): string {
  return JSON.stringify([
    req.object.type,
    req.object.id,
    req.statType ?? null,
    req.definition ?? null,
    req.timeProfile ?? "Default",
    req.timeRange ?? null,
    req.timeRange2 ?? null,
    req.filter ?? null,
  ]);
}

/** One aggregate: the shares on every instance, merged at each round. */
interface _Agg {
  key: string;
  /** id of the shares on the contributors (`slot.generation.sN`) */
  share: string;
  req: OpenRequest;
  cat: Category;
  tenant: string;
  sampler: MergedSampler | null;
  last: RoundValue | null;
  subs: Set<_Sub>;
}

/** One subscription of a client: its own notification state over a shared aggregate. */
interface _Sub {
  sid: string;
  agg: _Agg;
  /** façade whose connection opened it (closed with that façade), null for a REST open */
  openedBy: number | null;
  /** façades with listeners → how many */
  listeners: Map<number, number>;
  policy: NotifyPolicy;
  /** the first round after the open has not been seen yet */
  fresh: boolean;
}

interface _Round {
  id: number;
  at: number;
  shares: string[];
  /** contributor → its partials by share id (filled by chunks) */
  got: Map<number, Map<string, StatPartial | null>>;
  done: Set<number>;
  waiting: Set<number>;
  timer: ReturnType<typeof setTimeout> | null;
  resolve: () => void;
  promise: Promise<void>;
}

/** See the module doc. */
export class AggregationOwner {
  /** rounds completed, contributors timed out, notifications sent */
  readonly counters = { rounds: 0, timeouts: 0, notifications: 0 };
  private readonly _subs = new Map<string, _Sub>();
  private readonly _aggs = new Map<string, _Agg>();
  private readonly _byShare = new Map<string, _Agg>();
  private _nextSid = 1;
  private _nextShare = 1;
  private _round: _Round | null = null;
  private _next: Promise<void> | null = null;
  private _roundId = 0;
  private readonly _timeoutMs: number;

  constructor(
    private readonly _ctx: OwnerContext,
    /** a prefix that makes ids unique across incarnations of this slot (`${slot}.${generation}`) */
    private readonly _prefix: string,
    opts: { roundTimeoutMs?: number } = {},
  ) {
    this._timeoutMs = opts.roundTimeoutMs ?? 2000;
  }

  /** Open subscriptions. */
  get size(): number {
    return this._subs.size;
  }

  /** Distinct aggregates (identical statistics share one). */
  get aggregates(): number {
    return this._aggs.size;
  }

  /** The shares every contributor must hold (to open them on an instance that joined). */
  opens(): { sid: string; req: OpenRequest }[] {
    return [...this._aggs.values()].map((a) => ({ sid: a.share, req: a.req }));
  }

  /**
   * Open a statistic; resolves with its merged value after a round. `opener`: the façade whose
   * connection holds it (it listens, and the subscription closes if that façade dies), or null
   * (a REST open: open until closed; listeners attach with {@link AggregationOwner.listen}).
   * A statistic identical to one already open shares its aggregate, so it starts with what that
   * one has counted (the way Stat Server shares identical requests).
   */
  async open(req: OpenRequest, opener: number | null): Promise<StatInfo> {
    const bad = checkNotification(req.notification);
    if (bad) throw new ServiceError(400, "bad-notification", bad);
    const agg = this._aggregate(req);
    const sub: _Sub = {
      sid: `${this._prefix}.${this._nextSid++}`,
      agg,
      openedBy: opener,
      listeners: new Map(opener === null ? [] : [[opener, 1]]),
      policy: new NotifyPolicy(req.notification),
      fresh: true,
    };
    agg.subs.add(sub);
    this._subs.set(sub.sid, sub);
    try {
      await this.nextRound();
    } catch (e) {
      this.close(sub.sid);
      throw e;
    }
    const v = agg.last;
    if (!v) {
      this.close(sub.sid);
      throw new ServiceError(503, "unavailable", "no round completed");
    }
    sub.policy.baseline(v);
    sub.fresh = false;
    return { id: sub.sid, value: v.value, valid: v.valid, at: v.at, tenant: agg.tenant };
  }

  /** A one-shot value: the open aggregate's when one is identical, else a temporary one. */
  async query(req: OpenRequest): Promise<{ value: StatInfo["value"]; valid: boolean; at: number }> {
    const st = await this.open({ ...req, notification: { mode: "none" } }, null);
    this.close(st.id);
    return { value: st.value, valid: st.valid, at: st.at };
  }

  /** The merged value after the next round. */
  async peek(sid: string): Promise<StatInfo> {
    const sub = this._get(sid);
    await this.nextRound();
    const v = sub.agg.last!;
    return { id: sid, value: v.value, valid: v.valid, at: v.at, tenant: sub.agg.tenant };
  }

  close(sid: string): void {
    const sub = this._get(sid);
    this._subs.delete(sid);
    const agg = sub.agg;
    agg.subs.delete(sub);
    if (agg.subs.size > 0) return;
    this._aggs.delete(agg.key);
    this._byShare.delete(agg.share);
    this._ctx.closeLocal(agg.share);
    for (let s = 0; s < this._ctx.slots; s++)
      if (s !== this._ctx.self && this._ctx.isAlive(s)) this._ctx.send(s, { k: K.close, sid: agg.share });
  }

  suspend(sid: string): void {
    this._get(sid).policy.suspend();
  }

  resume(sid: string): void {
    this._get(sid).policy.resume();
  }

  /** Façade `facade` has one more listener of `sid`. */
  listen(sid: string, facade: number): void {
    const sub = this._get(sid);
    sub.listeners.set(facade, (sub.listeners.get(facade) ?? 0) + 1);
  }

  /** ... one less. */
  unlisten(sid: string, facade: number): void {
    const sub = this._subs.get(sid);
    if (!sub) return;
    const n = (sub.listeners.get(facade) ?? 0) - 1;
    if (n > 0) sub.listeners.set(facade, n);
    else sub.listeners.delete(facade);
  }

  /** Façade `facade` died: its connections' subscriptions close, its listeners go. */
  dropFacade(facade: number): void {
    for (const sub of [...this._subs.values()]) {
      sub.listeners.delete(facade);
      if (sub.openedBy === facade) this.close(sub.sid);
    }
  }

  /** Resolves after a round that started after this call has completed. */
  nextRound(): Promise<void> {
    if (this._next) return this._next;
    const after = this._round ? this._round.promise : Promise.resolve();
    this._next = after.then(() => {
      this._next = null;
      return this._start();
    });
    return this._next;
  }

  /** Run a round now unless one is running (the instance's timer calls this). */
  tick(): void {
    if (this._round === null && this._next === null && this._aggs.size > 0) void this._start();
  }

  private _aggregate(req: OpenRequest): _Agg {
    const key = aggregateKey(req);
    const had = this._aggs.get(key);
    if (had) return had;
    const share = `${this._prefix}.s${this._nextShare++}`;
    const local = this._ctx.openLocal(share, { ...req, notification: { mode: "none" } });
    if (local instanceof ServiceError) throw local;
    const { notification: _n, ...bare } = req;
    const agg: _Agg = {
      key,
      share,
      req: bare,
      cat: local.cat,
      tenant: local.tenant,
      sampler: isSampled(local.cat) ? new MergedSampler() : null,
      last: null,
      subs: new Set(),
    };
    this._aggs.set(key, agg);
    this._byShare.set(share, agg);
    for (let s = 0; s < this._ctx.slots; s++)
      if (s !== this._ctx.self && this._ctx.isAlive(s))
        this._ctx.send(s, { k: K.open, sid: share, req: bare });
    return agg;
  }

  private _get(sid: string): _Sub {
    const sub = this._subs.get(sid);
    if (!sub) throw new ServiceError(404, "unknown-statistic", `no open statistic ${sid}`);
    return sub;
  }

  private _start(): Promise<void> {
    const at = this._ctx.now();
    const shares = [...this._byShare.keys()];
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const round: _Round = {
      id: ++this._roundId,
      at,
      shares,
      got: new Map(),
      done: new Set(),
      waiting: new Set(),
      timer: null,
      resolve,
      promise,
    };
    this._round = round;
    const mine = new Map<string, StatPartial | null>();
    const parts = this._ctx.localPartials(shares, at);
    for (let i = 0; i < shares.length; i++) mine.set(shares[i]!, parts[i] ?? null);
    round.got.set(this._ctx.self, mine);
    round.done.add(this._ctx.self);
    for (let s = 0; s < this._ctx.slots; s++) {
      if (s === this._ctx.self || !this._ctx.isAlive(s)) continue;
      if (this._ctx.send(s, { k: K.collect, round: round.id, at })) round.waiting.add(s);
    }
    if (round.waiting.size === 0) this._finish(round);
    else
      round.timer = setTimeout(() => {
        this.counters.timeouts += round.waiting.size;
        this._finish(round);
      }, this._timeoutMs);
    return promise;
  }

  /** A contributor's chunk of partials. */
  onPartials(from: number, rec: Extract<BusRecord, { k: 7 }>): void {
    const round = this._round;
    if (!round || rec.round !== round.id || !round.waiting.has(from)) return; // late: dropped
    let m = round.got.get(from);
    if (!m) {
      m = new Map();
      round.got.set(from, m);
    }
    for (const [sid, p] of rec.list) m.set(sid, p);
    if (rec.last) {
      round.waiting.delete(from);
      round.done.add(from);
      if (round.waiting.size === 0) this._finish(round);
    }
  }

  /** A contributor died: the running round stops waiting for it. */
  onMemberGone(slot: number): void {
    const round = this._round;
    if (round?.waiting.delete(slot) && round.waiting.size === 0) this._finish(round);
  }

  private _finish(round: _Round): void {
    if (this._round !== round) return;
    if (round.timer) clearTimeout(round.timer);
    this._round = null;
    this.counters.rounds++;
    // every slot must have answered for a value to be valid (a missing share is not zero)
    const complete = round.done.size === this._ctx.slots;
    for (const share of round.shares) {
      const agg = this._byShare.get(share);
      if (!agg) continue; // closed meanwhile
      const parts: StatPartial[] = [];
      let missing = !complete;
      for (const m of round.got.values()) {
        const p = m.get(share);
        if (p) parts.push(p);
        else missing = true; // that instance could not take its share
      }
      let v: RoundValue;
      if (parts.length === 0) v = { value: null, valid: false, at: round.at, intervalStart: null };
      else {
        const merged = mergeAll(agg.cat, round.at, parts);
        agg.sampler?.observe(merged, round.at);
        const elapsed = merged.c[C.ELAPSED] as number | null;
        v = {
          value: valueOfPartial(merged, agg.sampler?.state),
          valid: merged.inv === 0 && !missing,
          at: round.at,
          intervalStart: elapsed === null ? null : round.at - Math.max(0, elapsed),
        };
      }
      agg.last = v;
      for (const sub of agg.subs) {
        if (sub.fresh) continue; // its opener reads this value; the policy's baseline is set then
        const n = sub.policy.next(v);
        if (!n) continue;
        for (const f of sub.listeners.keys()) {
          this.counters.notifications++;
          this._ctx.notify(f, sub.sid, n);
        }
      }
    }
    round.resolve();
  }
}
