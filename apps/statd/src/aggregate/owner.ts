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
  isSampled,
  MergedSampler,
  mergeAll,
  type NotificationDef,
  type OpenRequest,
  type StatPartial,
  valueOfPartial,
} from "@statd/stat-core";
import { type NotificationOut, ServiceError, type StatInfo } from "../api/service.ts";
import { NotifyPolicy, type RoundValue } from "../notify/policy.ts";
import { type BusRecord, K } from "../wire/records.ts";

/** Why a notification definition is refused, or null (CONTRACT §4 modes). */
export function checkNotification(n: NotificationDef | undefined): string | null {
  if (n === undefined) return null;
  if (!["changes", "time", "reset", "none"].includes(n.mode))
    return "notification mode must be one of changes, time, reset, none";
  if (n.mode === "time" && !(typeof n.frequency === "number" && n.frequency > 0 && n.frequency <= 86_400))
    return "notification mode time needs frequency in (0, 86400] seconds";
  if (n.insensitivity !== undefined && !(typeof n.insensitivity === "number" && n.insensitivity >= 0))
    return "insensitivity must be a number ≥ 0 (percent)";
  return null;
}

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

interface _Stat {
  sid: string;
  req: OpenRequest;
  cat: Category;
  tenant: string;
  /** façade whose connection opened it (closed with that façade), null for a REST open */
  openedBy: number | null;
  /** façades with listeners → how many */
  listeners: Map<number, number>;
  policy: NotifyPolicy;
  sampler: MergedSampler | null;
  last: RoundValue | null;
}

interface _Round {
  id: number;
  at: number;
  sids: string[];
  /** contributor → its partials by sid (filled by chunks) */
  got: Map<number, Map<string, StatPartial | null>>;
  done: Set<number>;
  waiting: Set<number>;
  timer: ReturnType<typeof setTimeout> | null;
  resolve: () => void;
  promise: Promise<void>;
}

/** See the module doc. */
export class AggregationOwner {
  /** rounds completed, contributors timed out */
  readonly counters = { rounds: 0, timeouts: 0, notifications: 0 };
  private readonly _stats = new Map<string, _Stat>();
  private _nextSid = 1;
  private _round: _Round | null = null;
  private _next: Promise<void> | null = null;
  private _roundId = 0;
  private readonly _timeoutMs: number;

  constructor(
    private readonly _ctx: OwnerContext,
    /** a prefix that makes sids unique across incarnations of this slot (e.g. `${slot}.${generation}`) */
    private readonly _prefix: string,
    opts: { roundTimeoutMs?: number } = {},
  ) {
    this._timeoutMs = opts.roundTimeoutMs ?? 2000;
  }

  /** Statistics this instance aggregates. */
  get size(): number {
    return this._stats.size;
  }

  /** Every open statistic (to re-open them on an instance that joined). */
  opens(): { sid: string; req: OpenRequest }[] {
    return [...this._stats.values()].map((s) => ({ sid: s.sid, req: s.req }));
  }

  /**
   * Open a statistic; resolves with its first merged value. `opener`: the façade whose
   * connection holds it (it listens, and the statistic closes if that façade dies), or null
   * (a REST open: open until closed; listeners attach with {@link AggregationOwner.listen}).
   */
  async open(req: OpenRequest, opener: number | null): Promise<StatInfo> {
    const bad = checkNotification(req.notification);
    if (bad) throw new ServiceError(400, "bad-notification", bad);
    const sid = `${this._prefix}.${this._nextSid++}`;
    const local = this._ctx.openLocal(sid, { ...req, notification: { mode: "none" } });
    if (local instanceof ServiceError) throw local;
    const st: _Stat = {
      sid,
      req,
      cat: local.cat,
      tenant: local.tenant,
      openedBy: opener,
      listeners: new Map(opener === null ? [] : [[opener, 1]]),
      policy: new NotifyPolicy(req.notification),
      sampler: isSampled(local.cat) ? new MergedSampler() : null,
      last: null,
    };
    this._stats.set(sid, st);
    for (let s = 0; s < this._ctx.slots; s++)
      if (s !== this._ctx.self && this._ctx.isAlive(s)) this._ctx.send(s, { k: K.open, sid, req });
    await this.nextRound();
    const v = st.last as RoundValue | null;
    if (!v) throw new ServiceError(503, "unavailable", "no round completed");
    st.policy.baseline(v);
    return { id: sid, value: v.value, valid: v.valid, at: v.at, tenant: st.tenant };
  }

