/**
 * The logged-in span (docs/semantics.md §4): statistics whose mask is exactly the logged-in
 * statuses and whose value does not see episode boundaries (TotalTime, CurrentNumber,
 * ElapsedTimePercentage) are counted over an agent's or place's logged-in span, not over each
 * status episode. Property: their values equal those of the same definitions counted over status
 * episodes (made ineligible by a filter that always holds), on agents, places, their groups and
 * the tenant, for Growing, 15-min and SinceLogin profiles, opened before the stream and in the
 * middle of it, over random valid streams with link loss. And an event older than a statistic's
 * open time never makes a time negative.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { Category, ObjectType } from "../definitions.ts";
import { parseMask } from "../mask.ts";
import { Engine } from "./engine.ts";
import { simulate } from "./simulate.ts";
import { Flow, fixtureConfig, req, T0 } from "./testing.ts";
import type { OpenRequest } from "./types.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 40,
);

const LOGGED_IN = parseMask("*, ~LoggedOut, ~NotMonitored");
const OBJECTS: [ObjectType, string, "AgentStatus" | "PlaceStatus"][] = [
  ["Agent", "a1", "AgentStatus"],
  ["Agent", "a3", "AgentStatus"],
  ["GroupAgents", "G1", "AgentStatus"],
  ["Tenant", "T1", "AgentStatus"],
  ["Place", "P1", "PlaceStatus"],
  ["GroupPlaces", "PG1", "PlaceStatus"],
];
const CATEGORIES: Category[] = ["TotalTime", "CurrentNumber", "ElapsedTimePercentage"];
const PROFILES = [{}, { timeProfile: "Quarter" }, { timeProfile: "Login" }];

function config() {
  const c = fixtureConfig();
  // holds for every action: the same statistic, but not eligible for the span
  c.filters.Always = { name: "Always", expression: 'not PairExists("NoSuchKey", "x")' };
  return c;
}

/** [span statistic, the same counted over status episodes] for every combination. */
function pairs(): [OpenRequest, OpenRequest][] {
  const out: [OpenRequest, OpenRequest][] = [];
  for (const [type, id, subject] of OBJECTS)
    for (const category of CATEGORIES)
      for (const p of PROFILES) {
        if (p.timeProfile === "Login" && type !== "Agent") continue;
        const r: OpenRequest = {
          object: { type, id },
          definition: { category, subject, mainMask: LOGGED_IN },
          notification: { mode: "none" },
          ...p,
        };
        out.push([r, { ...r, filter: "Always" }]);
      }
  return out;
}

describe("logged-in span", () => {
  test("values equal those counted over status episodes (random streams, early and late opens)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(10_000), { minLength: 20, maxLength: 160 }),
        fc.nat(100),
        (cmds, lateAt) => {
          const eng = new Engine({ config: config(), startMs: T0 });
          const ids: [number, number][] = [];
          const openAll = (): void => {
            for (const [a, b] of pairs()) {
              const x = eng.open(a);
              const y = eng.open(b);
              if ("error" in x || "error" in y) throw new Error(JSON.stringify([x, y]));
              ids.push([x.statId, y.statId]);
            }
          };
          const check = (): void => {
            for (const [x, y] of ids) expect(eng.peek(x)!.value).toEqual(eng.peek(y)!.value);
          };
          openAll();
          const evs = simulate(cmds, { linkLoss: true });
          evs.forEach((ev, i) => {
            eng.ingest(ev);
            if (i === lateAt % Math.max(1, evs.length)) openAll();
            if (i % 5 === 0) {
              eng.tick(ev.time * 1000 + 250);
              check();
            }
          });
          check();
        },
      ),
      { numRuns: RUNS },
    );
  });

  test("a status counted over the span: LoginTime and LoggedInAgents through a call, ACW and logout", () => {
    const f = new Flow();
    const login = req("Agent", "a1", "LoginTime");
    const inGroup = req("GroupAgents", "G1", "LoggedInAgents");
    f.open(login);
    f.open(inGroup);
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" }).ev(1, "EventAgentReady", {
      thisDN: "1001",
      agentId: "l1",
    });
    f.ev(10, "EventRinging", { thisDN: "1001", connId: "c1", callType: "Inbound" });
    f.ev(12, "EventEstablished", { thisDN: "1001", connId: "c1" });
    f.ev(40, "EventReleased", { thisDN: "1001", connId: "c1" });
    f.ev(40, "EventAgentNotReady", { thisDN: "1001", agentId: "l1", workMode: "AfterCallWork" });
    f.at(50);
    expect(f.value(login)).toBe(50);
    expect(f.value(inGroup)).toBe(1);
    f.ev(60, "EventAgentLogout", { thisDN: "1001", agentId: "l1" });
    f.at(100);
    expect(f.value(login)).toBe(60);
    expect(f.value(inGroup)).toBe(0);
  });

  test("an event older than the open time credits nothing, never a negative time", () => {
    const f = new Flow();
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" }).ev(1, "EventAgentReady", {
      thisDN: "1001",
      agentId: "l1",
    });
    // another DN's later event moves the clock to 100 s; the statistics open then
    f.ev(100, "EventAgentLogin", { thisDN: "1002", agentId: "l2" });
    const ready = req("Agent", "a1", "ReadyTime");
    const notReady = req("Agent", "a1", "NotReadyTime");
    f.open(ready);
    f.open(notReady);
    // a1's NotReady arrives late: its source time (50 s) is before the open
    f.ev(50, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    expect(f.value(ready)).toBe(0);
    expect(f.value(notReady)).toBe(0);
    f.at(110);
    expect(f.value(ready)).toBe(0);
    expect(f.value(notReady)).toBe(10);
  });
});
