/**
 * What an engine redesigned around cumulative counters would cost (docs/bench-engine.md,
 * "Engine v2"): a kernel, not an engine. It replays the engine benchmark's day (bench/day.ts, the
 * same events) with every piece of state in typed arrays addressed by interned integer ids, and
 * with statistics that are *derived*: an event updates the counters of the objects it reaches
 * (per status or action: running count, sum of running starts, ended count, ended time), never a
 * statistic; a statistic is its object's counter read at the tick minus a snapshot taken at its
 * interval start. Its semantics are simplified (no validity, no filters beyond a Gold/all split,
 * no partials, no subscriptions, single-DN agents): it measures the cost of the memory layout
 * and the work per event, so that a rewrite can be judged before it is started.
 *
 * Checked against the engine in the same run (exit 1 on a difference): its agents' statistics,
 * and its groups' and queues' in every profile variant (Growing, 15-minute, 1-hour sliding, Gold,
 * 15-minute + Gold) that has a counter form, so the kernel is known to compute what the engine
 * computes for them. Reports, in the same run on the same events: the kernel's events/s, its
 * tick per 1k events (1.06M statistics evaluated), `JSON.parse` of the events, and (unless
 * `--engine 0`) the real engine with the same 1.06M statistics open. Usage: `bun
 * bench/v2-kernel.ts [--agents N] [--events N] [--runs N] [--engine 0] [--check-waves]`. CI runs
 * it small with `--check-waves` (test/v2-kernel.test.ts): the kernel is a second, independent
 * implementation of these statistics, and a difference means one of the two is wrong.
 */
import { parseArgs } from "node:util";
import type { TEvent } from "../packages/stat-core/src/definitions.ts";
import { Engine } from "../packages/stat-core/src/engine/engine.ts";
import {
  Day,
  dayConfig,
  GROUP_SIZE,
  PER_AGENT,
  PER_GROUP,
  PER_QUEUE,
  QUEUES,
  requests,
  T0,
  TENANT_AGENT,
  TENANT_QUEUE,
  VARIANTS,
} from "./day.ts";

const { values: o } = parseArgs({
  args: process.argv.slice(2),
  options: {
    agents: { type: "string", default: "100000" },
    events: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    engine: { type: "string", default: "1" },
    "check-waves": { type: "boolean", default: false },
  },
});
const AGENTS = Number(o.agents);
const EVENTS = Number(o.events);
const RUNS = Number(o.runs);
const WITH_ENGINE = Number(o.engine) !== 0;
/** `--check-waves`: compare with the engine after every wave, not only at the end (slower) */
const CHECK_WAVES = o["check-waves"];
const GROUPS = Math.ceil(AGENTS / GROUP_SIZE);

// counters of agents, groups and the tenant: statuses, the logged-in span, actions (all / Gold)
const S_OUT = 0;
const S_NR = 1;
const S_READY = 2;
const S_ACW = 3;
const S_RING = 4;
const S_TALK = 5;
const S_HOLD = 6;
const SPAN = 7;
/** a call status (ringing, talking, on hold) + G_OFF: the same while the call is a Gold one */
const G_OFF = 4;
/** never touched: what a Gold-filtered statistic of a status without call data counts */
const ZERO = 11;
/** logged in and in a call status of a Gold call: the logged-in mask filtered on Gold */
const CALL_G = 12;
const A_IN = 13; // CallInbound; +1 = Gold calls
const A_HOLD = 15; // CallHeld (momentary, at the hold); +1 = Gold
const A_ANS = 17; // answered: count and wait time; +1 = Gold
const NC = 19;
// counters of queues
const Q_WAIT = 0; // CallWait; +1 = Gold
const Q_DIST = 2; // CallDistributed; +1 = Gold
const Q_ANS = 4; // CallAnswered (wait); +1 = Gold
const Q_READY = 6; // AgentReady pseudo-action
const Q_LOGIN = 7; // AgentLogin pseudo-action
const Q_ZERO = 8; // never touched: the Gold variants of the pseudo-actions (no call data)
const Q_ENT = 9; // CallEntered (momentary, when queued); +1 = Gold
const Q_ABAN = 11; // CallAbandoned (retrospective, the wait); +1 = Gold
const Q_ANS_R = 13; // CallAnswered within the time range [0, 20) s, whole seconds; +1 = Gold
const NQ = 15;
/** per counter: running count, sum of running starts, ended count, ended time */
const W = 4;
/** sliding window: 60 one-minute buckets of (count, time) per counter */
const NB = 60;
const STEP = 60_000;

/**
 * The rare path of late events, for one reset cadence: what the statistics' current interval
 * (since `since`, their last reset or open time) corrects in the counters, per object and counter
 * as (count, time). An event stamped before `since` arrived after the clock had passed it (another
 * DN's later event moved it); the snapshots at `since` hold everything before, so the corrections
 * are zeroed at each reset. The rule is the engine's (docs/semantics.md §4): a status started
 * before `since` counts from `since` only, and an episode or instant stamped before it belongs to
 * the interval it ended in — neither count nor time in this one.
 */
