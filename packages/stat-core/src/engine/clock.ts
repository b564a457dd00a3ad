/**
 * Injectable clocks. Live: the wall clock. Replay: a clock driven by the events' source times
 * (never goes backwards), so a recorded day replays deterministically.
 *
 * @example
 * ```ts
 * const c = new ReplayClock(0); c.observe(1_000); c.now(); // 1000
 * ```
 * @module
 */

/** A source of "now" in epoch milliseconds. `observe` receives each event's source time. */
export interface Clock {
  now(): number;
  observe?(eventMs: number): void;
}

/** The wall clock (`Date.now()`). @example wallClock.now() */
export const wallClock: Clock = { now: () => Date.now() };

/** A clock that follows event time: `now()` is the latest observed event time (or a tick). */
export class ReplayClock implements Clock {
  private _t: number;
  /** @param startMs initial time (epoch ms) */
  constructor(startMs = 0) {
    this._t = startMs;
  }
  now(): number {
    return this._t;
  }
  /** Move forward to `ms` (ignored when earlier). */
  observe(ms: number): void {
    if (ms > this._t) this._t = ms;
  }
}
