/**
 * The supervisor of `statd start`: creates the cluster's bus segment, starts the companions (e.g.
 * the demo's simulated SIP cluster) and one process per instance slot, watches them, restarts a
 * dead instance in its slot, and stops everything cleanly. The rules are in docs/architecture.md
 * ("Supervisor").
 *
 * Watching, every `tickMs` (100 ms, less for short heartbeat timeouts):
 * - process exit (Bun.spawn's `exited`) → `restarting`, then a new process in the same slot after
 *   the slot's backoff (1 s, ×2 per quick crash, capped at 30 s; reset after 10 s alive); the bus
 *   gives it the next generation when it joins;
 * - the slot's heartbeat in the segment (written by the instance every 100 ms): older than
 *   `heartbeatTimeoutMs` (3 s) → `stalled`, logged once, NOT restarted (a process stopped for a
 *   few seconds, under a debugger or by SIGSTOP, comes back by itself: `alive` again, logged
 *   once); older than `stalledLimitMs` (30 s) → SIGKILL and restart;
 * - a process that has not joined its slot after `startTimeoutMs` (30 s) → SIGKILL and restart.
 *
 * @example
 * ```ts
 * const sup = await Supervisor.start({
 *   cluster: "demo",
 *   instances: 2,
 *   instanceCommand: (slot, segment) =>
 *     ["bun", "apps/statd/src/instance/main.ts", "--segment", segment, "--slot", String(slot)],
 *   logger,
 * });
 * process.on("SIGINT", () => sup.stop().then(() => process.exit(0)));
 * console.table(sup.status().instances);
 * ```
 * @module
 */

import { Membership } from "@statd/shm-bus";
import { isProcessAlive, monotonicMs, type ShmSegment } from "@statd/shm-bus/bun";
import type { Logger } from "@statd/sip-client";
import type { Subprocess } from "bun";
import { RestartBackoff } from "./backoff.ts";
import {
  clusterSegmentName,
  defaultLayout,
  openClusterSegment,
  type SegmentIdentity,
  SupervisorError,
  segmentIdentity,
  unlinkIfSame,
} from "./cluster_segment.ts";
import { pipeLines } from "./output.ts";
import type { CompanionSpec, ExitInfo, InstanceState, SupervisorOptions, SupervisorStatus } from "./types.ts";

export type {
  CompanionSpec,
  CompanionStatus,
  ExitInfo,
  InstanceState,
  InstanceStatus,
  SupervisorOptions,
  SupervisorStatus,
} from "./types.ts";

interface _Slot {
  slot: number;
  state: InstanceState;
  proc: Subprocess | null;
  spawnedAt: number;
  aliveSince: number | null;
  generation: number;
  heartbeatAgeMs: number | null;
  maxAgeMs: number;
  restarts: number;
  lastExit: ExitInfo | null;
  backoff: RestartBackoff;
  timer: ReturnType<typeof setTimeout> | null;
  restartAt: number | null;
  lastBackoffMs: number | null;
  killedFor: string | null;
}

interface _Companion {
  spec: CompanionSpec;
  proc: Subprocess;
  spawnedAt: number;
  exit: ExitInfo | null;
}

function _positive(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!(Number.isFinite(x) && x > 0)) {
    throw new SupervisorError("BAD_OPTIONS", `${name} must be a positive number of milliseconds, got ${x}`);
  }
  return x;
}

interface _Timing {
  heartbeatTimeoutMs: number;
  stalledLimitMs: number;
  startTimeoutMs: number;
  stopTimeoutMs: number;
  tickMs: number;
}

function _timing(o: SupervisorOptions): _Timing {
  try {
    new RestartBackoff(o.restartBackoff);
  } catch (e) {
    throw new SupervisorError("BAD_OPTIONS", (e as Error).message);
  }
  const heartbeatTimeoutMs = _positive("heartbeatTimeoutMs", o.heartbeatTimeoutMs, 3000);
  const stalledLimitMs = _positive("stalledLimitMs", o.stalledLimitMs, 30_000);
  if (stalledLimitMs <= heartbeatTimeoutMs) {
    throw new SupervisorError(
      "BAD_OPTIONS",
      `stalledLimitMs (${stalledLimitMs}) must exceed heartbeatTimeoutMs (${heartbeatTimeoutMs})`,
    );
  }
  return {
    heartbeatTimeoutMs,
    stalledLimitMs,
    startTimeoutMs: _positive("startTimeoutMs", o.startTimeoutMs, 30_000),
    stopTimeoutMs: _positive("stopTimeoutMs", o.stopTimeoutMs, 5000),
    tickMs: Math.max(10, Math.min(100, heartbeatTimeoutMs / 4)),
  };
}

