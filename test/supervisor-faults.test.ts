/**
 * The supervisor under faults, with real processes on real shm segments: a SIGKILLed supervisor
 * (its instances exit, the next start reclaims the segment), a stopped (SIGSTOP) instance (stalled,
 * not restarted, alive again), one stalled past the limit (killed, restarted), a crash loop
 * (backoff grows to its cap), an instance that never joins (killed after the start timeout).
 */
import { expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { Supervisor, SupervisorError } from "../apps/statd/src/supervisor/mod.ts";
import { isProcessAlive } from "../packages/shm-bus/src/bun/liveness.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { firstLine, harness, INSTANCE_FIXTURE, SUPERVISOR_FIXTURE } from "./supervisor-harness.ts";

const h = harness();
const slotLines = (slot: number) => h.lines.filter((l) => l.slot === slot);

test("a SIGKILLed supervisor's instances exit by themselves; the next start reclaims its segment with a warning", async () => {
  const cluster = h.cluster();
  const p = Bun.spawn([process.execPath, SUPERVISOR_FIXTURE, cluster, "2"], {
    stdout: "pipe",
    stderr: "pipe",
  });
  h.track(p.pid);
  const info = JSON.parse(await firstLine(p.stdout)) as { pid: number; segment: string; instances: number[] };
  expect(info.pid).toBe(p.pid);
  for (const pid of info.instances) h.track(pid);
  expect(info.instances.every((pid) => isProcessAlive(pid))).toBe(true);

  p.kill("SIGKILL"); // no cleanup runs: the segment stays behind
  await p.exited;
  expect(existsSync(`/dev/shm/${info.segment}`)).toBe(true);
  await h.waitFor(
    () => info.instances.every((pid) => !isProcessAlive(pid)),
    "the orphaned instances to exit",
    10_000,
  );

  const sup = await h.start({ instances: 2, cluster });
  const warn = h.lines.find((l) => l.level === "warn" && l.deadPid === p.pid);
  expect(warn?.msg).toBe(
    `segment ${info.segment} was left behind by supervisor pid ${p.pid}, which is gone (and no instance of it runs): reclaiming it`,
  );
  await sup.ready(20_000);
  expect(sup.status().instances.map((i) => i.generation)).toEqual([1, 1]); // a fresh segment
  await sup.stop();
  expect(existsSync(`/dev/shm/${info.segment}`)).toBe(false);
}, 30_000);

test("a start right after a supervisor was SIGKILLed waits for its orphans to exit, then reclaims", async () => {
  const cluster = h.cluster();
  // its instances look for their supervisor every 1.5 s: still running when the next start looks
  const p = Bun.spawn([process.execPath, SUPERVISOR_FIXTURE, cluster, "2"], {
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, FIXTURE_WATCH_MS: "1500" },
  });
  h.track(p.pid);
  const info = JSON.parse(await firstLine(p.stdout)) as { pid: number; instances: number[] };
  for (const pid of info.instances) h.track(pid);
  p.kill("SIGKILL");
  await p.exited;
  const sup = await h.start({ instances: 2, cluster, reclaimWaitMs: 10_000 });
  expect(info.instances.every((pid) => !isProcessAlive(pid))).toBe(true);
  const waiting = h.lines.find(
    (l) => l.level === "info" && /still runs; waiting for it to exit$/.test(l.msg),
  );
  expect(info.instances).toContain(waiting?.pid as number);
  expect(h.lines.some((l) => l.level === "warn" && l.deadPid === p.pid)).toBe(true);
  await sup.ready(20_000);
  await sup.stop();
}, 30_000);

