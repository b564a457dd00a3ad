/**
 * The contact-center traffic model: a discrete-event simulation with a seeded PRNG, a priority
 * queue of future events and a simulated clock. It produces the T-Library events a SIP cluster's
 * Interaction Proxy (call events of the calls pinned to a node) and T-Controller (agent/DN state of
 * the DNs a node owns) would send. Deterministic for a seed: no `Math.random`, no wall clock,
 * stable iteration order. Portable TypeScript (no Bun or Node API).
 */

import type { ModelConfig } from "./config.ts";
import { agentDnOf, agentIdOf, ownerNodeOf, placeOf, queueDnOf } from "./directory.ts";
import { EventHeap, type Scheduled } from "./heap.ts";
import { Rng } from "./rng.ts";
import type { Dist } from "./scenario.ts";
import type { CallType, EventBody, PortKind, SimControl, SimEvent } from "./types.ts";
import { Zone } from "./zone.ts";

type AgentState = "out" | "idle" | "busy" | "acw" | "break";
type PartyState = "queued" | "ringing" | "dialing" | "established" | "held";

interface Agent {
  k: number;
  id: string;
  dn: string;
  place: string;
  node: number;
  skills: number[];
  loginQueue: string;
  state: AgentState;
  /** T-Controller view: logged in, ready or not ready (with work mode and reasons). */
  loggedIn: boolean;
  loginAt: number;
  ready: boolean;
  workMode: string;
  reasons: Record<string, string> | undefined;
  acwQueue: string | undefined;
  stateSince: number;
  idleSince: number;
  /** Call parties this agent currently is. */
  calls: number;
  /** Login generation: timers of an earlier login are ignored. */
  gen: number;
  pendingBreak: number | undefined;
  pendingLogout: boolean;
  breaksTaken: number[];
  timer: Scheduled<() => void> | undefined;
}

interface Party {
  dn: string;
  agent: Agent | undefined;
  state: PartyState;
  since: number;
  otherDN: string | undefined;
}

interface Call {
  connId: string;
  node: number;
  type: CallType;
  ani: string | undefined;
  dnis: string | undefined;
  userData: Record<string, string> | undefined;
  /** Current queue (1-based), for inbound calls. */
  queue: number | undefined;
  queuedAt: number;
  deadline: number;
  timer: Scheduled<() => void> | undefined;
  parties: Party[];
  ended: boolean;
  consult: Call | undefined;
}

/** Where the model sends what it produces, in order. */
export interface SimSink {
  /** Every event, in the order produced. */
  event(ev: SimEvent): void;
  /** Fault switches to apply at this point (scenario schedule or {@link Simulation.restartNode}). */
  control?(c: SimControl): void;
}

/** Counters of what happened so far. */
export interface SimStats {
  events: number;
  offered: number;
  answered: number;
  abandonedInQueue: number;
  abandonedRinging: number;
  consults: number;
  transfers: number;
  blindTransfers: number;
  outbound: number;
  internal: number;
  breaks: number;
  logins: number;
  logouts: number;
  restarts: number;
}

const PORTS: readonly PortKind[] = ["interactionProxy", "tController"];

/**
 * The simulation. Drive it with {@link Simulation.runUntil}; read the current state as events with
 * {@link Simulation.snapshot}.
 *
 * @example
 * ```ts
 * const cfg = resolveConfig({ nodes: 2, agents: 10, queues: 2, arrivalRate: 0.05, aht: 120, seed: 7 });
 * const events: SimEvent[] = [];
 * const sim = new Simulation(cfg, { event: (e) => events.push(e) });
 * sim.runUntil(3600); // one simulated hour
 * ```
 */
export class Simulation {
  /** The configuration the simulation runs with. */
  readonly config: ModelConfig;
  /** Counters. */
  readonly stats: SimStats = {
    events: 0,
    offered: 0,
    answered: 0,
    abandonedInQueue: 0,
    abandonedRinging: 0,
    consults: 0,
    transfers: 0,
    blindTransfers: 0,
    outbound: 0,
    internal: 0,
    breaks: 0,
    logins: 0,
    logouts: 0,
    restarts: 0,
  };
  private readonly _sink: SimSink;
  private readonly _heap = new EventHeap<() => void>();
  private readonly _rng: Rng;
  private _now = 0;
  private readonly _seq: number[][];
  private readonly _connCounter: number[];
  private readonly _agents: Agent[] = [];
  /** Per queue (index q-1): the agents with that skill, in agent order. */
  private readonly _members: Agent[][] = [];
  /** Per queue (index q-1): waiting calls in arrival order. */
  private readonly _waiting: Map<string, Call>[] = [];
  /** Active calls by connId, in creation order. */
  private readonly _calls = new Map<string, Call>();
  private _trafficStopped = false;
  private readonly _zone: Zone;

