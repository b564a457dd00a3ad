/**
 * A place whose agent logs out during a call is LoggedOut from the logout (docs/semantics.md §3
 * "Place status"), on one engine and on a cluster of 1 and 3 partitions: the call goes on on the
 * DN, but a DN without a logged-in agent gives the place no status.
 */
import { describe, expect, test } from "bun:test";
import { LocalCluster } from "../cluster/local.ts";
import type { StatTypeDef, StatValue, TEvent } from "../definitions.ts";
import { parseMask } from "../mask.ts";
import { Engine } from "./engine.ts";
import { fixtureConfig } from "./testing.ts";
import type { OpenRequest } from "./types.ts";

const DAY = Date.UTC(2026, 0, 5, 0, 0, 0);
/** epoch ms of HH:MM:SS on the test day */
const at = (hms: string): number => {
  const [h, m, s] = hms.split(":").map(Number);
  return DAY + ((h! * 60 + m!) * 60 + s!) * 1000;
};

const TALK = "CallInbound,CallOutbound,CallInternal,CallConsult,CallUnknown";
const LOGGED_IN = "*,~LoggedOut,~NotMonitored";
const PLACE_OBJS: StatTypeDef["objects"] = ["Place", "GroupPlaces"];
function st(name: string, category: StatTypeDef["category"], subject: StatTypeDef["subject"], main: string) {
  const objects: StatTypeDef["objects"] =
    subject === "AgentStatus"
      ? ["Agent", "GroupAgents"]
      : subject === "GroupStatus"
        ? ["GroupPlaces"]
        : PLACE_OBJS;
  return { name, objects, category, subject, mainMask: parseMask(main) } satisfies StatTypeDef;
}

/** agent002 on DN 7002 in place7002, queue 8002 (the demo's naming), groups of one. */
function oneAgentConfig(): ReturnType<typeof fixtureConfig> {
  const c = fixtureConfig();
  c.directory = {
    tenants: [{ id: "demo" }],
    dns: [
      { id: "7002", tenant: "demo", type: "Extension", place: "place7002" },
      { id: "8002", tenant: "demo", type: "ACDQueue" },
    ],
    places: [{ id: "place7002", tenant: "demo" }],
    agents: [{ id: "agent002", tenant: "demo", loginIds: ["agent002"] }],
    agentGroups: [{ id: "group2", tenant: "demo", agents: ["agent002"], originationDns: ["8002"] }],
    placeGroups: [{ id: "allPlaces", tenant: "demo", places: ["place7002"], originationDns: [] }],
    queueGroups: [],
  };
  const types = [
    st("PlaceTalkTime", "TotalTime", "PlaceStatus", TALK),
    st("PlaceLoginTime", "TotalTime", "PlaceStatus", LOGGED_IN),
    st("PlacesLoggedIn", "CurrentNumber", "PlaceStatus", LOGGED_IN),
    st("PlacesTalking", "CurrentNumber", "PlaceStatus", TALK),
    st("PlaceState", "CurrentState", "PlaceStatus", "*"),
    st("PlaceGroupState", "CurrentState", "GroupStatus", "*"),
    st("AgentTalkTime", "TotalTime", "AgentStatus", TALK),
    st("AgentLoginTime", "TotalTime", "AgentStatus", LOGGED_IN),
  ];
  for (const t of types) c.statTypes[t.name] = t;
  return c;
}

const ev = (hms: string, event: string, attrs: Partial<TEvent>): TEvent =>
  ({ event, time: at(hms) / 1000, node: "node2", ...attrs }) as TEvent;
const CALL = { connId: "0002000000000001", callType: "Inbound" as const, thisQueue: "8002" };

/** The brief's sequence: login 08:00, call answered 08:06:45, logout 08:07:30, release 08:08:20. */
function logoutMidCall(ringingOnly = false): TEvent[] {
  const out = [
    ev("08:00:00", "EventAgentLogin", { thisDN: "7002", agentId: "agent002", thisQueue: "8002" }),
    ev("08:00:00", "EventAgentReady", { thisDN: "7002", agentId: "agent002" }),
    ev("08:06:30", "EventQueued", { thisDN: "8002", ...CALL }),
    ev("08:06:38", "EventDiverted", { thisDN: "8002", otherDN: "7002", ...CALL }),
    ev("08:06:38", "EventRinging", { thisDN: "7002", agentId: "agent002", ...CALL }),
  ];
  if (!ringingOnly)
    out.push(ev("08:06:45", "EventEstablished", { thisDN: "7002", agentId: "agent002", ...CALL }));
  out.push(
    ev("08:07:30", "EventAgentLogout", { thisDN: "7002", agentId: "agent002" }),
    ev("08:08:20", "EventReleased", { thisDN: "7002", ...CALL }),
  );
  return out;
}

