import { describe, expect, test } from "bun:test";
import { OBJECT_TYPES, type ObjectType } from "../definitions.ts";
import { Directory } from "../engine/directory.ts";
import { Engine } from "../engine/engine.ts";
import type { OpenRequest } from "../engine/types.ts";
import { parseMask } from "../mask.ts";
import { type RequestKey, requestResolver, resolveDefinition, resolveRequest } from "./request.ts";
import { loadEngineConfig } from "./resolve.ts";
import { ONE_OF_EACH_ID, ONE_OF_EACH_TOML } from "./testing.ts";

const CONFIG = loadEngineConfig(`${ONE_OF_EACH_TOML}
[timeProfiles.Slide]
type = "Sliding"
length = 60
step = 10
[filters]
Gold = 'userData.Segment = "Gold"'
[statTypes.PeakWaiting]
objects = ["Queue"]
category = "MaxNumber"
mainMask = "CallWait"
`);
const on = (type: ObjectType, rest: Partial<OpenRequest> = {}): OpenRequest => ({
  object: { type, id: ONE_OF_EACH_ID[type] },
  ...rest,
});

/** Requests the resolution refuses: [request, code, key, message]. */
const REFUSED: [OpenRequest, string, RequestKey, string][] = [
  [{} as OpenRequest, "bad-request", "object", "object is required"],
  [
    { object: { type: "Agent", id: "nobody" }, statType: "TotalTalkTime" },
    "unknown-object",
    "object.id",
    'no Agent "nobody" in the directory',
  ],
  [
    { object: { type: "Agent", id: "a1", tenant: "t2" }, statType: "TotalTalkTime" },
    "unknown-object",
    "object.tenant",
    'Agent "a1" is not in tenant "t2"',
  ],
  [on("Queue", { statType: "Nope" }), "unknown-stat-type", "statType", 'no stat type "Nope"'],
  [on("Queue", { statType: "constructor" }), "unknown-stat-type", "statType", 'no stat type "constructor"'],
  [
    on("Queue", { statType: "TotalTalkTime" }),
    "object-type-not-supported",
    "statType",
    "stat type TotalTalkTime does not apply to Queue",
  ],
  [on("Queue"), "bad-request", "statType", "statType or definition is required"],
  [
    on("Place", {
      definition: { category: "TotalTime", subject: "AgentStatus", mainMask: parseMask("WaitForNextCall") },
    }),
    "subject-not-supported",
    "definition",
    "subject AgentStatus does not apply to Place",
  ],
  [
    on("GroupAgents", {
      definition: { category: "CurrentNumber", subject: "GroupStatus", mainMask: parseMask("*") },
    }),
    "category-not-supported",
    "definition",
    "subject GroupStatus supports CurrentState only",
  ],
  [
    on("Tenant", { definition: { category: "CurrentState", subject: "DNAction", mainMask: parseMask("*") } }),
    "category-not-supported",
    "definition",
    "CurrentState is not available for a Tenant",
  ],
  [
    on("GroupAgents", {
      definition: { category: "CurrentContinuousTime", subject: "AgentStatus", mainMask: parseMask("*") },
    }),
    "category-not-supported",
    "definition",
    "CurrentContinuousTime needs RegDN+DNAction/DNStatus, Agent+AgentStatus or Place+PlaceStatus",
  ],
  [
    on("Agent", {
      definition: { category: "RelativeTimePercentage", subject: "AgentStatus", mainMask: parseMask("*") },
    }),
    "relmask-required",
    "definition",
    "RelativeTimePercentage needs a relMask",
  ],
  [
    on("Queue", { statType: "CurrNumberWaitingCalls", timeProfile: "Nope" }),
    "unknown-time-profile",
    "timeProfile",
    'no time profile "Nope"',
  ],
  [
    on("Queue", { statType: "TotalNumberCallsEntered", timeProfile: "SinceLogin" }),
    "time-profile-not-supported",
    "timeProfile",
    "SinceLogin applies to Agent objects only",
  ],
  [
    on("Queue", { statType: "PeakWaiting", timeProfile: "Slide" }),
    "time-profile-not-supported",
    "timeProfile",
    "MaxNumber needs a Growing or SinceLogin profile",
  ],
  [
    on("Queue", { statType: "ServiceFactor", timeRange: "Nope" }),
    "unknown-time-range",
    "timeRange",
    'no time range "Nope"',
  ],
  [
    on("Queue", { statType: "ServiceFactor", timeRange2: "Nope" }),
    "unknown-time-range",
    "timeRange2",
    'no time range "Nope"',
  ],
  [
    on("Queue", { statType: "TotalNumberCallsEntered", filter: "Nope" }),
    "unknown-filter",
    "filter",
    'no filter "Nope"',
  ],
];

