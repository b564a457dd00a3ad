/**
 * A checkpoint of an engine, restored, carries on exactly as the engine it was taken from
 * (docs/checkpoints.md): random simulated streams cut at a random event, snapshot, restore,
 * then the rest of the stream into both — every statistic's value and every notification agree,
 * and a snapshot of the restored engine is byte for byte the snapshot it came from.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { GraphError } from "../checkpoint/graph.ts";
import type { TEvent } from "../definitions.ts";
import { restoreEngine, snapshotEngine } from "./checkpoint.ts";
import { ReplayClock } from "./clock.ts";
import { Engine } from "./engine.ts";
import { simulate } from "./simulate.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig, T0 } from "./testing.ts";
import type { OpenRequest } from "./types.ts";

const OBJECTS: OpenRequest["object"][] = [
  { type: "Queue", id: "8000" },
  { type: "Queue", id: "9000" },
  { type: "Agent", id: "a1" },
  { type: "Place", id: "P2" },
  { type: "GroupAgents", id: "G1" },
  { type: "GroupQueues", id: "QG1" },
];
const PROFILES = ["Default", "Quarter", "LastHour", "Last3", "Login"];

function openAll(eng: Engine): number[] {
  const ids: number[] = [];
  let i = 0;
  for (const st of FIXTURE_STAT_TYPES)
    for (const object of OBJECTS) {
      const timeProfile = PROFILES[i % PROFILES.length]!;
      const notification =
        i % 3 === 0
          ? ({ mode: "changes" } as const)
          : i % 3 === 1
            ? ({ mode: "time", frequency: 60 } as const)
            : ({ mode: "reset" } as const);
      const r = eng.open({
        object,
        statType: st.name,
        timeProfile,
        notification,
        ...(i % 4 === 0 ? { filter: "Gold" } : {}),
      });
      i++;
      if ("statId" in r) ids.push(r.statId);
    }
  return ids;
}

function feed(eng: Engine, evs: readonly TEvent[]): unknown[] {
  const out: unknown[] = [];
  for (const ev of evs) {
    out.push(eng.ingest(structuredClone(ev)).ok);
    eng.tick(Math.round(ev.time * 1000));
    out.push(eng.drainNotifications());
    out.push(eng.drainOutbox());
  }
  return out;
}

const values = (eng: Engine, ids: number[]): unknown[] => ids.map((id) => eng.peek(id));

describe("engine checkpoint", () => {
  test("a restored engine carries on as the original (random streams, random cut)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 999 }), { minLength: 20, maxLength: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (cmds, cutAt, linkLoss) => {
          const evs = simulate(cmds, { linkLoss });
          const cut = Math.floor(cutAt * evs.length);
          const config = fixtureConfig();
          const a = new Engine({ config, startMs: T0 });
          const ids = openAll(a);
          feed(a, evs.slice(0, cut));
          const bytes = snapshotEngine(a);
          // the clock is the process's: the restored engine gets one at the same time
          const b = restoreEngine(bytes, { config, clock: new ReplayClock(a.clock.now()) });
          expect(snapshotEngine(b)).toEqual(bytes);
          // opens and closes after the restore meet the aggregates and profiles restored
          for (const e of [a, b]) {
            e.close(ids[0]!);
            e.close(ids[2]!);
          }
          const again = openAll(a);
          expect(openAll(b)).toEqual(again);
          ids.push(...again);
          const restA = feed(a, evs.slice(cut));
          const restB = feed(b, evs.slice(cut));
          expect(restB).toEqual(restA);
          expect(values(b, ids)).toEqual(values(a, ids));
          expect(b.counters()).toEqual(a.counters());
        },
      ),
      { numRuns: 40 },
    );
  });

  test("a restore against another config, or of damaged bytes, is refused with a GraphError", () => {
    const config = fixtureConfig();
    const a = new Engine({ config, startMs: T0 });
    openAll(a);
    feed(a, simulate([1, 5, 9, 200, 300, 400, 17, 23]));
    const bytes = snapshotEngine(a);
    const other = fixtureConfig();
    delete (other.filters as Record<string, unknown>).Gold;
    expect(() => restoreEngine(bytes, { config: other, clock: new ReplayClock(0) })).toThrow(GraphError);
    for (const n of [0, 3, 10, bytes.length >> 1, bytes.length - 1])
      expect(() => restoreEngine(bytes.subarray(0, n), { config, clock: new ReplayClock(0) })).toThrow(
        GraphError,
      );
    fc.assert(
      fc.property(fc.integer({ min: 4, max: bytes.length - 1 }), fc.integer({ min: 0, max: 255 }), (i, v) => {
        const bad = bytes.slice();
        bad[i] = v;
        try {
          restoreEngine(bad, { config, clock: new ReplayClock(0) });
        } catch (e) {
          // a damaged byte is refused as such, or decodes to other values: never another error
          expect(e).toBeInstanceOf(GraphError);
        }
      }),
      { numRuns: 200 },
    );
  });
});
