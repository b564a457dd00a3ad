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

/**
 * The live clock of the daemon: it follows the sources' time stamps forward and runs with the
 * wall clock in between, so time moves on when no event comes (sliding windows, resets and
 * periodic notifications need no event) and a source that runs faster than real time (a
 * simulator at `--speed 10`) drags it along. It never goes backwards; a stamp behind it is a late
 * event. It starts at `startMs` (the daemon passes the wall clock at start).
 *
 * @example
 * ```ts
 * const c = new SourceClock(Date.now());
 * c.observe(Date.now() + 5_000); // a source ahead: the clock jumps to it, then keeps running
 * ```
 */
export class SourceClock implements Clock {
  private _base: number;
  private _wallAt: number;
  constructor(
    startMs: number,
    private readonly _wall: () => number = () => Date.now(),
  ) {
    this._base = startMs;
    this._wallAt = _wall();
  }
  private _last = Number.NEGATIVE_INFINITY;
  now(): number {
    const t = this._base + Math.max(0, this._wall() - this._wallAt);
    if (t > this._last) this._last = t;
    return this._last;
  }
  /** Jump forward to `ms` if it is ahead of now. */
  observe(ms: number): void {
    if (ms > this.now()) {
      this._base = ms;
      this._wallAt = this._wall();
    }
  }
}
