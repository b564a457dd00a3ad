/**
 * A supervisor in its own process, for the tests that SIGKILL or Ctrl-C the supervisor: starts
 * cluster `argv[2]` with `argv[3]` instances of `instance_fixture.ts` (and, if `argv[4]` is a JSON
 * argv, a companion named "sleeper" running it), prints one JSON line
 * `{ pid, segment, instances: [pid…], companions: [pid…] }` once every instance is alive, logs (pino JSON, the
 * instances' output included) to stderr, and stops cleanly on SIGTERM/SIGINT as `statd start` does.
 *
 * @example
 * ```sh
 * bun apps/statd/src/supervisor/supervisor_fixture.ts demo 2
 * ```
 * @module
 */
import pino from "pino";
import { Supervisor } from "./supervisor.ts";

const cluster = process.argv[2];
const instances = Number(process.argv[3] ?? 2);
const companion =
  process.argv[4] === undefined ? [] : [{ name: "sleeper", cmd: JSON.parse(process.argv[4]) }];
const logger = pino({ base: { name: "supervisor-fixture" } }, pino.destination({ dest: 2, sync: true }));
const sup = await Supervisor.start({
  cluster,
  instances,
  layout: { spscBytes: 65536, broadcastBytes: 65536, maxRecord: 1024 },
  instanceCommand: (slot, segment) => [
    process.execPath,
    `${import.meta.dir}/instance_fixture.ts`,
    "--segment",
    segment,
    "--slot",
    String(slot),
  ],
  logger,
  companions: companion,
  output: "log", // stdout carries only the line below
  restartBackoff: { initialMs: 100 },
});
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    sup.stop().then(() => process.exit(0));
  });
}
await sup.ready(20_000);
const st = sup.status();
process.stdout.write(
  `${JSON.stringify({ pid: process.pid, segment: st.segment, instances: st.instances.map((i) => i.pid), companions: st.companions.map((c) => c.pid) })}\n`,
);
