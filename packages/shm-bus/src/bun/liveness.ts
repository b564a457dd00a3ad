/**
 * Process liveness from `/proc/PID/stat`: the process exists, is not a zombie (`kill(pid, 0)`
 * calls a zombie alive) and has the recorded start time (pids are reused).
 *
 * @example
 * ```ts
 * const me = processStartTime(process.pid)!;
 * isProcessAlive(process.pid, me); // true
 * ```
 * @module
 */
import { readFileSync } from "node:fs";

/** State letter and start time (clock ticks since boot, field 22) of `pid`, or null if gone. */
export function procStat(pid: number): { state: string; startTime: number } | null {
  if (!(Number.isInteger(pid) && pid > 0)) return null;
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return null;
  }
  // "pid (comm) S ppid ...": comm may hold spaces and parentheses; fields follow the LAST ')'.
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const fields = text.slice(close + 2).split(" ");
  const startTime = Number(fields[19]);
  return { state: fields[0], startTime: Number.isFinite(startTime) ? startTime : 0 };
}

/** Start time of `pid` (0 if unknown). */
export function processStartTime(pid: number): number {
  return procStat(pid)?.startTime ?? 0;
}

/** True when `pid` runs, is not a zombie/dead task, and (if `startTime` is non-zero) started then. */
export function isProcessAlive(pid: number, startTime = 0): boolean {
  const st = procStat(pid);
  if (st === null || st.state === "Z" || st.state === "X" || st.state === "x") return false;
  return startTime === 0 || st.startTime === startTime;
}
