/**
 * The statistics engine: T-Library events → actions on DNs → statuses (DN, agent, place) →
 * partial aggregates of every open statistic → notifications. One `Engine` is one partition:
 * it keeps the state of the keys it owns (`dn:ID`, `agent:ID`, `place:ID`) and the *partial*
 * aggregates those keys contribute; facts another partition needs travel as {@link CrossMessage}s
 * through {@link Engine.drainOutbox} / {@link Engine.deliver}. With the default ownership (all
 * keys) the engine is a complete single-instance server. Semantics: docs/semantics.md.
 *
 * @example
 * ```ts
 * const eng = new Engine({ config });
 * const { statId } = eng.open({ object: { type: "Queue", id: "8000" }, statType: "CurrNumberWaitingCalls" }) as Opened;
 * eng.ingest({ event: "EventQueued", time: 1_700_000_000, thisDN: "8000", connId: "c1" });
 * eng.peek(statId); // { value: 1, valid: true, at: ... }
 * ```
 * @module
 */
import type { Partition } from "../cluster/partition.ts";
import { DEFAULT_TIME_PROFILE, resolveRequest } from "../config/request.ts";
import type {
  AgentDef,
  Category,
  DnDef,
  EngineConfig,
  StatValue,
  TEvent,
  TimeProfileDef,
} from "../definitions.ts";
import { CURRENT_CATEGORIES } from "../definitions.ts";
import type { CompiledFilter } from "../filter/mod.ts";
import { AGENT_STATUSES } from "../mask.ts";
import { lastResetAtOrBefore, nextResetAfter } from "../time/mod.ts";
import { type Clock, ReplayClock } from "./clock.ts";
import { Composite } from "./composite.ts";
import { Directory, type ObjNode } from "./directory.ts";
import {
  ACTION_OF_STATUS,
  actionId,
  CALL_TYPE_ACTIONS,
  compileMask,
  id,
  LOGGED_IN,
  NAMES,
  SPAN,
  STATUS,
  STATUS_OF_ACTION,
} from "./names.ts";
import { changedEnough, checkNotification } from "./notify.ts";
import { emptyPartial, type StatPartial, sample, type Tree, valueOfPartial } from "./partial.ts";
import { SmallMap } from "./small-map.ts";
import { type Entry, type Episode, type ProfileRt, SRC, Stat, type StatSpec, specFlags } from "./stat.ts";
import { MODE, SubTable } from "./subs.ts";
import type {
  Attrs,
  CrossMessage,
  EngineError,
  IngestResult,
  Notification,
  Opened,
  OpenRequest,
  ValueReply,
} from "./types.ts";

/** Options of {@link Engine}. */
export interface EngineOptions {
  config: EngineConfig;
  /** default: a {@link ReplayClock} driven by event times, starting at `startMs` */
  clock?: Clock;
  /** ownership predicate over keys `dn:ID`, `agent:ID`, `place:ID`; default: everything */
  owns?: (key: string) => boolean;
  /** time the engine starts (agents never seen are LoggedOut since then); default clock.now() */
  startMs?: number;
  /** a call leg with no event for this long is ended by {@link Engine.sweep}; default 4 h */
  stuckCallMaxAgeSec?: number;
}

interface Leg {
  connId: string;
  attrs: Attrs;
  acts: SmallMap<number, Episode>;
  node: string | null;
  last: number;
  /** mediation: CallAnswered was already reflected while the call still waited */
  reflected: boolean;
}

interface DnState {
  def: DnDef;
  mediation: boolean;
  agent: AgentDef | null;
  loginQueue: string | null;
  lastQueue: string | null;
  /** nodes that fed this DN, and the node of its agent state */
  nodes: Set<string>;
  stateNode: string | null;
  /** what keeps it NotMonitored: the nodes whose link is down, "" for the DN itself (out of service) */
  downBy: Set<string>;
  nonIxn: SmallMap<number, Episode>;
  legs: SmallMap<string, Leg>;
  /**
   * calls distributed from this mediation DN whose answer (or abandon while ringing) is still to
   * be reflected here: when they entered, when last seen, and the call's attributes at the queue
   */
  pending: Map<string, { enter: number; last: number; attrs: Attrs; node: string | null }>;
  /**
   * the previous visit's entry of a call queued again while its answer was still to come: a
   * reflected answer stamped before the current visit's distribution belongs to it (in a cluster
   * the agent DN's answer can reach the queue's owner after the queue saw the call come back)
   */
  stale: Map<string, { enter: number; last: number; attrs: Attrs; node: string | null }>;
  status: number;
  statusEp: Episode | null;
  /** objects its episodes propagate to */
  path: ObjNode[];
  /** the same without the objects no statistic is open on (see {@link Engine._path}) */
  live: ObjNode[];
  liveGen: number;
  /** composite of the bound agent when this partition owns it (messages to it stay local) */
  agentComp: Composite | null;
  /** place status owner: 0 not resolved yet, 1 this partition (`placeComp`, null if unknown), 2 another */
  placeMode: number;
  placeComp: Composite | null;
  /**
   * whether the place was last told that an agent is logged in on this DN: a login or logout
   * that leaves the DN status as it is (a call goes on) must still reach the place
   */
  placeLi: boolean;
}

/**
 * A cross-partition message whose owner is this partition, queued until the event is done (the
 * same order and semantics as {@link CrossMessage}s looped back), with direct references instead
 * of keys. One shape for every kind; recycled after each flush.
 */
class _LocalMsg {
  /** 1 agentDn, 2 placeDn, 3 reflect */
  kind = 0;
  c: Composite | null = null;
  dn = "";
  status = 0;
  loggedIn = false;
  t = 0;
  attrs: Attrs | null = null;
  queue: string | null = null;
  action = "";
  connId = "";
  d: number | null = null;
  /** the history floor it was sent under (see Engine._h) */
  h = Number.NEGATIVE_INFINITY;
}
const _M_AGENT = 1;
const _M_PLACE = 2;
const _M_REFLECT = 3;

interface ProfileGroup {
  def: Extract<TimeProfileDef, { type: "Growing" }>;
  next: number;
  /** statistics of this profile (closed ones are compacted lazily) */
  stats: Stat[];
  /**
   * reset-mode subscriptions that asked for this profile (kept per subscription: a current
   * statistic's aggregate is shared by every profile, so its own profile says nothing)
   */
  resetSubs: Set<number>;
}

/**
 * The profile a current-category statistic runs with: current categories ignore the time
 * profile (docs/semantics.md §4), so every profile of one current statistic shares one aggregate.
 */
const _PROFILE_FREE: ProfileRt = { kind: "growing", name: "" };

const _CURRENT = new Set<Category>(CURRENT_CATEGORIES);
const _STATIC_IN_TIME = new Set<Category>([
  "CurrentState",
  "CurrentStateReasons",
  "CurrentNumber",
  "CurrentRelativeNumberPercentage",
  "TotalAdjustedNumber",
  "TotalAdjustedTime",
  "TotalNumberInTimeRange",
  "TotalNumberInTimeRangePercentage",
  "TotalTimeInTimeRange",
  "MaxTime",
  "MinTime",
  "MaxNumber",
  "MinNumber",
  "ServiceFactor1",
  "RelativeNumberPercentage",
]);
const A = {
  LoggedIn: id("LoggedIn"),
  WaitForNextCall: id("WaitForNextCall"),
  NotReadyForNextCall: id("NotReadyForNextCall"),
  AfterCallWork: id("AfterCallWork"),
  OnHook: id("OnHook"),
  OffHook: id("OffHook"),
  CallDialing: id("CallDialing"),
  CallRinging: id("CallRinging"),
  CallOnHold: id("CallOnHold"),
  CallWait: id("CallWait"),
  AgentLogin: id("AgentLogin"),
  AgentReady: id("AgentReady"),
};
const _CALL_TYPE_IDS = new Set(Object.values(CALL_TYPE_ACTIONS).map(id));
const _AGENT_WORK: readonly number[] = [A.WaitForNextCall, A.NotReadyForNextCall, A.AfterCallWork];
/** Action ids by name (constant property reads on the hot path). */
const I = Object.fromEntries(NAMES.map((n, i) => [n, i])) as Record<string, number>;
/** `CallXCompleted` id of a call-type action id. */
const COMPLETED: Int16Array = (() => {
  const a = new Int16Array(NAMES.length).fill(-1);
  for (const n of Object.values(CALL_TYPE_ACTIONS)) a[id(n)] = id(`${n}Completed`);
  return a;
})();
const _LOGGED_OUT = STATUS.LoggedOut;
const DEFAULT_PROFILE: TimeProfileDef = DEFAULT_TIME_PROFILE;

/** Call events (Interaction Proxy): the ones that concern a call leg. */
const _CALL_EVENT_NAMES = [
  "EventDialing",
  "EventNetworkReached",
  "EventDestinationBusy",
  "EventRinging",
  "EventEstablished",
  "EventReleased",
  "EventQueued",
  "EventRouteRequest",
  "EventDiverted",
  "EventRouteUsed",
  "EventAbandoned",
  "EventCleared",
  "EventHeld",
  "EventRetrieved",
  "EventPartyChanged",
  "EventPartyAdded",
  "EventPartyDeleted",
  "EventTreatmentApplied",
  "EventTreatmentEnd",
  "EventTreatmentNotApplied",
  "EventAttachedDataChanged",
] as const;
/** Events the engine understands; anything else is skipped with reason `unknown-event`. */
export const KNOWN_EVENTS: ReadonlySet<string> = new Set([
  "EventRegistered",
  "EventAddressInfo",
  "EventAgentLogin",
  "EventAgentLogout",
  "EventAgentReady",
  "EventAgentNotReady",
  "EventAgentAfterCallWork",
  "EventQueueLogout",
  "EventOffHook",
  "EventOnHook",
  ..._CALL_EVENT_NAMES,
  "EventUserEvent",
  "EventLinkDisconnected",
  "EventLinkConnected",
  "EventServerDisconnected",
  "EventDNOutOfService",
  "EventDNBackInService",
]);
const _CALL_EVENTS = new Set<string>(_CALL_EVENT_NAMES);
const _NODE_EVENTS = new Set(["EventLinkDisconnected", "EventLinkConnected", "EventServerDisconnected"]);
/**
 * Resets of one profile walked one by one when the clock moves (a night of 15-minute resets is
 * 40); a longer jump (a corrupt time stamp in a replay) skips to the last reset before now.
 */
const _MAX_RESET_WALK = 1000;
/** The latest event time accepted, epoch seconds (9999-12-31T23:59:59Z). */
const _MAX_TIME_SEC = 253_402_300_799;
/** Event name → small code (one hash lookup per event), and per-code flags. */
const _EVENT_CODE = new Map<string, number>([...KNOWN_EVENTS].map((e, i) => [e, i]));
const _IS_CALL_EVENT = Uint8Array.from([...KNOWN_EVENTS], (e) => (_CALL_EVENTS.has(e) ? 1 : 0));
const _IS_NODE_EVENT = Uint8Array.from([...KNOWN_EVENTS], (e) => (_NODE_EVENTS.has(e) ? 1 : 0));
/** Call-type action id by call type, and `CallXStarted` id by call-type action id. */
const _CALL_TYPE_ID: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(CALL_TYPE_ACTIONS).map(([k, v]) => [k, id(v)]),
);
const _STARTED: Int16Array = (() => {
  const a = new Int16Array(NAMES.length).fill(-1);
  for (const n of Object.values(CALL_TYPE_ACTIONS)) a[id(n)] = id(`${n}Started`);
  return a;
})();

/**
 * Interned ownership keys (`dn:ID`, `agent:ID`, `place:ID`): built once per id, not per event.
 * Looked up by the bare id (whose hash the runtime caches on the string), so a hit concatenates
 * nothing.
 */
const _keys = {
  "dn:": new Map<string, string>(),
  "agent:": new Map<string, string>(),
  "place:": new Map<string, string>(),
};
function _key(prefix: "dn:" | "agent:" | "place:", id: string): string {
  const m = _keys[prefix];
  let k = m.get(id);
  if (k === undefined) {
    k = prefix + id;
    if (m.size < 5_000_000) m.set(id, k);
  }
  return k;
}
/** Filter input of an action without attributes (read-only). */
const _NO_ATTRS: Attrs = Object.freeze({}) as Attrs;
/**
 * Whether a statistic is counted over its composite's logged-in span instead of its status
 * episodes: an agent or place status statistic whose main mask is exactly the logged-in statuses
 * (`*, ~LoggedOut, ~NotMonitored`), whose value does not see how its running time is split into
 * episodes (TotalTime, CurrentNumber, ElapsedTimePercentage: no episode count), with no relative
 * mask, no filter and no extension state. A change between two logged-in statuses then leaves
 * it alone instead of ending and restarting its episode (docs/semantics.md §4).
 */