test("a segment whose supervisor is gone but whose instance still runs is refused, naming that pid", async () => {
  const cluster = h.cluster();
  const name = `statd-${cluster}`;
  const mod = JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/shm_bus.ts`);
  const creator = Bun.spawn(
    [
      process.execPath,
      "-e",
      `import { ShmSegment } from ${mod};
       ShmSegment.create(${JSON.stringify(name)}, { maxInstances: 1, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 });
       console.log("ready"); setInterval(() => {}, 1000);`,
    ],
    { stdout: "pipe" },
  );
  h.track(creator.pid);
  expect(await firstLine(creator.stdout)).toBe("ready");
  // an instance that does not watch its parent
  const member = Bun.spawn(
    [
      process.execPath,
      "-e",
      `import { ShmSegment } from ${mod};
       ShmSegment.attach(${JSON.stringify(name)}).join(0); console.log("ready"); setInterval(() => {}, 1000);`,
    ],
    { stdout: "pipe" },
  );
  h.track(member.pid);
  expect(await firstLine(member.stdout)).toBe("ready");
  creator.kill("SIGKILL");
  await creator.exited;
  const err = await Supervisor.start(h.options({ instances: 1, cluster, reclaimWaitMs: 200 })).catch(
    (e) => e,
  );
  expect(err).toBeInstanceOf(SupervisorError);
  expect(err.message).toBe(
    `cluster "${cluster}" is still in use by pid ${member.pid} (instance 0; its supervisor pid ${creator.pid} is gone); stop it first`,
  );
  expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  member.kill("SIGKILL");
  await member.exited;
  const sup = await h.start({ instances: 1, cluster }); // now stale: reclaimed
  await sup.ready(20_000);
  await sup.stop();
}, 30_000);

test("an instance stopped (SIGSTOP) for 3 s is reported stalled, then alive after SIGCONT; never restarted", async () => {
  const sup = await h.start({ instances: 2, heartbeatTimeoutMs: 1000 });
  await sup.ready(20_000);
  const pid = sup.status().instances[0].pid!;
  const s0 = () => sup.status().instances[0];
  process.kill(pid, "SIGSTOP");
  try {
    await h.waitFor(() => s0().state === "stalled", "slot 0 stalled", 10_000, s0);
    await h.waitFor(() => (s0().heartbeatAgeMs ?? 0) >= 3000, "3 s without a heartbeat", 10_000, s0);
    expect(s0()).toMatchObject({ state: "stalled", pid, restarts: 0 });
  } finally {
    process.kill(pid, "SIGCONT");
  }
  await h.waitFor(() => s0().state === "alive", "slot 0 alive again", 10_000, s0);
  expect(s0()).toMatchObject({ pid, restarts: 0, generation: 1, lastExit: null });
  const lines = slotLines(0).map((l) => l.msg);
  expect(lines.filter((m) => / stalled: no heartbeat/.test(m))).toHaveLength(1);
  expect(lines.filter((m) => /heartbeating again after \d+ ms: alive/.test(m))).toHaveLength(1);
  expect(lines.filter((m) => /exited|killing/.test(m))).toEqual([]);
  expect(sup.status().instances[1]).toMatchObject({ state: "alive", restarts: 0 });
  await sup.stop();
}, 30_000);

test("an instance stalled past stalledLimitMs is killed and restarted in its slot", async () => {
  const sup = await h.start({ instances: 1, heartbeatTimeoutMs: 300, stalledLimitMs: 1500 });
  await sup.ready(20_000);
  const pid = sup.status().instances[0].pid!;
  process.kill(pid, "SIGSTOP");
  const s0 = () => sup.status().instances[0];
  await h.waitFor(() => s0().restarts === 1 && s0().state === "alive", "slot 0 restarted", 15_000, s0);
  expect(s0()).toMatchObject({ generation: 2, lastExit: { signal: "SIGKILL", reason: "stalled" } });
  expect(isProcessAlive(pid)).toBe(false);
  expect(slotLines(0).some((l) => l.level === "error" && /limit 1500 ms\): killing it/.test(l.msg))).toBe(
    true,
  );
  await sup.stop();
}, 30_000);

test("a crash-looping instance is restarted with a growing backoff, capped", async () => {
  const sup = await h.start({
    instances: 1,
    env: { FIXTURE_CRASH_AFTER_MS: "20" },
    restartBackoff: { initialMs: 50, maxMs: 400, stableMs: 60_000 },
  });
  const exits = () => slotLines(0).filter((l) => l.level === "warn" && typeof l.restartInMs === "number");
  await h.waitFor(
    () => exits().length >= 6,
    "six crashes",
    20_000,
    () => sup.status().instances[0],
  );
  const delays = exits()
    .slice(0, 6)
    .map((l) => l.restartInMs);
  expect(delays).toEqual([50, 100, 200, 400, 400, 400]);
  expect(exits()[0].msg).toMatch(/^instance 0 exited with code 3 after \d+ ms; restarting in 50 ms$/);
  expect(exits()[2].msg).toMatch(/restarting in 200 ms, 3 quick exits in a row$/);
  // each restart waited at least its delay
  const starts = slotLines(0).filter((l) => /^instance 0 started/.test(l.msg));
  for (let k = 0; k < 5; k++) {
    expect(starts[k + 1].t - exits()[k].t).toBeGreaterThanOrEqual((delays[k] as number) - 1);
  }
  const st = sup.status().instances[0];
  expect(st.consecutiveCrashes).toBeGreaterThanOrEqual(6);
  expect(st.lastExit?.code).toBe(3);
  expect(st.lastBackoffMs).toBe(400);
  await sup.stop();
  expect(sup.status().instances[0].state).toBe("dead");
}, 30_000);

test("a process that never joins its slot is killed after startTimeoutMs and restarted", async () => {
  const sup = await h.start({ instances: 1, env: { FIXTURE_NO_JOIN: "1" }, startTimeoutMs: 500 });
  const s0 = () => sup.status().instances[0];
  expect(s0().state).toBe("starting");
  await h.waitFor(() => s0().restarts >= 1, "a restart", 15_000, s0);
  expect(s0().lastExit).toMatchObject({ signal: "SIGKILL", reason: "start timeout" });
  const view = ShmSegment.attach(sup.segmentName, { readOnly: true });
  expect(view.inspect().members[0].state).toBe("free");
  view.close();
  await sup.stop();
}, 30_000);

test("stop ends a stopped (SIGSTOP) instance with SIGTERM (it is continued), without waiting for SIGKILL", async () => {
  const sup = await h.start({ instances: 1, stopTimeoutMs: 20_000 });
  await sup.ready(20_000);
  const pid = sup.status().instances[0].pid!;
  process.kill(pid, "SIGSTOP");
  await sup.stop();
  expect(isProcessAlive(pid)).toBe(false);
  expect(sup.status().instances[0].lastExit).toMatchObject({ signal: "SIGTERM" });
  expect(existsSync(`/dev/shm/${sup.segmentName}`)).toBe(false);
}, 30_000);

test("Ctrl-C (SIGINT to the supervisor's process group) stops the cluster in order: every child ends by the supervisor's SIGTERM", async () => {
  const cluster = h.cluster();
  const sleeper = JSON.stringify([process.execPath, "-e", "setInterval(() => {}, 1000)"]);
  // its own process group, as a shell gives `statd start` at the terminal
  const p = Bun.spawn([process.execPath, SUPERVISOR_FIXTURE, cluster, "2", sleeper], {
    stdout: "pipe",
    stderr: "pipe",
    detached: true,
  });
  h.track(p.pid);
  const info = JSON.parse(await firstLine(p.stdout)) as {
    pid: number;
    instances: number[];
    companions: number[];
  };
  for (const pid of [...info.instances, ...info.companions]) h.track(pid);
  process.kill(-p.pid, "SIGINT");
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  expect(code).toBe(0);
  const log = err
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { msg: string; signal?: string });
  const stopped = log.filter((l) => / stopped: /.test(l.msg)).map((l) => [l.msg.split(" (")[0], l.signal]);
  // the instances (stopped together, in any order) before the companion
  expect([...stopped.slice(0, 2)].sort()).toEqual([
    ["instance 0", "SIGTERM"],
    ["instance 1", "SIGTERM"],
  ]);
  expect(stopped.slice(2)).toEqual([["companion sleeper", "SIGTERM"]]);
  expect(log.filter((l) => /restarting/.test(l.msg))).toEqual([]);
  expect([...info.instances, ...info.companions].every((pid) => !isProcessAlive(pid))).toBe(true);
  expect(existsSync(`/dev/shm/statd-${cluster}`)).toBe(false);
}, 30_000);

test("a restart whose command cannot be spawned is retried with backoff, not fatal", async () => {
  let launches = 0;
  const sup = await h.start({
    instances: 1,
    instanceCommand: (slot, segment) =>
      launches++ === 1
        ? ["/nonexistent/statd-instance"]
        : [process.execPath, INSTANCE_FIXTURE, "--segment", segment, "--slot", String(slot)],
  });
  await sup.ready(20_000);
  const pid = sup.status().instances[0].pid!;
  process.kill(pid, "SIGKILL");
  const s0 = () => sup.status().instances[0];
  await h.waitFor(
    () => s0().restarts === 2 && s0().state === "alive",
    "alive after a failed spawn",
    15_000,
    s0,
  );
  const msgs = h.lines.filter((l) => l.slot === 0 && l.level === "warn").map((l) => l.msg);
  expect(msgs[0]).toMatch(/^instance 0 exited with signal SIGKILL after \d+ ms; restarting in 50 ms$/);
  expect(msgs[1]).toMatch(
    /^instance 0 could not be started \(spawn failed: \/nonexistent\/statd-instance: .*\); restarting in 100 ms, 2 quick exits in a row$/,
  );
  expect(s0().generation).toBe(2);
  await sup.stop();
}, 30_000);