  constructor(config: ModelConfig, sink: SimSink) {
    this.config = config;
    this._sink = sink;
    this._rng = new Rng(config.seed);
    this._zone = new Zone(config.timeZone);
    this._seq = config.nodeIds.map(() => [0, 0]);
    this._connCounter = config.nodeIds.map(() => 0);
    for (let q = 1; q <= config.queues; q++) {
      this._members.push([]);
      this._waiting.push(new Map());
    }
    const nodes = config.nodeIds.length;
    for (let k = 1; k <= config.agents; k++) {
      const dn = agentDnOf(k, config.agents);
      const skills = config.skills[k - 1] ?? [1];
      const a: Agent = {
        k,
        id: agentIdOf(k, config.agents),
        dn,
        place: placeOf(dn),
        node: ownerNodeOf(k, nodes),
        skills,
        loginQueue: queueDnOf(skills[0] ?? 1),
        state: "out",
        loggedIn: false,
        loginAt: 0,
        ready: false,
        workMode: "ManualIn",
        reasons: undefined,
        acwQueue: undefined,
        stateSince: 0,
        idleSince: 0,
        calls: 0,
        gen: 0,
        pendingBreak: undefined,
        pendingLogout: false,
        breaksTaken: config.breaks.map(() => 0),
        timer: undefined,
      };
      this._agents.push(a);
      for (const q of skills) this._members[q - 1]?.push(a);
    }
    // nothing is emitted before the first runUntil: the sink may not be wired yet
    this._heap.push(0, () => this._start());
  }

  /** Simulated seconds since the start. */
  get now(): number {
    return this._now;
  }

  /** Simulated time now, as epoch seconds (millisecond precision). */
  get epochNow(): number {
    return this._time();
  }

  /** Simulated time of the next scheduled happening (seconds since start), if any. */
  nextTime(): number | undefined {
    return this._heap.peekTime();
  }

  /**
   * Process everything due up to and including `t` (seconds since start), then set the clock to
   * `t`. With `maxSteps`, stop early after that many happenings (the clock then stays at the last
   * one); returns true when everything due by `t` was processed.
   */
  runUntil(t: number, maxSteps = Number.POSITIVE_INFINITY): boolean {
    let steps = 0;
    for (;;) {
      const next = this._heap.peekTime();
      if (next === undefined || next > t) break;
      if (steps >= maxSteps) return false;
      const item = this._heap.pop();
      if (!item) break;
      this._now = item.time;
      item.value();
      steps++;
    }
    if (t > this._now) this._now = t;
    return true;
  }

  /** Stop new arrivals, outbound and internal calls; calls in progress finish normally. */
  stopTraffic(): void {
    this._trafficStopped = true;
  }

  /** Number of calls in progress (queued, ringing, talking, dialing). */
  get activeCalls(): number {
    return this._calls.size;
  }

  /**
   * The current state of one node's stream as events (no `seq`): for the T-Controller, each owned
   * DN with a logged-in agent as EventAgentLogin plus its current EventAgentReady/NotReady; for
   * the Interaction Proxy, each party of each active call pinned to the node as its current-state
   * event (EventQueued, EventRinging, EventDialing, EventEstablished, EventHeld) with the original
   * connId and the time that state began.
   */
  snapshot(nodeId: string, port: PortKind): EventBody[] {
    const n = this.config.nodeIds.indexOf(nodeId);
    if (n < 0) return [];
    const out: EventBody[] = [];
    if (port === "tController") {
      for (const a of this._agents) {
        if (a.node !== n || !a.loggedIn) continue;
        out.push(this._loginBody(a, a.loginAt));
        out.push(this._stateBody(a, a.stateSince));
      }
      return out;
    }
    for (const call of this._calls.values()) {
      if (call.node !== n) continue;
      for (const p of call.parties) {
        const name =
          p.state === "queued"
            ? "EventQueued"
            : p.state === "ringing"
              ? "EventRinging"
              : p.state === "dialing"
                ? "EventDialing"
                : p.state === "held"
                  ? "EventHeld"
                  : "EventEstablished";
        out.push(this._callBody(name, call, p, undefined, p.since));
      }
    }
    return out;
  }