class Late {
  readonly agent: Float64Array;
  readonly group: Float64Array;
  readonly tenant = new Float64Array(NC * 2);
  readonly queue = new Float64Array(QUEUES * NQ * 2);
  readonly tenantQ = new Float64Array(NQ * 2);
  /** whether a late event touched the corrections since the reset (a tick skips them when not) */
  touched = false;
  constructor(
    nAgents: number,
    public since: number,
  ) {
    this.agent = new Float64Array(nAgents * NC * 2);
    this.group = new Float64Array(GROUPS * NC * 2);
  }
  /** the counters of a statistic's slab, as {@link slabOf} */
  of(sl: number): Float64Array {
    return sl === 0
      ? this.agent
      : sl === 1
        ? this.group
        : sl === 2
          ? this.tenant
          : sl === 3
            ? this.queue
            : this.tenantQ;
  }
  reset(r: number): void {
    this.since = r;
    if (!this.touched) return;
    this.touched = false;
    this.agent.fill(0);
    this.group.fill(0);
    this.tenant.fill(0);
    this.queue.fill(0);
    this.tenantQ.fill(0);
  }
  /** status `c` of agent `a` (group `g`) started at `t` */
  start(a: number, g: number, c: number, t: number): void {
    if (t < this.since) this._add(a, g, c, 0, t - this.since);
  }
  /** counter `c` of agent `a` ended at `t` after starting at `s` */
  end(a: number, g: number, c: number, s: number, t: number): void {
    // a status: the time the snapshot counted to `since` while it ran is taken back; an action:
    // the whole duration its end added
    if (t < this.since) this._add(a, g, c, -1, c < A_IN ? this.since - t : s - t);
  }
  /** a momentary or retrospective action `c` of `d` ms at `t` */
  instant(a: number, g: number, c: number, t: number, d: number): void {
    if (t < this.since) this._add(a, g, c, -1, -d);
  }
  /** a queue's counter `c` ended at `t` after starting at `s` (the tenant's queue side too) */
  qEnd(q: number, c: number, s: number, t: number): void {
    if (t >= this.since) return;
    this.touched = true;
    const o = (q * NQ + c) * 2;
    this.queue[o]--;
    this.queue[o + 1] += s - t;
    this.tenantQ[c * 2]--;
    this.tenantQ[c * 2 + 1] += s - t;
  }
  private _add(a: number, g: number, c: number, n: number, d: number): void {
    this.touched = true;
    const o = (a * NC + c) * 2;
    this.agent[o] += n;
    this.agent[o + 1] += d;
    const og = (g * NC + c) * 2;
    this.group[og] += n;
    this.group[og + 1] += d;
    this.tenant[c * 2] += n;
    this.tenant[c * 2 + 1] += d;
  }
}

class Kernel {
  readonly dnIdx = new Map<string, number>();
  readonly loginIdx = new Map<string, number>();
  readonly calls = new Map<string, number>();
  // DN, agent and call state, columns
  readonly dnAgent: Int32Array;
  readonly status: Int8Array;
  readonly since: Float64Array;
  readonly loginQueue: Int32Array;
  readonly group: Int32Array;
  readonly placeStatus: Int8Array;
  /** whether the agent's current call is a Gold one */
  readonly agentGold: Uint8Array;
  private readonly _free: number[] = [];
  private _nCalls = 0;
  callQueue = new Int32Array(1024);
  callGold = new Uint8Array(1024);
  callAt = new Float64Array(1024 * 2); // queued, ringing/talk start
  callAns = new Uint8Array(1024);
  // counters
  readonly agentC: Float64Array;
  readonly groupC: Float64Array;
  readonly tenantC = new Float64Array(NC * W);
  readonly queueC = new Float64Array(QUEUES * NQ * W);
  /** the tenant's queue side: every queue's actions (the engine's Tenant@queue node) */
  readonly tenantQC = new Float64Array(NQ * W);
  readonly tenantQB = new Float64Array(NB * NQ * 2);
  readonly tenantQBid = new Float64Array(NB).fill(-1);
  /** the tenant's agent-side actions in one-minute buckets (its sliding statistics of actions) */
  readonly tenantB = new Float64Array(NB * NC * 2);
  readonly tenantBid = new Float64Array(NB).fill(-1);
  readonly groupB: Float64Array;
  readonly groupBid: Float64Array;
  readonly groupRS: Float64Array;
  readonly groupRSid: Float64Array;
  readonly groupRSold: Float64Array;
  readonly queueB = new Float64Array(QUEUES * NB * NQ * 2);
  readonly queueBid = new Float64Array(QUEUES * NB).fill(-1);

  constructor(readonly nAgents: number) {
    for (let i = 0; i < nAgents; i++) {
      this.dnIdx.set(`d${i}`, i);
      this.loginIdx.set(`l${i}`, i);
    }
    for (let q = 0; q < QUEUES; q++) this.dnIdx.set(`q${q}`, nAgents + q);
    this.dnAgent = new Int32Array(nAgents).fill(-1);
    this.status = new Int8Array(nAgents);
    this.since = new Float64Array(nAgents).fill(T0);
    this.loginQueue = new Int32Array(nAgents).fill(-1);
    this.group = Int32Array.from({ length: nAgents }, (_, i) => Math.floor(i / GROUP_SIZE));
    this.placeStatus = new Int8Array(nAgents);
    this.agentGold = new Uint8Array(nAgents);
    this.agentC = new Float64Array(nAgents * NC * W);
    this.lateQuarter = new Late(nAgents, T0);
    this.lateDay = new Late(nAgents, T0);
    this.groupC = new Float64Array(GROUPS * NC * W);
    this.groupB = new Float64Array(GROUPS * NB * NC * 2);
    this.groupBid = new Float64Array(GROUPS * NB).fill(-1);
    this.groupRS = new Float64Array(GROUPS * NB * NC * 2);
    this.groupRSid = new Float64Array(GROUPS * NB).fill(-1);
    this.groupRSold = new Float64Array(GROUPS * NC);
    // every agent starts logged out
    for (let a = 0; a < nAgents; a++) this._start(a, S_OUT, T0);
  }