function _spanOk(
  cat: Category,
  kind: number,
  mM: Uint8Array,
  rel: boolean,
  filtered: boolean,
  ext: boolean,
): boolean {
  if (kind !== SRC.AgentStatus && kind !== SRC.PlaceStatus) return false;
  if (cat !== "TotalTime" && cat !== "CurrentNumber" && cat !== "ElapsedTimePercentage") return false;
  if (rel || filtered || ext) return false;
  for (let s = 0; s < LOGGED_IN.length; s++) if (mM[ACTION_OF_STATUS[s]] !== LOGGED_IN[s]) return false;
  // nothing but statuses (LoggedOut, which is no action, is already known to be out)
  for (let a = 0; a < mM.length; a++) if (mM[a] === 1 && STATUS_OF_ACTION[a] < 0) return false;
  return true;
}

/** Shared empty entry list of ended episodes (never pushed to: an ended episode gets no entries). */
const _NO_ENTRIES = Object.freeze([]) as unknown as (Entry | Stat)[];

const _CALL_TYPES = new Set(["Inbound", "Outbound", "Internal", "Consult", "Unknown"]);

/** The first attribute with a wrong type, or null. Key-value lists must be flat objects. */
function _badAttribute(ev: TEvent): string | null {
  // string attributes, read directly (a keyed loop would make each read a megamorphic lookup)
  if (ev.connId !== undefined && typeof ev.connId !== "string") return "connId";
  if (ev.previousConnId !== undefined && typeof ev.previousConnId !== "string") return "previousConnId";
  if (ev.otherDN !== undefined && typeof ev.otherDN !== "string") return "otherDN";
  if (ev.thisQueue !== undefined && typeof ev.thisQueue !== "string") return "thisQueue";
  if (ev.agentId !== undefined && typeof ev.agentId !== "string") return "agentId";
  if (ev.workMode !== undefined && typeof ev.workMode !== "string") return "workMode";
  if (ev.ani !== undefined && typeof ev.ani !== "string") return "ani";
  if (ev.dnis !== undefined && typeof ev.dnis !== "string") return "dnis";
  if (ev.node !== undefined && typeof ev.node !== "string") return "node";
  if (ev.callType !== undefined && !_CALL_TYPES.has(ev.callType)) return "callType";
  for (const k of ["userData", "reasons"] as const) {
    const v = ev[k];
    if (v === undefined) continue;
    if (v === null || typeof v !== "object" || Array.isArray(v)) return k;
    for (const x of Object.values(v)) if (typeof x !== "string" && typeof x !== "number") return k;
  }
  return null;
}

function _err(code: string, message: string): EngineError {
  return { error: { code, message } };
}

function _attrsOf(ev: TEvent): Attrs {
  const a: Attrs = {};
  if (ev.callType !== undefined) a.callType = ev.callType;
  if (ev.thisDN !== undefined) a.thisDN = ev.thisDN;
  if (ev.otherDN !== undefined) a.otherDN = ev.otherDN;
  if (ev.thisQueue !== undefined) a.thisQueue = ev.thisQueue;
  if (ev.agentId !== undefined) a.agentId = ev.agentId;
  if (ev.ani !== undefined) a.ani = ev.ani;
  if (ev.dnis !== undefined) a.dnis = ev.dnis;
  if (ev.workMode !== undefined) a.workMode = ev.workMode;
  if (ev.userData !== undefined) a.userData = { ...ev.userData };
  if (ev.reasons !== undefined) a.reasons = { ...ev.reasons };
  return a;
}

/** The engine (one partition). */
export class Engine implements Partition {
  readonly config: EngineConfig;
  readonly clock: Clock;
  readonly dir: Directory;
  private readonly _owns: (key: string) => boolean;
  private readonly _ownAll: boolean;
  private readonly _startMs: number;
  private readonly _stuckMs: number;
  private readonly _dns = new Map<string, DnState>();
  private readonly _agents = new Map<string, Composite>();
  private readonly _places = new Map<string, Composite>();
  /** DNs bound to an agent (local) */
  private readonly _agentDns = new Map<string, Set<DnState>>();
  /** agents serving each queue DN (whose pseudo-actions a queue statistic opened later attaches) */
  private readonly _servers = new Map<string, Set<Composite>>();
  private _open = 0;
  private _nUpdates = 0;
  private _nActions = 0;
  /**
   * open statistics per dispatch key (subject kind × 1024 + action) whose masks hold the action:
   * an episode or instant no open statistic counts is not dispatched at all
   */
  private readonly _keyN = new Int32Array(5 * 1024);
  /** bumped when an object gets its first statistic or loses its last (live paths are rebuilt) */
  private _gen = 0;
  private readonly _scratch: StatPartial = emptyPartial("TotalNumber", 0);
  private readonly _subs = new SubTable<Stat>();
  private readonly _filters = new Map<string, CompiledFilter>();
  private readonly _specs = new Map<
    string,
    { spec: StatSpec; dk: number; side: "agent" | "queue" | "any" | null }
  >();
  private readonly _indexes = new Map<string, Map<number, Int32Array>>();
  private readonly _profiles = new Map<string, ProfileGroup>();
  /** the earliest Growing reset not applied yet (∞: none); events reaching it apply it first */
  private _nextReset = Number.POSITIVE_INFINITY;
  /** reset-mode subscriptions → the profile whose resets they are notified of */
  private readonly _resetGroup = new Map<number, ProfileGroup>();
  private readonly _sampled = new Set<Stat>();
  private readonly _timeChanges = new Set<number>();
  private readonly _notMonitored = new Set<DnState>();
  private _invCache: Map<ObjNode, number> | null = null;
  private _dirty: Stat[] = [];
  private _outbox: CrossMessage[] = [];
  private _local: (CrossMessage | _LocalMsg)[] = [];
  private readonly _pool: _LocalMsg[] = [];
  private _nPool = 0;
  private _notes: Notification[] = [];
  /** when each node's link was lost (until it is valid again) */
  private readonly _downAt = new Map<string, number>();
  /** per node, the instant of its last stream reset: its snapshot is credited to history from there */
  private readonly _floor = new Map<string, number>();
  /**
   * the history floor of what is being applied (a snapshot event after a reset of its node, or a
   * message it sent): episodes starting before it enter historical statistics at the floor,
   * instants before it are not counted; -∞ otherwise
   */
  private _h = Number.NEGATIVE_INFINITY;
  private _delivering = false;
  /** second result of {@link _dnStatus} */
  private _statusAttrs: Attrs | null = null;
  private readonly _counters: Record<string, number> = {
    eventsIn: 0,
    eventsApplied: 0,
    eventsSkipped: 0,
    actions: 0,
    messagesOut: 0,
    messagesIn: 0,
    reflectUnmatched: 0,
    notifications: 0,
    stuckCallsSwept: 0,
    /** statistic updates (an episode entering/leaving a statistic, an instant counted) */
    statUpdates: 0,
  };
  private readonly _skipReasons: Record<string, number> = {};

  constructor(opts: EngineOptions) {
    this.config = opts.config;
    this._startMs = opts.startMs ?? opts.clock?.now() ?? 0;
    this.clock = opts.clock ?? new ReplayClock(this._startMs);
    this._owns = opts.owns ?? (() => true);
    this._ownAll = opts.owns === undefined;
    this._stuckMs = (opts.stuckCallMaxAgeSec ?? 4 * 3600) * 1000;
    this.dir = new Directory(opts.config.directory);
    // owned state exists from the start: DNs are Monitored, agents and places LoggedOut
    for (const d of this.dir.dns.keys()) if (this.owns(`dn:${d}`)) this._dn(d);
    for (const a of this.dir.agents.keys())
      if (this.owns(`agent:${a}`)) this._composite(this._agents, a, this.dir.agentPath(a), SRC.AgentStatus);
    for (const o of this.dir.objs.values())
      if (o.type === "Place" && this.owns(`place:${o.id}`))
        this._composite(this._places, o.id, this.dir.placePath(o.id), SRC.PlaceStatus);
  }

  // ------------------------------------------------------------------------------------------
  // ownership and state lookup

  /** Whether this partition owns `key` (`dn:ID`, `agent:ID`, `place:ID`). */
  owns(key: string): boolean {
    return this._ownAll || this._owns(key);
  }

  private _dn(dnId: string): DnState | undefined {
    let s = this._dns.get(dnId);
    if (s) return s;
    const def = this.dir.dns.get(dnId);
    if (!def) return undefined;
    s = {
      def,
      mediation: this.dir.isMediation(def),
      agent: null,
      loginQueue: null,
      lastQueue: null,
      nodes: new Set(),
      stateNode: null,
      downBy: new Set(),
      nonIxn: new SmallMap(),
      legs: new SmallMap(),
      pending: new Map(),
      stale: new Map(),
      status: STATUS.Monitored,
      statusEp: null,
      path: [],
      live: [],
      liveGen: -1,
      agentComp: null,
      placeMode: 0,
      placeComp: null,
      placeLi: false,
    };
    s.path = this.dir.dnPath(def, null);
    this._dns.set(dnId, s);
    // the initial status episode (Monitored) starts when the engine starts
    s.statusEp = this._startEp(ACTION_OF_STATUS[s.status], this._startMs, null, s.path, SRC.DNStatus);
    return s;
  }

  private _composite(map: Map<string, Composite>, cid: string, path: ObjNode[], kind: number): Composite {
    let c = map.get(cid);
    if (c) return c;
    c = new Composite(cid, path, _LOGGED_OUT, this._startMs);
    c.ep = this._startEp(ACTION_OF_STATUS[_LOGGED_OUT], this._startMs, null, path, kind);
    map.set(cid, c);
    return c;
  }

  // ------------------------------------------------------------------------------------------
  // episode dispatch

  /** The dispatch index of an object; objects with the same statistic set share one. */
  private _index(obj: ObjNode): Map<number, Int32Array> {
    if (obj.idx !== null) return obj.idx;
    let sig = "";
    for (const st of obj.stats) sig += `${st.dk},`;
    let idx = this._indexes.get(sig);
    if (!idx) {
      const lists = new Map<number, number[]>();
      obj.stats.forEach((st, i) => {
        const sp = st.spec;
        for (let a = 0; a < NAMES.length; a++) {
          if (!sp.mM[a] && !sp.mR?.[a]) continue;
          const k = sp.kind * 1024 + a;
          const l = lists.get(k);
          if (l) l.push(i);
          else lists.set(k, [i]);
        }
      });
      idx = new Map([...lists].map(([k, v]) => [k, Int32Array.from(v)]));
      if (this._indexes.size > 10_000) this._indexes.clear();
      this._indexes.set(sig, idx);
    }
    obj.idx = idx;
    return idx;
  }

  /**
   * The propagation path of a DN or composite without the objects no statistic is open on (a
   * DN's RegDN and Place nodes usually): dispatch does not touch them. Rebuilt after opens/closes
   * that change which objects have statistics.
   */
  private _path(h: { path: ObjNode[]; live: ObjNode[]; liveGen: number }): ObjNode[] {
    if (h.liveGen !== this._gen) {
      const live: ObjNode[] = [];
      for (const o of h.path) if (o.stats.length > 0) live.push(o);
      h.live = live;
      h.liveGen = this._gen;
    }
    return h.live;
  }