  /**
   * Restart a node now: a control item `restartNode` goes out first (the servers drop the node's
   * sessions), the node's calls end without further events (they are lost with the node), both its
   * streams start again at seq 1, and its T-Controller re-registers its DNs: EventDNBackInService
   * per owned DN, then EventAgentLogin and the current Ready/NotReady per logged-in agent. Agents
   * (on any node) whose calls were lost become available again.
   */
  restartNode(nodeId: string): void {
    const n = this.config.nodeIds.indexOf(nodeId);
    if (n < 0) throw new RangeError(`unknown node ${nodeId}`);
    this.stats.restarts++;
    this._sink.control?.({ time: this._time(), fault: { action: "restartNode", node: nodeId } });
    this._seq[n] = [0, 0];
    const touched: Agent[] = [];
    for (const call of [...this._calls.values()]) {
      if (call.node !== n || call.ended) continue;
      call.ended = true;
      this._heap.cancel(call.timer);
      if (call.queue !== undefined) this._waiting[call.queue - 1]?.delete(call.connId);
      for (const p of call.parties) {
        if (p.agent) {
          p.agent.calls--;
          touched.push(p.agent);
        }
      }
      call.parties = [];
      this._calls.delete(call.connId);
    }
    for (const a of this._agents) {
      if (a.node !== n) continue;
      this._emitTc(a, { event: "EventDNBackInService", time: this._time(), thisDN: a.dn });
      if (a.loggedIn) {
        this._emitTc(a, this._loginBody(a, this._now));
        this._emitTc(a, this._stateBody(a, this._now));
      }
    }
    touched.sort((x, y) => x.k - y.k);
    for (const a of touched) if (a.state === "busy" && a.calls === 0) this._agentFree(a);
  }

  // ---------------------------------------------------------------- set-up

  private _start(): void {
    const cfg = this.config;
    for (const a of this._agents) {
      const shifts = cfg.shifts[a.k - 1] ?? [];
      if (shifts.length === 0) this._login(a);
      else for (const s of shifts) this._planShift(a, s[0], s[1]);
    }
    for (let q = 1; q <= cfg.queues; q++) this._scheduleArrival(q);
    this._schedulePoisson(cfg.outbound.rate, () => this._outbound());
    this._schedulePoisson(cfg.internal.rate, () => this._internal());
    for (const f of cfg.faults) {
      this._at(f.at, () => {
        if (f.action === "restartNode") this.restartNode(f.node);
        else {
          const { at: _at, ...fault } = f;
          this._sink.control?.({ time: this._time(), fault });
        }
      });
    }
  }

  /** Seconds from now until the local clock next reads `secOfDay`; 0 if it does now. */
  private _untilTod(secOfDay: number): number {
    return this._zone.until(this.config.startEpoch + this._now, secOfDay);
  }

  private _planShift(a: Agent, start: number, end: number): void {
    const tod = this._zone.secondOfDay(this.config.startEpoch + this._now);
    const inShift = start < end ? tod >= start && tod < end : tod >= start || tod < end;
    if (inShift) {
      this._login(a);
      this._after(this._untilTod(end), () => this._shiftEnd(a, start, end));
    } else this._after(this._untilTod(start), () => this._shiftStart(a, start, end));
  }

  private _shiftStart(a: Agent, start: number, end: number): void {
    this._login(a);
    this._after(this._untilTod(end) || 86400, () => this._shiftEnd(a, start, end));
  }

  private _shiftEnd(a: Agent, start: number, end: number): void {
    this._requestLogout(a);
    this._after(this._untilTod(start) || 86400, () => this._shiftStart(a, start, end));
  }

  // ---------------------------------------------------------------- scheduling helpers

  private _at(t: number, fn: () => void): Scheduled<() => void> {
    return this._heap.push(Math.max(t, this._now), fn);
  }

  private _after(dt: number, fn: () => void): Scheduled<() => void> {
    return this._heap.push(this._now + Math.max(0, dt), fn);
  }

  private _sample(d: Dist): number {
    switch (d.dist) {
      case "exponential":
        return this._rng.exponential(d.mean);
      case "lognormal":
        return this._rng.lognormal(d.mean, d.sd);
      case "uniform":
        return this._rng.uniform(d.min, d.max);
      case "fixed":
        return d.value;
    }
  }

  private _schedulePoisson(rate: number, fn: () => void): void {
    if (!(rate > 0)) return;
    const tick = () => {
      if (this._trafficStopped) return;
      this._after(this._rng.exponential(1 / rate), tick);
      fn();
    };
    this._after(this._rng.exponential(1 / rate), tick);
  }

