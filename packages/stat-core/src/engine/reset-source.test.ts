/**
 * A node's stream reset (node restart, session not resumable) and its link validity, as the
 * daemon drives them (docs/semantics.md §8): `resetSource` drops what the node's streams built,
 * the snapshot that follows is the truth for current statistics, Growing totals from before the
 * reset are kept and nothing is counted twice; a resumed session keeps the agent's login. On one
 * engine and on clusters of 1 and 3 partitions.
 */
import { describe, expect, test } from "bun:test";
import { LocalCluster } from "../cluster/local.ts";
import { loadEngineConfig as loadConfig } from "../config/mod.ts";
import type { StatValue, TEvent } from "../definitions.ts";
import type { Engine } from "./engine.ts";
import type { OpenRequest } from "./types.ts";

/** Two agents on two nodes, with the demo's naming: node1 feeds 7001/8001, node2 feeds 7002/8002. */
const CONFIG = loadConfig(`
[directory]
tenants = [{ id = "demo" }]
dns = [
  { id = "7001", tenant = "demo", type = "Extension", place = "place7001" },
  { id = "7002", tenant = "demo", type = "Extension", place = "place7002" },
  { id = "8001", tenant = "demo", type = "ACDQueue" },
  { id = "8002", tenant = "demo", type = "ACDQueue" },
]
places = [{ id = "place7001", tenant = "demo" }, { id = "place7002", tenant = "demo" }]
agents = [
  { id = "agent001", tenant = "demo", loginIds = ["agent001"] },
  { id = "agent002", tenant = "demo", loginIds = ["agent002"] },
]
agentGroups = [
  { id = "group1", tenant = "demo", agents = ["agent001"], originationDns = ["8001"] },
  { id = "group2", tenant = "demo", agents = ["agent002"], originationDns = ["8002"] },
]
`);
const DAY = Date.UTC(2026, 0, 5);
const at = (hms: string): number => {
  const [h, m, s] = hms.split(":").map(Number);
  return DAY + ((h! * 60 + m!) * 60 + s!) * 1000;
};
const NODE: Record<string, string> = { "7001": "node1", "8001": "node1", "7002": "node2", "8002": "node2" };
const ev = (hms: string, event: string, a: Partial<TEvent>, snapshot = false): TEvent =>
  ({
    event,
    time: at(hms) / 1000,
    node: NODE[a.thisDN!],
    ...a,
    ...(snapshot ? { snapshot: true } : {}),
  }) as TEvent;
const call = (id: string, q: string) => ({ connId: id, callType: "Inbound" as const, thisQueue: q });

/** Both agents ready at 08:00; two calls wait on 8002 and one is answered at 7002 (node2); one waits on 8001. */
const BEFORE: TEvent[] = [
  ev("08:00:00", "EventAgentLogin", { thisDN: "7001", agentId: "agent001", thisQueue: "8001" }),
  ev("08:00:00", "EventAgentReady", { thisDN: "7001", agentId: "agent001" }),
  ev("08:00:00", "EventAgentLogin", { thisDN: "7002", agentId: "agent002", thisQueue: "8002" }),
  ev("08:00:00", "EventAgentReady", { thisDN: "7002", agentId: "agent002" }),
  ev("08:05:00", "EventQueued", { thisDN: "8002", ...call("c1", "8002") }),
  ev("08:05:30", "EventQueued", { thisDN: "8002", ...call("c2", "8002") }),
  ev("08:06:30", "EventQueued", { thisDN: "8002", ...call("c3", "8002") }),
  ev("08:06:38", "EventDiverted", { thisDN: "8002", otherDN: "7002", ...call("c3", "8002") }),
  ev("08:06:38", "EventRinging", { thisDN: "7002", agentId: "agent002", ...call("c3", "8002") }),
  ev("08:06:45", "EventEstablished", { thisDN: "7002", agentId: "agent002", ...call("c3", "8002") }),
  ev("08:07:00", "EventQueued", { thisDN: "8001", ...call("c4", "8001") }),
];
const RESET_AT = at("08:10:00");
/** node2's snapshot after its restart: agent002 logged in since 08:00, ready since 08:10, a call waiting since 08:09:50. */
const SNAPSHOT: TEvent[] = [
  ev("08:00:00", "EventAgentLogin", { thisDN: "7002", agentId: "agent002", thisQueue: "8002" }, true),
  ev("08:10:00", "EventAgentReady", { thisDN: "7002", agentId: "agent002" }, true),
  ev("08:09:50", "EventQueued", { thisDN: "8002", ...call("c5", "8002") }, true),
];
const READ_AT = at("08:12:00");