  private static _open(c: Float64Array, o: number, t: number): void {
    c[o]++;
    c[o + 1] += t;
  }
  private static _close(c: Float64Array, o: number, s: number, t: number): void {
    c[o]--;
    c[o + 1] -= s;
    c[o + 2]++;
    c[o + 3] += t - s;
  }
  /** offset of bucket `bid` of `obj` (its slot reset when it held an older one), -1 when it holds a newer one */
  private static _slotOf(b: Float64Array, ids: Float64Array, obj: number, nc: number, bid: number): number {
    const slot = obj * NB + (bid % NB);
    if (ids[slot] > bid) return -1;
    if (ids[slot] !== bid) {
      ids[slot] = bid;
      b.fill(0, slot * nc * 2, (slot + 1) * nc * 2);
    }
    return slot * nc * 2;
  }
  /** one episode of counter `c` ended at `t` with duration `d`, in the bucket of its end */
  private static _bucket(
    b: Float64Array,
    ids: Float64Array,
    obj: number,
    nc: number,
    c: number,
    t: number,
    d: number,
  ): void {
    const o = Kernel._slotOf(b, ids, obj, nc, Math.floor(t / STEP));
    if (o < 0) return;
    b[o + c * 2]++;
    b[o + c * 2 + 1] += d;
  }
  /** a status's time `[s, t)` to the buckets it covered, its part in each (the engine's rule) */
  private static _spread(
    b: Float64Array,
    ids: Float64Array,
    obj: number,
    nc: number,
    c: number,
    s: number,
    t: number,
  ): void {
    const last = Math.floor(t / STEP);
    for (let bid = Math.max(Math.floor(s / STEP), last - NB + 1); bid <= last; bid++) {
      const part = Math.min(t, (bid + 1) * STEP) - Math.max(s, bid * STEP);
      if (part <= 0) continue;
      const o = Kernel._slotOf(b, ids, obj, nc, bid);
      if (o >= 0) b[o + c * 2 + 1] += part;
    }
  }
  /**
   * A group's running statuses, by the bucket of their start (count, sum of starts), so that a
   * sliding window credits each the part after the window's start; starts pushed out of the
   * ring are kept as one count per counter (they all started before any window).
   */
  private _runStart(g: number, c: number, s: number, d: number): void {
    const bid = Math.floor(s / STEP);
    const slot = g * NB + (bid % NB);
    const ids = this.groupRSid;
    if (ids[slot] !== bid && ids[slot] < bid) {
      // the slot's older bucket leaves the ring: its starts join the old ones
      for (let k = 0; k < NC; k++) {
        this.groupRSold[g * NC + k] += this.groupRS[(slot * NC + k) * 2];
        this.groupRS[(slot * NC + k) * 2] = 0;
        this.groupRS[(slot * NC + k) * 2 + 1] = 0;
      }
      ids[slot] = bid;
    }
    if (ids[slot] === bid) {
      this.groupRS[(slot * NC + c) * 2] += d;
      this.groupRS[(slot * NC + c) * 2 + 1] += d * s;
    } else this.groupRSold[g * NC + c] += d;
  }

  /** an agent-side counter `c` starts at `t` on the agent, its group and the tenant */
  private _start(a: number, c: number, t: number): void {
    const g = this.group[a];
    Kernel._open(this.agentC, (a * NC + c) * W, t);
    Kernel._open(this.groupC, (g * NC + c) * W, t);
    Kernel._open(this.tenantC, c * W, t);
    if (c < A_IN) this._runStart(g, c, t, 1);
    // a status started before the last reset (a late event) counts from the reset only
    if (t < this.lateQuarter.since && c < A_IN) {
      this.lateQuarter.start(a, g, c, t);
      this.lateDay.start(a, g, c, t);
    }
  }
  private _end(a: number, c: number, s: number, t: number): void {
    const g = this.group[a];
    Kernel._close(this.agentC, (a * NC + c) * W, s, t);
    Kernel._close(this.groupC, (g * NC + c) * W, s, t);
    Kernel._close(this.tenantC, c * W, s, t);
    if (c < A_IN) {
      // a status: counted in the bucket of its end, its time spread over the buckets it covered
      Kernel._bucket(this.groupB, this.groupBid, g, NC, c, t, 0);
      Kernel._spread(this.groupB, this.groupBid, g, NC, c, s, t);
      this._runStart(g, c, s, -1);
    } else {
      Kernel._bucket(this.groupB, this.groupBid, g, NC, c, t, t - s);
      Kernel._bucket(this.tenantB, this.tenantBid, 0, NC, c, t, t - s);
    }
    // one ended before the last reset belongs to the interval it ended in (docs/semantics.md §4):
    // it credits neither count nor time to the new one
    if (t < this.lateQuarter.since) {
      this.lateQuarter.end(a, g, c, s, t);
      this.lateDay.end(a, g, c, s, t);
    }
  }
  /**
   * What late events changed in the current interval of the 15-minute statistics and of the
   * Default (daily) ones: each its own, since a late event can precede one reset and not the other.
   * A day boundary is a quarter one, so `lateDay.since <= lateQuarter.since`: the hot path tests
   * the quarter's only.
   */
  readonly lateQuarter: Late;
  readonly lateDay: Late;
  private _instant(a: number, c: number, t: number, d: number): void {
    const g = this.group[a];
    // a momentary or retrospective action stamped before the last reset is not counted there
    if (t < this.lateQuarter.since) {
      this.lateQuarter.instant(a, g, c, t, d);
      this.lateDay.instant(a, g, c, t, d);
    }
    const o = (a * NC + c) * W;
    this.agentC[o + 2]++;
    this.agentC[o + 3] += d;
    const og = (g * NC + c) * W;
    this.groupC[og + 2]++;
    this.groupC[og + 3] += d;
    this.tenantC[c * W + 2]++;
    this.tenantC[c * W + 3] += d;
    Kernel._bucket(this.groupB, this.groupBid, g, NC, c, t, d);
    Kernel._bucket(this.tenantB, this.tenantBid, 0, NC, c, t, d);
  }
  private _qStart(q: number, c: number, t: number): void {
    Kernel._open(this.queueC, (q * NQ + c) * W, t);
    Kernel._open(this.tenantQC, c * W, t);
  }
  private _qEnd(q: number, c: number, s: number, t: number): void {
    Kernel._close(this.queueC, (q * NQ + c) * W, s, t);
    Kernel._bucket(this.queueB, this.queueBid, q, NQ, c, t, t - s);
    Kernel._close(this.tenantQC, c * W, s, t);
    Kernel._bucket(this.tenantQB, this.tenantQBid, 0, NQ, c, t, t - s);
    // one ended before the last reset is not counted in the interval since (see _end)
    if (t < this.lateQuarter.since) {
      this.lateQuarter.qEnd(q, c, s, t);
      this.lateDay.qEnd(q, c, s, t);
    }
  }

