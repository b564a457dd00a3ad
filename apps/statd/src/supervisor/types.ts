/**
 * The supervisor's public shapes: its options and what `status()` reports. The rules behind the
 * numbers are in docs/architecture.md ("Supervisor").
 *
 * @example
 * ```ts
 * const opts: SupervisorOptions = {
 *   cluster: "demo",
 *   instances: 2,
 *   instanceCommand: (slot, segment) => ["bun", "instance.ts", "--segment", segment, "--slot", String(slot)],
 *   logger,
 * };
 * ```
 * @module
 */

import type { LayoutParams } from "@statd/shm-bus";
import type { Logger } from "@statd/sip-client";
import type { BackoffOptions } from "./backoff.ts";

/** A process started and stopped with the cluster (started before the instances). */
export interface CompanionSpec {
  /** Name in logs and status, e.g. "sipsim". */
  name: string;
  /** argv, e.g. `["bun", "packages/sip-sim/src/cli.ts", "--listen", "127.0.0.1:7100"]`. */
  cmd: string[];
}

/** Options of `Supervisor.start`. */
export interface SupervisorOptions {
  /** Cluster name (`[A-Za-z0-9._-]{1,58}`); the segment is `statd-<cluster>`. */
  cluster: string;
  /** Instance slots, 1..16. */
  instances: number;
  /** Ring sizes; defaults: see `defaultLayout` (SPSC 4 MiB, broadcast 1 MiB, records 64 KiB). */
  layout?: Partial<Omit<LayoutParams, "maxInstances">>;
  /**
   * The argv that runs instance `slot` on `segment`. `generation` is the bus generation the
   * instance will get when it joins (the slot's current one + 1); the instance's own
   * `bus.generation` is authoritative.
   */
  instanceCommand(slot: number, segment: string, generation: number): string[];
  /** Added to the supervisor's environment for every child. */
  env?: Record<string, string>;
  /** Working directory of every child (default: the supervisor's). */
  cwd?: string;
  /** Extra processes, started before the instances and stopped after them; not restarted. */
  companions?: CompanionSpec[];
  /** pino (or anything with pino's `(object, message)` methods). */
  logger: Logger;
  /** Children's stdout/stderr: `inherit` (default) or `log` (one logger line per output line). */
  output?: "inherit" | "log";
  /** Heartbeat age that makes an instance `stalled` (default 3000 ms). */
  heartbeatTimeoutMs?: number;
  /** Heartbeat age that makes the supervisor kill and restart a stalled instance (default 30 000 ms). */
  stalledLimitMs?: number;
  /** Time a new process has to join its slot before it is killed and restarted (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Restart backoff (default 1 s doubling to 30 s, reset after 10 s alive). */
  restartBackoff?: BackoffOptions;
  /** Time children have between SIGTERM and SIGKILL at stop (default 5000 ms). */
  stopTimeoutMs?: number;
  /** Time to wait for orphans of a SIGKILLed supervisor to exit before refusing (default 2000 ms). */
  reclaimWaitMs?: number;
}

/** What an instance slot is doing. */
export type InstanceState = "starting" | "alive" | "stalled" | "dead" | "restarting";

/** How a process ended. */
export interface ExitInfo {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** Signal name (null for a normal exit). */
  signal: string | null;
  /** Wall-clock time of the exit (ISO 8601). */
  at: string;
  /** How long the process ran (ms). */
  ranMs: number;
  /** Why the supervisor killed it (`stalled`, `start timeout`, `spawn failed: …`), else null. */
  reason: string | null;
}

/** One instance slot in {@link SupervisorStatus}. */
export interface InstanceStatus {
  slot: number;
  state: InstanceState;
  /** The current process (null while dead or restarting). */
  pid: number | null;
  /** Bus generation of the current process once joined (0 before the slot was ever joined). */
  generation: number;
  /** Heartbeat age seen at the last check (null before it joined). */
  heartbeatAgeMs: number | null;
  /** Processes started in this slot after the first one. */
  restarts: number;
  lastExit: ExitInfo | null;
  /** Milliseconds until the pending restart (null if none is pending). */
  restartInMs: number | null;
  /** The delay chosen for the last restart (null before the first). */
  lastBackoffMs: number | null;
  /** Deaths in a row without a stable run (0 when it never died). */
  consecutiveCrashes: number;
}

/** One companion in {@link SupervisorStatus}. */
export interface CompanionStatus {
  name: string;
  pid: number;
  state: "running" | "exited";
  exit: ExitInfo | null;
}

/** What {@link Supervisor.status} reports (instance fields as of the last check). */
export interface SupervisorStatus {
  cluster: string;
  segment: string;
  /** The supervisor's own pid. */
  pid: number;
  state: "running" | "stopping" | "stopped";
  instances: InstanceStatus[];
  companions: CompanionStatus[];
}
