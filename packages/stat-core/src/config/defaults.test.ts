/**
 * The shipped defaults (default.toml) against the engine: every stat type opens on every object
 * type it lists, on a directory that has an object of each type — through the request resolution
 * and through a real engine, i.e. what `statd replay` and the daemon do.
 */
import { describe, expect, test } from "bun:test";
import { OBJECT_TYPES } from "../definitions.ts";
import { Engine } from "../engine/engine.ts";
import { requestResolver } from "./request.ts";
import { loadEngineConfig } from "./resolve.ts";
import { ONE_OF_EACH_ID, ONE_OF_EACH_TOML } from "./testing.ts";

describe("default.toml", () => {
  const config = loadEngineConfig(ONE_OF_EACH_TOML);
  const pairs = Object.values(config.statTypes).flatMap((st) =>
    st.objects.map((type) => [st.name, type] as const),
  );

  test("ships stat types for every object type but single DNs", () => {
    expect(pairs.length).toBeGreaterThan(100);
    expect(new Set(pairs.map(([, t]) => t))).toEqual(new Set(OBJECT_TYPES.filter((t) => t !== "RegDN")));
  });

  test("every stat type opens on every object type it lists", () => {
    const resolve = requestResolver(config);
    const eng = new Engine({ config });
    const refused: string[] = [];
    for (const [statType, type] of pairs) {
      const req = { object: { type, id: ONE_OF_EACH_ID[type] }, statType };
      const r = resolve(req);
      if ("error" in r) refused.push(`${statType} on ${type}: ${r.error.message}`);
      const o = eng.open(req);
      if ("error" in o) refused.push(`${statType} on ${type} (engine): ${o.error.message}`);
    }
    expect(refused).toEqual([]);
  });
});
