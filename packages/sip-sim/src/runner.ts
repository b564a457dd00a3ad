/**
 * Drives a {@link Simulation} against a clock: `speed` simulated seconds per real second, or as
 * fast as possible (`"max"`), up to an optional simulated `duration`. Real time only decides *when*
 * the next batch runs, never *what* it produces, so the events are the same at any speed.
 */
import type { Simulation } from "./model.ts";

/** Options of {@link runSimulation}. */
export interface RunOptions {
  /** Simulated seconds per real second, or `"max"`. */
  speed: number | "max";
  /** Stop after this many simulated seconds (default: never). */
  duration?: number;
  /** Happenings processed per batch before yielding to the event loop (default 20 000). */
  batch?: number;
  /** Real milliseconds, injectable for tests (default `performance.now`). */
  now?: () => number;
}

/** A running simulation. */
export interface Running {
  /** Resolves when the duration is reached or {@link Running.stop} was called; rejects if the model throws. */
  done: Promise<"duration" | "stopped">;
  /** Stop at the next batch boundary. */
  stop(): void;
}

/**
 * Run `sim` against the clock.
 *
 * @example
 * ```ts
 * const run = runSimulation(sim, { speed: "max", duration: 3600 });
 * await run.done;
 * ```
 */
export function runSimulation(sim: Simulation, opts: RunOptions): Running {
  const now = opts.now ?? (() => performance.now());
  const batch = opts.batch ?? 20_000;
  const end = opts.duration ?? Number.POSITIVE_INFINITY;
  const simStart = sim.now;
  const realStart = now();
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let resolve!: (r: "duration" | "stopped") => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<"duration" | "stopped">((res, rej) => {
    resolve = res;
    reject = rej;
  });

  const target = (): number => {
    if (opts.speed === "max") return end;
    return Math.min(end, simStart + ((now() - realStart) / 1000) * opts.speed);
  };

  const tick = (): void => {
    timer = undefined;
    if (stopped) return;
    const t = target();
    let complete: boolean;
    try {
      complete = sim.runUntil(t, batch);
    } catch (e) {
      stopped = true;
      reject(e);
      return;
    }
    if (complete && t >= end) {
      stopped = true;
      resolve("duration");
      return;
    }
    if (!complete || opts.speed === "max") {
      // more is due already: yield so sockets flush and signals run, then continue
      timer = setTimeout(tick, 0);
      return;
    }
    const next = sim.nextTime() ?? end;
    const waitMs = ((Math.min(next, end) - sim.now) / opts.speed) * 1000;
    timer = setTimeout(tick, Math.max(1, Math.min(100, waitMs)));
  };
  timer = setTimeout(tick, 0);

  return {
    done,
    stop(): void {
      if (stopped) return;
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      resolve("stopped");
    },
  };
}
