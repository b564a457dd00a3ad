/**
 * An episode belongs to the interval in which it ended (docs/semantics.md §4 "Events older than
 * the interval start"): one whose end is stamped before the current interval's start (it arrived
 * after an event of the next interval) credits neither count nor time to the current interval —
 * in every category, for durable actions, statuses and retrospective actions.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { StatDefinition, TEvent } from "../definitions.ts";
import { parseMask } from "../mask.ts";
import { Engine } from "./engine.ts";
import { Flow, fixtureConfig, req, T0 } from "./testing.ts";
import type { OpenRequest } from "./types.ts";

const def = (category: StatDefinition["category"], subject: StatDefinition["subject"], main: string) => ({
  category,
  subject,
  mainMask: parseMask(main),
});
const agent = (d: StatDefinition, timeProfile = "Quarter"): OpenRequest => ({
  object: { type: "Agent", id: "a1" },
  definition: d,
  timeProfile,
});
/** Every historical category on the agent's inbound call, the action and the status, 15-min Growing. */
const CASES: Record<string, OpenRequest> = {
  inboundCalls: req("Agent", "a1", "InboundCalls", { timeProfile: "Quarter" }),
  inboundTime: req("Agent", "a1", "InboundTime", { timeProfile: "Quarter" }),
  maxTalk: req("Agent", "a1", "MaxTalk", { timeProfile: "Quarter" }),
  minTalk: req("Agent", "a1", "MinTalk", { timeProfile: "Quarter" }),
  avgInboundStatus: agent(def("AverageTime", "AgentStatus", "CallInbound")),
  inboundStatusNumber: agent(def("TotalNumber", "AgentStatus", "CallInbound")),
  adjTime: agent(def("TotalAdjustedTime", "DNAction", "CallInbound")),
  adjNumber: agent(def("TotalAdjustedNumber", "DNAction", "CallInbound")),
  adjStatusTime: agent(def("TotalAdjustedTime", "AgentStatus", "CallInbound")),
  inRange: agent(def("TotalNumberInTimeRange", "DNAction", "CallInbound")),
  completed: agent(def("TotalNumber", "DNAction", "CallInboundCompleted")),
  completedTime: agent(def("TotalTime", "DNAction", "CallInboundCompleted")),
  completedDn: req("RegDN", "1001", "InboundCalls", { timeProfile: "Quarter" }),
};
const EMPTY: Record<string, unknown> = {
  inboundCalls: 0,
  inboundTime: 0,
  maxTalk: null,
  minTalk: null,
  avgInboundStatus: null,
  inboundStatusNumber: 0,
  adjTime: 0,
  adjNumber: 0,
  adjStatusTime: 0,
  inRange: 0,
  completed: 0,
  completedTime: 0,
  completedDn: 0,
};

/** a1 logged in on 1001, an inbound call answered at 08:00:15 */
function callUp(): Flow {
  const f = new Flow();
  for (const r of Object.values(CASES)) f.value(r);
  f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
  f.ev(10, "EventRinging", { thisDN: "1001", connId: "c1", callType: "Inbound" });
  f.ev(15, "EventEstablished", { thisDN: "1001", connId: "c1" });
  return f;
}
const values = (f: Flow): Record<string, unknown> =>
  Object.fromEntries(Object.entries(CASES).map(([k, r]) => [k, f.value(r)]));