  private _scheduleArrival(q: number): void {
    const cfg = this.config;
    let wsum = 0;
    for (const w of cfg.weights) wsum += w;
    const rate = wsum > 0 ? (cfg.arrivalRate * (cfg.weights[q - 1] ?? 0)) / wsum : 0;
    const curve = cfg.dailyCurve;
    const peak = curve ? Math.max(...curve) : 1;
    if (!(rate > 0) || !(peak > 0)) return;
    const lambda = rate * peak;
    const tick = () => {
      if (this._trafficStopped) return;
      this._after(this._rng.exponential(1 / lambda), tick);
      if (curve) {
        // thinning: accept with probability curve(hour) / peak
        const hour = Math.floor(this._zone.secondOfDay(cfg.startEpoch + this._now) / 3600);
        if (!(this._rng.next() * peak < (curve[hour] ?? 0))) return;
      }
      this._arrive(q);
    };
    this._after(this._rng.exponential(1 / lambda), tick);
  }

  // ---------------------------------------------------------------- emission

  private _time(at = this._now): number {
    return Math.round((this.config.startEpoch + at) * 1000) / 1000;
  }

  private _emit(node: number, port: number, body: EventBody): void {
    const s = this._seq[node] as number[];
    const seq = (s[port] as number) + 1;
    s[port] = seq;
    this.stats.events++;
    this._sink.event({ node: this.config.nodeIds[node] as string, port: PORTS[port] as PortKind, seq, body });
  }

  private _emitTc(a: Agent, body: EventBody): void {
    this._emit(a.node, 1, body);
  }

  private _emitCall(name: string, call: Call, p: Party, extra?: Partial<EventBody>): void {
    this._emit(call.node, 0, this._callBody(name, call, p, extra, this._now));
  }

  private _callBody(
    name: string,
    call: Call,
    p: Party,
    extra: Partial<EventBody> | undefined,
    at: number,
  ): EventBody {
    const b: EventBody = { event: name, time: this._time(at), connId: call.connId };
    if (extra?.previousConnId !== undefined) b.previousConnId = extra.previousConnId;
    b.thisDN = p.dn;
    if (p.otherDN !== undefined) b.otherDN = p.otherDN;
    if (extra?.thirdPartyDN !== undefined) b.thirdPartyDN = extra.thirdPartyDN;
    if (call.queue !== undefined) b.thisQueue = queueDnOf(call.queue);
    if (p.agent) b.agentId = p.agent.id;
    b.callType = call.type;
    if (extra?.callState !== undefined) b.callState = extra.callState;
    if (call.ani !== undefined) b.ani = call.ani;
    if (call.dnis !== undefined) b.dnis = call.dnis;
    if (call.userData !== undefined) b.userData = { ...call.userData };
    return b;
  }

  private _loginBody(a: Agent, at: number): EventBody {
    return {
      event: "EventAgentLogin",
      time: this._time(at),
      thisDN: a.dn,
      thisQueue: a.loginQueue,
      agentId: a.id,
      workMode: "ManualIn",
    };
  }

  private _stateBody(a: Agent, at: number): EventBody {
    if (a.ready)
      return {
        event: "EventAgentReady",
        time: this._time(at),
        thisDN: a.dn,
        agentId: a.id,
        workMode: a.workMode,
      };
    const b: EventBody = { event: "EventAgentNotReady", time: this._time(at), thisDN: a.dn };
    if (a.acwQueue !== undefined) b.thisQueue = a.acwQueue;
    b.agentId = a.id;
    b.workMode = a.workMode;
    if (a.reasons) b.reasons = { ...a.reasons };
    return b;
  }

  private _setTc(
    a: Agent,
    ready: boolean,
    workMode: string,
    reasons?: Record<string, string>,
    acwQueue?: string,
  ): void {
    a.ready = ready;
    a.workMode = workMode;
    a.reasons = reasons;
    a.acwQueue = acwQueue;
    a.stateSince = this._now;
    this._emitTc(a, this._stateBody(a, this._now));
  }

  // ---------------------------------------------------------------- agents

  private _login(a: Agent): void {
    if (a.state !== "out") {
      a.pendingLogout = false;
      return;
    }
    a.gen++;
    a.loggedIn = true;
    a.loginAt = this._now;
    a.breaksTaken = this.config.breaks.map(() => 0);
    this.stats.logins++;
    this._emitTc(a, this._loginBody(a, this._now));
    this._setTc(a, true, "ManualIn");
    a.state = "idle";
    a.idleSince = this._now;
    for (let i = 0; i < this.config.breaks.length; i++) this._scheduleBreak(a, i);
    this._offerWork(a);
  }