const Q = (id: string, statType: string): OpenRequest => ({ object: { type: "Queue", id }, statType });
const AG = (id: string, statType: string): OpenRequest => ({ object: { type: "Agent", id }, statType });
const GA = (id: string, statType: string): OpenRequest => ({ object: { type: "GroupAgents", id }, statType });
/** Current statistics of node2's objects: after the reset, what a fresh engine given the snapshot shows. */
const CURRENT: Record<string, OpenRequest> = {
  waiting: Q("8002", "CurrNumberWaitingCalls"),
  maxWait: Q("8002", "CurrMaxWaitTime"),
  readyForQueue: Q("8002", "CurrAgentsReadyForQueue"),
  loggedInForQueue: Q("8002", "CurrAgentsLoggedInForQueue"),
  state: AG("agent002", "CurrentAgentState"),
  loginTime: AG("agent002", "Current_Login_Time"),
  timeInState: AG("agent002", "TimeInCurrentState"),
  groupLoggedIn: GA("group2", "CurrAgentsLoggedIn"),
  groupReady: GA("group2", "CurrentReadyAgents"),
  groupTalking: GA("group2", "CurrAgentsTalking"),
};
const TOTALS: Record<string, OpenRequest> = {
  entered: Q("8002", "TotalNumberCallsEntered"),
  answered: Q("8002", "TotalNumberCallsAnswered"),
  abandoned: Q("8002", "TotalNumberCallsAbandoned"),
  talk: AG("agent002", "TotalTalkTime"),
  login: AG("agent002", "TotalLoginTime"),
  ready: AG("agent002", "TotalReadyTime"),
  // node1's objects are not touched by node2's reset
  waiting1: Q("8001", "CurrNumberWaitingCalls"),
  maxWait1: Q("8001", "CurrMaxWaitTime"),
  login1: AG("agent001", "TotalLoginTime"),
  ready1: GA("group1", "CurrentReadyAgents"),
};
const ALL = { ...CURRENT, ...TOTALS };

/** A partition set driven like the daemon: events in, node calls on every partition, read merged values. */
interface Driver {
  ingest(e: TEvent): void;
  node(f: (e: Engine) => void, t: number): void;
  read(now: number): Record<string, { value: StatValue; valid: boolean }>;
}
function cluster(n: number, split: boolean): Driver {
  const owner: Record<string, number> = {
    "dn:7002": 0,
    "agent:agent002": 1,
    "place:place7002": 2,
    "dn:8002": 2,
    "dn:7001": 1,
    "agent:agent001": 0,
    "place:place7001": 1,
    "dn:8001": 0,
  };
  const c = new LocalCluster({
    config: CONFIG,
    instances: n,
    startMs: at("08:00:00"),
    ...(split ? { owner: (k: string) => owner[k] ?? 0 } : {}),
  });
  const h: Record<string, number> = {};
  for (const [k, r] of Object.entries(ALL)) {
    const o = c.open(r);
    if ("error" in o) throw new Error(`${k}: ${o.error.message}`);
    h[k] = o.handle;
  }
  return {
    ingest: (e) => {
      const r = c.ingest(e);
      if (!r.ok) throw new Error(`${e.event}: ${r.reason}`);
    },
    node: (f, t) => {
      for (const e of c.engines) f(e);
      c.tick(t); // delivers the partitions' messages
    },
    read: (now) => {
      c.tick(now);
      return Object.fromEntries(Object.keys(ALL).map((k) => [k, c.value(h[k]!, now)]));
    },
  };
}
const values = (r: Record<string, { value: StatValue }>, keys: string[]) =>
  Object.fromEntries(keys.map((k) => [k, r[k]!.value]));

/** A fresh engine given node2's snapshot only (the truth for node2's current statistics). */
function fresh(): Record<string, StatValue> {
  const d = cluster(1, false);
  for (const e of SNAPSHOT) d.ingest(e);
  return values(d.read(READ_AT), Object.keys(CURRENT));
}

const SETUPS: [string, () => Driver][] = [
  ["one engine", () => cluster(1, false)],
  ["3 partitions, DN / agent / queue owned apart", () => cluster(3, true)],
  ["3 partitions, rendezvous ownership", () => cluster(3, false)],
];

