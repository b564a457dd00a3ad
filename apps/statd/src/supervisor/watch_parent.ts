/**
 * Orphan protection for instances: an instance calls `watchParent(segmentName, onGone)` and exits
 * in `onGone` when its supervisor is gone. A SIGKILLed supervisor runs no cleanup and Linux does
 * not kill its children, so without this they would keep running (and keep the cluster's segment
 * "in use": the next `statd start` would refuse it). The supervisor is the segment's creator: its
 * pid and process start time are in the segment header (a reused pid is not mistaken for it).
 *
 * The check runs every `intervalMs` (default 500) on an unref'd timer (it never keeps the process
 * alive) and calls `onGone` once.
 *
 * @example
 * ```ts
 * // in the instance process
 * const stop = watchParent(segmentName, ({ pid }) => {
 *   logger.error({ pid }, "supervisor is gone: exiting");
 *   shutdown().finally(() => process.exit(1));
 * });
 * ```
 * @module
 */
import { readHeader } from "@statd/shm-bus";
import { isProcessAlive, processStartTime, ShmSegment } from "@statd/shm-bus/bun";

/** Options of {@link watchParent}. */
export interface WatchParentOptions {
  /** Milliseconds between checks (default 500). */
  intervalMs?: number;
}

/** Who was watched. */
export interface ParentGone {
  pid: number;
}

/**
 * Watches the creator of segment `target` (a segment name), or process `target` (a pid), and
 * calls `onGone` once when it is gone. Returns the function that stops watching. A name that
 * cannot be attached throws (the segment must exist when the instance starts).
 *
 * @example
 * ```ts
 * const stop = watchParent(process.ppid, () => process.exit(1), { intervalMs: 200 });
 * stop();
 * ```
 */
export function watchParent(
  target: string | number,
  onGone: (gone: ParentGone) => void,
  options: WatchParentOptions = {},
): () => void {
  const intervalMs = options.intervalMs ?? 500;
  if (!(Number.isFinite(intervalMs) && intervalMs > 0)) {
    throw new RangeError(`watchParent: intervalMs must be > 0, got ${intervalMs}`);
  }
  let pid: number;
  let start: number;
  if (typeof target === "number") {
    pid = target;
    start = processStartTime(pid);
  } else {
    const seg = ShmSegment.attach(target, { readOnly: true });
    try {
      const h = readHeader(seg.memory.buffer);
      pid = h.creatorPid;
      start = h.creatorStart;
    } finally {
      seg.close();
    }
  }
  let done = false;
  const check = () => {
    if (done || isProcessAlive(pid, start)) return;
    stop();
    onGone({ pid });
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  // A pid without a start time is already gone: report it soon, never synchronously.
  const first = start === 0 ? setTimeout(check, 0) : null;
  first?.unref();
  function stop(): void {
    done = true;
    clearInterval(timer);
    if (first) clearTimeout(first);
  }
  return stop;
}