  private _requestLogout(a: Agent): void {
    if (a.state === "out") return;
    if (a.state === "idle" || a.state === "break") this._logout(a);
    else a.pendingLogout = true;
  }

  private _logout(a: Agent): void {
    this._heap.cancel(a.timer);
    a.timer = undefined;
    a.gen++;
    a.state = "out";
    a.loggedIn = false;
    a.ready = false;
    a.pendingLogout = false;
    a.pendingBreak = undefined;
    this.stats.logouts++;
    this._emitTc(a, {
      event: "EventAgentLogout",
      time: this._time(),
      thisDN: a.dn,
      thisQueue: a.loginQueue,
      agentId: a.id,
    });
  }

  private _scheduleBreak(a: Agent, i: number): void {
    const plan = this.config.breaks[i];
    if (!plan || (a.breaksTaken[i] ?? 0) >= plan.maxPerShift) return;
    const gen = a.gen;
    this._after(this._sample(plan.after), () => {
      if (a.gen !== gen || a.state === "out") return;
      if (!this._rng.chance(plan.probability)) {
        this._scheduleBreak(a, i);
        return;
      }
      if (a.state === "idle") this._startBreak(a, i);
      else if (a.pendingBreak === undefined) a.pendingBreak = i;
      else this._scheduleBreak(a, i); // another break is already pending: try later
    });
  }

  private _startBreak(a: Agent, i: number): void {
    const plan = this.config.breaks[i];
    if (!plan) return;
    a.breaksTaken[i] = (a.breaksTaken[i] ?? 0) + 1;
    a.state = "break";
    this.stats.breaks++;
    this._setTc(a, false, "AuxWork", { ReasonCode: plan.reason });
    const gen = a.gen;
    a.timer = this._after(this._sample(plan.duration), () => {
      if (a.gen !== gen || a.state !== "break") return;
      a.timer = undefined;
      if (a.pendingLogout) {
        this._logout(a);
        return;
      }
      this._setTc(a, true, "ManualIn");
      this._scheduleBreak(a, i);
      this._becomeIdle(a);
    });
  }

  /** An agent has no call left: after-call work or next state. */
  private _callDone(a: Agent, acw: boolean, queueDn: string | undefined): void {
    if (a.calls > 0 || a.state !== "busy") return;
    const d = this.config.acw;
    if (acw && d) {
      a.state = "acw";
      this._setTc(a, false, "AfterCallWork", undefined, queueDn);
      const gen = a.gen;
      const duration = this._sample(d);
      if (this._rng.chance(this.config.userEventProbability)) {
        // the desktop reports a wrap-up code during after-call work
        const code = this._rng.pick(["Resolved", "FollowUp", "Escalated"]);
        this._after(duration * this._rng.next(), () => {
          if (a.gen !== gen || a.state !== "acw") return;
          this._emitTc(a, {
            event: "EventUserEvent",
            time: this._time(),
            thisDN: a.dn,
            agentId: a.id,
            userData: { EventType: "WrapUp", WrapUpCode: code },
          });
        });
      }
      a.timer = this._after(duration, () => {
        if (a.gen !== gen || a.state !== "acw") return;
        a.timer = undefined;
        if (a.pendingLogout) this._logout(a);
        else if (a.pendingBreak !== undefined) {
          const i = a.pendingBreak;
          a.pendingBreak = undefined;
          this._startBreak(a, i);
        } else {
          this._setTc(a, true, "ManualIn");
          this._becomeIdle(a);
        }
      });
      return;
    }
    this._agentFree(a);
  }

  /** A busy agent (T-Controller still Ready) is free again, without after-call work. */
  private _agentFree(a: Agent): void {
    if (a.pendingLogout) this._logout(a);
    else if (a.pendingBreak !== undefined) {
      const i = a.pendingBreak;
      a.pendingBreak = undefined;
      this._startBreak(a, i);
    } else this._becomeIdle(a);
  }

  private _becomeIdle(a: Agent): void {
    a.state = "idle";
    a.idleSince = this._now;
    this._offerWork(a);
  }

  /** A ready agent takes the longest-waiting call among the queues it serves. */
  private _offerWork(a: Agent): void {
    if (a.state !== "idle") return;
    let best: Call | undefined;
    for (const q of a.skills) {
      const head = this._waiting[q - 1]?.values().next().value as Call | undefined;
      if (head && (!best || head.queuedAt < best.queuedAt)) best = head;
    }
    if (best) this._assign(best, a);
  }

