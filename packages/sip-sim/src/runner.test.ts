import { describe, expect, test } from "bun:test";
import { resolveConfig } from "./config.ts";
import { Simulation } from "./model.ts";
import { recordLine } from "./record.ts";
import { runSimulation } from "./runner.ts";

const cfg = resolveConfig({ nodes: 2, agents: 10, queues: 2, arrivalRate: 0.1, aht: 60, seed: 3 });

async function until(what: string, f: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe("runSimulation", () => {
  test("max speed runs to the duration; the batch size does not change the events", async () => {
    const lines = async (batch: number) => {
      const out: string[] = [];
      const sim = new Simulation(cfg, { event: (e) => out.push(recordLine(e)) });
      const run = runSimulation(sim, { speed: "max", duration: 7200, batch });
      expect(await run.done).toBe("duration");
      expect(sim.now).toBe(7200);
      return out.join("\n");
    };
    const a = await lines(20_000);
    expect(a.length).toBeGreaterThan(1000);
    expect(await lines(7)).toBe(a);
  });

  test("speed X follows the (injected) real clock X times faster", async () => {
    let real = 0;
    const sim = new Simulation(cfg, { event: () => {} });
    const run = runSimulation(sim, { speed: 10, now: () => real });
    real = 1000; // one real second
    await until("10 simulated seconds", () => sim.now >= 10);
    expect(sim.now).toBe(10);
    real = 60_000;
    await until("600 simulated seconds", () => sim.now >= 600);
    expect(sim.now).toBe(600);
    run.stop();
    expect(await run.done).toBe("stopped");
  });

  test("a model error rejects done", async () => {
    const sim = new Simulation(cfg, {
      event: () => {
        throw new Error("sink broke");
      },
    });
    const run = runSimulation(sim, { speed: "max", duration: 10 });
    await expect(run.done).rejects.toThrow("sink broke");
  });
});
