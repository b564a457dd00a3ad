/**
 * Test fixtures: a small directory and stat types, and a tiny scenario DSL over an engine.
 * Used by the engine's tests and the benchmark; not part of the public API.
 *
 * @example
 * ```ts
 * const f = new Flow();
 * f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1" });
 * f.value({ object: { type: "Queue", id: "8000" }, statType: "Waiting" }); // 1
 * ```
 * @module
 */
import type { EngineConfig, Mask, StatTypeDef, StatValue, TEvent } from "../definitions.ts";
import { parseMask } from "../mask.ts";
import { Engine, type EngineOptions } from "./engine.ts";
import type { OpenRequest } from "./types.ts";

/** Epoch ms of the fixture day's start (2026-01-05 08:00 UTC). */
export const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const m = (s: string): Mask => parseMask(s);
function st(
  name: string,
  objects: StatTypeDef["objects"],
  category: StatTypeDef["category"],
  subject: StatTypeDef["subject"],
  main: string,
  rel?: string,
): StatTypeDef {
  return { name, objects, category, subject, mainMask: m(main), ...(rel ? { relMask: m(rel) } : {}) };
}
const AG: StatTypeDef["objects"] = ["Agent", "Place", "GroupAgents", "GroupPlaces", "Tenant", "RegDN"];
const Q: StatTypeDef["objects"] = ["Queue", "RoutePoint", "GroupQueues", "Tenant"];