describe("resetSource: a node restart", () => {
  for (const [name, make] of SETUPS) {
    test(`the snapshot is the truth, totals before the reset are kept, nothing counts twice (${name})`, () => {
      const d = make();
      for (const e of BEFORE) d.ingest(e);
      d.node((e) => e.resetSource("node2", RESET_AT), RESET_AT);
      d.node((e) => e.setSourceValid("node2", true, RESET_AT), RESET_AT);
      for (const e of SNAPSHOT) d.ingest(e);
      const r = d.read(READ_AT);
      expect(Object.values(r).every((x) => x.valid)).toBe(true);
      expect(values(r, Object.keys(CURRENT))).toEqual(fresh());
      expect(values(r, Object.keys(CURRENT))).toMatchObject({
        waiting: 1,
        maxWait: 130,
        groupLoggedIn: 1,
        groupReady: 1,
      });
      expect(values(r, Object.keys(TOTALS))).toEqual({
        // c1..c3 entered while seen; c5 entered during the gap (the snapshot is not back-filled)
        entered: 3,
        answered: 1,
        // the lost calls c1, c2 are not abandoned (nor answered, nor cleared)
        abandoned: 0,
        // 08:06:45 → 08:10:00 on the lost call
        talk: 195,
        // 08:00 → 08:12 once, though the snapshot says "logged in since 08:00" again
        login: 720,
        // 08:00 → 08:06:38, then 08:10 → 08:12
        ready: 398 + 120,
        waiting1: 1,
        maxWait1: 300,
        login1: 720,
        ready1: 1,
      });
    });
  }

  test("without the reset the lost calls would wait on (what the daemon must not let happen)", () => {
    const d = cluster(1, false);
    for (const e of [...BEFORE, ...SNAPSHOT]) d.ingest(e);
    expect(values(d.read(READ_AT), ["waiting", "maxWait"])).toEqual({ waiting: 3, maxWait: 420 });
  });

  test("scope 'calls' keeps the agent state learned from the node's T-Controller stream", () => {
    const d = cluster(1, false);
    for (const e of BEFORE) d.ingest(e);
    d.node((e) => e.resetSource("node2", RESET_AT, "calls"), RESET_AT);
    const r = values(d.read(READ_AT), ["waiting", "groupLoggedIn", "groupReady", "groupTalking", "talk"]);
    // the call is gone, the agent is logged in and (still) ready
    expect(r).toEqual({ waiting: 0, groupLoggedIn: 1, groupReady: 1, groupTalking: 0, talk: 195 });
  });

  test("a reset while the link is down ends the node's episodes at the link loss", () => {
    const d = cluster(1, false);
    for (const e of BEFORE) d.ingest(e);
    const lost = at("08:08:00");
    d.node((e) => e.setSourceValid("node2", false, lost), lost);
    expect(d.read(at("08:09:00")).waiting!.valid).toBe(false);
    d.node((e) => e.resetSource("node2", RESET_AT), RESET_AT);
    d.node((e) => e.setSourceValid("node2", true, RESET_AT), RESET_AT);
    const r = d.read(READ_AT);
    expect(values(r, ["waiting", "talk", "login", "groupLoggedIn"])).toEqual({
      waiting: 0,
      talk: 75,
      login: 480,
      groupLoggedIn: 0,
    });
    expect(r.waiting!.valid).toBe(true);
  });
});

describe("setSourceValid: a resumed session", () => {
  for (const [name, make] of SETUPS) {
    test(`the agent stays logged in and the stream continues its state (${name})`, () => {
      const d = make();
      for (const e of BEFORE) d.ingest(e);
      d.node((e) => e.setSourceValid("node2", false, at("08:08:00")), at("08:08:00"));
      // reported twice (both sessions of the node): counted once
      d.node((e) => e.setSourceValid("node2", false, at("08:08:01")), at("08:08:01"));
      const down = d.read(at("08:08:30"));
      expect([down.waiting!.valid, down.groupLoggedIn!.valid, down.waiting1!.valid]).toEqual([
        false,
        false,
        true,
      ]);
      d.node((e) => e.setSourceValid("node2", true, at("08:09:00")), at("08:09:00"));
      d.ingest(ev("08:09:30", "EventReleased", { thisDN: "7002", ...call("c3", "8002") }));
      const r = d.read(READ_AT);
      expect(Object.values(r).every((x) => x.valid)).toBe(true);
      expect(values(r, ["waiting", "groupLoggedIn", "groupReady", "groupTalking", "talk", "login"])).toEqual({
        waiting: 2,
        groupLoggedIn: 1,
        groupReady: 1,
        groupTalking: 0,
        // 08:06:45 → 08:08 and 08:09 → 08:09:30: the outage is not talk time
        talk: 105,
        // 12 minutes but the minute NotMonitored
        login: 660,
      });
      expect((r.state!.value as { status: string }).status).toBe("WaitForNextCall");
    });
  }
});