describe("a late end across a reset", () => {
  test("the release stamped 08:14:59.8, arriving after an event of 08:15:00.3, credits nothing to the new interval", () => {
    const f = callUp();
    // another DN's event moves the clock over the 08:15 boundary first
    f.ev(900.3, "EventQueued", { thisDN: "8000", connId: "q1" });
    f.ev(899.8, "EventReleased", { thisDN: "1001", connId: "c1" });
    f.at(930);
    // (the code before gave 1 call of 0 s, an average of 0 s and 884.8 s of adjusted time)
    expect(values(f)).toEqual(EMPTY);
  });

  test("the same release before the boundary counts in full in its own interval", () => {
    const f = callUp();
    f.ev(899.8, "EventReleased", { thisDN: "1001", connId: "c1" });
    const v = values(f);
    expect(v).toMatchObject({ inboundCalls: 1, inboundTime: 884.8, avgInboundStatus: 884.8, adjTime: 884.8 });
    expect(v.completed).toBe(1);
  });

  test("an end just after the boundary counts in the new interval, with the whole action", () => {
    const f = callUp();
    f.ev(900.3, "EventReleased", { thisDN: "1001", connId: "c1" });
    expect(values(f)).toMatchObject({
      inboundCalls: 1,
      inboundTime: 885.3,
      adjTime: 885.3,
      // the status's time in this interval: 0.3 s
      avgInboundStatus: 0.3,
      inboundStatusNumber: 1,
      adjStatusTime: 885.3,
    });
  });

  test("a retrospective action stamped before the interval start (a late answer) is not counted", () => {
    const f = new Flow();
    const answered = req("Queue", "8000", "Answered", { timeProfile: "Quarter" });
    const asa = req("Queue", "8000", "ASA", { timeProfile: "Quarter" });
    const hold = req("Agent", "a1", "HoldCount", { timeProfile: "Quarter" });
    for (const r of [answered, asa, hold]) f.value(r);
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    f.ev(880, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(890, "EventDiverted", { thisDN: "8000", connId: "c1", otherDN: "1001" });
    f.ev(890, "EventRinging", { thisDN: "1001", connId: "c1", thisQueue: "8000", callType: "Inbound" });
    f.ev(900.5, "EventQueued", { thisDN: "8001", connId: "c2" });
    f.ev(899.5, "EventEstablished", { thisDN: "1001", connId: "c1", thisQueue: "8000" });
    f.ev(899.6, "EventHeld", { thisDN: "1001", connId: "c1" });
    expect([f.value(answered), f.value(asa), f.value(hold)]).toEqual([0, null, 0]);
  });

  test("Sliding and Selection: an end before the open time is not back-filled", () => {
    const cfg = fixtureConfig();
    const e = new Engine({ config: cfg, startMs: T0 });
    const at = (s: number, event: string, a: Partial<TEvent>) =>
      e.ingest({ event, time: (T0 + s * 1000) / 1000, ...a } as TEvent);
    at(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    at(10, "EventEstablished", { thisDN: "1001", connId: "c1", callType: "Inbound" });
    at(40, "EventQueued", { thisDN: "8000", connId: "q1" });
    const ids = ["LastHour", "Last3"].map((p) => {
      const o = e.open(req("Agent", "a1", "InboundCalls", { timeProfile: p }));
      if ("error" in o) throw new Error(o.error.message);
      return o.statId;
    });
    // the statistics opened at 40 s; the release is stamped 30 s
    at(30, "EventReleased", { thisDN: "1001", connId: "c1" });
    expect(ids.map((id) => e.peek(id)?.value)).toEqual([0, 0]);
  });
});

/** Quarter intervals: the start of the one holding `ms`. */
const quarterStart = (ms: number): number => Math.floor(ms / 900_000) * 900_000;

describe("property: count and time follow the interval of the end", () => {
  test("random calls delivered with random delays: only ends in the final interval count, each with its whole duration", () => {
    // ends near the 08:15, 08:30 and 08:45 boundaries, releases up to 5 s late
    const call = fc
      .record({
        quarter: fc.integer({ min: 1, max: 3 }),
        off: fc.integer({ min: -4_000, max: 4_000 }),
        len: fc.integer({ min: 0, max: 600_000 }),
        delay: fc.integer({ min: 0, max: 5_000 }),
      })
      .map(({ quarter, off, len, delay }) => {
        const end = quarter * 900_000 + off;
        return { start: Math.max(0, end - len), len: Math.min(len, end), delay };
      });
    fc.assert(
      fc.property(fc.array(call, { minLength: 1, maxLength: 12 }), (calls) => {
        const cfg = fixtureConfig();
        const e = new Engine({ config: cfg, startMs: T0 });
        const open = (r: OpenRequest): number => {
          const o = e.open(r);
          if ("error" in o) throw new Error(o.error.message);
          return o.statId;
        };
        const ids = {
          n: open(CASES.inboundCalls!),
          t: open(CASES.inboundTime!),
          adj: open(CASES.adjTime!),
          adjN: open(CASES.adjNumber!),
          done: open(CASES.completed!),
          doneT: open(CASES.completedTime!),
        };
        const evs: { at: number; ev: TEvent }[] = [];
        const push = (ms: number, delay: number, event: string, a: Partial<TEvent>): void => {
          evs.push({ at: ms + delay, ev: { event, time: (T0 + ms) / 1000, thisDN: "1001", ...a } as TEvent });
        };
        calls.forEach((c, i) => {
          const connId = `c${i}`;
          push(c.start, 0, "EventEstablished", { connId, callType: "Inbound" });
          // the release may arrive after later-stamped events (up to 5 s late)
          push(c.start + c.len, c.delay, "EventReleased", { connId });
          // another DN's event a second after the end, on time: it may cross the boundary first
          evs.push({
            at: c.start + c.len + 1_000,
            ev: { event: "EventUserEvent", time: (T0 + c.start + c.len + 1_000) / 1000, thisDN: "8000" },
          });
        });
        evs.sort((a, b) => a.at - b.at);
        e.ingest({ event: "EventAgentLogin", time: T0 / 1000, thisDN: "1001", agentId: "l1" });
        for (const x of evs) expect(e.ingest(x.ev).ok).toBe(true);
        const now = e.clock.now();
        const since = quarterStart(now);
        const counted = calls.filter((c) => T0 + c.start + c.len >= since);
        const ms = counted.reduce((s, c) => s + c.len, 0);
        const v = (id: number) => e.peek(id)?.value;
        expect([v(ids.n), v(ids.adjN), v(ids.done)]).toEqual([
          counted.length,
          counted.length,
          counted.length,
        ]);
        expect([v(ids.t), v(ids.adj), v(ids.doneT)]).toEqual([ms / 1000, ms / 1000, ms / 1000]);
      }),
      { numRuns: 300 },
    );
  });
});