/** The fixture's stat types. */
export const FIXTURE_STAT_TYPES: StatTypeDef[] = [
  st("Waiting", Q, "CurrentNumber", "DNAction", "CallWait"),
  st("OldestWait", Q, "CurrentMaxTime", "DNAction", "CallWait"),
  st("Entered", Q, "TotalNumber", "DNAction", "CallEntered"),
  st("Answered", [...Q, ...AG], "TotalNumber", "DNAction", "CallAnswered"),
  st("AnsweredQ", Q, "TotalNumber", "DNAction", "CallAnswered"),
  st("Abandoned", Q, "TotalNumber", "DNAction", "CallAbandoned"),
  st("AbandonedRinging", [...Q, ...AG], "TotalNumber", "DNAction", "CallAbandonedFromRinging"),
  st("Cleared", Q, "TotalNumber", "DNAction", "CallCleared"),
  st("Distributed", Q, "TotalNumber", "DNAction", "CallDistributed"),
  st("ASA", [...Q, ...AG], "AverageTime", "DNAction", "CallAnswered"),
  st("AvgAbandonWait", Q, "AverageTime", "DNAction", "CallAbandoned"),
  st("SL", Q, "ServiceFactor1", "DNAction", "CallAnswered"),
  st("AnsweredInRange", Q, "TotalNumberInTimeRange", "DNAction", "CallAnswered"),
  st("EWT", Q, "EstimWaitTime", "DNAction", "CallWait"),
  st("ACWDone", [...Q, ...AG], "TotalNumber", "DNAction", "ACWCompleted"),
  st("AgentsReadyQ", Q, "CurrentNumber", "DNAction", "AgentReady"),
  st("AgentsLoginQ", Q, "CurrentNumber", "DNAction", "AgentLogin"),
  st("InboundCalls", AG, "TotalNumber", "DNAction", "CallInbound"),
  st("InboundTime", AG, "TotalTime", "DNAction", "CallInbound"),
  st(
    "TalkTime",
    AG,
    "TotalTime",
    "AgentStatus",
    "CallInbound,CallOutbound,CallInternal,CallConsult,CallUnknown",
  ),
  st("HoldTime", AG, "TotalTime", "AgentStatus", "CallOnHold"),
  st("HoldCount", AG, "TotalNumber", "DNAction", "CallHeld"),
  st("ACWTime", AG, "TotalTime", "AgentStatus", "AfterCallWork"),
  st("ReadyTime", AG, "TotalTime", "AgentStatus", "WaitForNextCall"),
  st("NotReadyTime", AG, "TotalTime", "AgentStatus", "NotReadyForNextCall"),
  st("NotReadyTimeDN", AG, "TotalTime", "DNStatus", "NotReadyForNextCall"),
  st("LoginTime", AG, "TotalTime", "AgentStatus", "*,~LoggedOut,~NotMonitored"),
  st(
    "CurrentLoginTime",
    ["Agent", "Place"],
    "CurrentContinuousTime",
    "AgentStatus",
    "*,~LoggedOut,~NotMonitored",
  ),
  st("ReadyAgents", AG, "CurrentNumber", "AgentStatus", "WaitForNextCall"),
  st("LoggedInAgents", AG, "CurrentNumber", "AgentStatus", "*,~LoggedOut,~NotMonitored"),
  st(
    "TalkingAgents",
    AG,
    "CurrentNumber",
    "AgentStatus",
    "CallInbound,CallOutbound,CallInternal,CallConsult,CallUnknown",
  ),
  st("TimeInState", AG, "CurrentTime", "AgentStatus", "*"),
  st("AgentState", AG, "CurrentState", "DNAction", "*"),
  st("AgentStateReasons", AG, "CurrentStateReasons", "DNAction", "*"),
  st("AgentStatusOnly", AG, "CurrentState", "AgentStatus", "*"),
  st(
    "CallsPerHour",
    AG,
    "AverageNumberPerRelativeHour",
    "AgentStatus",
    "CallInbound",
    "*,~LoggedOut,~NotMonitored",
  ),
  st(
    "Occupancy",
    AG,
    "RelativeTimePercentage",
    "AgentStatus",
    "CallInbound,CallOnHold,AfterCallWork",
    "*,~LoggedOut,~NotMonitored",
  ),
  st(
    "ReadyPct",
    AG,
    "CurrentRelativeNumberPercentage",
    "AgentStatus",
    "WaitForNextCall",
    "*,~LoggedOut,~NotMonitored",
  ),
  st("TransfersMade", AG, "TotalNumber", "DNAction", "CallTransferMade"),
  st("TransfersTaken", AG, "TotalNumber", "DNAction", "CallTransferTaken"),
  st("ConsultCalls", AG, "TotalNumber", "DNAction", "CallConsultCompleted"),
  st("MaxWaiting", Q, "MaxNumber", "DNAction", "CallWait"),
  st("AvgWaiting", Q, "AverageOfCurrentNumber", "DNAction", "CallWait"),
  st("AdjNotReadyTime", AG, "TotalAdjustedTime", "AgentStatus", "NotReadyForNextCall"),
  st("AdjNotReadyNumber", AG, "TotalAdjustedNumber", "AgentStatus", "NotReadyForNextCall"),
  st("NotReadyNumber", AG, "TotalNumber", "AgentStatus", "NotReadyForNextCall"),
  st("MaxTalk", AG, "MaxTime", "DNAction", "CallInbound"),
  st("MinTalk", AG, "MinTime", "DNAction", "CallInbound"),
  st("GroupState", ["GroupAgents", "GroupPlaces"], "CurrentState", "GroupStatus", "*"),
  st("PlaceTalk", ["Place", "GroupPlaces", "Tenant"], "TotalTime", "PlaceStatus", "CallInbound"),
  st("ElapsedPctReady", AG, "ElapsedTimePercentage", "AgentStatus", "WaitForNextCall"),
  st("AnsweredPerSec", Q, "TotalNumberPerSecond", "DNAction", "CallAnswered"),
  st("AbandonPct", Q, "RelativeNumberPercentage", "DNAction", "CallAbandoned", "CallEntered"),
  st("AnsweredInRangePct", Q, "TotalNumberInTimeRangePercentage", "DNAction", "CallAnswered"),
  st("AnsweredTimeInRange", Q, "TotalTimeInTimeRange", "DNAction", "CallAnswered"),
  st("WaitInRange", Q, "CurrentNumberInTimeRange", "DNAction", "CallWait"),
  st("WaitInRangePct", Q, "CurrentNumberInTimeRangePercentage", "DNAction", "CallWait"),
  st("YoungestWait", Q, "CurrentMinTime", "DNAction", "CallWait"),
  st("AvgCurrentWait", Q, "CurrentAverageTime", "DNAction", "CallWait"),
];