describe("resolveRequest", () => {
  const dir = new Directory(CONFIG.directory);
  for (const [req, code, key, message] of REFUSED)
    test(`${code} (${key}): ${message}`, () => {
      expect(resolveRequest(CONFIG, dir, req)).toEqual({ error: { code, message }, key });
    });

  test("the engine refuses exactly what the resolution refuses, with the same code and message", () => {
    const eng = new Engine({ config: CONFIG });
    for (const [req, code, , message] of REFUSED) expect(eng.open(req)).toEqual({ error: { code, message } });
    const ok = on("Queue", { statType: "ServiceFactor", timeRange: "SL30", timeRange2: "ShortAbandon" });
    expect("error" in resolveRequest(CONFIG, dir, ok)).toBe(false);
    expect("statId" in eng.open(ok)).toBe(true);
  });

  test("a resolved request: object, definition, profile, ranges, filter", () => {
    const r = resolveRequest(
      CONFIG,
      dir,
      on("Queue", {
        statType: "ServiceFactor",
        timeRange: "SL30",
        timeRange2: "ShortAbandon",
        filter: "Gold",
      }),
    );
    if ("error" in r) throw new Error(r.error.message);
    expect(r.obj).toBe(dir.obj("Queue", "8001")!);
    expect(r.def).toBe(CONFIG.statTypes.ServiceFactor);
    expect(r.side).toBeNull();
    expect(r.profile).toBe(CONFIG.timeProfiles.Default);
    expect(r.range).toEqual({ name: "SL30", lo: 0, hi: 30 });
    expect(r.range2).toEqual({ name: "ShortAbandon", lo: 0, hi: 5 });
    expect(r.filter?.evaluate({ userData: { Segment: "Gold" } })).toBe(true);
    // a category without a range gets none unless the request names one
    const t = resolveRequest(CONFIG, dir, on("Queue", { statType: "TotalNumberCallsEntered" }));
    expect("error" in t ? t : t.range).toBeNull();
  });

  test("a tenant statistic attaches to the side of its stat type's objects", () => {
    const side = (statType: string) => {
      const r = resolveRequest(CONFIG, dir, on("Tenant", { statType }));
      if ("error" in r) throw new Error(r.error.message);
      return [r.side, r.obj];
    };
    expect(side("CurrNumberWaitingCalls")).toEqual(["queue", dir.tenantFor("t1", "queue")!]);
    expect(side("CurrAgentsLoggedIn")).toEqual(["agent", dir.tenantFor("t1", "agent")!]);
    const inline = resolveRequest(
      CONFIG,
      dir,
      on("Tenant", {
        definition: { category: "TotalNumber", subject: "DNAction", mainMask: parseMask("*") },
      }),
    );
    expect("error" in inline ? inline : inline.side).toBe("any");
  });

  test("a config without Default profile or range still resolves them (hand-built configs)", () => {
    const bare = { ...CONFIG, timeProfiles: {}, timeRanges: {} };
    const r = resolveDefinition(bare, "Queue", on("Queue", { statType: "ServiceFactor" }));
    if ("error" in r) throw new Error(r.error.message);
    expect(r.profile).toMatchObject({ name: "Default", type: "Growing", timeZone: "UTC" });
    expect(r.range).toEqual({ name: "Default", lo: 0, hi: 20 });
  });

  test("filters compile once per name into the cache given", () => {
    const cache = new Map();
    resolveRequest(CONFIG, dir, on("Queue", { statType: "TotalNumberCallsEntered", filter: "Gold" }), cache);
    const f = cache.get("Gold");
    expect(f).toBeDefined();
    const r = resolveRequest(
      CONFIG,
      dir,
      on("Agent", { statType: "TotalNumberInboundCalls", filter: "Gold" }),
      cache,
    );
    expect("error" in r ? r : r.filter).toBe(f);
  });

  test("requestResolver opens over the config's own directory", () => {
    const open = requestResolver(CONFIG);
    for (const type of OBJECT_TYPES) {
      const r = open(
        on(type, { definition: { category: "TotalNumber", subject: "DNAction", mainMask: parseMask("*") } }),
      );
      expect("error" in r ? r.error.message : r.obj.id).toBe(ONE_OF_EACH_ID[type]);
    }
  });
});
