/**
 * Property: a statistic's value read directly (the engine's evaluation without a partial, for
 * the compact core categories) equals the value of its partial, for every fixture stat type on
 * every object type it applies to, under Growing, 15-min, SinceLogin and filtered variants, over
 * random valid streams with link loss and ticks.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { ObjectType } from "../definitions.ts";
import { Engine } from "./engine.ts";
import { valueOfPartial } from "./partial.ts";
import { simulate } from "./simulate.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig, T0 } from "./testing.ts";
import type { OpenRequest } from "./types.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 25,
);

const OBJECTS: Record<string, string> = {
  Agent: "a1",
  Place: "P1",
  GroupAgents: "G1",
  GroupPlaces: "PG1",
  RegDN: "1001",
  Queue: "8000",
  RoutePoint: "9000",
  GroupQueues: "QG1",
  Tenant: "T1",
};

function requests(): OpenRequest[] {
  const out: OpenRequest[] = [];
  const variants = [{}, { timeProfile: "Quarter" }, { filter: "Gold" }, { timeProfile: "Login" }];
  for (const st of FIXTURE_STAT_TYPES)
    for (const type of st.objects)
      for (const v of variants)
        out.push({ object: { type: type as ObjectType, id: OBJECTS[type] }, statType: st.name, ...v });
  return out;
}

describe("statistic values", () => {
  test("read directly = value of the partial (every fixture statistic, random streams)", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(10_000), { minLength: 20, maxLength: 150 }), (cmds) => {
        const eng = new Engine({ config: fixtureConfig(), startMs: T0 });
        const subs: number[] = [];
        for (const r of requests()) {
          const o = eng.open({ ...r, notification: { mode: "none" } });
          if (!("error" in o)) subs.push(o.statId); // e.g. SinceLogin on a non-Agent object
        }
        expect(subs.length).toBeGreaterThan(100);
        const check = (): void => {
          for (const sid of subs) {
            const direct = eng.peek(sid)!;
            const p = eng.partialOf(sid)!;
            const viaPartial = valueOfPartial(p, eng.samplerOf(sid) ?? undefined);
            expect(direct.value).toEqual(viaPartial);
            const tree = p.cat === "CurrentState" || p.cat === "CurrentStateReasons";
            expect(direct.valid).toBe(tree || p.inv === 0);
          }
        };
        let i = 0;
        for (const ev of simulate(cmds, { linkLoss: true })) {
          eng.ingest(ev);
          if (++i % 7 === 0) {
            eng.tick(ev.time * 1000 + 500);
            check();
          }
        }
        check();
      }),
      { numRuns: RUNS },
    );
  });
});
