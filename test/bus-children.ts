/**
 * Spawning and reading test/bus-child.ts processes for the cross-process bus tests. Every child
 * is tracked so the test file's afterAll can kill what is still running.
 * @module
 */

export type BusChild = ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;

/** Children spawned by {@link spawnBusChild} (for the caller's afterAll). */
export const busChildren: BusChild[] = [];

/** Start `bun test/bus-child.ts <arg as JSON>`. */
export function spawnBusChild(arg: object): BusChild {
  const p = Bun.spawn([process.execPath, `${import.meta.dir}/bus-child.ts`, JSON.stringify(arg)], {
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  busChildren.push(p);
  return p;
}

/** Kill every child still running (afterAll). */
export function killBusChildren(): void {
  for (const c of busChildren) if (c.exitCode === null && c.signalCode === null) c.kill(9);
}

/** Wait for a child to exit 0 and parse the JSON line it printed last. */
export async function busChildResult(
  p: BusChild,
): Promise<{ [k: string]: unknown; counts: Record<string, number> }> {
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  if (code !== 0) throw new Error(`child exited ${code}: ${err}${out.trim().split("\n").pop() ?? ""}`);
  return JSON.parse(out.trim().split("\n").pop()!);
}