const R = {
  placeTalk: { object: { type: "Place", id: "place7002" }, statType: "PlaceTalkTime" },
  placeLogin: { object: { type: "Place", id: "place7002" }, statType: "PlaceLoginTime" },
  placeState: { object: { type: "Place", id: "place7002" }, statType: "PlaceState" },
  groupLoggedIn: { object: { type: "GroupPlaces", id: "allPlaces" }, statType: "PlacesLoggedIn" },
  groupTalking: { object: { type: "GroupPlaces", id: "allPlaces" }, statType: "PlacesTalking" },
  groupState: { object: { type: "GroupPlaces", id: "allPlaces" }, statType: "PlaceGroupState" },
  agentTalk: { object: { type: "Agent", id: "agent002" }, statType: "AgentTalkTime" },
  agentLogin: { object: { type: "Agent", id: "agent002" }, statType: "AgentLoginTime" },
} satisfies Record<string, OpenRequest>;

/** With 3 partitions the DN, the agent and the place each have another owner (the queue is the agent's). */
const SPLIT: Record<string, number> = {
  "dn:7002": 0,
  "agent:agent002": 1,
  "place:place7002": 2,
  "dn:8002": 1,
};

/** Values of {@link R} after feeding `evs` to a cluster of `n` partitions, read at `readAt`. */
function run(n: number, evs: TEvent[], readAt: number, stopAt = Number.POSITIVE_INFINITY) {
  const c = new LocalCluster({
    config: oneAgentConfig(),
    instances: n,
    startMs: at("08:00:00"),
    ...(n === 3 ? { owner: (k: string) => SPLIT[k] ?? 0 } : {}),
  });
  const h: Record<string, number> = {};
  for (const [k, r] of Object.entries(R)) {
    const o = c.open(r);
    if ("error" in o) throw new Error(`${k}: ${o.error.message}`);
    h[k] = o.handle;
  }
  for (const e of evs) {
    if (e.time * 1000 > stopAt) break;
    const r = c.ingest(e);
    if (!r.ok) throw new Error(`${e.event}: ${r.reason}`);
  }
  c.tick(readAt);
  const out: Record<string, StatValue> = {};
  for (const k of Object.keys(R)) out[k] = c.value(h[k]!, readAt).value;
  return out;
}

describe("a place whose agent logs out mid-call", () => {
  for (const n of [1, 3]) {
    test(`is LoggedOut from the logout, not from the release (${n} partition${n > 1 ? "s" : ""})`, () => {
      const v = run(n, logoutMidCall(), at("08:08:30"));
      expect(v.placeTalk).toBe(45);
      expect(v.placeLogin).toBe(450);
      expect(v.agentTalk).toBe(45);
      expect(v.agentLogin).toBe(450);
      expect(v.groupLoggedIn).toBe(0);
      expect(v.groupTalking).toBe(0);
      expect(v.placeState).toEqual({ status: "LoggedOut", since: at("08:07:30") / 1000 });
      expect(v.groupState).toEqual({
        status: "LoggedOut",
        counts: { LoggedOut: 1 },
        members: { place7002: "LoggedOut" },
      });
    });

    test(`between the logout and the release the place is already LoggedOut (${n})`, () => {
      const v = run(n, logoutMidCall(), at("08:08:00"), at("08:08:00"));
      expect(v.groupLoggedIn).toBe(0);
      expect(v.groupTalking).toBe(0);
      expect(v.placeTalk).toBe(45);
      expect((v.placeState as { status: string }).status).toBe("LoggedOut");
    });

    test(`a logout while ringing ends the place's ringing status too (${n})`, () => {
      const v = run(n, logoutMidCall(true), at("08:08:30"));
      expect(v.placeLogin).toBe(450);
      expect(v.placeState).toEqual({ status: "LoggedOut", since: at("08:07:30") / 1000 });
      expect(v.groupLoggedIn).toBe(0);
    });
  }

  test("a single engine agrees (the DN keeps the call)", () => {
    const e = new Engine({ config: oneAgentConfig(), startMs: at("08:00:00") });
    for (const x of logoutMidCall().slice(0, -1)) expect(e.ingest(x).ok).toBe(true);
    expect(e.objectStatus("RegDN", "7002")?.status).toBe("CallInbound");
    expect(e.objectStatus("Place", "place7002")).toEqual({
      status: "LoggedOut",
      since: at("08:07:30") / 1000,
    });
    expect(e.objectStatus("Agent", "agent002")?.status).toBe("LoggedOut");
  });
});