  /** The latest merged value (after the next round when `fresh`). */
  async peek(sid: string, fresh = false): Promise<StatInfo> {
    const st = this._get(sid);
    if (fresh || st.last === null) await this.nextRound();
    const v = st.last!;
    return { id: sid, value: v.value, valid: v.valid, at: v.at, tenant: st.tenant };
  }

  close(sid: string): void {
    this._get(sid);
    this._stats.delete(sid);
    this._ctx.closeLocal(sid);
    for (let s = 0; s < this._ctx.slots; s++)
      if (s !== this._ctx.self && this._ctx.isAlive(s)) this._ctx.send(s, { k: K.close, sid });
  }

  suspend(sid: string): void {
    this._get(sid).policy.suspend();
  }

  resume(sid: string): void {
    this._get(sid).policy.resume();
  }

  /** Façade `facade` has one more listener of `sid`. */
  listen(sid: string, facade: number): void {
    const st = this._get(sid);
    st.listeners.set(facade, (st.listeners.get(facade) ?? 0) + 1);
  }

  /** ... one less. */
  unlisten(sid: string, facade: number): void {
    const st = this._stats.get(sid);
    if (!st) return;
    const n = (st.listeners.get(facade) ?? 0) - 1;
    if (n > 0) st.listeners.set(facade, n);
    else st.listeners.delete(facade);
  }

  /** Façade `facade` died: its connections' statistics close, its listeners go. */
  dropFacade(facade: number): void {
    for (const st of [...this._stats.values()]) {
      st.listeners.delete(facade);
      if (st.openedBy === facade) this.close(st.sid);
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
    if (this._round === null && this._next === null && this._stats.size > 0) void this._start();
  }

  private _get(sid: string): _Stat {
    const st = this._stats.get(sid);
    if (!st) throw new ServiceError(404, "unknown-statistic", `no open statistic ${sid}`);
    return st;
  }

  private _start(): Promise<void> {
    const at = this._ctx.now();
    const sids = [...this._stats.keys()];
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    const round: _Round = {
      id: ++this._roundId,
      at,
      sids,
      got: new Map(),
      done: new Set(),
      waiting: new Set(),
      timer: null,
      resolve,
      promise,
    };
    this._round = round;
    const mine = new Map<string, StatPartial | null>();
    const parts = this._ctx.localPartials(sids, at);
    for (let i = 0; i < sids.length; i++) mine.set(sids[i]!, parts[i] ?? null);
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
    for (const sid of round.sids) {
      const st = this._stats.get(sid);
      if (!st) continue; // closed meanwhile
      const parts: StatPartial[] = [];
      let missing = !complete;
      for (const m of round.got.values()) {
        const p = m.get(sid);
        if (p) parts.push(p);
        else missing = true; // that instance could not take its share
      }
      let v: RoundValue;
      if (parts.length === 0) v = { value: null, valid: false, at: round.at, intervalStart: null };
      else {
        const merged = mergeAll(st.cat, round.at, parts);
        st.sampler?.observe(merged, round.at);
        const elapsed = merged.c[C.ELAPSED] as number | null;
        v = {
          value: valueOfPartial(merged, st.sampler?.state),
          valid: merged.inv === 0 && !missing,
          at: round.at,
          intervalStart: elapsed === null ? null : round.at - Math.max(0, elapsed),
        };
      }
      const first = st.last === null;
      st.last = v;
      if (first) continue; // the opener reads it; the policy's baseline is set by open()
      const n = st.policy.next(v);
      if (n) {
        for (const f of st.listeners.keys()) {
          this.counters.notifications++;
          this._ctx.notify(f, sid, n);
        }
      }
    }
    round.resolve();
  }
}
