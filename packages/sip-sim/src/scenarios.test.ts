/** The scenarios shipped in packages/sip-sim/scenarios/ parse and produce a valid day. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { checkerFor } from "./checker.ts";
import { resolveConfig } from "./config.ts";
import { Simulation } from "./model.ts";
import { parseScenario } from "./scenario.ts";
import type { SimControl, SimEvent } from "./types.ts";

const dir = join(import.meta.dir, "../scenarios");

describe("shipped scenarios", () => {
  test("day.toml: a valid day with the curve, three shifts and breaks", () => {
    const scenario = parseScenario(readFileSync(join(dir, "day.toml"), "utf8"));
    const cfg = resolveConfig({
      nodes: 2,
      agents: 40,
      queues: 3,
      arrivalRate: 0.08,
      aht: 200,
      seed: 1,
      scenario,
    });
    const chk = checkerFor(cfg);
    const events: SimEvent[] = [];
    const sim = new Simulation(cfg, {
      event: (e) => {
        events.push(e);
        chk.feed(e);
      },
    });
    sim.runUntil(24 * 3600);
    expect(chk.errors).toEqual([]);
    const hourOf = (e: SimEvent) => new Date(e.body.time * 1000).getUTCHours();
    const arrivals = events.filter(
      (e) => e.body.event === "EventQueued" && e.body.thisQueue === e.body.thisDN,
    );
    expect(arrivals.length).toBeGreaterThan(3000);
    expect(arrivals.every((e) => hourOf(e) >= 7 && hourOf(e) < 20)).toBe(true);
    const logouts = events.filter((e) => e.body.event === "EventAgentLogout");
    expect(logouts).toHaveLength(40);
    const reasons = new Set(events.map((e) => e.body.reasons?.ReasonCode).filter(Boolean));
    expect(reasons).toEqual(new Set(["Break", "Lunch", "Training"]));
    expect(sim.stats.abandonedInQueue / sim.stats.offered).toBeLessThan(0.25);
  });

  test("faults.toml: the fault switches come out in order at their times", () => {
    const scenario = parseScenario(readFileSync(join(dir, "faults.toml"), "utf8"));
    const cfg = resolveConfig({
      nodes: 2,
      agents: 10,
      queues: 2,
      arrivalRate: 0.05,
      aht: 120,
      seed: 1,
      scenario,
    });
    const controls: SimControl[] = [];
    const sim = new Simulation(cfg, { event: () => {}, control: (c) => controls.push(c) });
    sim.runUntil(3600);
    expect(controls.map((c) => c.fault.action)).toEqual([
      "dropConnections",
      "setDuplicate",
      "setReorder",
      "sendMalformed",
      "restartNode",
      "setDelay",
      "setDelay",
    ]);
    expect(controls.map((c) => c.time - cfg.startEpoch)).toEqual([600, 900, 1200, 1500, 1800, 2400, 3000]);
  });
});