  /** a single-DN agent's status (= its DN's and its place's) moves to `st` at `t` */
  private _status(a: number, st: number, t: number): void {
    const old = this.status[a];
    if (old === st) return;
    const s = this.since[a];
    this._end(a, old, s, t);
    this._start(a, st, t);
    // a call status also runs as its Gold twin while the call is a Gold one
    if (this.agentGold[a]) {
      const wasCall = old >= S_RING && old <= S_HOLD;
      const isCall = st >= S_RING && st <= S_HOLD;
      if (wasCall) this._end(a, old + G_OFF, s, t);
      if (isCall) this._start(a, st + G_OFF, t);
      if (wasCall && !isCall) this._end(a, CALL_G, this.agentC[(a * NC + CALL_G) * W + 1], t);
      if (isCall && !wasCall) this._start(a, CALL_G, t);
    }
    const wasIn = old !== S_OUT;
    if (wasIn !== (st !== S_OUT)) {
      if (wasIn) this._end(a, SPAN, this.agentC[(a * NC + SPAN) * W + 1], t);
      else this._start(a, SPAN, t);
    }
    // the AgentReady pseudo-action on the queues the agent serves: its login queue and its
    // group's origination queue
    if ((old === S_READY) !== (st === S_READY)) {
      const q1 = this.loginQueue[a];
      const q2 = this.group[a] % QUEUES;
      for (const q of q1 === q2 || q1 < 0 ? [q2] : [q1, q2]) {
        if (st === S_READY) this._qStart(q, Q_READY, t);
        else this._qEnd(q, Q_READY, s, t);
      }
    }
    this.status[a] = st;
    this.since[a] = t;
    this.placeStatus[a] = st;
  }

  private _call(connId: string): number {
    let c = this.calls.get(connId);
    if (c !== undefined) return c;
    c = this._free.pop() ?? this._nCalls++;
    if (c >= this.callQueue.length) {
      const n = this.callQueue.length * 2;
      const grow = <T extends Int32Array | Uint8Array | Float64Array>(x: T, k: number): T => {
        const y = new (x.constructor as new (n: number) => T)(n * k);
        y.set(x);
        return y;
      };
      this.callQueue = grow(this.callQueue, 1);
      this.callGold = grow(this.callGold, 1);
      this.callAt = grow(this.callAt, 2);
      this.callAns = grow(this.callAns, 1);
    }
    this.calls.set(connId, c);
    return c;
  }

  /** the latest event time (the replay clock) */
  now = T0;
  /** the next Growing reset (quarter or day boundary) and what applies it */
  nextReset = Math.floor(T0 / 900_000) * 900_000 + 900_000;
  onReset: (r: number) => void = () => {};
  resets = 0;
  /** the engine's rule: a reset applies as soon as the clock reaches its boundary */
  advance(now: number): void {
    if (now > this.now) this.now = now;
    while (this.nextReset <= this.now) {
      this.onReset(this.nextReset);
      this.resets++;
      this.lateQuarter.reset(this.nextReset);
      if (this.nextReset % 86_400_000 === 0) this.lateDay.reset(this.nextReset);
      this.nextReset += 900_000;
    }
  }

  // a call's counters on its queue or agent: counter `cnt` and, for a Gold call, its twin `cnt + 1`
  private _qOpen(c: number, cnt: number, t: number): void {
    this._qStart(this.callQueue[c], cnt, t);
    if (this.callGold[c]) this._qStart(this.callQueue[c], cnt + 1, t);
  }
  private _qClose(c: number, cnt: number, s: number, t: number): void {
    this._qEnd(this.callQueue[c], cnt, s, t);
    if (this.callGold[c]) this._qEnd(this.callQueue[c], cnt + 1, s, t);
  }
  private _aOpen(a: number, c: number, cnt: number, t: number): void {
    this._start(a, cnt, t);
    if (this.callGold[c]) this._start(a, cnt + 1, t);
  }
  private _aClose(a: number, c: number, cnt: number, s: number, t: number): void {
    this._end(a, cnt, s, t);
    if (this.callGold[c]) this._end(a, cnt + 1, s, t);
  }
  private _aInstant(a: number, c: number, cnt: number, t: number, d: number): void {
    this._instant(a, cnt, t, d);
    if (this.callGold[c]) this._instant(a, cnt + 1, t, d);
  }
  /** a call that ended: its slot is free again */
  private _drop(connId: string, c: number): void {
    this.calls.delete(connId);
    this._free.push(c);
  }

  apply(ev: TEvent): void {
    // integer milliseconds, as the engine keeps them
    const t = Math.round(ev.time * 1000);
    if (t >= this.nextReset) this.advance(t);
    else if (t > this.now) this.now = t;
    const dn = this.dnIdx.get(ev.thisDN as string);
    if (dn === undefined) return;
    switch (ev.event) {
      case "EventQueued": {
        const c = this._call(ev.connId as string);
        this.callQueue[c] = dn - this.nAgents;
        this.callGold[c] = (ev.userData as Record<string, unknown> | undefined)?.Segment === "Gold" ? 1 : 0;
        this.callAt[c * 2] = t;
        this._qOpen(c, Q_WAIT, t);
        this._qClose(c, Q_ENT, t, t);
        return;
      }
      case "EventDiverted": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        this._qClose(c, Q_WAIT, this.callAt[c * 2], t);
        this._qClose(c, Q_DIST, t, t);
        return;
      }
      case "EventAbandoned": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        this._qClose(c, Q_WAIT, this.callAt[c * 2], t);
        this._qClose(c, Q_ABAN, this.callAt[c * 2], t);
        this._drop(ev.connId as string, c);
        return;
      }
      case "EventAgentLogin": {
        const a = this.loginIdx.get(ev.agentId as string);
        if (a === undefined) return;
        this.dnAgent[dn] = a;
        const q = this.dnIdx.get(ev.thisQueue as string);
        const q1 = q === undefined ? -1 : q - this.nAgents;
        const q2 = this.group[a] % QUEUES;
        this.loginQueue[a] = q1;
        for (const x of q1 === q2 || q1 < 0 ? [q2] : [q1, q2]) this._qStart(x, Q_LOGIN, t);
        this._status(a, S_NR, t);
        return;
      }
    }
    const a = this.dnAgent[dn];
    if (a < 0) return;
    switch (ev.event) {
      case "EventAgentReady":
        this._status(a, S_READY, t);
        return;
      case "EventAgentNotReady":
        this._status(a, ev.workMode === "AfterCallWork" ? S_ACW : S_NR, t);
        return;
      case "EventRinging": {
        const c = this._call(ev.connId as string);
        this.callAt[c * 2 + 1] = t;
        this.callAns[c] = 0;
        this.agentGold[a] = this.callGold[c];
        this._status(a, S_RING, t);
        return;
      }
      case "EventEstablished": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        // the agent's answer is timed from ringing, the queue's from queueing
        const ring = t - this.callAt[c * 2 + 1];
        const queued = this.callAt[c * 2];
        this.callAns[c] = 1;
        this.callAt[c * 2 + 1] = t;
        this._aOpen(a, c, A_IN, t);
        this._aInstant(a, c, A_ANS, t, ring);
        this._qClose(c, Q_ANS, queued, t);
        // the Default time range [0, 20) on whole seconds (milliseconds truncated from both ends)
        const sec = Math.floor(t / 1000) - Math.floor(queued / 1000);
        if (sec >= 0 && sec < 20) this._qClose(c, Q_ANS_R, queued, t);
        this._status(a, S_TALK, t);
        return;
      }
      case "EventHeld": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        // HoldCount counts CallHeld, a momentary action: in the interval of the hold, not of the
        // retrieve (they differ for a hold over a reset)
        this._aInstant(a, c, A_HOLD, t, 0);
        this._status(a, S_HOLD, t);
        return;
      }
      case "EventRetrieved": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        this._status(a, S_TALK, t);
        return;
      }
      case "EventReleased": {
        const c = this.calls.get(ev.connId as string);
        if (c === undefined) return;
        // answered: the talk ends; not answered: abandoned while ringing (no statistic of the mix)
        if (this.callAns[c]) this._aClose(a, c, A_IN, this.callAt[c * 2 + 1], t);
        this._drop(ev.connId as string, c);
        this._status(a, S_READY, t);
        this.agentGold[a] = 0;
        return;
      }
    }
  }
}

