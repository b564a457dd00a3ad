/**
 * The supervisor of `statd start` with real processes on real shm segments: instances join their
 * slots, a killed one is restarted in its slot with the next generation, stop leaves nothing
 * behind, a second start of the same cluster and a foreign object under the segment's name are
 * refused with one line, companions start and stop with the cluster.
 */
import { expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { Supervisor, SupervisorError } from "../apps/statd/src/supervisor/mod.ts";
import { isProcessAlive } from "../packages/shm-bus/src/bun/liveness.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { harness } from "./supervisor-harness.ts";

const h = harness();
const gone = (pid: number | null) => pid !== null && !isProcessAlive(pid);

test("two instances join their slots; one SIGKILLed is restarted in its slot with the next generation; stop removes every process and the segment", async () => {
  const sup = await h.start({ instances: 2 });
  await sup.ready(20_000);
  const first = sup.status().instances;
  expect(first.map((i) => [i.state, i.generation, i.restarts])).toEqual([
    ["alive", 1, 0],
    ["alive", 1, 0],
  ]);
  const view = ShmSegment.attach(sup.segmentName, { readOnly: true });
  expect(view.inspect().members.map((m): unknown[] => [m.state, m.pid, m.generation])).toEqual([
    ["alive", first[0].pid, 1],
    ["alive", first[1].pid, 1],
  ]);

  const victim = first[1].pid!;
  process.kill(victim, "SIGKILL");
  await h.waitFor(
    () => sup.status().instances[1].state === "alive" && sup.status().instances[1].pid !== victim,
    "slot 1 alive again with a new process",
    15_000,
    () => sup.status().instances[1],
  );
  const after = sup.status().instances;
  expect(after[1]).toMatchObject({ restarts: 1, generation: 2, lastExit: { signal: "SIGKILL", code: null } });
  expect(after[0]).toMatchObject({ pid: first[0].pid, restarts: 0, generation: 1, state: "alive" });
  const m1 = view.inspect().members[1];
  expect([m1.state, m1.pid, m1.generation] as unknown[]).toEqual(["alive", after[1].pid, 2]);
  expect(h.lines.some((l) => l.level === "warn" && /instance 1 exited with signal SIGKILL/.test(l.msg))).toBe(
    true,
  );
  view.close();

  const pids = [first[0].pid, victim, after[1].pid];
  await sup.stop();
  expect(pids.every(gone)).toBe(true);
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(false);
  const st = sup.status();
  expect(st.state).toBe("stopped");
  expect(st.instances.map((i) => [i.state, i.pid])).toEqual([
    ["dead", null],
    ["dead", null],
  ]);
  await sup.stop(); // idempotent
}, 30_000);

test("a second start of a running cluster fails with one line and leaves the running one alone", async () => {
  const sup = await h.start({ instances: 1 });
  await sup.ready(20_000);
  const err = await Supervisor.start(h.options({ instances: 1, cluster: sup.cluster })).catch((e) => e);
  expect(err).toBeInstanceOf(SupervisorError);
  expect(err.code).toBe("RUNNING");
  expect(err.message).toBe(
    `cluster "${sup.cluster}" is already running (supervisor pid ${process.pid}); stop it first`,
  );
  expect(sup.status().instances[0].state).toBe("alive");
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(true);
  await sup.stop();
}, 30_000);

test("a second statd in another process gets the same one-line refusal", async () => {
  const sup = await h.start({ instances: 1 });
  const p = Bun.spawn(
    [
      process.execPath,
      "-e",
      `import { Supervisor } from ${JSON.stringify(`${import.meta.dir}/../apps/statd/src/supervisor/mod.ts`)};
       const nop = () => {};
       try {
         await Supervisor.start({ cluster: ${JSON.stringify(sup.cluster)}, instances: 1, instanceCommand: () => ["true"],
           logger: { debug: nop, info: nop, warn: nop, error: nop } });
       } catch (e) { console.log(e.message); process.exit(1); }`,
    ],
    { stdout: "pipe" },
  );
  h.track(p.pid);
  const out = await new Response(p.stdout).text();
  expect(await p.exited).toBe(1);
  expect(out).toBe(
    `cluster "${sup.cluster}" is already running (supervisor pid ${process.pid}); stop it first\n`,
  );
  await sup.stop();
}, 30_000);

test("an object under the segment's name that is not a bus segment is refused and never removed", async () => {
  const cluster = h.cluster();
  const path = `/dev/shm/statd-${cluster}`;
  await Bun.write(path, "somebody else's data, not a bus segment");
  const err = await Supervisor.start(h.options({ instances: 1, cluster })).catch((e) => e);
  expect(err).toBeInstanceOf(SupervisorError);
  expect(err.code).toBe("FOREIGN_SEGMENT");
  expect(err.message).toContain("is not a statd bus segment");
  expect(err.message).toContain("delete it by hand");
  expect(err.message).not.toContain("\n");
  expect(readFileSync(path, "utf8")).toBe("somebody else's data, not a bus segment");
}, 30_000);

test("stop never removes a segment another cluster created under the name meanwhile", async () => {
  const sup = await h.start({ instances: 1 });
  await sup.ready(20_000);
  const { unlinkSegment } = await import("../packages/shm-bus/src/bun/shm.ts");
  unlinkSegment(sup.segmentName); // removed by hand...
  const other = ShmSegment.create(sup.segmentName, {
    maxInstances: 1,
    spscBytes: 4096,
    broadcastBytes: 4096,
    maxRecord: 64,
  }); // ...and created again by somebody else
  await sup.stop();
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(true);
  expect(
    h.lines.some((l) => l.level === "warn" && /no longer the one this supervisor created/.test(l.msg)),
  ).toBe(true);
  other.close();
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(false);
}, 30_000);

test("companions start before the instances and stop with the cluster; one that dies is logged, not restarted", async () => {
  const sleeper = [process.execPath, "-e", "setInterval(() => {}, 1000)"];
  const quitter = [process.execPath, "-e", "setTimeout(() => process.exit(4), 50)"];
  const sup = await h.start({
    instances: 1,
    companions: [
      { name: "sleeper", cmd: sleeper },
      { name: "quitter", cmd: quitter },
    ],
  });
  const st = sup.status();
  const sleeperPid = st.companions[0].pid;
  expect(st.companions.map((c) => c.name)).toEqual(["sleeper", "quitter"]);
  expect(isProcessAlive(sleeperPid)).toBe(true);
  const started = h.lines.filter((l) => / started \(pid/.test(l.msg)).map((l) => l.msg.split(" (")[0]);
  expect(started.slice(-3)).toEqual([
    "companion sleeper started",
    "companion quitter started",
    "instance 0 started",
  ]);
  await h.waitFor(() => sup.status().companions[1].state === "exited", "quitter exited");
  expect(sup.status().companions[1].exit).toMatchObject({ code: 4, signal: null });
  expect(
    h.lines.some(
      (l) => l.level === "error" && /companion quitter .* exited with code 4; not restarted/.test(l.msg),
    ),
  ).toBe(true);
  await sup.ready(20_000);
  await sup.stop();
  expect(gone(sleeperPid)).toBe(true);
  expect(sup.status().companions[0]).toMatchObject({ state: "exited", exit: { signal: "SIGTERM" } });
}, 30_000);

test("stop SIGKILLs an instance that ignores SIGTERM once stopTimeoutMs has passed", async () => {
  const sup = await h.start({ instances: 1, env: { FIXTURE_IGNORE_SIGTERM: "1" }, stopTimeoutMs: 300 });
  await sup.ready(20_000);
  const pid = sup.status().instances[0].pid!;
  await sup.stop();
  expect(gone(pid)).toBe(true);
  expect(sup.status().instances[0].lastExit).toMatchObject({ signal: "SIGKILL" });
  expect(
    h.lines.some(
      (l) =>
        l.level === "warn" &&
        l.msg === `instance 0 (pid ${pid}) did not exit within 300 ms of SIGTERM: SIGKILL`,
    ),
  ).toBe(true);
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(false);
}, 30_000);

test("bad options are refused with one line before anything is created; an unspawnable command cleans up", async () => {
  const bad = async (o: Parameters<typeof h.options>[0], re: RegExp) => {
    const err = await Supervisor.start(h.options(o)).catch((e) => e);
    expect(err).toBeInstanceOf(SupervisorError);
    expect(err.message).toMatch(re);
    expect(err.message).not.toContain("\n");
    return err as SupervisorError;
  };
  expect((await bad({ instances: 1, cluster: "a/b" }, /invalid cluster name "a\/b"/)).code).toBe(
    "BAD_OPTIONS",
  );
  await bad({ instances: 1, cluster: "x".repeat(59) }, /invalid cluster name/);
  await bad({ instances: 0 }, /instances must be an integer 1\.\.16, got 0/);
  await bad({ instances: 17 }, /instances must be an integer 1\.\.16, got 17/);
  await bad({ instances: 1, layout: { spscBytes: 1000 } }, /layout: spscBytes must be a power of two/);
  await bad(
    { instances: 1, heartbeatTimeoutMs: 5000, stalledLimitMs: 1000 },
    /stalledLimitMs \(1000\) must exceed/,
  );
  await bad({ instances: 1, restartBackoff: { initialMs: -1 } }, /restartBackoff.initialMs/);
  const cluster = h.cluster();
  const err = await bad(
    { instances: 2, cluster, instanceCommand: () => ["/nonexistent/statd-instance"] },
    /instance 0: cannot start \/nonexistent\/statd-instance/,
  );
  expect(err.code).toBe("SPAWN");
  expect(existsSync(`/dev/shm/statd-${cluster}`)).toBe(false);
}, 30_000);