function _signalName(s: NodeJS.Signals | number | null): string | null {
  return s === null ? null : String(s);
}

function _describeExit(e: ExitInfo): string {
  if (e.reason?.startsWith("spawn failed")) return e.reason;
  const how = e.signal !== null ? `signal ${e.signal}` : `code ${e.code}`;
  return e.reason ? `${how} (killed: ${e.reason})` : how;
}

/**
 * A running cluster: its segment, its instance processes and companions.
 *
 * @example
 * ```ts
 * const sup = await Supervisor.start(opts);
 * await sup.ready(10_000);
 * sup.status().instances.map((i) => i.state); // ["alive", "alive"]
 * await sup.stop();
 * ```
 */
export class Supervisor {
  /** The cluster's segment name (`statd-<cluster>`). */
  readonly segmentName: string;
  /** Cluster name. */
  readonly cluster: string;
  private readonly _o: SupervisorOptions;
  private readonly _log: Logger;
  private readonly _seg: ShmSegment;
  private readonly _id: SegmentIdentity;
  private readonly _members: Membership;
  private readonly _slots: _Slot[] = [];
  private readonly _companions: _Companion[] = [];
  private readonly _t: _Timing;
  private _tickTimer: ReturnType<typeof setInterval> | null = null;
  private _stopping = false;
  private _stopped: Promise<void> | null = null;
  private _done = false;

  private constructor(o: SupervisorOptions, t: _Timing, seg: ShmSegment) {
    this._o = o;
    this._t = t;
    this._log = o.logger;
    this.cluster = o.cluster;
    this.segmentName = seg.name;
    this._seg = seg;
    this._id = segmentIdentity(seg);
    // Heartbeat age is ours to judge (heartbeatTimeoutMs): membership only reports process death.
    this._members = new Membership(seg.segment, {
      now: monotonicMs,
      liveness: isProcessAlive,
      staleMs: Number.POSITIVE_INFINITY,
    });
  }

  /**
   * Creates (or reclaims) the segment, starts the companions, then the instances, and returns
   * without waiting for them to join (see {@link Supervisor.ready}). Throws a
   * {@link SupervisorError} with a one-line message: bad options, cluster already running, a
   * foreign object under the segment's name, a command that cannot be spawned.
   */
  static async start(opts: SupervisorOptions): Promise<Supervisor> {
    const n = opts.instances;
    if (!(Number.isInteger(n) && n >= 1 && n <= 16)) {
      throw new SupervisorError("BAD_OPTIONS", `instances must be an integer 1..16, got ${n}`);
    }
    clusterSegmentName(opts.cluster);
    const t = _timing(opts);
    const params = defaultLayout(n, opts.layout);
    const seg = await openClusterSegment(opts.cluster, params, {
      logger: opts.logger,
      reclaimWaitMs: opts.reclaimWaitMs,
    });
    const sup = new Supervisor(opts, t, seg);
    try {
      for (const c of opts.companions ?? []) sup._startCompanion(c);
      for (let slot = 0; slot < n; slot++) {
        const s: _Slot = {
          slot,
          state: "starting",
          proc: null,
          spawnedAt: 0,
          aliveSince: null,
          generation: 0,
          heartbeatAgeMs: null,
          maxAgeMs: 0,
          restarts: 0,
          lastExit: null,
          backoff: new RestartBackoff(opts.restartBackoff),
          timer: null,
          restartAt: null,
          lastBackoffMs: null,
          killedFor: null,
        };
        sup._slots.push(s);
        sup._spawn(s);
      }
    } catch (e) {
      await sup.stop();
      throw e;
    }
    sup._tickTimer = setInterval(() => sup._tick(), t.tickMs);
    opts.logger.info(
      {
        cluster: opts.cluster,
        segment: seg.name,
        instances: n,
        layout: params,
        pids: sup._slots.map((s) => s.proc?.pid ?? null),
      },
      `cluster ${opts.cluster} started: ${n} instance(s) on segment ${seg.name}`,
    );
    return sup;
  }