/** Derived statistics: an object's counter minus the snapshot at the interval start. */
const M_TIME = 0;
const M_COUNT = 1;
const M_AVG = 2;
const M_CURRENT = 3;
const M_INSTATE = 4;
/** 100 × the counter's count ÷ the count of CallEntered (RelativeNumberPercentage) */
const M_PCT = 5;
/** ServiceFactor1: 100 × answered in range ÷ (answered + abandoned), no short-abandon range */
const M_SL = 6;
const P_DAY = 0;
const P_QUARTER = 1;
const P_SLIDING = 2;

class Stats {
  n = 0;
  // 0 agent, 1 group, 2 tenant (agent side), 3 queue, 4 tenant (queue side), 5 tenant (both sides)
  readonly slab: Uint8Array;
  readonly obj: Int32Array;
  readonly ctr: Int8Array;
  /** slab 5 (the tenant, both sides): the agent-side counter added to the queue-side one */
  readonly ctr2: Int8Array;
  readonly meas: Int8Array;
  readonly prof: Int8Array;
  readonly snapN: Float64Array;
  readonly snapT: Float64Array;
  readonly last: Float64Array;
  /** M_PCT / M_SL: the statistics whose values they combine (evaluated after the others) */
  readonly ref: Int32Array;
  readonly ref2: Int32Array;
  readonly ref3: Int32Array;
  readonly derived: number[] = [];
  constructor(cap: number) {
    this.slab = new Uint8Array(cap);
    this.obj = new Int32Array(cap);
    this.ctr = new Int8Array(cap);
    this.ctr2 = new Int8Array(cap);
    this.meas = new Int8Array(cap);
    this.prof = new Int8Array(cap);
    this.snapN = new Float64Array(cap);
    this.snapT = new Float64Array(cap);
    this.last = new Float64Array(cap).fill(Number.NaN);
    this.ref = new Int32Array(cap).fill(-1);
    this.ref2 = new Int32Array(cap).fill(-1);
    this.ref3 = new Int32Array(cap).fill(-1);
  }
  add(slab: number, obj: number, ctr: number, meas: number, prof: number): void {
    const i = this.n++;
    this.slab[i] = slab;
    this.obj[i] = obj;
    this.ctr[i] = ctr;
    this.meas[i] = meas;
    this.prof[i] = prof;
  }
}

/** The counter form of each agent statistic of the mix: [counter, measure]. */
const AGENT_FORM: Record<(typeof PER_AGENT)[number], [number, number]> = {
  ReadyTime: [S_READY, M_TIME],
  NotReadyTime: [S_NR, M_TIME],
  TalkTime: [S_TALK, M_TIME],
  ACWTime: [S_ACW, M_TIME],
  InboundCalls: [A_IN, M_COUNT],
  TimeInState: [S_OUT, M_INSTATE],
  LoginTime: [SPAN, M_TIME],
  HoldTime: [S_HOLD, M_TIME],
  ASA: [A_ANS, M_AVG],
  HoldCount: [A_HOLD, M_COUNT],
};
/** … of each group statistic: [counter, measure, counter of the Gold-filtered variants]. */
const GROUP_FORM: Record<(typeof PER_GROUP)[number], [number, number, number]> = {
  ReadyAgents: [S_READY, M_CURRENT, ZERO],
  LoggedInAgents: [SPAN, M_CURRENT, CALL_G],
  TalkingAgents: [S_TALK, M_CURRENT, S_TALK + G_OFF],
  TalkTime: [S_TALK, M_TIME, S_TALK + G_OFF],
  InboundCalls: [A_IN, M_COUNT, A_IN + 1],
  ACWTime: [S_ACW, M_TIME, ZERO],
  NotReadyTime: [S_NR, M_TIME, ZERO],
  LoginTime: [SPAN, M_TIME, CALL_G],
  ASA: [A_ANS, M_AVG, A_ANS + 1],
};
/**
 * … of each queue statistic: [counter, measure]. Those with no counter form (OldestWait, EWT,
 * AvgWaiting) are priced by the nearest counter read and not compared ({@link QUEUE_COMPARED}).
 */
