/**
 * A stand-in instance for the supervisor tests: joins slot `--slot` of segment `--segment`
 * (the bus heartbeats every 100 ms), polls, exits when its supervisor is gone (`watchParent`) and
 * on SIGTERM (the bus's cleanup leaves the slot and re-raises the signal).
 *
 * Environment:
 * - `FIXTURE_CRASH_AFTER_MS=N`: exit with code 3 N ms after joining (every launch);
 * - `FIXTURE_CRASH_SLOT=K`: only slot K crashes;
 * - `FIXTURE_IGNORE_SIGTERM=1`: SIGTERM is ignored (the supervisor must SIGKILL it at stop);
 * - `FIXTURE_NO_JOIN=1`: never joins (tests the start timeout);
 * - `FIXTURE_WATCH_MS=N`: check the supervisor's liveness every N ms (default 100).
 *
 * @example
 * ```sh
 * bun apps/statd/src/supervisor/instance_fixture.ts --segment statd-demo --slot 0
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { ShmSegment } from "@statd/shm-bus/bun";
import { watchParent } from "./watch_parent.ts";

const { values } = parseArgs({
  options: { segment: { type: "string" }, slot: { type: "string" }, generation: { type: "string" } },
});
const segment = values.segment ?? "";
const slot = Number(values.slot);
const env = process.env;

watchParent(segment, () => process.exit(0), { intervalMs: Number(env.FIXTURE_WATCH_MS ?? 100) });
if (env.FIXTURE_IGNORE_SIGTERM === "1") process.on("SIGTERM", () => {});
if (env.FIXTURE_NO_JOIN === "1") {
  setInterval(() => {}, 1000);
} else {
  const seg = ShmSegment.attach(segment);
  const bus = seg.join(slot);
  process.stdout.write(`${JSON.stringify({ joined: slot, pid: process.pid, generation: bus.generation })}\n`);
  setInterval(() => {
    // With FIXTURE_IGNORE_SIGTERM the bus's signal cleanup has closed the endpoint: keep running.
    try {
      bus.poll(() => {});
    } catch {
      // closed
    }
  }, 50);
  const crash = Number(env.FIXTURE_CRASH_AFTER_MS ?? Number.NaN);
  if (
    Number.isFinite(crash) &&
    (env.FIXTURE_CRASH_SLOT === undefined || Number(env.FIXTURE_CRASH_SLOT) === slot)
  ) {
    setTimeout(() => process.exit(3), crash);
  }
}
