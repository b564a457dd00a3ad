/**
 * Run a Bun script as a real process from the repository root and collect what it printed: the
 * integration tests' way to drive the command-line tools and benches.
 *
 * @example
 * ```ts
 * const r = await runBun(["apps/statctl/src/cli.ts", "config", "check", "x.toml"]);
 * expect(r.code).toBe(1);
 * ```
 */
import { join } from "node:path";

export const ROOT = join(import.meta.dir, "..");

/** What a finished process printed, and its exit code. */
export interface Run {
  code: number;
  out: string;
  err: string;
}

/** `bun ARGS…` in the repository root; `stdin` is written to the process's input when given. */
export async function runBun(args: string[], stdin?: string): Promise<Run> {
  const p = Bun.spawn([process.execPath, ...args], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
  });
  const [out, err, code] = await Promise.all([
    new Response(p.stdout).text(),
    new Response(p.stderr).text(),
    p.exited,
  ]);
  return { code, out, err };
}