  /** Longest-idle ready agent among `pool` (ties: lowest agent number), excluding `not`. */
  private _longestIdle(pool: readonly Agent[], not?: Agent): Agent | undefined {
    let best: Agent | undefined;
    for (const a of pool) {
      if (a.state !== "idle" || a === not) continue;
      if (!best || a.idleSince < best.idleSince) best = a;
    }
    return best;
  }

  // ---------------------------------------------------------------- calls

  private _newCall(node: number, type: CallType): Call {
    const c = ++this._connCounter[node]!;
    const connId = (node + 1).toString(16).padStart(4, "0") + c.toString(16).padStart(12, "0");
    const call: Call = {
      connId,
      node,
      type,
      ani: undefined,
      dnis: undefined,
      userData: undefined,
      queue: undefined,
      queuedAt: 0,
      deadline: Number.POSITIVE_INFINITY,
      timer: undefined,
      parties: [],
      ended: false,
      consult: undefined,
    };
    this._calls.set(connId, call);
    return call;
  }

  private _endCall(call: Call): void {
    call.ended = true;
    this._heap.cancel(call.timer);
    this._calls.delete(call.connId);
  }

  private _removeParty(call: Call, p: Party): void {
    const i = call.parties.indexOf(p);
    if (i >= 0) call.parties.splice(i, 1);
  }