const QUEUE_FORM: Record<(typeof PER_QUEUE)[number], [number, number]> = {
  Waiting: [Q_WAIT, M_CURRENT],
  OldestWait: [Q_WAIT, M_CURRENT],
  Entered: [Q_ENT, M_COUNT],
  Answered: [Q_ANS, M_COUNT],
  Abandoned: [Q_ABAN, M_COUNT],
  Distributed: [Q_DIST, M_COUNT],
  ASA: [Q_ANS, M_AVG],
  SL: [Q_ANS_R, M_SL], // answered in range / (answered + abandoned)
  AnsweredInRange: [Q_ANS_R, M_COUNT],
  EWT: [Q_WAIT, M_AVG],
  AgentsReadyQ: [Q_READY, M_CURRENT],
  AgentsLoginQ: [Q_LOGIN, M_CURRENT],
  AvgAbandonWait: [Q_ABAN, M_AVG],
  AbandonPct: [Q_ABAN, M_PCT], // abandoned / entered
  AvgWaiting: [Q_WAIT, M_TIME],
};
const QUEUE_COMPARED = PER_QUEUE.filter((n) => n !== "OldestWait" && n !== "EWT" && n !== "AvgWaiting");
/** the statistics a combined one (M_PCT, M_SL) divides: numerator, then the denominator's terms */
const COMBINED: Partial<Record<(typeof PER_QUEUE)[number], (typeof PER_QUEUE)[number][]>> = {
  AbandonPct: ["Abandoned", "Entered"],
  SL: ["AnsweredInRange", "Answered", "Abandoned"],
};
/** the variants of bench/day.ts as [profile, Gold filter] */
const KERNEL_VARIANTS: [number, boolean][] = VARIANTS.map((v) => [
  v.timeProfile === "Quarter" ? P_QUARTER : v.timeProfile === "LastHour" ? P_SLIDING : P_DAY,
  v.filter === "Gold",
]);

/** The benchmark's mix (bench/day.ts, the engine's order) as derived statistics over the kernel's counters. */
function mix(k: Kernel): Stats {
  const V = KERNEL_VARIANTS.length;
  const st = new Stats(
    k.nAgents * PER_AGENT.length +
      GROUPS * PER_GROUP.length * V +
      QUEUES * PER_QUEUE.length * V +
      TENANT_QUEUE.length * 3 +
      TENANT_AGENT.length,
  );
  for (let a = 0; a < k.nAgents; a++)
    for (const n of PER_AGENT) st.add(0, a, AGENT_FORM[n][0], AGENT_FORM[n][1], P_DAY);
  for (let g = 0; g < GROUPS; g++)
    for (const n of PER_GROUP) {
      const [c, m, cGold] = GROUP_FORM[n];
      for (const [p, gold] of KERNEL_VARIANTS) st.add(1, g, gold ? cGold : c, m, p);
    }
  for (let q = 0; q < QUEUES; q++) {
    const base = st.n;
    for (const n of PER_QUEUE) {
      const [c, m] = QUEUE_FORM[n];
      KERNEL_VARIANTS.forEach(([p, gold], v) => {
        const refs = COMBINED[n];
        if (refs) {
          // the same variant of the statistics it combines (evaluated before it, in the tick)
          const at = (r: (typeof PER_QUEUE)[number]): number => base + PER_QUEUE.indexOf(r) * V + v;
          st.ref[st.n] = at(refs[0]);
          st.ref2[st.n] = at(refs[1]);
          if (refs[2]) st.ref3[st.n] = at(refs[2]);
          st.derived.push(st.n);
        }
        st.add(3, q, gold ? (c === Q_READY || c === Q_LOGIN ? Q_ZERO : c + 1) : c, m, p);
      });
    }
  }
  // the tenant's queue side (SL priced by its in-range count, not compared); Answered and ASA
  // are mixed stat types (queue and agent objects): on the tenant they see the queue's reflected
  // answers (the wait) and the agents' own (the ringing)
  for (const n of TENANT_QUEUE) {
    const [c, m] = n === "SL" ? [Q_ANS_R, M_COUNT] : QUEUE_FORM[n];
    for (const [p] of KERNEL_VARIANTS.slice(0, 3)) {
      const both = c === Q_ANS;
      if (both) st.ctr2[st.n] = A_ANS;
      st.add(both ? 5 : 4, 0, c, m, p);
    }
  }
  for (const n of TENANT_AGENT) st.add(2, 0, GROUP_FORM[n][0], M_CURRENT, P_DAY);
  return st;
}

/**
 * Evaluate every statistic at the clock (resets are applied as the clock reaches them), keeping
 * its last value as a change-detecting notifier would.
 */
function tick(k: Kernel, st: Stats, at: number): void {
  k.advance(at);
  const now = k.now;
  for (let i = 0; i < st.n; i++) {
    const sl = st.slab[i];
    const obj = st.obj[i];
    const c = st.ctr[i];
    const nc = sl >= 3 ? NQ : NC;
    const C = slabOf(k, sl);
    const o = (obj * nc + c) * W;
    const run = C[o];
    // a status is credited while it runs; an action when it ends (as the engine does)
    const action = sl >= 3 || c >= A_IN;
    const p = st.prof[i];
    let v: number;
    const m = st.meas[i];
    if (m === M_PCT || m === M_SL) continue;
    if (sl === 5) v = bothSides(k, st, i, now);
    else if (m === M_CURRENT) v = run;
    else if (m === M_INSTATE) v = now - k.since[obj];
    else {
      let T: number;
      let N: number;
      if (p === P_SLIDING) {
        const B = sl === 1 ? k.groupB : sl === 3 ? k.queueB : k.tenantQB;
        const ids = sl === 1 ? k.groupBid : sl === 3 ? k.queueBid : k.tenantQBid;
        const lo = Math.floor(now / STEP) - NB + 1;
        T = 0;
        N = 0;
        for (let b = 0; b < NB; b++) {
          const slot = obj * NB + b;
          if (ids[slot] < lo) continue;
          const bo = (slot * nc + c) * 2;
          N += B[bo];
          T += B[bo + 1];
        }
        if (sl === 1 && !action) {
          // running statuses: each credits its part after the window's start
          const winStart = Math.max(lo * STEP, T0);
          let inWin = 0;
          let sumIn = 0;
          for (let b = 0; b < NB; b++) {
            const slot = obj * NB + b;
            if (k.groupRSid[slot] < lo) continue;
            inWin += k.groupRS[(slot * NC + c) * 2];
            sumIn += k.groupRS[(slot * NC + c) * 2 + 1];
          }
          T += run * now - sumIn - (run - inWin) * winStart;
          N += run;
        }
      } else {
        T = (action ? C[o + 3] : C[o + 3] + run * now - C[o + 1]) - st.snapT[i];
        N = C[o + 2] + (action ? 0 : run) - st.snapN[i];
        // what late events changed in the interval since its last reset
        const late = p === P_QUARTER ? k.lateQuarter : k.lateDay;
        if (late.touched) {
          const L = late.of(sl);
          const lx = (obj * nc + c) * 2;
          N += L[lx];
          T += L[lx + 1];
        }
      }
      v = m === M_TIME ? T : m === M_COUNT ? N : N === 0 ? Number.NaN : T / N;
    }
    const was = st.last[i];
    if (v !== was && !(Number.isNaN(v) && Number.isNaN(was))) st.last[i] = v;
  }
  // the statistics combined from others, now that those are evaluated
  for (const i of st.derived) {
    const d = st.last[st.ref2[i]] + (st.meas[i] === M_SL ? st.last[st.ref3[i]] : 0);
    const v = d > 0 ? (100 * st.last[st.ref[i]]) / d : Number.NaN;
    const was = st.last[i];
    if (v !== was && !(Number.isNaN(v) && Number.isNaN(was))) st.last[i] = v;
  }
}

