/**
 * Test support: the demo config's engine beside a simulated day of a scenario, set up the way the
 * sipsim-through-the-engine tests need it (2 nodes, 40 agents, 3 queues, seed 1).
 *
 * @example
 * ```ts
 * const { cfg, engine, open } = demoDay("packages/sip-sim/scenarios/day.toml");
 * const id = open("Queue", "8001", "TotalNumberCallsEntered");
 * ```
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStatdConfig } from "../packages/config/src/mod.ts";
import { resolveConfig } from "../packages/sip-sim/src/config.ts";
import { parseScenario } from "../packages/sip-sim/src/scenario.ts";
import { Engine } from "../packages/stat-core/src/engine/engine.ts";

const root = join(import.meta.dir, "..");

/** The model's config for `scenario` (a path from the repository root), an engine, and `open`. */
export function demoDay(scenario: string) {
  const config = loadStatdConfig(readFileSync(join(root, "config/demo.toml"), "utf8")).engine;
  const cfg = resolveConfig({
    nodes: 2,
    agents: 40,
    queues: 3,
    arrivalRate: 0.07,
    aht: 200,
    seed: 1,
    scenario: parseScenario(readFileSync(join(root, scenario), "utf8")),
  });
  const engine = new Engine({ config, startMs: cfg.startEpoch * 1000 });
  /** Open a statistic; a refused open throws (and fails the test). */
  const open = (type: string, id: string, statType: string): number => {
    const r = engine.open({ object: { type, id }, statType } as never);
    if ("error" in r) throw new Error(`${type} ${id} ${statType}: ${r.error.message}`);
    return r.statId;
  };
  return { config, cfg, engine, open };
}