  private _digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(this._rng.int(10));
    return s;
  }

  private _arrive(q: number): void {
    const cfg = this.config;
    const call = this._newCall(this._rng.int(cfg.nodeIds.length), "Inbound");
    call.ani = `+1555${this._digits(7)}`;
    call.dnis = `1800555${String(q).padStart(4, "0")}`;
    call.userData = {
      Segment: this._rng.pick(cfg.segments),
      Language: this._rng.pick(cfg.languages),
      CustomerId: `C${this._digits(8)}`,
    };
    this.stats.offered++;
    this._enqueue(call, q);
  }

  private _enqueue(call: Call, q: number): void {
    call.queue = q;
    call.queuedAt = this._now;
    const p: Party = {
      dn: queueDnOf(q),
      agent: undefined,
      state: "queued",
      since: this._now,
      otherDN: call.ani,
    };
    call.parties.push(p);
    this._emitCall("EventQueued", call, p);
    const patience = this.config.patience;
    call.deadline = patience ? this._now + this._sample(patience) : Number.POSITIVE_INFINITY;
    this._waiting[q - 1]?.set(call.connId, call);
    if (patience) call.timer = this._at(call.deadline, () => this._abandonQueued(call, p));
    const agent = this._longestIdle(this._members[q - 1] ?? []);
    if (agent) this._assign(call, agent);
  }

  private _abandonQueued(call: Call, p: Party): void {
    if (call.ended || p.state !== "queued") return;
    this._waiting[(call.queue ?? 1) - 1]?.delete(call.connId);
    this._removeParty(call, p);
    this.stats.abandonedInQueue++;
    this._emitCall("EventAbandoned", call, p);
    this._endCall(call);
  }

  private _assign(call: Call, a: Agent): void {
    const q = call.queue as number;
    this._waiting[q - 1]?.delete(call.connId);
    this._heap.cancel(call.timer);
    const qp = call.parties.find((p) => p.state === "queued");
    if (qp) {
      qp.otherDN = a.dn;
      this._removeParty(call, qp);
      this._emitCall("EventDiverted", call, qp);
    }
    a.state = "busy";
    a.calls++;
    const p: Party = { dn: a.dn, agent: a, state: "ringing", since: this._now, otherDN: call.ani };
    call.parties.push(p);
    this._emitCall("EventRinging", call, p);
    const ring = this._sample(this.config.ring);
    if (call.deadline < this._now + ring) {
      call.timer = this._at(call.deadline, () => {
        if (call.ended || p.state !== "ringing") return;
        this._removeParty(call, p);
        this.stats.abandonedRinging++;
        this._emitCall("EventAbandoned", call, p);
        this._endCall(call);
        a.calls--;
        this._callDone(a, false, undefined);
      });
    } else call.timer = this._after(ring, () => this._answer(call, p));
  }

  private _answer(call: Call, p: Party): void {
    if (call.ended || p.state !== "ringing") return;
    call.timer = undefined;
    const cfg = this.config;
    p.state = "established";
    p.since = this._now;
    this.stats.answered++;
    this._emitCall("EventEstablished", call, p);
    const talk = this._sample(cfg.talk);
    const r = this._rng.next();
    const split = talk * this._rng.next();
    if (this._rng.chance(cfg.attachedDataProbability)) {
      const at = talk * this._rng.next();
      const disposition = this._rng.pick(["Sales", "Support", "Billing", "Retention"]);
      this._after(at, () => this._attachData(call, disposition));
    }
    let cut = cfg.holdProbability;
    if (r < cut) {
      this._after(split, () => this._hold(call, p, talk - split));
      return;
    }
    cut += cfg.consultProbability;
    if (r < cut) {
      this._after(split, () => this._startConsult(call, p, talk - split));
      return;
    }
    cut += cfg.blindTransferProbability;
    if (r < cut && !cfg.mmc) {
      this._after(split, () => this._blindTransfer(call, p));
      return;
    }
    this._after(talk, () => this._release(call, p));
  }

  private _attachData(call: Call, disposition: string): void {
    if (call.ended) return;
    const p = call.parties.find((x) => x.agent && (x.state === "established" || x.state === "held"));
    if (!p || !call.userData) return;
    call.userData = { ...call.userData, Disposition: disposition };
    this._emitCall("EventAttachedDataChanged", call, p);
  }

  private _hold(call: Call, p: Party, rest: number): void {
    if (call.ended || p.state !== "established") return;
    p.state = "held";
    p.since = this._now;
    this._emitCall("EventHeld", call, p);
    this._after(this._sample(this.config.hold), () => {
      if (call.ended || p.state !== "held") return;
      p.state = "established";
      p.since = this._now;
      this._emitCall("EventRetrieved", call, p);
      this._after(rest, () => this._release(call, p));
    });
  }

  /** The agent's party leaves the call (EventReleased); the call ends when nobody is left. */
  private _release(call: Call, p: Party, callState?: string): void {
    if (call.ended || !call.parties.includes(p)) return;
    this._removeParty(call, p);
    this._emitCall("EventReleased", call, p, callState ? { callState } : undefined);
    if (call.parties.length === 0) this._endCall(call);
    const a = p.agent;
    if (a) {
      a.calls--;
      this._callDone(a, true, call.queue !== undefined ? queueDnOf(call.queue) : undefined);
    }
  }

  private _blindTransfer(call: Call, p: Party): void {
    if (call.ended || p.state !== "established") return;
    const a = p.agent as Agent;
    this.stats.blindTransfers++;
    const fromQueue = call.queue;
    this._removeParty(call, p);
    this._emitCall("EventReleased", call, p, { callState: "Transferred" });
    a.calls--;
    this._enqueue(call, this._rng.int(this.config.queues) + 1);
    this._callDone(a, true, fromQueue !== undefined ? queueDnOf(fromQueue) : undefined);
  }

  private _startConsult(call: Call, pa: Party, rest: number): void {
    if (call.ended || pa.state !== "established") return;
    const a = pa.agent as Agent;
    const b = this._longestIdle(this._agents, a);
    if (!b) {
      this._after(rest, () => this._release(call, pa));
      return;
    }
    this.stats.consults++;
    pa.state = "held";
    pa.since = this._now;
    this._emitCall("EventHeld", call, pa);
    const c = this._newCall(call.node, "Consult");
    c.userData = call.userData ? { ...call.userData } : undefined;
    call.consult = c;
    const ca: Party = { dn: a.dn, agent: a, state: "dialing", since: this._now, otherDN: b.dn };
    const cb: Party = { dn: b.dn, agent: b, state: "ringing", since: this._now, otherDN: a.dn };
    c.parties.push(ca, cb);
    a.calls++;
    b.state = "busy";
    b.calls++;
    this._emitCall("EventDialing", c, ca);
    this._emitCall("EventRinging", c, cb);
    c.timer = this._after(this._sample(this.config.ring), () => {
      if (c.ended) return;
      c.timer = undefined;
      cb.state = "established";
      cb.since = this._now;
      this._emitCall("EventEstablished", c, cb);
      ca.state = "established";
      ca.since = this._now;
      this._emitCall("EventEstablished", c, ca);
      c.timer = this._after(this._sample(this.config.consult), () => {
        if (c.ended || call.ended) return;
        c.timer = undefined;
        if (this._rng.chance(this.config.transferProbability)) this._completeTransfer(call, pa, c, ca, cb);
        else this._releaseConsult(call, pa, c, ca, cb, rest);
      });
    });
  }

  private _completeTransfer(call: Call, pa: Party, c: Call, ca: Party, cb: Party): void {
    const a = pa.agent as Agent;
    this.stats.transfers++;
    this._removeParty(call, pa);
    this._emitCall("EventReleased", call, pa, { callState: "Transferred" });
    this._removeParty(c, ca);
    this._emitCall("EventReleased", c, ca, { callState: "Transferred" });
    this._removeParty(c, cb);
    this._endCall(c);
    call.consult = undefined;
    cb.otherDN = call.ani;
    call.parties.push(cb);
    this._emitCall("EventPartyChanged", call, cb, { previousConnId: c.connId, thirdPartyDN: a.dn });
    a.calls -= 2;
    this._callDone(a, true, call.queue !== undefined ? queueDnOf(call.queue) : undefined);
    this._after(this._sample(this.config.talk) / 2, () => this._release(call, cb));
  }

  private _releaseConsult(call: Call, pa: Party, c: Call, ca: Party, cb: Party, rest: number): void {
    const a = pa.agent as Agent;
    const b = cb.agent as Agent;
    this._removeParty(c, cb);
    this._emitCall("EventReleased", c, cb);
    this._removeParty(c, ca);
    this._emitCall("EventReleased", c, ca);
    this._endCall(c);
    call.consult = undefined;
    a.calls--;
    b.calls--;
    pa.state = "established";
    pa.since = this._now;
    this._emitCall("EventRetrieved", call, pa);
    this._callDone(b, false, undefined);
    this._after(rest, () => this._release(call, pa));
  }

  private _outbound(): void {
    const cfg = this.config.outbound;
    const a = this._longestIdle(this._agents);
    if (!a) return;
    this.stats.outbound++;
    const call = this._newCall(a.node, "Outbound");
    call.dnis = `+1555${this._digits(7)}`;
    const p: Party = { dn: a.dn, agent: a, state: "dialing", since: this._now, otherDN: call.dnis };
    call.parties.push(p);
    a.state = "busy";
    a.calls++;
    this._emitCall("EventDialing", call, p);
    call.timer = this._after(this._sample(cfg.dial), () => {
      if (call.ended) return;
      call.timer = undefined;
      if (!this._rng.chance(cfg.answerProbability)) {
        this._removeParty(call, p);
        this._emitCall("EventReleased", call, p);
        this._endCall(call);
        a.calls--;
        this._callDone(a, false, undefined);
        return;
      }
      p.state = "established";
      p.since = this._now;
      this._emitCall("EventEstablished", call, p);
      const acw = this._rng.chance(cfg.acwProbability);
      call.timer = this._after(this._sample(cfg.talk), () => {
        if (call.ended) return;
        this._removeParty(call, p);
        this._emitCall("EventReleased", call, p);
        this._endCall(call);
        a.calls--;
        this._callDone(a, acw, undefined);
      });
    });
  }

  private _internal(): void {
    const cfg = this.config.internal;
    const a = this._longestIdle(this._agents);
    const b = a && this._longestIdle(this._agents, a);
    if (!a || !b) return;
    this.stats.internal++;
    const call = this._newCall(a.node, "Internal");
    const pa: Party = { dn: a.dn, agent: a, state: "dialing", since: this._now, otherDN: b.dn };
    const pb: Party = { dn: b.dn, agent: b, state: "ringing", since: this._now, otherDN: a.dn };
    call.parties.push(pa, pb);
    a.state = "busy";
    a.calls++;
    b.state = "busy";
    b.calls++;
    this._emitCall("EventDialing", call, pa);
    this._emitCall("EventRinging", call, pb);
    const endBoth = (first: Party, second: Party) => {
      for (const p of [first, second]) {
        this._removeParty(call, p);
        this._emitCall("EventReleased", call, p);
      }
      this._endCall(call);
      a.calls--;
      b.calls--;
      this._callDone(a, false, undefined);
      this._callDone(b, false, undefined);
    };
    call.timer = this._after(this._sample(cfg.ring), () => {
      if (call.ended) return;
      call.timer = undefined;
      if (!this._rng.chance(cfg.answerProbability)) {
        endBoth(pb, pa);
        return;
      }
      pb.state = "established";
      pb.since = this._now;
      this._emitCall("EventEstablished", call, pb);
      pa.state = "established";
      pa.since = this._now;
      this._emitCall("EventEstablished", call, pa);
      call.timer = this._after(this._sample(cfg.talk), () => {
        if (call.ended) return;
        if (this._rng.next() < 0.5) endBoth(pa, pb);
        else endBoth(pb, pa);
      });
    });
  }
}
