import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { simulate } from "../engine/simulate.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig, req, T0 } from "../engine/testing.ts";
import type { OpenRequest } from "../engine/types.ts";
import { LocalCluster } from "./local.ts";

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
