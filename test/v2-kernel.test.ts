/**
 * The redesign's kernel (bench/v2-kernel.ts) as a second, independent implementation of the
 * statistics that have a counter form: it replays a generated day next to the engine, as a real
 * process, and compares ~22,000 values with the engine's after every wave (Growing, 15-minute,
 * Gold-filtered and 1-hour sliding variants), across 15-minute resets. A difference means the
 * engine or the counter design is wrong: the comparisons found the engine's resets waiting for
 * the next tick, and its queues' answers carrying no call data for filters.
 */
import { expect, test } from "bun:test";
import { runBun } from "./run.ts";

test("the v2 kernel and the engine agree after every wave of a generated day", async () => {
  const { out, err, code } = await runBun([
    "bench/v2-kernel.ts",
    "--agents",
    "1000",
    "--events",
    "300000",
    "--runs",
    "1",
    "--check-waves",
  ]);
  expect(err).toBe("");
  // the first differences, if any (the bench prints at most 10)
  expect(out.split("\n").filter((l) => l.startsWith("differs:"))).toEqual([]);
  expect(code).toBe(0);
  // not vacuous: many waves compared, resets crossed, every sampled statistic counted
  const m = /resets applied: (\d+); waves compared: (\d+), differences in them: (\d+)/.exec(out);
  expect(m).not.toBeNull();
  const [resets, waves, diffs] = m!.slice(1).map(Number);
  expect(resets).toBeGreaterThanOrEqual(10);
  expect(waves).toBeGreaterThanOrEqual(100);
  expect(diffs).toBe(0);
  expect(out).toContain("agreement with the engine, 1000 agents: ReadyTime 1000,");
  expect(out).toContain("agreement with the engine, the tenant: 18 of 18");
  expect(out).toContain("agreement with the engine, 200 queues × 5 variants: Waiting 1000,");
}, 120_000);