/** A quarter boundary `r` (a day boundary too when it is one): snapshots of the statistics reset there. */
/** the counters of a statistic's slab (0 agent, 1 group, 2 tenant agent side, 3 queue, 4 tenant queue side) */
function slabOf(k: Kernel, sl: number): Float64Array {
  return sl === 0 ? k.agentC : sl === 1 ? k.groupC : sl === 2 ? k.tenantC : sl === 3 ? k.queueC : k.tenantQC;
}

/** A tenant statistic of a stat type of both sides: the queue-side and agent-side actions together. */
function bothSides(k: Kernel, st: Stats, i: number, now: number): number {
  const c = st.ctr[i];
  const c2 = st.ctr2[i];
  let N: number;
  let T: number;
  if (st.prof[i] === P_SLIDING) {
    const lo = Math.floor(now / STEP) - NB + 1;
    N = 0;
    T = 0;
    for (let b = 0; b < NB; b++) {
      if (k.tenantQBid[b] >= lo) {
        N += k.tenantQB[(b * NQ + c) * 2];
        T += k.tenantQB[(b * NQ + c) * 2 + 1];
      }
      if (k.tenantBid[b] >= lo) {
        N += k.tenantB[(b * NC + c2) * 2];
        T += k.tenantB[(b * NC + c2) * 2 + 1];
      }
    }
  } else {
    N = k.tenantQC[c * W + 2] + k.tenantC[c2 * W + 2] - st.snapN[i];
    T = k.tenantQC[c * W + 3] + k.tenantC[c2 * W + 3] - st.snapT[i];
    const L = st.prof[i] === P_QUARTER ? k.lateQuarter : k.lateDay;
    N += L.tenantQ[c * 2] + L.tenant[c2 * 2];
    T += L.tenantQ[c * 2 + 1] + L.tenant[c2 * 2 + 1];
  }
  const m = st.meas[i];
  return m === M_TIME ? T : m === M_COUNT ? N : N === 0 ? Number.NaN : T / N;
}