  private _startEp(a: number, t: number, attrs: Attrs | null, path: ObjNode[], kind: number): Episode {
    const ep: Episode = { a, s: t, attrs, entries: _NO_ENTRIES };
    // no open statistic counts this action: nothing to enter (a later open attaches the episode)
    const key = kind * 1024 + a;
    if (this._keyN[key] === 0) return ep;
    // a snapshot after a reset: historical statistics count the episode from the floor on
    const h = Math.max(this._h, t);
    const input = attrs ?? _NO_ATTRS;
    // statistics sharing a filter share its function: evaluate it once per episode
    let lastF: ((i: object) => boolean) | null = null;
    let lastR = false;
    let es: (Entry | Stat)[] | null = null;
    for (let i = 0; i < path.length; i++) {
      const obj = path[i];
      if (obj.stats.length === 0) continue;
      const pos = this._index(obj).get(key);
      if (pos === undefined) continue;
      const stats = obj.stats;
      // the index lists open statistics of this subject kind whose masks hold `a` (what
      // _enterIf checks one by one)
      for (let j = 0; j < pos.length; j++) {
        const st = stats[pos[j]];
        const sp = st.spec;
        const m = sp.mM[a] | (sp.mR?.[a] ? 2 : 0);
        const floored = h !== t && sp.hist;
        if (!floored && st.bareOk(m)) {
          if (es === null) es = [st];
          else es.push(st);
          st.enterBare(t);
          this._touch(st);
          continue;
        }
        const e: Entry = { st, s: floored ? h : t, m, on: false };
        if (es === null) es = [e];
        else es.push(e);
        const f = sp.filter;
        if (f !== null && f !== lastF) {
          lastF = f;
          lastR = f(input);
        }
        if (f === null || lastR) st.enter(e);
        this._touch(st);
      }
    }
    if (es !== null) {
      ep.entries = es;
      this._nUpdates += es.length;
    }
    return ep;
  }

  /** Enter a running episode into a statistic (an object joined its path, or a late open). */
  private _enterIf(st: Stat, ep: Episode, kind: number, s: number): void {
    const sp = st.spec;
    if (sp.kind !== kind || st.closed) return;
    const m = sp.mM[ep.a] | (sp.mR?.[ep.a] ? 2 : 0);
    if (m === 0) return;
    if (sp.hist && this._h > s) s = this._h;
    if (s === ep.s && st.bareOk(m)) {
      if (ep.entries === _NO_ENTRIES) ep.entries = [st];
      else ep.entries.push(st);
      this._nUpdates++;
      st.enterBare(s);
      this._touch(st);
      return;
    }
    const e: Entry = { st, s, m, on: false };
    if (ep.entries === _NO_ENTRIES) ep.entries = [e];
    else ep.entries.push(e);
    this._nUpdates++;
    if (sp.filter === null || sp.filter(ep.attrs ?? _NO_ATTRS)) st.enter(e);
    this._touch(st);
  }

  private _endEp(ep: Episode, t: number): void {
    const es = ep.entries;
    const n = es.length;
    if (n === 0) return;
    this._nUpdates += n;
    const s = ep.s;
    for (let i = 0; i < n; i++) {
      const e = es[i];
      if (e instanceof Stat) {
        e.leaveBare(s, t);
        this._touch(e);
      } else if (e.on) {
        e.st.leave(e, t);
        this._touch(e.st);
      }
    }
    ep.entries = _NO_ENTRIES;
  }

  /** Re-evaluate filters of a running episode whose attributes changed at `t`. */
  private _reattr(ep: Episode, attrs: Attrs, t: number): void {
    ep.attrs = attrs;
    for (const e of ep.entries) {
      // bare entries have no filter
      if (e instanceof Stat) continue;
      const f = e.st.spec.filter;
      if (f === null || e.st.closed) continue;
      const now = f(attrs);
      if (now && !e.on) {
        e.s = t;
        e.st.enter(e);
        this._touch(e.st);
      } else if (!now && e.on) {
        e.st.leave(e, t);
        this._touch(e.st);
      }
    }
  }

  private _instant(a: number, t: number, d: number, attrs: Attrs | null, path: ObjNode[]): void {
    this._nActions++;
    // described by a snapshot as before the node's reset: not seen live, not counted
    if (t < this._h) return;
    // key SRC.DNAction * 1024 + a
    if (this._keyN[a] === 0) return;
    const input = attrs ?? _NO_ATTRS;
    let lastF: ((i: object) => boolean) | null = null;
    let lastR = false;
    for (let i = 0; i < path.length; i++) {
      const obj = path[i];
      if (obj.stats.length === 0) continue;
      // key SRC.DNAction * 1024 + a: open DNAction statistics whose masks hold `a`
      const pos = this._index(obj).get(a);
      if (pos === undefined) continue;
      const stats = obj.stats;
      for (let j = 0; j < pos.length; j++) {
        const st = stats[pos[j]];
        const sp = st.spec;
        const m = sp.mM[a] | (sp.mR?.[a] ? 2 : 0);
        const f = sp.filter;
        if (f !== null && f !== lastF) {
          lastF = f;
          lastR = f(input);
        }
        if (f !== null && !lastR) continue;
        st.instant(m, t, d);
        this._nUpdates++;
        this._touch(st);
      }
    }
  }

  /** A statistic changed: queue it for the changes-mode pass. */
  private _touch(st: Stat): void {
    if (st.watched && !st.dirty) {
      st.dirty = true;
      this._dirty.push(st);
    }
  }

  /** A statistic's validity may have changed: every subscription is re-checked. */
  private _touchValidity(st: Stat): void {
    if (st.sub !== 0 && !st.dirty) {
      st.dirty = true;
      this._dirty.push(st);
    }
  }

  // ------------------------------------------------------------------------------------------
  // DN-level action helpers

  private _startAct(dn: DnState, a: number, t: number, attrs: Attrs | null, leg: Leg | null): Episode {
    this._nActions++;
    const ep = this._startEp(a, t, attrs, this._path(dn), SRC.DNAction);
    if (leg) leg.acts.set(a, ep);
    else dn.nonIxn.set(a, ep);
    return ep;
  }

  /** End a running action; returns its duration in ms, or -1 when it was not running. */
  private _endAct(dn: DnState, a: number, t: number, leg: Leg | null): number {
    const ep = leg ? leg.acts.get(a) : dn.nonIxn.get(a);
    if (!ep) return -1;
    if (leg) leg.acts.delete(a);
    else dn.nonIxn.delete(a);
    this._endEp(ep, t);
    return Math.max(0, t - ep.s);
  }

  private _leg(dn: DnState, ev: TEvent, t: number, create: boolean): Leg | undefined {
    const cid = ev.connId as string;
    let leg = dn.legs.get(cid);
    if (!leg && ev.previousConnId) {
      leg = dn.legs.get(ev.previousConnId);
      if (leg) this._rekey(dn, leg, cid);
    }
    if (!leg && create) {
      leg = {
        connId: cid,
        attrs: _attrsOf(ev),
        acts: new SmallMap(),
        node: ev.node ?? null,
        last: t,
        reflected: false,
      };
      dn.legs.set(cid, leg);
    }
    if (leg) leg.last = t;
    return leg;
  }

  private _rekey(dn: DnState, leg: Leg, cid: string): void {
    dn.legs.delete(leg.connId);
    const p = dn.pending.get(leg.connId);
    if (p) {
      dn.pending.delete(leg.connId);
      dn.pending.set(cid, p);
    }
    leg.connId = cid;
    dn.legs.set(cid, leg);
  }

  /** End every action of a leg as a release at `t`, emitting the retrospectives. */
  private _releaseLeg(dn: DnState, leg: Leg, t: number, stuck: boolean): void {
    const attrs = leg.attrs;
    const ring = this._endAct(dn, A.CallRinging, t, leg);
    if (ring >= 0) {
      this._instant(I.CallAbandonedFromRinging, t, ring, attrs, this._path(dn));
      const q = attrs.thisQueue;
      if (q)
        this._sendReflect(
          q,
          stuck ? "StuckCallCleanedWhileRinging" : "CallAbandonedFromRinging",
          leg.connId,
          t,
          null,
        );
    }
    const dial = this._endAct(dn, A.CallDialing, t, leg);
    if (dial >= 0) this._instant(I.CallAbandonedFromDialing, t, dial, attrs, this._path(dn));
    const hold = this._endAct(dn, A.CallOnHold, t, leg);
    if (hold >= 0) this._instant(I.CallAbandonedFromHold, t, hold, attrs, this._path(dn));
    for (const a of leg.acts.keys()) {
      const d = this._endAct(dn, a, t, leg);
      if (_CALL_TYPE_IDS.has(a)) this._instant(COMPLETED[a], t, d, attrs, this._path(dn));
    }
    if (leg.attrs.thisQueue) dn.lastQueue = leg.attrs.thisQueue;
    dn.legs.delete(leg.connId);
  }

  // ------------------------------------------------------------------------------------------
  // ingest

  /**
   * Apply one event. Unknown events, missing attributes, unknown DNs and DNs owned by another
   * partition are counted and skipped with a reason.
   *
   * @example
   * ```ts
   * eng.ingest({ event: "EventAgentReady", time: 1.7e9, thisDN: "1001", agentId: "a1" }); // { ok: true }
   * ```
   */
  ingest(ev: TEvent): IngestResult {
    this._counters.eventsIn++;
    const r = this._ingest(ev);
    this._flushLocal();
    this._h = Number.NEGATIVE_INFINITY;
    if (r === null) {
      this._counters.eventsApplied++;
      return { ok: true };
    }
    this._counters.eventsSkipped++;
    this._skipReasons[r] = (this._skipReasons[r] ?? 0) + 1;
    return { ok: false, reason: r };
  }

  private _ingest(ev: TEvent): string | null {
    if (ev === null || typeof ev !== "object" || typeof ev.event !== "string") return "malformed";
    const code = _EVENT_CODE.get(ev.event);
    if (code === undefined) return "unknown-event";
    if (typeof ev.time !== "number" || !Number.isFinite(ev.time)) return "missing-attribute:time";
    if (ev.time < 0 || ev.time > _MAX_TIME_SEC) return "bad-attribute:time";
    const src = Math.round(ev.time * 1000);
    const now = this._advance(src);
    // a time stamp ahead of the clock (a live clock behind the switch's) is taken as now, so no
    // episode starts after the clock that evaluates it (replay: the clock is the latest stamp)
    const t = Math.min(src, now);
    if (ev.snapshot === true && this._floor.size > 0 && typeof ev.node === "string") {
      const f = this._floor.get(ev.node);
      if (f !== undefined && f > t) this._h = f;
    }
    if (_IS_NODE_EVENT[code] === 1 && ev.thisDN === undefined) {
      if (typeof ev.node !== "string") return "missing-attribute:node";
      this.setSourceValid(ev.node, ev.event === "EventLinkConnected", t);
      return null;
    }
    if (typeof ev.thisDN !== "string") return "missing-attribute:thisDN";
    const bad = _badAttribute(ev);
    if (bad !== null) return `bad-attribute:${bad}`;
    if (_IS_CALL_EVENT[code] === 1 && typeof ev.connId !== "string") return "missing-attribute:connId";
    // state exists for every owned DN that was seen (all owned DNs from the constructor on)
    let dn = this._dns.get(ev.thisDN);
    if (dn === undefined) {
      if (!this.dir.dns.has(ev.thisDN)) return "unknown-dn";
      if (!this._ownAll && !this._owns(`dn:${ev.thisDN}`)) return "not-owned";
      dn = this._dn(ev.thisDN)!;
    }
    if (ev.node) dn.nodes.add(ev.node);
    const r = dn.mediation ? this._mediationEvent(dn, ev, t) : this._regularEvent(dn, ev, t);
    if (r === null) this._refreshDnStatus(dn, t);
    return r;
  }