  /**
   * Resolves when every slot is `alive`; rejects after `timeoutMs` with the slots that are not.
   */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      if (this._stopping) throw new Error(`cluster ${this.cluster} is stopping`);
      this._tick();
      const notAlive = this._slots.filter((s) => s.state !== "alive");
      if (notAlive.length === 0) return;
      if (performance.now() > deadline) {
        const what = notAlive.map((s) => `instance ${s.slot} ${s.state}`).join(", ");
        throw new Error(`cluster ${this.cluster} not ready after ${timeoutMs} ms: ${what}`);
      }
      await Bun.sleep(this._t.tickMs);
    }
  }

  /** Every slot and companion, as of the last check. */
  status(): SupervisorStatus {
    const now = performance.now();
    return {
      cluster: this.cluster,
      segment: this.segmentName,
      pid: process.pid,
      state: this._done ? "stopped" : this._stopping ? "stopping" : "running",
      instances: this._slots.map((s) => ({
        slot: s.slot,
        state: s.state,
        pid: s.proc?.pid ?? null,
        generation: s.generation,
        heartbeatAgeMs: s.heartbeatAgeMs === null ? null : Math.round(s.heartbeatAgeMs),
        restarts: s.restarts,
        lastExit: s.lastExit,
        restartInMs: s.restartAt === null ? null : Math.max(0, Math.round(s.restartAt - now)),
        lastBackoffMs: s.lastBackoffMs,
        consecutiveCrashes: s.backoff.consecutive,
      })),
      companions: this._companions.map((c) => ({
        name: c.spec.name,
        pid: c.proc.pid,
        state: c.exit === null ? "running" : "exited",
        exit: c.exit,
      })),
    };
  }

  /**
   * Stops the cluster: cancels pending restarts, SIGTERMs every instance (then every companion)
   * by pid, SIGKILLs what is still running after `stopTimeoutMs`, then unmaps and removes the
   * segment (only if the name still holds the segment this supervisor created). Idempotent.
   */
  stop(): Promise<void> {
    this._stopped ??= this._stop();
    return this._stopped;
  }

  private async _stop(): Promise<void> {
    this._stopping = true;
    if (this._tickTimer) clearInterval(this._tickTimer);
    this._tickTimer = null;
    for (const s of this._slots) {
      if (s.timer) clearTimeout(s.timer);
      s.timer = null;
      s.restartAt = null;
      if (s.proc === null) s.state = "dead";
    }
    this._log.info({ cluster: this.cluster }, `cluster ${this.cluster} stopping`);
    const instances = this._slots.flatMap((s) =>
      s.proc ? [{ what: `instance ${s.slot}`, proc: s.proc }] : [],
    );
    await this._terminate(instances);
    await this._terminate(this._companions.map((c) => ({ what: `companion ${c.spec.name}`, proc: c.proc })));
    this._seg.close({ unlink: false });
    const gone = unlinkIfSame(this.segmentName, this._id);
    if (gone === "other") {
      this._log.warn(
        { segment: this.segmentName },
        `segment ${this.segmentName} is no longer the one this supervisor created (replaced by another cluster?): left as it is`,
      );
    } else if (gone === "absent") {
      // The bus's exit cleanup removes it on SIGINT/SIGTERM already (docs/bus.md rule 13).
      this._log.debug({ segment: this.segmentName }, `segment ${this.segmentName} was already removed`);
    }
    this._done = true;
    this._log.info({ cluster: this.cluster }, `cluster ${this.cluster} stopped`);
  }

  private async _terminate(list: { what: string; proc: Subprocess }[]): Promise<void> {
    const running = list.filter((p) => p.proc.exitCode === null && p.proc.signalCode === null);
    for (const p of running) {
      p.proc.kill("SIGTERM");
      // A stopped (SIGSTOP) process keeps SIGTERM pending until it continues.
      p.proc.kill("SIGCONT");
    }
    const all = Promise.all(running.map((p) => p.proc.exited));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = await Promise.race([
      all.then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), this._t.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (!late) return;
    for (const p of running) {
      if (p.proc.exitCode !== null || p.proc.signalCode !== null) continue;
      this._log.warn(
        { pid: p.proc.pid },
        `${p.what} (pid ${p.proc.pid}) did not exit within ${this._t.stopTimeoutMs} ms of SIGTERM: SIGKILL`,
      );
      p.proc.kill("SIGKILL");
    }
    await all;
  }

  private _env(): Record<string, string | undefined> {
    return { ...process.env, ...this._o.env };
  }

  private _spawnProc(cmd: string[], context: Record<string, unknown>): Subprocess {
    const log = this._o.output === "log";
    const proc = Bun.spawn(cmd, {
      // Its own process group: a Ctrl-C at the terminal reaches the supervisor only, which stops
      // the instances first and the companions after, each with SIGTERM.
      detached: true,
      cwd: this._o.cwd,
      env: this._env(),
      stdin: "ignore",
      stdout: log ? "pipe" : "inherit",
      stderr: log ? "pipe" : "inherit",
    });
    if (log) {
      const ctx = { ...context, pid: proc.pid };
      for (const stream of ["stdout", "stderr"] as const) {
        const r = proc[stream];
        if (r instanceof ReadableStream) {
          pipeLines(r, (line) => this._log.info({ ...ctx, stream }, line)).catch(() => {});
        }
      }
    }
    return proc;
  }

  private _startCompanion(spec: CompanionSpec): void {
    let proc: Subprocess;
    try {
      proc = this._spawnProc(spec.cmd, { companion: spec.name });
    } catch (e) {
      throw new SupervisorError(
        "SPAWN",
        `companion ${spec.name}: cannot start ${spec.cmd[0]}: ${(e as Error).message}`,
      );
    }
    const c: _Companion = { spec, proc, spawnedAt: performance.now(), exit: null };
    this._companions.push(c);
    this._log.info(
      { companion: spec.name, pid: proc.pid, cmd: spec.cmd },
      `companion ${spec.name} started (pid ${proc.pid})`,
    );
    proc.exited.then(() => {
      c.exit = this._exitInfo(proc, c.spawnedAt, null);
      if (this._stopping) {
        this._log.info(
          { companion: spec.name, pid: proc.pid, code: c.exit.code, signal: c.exit.signal },
          `companion ${spec.name} (pid ${proc.pid}) stopped: ${_describeExit(c.exit)}`,
        );
        return;
      }
      this._log.error(
        { companion: spec.name, pid: proc.pid, code: c.exit.code, signal: c.exit.signal },
        `companion ${spec.name} (pid ${proc.pid}) exited with ${_describeExit(c.exit)}; not restarted`,
      );
    });
  }

  private _exitInfo(proc: Subprocess, spawnedAt: number, reason: string | null): ExitInfo {
    return {
      code: proc.signalCode === null ? proc.exitCode : null,
      signal: _signalName(proc.signalCode),
      at: new Date().toISOString(),
      ranMs: Math.round(performance.now() - spawnedAt),
      reason,
    };
  }

  /** Starts the process of slot `s`; the first spawn's failure is fatal, a restart's is retried. */
  private _spawn(s: _Slot): void {
    const gen = this._members.state(s.slot).generation + 1;
    const cmd = this._o.instanceCommand(s.slot, this.segmentName, gen);
    let proc: Subprocess;
    s.spawnedAt = performance.now();
    s.aliveSince = null;
    s.heartbeatAgeMs = null;
    s.maxAgeMs = 0;
    s.killedFor = null;
    try {
      proc = this._spawnProc(cmd, { slot: s.slot });
    } catch (e) {
      const msg = `spawn failed: ${cmd[0]}: ${(e as Error).message}`;
      if (s.restarts === 0 && s.lastExit === null) {
        throw new SupervisorError(
          "SPAWN",
          `instance ${s.slot}: cannot start ${cmd[0]}: ${(e as Error).message}`,
        );
      }
      s.lastExit = { code: null, signal: null, at: new Date().toISOString(), ranMs: 0, reason: msg };
      this._scheduleRestart(s, 0);
      return;
    }
    s.proc = proc;
    s.state = "starting";
    this._log.info(
      { slot: s.slot, pid: proc.pid, generation: gen, restarts: s.restarts },
      `instance ${s.slot} started (pid ${proc.pid})`,
    );
    proc.exited.then(() => this._onExit(s, proc));
  }

  private _onExit(s: _Slot, proc: Subprocess): void {
    if (s.proc !== proc) return;
    const aliveMs = s.aliveSince === null ? 0 : performance.now() - s.aliveSince;
    s.lastExit = this._exitInfo(proc, s.spawnedAt, s.killedFor);
    s.proc = null;
    s.heartbeatAgeMs = null;
    if (this._stopping) {
      s.state = "dead";
      this._log.info(
        { slot: s.slot, pid: proc.pid, code: s.lastExit.code, signal: s.lastExit.signal },
        `instance ${s.slot} (pid ${proc.pid}) stopped: ${_describeExit(s.lastExit)}`,
      );
      return;
    }
    this._scheduleRestart(s, aliveMs);
  }

  private _scheduleRestart(s: _Slot, aliveMs: number): void {
    const delay = s.backoff.next(aliveMs);
    const e = s.lastExit;
    s.state = "restarting";
    s.lastBackoffMs = delay;
    s.restartAt = performance.now() + delay;
    const loop = s.backoff.consecutive > 1 ? `, ${s.backoff.consecutive} quick exits in a row` : "";
    const what = e?.reason?.startsWith("spawn failed")
      ? `could not be started (${e.reason})`
      : `exited with ${e ? _describeExit(e) : "no status"} after ${e?.ranMs ?? 0} ms`;
    this._log.warn(
      {
        slot: s.slot,
        code: e?.code ?? null,
        signal: e?.signal ?? null,
        reason: e?.reason ?? null,
        ranMs: e?.ranMs ?? 0,
        restartInMs: delay,
        consecutiveCrashes: s.backoff.consecutive,
      },
      `instance ${s.slot} ${what}; restarting in ${delay} ms${loop}`,
    );
    s.timer = setTimeout(() => {
      s.timer = null;
      s.restartAt = null;
      if (this._stopping) return;
      s.restarts++;
      this._spawn(s);
    }, delay);
  }

  private _kill(s: _Slot, reason: string, msg: string): void {
    if (!s.proc || s.killedFor !== null) return;
    s.killedFor = reason;
    this._log.error({ slot: s.slot, pid: s.proc.pid, reason }, msg);
    s.proc.kill("SIGKILL");
  }

  /** One check of every slot against the segment. */
  private _tick(): void {
    if (this._stopping) return;
    const now = performance.now();
    for (const s of this._slots) {
      const p = s.proc;
      if (p === null || p.exitCode !== null || p.signalCode !== null) continue; // _onExit handles it
      const m = this._members.state(s.slot);
      if (m.pid !== p.pid || m.state !== "alive") {
        if (s.state === "starting" && now - s.spawnedAt > this._t.startTimeoutMs) {
          this._kill(
            s,
            "start timeout",
            `instance ${s.slot} (pid ${p.pid}) did not join its slot within ${this._t.startTimeoutMs} ms: killing it (SIGKILL) to restart`,
          );
        }
        continue;
      }
      const age = m.heartbeatAgeMs;
      s.generation = m.generation;
      s.heartbeatAgeMs = age;
      if (age <= this._t.heartbeatTimeoutMs) {
        if (s.state === "starting") {
          s.aliveSince = now;
          this._log.info(
            { slot: s.slot, pid: p.pid, generation: m.generation },
            `instance ${s.slot} alive (pid ${p.pid}, generation ${m.generation})`,
          );
        } else if (s.state === "stalled") {
          this._log.info(
            { slot: s.slot, pid: p.pid, stalledMs: Math.round(s.maxAgeMs) },
            `instance ${s.slot} (pid ${p.pid}) is heartbeating again after ${Math.round(s.maxAgeMs)} ms: alive`,
          );
        }
        s.state = "alive";
        s.maxAgeMs = 0;
        continue;
      }
      s.maxAgeMs = Math.max(s.maxAgeMs, age);
      if (s.state !== "stalled") {
        s.aliveSince ??= now;
        s.state = "stalled";
        this._log.warn(
          { slot: s.slot, pid: p.pid, heartbeatAgeMs: Math.round(age) },
          `instance ${s.slot} (pid ${p.pid}) stalled: no heartbeat for ${Math.round(age)} ms (its process runs; restarted only after ${this._t.stalledLimitMs} ms)`,
        );
      }
      if (age > this._t.stalledLimitMs) {
        this._kill(
          s,
          "stalled",
          `instance ${s.slot} (pid ${p.pid}) has had no heartbeat for ${Math.round(age)} ms (limit ${this._t.stalledLimitMs} ms): killing it (SIGKILL) to restart`,
        );
      }
    }
  }
}
