/**
 * The naming contract: sipsim's directory (directoryToml) is the one config/demo.toml declares,
 * and statd's config loader accepts what `sipsim --emit-directory` writes.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStatdConfig } from "@statd/config";
import { directoryToml } from "../packages/sip-sim/src/directory.ts";

type Obj = { id: string } & Record<string, unknown>;

function normalize(d: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ["dns", "places", "agents", "agentGroups", "placeGroups", "queueGroups"]) {
    out[k] = [...((d[k] as Obj[]) ?? [])]
      .map((o) => {
        const c: Record<string, unknown> = {};
        for (const [key, v] of Object.entries(o)) {
          if (key === "name" || (key === "originationDns" && (v as unknown[]).length === 0)) continue;
          c[key] = Array.isArray(v) ? [...v].sort() : v;
        }
        return c;
      })
      .sort((a, b) => String(a.id).localeCompare(String(b.id)));
  }
  return out;
}

describe("sipsim directory", () => {
  test("statd loads what --emit-directory writes, for small and large centers", () => {
    for (const [agents, queues] of [
      [1, 1],
      [40, 3],
      [1500, 7],
    ] as const) {
      const cfg = loadStatdConfig(directoryToml({ agents, queues })).engine;
      expect(cfg.directory.agents).toHaveLength(agents);
      expect(cfg.directory.dns).toHaveLength(agents + queues);
    }
  });

  test("config/demo.toml declares exactly sipsim's directory for 40 agents and 3 queues", () => {
    const demo = loadStatdConfig(readFileSync(join(import.meta.dir, "../config/demo.toml"), "utf8"));
    const mine = loadStatdConfig(directoryToml({ agents: 40, queues: 3 })).engine;
    expect(normalize(demo.engine.directory as never)).toEqual(normalize(mine.directory as never));
    expect(demo.sip.nodes.map((n: { id: string }) => n.id)).toEqual(["node1", "node2"]);
  });
});
