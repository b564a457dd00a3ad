/**
 * Scripted call flows against hand-computed values (times in seconds after T0; every statistic
 * opened at T0 before the first event, Default profile = Growing, midnight UTC).
 */
import { describe, expect, test } from "bun:test";
import type { StatValue } from "./definitions.ts";
import { Flow, req } from "./engine/testing.ts";
import type { OpenRequest } from "./engine/types.ts";

type Table = Record<string, OpenRequest>;
function track(f: Flow, t: Table): (name: string) => StatValue {
  for (const r of Object.values(t)) f.value(r);
  return (name) => f.value(t[name]);
}

const Q = (s: string, x = {}) => req("Queue", "8000", s, x);
const A1 = (s: string, x = {}) => req("Agent", "a1", s, x);

/** Agent a1 logs in on 1001 for queue 8000 and becomes ready at t=0. */
function loggedIn(f: Flow): Flow {
  return f
    .ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1", thisQueue: "8000" })
    .ev(0, "EventAgentReady", {
      thisDN: "1001",
      agentId: "l1",
    });
}

describe("flow: inbound call answered, then ACW", () => {
  const f = new Flow();
  const v = track(f, {
    entered: Q("Entered"),
    answered: Q("Answered"),
    asa: Q("ASA"),
    distributed: Q("Distributed"),
    sl: Q("SL"),
    waiting: Q("Waiting"),
    acwQ: Q("ACWDone"),
    readyQ: Q("AgentsReadyQ"),
    loginQ: Q("AgentsLoginQ"),
    inbound: A1("InboundCalls"),
    inboundTime: A1("InboundTime"),
    talk: A1("TalkTime"),
    acw: A1("ACWTime"),
    ready: A1("ReadyTime"),
    ringAsa: A1("ASA"),
    answeredAgent: A1("Answered"),
    login: A1("LoginTime"),
    curLogin: A1("CurrentLoginTime"),
    tis: A1("TimeInState"),
    maxTalk: A1("MaxTalk"),
    occupancy: A1("Occupancy"),
    cph: A1("CallsPerHour"),
    readyG1: req("GroupAgents", "G1", "ReadyAgents"),
    talkingT: req("Tenant", "T1", "TalkingAgents"),
    placeTalk: req("Place", "P1", "PlaceTalk"),
    tenantAnsweredQ: req("Tenant", "T1", "AnsweredQ"),
    tenantAnsweredAny: req("Tenant", "T1", "Answered"),
  });
  loggedIn(f);
  test("while waiting", () => {
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1", callType: "Inbound", ani: "555" });
    f.at(12);
    expect(v("waiting")).toBe(1);
    expect(v("entered")).toBe(1);
    expect(v("readyQ")).toBe(1);
    expect(v("loginQ")).toBe(1);
    expect(v("readyG1")).toBe(1);
  });
  test("ringing, answered, released", () => {
    f.ev(15, "EventRinging", { thisDN: "1001", connId: "c1", thisQueue: "8000", callType: "Inbound" });
    f.ev(15, "EventDiverted", { thisDN: "8000", connId: "c1", otherDN: "1001" });
    expect(v("waiting")).toBe(0);
    expect(v("readyQ")).toBe(0);
    f.ev(20, "EventEstablished", { thisDN: "1001", connId: "c1", thisQueue: "8000" });
    f.at(50);
    expect(v("talkingT")).toBe(1);
    expect(v("talk")).toBe(30);
    expect(v("inboundTime")).toBe(0); // an action in progress contributes nothing yet
    f.ev(80, "EventReleased", { thisDN: "1001", connId: "c1" });
    f.ev(80, "EventAgentNotReady", { thisDN: "1001", agentId: "l1", workMode: "AfterCallWork" });
    f.ev(100, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    f.at(110);
    expect(v("entered")).toBe(1);
    expect(v("answered")).toBe(1);
    expect(v("asa")).toBe(10); // queued 10 → answered 20
    expect(v("distributed")).toBe(1);
    expect(v("sl")).toBe(100);
    expect(v("acwQ")).toBe(1);
    expect(v("inbound")).toBe(1);
    expect(v("inboundTime")).toBe(60);
    expect(v("maxTalk")).toBe(60);
    expect(v("talk")).toBe(60);
    expect(v("acw")).toBe(20);
    expect(v("ready")).toBe(15 + 10); // 0–15 and 100–110
    expect(v("ringAsa")).toBe(5);
    expect(v("answeredAgent")).toBe(1);
    expect(v("login")).toBe(110);
    expect(v("curLogin")).toBe(110);
    expect(v("tis")).toBe(10);
    expect(v("occupancy")).toBeCloseTo((100 * 80) / 110, 9); // (60 talk + 20 ACW) / 110 logged in
    expect(v("cph")).toBeCloseTo((3600 * 1) / 110, 9);
    expect(v("placeTalk")).toBe(60);
    expect(v("readyG1")).toBe(1);
    expect(v("talkingT")).toBe(0);
    // a queue-side stat type on the tenant sees the queue's CallAnswered only; a mixed one both
    expect(v("tenantAnsweredQ")).toBe(1);
    expect(v("tenantAnsweredAny")).toBe(2);
  });
});

describe("flow: abandoned in queue", () => {
  const f = new Flow();
  const v = track(f, {
    abandoned: Q("Abandoned"),
    awt: Q("AvgAbandonWait"),
    sl: Q("SL", { timeRange2: "Short" }),
    slNoShort: Q("SL"),
    pct: Q("AbandonPct"),
    entered: Q("Entered"),
    oldest: Q("OldestWait"),
    youngest: Q("YoungestWait"),
    avgCur: Q("AvgCurrentWait"),
    inRange: Q("WaitInRange", { timeRange: "R0_10" }),
    inRangePct: Q("WaitInRangePct", { timeRange: "R0_10" }),
    maxW: Q("MaxWaiting"),
    avgW: Q("AvgWaiting"),
    qg: req("GroupQueues", "QG1", "Waiting"),
  });
  test("two calls wait, one abandons after 3 s, one after 30 s", () => {
    f.ev(0, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(5, "EventQueued", { thisDN: "8000", connId: "c2" });
    f.at(20);
    expect(v("oldest")).toBe(20);
    expect(v("youngest")).toBe(15);
    expect(v("avgCur")).toBe(17.5);
    expect(v("inRange")).toBe(0);
    expect(v("inRangePct")).toBe(0);
    expect(v("qg")).toBe(2);
    expect(v("maxW")).toBe(2);
    f.ev(8, "EventQueued", { thisDN: "8001", connId: "c3" }); // other queue, same group
    expect(v("qg")).toBe(3);
    f.ev(23, "EventAbandoned", { thisDN: "8001", connId: "c3" });
    f.ev(30, "EventAbandoned", { thisDN: "8000", connId: "c1" });
    f.ev(35, "EventQueued", { thisDN: "8000", connId: "c4" });
    f.ev(38, "EventAbandoned", { thisDN: "8000", connId: "c4" });
    f.at(40);
    expect(v("abandoned")).toBe(2);
    expect(v("awt")).toBe((30 + 3) / 2);
    expect(v("entered")).toBe(3);
    expect(v("pct")).toBeCloseTo((100 * 2) / 3, 9);
    // no answered calls: SF = 100·0 / (0 + 2 − short) → 0, with short range: 2 − 1 = 1 → 0
    expect(v("sl")).toBe(0);
    expect(v("slNoShort")).toBe(0);
    expect(v("oldest")).toBe(35); // c2 waits since 5
    // time-average of the waiting count over [0, 40): c1 30 s + c2 35 s + c4 3 s = 68 / 40
    expect(v("avgW")).toBe(68 / 40);
  });
});

describe("flow: abandoned while ringing", () => {
  const f = new Flow();
  const v = track(f, {
    abdRing: Q("AbandonedRinging"),
    abdRingAgent: A1("AbandonedRinging"),
    answered: Q("Answered"),
    sl: Q("SL"),
    state: A1("AgentStatusOnly"),
  });
  loggedIn(f);
  test("caller hangs up during ringing", () => {
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(12, "EventDiverted", { thisDN: "8000", connId: "c1", otherDN: "1001" });
    f.ev(12, "EventRinging", { thisDN: "1001", connId: "c1", thisQueue: "8000" });
    expect(v("state")).toEqual({ status: "CallRinging", since: (Date.UTC(2026, 0, 5, 8) + 12000) / 1000 });
    f.ev(18, "EventAbandoned", { thisDN: "1001", connId: "c1" });
    expect(v("abdRing")).toBe(1);
    expect(v("abdRingAgent")).toBe(1);
    expect(v("answered")).toBe(0);
    expect(v("sl")).toBe(null); // 0 answered + 0 abandoned (in queue) → undefined
    expect((v("state") as { status: string }).status).toBe("WaitForNextCall");
  });
});

describe("flow: hold / retrieve, consult and transfer", () => {
  const f = new Flow();
  const v = track(f, {
    hold: A1("HoldTime"),
    holdN: A1("HoldCount"),
    talk: A1("TalkTime"),
    transfers: A1("TransfersMade"),
    taken: req("Agent", "a2", "TransfersTaken"),
    consult: A1("ConsultCalls"),
    inbound2: req("Agent", "a2", "InboundCalls"),
    state: A1("AgentState"),
  });
  loggedIn(f);
  f.ev(0, "EventAgentLogin", { thisDN: "1002", agentId: "l2" }).ev(0, "EventAgentReady", {
    thisDN: "1002",
    agentId: "l2",
  });
  test("hold hides the call from status and is counted on retrieve", () => {
    f.ev(10, "EventRinging", { thisDN: "1001", connId: "c1", callType: "Inbound" });
    f.ev(12, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(20, "EventHeld", { thisDN: "1001", connId: "c1" });
    const st = v("state") as {
      status: string;
      dns: Record<string, { status: string; actions: { action: string }[] }>;
    };
    expect(st.status).toBe("CallOnHold");
    expect(st.dns["1001"].status).toBe("CallOnHold");
    expect(st.dns["1001"].actions.map((a) => a.action)).toEqual([
      "LoggedIn",
      "WaitForNextCall",
      "CallInbound",
      "CallOnHold",
    ]);
    f.ev(30, "EventRetrieved", { thisDN: "1001", connId: "c1" });
    f.at(30);
    expect(v("hold")).toBe(10);
    expect(v("holdN")).toBe(1);
    expect(v("talk")).toBe(8); // 12–20 inbound, then held
  });
  test("consult call to a2, then transfer", () => {
    f.ev(40, "EventHeld", { thisDN: "1001", connId: "c1" });
    f.ev(40, "EventDialing", { thisDN: "1001", connId: "k1", callType: "Consult", otherDN: "1002" });
    f.ev(41, "EventRinging", { thisDN: "1002", connId: "k1", callType: "Consult" });
    f.ev(43, "EventEstablished", { thisDN: "1002", connId: "k1" });
    f.ev(43, "EventEstablished", { thisDN: "1001", connId: "k1" });
    f.ev(50, "EventReleased", { thisDN: "1001", connId: "k1" });
    f.ev(50, "EventReleased", { thisDN: "1001", connId: "c1", callState: "Transferred" });
    f.ev(50, "EventPartyChanged", {
      thisDN: "1002",
      connId: "c1",
      previousConnId: "k1",
      callType: "Inbound",
    });
    f.at(60);
    expect(v("consult")).toBe(1); // a1's consult leg completed
    expect(v("transfers")).toBe(1);
    expect(v("taken")).toBe(1);
    // hold *status*: 20–30, then 40–43 only: the consult call (43–50) outranks CallOnHold
    expect(v("hold")).toBe(13);
    // a2 keeps the running consult action across the ConnID change
    const st2 = f.value(req("Agent", "a2", "AgentState")) as { status: string };
    expect(st2.status).toBe("CallConsult");
    f.ev(70, "EventReleased", { thisDN: "1002", connId: "c1" });
    expect(v("inbound2")).toBe(0);
  });
});

describe("flow: not ready with reasons, filters and CurrentStateReasons", () => {
  const f = new Flow();
  const v = track(f, {
    nr: A1("NotReadyTime"),
    nrDn: A1("NotReadyTimeDN"),
    nrN: A1("NotReadyNumber"),
    adjT: A1("AdjNotReadyTime"),
    adjN: A1("AdjNotReadyNumber"),
    reasons: A1("AgentStateReasons"),
    nrQuarter: A1("NotReadyTime", { timeProfile: "Quarter" }),
  });
  loggedIn(f);
  test("reason change keeps the status; reasons show in the state", () => {
    f.ev(60, "EventAgentNotReady", {
      thisDN: "1001",
      agentId: "l1",
      workMode: "AuxWork",
      reasons: { ReasonCode: "Break" },
    });
    f.ev(120, "EventAgentNotReady", {
      thisDN: "1001",
      agentId: "l1",
      workMode: "AuxWork",
      reasons: { ReasonCode: "Lunch" },
    });
    const st = v("reasons") as { status: string; reasons: Record<string, string> };
    expect(st.status).toBe("NotReadyForNextCall");
    expect(st.reasons).toEqual({ ReasonCode: "Lunch" });
    f.at(180);
    expect(v("nr")).toBe(120);
    expect(v("nrDn")).toBe(120);
    expect(v("nrN")).toBe(1); // in progress, counted
    expect(v("adjT")).toBe(0); // adjusted: only ended episodes
    expect(v("adjN")).toBe(0);
  });
  test("Growing 15-min reset splits the in-progress status; adjusted counts it whole at its end", () => {
    f.at(900); // 08:15 reset of the Quarter profile
    expect(v("nrQuarter")).toBe(0);
    f.at(960);
    expect(v("nrQuarter")).toBe(60);
    f.ev(1000, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    expect(v("nrQuarter")).toBe(100);
    expect(v("nr")).toBe(940);
    expect(v("adjT")).toBe(940);
    expect(v("adjN")).toBe(1);
  });
});

describe("flow: filters count only the time they held", () => {
  const f = new Flow();
  const v = track(f, {
    goldTalk: A1("InboundTime", { filter: "Gold" }),
    goldWaiting: Q("Waiting", { filter: "Gold" }),
    allWaiting: Q("Waiting"),
  });
  loggedIn(f);
  test("attached data changes mid-call", () => {
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1", userData: { Segment: "Silver" } });
    expect(v("goldWaiting")).toBe(0);
    expect(v("allWaiting")).toBe(1);
    f.ev(11, "EventAttachedDataChanged", { thisDN: "8000", connId: "c1", userData: { Segment: "Gold" } });
    expect(v("goldWaiting")).toBe(1);
    f.ev(12, "EventDiverted", { thisDN: "8000", connId: "c1" });
    f.ev(12, "EventRinging", {
      thisDN: "1001",
      connId: "c1",
      userData: { Segment: "Silver" },
      callType: "Inbound",
    });
    f.ev(14, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(20, "EventAttachedDataChanged", { thisDN: "1001", connId: "c1", userData: { Segment: "Gold" } });
    f.ev(50, "EventAttachedDataChanged", { thisDN: "1001", connId: "c1", userData: { Segment: "Bronze" } });
    f.ev(60, "EventReleased", { thisDN: "1001", connId: "c1" });
    expect(v("goldTalk")).toBe(30); // 20–50 only
  });
});

describe("flow: a filter on the queue's answers sees the call's data", () => {
  const f = new Flow();
  const v = track(f, {
    goldAnswered: Q("Answered", { filter: "Gold" }),
    goldAsa: Q("ASA", { filter: "Gold" }),
    goldSl: Q("SL", { filter: "Gold" }),
    answered: Q("Answered"),
  });
  loggedIn(f);
  test("the answer reflected from the agent's DN carries the data the call was queued with", () => {
    // a Gold call answered after 6 s, a Silver one after 8 s (the agent-side events carry no data)
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1", userData: { Segment: "Gold" } });
    f.ev(12, "EventDiverted", { thisDN: "8000", connId: "c1" });
    f.ev(12, "EventRinging", { thisDN: "1001", connId: "c1", callType: "Inbound", thisQueue: "8000" });
    f.ev(16, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(30, "EventReleased", { thisDN: "1001", connId: "c1" });
    f.ev(31, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    f.ev(40, "EventQueued", { thisDN: "8000", connId: "c2", userData: { Segment: "Silver" } });
    f.ev(44, "EventDiverted", { thisDN: "8000", connId: "c2" });
    f.ev(44, "EventRinging", { thisDN: "1001", connId: "c2", callType: "Inbound", thisQueue: "8000" });
    f.ev(48, "EventEstablished", { thisDN: "1001", connId: "c2" });
    expect(v("answered")).toBe(2);
    // before: the reflected answer had no data, so a filtered answer count was always 0
    expect(v("goldAnswered")).toBe(1);
    expect(v("goldAsa")).toBe(6);
    expect(v("goldSl")).toBe(100);
  });
});

describe("flow: logout mid-call", () => {
  const f = new Flow();
  const v = track(f, {
    loggedIn: req("GroupAgents", "G1", "LoggedInAgents"),
    status: A1("AgentStatusOnly"),
    inboundDn: req("RegDN", "1001", "InboundCalls"),
    inboundAgent: A1("InboundCalls"),
  });
  loggedIn(f);
  test("the call stays on the DN; the agent is LoggedOut", () => {
    f.ev(10, "EventRinging", { thisDN: "1001", connId: "c1", callType: "Inbound" });
    f.ev(11, "EventEstablished", { thisDN: "1001", connId: "c1" });
    expect(v("loggedIn")).toBe(1);
    f.ev(20, "EventAgentLogout", { thisDN: "1001", agentId: "l1" });
    expect(v("loggedIn")).toBe(0);
    expect((v("status") as { status: string }).status).toBe("LoggedOut");
    f.ev(30, "EventReleased", { thisDN: "1001", connId: "c1" });
    expect(v("inboundDn")).toBe(1);
    // the call ended *for the agent* when it left the DN (9 s handled), and fully for the DN
    expect(v("inboundAgent")).toBe(1);
  });
});

describe("flow: link loss and validity", () => {
  const f = new Flow();
  const ids = {
    waiting: f.open(Q("Waiting")),
    ready: f.open(req("GroupAgents", "G1", "ReadyAgents")),
    other: f.open(req("Queue", "8001", "Waiting")),
  };
  test("a node link drops: its DNs are NotMonitored, dependent statistics invalid", () => {
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1", node: "n1" });
    f.ev(0, "EventAgentReady", { thisDN: "1001", agentId: "l1", node: "n1" });
    f.ev(5, "EventQueued", { thisDN: "8000", connId: "c1", node: "n1" });
    f.ev(5, "EventQueued", { thisDN: "8001", connId: "c2", node: "n2" });
    f.eng.drainNotifications();
    f.ev(10, "EventLinkDisconnected", { node: "n1" });
    // the state is kept (a resumed session continues it), the values are invalid; the agent's
    // status is NotMonitored while its DN is
    expect(f.eng.peek(ids.waiting)).toMatchObject({ value: 1, valid: false });
    expect(f.eng.peek(ids.ready)).toMatchObject({ value: 0, valid: false });
    expect(f.eng.peek(ids.other)).toMatchObject({ value: 1, valid: true });
    expect(f.eng.objectStatus("RegDN", "1001")?.status).toBe("NotMonitored");
    const notes = f.eng.drainNotifications();
    expect(
      notes
        .filter((n) => n.reason === "validity")
        .map((n) => n.subscriptionId)
        .sort(),
    ).toEqual([ids.waiting, ids.ready]);
    f.ev(20, "EventLinkConnected", { node: "n1" });
    // a resumed session: the agent is still logged in and ready, the call still waits
    expect(f.eng.peek(ids.waiting)).toMatchObject({ value: 1, valid: true });
    expect(f.eng.objectStatus("Agent", "a1")?.status).toBe("WaitForNextCall");
    expect(f.eng.peek(ids.ready)).toMatchObject({ value: 1, valid: true });
    // and its events go on from there (one missed during the outage, replayed at its own time)
    f.ev(15, "EventAbandoned", { thisDN: "8000", connId: "c1", node: "n1" });
    expect(f.eng.peek(ids.waiting)?.value).toBe(0);
  });
});

describe("flow: blind transfer re-queues the same ConnID", () => {
  const f = new Flow();
  const v = track(f, {
    answered: Q("Answered"),
    asa: Q("ASA"),
    entered: Q("Entered"),
    acwQ: Q("ACWDone"),
  });
  loggedIn(f);
  f.ev(0, "EventAgentLogin", { thisDN: "1002", agentId: "l2" }).ev(0, "EventAgentReady", {
    thisDN: "1002",
    agentId: "l2",
  });
  test("the second answer is measured from the second queueing", () => {
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(12, "EventDiverted", { thisDN: "8000", connId: "c1" });
    f.ev(12, "EventRinging", { thisDN: "1001", connId: "c1", thisQueue: "8000" });
    f.ev(14, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(30, "EventReleased", { thisDN: "1001", connId: "c1", callState: "Transferred" });
    f.ev(30, "EventAgentNotReady", {
      thisDN: "1001",
      agentId: "l1",
      workMode: "AfterCallWork",
      thisQueue: "8000",
    });
    f.ev(30, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(40, "EventDiverted", { thisDN: "8000", connId: "c1" });
    f.ev(40, "EventRinging", { thisDN: "1002", connId: "c1", thisQueue: "8000" });
    f.ev(46, "EventEstablished", { thisDN: "1002", connId: "c1" });
    f.ev(50, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    expect(v("entered")).toBe(2);
    expect(v("answered")).toBe(2);
    expect(v("asa")).toBe((4 + 16) / 2);
    expect(v("acwQ")).toBe(1);
  });
});

describe("flow: snapshot after reconnect", () => {
  const f = new Flow();
  const v = track(f, { talking: req("Tenant", "T1", "TalkingAgents"), hold: A1("HoldTime") });
  test("a held call in the snapshot is an established call on hold", () => {
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1", snapshot: true });
    f.ev(0, "EventHeld", { thisDN: "1001", connId: "c9", callType: "Inbound", snapshot: true });
    expect(f.eng.objectStatus("Agent", "a1")?.status).toBe("CallOnHold");
    f.ev(10, "EventRetrieved", { thisDN: "1001", connId: "c9" });
    expect(v("talking")).toBe(1);
    expect(v("hold")).toBe(10);
  });
});

describe("flow: a busy queue (hand-computed values for the remaining categories)", () => {
  const f = new Flow();
  const def = (category: string, mask: string) => ({
    object: { type: "Queue" as const, id: "8000" },
    definition: {
      category: category as "MinTime",
      subject: "DNAction" as const,
      mainMask: { all: false, include: [mask], exclude: [] },
    },
  });
  const v = track(f, {
    entered: Q("Entered"),
    answered: Q("Answered"),
    abandoned: Q("Abandoned"),
    sl: Q("SL", { timeRange2: "Short" }),
    inRangePct: Q("AnsweredInRangePct"),
    timeInRange: Q("AnsweredTimeInRange"),
    perSec: Q("AnsweredPerSec"),
    minAnswer: def("MinTime", "CallAnswered"),
    maxAnswer: def("MaxTime", "CallAnswered"),
    ewt: Q("EWT"),
    maxWaiting: Q("MaxWaiting"),
    minWaiting: def("MinNumber", "CallWait"),
    waitInRange: Q("WaitInRange", { timeRange: "R0_10" }),
    waitInRangePct: Q("WaitInRangePct", { timeRange: "R0_10" }),
    readyPct: req("GroupAgents", "G1", "ReadyPct"),
    elapsedReady: A1("ElapsedPctReady"),
  });
  loggedIn(f);
  f.ev(0, "EventAgentLogin", { thisDN: "1002", agentId: "l2" }).ev(0, "EventAgentReady", {
    thisDN: "1002",
    agentId: "l2",
  });
  test("five calls: two answered (8 s, 30 s), two abandoned (3 s, 40 s), one waiting", () => {
    f.ev(0, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(5, "EventDiverted", { thisDN: "8000", connId: "c1", otherDN: "1001" });
    f.ev(5, "EventRinging", { thisDN: "1001", connId: "c1", thisQueue: "8000", callType: "Inbound" });
    f.ev(8, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c2" });
    f.at(12); // waiting: c2
    f.ev(13, "EventAbandoned", { thisDN: "8000", connId: "c2" });
    f.ev(20, "EventQueued", { thisDN: "8000", connId: "c3" });
    f.at(25); // c3
    f.ev(30, "EventQueued", { thisDN: "8000", connId: "c4" });
    f.at(35); // c3, c4
    f.ev(45, "EventDiverted", { thisDN: "8000", connId: "c3", otherDN: "1002" });
    f.ev(45, "EventRinging", { thisDN: "1002", connId: "c3", thisQueue: "8000", callType: "Inbound" });
    f.ev(50, "EventEstablished", { thisDN: "1002", connId: "c3" });
    f.ev(60, "EventReleased", { thisDN: "1001", connId: "c1" });
    f.at(60); // c4
    f.ev(70, "EventAbandoned", { thisDN: "8000", connId: "c4" });
    f.at(75); // none
    f.ev(80, "EventQueued", { thisDN: "8000", connId: "c5" });
    f.at(85);
    expect(v("waitInRange")).toBe(1); // c5 has waited 5 s: in [0, 10)
    expect(v("waitInRangePct")).toBe(100);
    f.at(100);
    expect(v("waitInRange")).toBe(0); // 20 s
    expect(v("waitInRangePct")).toBe(0);
    expect([v("entered"), v("answered"), v("abandoned")]).toEqual([5, 2, 2]);
    // answered within 0–20 s: 1 (8 s); abandoned within the short range 0–5 s: 1 (3 s)
    expect(v("sl")).toBeCloseTo(100 / 3, 9); // 100 × 1 / (2 + 2 − 1)
    expect(v("inRangePct")).toBe(50);
    expect(v("timeInRange")).toBe(8);
    expect(v("perSec")).toBe(0.02); // 2 answered / 100 s
    expect(v("minAnswer")).toBe(8);
    expect(v("maxAnswer")).toBe(30);
    // 4 CallWait ended in 100 s, 1 waiting: (1 + 1) × 100 / 4
    expect(v("ewt")).toBe(50);
    // samples at open and ticks 12, 25, 35, 60, 75, 85, 100: 0, 1, 1, 2, 1, 0, 1, 1
    expect(v("maxWaiting")).toBe(2);
    expect(v("minWaiting")).toBe(0);
    // a1 ready, a2 talking: 1 of 2 logged-in agents
    expect(v("readyPct")).toBe(50);
    // a1 ready 0–5 and 60–100 of 100 s
    expect(v("elapsedReady")).toBe(45);
  });
});