  private _regularEvent(dn: DnState, ev: TEvent, t: number): string | null {
    const attrs = (): Attrs => _attrsOf(ev);
    switch (ev.event) {
      case "EventRegistered":
      case "EventAddressInfo":
      case "EventDNBackInService":
      case "EventLinkConnected":
        if (ev.event === "EventLinkConnected" || ev.event === "EventDNBackInService") this._dnUp(dn, "");
        return null;
      case "EventDNOutOfService":
      case "EventLinkDisconnected":
      case "EventServerDisconnected":
        this._dnDown(dn, "");
        return null;
      case "EventAgentLogin":
        return this._login(dn, ev, t) ? null : "unknown-agent";
      case "EventAgentLogout": {
        if (!dn.agent && !dn.nonIxn.has(A.LoggedIn)) return null;
        this._endAgentWork(dn, t, null);
        this._endAct(dn, A.LoggedIn, t, null);
        this._bind(dn, null, t);
        return null;
      }
      case "EventAgentReady": {
        if (!dn.agent && ev.agentId && !this._login(dn, ev, t)) return "unknown-agent";
        this._endAgentWork(dn, t, A.WaitForNextCall);
        const ep = dn.nonIxn.get(A.WaitForNextCall);
        if (ep) this._reattr(ep, attrs(), t);
        else this._startAct(dn, A.WaitForNextCall, t, attrs(), null);
        return null;
      }
      case "EventAgentNotReady":
      case "EventAgentAfterCallWork": {
        if (!dn.agent && ev.agentId && !this._login(dn, ev, t)) return "unknown-agent";
        const acw = ev.event === "EventAgentAfterCallWork" || ev.workMode === "AfterCallWork";
        const a = acw ? A.AfterCallWork : A.NotReadyForNextCall;
        this._endAgentWork(dn, t, a);
        const ep = dn.nonIxn.get(a);
        if (ep) this._reattr(ep, attrs(), t);
        else this._startAct(dn, a, t, attrs(), null);
        return null;
      }
      case "EventQueueLogout":
        return null;
      case "EventOffHook":
        this._endAct(dn, A.OnHook, t, null);
        if (!dn.nonIxn.has(A.OffHook)) this._startAct(dn, A.OffHook, t, attrs(), null);
        return null;
      case "EventOnHook":
        this._endAct(dn, A.OffHook, t, null);
        if (!dn.nonIxn.has(A.OnHook)) this._startAct(dn, A.OnHook, t, attrs(), null);
        return null;
      case "EventUserEvent":
        this._instant(I.UserEvent, t, 0, attrs(), this._path(dn));
        return null;
      case "EventDialing": {
        const leg = this._leg(dn, ev, t, true)!;
        if (!leg.acts.has(A.CallDialing)) {
          this._startAct(dn, A.CallDialing, t, leg.attrs, leg);
          this._instant(I.CallDialingStarted, t, 0, leg.attrs, this._path(dn));
        }
        return null;
      }
      case "EventNetworkReached":
        this._leg(dn, ev, t, false);
        return null;
      case "EventDestinationBusy": {
        const leg = this._leg(dn, ev, t, false);
        if (!leg) return null;
        const d = this._endAct(dn, A.CallDialing, t, leg);
        if (d >= 0) this._instant(I.CallAbandonedFromDialing, t, d, leg.attrs, this._path(dn));
        if (leg.acts.size === 0) dn.legs.delete(leg.connId);
        return null;
      }
      case "EventRinging": {
        const leg = this._leg(dn, ev, t, true)!;
        if (!leg.acts.has(A.CallRinging)) {
          this._startAct(dn, A.CallRinging, t, leg.attrs, leg);
          this._instant(I.CallRingingStarted, t, 0, leg.attrs, this._path(dn));
        }
        return null;
      }
      case "EventEstablished": {
        const leg = this._leg(dn, ev, t, true)!;
        if (ev.callType && !leg.attrs.callType) leg.attrs.callType = ev.callType;
        if (ev.thisQueue && !leg.attrs.thisQueue) leg.attrs.thisQueue = ev.thisQueue;
        const ring = this._endAct(dn, A.CallRinging, t, leg);
        if (ring >= 0) {
          this._instant(I.CallAnswered, t, ring, leg.attrs, this._path(dn));
          const q = leg.attrs.thisQueue;
          if (q) this._sendReflect(q, "CallAnswered", leg.connId, t, null);
        }
        const dial = this._endAct(dn, A.CallDialing, t, leg);
        if (dial >= 0) this._instant(I.CallDialed, t, dial, leg.attrs, this._path(dn));
        const ta = _CALL_TYPE_ID[leg.attrs.callType ?? "Unknown"] ?? I.CallUnknown;
        let running = false;
        for (const a of leg.acts.keys()) if (_CALL_TYPE_IDS.has(a)) running = true;
        if (!running) {
          this._startAct(dn, ta, t, leg.attrs, leg);
          this._instant(_STARTED[ta], t, 0, leg.attrs, this._path(dn));
        }
        return null;
      }
      case "EventReleased":
      case "EventAbandoned":
      case "EventCleared": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) {
          if (
            ev.event === "EventReleased" &&
            (ev.callState === "Transferred" || ev.thirdPartyDN !== undefined)
          ) {
            this._instant(I.CallTransferMade, t, 0, leg.attrs, this._path(dn));
          }
          this._releaseLeg(dn, leg, t, false);
        }
        return null;
      }
      case "EventHeld": {
        let leg = this._leg(dn, ev, t, false);
        if (!leg && ev.snapshot) {
          // a snapshot may start with a held call: the call is established and on hold
          leg = this._leg(dn, ev, t, true)!;
          const typeName = CALL_TYPE_ACTIONS[leg.attrs.callType ?? "Unknown"] ?? "CallUnknown";
          this._startAct(dn, id(typeName), t, leg.attrs, leg);
        }
        if (leg && !leg.acts.has(A.CallOnHold)) {
          this._startAct(dn, A.CallOnHold, t, leg.attrs, leg);
          this._instant(I.CallHeld, t, 0, leg.attrs, this._path(dn));
        }
        return null;
      }
      case "EventRetrieved": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) {
          const d = this._endAct(dn, A.CallOnHold, t, leg);
          if (d >= 0) this._instant(I.CallRetrievedFromHold, t, d, leg.attrs, this._path(dn));
        }
        return null;
      }
      case "EventPartyChanged": {
        const rekeyed =
          ev.previousConnId !== undefined && dn.legs.has(ev.previousConnId) && !dn.legs.has(ev.connId!);
        const leg = this._leg(dn, ev, t, false);
        if (leg) {
          this._mergeUserData(leg, ev, t);
          // the party that receives a completed transfer takes the call over (ConnID replaced)
          this._instant(
            rekeyed ? I.CallTransferTaken : I.CallTransferPartyChanged,
            t,
            0,
            leg.attrs,
            this._path(dn),
          );
        }
        return null;
      }
      case "EventPartyAdded": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) this._instant(I.CallConferencePartyAdded, t, 0, leg.attrs, this._path(dn));
        return null;
      }
      case "EventPartyDeleted": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) this._instant(I.CallConferencePartyDeleted, t, 0, leg.attrs, this._path(dn));
        return null;
      }
      case "EventAttachedDataChanged": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) this._mergeUserData(leg, ev, t);
        return null;
      }
      case "EventRouteRequest":
      case "EventQueued":
      case "EventDiverted":
      case "EventRouteUsed":
      case "EventTreatmentApplied":
      case "EventTreatmentEnd":
      case "EventTreatmentNotApplied":
        return "not-a-mediation-dn";
    }
    return "unknown-event";
  }

  private _mergeUserData(leg: Leg, ev: TEvent, t: number): void {
    if (!ev.userData) return;
    leg.attrs = { ...leg.attrs, userData: { ...(leg.attrs.userData ?? {}), ...ev.userData } };
    for (const ep of leg.acts.values()) this._reattr(ep, leg.attrs, t);
  }

  /** End WaitForNextCall / NotReady / ACW except `keep`; ACW end emits ACWCompleted. */
  private _endAgentWork(dn: DnState, t: number, keep: number | null): void {
    for (const a of _AGENT_WORK) {
      if (a === keep) continue;
      const ep = dn.nonIxn.get(a);
      const d = this._endAct(dn, a, t, null);
      if (a === A.AfterCallWork && d >= 0) {
        this._instant(I.ACWCompleted, t, d, ep?.attrs ?? null, this._path(dn));
        const q = ep?.attrs?.thisQueue ?? dn.lastQueue;
        if (q) this._sendReflect(q, "ACWCompleted", "", t, d);
      }
    }
  }

  private _login(dn: DnState, ev: TEvent, t: number): boolean {
    const ag = ev.agentId ? this.dir.agentByLogin.get(ev.agentId) : undefined;
    if (!ag) return false;
    if (dn.agent && dn.agent.id !== ag.id) {
      this._endAgentWork(dn, t, null);
      this._endAct(dn, A.LoggedIn, t, null);
    }
    dn.loginQueue = ev.thisQueue === undefined ? null : this.dir.canonDn(ev.thisQueue);
    dn.stateNode = ev.node ?? dn.stateNode;
    const rebound = dn.agent?.id !== ag.id;
    if (rebound) this._bind(dn, ag, t);
    if (!dn.nonIxn.has(A.LoggedIn)) this._startAct(dn, A.LoggedIn, t, _attrsOf(ev), null);
    // A call may already run on the DN (its snapshot or live events arrived before the login,
    // e.g. from another node's stream): the newly bound agent must learn the DN's status even
    // though LoggedIn does not change it.
    if (rebound) this._refreshDnStatus(dn, t, true);
    return true;
  }

  /** Change the agent bound to a DN; running episodes move to the new propagation path. */
  private _bind(dn: DnState, ag: AgentDef | null, t: number): void {
    const old = dn.agent;
    if (old) {
      this._agentDns.get(old.id)?.delete(dn);
      this._sendAgentDn(dn, -1, t, null, null);
    }
    dn.agent = ag;
    dn.agentComp = null;
    if (ag && this.owns(_key("agent:", ag.id)))
      dn.agentComp =
        this._agents.get(ag.id) ??
        this._composite(this._agents, ag.id, this.dir.agentPath(ag.id), SRC.AgentStatus);
    if (ag) {
      let set = this._agentDns.get(ag.id);
      if (!set) {
        set = new Set();
        this._agentDns.set(ag.id, set);
      }
      set.add(dn);
    }
    const oldPath = dn.path;
    dn.path = this.dir.dnPath(dn.def, ag?.id ?? null);
    dn.liveGen = -1;
    // re-attach running episodes: leave stats no longer on the path, enter new ones
    const keep = new Set(dn.path);
    const added = dn.path.filter((o) => !oldPath.includes(o));
    const eps: [Episode, number][] = [];
    for (const ep of dn.nonIxn.values()) eps.push([ep, SRC.DNAction]);
    for (const leg of dn.legs.values()) for (const ep of leg.acts.values()) eps.push([ep, SRC.DNAction]);
    if (dn.statusEp) eps.push([dn.statusEp, SRC.DNStatus]);
    for (const [ep, kind] of eps) {
      const stay: (Entry | Stat)[] = [];
      for (const e of ep.entries) {
        if (e instanceof Stat) {
          if (keep.has(e.obj)) stay.push(e);
          else {
            e.leaveBare(ep.s, t);
            this._touch(e);
          }
        } else if (keep.has(e.st.obj)) stay.push(e);
        else if (e.on) {
          e.st.leave(e, t);
          this._touch(e.st);
        }
      }
      ep.entries = stay;
      for (const o of added) for (const st of o.stats) this._enterIf(st, ep, kind, t);
    }
    this._invCache = null;
  }

  private _mediationEvent(dn: DnState, ev: TEvent, t: number): string | null {
    switch (ev.event) {
      case "EventRegistered":
      case "EventAddressInfo":
        return null;
      case "EventLinkConnected":
      case "EventDNBackInService":
        this._dnUp(dn, "");
        return null;
      case "EventDNOutOfService":
      case "EventLinkDisconnected":
      case "EventServerDisconnected":
        this._dnDown(dn, "");
        return null;
      case "EventQueued":
      case "EventRouteRequest": {
        // a call queued again (blind transfer) starts a new wait; a kept entry is the previous
        // visit's, kept aside for an answer of that visit still on its way
        const kept = dn.pending.get(ev.connId!);
        if (kept) dn.stale.set(ev.connId!, kept);
        dn.pending.delete(ev.connId!);
        const leg = this._leg(dn, ev, t, true)!;
        if (!leg.acts.has(A.CallWait)) {
          this._instant(I.CallEntered, t, 0, leg.attrs, this._path(dn));
          this._startAct(dn, A.CallWait, t, leg.attrs, leg);
        }
        return null;
      }
      case "EventDiverted":
      case "EventRouteUsed":
      case "EventAbandoned":
      case "EventReleased":
      case "EventCleared": {
        const leg = this._leg(dn, ev, t, false);
        if (!leg) return null;
        const ep = leg.acts.get(A.CallWait);
        const d = this._endAct(dn, A.CallWait, t, leg);
        if (d >= 0 && ep) {
          const distributed = ev.event === "EventDiverted" || ev.event === "EventRouteUsed";
          const aid =
            ev.event === "EventAbandoned" ? I.CallAbandoned : distributed ? I.CallDistributed : I.CallCleared;
          this._instant(aid, t, d, leg.attrs, this._path(dn));
          if (distributed && !leg.reflected)
            dn.pending.set(leg.connId, { enter: ep.s, last: t, attrs: leg.attrs, node: leg.node });
        }
        for (const a of leg.acts.keys()) this._endAct(dn, a, t, leg);
        dn.legs.delete(leg.connId);
        return null;
      }
      case "EventPartyChanged": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) this._mergeUserData(leg, ev, t);
        else if (ev.previousConnId && dn.pending.has(ev.previousConnId)) {
          dn.pending.set(ev.connId as string, dn.pending.get(ev.previousConnId)!);
          dn.pending.delete(ev.previousConnId);
        }
        return null;
      }
      case "EventAttachedDataChanged": {
        const leg = this._leg(dn, ev, t, false);
        if (leg) this._mergeUserData(leg, ev, t);
        return null;
      }
      case "EventTreatmentApplied":
      case "EventTreatmentEnd":
      case "EventTreatmentNotApplied": {
        const leg = this._leg(dn, ev, t, false);
        const name =
          ev.event === "EventTreatmentApplied"
            ? "CallTreatmentStarted"
            : ev.event === "EventTreatmentEnd"
              ? "CallTreatmentCompleted"
              : "CallTreatmentNotStarted";
        this._instant(id(name), t, 0, leg?.attrs ?? _attrsOf(ev), this._path(dn));
        return null;
      }
      case "EventUserEvent":
        this._instant(I.UserEvent, t, 0, _attrsOf(ev), this._path(dn));
        return null;
      default:
        return "not-a-regular-dn";
    }
  }

  // ------------------------------------------------------------------------------------------
  // statuses

  /** Status of a DN; the attributes of its defining action are left in `_statusAttrs`. */
  private _dnStatus(dn: DnState): number {
    this._statusAttrs = null;
    if (dn.downBy.size > 0) return STATUS.NotMonitored;
    let best: number = STATUS.Monitored;
    let attrs: Attrs | null = null;
    if (dn.mediation) return best;
    const nx = dn.nonIxn;
    for (let i = 0; i < nx.size; i++) {
      const ep = nx.valAt(i);
      const p = STATUS_OF_ACTION[ep.a];
      if (p > best) {
        best = p;
        attrs = ep.attrs;
      }
    }
    const legs = dn.legs;
    for (let j = 0; j < legs.size; j++) {
      const acts = legs.valAt(j).acts;
      const held = acts.has(A.CallOnHold);
      for (let i = 0; i < acts.size; i++) {
        const ep = acts.valAt(i);
        if (held && _CALL_TYPE_IDS.has(ep.a)) continue;
        const p = STATUS_OF_ACTION[ep.a];
        if (p > best) {
          best = p;
          attrs = ep.attrs;
        }
      }
    }
    this._statusAttrs = attrs;
    return best;
  }

  private _refreshDnStatus(dn: DnState, t: number, force = false): void {
    const st = this._dnStatus(dn);
    const attrs = this._statusAttrs;
    if (st === dn.status && !force) {
      // (the place also needs to hear of a login state change that leaves the status alone)
      if (!dn.statusEp || dn.statusEp.attrs === attrs) {
        if (dn.placeLi === (dn.agent !== null) || !dn.def.place) return;
        this._sendPlaceDn(dn, st, t, attrs);
        return;
      }
      // same status, new defining data (reason change, attached data): filters re-evaluate
      this._reattr(dn.statusEp, attrs ?? {}, t);
    }
    if (st !== dn.status) {
      if (dn.statusEp) this._endEp(dn.statusEp, t);
      dn.status = st;
      dn.statusEp = this._startEp(ACTION_OF_STATUS[st], t, attrs, this._path(dn), SRC.DNStatus);
    }
    if (dn.agent) this._sendAgentDn(dn, st, t, attrs, dn.loginQueue);
    if (dn.def.place) this._sendPlaceDn(dn, st, t, attrs);
  }

  private _recompose(c: Composite, t: number, kind: number, isAgent: boolean): void {
    const best = c.best();
    const attrs = c.bestAttrs;
    const st = best < 0 ? _LOGGED_OUT : best;
    if (st !== c.status) {
      const wasOut = c.status === _LOGGED_OUT;
      const wasIn = LOGGED_IN[c.status] === 1;
      if (c.ep) this._endEp(c.ep, t);
      c.status = st;
      c.since = t;
      c.ep = this._startEp(ACTION_OF_STATUS[st], t, attrs, this._path(c), kind);
      // the logged-in span runs on through changes between logged-in statuses
      if (wasIn !== (LOGGED_IN[st] === 1)) {
        if (wasIn) {
          if (c.spanEp) this._endEp(c.spanEp, t);
          c.spanEp = null;
        } else c.spanEp = this._startEp(SPAN, t, null, this._path(c), kind);
      }
      if (wasOut && isAgent) this._send({ kind: "sinceLogin", to: "*", agent: c.id, t });
    } else if (c.ep && attrs !== c.ep.attrs && attrs) {
      this._reattr(c.ep, attrs, t);
    }
    if (isAgent) this._pseudo(c, t);
  }

  /** Queue pseudo-actions: AgentLogin / AgentReady on the queues an agent serves. */
  private _pseudo(c: Composite, t: number): void {
    const login = c.status !== _LOGGED_OUT;
    const ready = c.status === STATUS.WaitForNextCall;
    if (login === c.pLogin && ready === c.pReady && !c.qDirty) return;
    c.pLogin = login;
    c.pReady = ready;
    if (c.qDirty) {
      c.qDirty = false;
      const qs = new Set<string>(this.dir.origQueuesOfAgent.get(c.id) ?? []);
      c.queuesInto(qs);
      for (const m of [c.pseudoLogin, c.pseudoReady])
        for (const [q, ep] of [...m]) {
          if (qs.has(q)) continue;
          this._endEp(ep, t);
          m.delete(q);
        }
      for (const q of c.pq) if (!qs.has(q)) this._servers.get(q)?.delete(c);
      c.pq = [...qs];
      for (const q of qs) {
        let sv = this._servers.get(q);
        if (sv === undefined) {
          sv = new Set();
          this._servers.set(q, sv);
        }
        sv.add(c);
      }
    }
    for (const q of c.pq) {
      this._pseudoOne(c.pseudoLogin, q, A.AgentLogin, login, t);
      this._pseudoOne(c.pseudoReady, q, A.AgentReady, ready, t);
    }
  }

  private _pseudoOne(m: Map<string, Episode>, q: string, a: number, want: boolean, t: number): void {
    const ep = m.get(q);
    if (want && !ep) {
      m.set(q, this._startEp(a, t, null, this.dir.queuePath(q), SRC.DNAction));
    } else if (!want && ep) {
      this._endEp(ep, t);
      m.delete(q);
    }
  }

  // ------------------------------------------------------------------------------------------
  // link loss and validity

  /**
   * A SIP node's link went down (`valid=false`) or came back (docs/semantics.md §8). DNs fed by
   * that node are NotMonitored while it is down and the statistics depending on them invalid;
   * their state (calls, agent login and work state) is kept, so a resumed session's events
   * continue it. Idempotent per node (two sessions reporting the same loss count once).
   *
   * @example
   * ```ts
   * eng.setSourceValid("node-1", false, Date.now());
   * ```
   */
  setSourceValid(node: string, valid: boolean, t = this.clock.now()): void {
    t = Math.min(t, this._advance(t));
    if (valid) this._downAt.delete(node);
    else if (!this._downAt.has(node)) this._downAt.set(node, t);
    for (const dn of this._dns.values()) {
      if (!dn.nodes.has(node)) continue;
      if (valid) this._dnUp(dn, node);
      else this._dnDown(dn, node);
      this._refreshDnStatus(dn, t);
    }
    this._flushLocal();
  }

  /**
   * A node's stream started again (the node restarted, or its session could not be resumed): what
   * this partition built from that node ends (docs/semantics.md §8). Call legs from the node end
   * with no outcome (no answer, abandon, clear or completion is counted; their time up to the end
   * is), its queued calls and the answers still to be reflected to its queues are forgotten, and
   * on DNs whose agent state came from it the agent actions end and the agent binding is dropped.
   * The end is at `t`, or at the link loss if the node is down (the last instant its state was
   * known). Then call `setSourceValid(node, true, t)` and feed the snapshot: its episodes show
   * their own start times in current statistics and are credited to historical ones from `t` on.
   * `scope` limits the reset to one of the node's two streams: `"calls"` (legs, queued calls,
   * pending answers) or `"agents"` (agent login and work state, hook state). Call it on every
   * partition; each acts on the DNs it owns, and what other partitions must learn (an agent left
   * a DN, a place's DN changed) goes through the outbox.
   *
   * @example
   * ```ts
   * eng.resetSource("node2", Date.now()); eng.setSourceValid("node2", true); // then the snapshot
   * ```
   */
  resetSource(node: string, t = this.clock.now(), scope: "all" | "calls" | "agents" = "all"): void {
    t = Math.min(t, this._advance(t));
    const end = Math.min(t, this._downAt.get(node) ?? t);
    const f = this._floor.get(node);
    if (f === undefined || t > f) this._floor.set(node, t);
    for (const dn of this._dns.values()) {
      if (!dn.nodes.has(node)) continue;
      if (scope !== "agents") {
        for (const leg of [...dn.legs.values()]) {
          if (leg.node !== node) continue;
          for (const a of leg.acts.keys()) this._endAct(dn, a, end, leg);
          dn.legs.delete(leg.connId);
        }
        for (const [k, p] of [...dn.pending]) if (p.node === node) dn.pending.delete(k);
        for (const [k, p] of [...dn.stale]) if (p.node === node) dn.stale.delete(k);
      }
      if (scope !== "calls" && dn.stateNode === node) {
        for (const a of [...dn.nonIxn.keys()]) this._endAct(dn, a, end, null);
        if (dn.agent) this._bind(dn, null, end);
        dn.stateNode = null;
        dn.loginQueue = null;
      }
      this._refreshDnStatus(dn, end);
    }
    this._flushLocal();
  }

  /** `key` (a node, or "" for the DN itself) makes the DN NotMonitored; its state is kept. */
  private _dnDown(dn: DnState, key: string): void {
    if (dn.downBy.has(key)) return;
    dn.downBy.add(key);
    this._notMonitored.add(dn);
    this._invCache = null;
    for (const o of dn.path) for (const st of o.stats) this._touchValidity(st);
  }

  /**
   * `key` no longer keeps the DN NotMonitored. The agent stays logged in: a resumed session goes
   * on from the state the DN had (a reset drops it first, see {@link resetSource}).
   */
  private _dnUp(dn: DnState, key: string): void {
    if (!dn.downBy.delete(key) || dn.downBy.size > 0) return;
    this._notMonitored.delete(dn);
    this._invCache = null;
    for (const o of dn.path) for (const st of o.stats) this._touchValidity(st);
  }

  private _inv(obj: ObjNode): number {
    if (this._notMonitored.size === 0) return 0;
    if (!this._invCache) {
      this._invCache = new Map();
      for (const dn of this._notMonitored)
        for (const o of dn.path) this._invCache.set(o, (this._invCache.get(o) ?? 0) + 1);
    }
    return this._invCache.get(obj) ?? 0;
  }

  // ------------------------------------------------------------------------------------------
  // cross-partition messages

  private _send(m: CrossMessage): void {
    if (m.to === "*") {
      this._local.push(m);
      if (!this._ownAll) {
        this._counters.messagesOut++;
        this._outbox.push(m);
      }
    } else if (this._ownAll || this._owns(m.to)) this._local.push(m);
    else {
      this._counters.messagesOut++;
      this._outbox.push(m);
    }
  }

  /** A recycled local message. */
  private _localMsg(kind: number, dn: string, t: number): _LocalMsg {
    let m = this._pool[this._nPool];
    if (m === undefined) {
      m = new _LocalMsg();
      this._pool.push(m);
    }
    this._nPool++;
    m.kind = kind;
    m.dn = dn;
    m.t = t;
    m.h = this._h;
    this._local.push(m);
    return m;
  }

  /** DN status or binding of `dn`'s agent changed (`status` -1: the agent left the DN). */
  private _sendAgentDn(
    dn: DnState,
    status: number,
    t: number,
    attrs: Attrs | null,
    queue: string | null,
  ): void {
    const ag = dn.agent!;
    if (dn.agentComp !== null) {
      const m = this._localMsg(_M_AGENT, dn.def.id, t);
      m.c = dn.agentComp;
      m.status = status;
      m.attrs = attrs;
      m.queue = queue;
      return;
    }
    const msg: CrossMessage = {
      kind: "agentDn",
      to: _key("agent:", ag.id),
      agent: ag.id,
      dn: dn.def.id,
      status,
      t,
      attrs,
      queue,
    };
    if (this._h > t) msg.h = this._h;
    this._send(msg);
  }

  private _sendPlaceDn(dn: DnState, status: number, t: number, attrs: Attrs | null): void {
    const place = dn.def.place!;
    dn.placeLi = dn.agent !== null;
    if (dn.placeMode === 0) {
      if (this.owns(_key("place:", place))) {
        dn.placeMode = 1;
        dn.placeComp =
          this._places.get(place) ??
          (this.dir.obj("Place", place)
            ? this._composite(this._places, place, this.dir.placePath(place), SRC.PlaceStatus)
            : null);
      } else dn.placeMode = 2;
    }
    if (dn.placeMode === 1) {
      // a place missing from the directory: the message would be dropped on arrival
      if (dn.placeComp === null) return;
      const m = this._localMsg(_M_PLACE, dn.def.id, t);
      m.c = dn.placeComp;
      m.status = status;
      m.attrs = attrs;
      m.loggedIn = dn.agent !== null;
      return;
    }
    const msg: CrossMessage = {
      kind: "placeDn",
      to: _key("place:", place),
      place,
      dn: dn.def.id,
      status,
      loggedIn: dn.agent !== null,
      t,
      attrs,
    };
    if (this._h > t) msg.h = this._h;
    this._send(msg);
  }

  private _sendReflect(q: string, action: string, connId: string, t: number, d: number | null): void {
    if (this._ownAll || this._owns(_key("dn:", q))) {
      const m = this._localMsg(_M_REFLECT, q, t);
      m.action = action;
      m.connId = connId;
      m.d = d;
      return;
    }
    this._send({ kind: "reflect", to: _key("dn:", q), dn: q, action, connId, t, d });
  }

  private _flushLocal(): void {
    if (this._delivering) return;
    this._delivering = true;
    try {
      for (let i = 0; i < this._local.length; i++) {
        const m = this._local[i];
        if (m instanceof _LocalMsg) this._applyLocal(m);
        else this._apply(m);
      }
    } finally {
      this._local.length = 0;
      this._h = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < this._nPool; i++) {
        const m = this._pool[i];
        m.c = null;
        m.attrs = null;
      }
      this._nPool = 0;
      this._delivering = false;
    }
  }

  private _applyLocal(m: _LocalMsg): void {
    this._advance(m.t);
    this._h = m.h;
    if (m.kind === _M_AGENT) this._agentDn(m.c!, m.dn, m.status, m.t, m.attrs, m.queue);
    else if (m.kind === _M_PLACE) this._placeDn(m.c!, m.dn, m.status, m.loggedIn, m.t, m.attrs);
    else this._reflect(m.dn, m.action, m.connId, m.t, m.d);
  }

  private _agentDn(
    c: Composite,
    dn: string,
    status: number,
    t: number,
    attrs: Attrs | null,
    queue: string | null,
  ): void {
    if (status < 0 ? c.remove(dn) : c.upsert(dn, status, attrs, true, queue)) c.qDirty = true;
    this._recompose(c, t, SRC.AgentStatus, true);
  }

  private _placeDn(
    c: Composite,
    dn: string,
    status: number,
    loggedIn: boolean,
    t: number,
    attrs: Attrs | null,
  ): void {
    c.upsert(dn, status, attrs, loggedIn, undefined);
    this._recompose(c, t, SRC.PlaceStatus, false);
  }

  /**
   * Another partition is gone (its process died): what it told this one of its DNs (an agent's or
   * a place's status on them) is unknown from now on, so it ends at `t`; its restart reports the
   * truth again from the nodes' snapshots. Without this, an agent that logged out or moved while
   * that partition was down kept the status it had on its DN (docs/semantics.md §5).
   *
   * @example
   * ```ts
   * eng.forgetDns((key) => owner(key) === deadSlot, Date.now());
   * ```
   */
  forgetDns(gone: (dnKey: string) => boolean, t = this.clock.now()): void {
    for (const c of this._agents.values())
      for (const dn of c.dns()) if (gone(`dn:${dn}`)) this._agentDn(c, dn, -1, t, null, null);
    for (const c of this._places.values()) {
      let changed = false;
      for (const dn of c.dns()) if (gone(`dn:${dn}`)) changed = c.remove(dn) || changed;
      if (changed) this._recompose(c, t, SRC.PlaceStatus, false);
    }
    this._flushLocal();
  }

  /** Messages for keys owned by other partitions, in order; the caller delivers them. */
  drainOutbox(): CrossMessage[] {
    const out = this._outbox;
    this._outbox = [];
    return out;
  }

  /**
   * Apply a message addressed to a key this partition owns.
   *
   * @example
   * ```ts
   * for (const m of a.drainOutbox()) owner(m.to).deliver(m);
   * ```
   */
  deliver(m: CrossMessage): IngestResult {
    this._counters.messagesIn++;
    if (m.to !== "*" && !this.owns(m.to)) return { ok: false, reason: "not-owned" };
    this._apply(m);
    this._flushLocal();
    return { ok: true };
  }

  private _apply(m: CrossMessage): void {
    this._advance(m.t);
    this._h =
      (m.kind === "agentDn" || m.kind === "placeDn") && m.h !== undefined ? m.h : Number.NEGATIVE_INFINITY;
    if (m.kind === "agentDn") {
      if (!this.dir.agents.has(m.agent)) return;
      const c =
        this._agents.get(m.agent) ??
        this._composite(this._agents, m.agent, this.dir.agentPath(m.agent), SRC.AgentStatus);
      this._agentDn(c, m.dn, m.status, m.t, m.attrs, m.queue);
    } else if (m.kind === "sinceLogin") {
      for (const st of this.dir.obj("Agent", m.agent)?.stats ?? []) {
        if (st.spec.profile.kind !== "sinceLogin") continue;
        st.reset(m.t);
        this._touch(st);
      }
    } else if (m.kind === "placeDn") {
      let c = this._places.get(m.place);
      if (!c) {
        if (!this.dir.obj("Place", m.place)) return;
        c = this._composite(this._places, m.place, this.dir.placePath(m.place), SRC.PlaceStatus);
      }
      this._placeDn(c, m.dn, m.status, m.loggedIn, m.t, m.attrs);
    } else this._reflect(m.dn, m.action, m.connId, m.t, m.d);
  }

  /** A reflected call outcome (or ACW) reaches queue DN `q`. */
  private _reflect(q: string, action: string, connId: string, t: number, d: number | null): void {
    const dn = this._dn(q);
    if (!dn?.mediation) return;
    if (action === "ACWCompleted") {
      this._instant(I.ACWCompleted, t, d ?? 0, null, this._path(dn));
      return;
    }
    let enter: number | null = null;
    // the call's attributes as the queue knows them (a filter on the queue's answers, e.g. the
    // service level of Gold calls, sees the data the call was queued with)
    let attrs: Attrs | null = null;
    const p = dn.pending.get(connId);
    // stamped before the current visit began (its distribution, or its wait while it still
    // waits): the answer of the call's previous visit
    const cur = p ? p.last : dn.legs.get(connId)?.acts.get(A.CallWait)?.s;
    // (no current visit at all: the call's next visit was answered already, this one came late)
    const s = cur === undefined || t < cur ? dn.stale.get(connId) : undefined;
    if (s && t >= s.last) {
      enter = s.enter;
      attrs = s.attrs;
      dn.stale.delete(connId);
    } else if (p) {
      enter = p.enter;
      attrs = p.attrs;
      dn.pending.delete(connId);
    } else {
      const leg = dn.legs.get(connId);
      const ep = leg?.acts.get(A.CallWait);
      if (leg && ep && !leg.reflected) {
        enter = ep.s;
        attrs = leg.attrs;
        leg.reflected = true;
      }
    }
    if (enter === null) {
      this._counters.reflectUnmatched++;
      return;
    }
    const aid =
      action === "CallAnswered"
        ? I.CallAnswered
        : action === "CallAbandonedFromRinging"
          ? I.CallAbandonedFromRinging
          : actionId(action);
    if (aid >= 0) this._instant(aid, t, Math.max(0, t - enter), attrs, this._path(dn));
  }

  // ------------------------------------------------------------------------------------------
  // statistics: open / close / values

  private _resolve(req: OpenRequest): { obj: ObjNode; spec: StatSpec; dk: number } | EngineError {
    // the one resolution the config checks run too (config/request.ts)
    const r = resolveRequest(this.config, this.dir, req, this._filters);
    if ("error" in r) return { error: r.error };
    const { obj, side, def } = r;
    const type = req.object.type;
    // identical definitions on the same object type share one resolved spec (masks, filter)
    const specKey = (profile: string | null): string =>
      JSON.stringify([
        type,
        req.statType ?? req.definition ?? null,
        profile,
        req.timeRange ?? null,
        req.timeRange2 ?? null,
        req.filter ?? null,
      ]);
    const ck = specKey(req.timeProfile ?? null);
    const hit = this._specs.get(ck);
    if (hit) return { obj, spec: hit.spec, dk: hit.dk };
    const { category: cat, subject } = def;
    const pname = req.timeProfile ?? "Default";
    const pdef = r.profile;
    let profile: ProfileRt;
    if (pdef.type === "Growing") profile = { kind: "growing", name: pname };
    else if (pdef.type === "Sliding")
      profile = {
        kind: "sliding",
        name: pname,
        lengthMs: pdef.lengthSec * 1000,
        stepMs: pdef.stepSec * 1000,
      };
    else if (pdef.type === "Selection") profile = { kind: "selection", name: pname, n: pdef.n };
    else profile = { kind: "sinceLogin", name: pname };
    const lo = r.range?.lo ?? 0;
    const hi = r.range?.hi ?? Number.POSITIVE_INFINITY;
    const lo2 = r.range2?.lo ?? 0;
    const hi2 = r.range2?.hi ?? 0;
    let ck0Pending: string | null = null;
    const filter: ((i: object) => boolean) | null = r.filter?.evaluate ?? null;
    // current categories ignore the profile: all profiles share the profile-free aggregate
    if (_CURRENT.has(cat)) {
      const ck0 = specKey("");
      const hit0 = this._specs.get(ck0);
      if (hit0) {
        this._specs.set(ck, hit0);
        return { obj, spec: hit0.spec, dk: hit0.dk };
      }
      profile = _PROFILE_FREE;
      ck0Pending = ck0; // both keys name the spec created below
    }
    const kind = SRC[subject];
    const forStatus = kind !== SRC.DNAction;
    const relMask =
      def.relMask ??
      (cat === "ServiceFactor1" ? { all: false, include: ["CallAbandoned"], exclude: [] } : undefined);
    const flags = specFlags(cat, kind, profile);
    let mM = compileMask(def.mainMask, forStatus);
    if (_spanOk(cat, kind, mM, relMask !== undefined, filter !== null, flags.ext)) {
      // counted over the composite's logged-in span, not its status episodes (same values)
      mM = new Uint8Array(NAMES.length);
      mM[SPAN] = 1;
    }
    const spec: StatSpec = {
      cat,
      kind,
      mM,
      mR: relMask ? compileMask(relMask, forStatus) : null,
      filter,
      profile,
      lo,
      hi,
      lo2,
      hi2,
      dk: this._specs.size + 1,
      ...flags,
    };
    const dk = spec.dk;
    this._specs.set(ck, { spec, dk, side });
    if (ck0Pending !== null) this._specs.set(ck0Pending, { spec, dk, side });
    return { obj, spec, dk };
  }

  /** Find or create the statistic instance of a request. */
  private _stat(req: OpenRequest): Stat | EngineError {
    const r = this._resolve(req);
    if ("error" in r) return r;
    for (const st of r.obj.stats) if (st.dk === r.dk) return st;
    const now = this.clock.now();
    const st = new Stat(r.spec, now, r.obj);
    st.timeDep = !_STATIC_IN_TIME.has(r.spec.cat) || r.spec.profile.kind === "sliding";
    r.obj.stats.push(st);
    r.obj.idx = null;
    if (r.obj.stats.length === 1) this._gen++;
    this._open++;
    this._countKeys(r.spec, 1);
    if (r.spec.profile !== _PROFILE_FREE && r.spec.profile.kind === "growing")
      this._profileGroup(r.spec.profile.name, now).stats.push(st);
    const sampled = r.spec.cat === "MaxNumber" || r.spec.cat === "MinNumber";
    this._attachRunning(st, r.obj, now);
    if (sampled) {
      this._sampled.add(st);
      st.sampler = { max: st.rnM, min: st.rnM };
    }
    return st;
  }

  /** Count an opened (+1) or dropped (-1) statistic in {@link _keyN}. */
  private _countKeys(sp: StatSpec, d: number): void {
    for (let a = 0; a < NAMES.length; a++) if (sp.mM[a] || sp.mR?.[a]) this._keyN[sp.kind * 1024 + a] += d;
  }

  /** The reset schedule of Growing profile `pname`. */
  private _profileGroup(pname: string, now: number): ProfileGroup {
    let g = this._profiles.get(pname);
    if (!g) {
      const def = (this.config.timeProfiles[pname] ?? DEFAULT_PROFILE) as ProfileGroup["def"];
      g = {
        def,
        next: nextResetAfter(def, now) ?? Number.POSITIVE_INFINITY,
        stats: [],
        resetSubs: new Set(),
      };
      this._profiles.set(pname, g);
      if (g.next < this._nextReset) this._nextReset = g.next;
    }
    return g;
  }

  /** Enter the episodes already running on the sources of `obj` into a new statistic. */
  private _attachRunning(st: Stat, obj: ObjNode, now: number): void {
    const kind = st.spec.kind;
    const enter = (ep: Episode | null, k: number): void => {
      if (!ep || k !== kind) return;
      // historical clipping to the open time is done by the Stat (openMs); an episode whose
      // source time is after `now` (a clock behind the switch) enters from `now`, with an entry
      // of its own (it was entered with its own start and moved to `now` afterwards, so the
      // statistic's sum of running starts kept the difference for good)
      this._enterIf(st, ep, kind, Math.min(ep.s, now));
    };
    if (kind === SRC.DNAction || kind === SRC.DNStatus) {
      for (const dn of this._dnsFor(obj)) {
        if (!dn.path.includes(obj)) continue;
        enter(dn.statusEp, SRC.DNStatus);
        for (const ep of dn.nonIxn.values()) enter(ep, SRC.DNAction);
        for (const leg of dn.legs.values()) for (const ep of leg.acts.values()) enter(ep, SRC.DNAction);
      }
      if (
        kind === SRC.DNAction &&
        (obj.type === "Queue" || obj.type === "RoutePoint" || obj.type === "GroupQueues")
      ) {
        // running pseudo-actions of the queues this object covers (indexed by queue)
        const qs = obj.type === "GroupQueues" ? (this.dir.dnsOfQueueGroup.get(obj.id) ?? []) : [obj.id];
        for (const q of qs) {
          if (!this.dir.queuePath(q).includes(obj)) continue;
          for (const c of this._servers.get(q) ?? []) {
            enter(c.pseudoLogin.get(q) ?? null, SRC.DNAction);
            enter(c.pseudoReady.get(q) ?? null, SRC.DNAction);
          }
        }
      }
    } else if (kind === SRC.AgentStatus || kind === SRC.GroupStatus) {
      for (const c of this._compositesFor(obj, this._agents)) {
        enter(c.ep, kind === SRC.GroupStatus ? kind : SRC.AgentStatus);
        enter(c.spanEp, SRC.AgentStatus);
      }
    } else if (kind === SRC.PlaceStatus) {
      for (const c of this._compositesFor(obj, this._places)) {
        enter(c.ep, SRC.PlaceStatus);
        enter(c.spanEp, SRC.PlaceStatus);
      }
    }
  }

  private _dnsFor(obj: ObjNode): DnState[] {
    const ids: string[] = [];
    switch (obj.type) {
      case "RegDN":
      case "Queue":
      case "RoutePoint":
        ids.push(obj.id);
        break;
      case "Place":
        ids.push(...(this.dir.dnsOfPlace.get(obj.id) ?? []));
        break;
      case "GroupPlaces":
        for (const p of this.dir.membersOfPlaceGroup.get(obj.id) ?? [])
          ids.push(...(this.dir.dnsOfPlace.get(p) ?? []));
        break;
      case "GroupQueues":
        ids.push(...(this.dir.dnsOfQueueGroup.get(obj.id) ?? []));
        break;
      case "Tenant":
        ids.push(...(this.dir.dnsOfTenant.get(obj.id) ?? []));
        break;
      case "Agent":
        return [...(this._agentDns.get(obj.id) ?? [])];
      case "GroupAgents": {
        const out: DnState[] = [];
        for (const a of this.dir.membersOfAgentGroup.get(obj.id) ?? [])
          out.push(...(this._agentDns.get(a) ?? []));
        return out;
      }
    }
    const out: DnState[] = [];
    for (const i of ids) {
      const s = this._dns.get(i);
      if (s) out.push(s);
    }
    return out;
  }

  private _compositesFor(obj: ObjNode, map: Map<string, Composite>): Composite[] {
    const ids =
      obj.type === "Agent" || obj.type === "Place"
        ? [obj.id]
        : obj.type === "GroupAgents"
          ? (this.dir.membersOfAgentGroup.get(obj.id) ?? [])
          : obj.type === "GroupPlaces"
            ? (this.dir.membersOfPlaceGroup.get(obj.id) ?? [])
            : obj.type === "Tenant"
              ? map === this._agents
                ? (this.dir.agentsOfTenant.get(obj.id) ?? [])
                : (this.dir.placesOfTenant.get(obj.id) ?? [])
              : [];
    const out: Composite[] = [];
    for (const i of ids) {
      const c = map.get(i);
      if (c) out.push(c);
    }
    return out;
  }

  /**
   * Open a statistic (or join the identical one already open): returns a subscription id and
   * the current (local) value. An unknown stat type, object, profile, range or filter is an
   * error for this request only.
   *
   * @example
   * ```ts
   * eng.open({ object: { type: "Agent", id: "a1" }, statType: "TotalTalkTime", notification: { mode: "time", frequency: 10 } });
   * ```
   */
  open(req: OpenRequest): Opened | EngineError {
    const n = req?.notification ?? { mode: "changes" };
    const bad = checkNotification(n);
    if (bad !== null) return _err("bad-notification", bad);
    const r = this._stat(req);
    if ("error" in r) return r;
    const now = this.clock.now();
    const { value, valid } = this._value(r, now);
    const sub = this._subs.add(
      r,
      MODE[n.mode],
      (n.frequency ?? 0) * 1000,
      n.insensitivity ?? 0,
      value,
      valid,
      now,
    );
    r.addSub(sub);
    if (n.mode === "reset") {
      // notified at the resets of the profile this subscription asked for (Growing ones only)
      const pname = req.timeProfile ?? "Default";
      if ((this.config.timeProfiles[pname] ?? DEFAULT_PROFILE).type === "Growing") {
        const g = this._profileGroup(pname, now);
        g.resetSubs.add(sub);
        this._resetGroup.set(sub, g);
      }
    }
    if (n.mode === "changes") r.watched = true;
    if (n.mode === "changes" && r.timeDep) this._timeChanges.add(sub);
    return { statId: sub, value, valid };
  }

  private _value(st: Stat, now: number): { value: StatValue; valid: boolean } {
    // the compact core categories are evaluated straight from the statistic (no partial built)
    const core = st.coreValueAt(now);
    if (core !== undefined) return { value: core, valid: this._inv(st.obj) === 0 };
    const cat = st.spec.cat;
    const p =
      cat === "CurrentState" || cat === "CurrentStateReasons" || st.x?.sel
        ? this._partialOf(st, now)
        : st.partialInto(now, this._inv(st.obj), this._scratch);
    const value = valueOfPartial(p, st.sampler);
    const valid = p.inv === 0 || st.spec.cat === "CurrentState" || st.spec.cat === "CurrentStateReasons";
    return { value, valid };
  }

  private _partialOf(st: Stat, now: number): StatPartial {
    const p = st.partial(now, this._inv(st.obj));
    if (st.spec.cat === "CurrentState" || st.spec.cat === "CurrentStateReasons")
      p.tree = this._tree(st, st.obj);
    return p;
  }

  /** Close a subscription; the statistic instance is dropped with its last subscription. */
  close(statId: number): boolean {
    const st = this._subs.remove(statId);
    if (st === undefined) return false;
    this._timeChanges.delete(statId);
    const g = this._resetGroup.get(statId);
    if (g !== undefined) {
      g.resetSubs.delete(statId);
      this._resetGroup.delete(statId);
    }
    if (st.removeSub(statId) === 0) this._drop(st);
    else st.watched = st.subsList().some((x) => this._subs.mode(x) === MODE.changes);
    return true;
  }

  private _drop(st: Stat): void {
    st.closed = true;
    st.obj.stats = st.obj.stats.filter((s) => s !== st);
    st.obj.idx = null;
    if (st.obj.stats.length === 0) this._gen++;
    this._open--;
    this._countKeys(st.spec, -1);
    this._sampled.delete(st);
  }

  /** Current value of a subscription (`null` when it does not exist). */
  peek(statId: number): ValueReply | null {
    const st = this._subs.st[statId];
    if (st === undefined) return null;
    const now = this.clock.now();
    return { ...this._value(st, now), at: now };
  }

  /** Pause notifications of a subscription. */
  suspend(statId: number): boolean {
    if (this._subs.st[statId] === undefined) return false;
    this._subs.setSuspended(statId, true);
    return true;
  }

  /** Resume notifications; the next evaluation compares with the last value sent. */
  resume(statId: number): boolean {
    const st = this._subs.st[statId];
    if (st === undefined) return false;
    this._subs.setSuspended(statId, false);
    this._touchValidity(st);
    return true;
  }

  /** One-shot get: open, read, close. A current category gives its value; a historical one starts empty. */
  get(req: OpenRequest): ValueReply | EngineError {
    const st = this._stat(req);
    if ("error" in st) return st;
    const now = this.clock.now();
    const v = { ...this._value(st, now), at: now };
    if (st.sub === 0) this._drop(st); // it was created for this read only
    return v;
  }

  /**
   * This partition's partial of the statistic a request names (for the aggregation owner to
   * merge with other partitions' partials taken at the same `now`). The statistic must be open.
   */
  partial(req: OpenRequest, now = this.clock.now()): StatPartial | EngineError {
    const r = this._resolve(req);
    if ("error" in r) return r;
    for (const st of r.obj.stats) {
      if (st.dk === r.dk) return this._partialOf(st, now);
    }
    return _err("not-open", "statistic is not open in this engine");
  }

  /** StatPartial of an open subscription's statistic. */
  partialOf(statId: number, now = this.clock.now()): StatPartial | null {
    const st = this._subs.st[statId];
    return st === undefined ? null : this._partialOf(st, now);
  }

  /** Sampler state (MaxNumber/MinNumber) of a subscription's statistic. */
  samplerOf(statId: number): { max: number | null; min: number | null } | null {
    return this._subs.st[statId]?.sampler ?? null;
  }

  // ------------------------------------------------------------------------------------------
  // time: resets, sampling, notifications

  /**
   * The clock saw time `t`: the Growing resets it reached apply now, before what happens at `t`
   * (not at the next tick). Returns the clock's time.
   */
  private _advance(t: number): number {
    this.clock.observe?.(t);
    const now = this.clock.now();
    if (now >= this._nextReset) this._resetsDue(now);
    return now;
  }

  /**
   * Apply the Growing resets due at `nowMs`, each at its own instant, reset-mode notifications
   * (the interval's final value) first. Called by {@link tick} and, as soon as the clock reaches
   * a reset, before the event or message that reached it: an episode that starts after the reset
   * boundary belongs to the new interval only, and one that ended after it keeps its part there.
   */
  private _resetsDue(nowMs: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const g of this._profiles.values()) {
      let walked = 0;
      while (g.next <= nowMs) {
        // a clock jump over more resets than a long gap has is not walked reset by reset: the
        // intervals in between are skipped and the last one before now starts
        const r = ++walked > _MAX_RESET_WALK ? (lastResetAtOrBefore(g.def, nowMs) ?? g.next) : g.next;
        // the final values of the interval first, then the new interval
        for (const sub of g.resetSubs) {
          if (this._subs.suspended(sub)) continue;
          const { value, valid } = this._value(this._subs.st[sub]!, r);
          this._emit(sub, value, valid, r, "reset");
        }
        for (const st of g.stats) {
          if (st.closed) continue;
          st.reset(r);
          this._touch(st);
        }
        g.next = nextResetAfter(g.def, r) ?? Number.POSITIVE_INFINITY;
        if (g.stats.some((x) => x.closed)) g.stats = g.stats.filter((x) => !x.closed);
      }
      if (g.next < next) next = g.next;
    }
    this._nextReset = next;
  }

  /**
   * Advance time to `nowMs`: Growing resets (reset-mode notifications just before), samples for
   * MaxNumber/MinNumber, time-mode notifications and changes-mode notifications of values that
   * move with time, and the stuck-call sweep.
   */
  tick(nowMs = this.clock.now()): void {
    this.clock.observe?.(nowMs);
    this._resetsDue(nowMs);
    for (const st of this._sampled) {
      const p = st.partial(nowMs, 0);
      if (st.sampler) sample(st.sampler, p);
    }
    // time-mode subscriptions: read from the subscription table itself (ids are reused after
    // close, so a list kept beside it would have to track every reuse)
    const T = this._subs;
    for (let sub = 1; sub < T.st.length; sub++) {
      if (T.st[sub] === undefined || T.mode(sub) !== MODE.time) continue;
      let next = T.next(sub);
      if (next > nowMs) continue;
      // the first multiple of the frequency after now (a long gap is not walked step by step)
      const f = T.freqMs(sub);
      next += (Math.floor((nowMs - next) / f) + 1) * f;
      T.setNext(sub, next);
      if (T.suspended(sub)) continue;
      this._check(sub, nowMs, "time");
    }
    for (const sub of this._timeChanges) if (!T.suspended(sub)) this._check(sub, nowMs, "change");
    this.sweep(nowMs);
  }

  private _check(sub: number, now: number, reason: Notification["reason"]): void {
    const T = this._subs;
    const { value, valid } = this._value(T.st[sub]!, now);
    if (valid !== T.lastValid(sub)) this._emit(sub, value, valid, now, "validity");
    else if (changedEnough(T.last(sub), value, T.ins(sub))) this._emit(sub, value, valid, now, reason);
  }

  private _emit(
    sub: number,
    value: StatValue,
    valid: boolean,
    at: number,
    reason: Notification["reason"],
  ): void {
    this._subs.setLast(sub, value, valid);
    this._counters.notifications++;
    this._notes.push({ subscriptionId: sub, value, valid, at, reason });
  }

  /**
   * Evaluate changes-mode subscriptions of statistics touched since the last call, and return
   * every queued notification (changes, time, reset, validity) in order.
   */
  drainNotifications(now = this.clock.now()): Notification[] {
    const dirty = this._dirty;
    this._dirty = [];
    for (const st of dirty) {
      st.dirty = false;
      if (st.closed) continue;
      let computed: { value: StatValue; valid: boolean } | null = null;
      const T = this._subs;
      for (const sub of st.subsList()) {
        const mode = T.mode(sub);
        if (T.suspended(sub) || (mode !== MODE.changes && mode !== MODE.time)) continue;
        computed ??= this._value(st, now);
        if (computed.valid !== T.lastValid(sub))
          this._emit(sub, computed.value, computed.valid, now, "validity");
        else if (mode === MODE.changes && changedEnough(T.last(sub), computed.value, T.ins(sub)))
          this._emit(sub, computed.value, computed.valid, now, "change");
      }
    }
    const out = this._notes;
    this._notes = [];
    return out;
  }

  /**
   * Stuck-call sweep: end call legs with no event for `stuckCallMaxAgeSec` as if released
   * (ringing legs reflect StuckCallCleanedWhileRinging to their queue) and forget stale
   * queue entries awaiting an answer.
   */
  sweep(now = this.clock.now()): number {
    let n = 0;
    for (const dn of this._dns.values()) {
      if (dn.legs.size === 0 && dn.pending.size === 0) continue;
      for (const leg of dn.legs.values()) {
        if (now - leg.last < this._stuckMs) continue;
        n++;
        if (dn.mediation) {
          const d = this._endAct(dn, A.CallWait, now, leg);
          if (d >= 0) this._instant(I.CallCleared, now, d, leg.attrs, this._path(dn));
          for (const a of leg.acts.keys()) this._endAct(dn, a, now, leg);
          dn.legs.delete(leg.connId);
        } else this._releaseLeg(dn, leg, now, true);
      }
      // distributed calls awaiting their answer outlive stuck legs, so a swept ringing leg still reflects
      for (const [k, p] of [...dn.pending]) if (now - p.last >= 2 * this._stuckMs) dn.pending.delete(k);
      for (const [k, p] of [...dn.stale]) if (now - p.last >= 2 * this._stuckMs) dn.stale.delete(k);
      this._refreshDnStatus(dn, now);
    }
    this._counters.stuckCallsSwept += n;
    this._flushLocal();
    return n;
  }

  // ------------------------------------------------------------------------------------------
  // current state trees and directory status

  private _dnTree(dn: DnState, withActions: boolean, reasons: boolean): Tree {
    const t: Tree = { status: AGENT_STATUSES[dn.status], since: (dn.statusEp?.s ?? this._startMs) / 1000 };
    if (!withActions) return t;
    const acts: Tree[] = [];
    const add = (ep: Episode, connId: string | null): void => {
      const a: Tree = { action: NAMES[ep.a], since: ep.s / 1000 };
      if (connId) a.connId = connId;
      const at = ep.attrs;
      if (at) {
        if (at.callType) a.callType = at.callType;
        if (at.thisQueue) a.thisQueue = at.thisQueue;
        if (at.ani) a.ani = at.ani;
        if (at.dnis) a.dnis = at.dnis;
        if (at.userData && connId) a.userData = at.userData;
        if (reasons && at.reasons && !connId) a.reasons = at.reasons;
      }
      acts.push(a);
    };
    for (const ep of dn.nonIxn.values()) add(ep, null);
    for (const leg of dn.legs.values()) for (const ep of leg.acts.values()) add(ep, leg.connId);
    acts.sort(
      (x, y) => (x.since as number) - (y.since as number) || String(x.action).localeCompare(String(y.action)),
    );
    t.actions = acts;
    return t;
  }

  private _compTree(c: Composite | undefined, reasons: boolean): Tree | undefined {
    if (!c) return undefined;
    const t: Tree = { status: AGENT_STATUSES[c.status], since: c.since / 1000 };
    if (reasons && c.ep?.attrs?.reasons) t.reasons = c.ep.attrs.reasons;
    return t;
  }

  private _agentTree(agentId: string, kind: number, reasons: boolean): Tree | undefined {
    const out: Tree = {};
    const c = this._compTree(this._agents.get(agentId), reasons);
    if (c) Object.assign(out, c);
    if (kind === SRC.DNAction || kind === SRC.DNStatus) {
      const dns: Tree = {};
      for (const dn of this._agentDns.get(agentId) ?? [])
        dns[dn.def.id] = this._dnTree(dn, kind === SRC.DNAction, reasons);
      if (Object.keys(dns).length) out.dns = dns;
    }
    return Object.keys(out).length ? out : undefined;
  }

  private _tree(st: Stat, obj: ObjNode): Tree {
    const kind = st.spec.kind;
    const reasons = st.spec.cat === "CurrentStateReasons";
    const withActions = kind === SRC.DNAction;
    const t: Tree = {};
    switch (obj.type) {
      case "RegDN":
      case "Queue":
      case "RoutePoint": {
        const dn = this._dns.get(obj.id);
        if (dn) t.dns = { [obj.id]: this._dnTree(dn, withActions, reasons) };
        break;
      }
      case "GroupQueues": {
        const dns: Tree = {};
        for (const dn of this._dnsFor(obj)) dns[dn.def.id] = this._dnTree(dn, withActions, reasons);
        t.dns = dns;
        break;
      }
      case "Agent": {
        const a = this._agentTree(obj.id, kind, reasons);
        if (a) Object.assign(t, a);
        break;
      }
      case "Place": {
        const c = this._compTree(this._places.get(obj.id), reasons);
        if (c) Object.assign(t, c);
        if (kind !== SRC.PlaceStatus) {
          const dns: Tree = {};
          for (const dn of this._dnsFor(obj)) dns[dn.def.id] = this._dnTree(dn, withActions, reasons);
          if (Object.keys(dns).length) t.dns = dns;
        }
        break;
      }
      case "GroupAgents": {
        if (kind === SRC.GroupStatus) {
          const members: Tree = {};
          for (const c of this._compositesFor(obj, this._agents)) members[c.id] = AGENT_STATUSES[c.status];
          t.members = members;
          break;
        }
        const agents: Tree = {};
        for (const a of this.dir.membersOfAgentGroup.get(obj.id) ?? []) {
          const at = this._agentTree(a, kind, reasons);
          if (at) agents[a] = at;
        }
        t.agents = agents;
        break;
      }
      case "GroupPlaces": {
        if (kind === SRC.GroupStatus) {
          const members: Tree = {};
          for (const c of this._compositesFor(obj, this._places)) members[c.id] = AGENT_STATUSES[c.status];
          t.members = members;
          break;
        }
        const places: Tree = {};
        for (const p of this.dir.membersOfPlaceGroup.get(obj.id) ?? []) {
          const pt: Tree = {};
          const c = this._compTree(this._places.get(p), reasons);
          if (c) Object.assign(pt, c);
          if (kind !== SRC.PlaceStatus) {
            const dns: Tree = {};
            for (const d of this.dir.dnsOfPlace.get(p) ?? []) {
              const dn = this._dns.get(d);
              if (dn) dns[d] = this._dnTree(dn, withActions, reasons);
            }
            if (Object.keys(dns).length) pt.dns = dns;
          }
          if (Object.keys(pt).length) places[p] = pt;
        }
        t.places = places;
        break;
      }
      default:
        break;
    }
    return t;
  }

  /**
   * Current status of an object for the directory listing, from this partition's state:
   * DNs (RegDN/Queue/RoutePoint) by their DN status, agents and places by their composite status.
   * `null` when this partition has no state for it.
   */
  objectStatus(type: string, oid: string): { status: string; since: number } | null {
    if (type === "Agent") {
      const c = this._agents.get(oid);
      if (c) return { status: AGENT_STATUSES[c.status], since: c.since / 1000 };
      return this.owns(`agent:${oid}`) && this.dir.agents.has(oid)
        ? { status: "LoggedOut", since: this._startMs / 1000 }
        : null;
    }
    if (type === "Place") {
      const c = this._places.get(oid);
      return c ? { status: AGENT_STATUSES[c.status], since: c.since / 1000 } : null;
    }
    if (type === "RegDN" || type === "Queue" || type === "RoutePoint") {
      const dn = this._dns.get(oid);
      return dn
        ? { status: AGENT_STATUSES[dn.status], since: (dn.statusEp?.s ?? this._startMs) / 1000 }
        : null;
    }
    return null;
  }

  /** Counters: events in/applied/skipped (with reasons), actions, messages, notifications, sizes. */
  counters(): Record<string, number> {
    const out: Record<string, number> = {
      ...this._counters,
      actions: this._nActions,
      statUpdates: this._nUpdates,
    };
    for (const [k, v] of Object.entries(this._skipReasons)) out[`skipped.${k}`] = v;
    out.openStatistics = this._open;
    out.subscriptions = this._subs.size;
    out.dnStates = this._dns.size;
    return out;
  }
}

/**
 * What a checkpoint of an engine needs from this module (docs/checkpoints.md): the classes of
 * its state, and the module constants its state points at and compares by identity (restored
 * as the constants of the process that restores it, not as copies).
 */
export const ENGINE_GRAPH = {
  classes: { Engine, _LocalMsg } as const,
  statics: {
    "engine:NO_ENTRIES": _NO_ENTRIES,
    "engine:PROFILE_FREE": _PROFILE_FREE,
    "engine:NO_ATTRS": _NO_ATTRS,
    "engine:DEFAULT_PROFILE": DEFAULT_PROFILE,
  } as Readonly<Record<string, object>>,
};
