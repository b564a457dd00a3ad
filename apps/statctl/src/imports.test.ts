/**
 * statctl must not load the engine: `config check` reads the config through `@statd/config`,
 * which reaches stat-core only through its `./config` subpath. This walks statctl's static
 * import graph (as Bun resolves it) and checks that the engine's module is not in it.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";

const ROOT = join(import.meta.dir, "../../..");
const transpiler = new Bun.Transpiler({ loader: "ts" });

/** Every repository file reachable from `entry` by static (value) imports; packages outside the repo are leaves. */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of transpiler.scanImports(readFileSync(file, "utf8").replace(/^#!.*/, ""))) {
      if (imp.kind !== "import-statement" && imp.kind !== "dynamic-import") continue;
      if (imp.path.startsWith("node:") || imp.path.startsWith("bun:") || imp.path === "bun") continue;
      const to = Bun.resolveSync(imp.path, dirname(file));
      if (to.startsWith(ROOT) && !to.includes("/node_modules/") && to.endsWith(".ts")) todo.push(to);
    }
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

describe("statctl's import graph", () => {
  test("reaches the config module, not the engine", () => {
    const g = importGraph(join(ROOT, "apps/statctl/src/cli.ts"));
    expect(g).toContain("packages/config/src/load.ts");
    expect(g).toContain("packages/stat-core/src/config/request.ts");
    expect(g).not.toContain("packages/stat-core/src/engine/engine.ts");
    expect(g).not.toContain("packages/stat-core/src/mod.ts");
  });
  test("the walk sees the engine where it is imported (the check can fail)", () => {
    const g = importGraph(join(ROOT, "packages/stat-core/src/mod.ts"));
    expect(g).toContain("packages/stat-core/src/engine/engine.ts");
  });
});