/** A small directory: tenant T1, three extensions on three places, two queues, a routing point. */
export function fixtureConfig(): EngineConfig {
  return {
    directory: {
      tenants: [{ id: "T1" }],
      dns: [
        { id: "1001", tenant: "T1", type: "Extension", place: "P1" },
        { id: "1002", tenant: "T1", type: "Extension", place: "P2" },
        { id: "1003", tenant: "T1", type: "Extension", place: "P3" },
        { id: "8000", tenant: "T1", type: "ACDQueue" },
        { id: "8001", tenant: "T1", type: "ACDQueue" },
        { id: "9000", tenant: "T1", type: "RoutingPoint" },
      ],
      places: [
        { id: "P1", tenant: "T1" },
        { id: "P2", tenant: "T1" },
        { id: "P3", tenant: "T1" },
      ],
      agents: [
        { id: "a1", tenant: "T1", loginIds: ["l1"] },
        { id: "a2", tenant: "T1", loginIds: ["l2"] },
        { id: "a3", tenant: "T1", loginIds: ["l3"] },
      ],
      agentGroups: [
        { id: "G1", tenant: "T1", agents: ["a1", "a2"], originationDns: [] },
        { id: "G2", tenant: "T1", agents: ["a3"], originationDns: ["8001"] },
      ],
      placeGroups: [{ id: "PG1", tenant: "T1", places: ["P1", "P2"], originationDns: [] }],
      queueGroups: [{ id: "QG1", tenant: "T1", dns: ["8000", "8001"] }],
    },
    statTypes: Object.fromEntries(FIXTURE_STAT_TYPES.map((s) => [s.name, s])),
    timeProfiles: {
      Default: { name: "Default", type: "Growing", resets: { kind: "times", minutes: [0] }, timeZone: "UTC" },
      Quarter: {
        name: "Quarter",
        type: "Growing",
        resets: { kind: "period", startMinute: 0, periodMinutes: 15 },
        timeZone: "UTC",
      },
      LastHour: { name: "LastHour", type: "Sliding", lengthSec: 3600, stepSec: 60 },
      Last2Min: { name: "Last2Min", type: "Sliding", lengthSec: 120, stepSec: 60 },
      Last3: { name: "Last3", type: "Selection", n: 3 },
      Login: { name: "Login", type: "SinceLogin" },
    },
    timeRanges: {
      Default: { name: "Default", lo: 0, hi: 20 },
      R0_10: { name: "R0_10", lo: 0, hi: 10 },
      Short: { name: "Short", lo: 0, hi: 5 },
    },
    filters: {
      Gold: { name: "Gold", expression: 'PairExists("Segment", "Gold")' },
      Inbound: { name: "Inbound", expression: 'callType = "Inbound"' },
    },
  };
}

/** Shorthand for an open request. */
export function req(
  type: OpenRequest["object"]["type"],
  oid: string,
  statType: string,
  extra: Partial<OpenRequest> = {},
): OpenRequest {
  return { object: { type, id: oid }, statType, ...extra };
}

/** A scripted scenario over one engine, times in seconds after {@link T0}. */
export class Flow {
  readonly eng: Engine;
  constructor(opts: Partial<EngineOptions> = {}) {
    this.eng = new Engine({ config: fixtureConfig(), startMs: T0, ...opts });
  }
  /** Ingest an event at `sec` seconds after T0; throws when the engine skips it. */
  ev(sec: number, event: string, attrs: Partial<TEvent> = {}): this {
    const r = this.eng.ingest({ event, time: (T0 + sec * 1000) / 1000, ...attrs } as TEvent);
    if (!r.ok) throw new Error(`${event} at ${sec}s skipped: ${r.reason}`);
    return this;
  }
  /** Advance the clock to `sec`. */
  at(sec: number): this {
    this.eng.tick(T0 + sec * 1000);
    return this;
  }
  /** Open a statistic; returns its subscription id. */
  open(r: OpenRequest): number {
    const o = this.eng.open(r);
    if ("error" in o) throw new Error(`${o.error.code}: ${o.error.message}`);
    return o.statId;
  }
  /** Current value of a request (opened on first use, so open before the events that matter). */
  value(r: OpenRequest): StatValue {
    const key = JSON.stringify(r);
    let sid = this._ids.get(key);
    if (sid === undefined) {
      sid = this.open(r);
      this._ids.set(key, sid);
    }
    return this.eng.peek(sid)!.value;
  }
  private readonly _ids = new Map<string, number>();
}
