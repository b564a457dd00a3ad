import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { TEvent } from "../definitions.ts";
import { simulate } from "../engine/simulate.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig, req, T0 } from "../engine/testing.ts";
import type { OpenRequest } from "../engine/types.ts";
import { LocalCluster } from "./local.ts";
import { Pump } from "./pump.ts";
import { TimeGate } from "./time_gate.ts";

const cfg = fixtureConfig();
const OBJECTS: Record<string, string[]> = {
  Tenant: ["T1"],
  Agent: ["a1", "a2"],
  Place: ["P1"],
  GroupAgents: ["G1"],
  GroupPlaces: ["PG1"],
  RegDN: ["1001"],
  Queue: ["8000"],
  RoutePoint: ["9000"],
  GroupQueues: ["QG1"],
};
const REQS: OpenRequest[] = FIXTURE_STAT_TYPES.flatMap((st) =>
  st.objects.flatMap((type) => (OBJECTS[type] ?? []).map((id) => req(type, id, st.name))),
);

function run(k: number, cmds: number[], linkLoss: boolean): string[] {
  const c = new LocalCluster({ config: cfg, instances: k, startMs: T0 });
  const handles = REQS.flatMap((r) => {
    const o = c.open(r);
    return "error" in o ? [] : [o.handle];
  });
  expect(handles.length).toBeGreaterThan(100);
  const out: string[] = [];
  const evs = simulate(cmds, { linkLoss });
  evs.forEach((ev, i) => {
    expect(c.ingest(ev)).toEqual({ ok: true });
    if (i % 10 === 9) {
      const now = Math.round(ev.time * 1000);
      c.tick(now);
      out.push(JSON.stringify(handles.map((h) => c.value(h, now))));
    }
  });
  return out;
}

describe("LocalCluster", () => {
  test("2, 3 and 4 partitions give the values of 1 (random valid streams)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(1_000_000), { minLength: 10, maxLength: 50 }),
        fc.boolean(),
        (cmds, linkLoss) => {
          const one = run(1, cmds, linkLoss);
          for (const k of [2, 3, 4]) expect(run(k, cmds, linkLoss)).toEqual(one);
        },
      ),
      {
        numRuns: Number(
          (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
            ?.STAT_RUNS ?? 8,
        ),
      },
    );
  });
  test("partitions really share the work and exchange messages", () => {
    const c = new LocalCluster({ config: cfg, instances: 3, startMs: T0 });
    for (const ev of simulate(Array.from({ length: 40 }, (_, i) => i * 7919))) c.ingest(ev);
    expect(c.messages).toBeGreaterThan(0);
  });
  test("an unknown stat type is an error for that request only", () => {
    const c = new LocalCluster({ config: cfg, instances: 2, startMs: T0 });
    const bad = c.open(req("Queue", "8000", "NoSuchType"));
    expect("error" in bad).toBe(true);
    const good = c.open(req("Queue", "8000", "Waiting"));
    expect("handle" in good).toBe(true);
  });
  test("instances outside 1..16 are refused", () => {
    expect(() => new LocalCluster({ config: cfg, instances: 0 })).toThrow(RangeError);
    expect(() => new LocalCluster({ config: cfg, instances: 17 })).toThrow(RangeError);
  });
});

describe("LocalCluster Max/Min sampler (a late event)", () => {
  // two calls wait on 8001 from 08:15:00.1 to 08:15:02.5; then an unrelated event stamped
  // 08:14:59.9 (before the 15-minute reset) arrives: MaxWaiting over the quarter stays 2
  const Q15 = T0 + 15 * 60_000;
  const events: TEvent[] = [
    { event: "EventQueued", time: (Q15 + 100) / 1000, thisDN: "8001", connId: "c1", callType: "Inbound" },
    { event: "EventQueued", time: (Q15 + 150) / 1000, thisDN: "8001", connId: "c2", callType: "Inbound" },
    { event: "EventAbandoned", time: (Q15 + 2500) / 1000, thisDN: "8001", connId: "c1" },
    { event: "EventAbandoned", time: (Q15 + 2500) / 1000, thisDN: "8001", connId: "c2" },
    { event: "EventUserEvent", time: (Q15 - 100) / 1000, thisDN: "1001" },
    { event: "EventUserEvent", time: (Q15 + 3000) / 1000, thisDN: "1002" },
  ];
  for (const k of [1, 2, 3]) {
    test(`MaxNumberWaitingCalls on a 15-minute profile reads 2 with ${k} partition(s)`, () => {
      const c = new LocalCluster({ config: cfg, instances: k, startMs: T0 });
      const h = c.open({ ...req("Queue", "8001", "MaxWaiting"), timeProfile: "Quarter" });
      if ("error" in h) throw new Error(h.error.message);
      const pump = new Pump(c, { gate: new TimeGate({ wallNow: () => T0 + 86_400_000 }) });
      pump.tick(Q15 - 1000);
      for (const ev of events) expect(pump.push(ev).ok).toBe(true);
      pump.tick(Q15 + 4000);
      expect(c.value(h.handle).value).toBe(2);
      // even a target ticked backwards directly keeps the interval's max
      c.tick(Q15 - 100);
      c.tick(Q15 + 5000);
      expect(c.value(h.handle).value).toBe(2);
    });
  }
});