function reset(k: Kernel, st: Stats, r: number): void {
  const day = r % 86_400_000 === 0;
  for (let i = 0; i < st.n; i++) {
    const p = st.prof[i];
    if (!(p === P_QUARTER || (day && p === P_DAY))) continue;
    const sl = st.slab[i];
    const c = st.ctr[i];
    if (sl === 5) {
      st.snapN[i] = k.tenantQC[c * W + 2] + k.tenantC[st.ctr2[i] * W + 2];
      st.snapT[i] = k.tenantQC[c * W + 3] + k.tenantC[st.ctr2[i] * W + 3];
      continue;
    }
    const nc = sl >= 3 ? NQ : NC;
    const C = slabOf(k, sl);
    const o = (st.obj[i] * nc + c) * W;
    st.snapN[i] = C[o + 2];
    st.snapT[i] = sl >= 3 || c >= A_IN ? C[o + 3] : C[o + 3] + C[o] * r - C[o + 1];
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const fmt = (x: number, d = 0): string =>
  x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

const cfg = dayConfig(AGENTS);
const k = new Kernel(AGENTS);
const stats = mix(k);
k.onReset = (r) => reset(k, stats, r);
const eng = WITH_ENGINE ? new Engine({ config: cfg, startMs: T0 }) : null;
/** the engine's subscription ids, in the order of bench/day.ts's requests (agents' first) */
const ids: number[] = [];
if (eng)
  for (const r of requests(cfg)) {
    const o = eng.open(r);
    if ("error" in o) throw new Error(JSON.stringify(r));
    ids.push(o.statId);
  }
const nOpen = ids.length;
const day = new Day(AGENTS);
for (const ev of day.login()) {
  k.apply(ev);
  eng?.ingest(ev);
}
eng?.drainNotifications();
/**
 * The kernel computes what the engine computes: its statistics that have a counter form against
 * the engine's values at the same tick — 1,000 agents' 10, every group's 9 and every queue's 12
 * in all 5 variants, and the tenant's but SL. Returns the number of differences.
 */
function agreement(eng: Engine, report: boolean): number {
  const V = KERNEL_VARIANTS.length;
  let diffs = 0;
  compared = 0;
  const same = (i: number, what: string): boolean => {
    const kv = stats.last[i];
    const m = stats.meas[i];
    const kSec = m === M_COUNT || m === M_CURRENT || m === M_PCT || m === M_SL ? kv : kv / 1000;
    const ev = eng.peek(ids[i])?.value;
    const ok =
      ev === null || ev === undefined
        ? Number.isNaN(kv)
        : typeof ev === "number" && Math.abs(ev - kSec) < 1e-6;
    diffs += ok ? 0 : 1;
    compared++;
    if (!ok && printed++ < 10) console.log(`differs: ${what}: kernel ${kSec}, engine ${JSON.stringify(ev)}`);
    return ok;
  };
  const agentSame = PER_AGENT.map(() => 0);
  let sampled = 0;
  for (let a = 0; a < AGENTS; a += Math.max(1, Math.floor(AGENTS / 1000))) {
    sampled++;
    PER_AGENT.forEach((n, j) => {
      if (same(a * PER_AGENT.length + j, `agent ${a} ${n}`)) agentSame[j]++;
    });
  }
  const gBase = AGENTS * PER_AGENT.length;
  const groupSame = PER_GROUP.map(() => 0);
  for (let g = 0; g < GROUPS; g++)
    PER_GROUP.forEach((n, j) => {
      for (let v = 0; v < V; v++)
        if (same(gBase + (g * PER_GROUP.length + j) * V + v, `group ${g} ${n} variant ${v}`)) groupSame[j]++;
    });
  const qBase = gBase + GROUPS * PER_GROUP.length * V;
  const queueSame = QUEUE_COMPARED.map(() => 0);
  for (let q = 0; q < QUEUES; q++)
    QUEUE_COMPARED.forEach((n, x) => {
      const j = PER_QUEUE.indexOf(n);
      for (let v = 0; v < V; v++)
        if (same(qBase + (q * PER_QUEUE.length + j) * V + v, `queue ${q} ${n} variant ${v}`)) queueSame[x]++;
    });
  // the tenant: its queue side in 3 variants (not SL), then its agents
  const tBase = qBase + QUEUES * PER_QUEUE.length * V;
  const tenant = [...TENANT_QUEUE.flatMap((n) => [n, n, n]), ...TENANT_AGENT];
  let tenantSame = 0;
  let tenantN = 0;
  tenant.forEach((n, j) => {
    if (n === "SL") return;
    tenantN++;
    if (same(tBase + j, `tenant ${n} (${j})`)) tenantSame++;
  });
  if (report) {
    const list = (names: readonly string[], counts: number[]): string =>
      names.map((n, j) => `${n} ${counts[j]}`).join(", ");
    console.log(`agreement with the engine, ${sampled} agents: ${list(PER_AGENT, agentSame)}`);
    console.log(`agreement with the engine, the tenant: ${tenantSame} of ${tenantN}`);
    console.log(`agreement with the engine, ${GROUPS} groups × ${V} variants: ${list(PER_GROUP, groupSame)}`);
    console.log(
      `agreement with the engine, ${QUEUES} queues × ${V} variants: ${list(QUEUE_COMPARED, queueSame)}`,
    );
  }
  return diffs;
}

let waveDiffs = 0;
let checkedWaves = 0;
/** values compared by the last {@link agreement} (the same set every time) */
let compared = 0;
/** differences printed so far (the first 10 of the run) */
let printed = 0;
const rates = { kernel: [] as number[], engine: [] as number[], parse: [] as number[] };
const tickMs = { kernel: [] as number[], engine: [] as number[] };
for (let run = 0; run < RUNS; run++) {
  let n = 0;
  const ms = { kernel: 0, engine: 0, parse: 0, kTick: 0, eTick: 0 };
  while (n < EVENTS) {
    const evs = day.wave(Math.min(5000, AGENTS / 4));
    const lines = evs.map((e) => JSON.stringify(e));
    let t0 = performance.now();
    for (const l of lines) JSON.parse(l);
    ms.parse += performance.now() - t0;
    t0 = performance.now();
    for (const ev of evs) k.apply(ev);
    ms.kernel += performance.now() - t0;
    t0 = performance.now();
    tick(k, stats, day.t);
    ms.kTick += performance.now() - t0;
    if (eng) {
      t0 = performance.now();
      for (const ev of evs) eng.ingest(ev);
      ms.engine += performance.now() - t0;
      t0 = performance.now();
      eng.tick(day.t);
      eng.drainNotifications();
      ms.eTick += performance.now() - t0;
      if (CHECK_WAVES) {
        waveDiffs += agreement(eng, false);
        checkedWaves++;
      }
    }
    n += evs.length;
  }
  rates.kernel.push(n / (ms.kernel / 1000));
  rates.parse.push(n / (ms.parse / 1000));
  tickMs.kernel.push(ms.kTick / (n / 1000));
  if (eng) {
    rates.engine.push(n / (ms.engine / 1000));
    tickMs.engine.push(ms.eTick / (n / 1000));
  }
}
const row = (name: string, xs: number[], d = 0): string =>
  `| ${name} | ${fmt(median(xs), d)} | ${fmt(Math.min(...xs), d)} – ${fmt(Math.max(...xs), d)} |`;
console.log(
  `v2 kernel — ${fmt(AGENTS)} agents, ${fmt(stats.n)} derived statistics, ${RUNS} runs × ${fmt(EVENTS)} events`,
);
console.log("| measure | median | range |\n|---|---|---|");
console.log(row("kernel ingest, events/s (1 core)", rates.kernel));
console.log(row("kernel tick (every statistic evaluated), ms per 1k events", tickMs.kernel, 2));
console.log(row("JSON.parse of the same events, events/s", rates.parse));
console.log(`| JSON.parse ÷ kernel | ${fmt(median(rates.parse) / median(rates.kernel), 2)} | |`);
if (eng) {
  console.log(row(`engine ingest, events/s (${fmt(nOpen)} statistics open)`, rates.engine));
  console.log(row("engine tick + notifications, ms per 1k events", tickMs.engine, 2));
  console.log(`| kernel ÷ engine, ingest | ${fmt(median(rates.kernel) / median(rates.engine), 1)} | |`);
}

// the kernel's counters hold together: every agent is in exactly one status, all logged in
let inStatus = 0;
for (let c = S_OUT; c <= S_HOLD; c++) inStatus += k.tenantC[c * W];
const loggedIn = k.tenantC[SPAN * W];
console.log(
  `check: agents in a status ${fmt(inStatus)} (of ${fmt(AGENTS)}), logged in ${fmt(loggedIn)}, calls in progress ${fmt(k.calls.size)}`,
);
if (inStatus !== AGENTS || loggedIn !== AGENTS) process.exit(1);

if (eng) {
  const diffs = agreement(eng, true);
  console.log(
    `resets applied: ${k.resets}${CHECK_WAVES ? `; waves compared: ${checkedWaves}, differences in them: ${waveDiffs}` : ""}; values compared: ${fmt(compared)}`,
  );
  if (diffs > 0 || waveDiffs > 0) process.exit(1);
}
