/**
 * Capped exponential backoff with jitter, and the timer/clock interface the portable core uses.
 * Delay n (n = 0, 1, …) is `min(maxMs, initialMs · factor^n)` scaled by a random factor in
 * `[1 - jitter, 1]` ("equal jitter" for jitter = 0.5): never above the cap, never below half of it.
 *
 * @example
 * ```ts
 * const b = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 1 });
 * b.next(); // 100
 * b.next(); // 200
 * b.reset();
 * ```
 * @module
 */

/** Backoff parameters. */
export interface BackoffOptions {
  /** first delay, ms (default 100) */
  initialMs?: number;
  /** cap, ms (default 10 000) */
  maxMs?: number;
  /** growth per attempt (default 2) */
  factor?: number;
  /** fraction of the delay that is random, 0..1 (default 0.5) */
  jitter?: number;
  /** uniform [0, 1) source (default Math.random) */
  random?: () => number;
}

/** Capped exponential backoff with jitter; see the module doc. */
export class Backoff {
  private _attempt = 0;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  readonly jitter: number;
  private readonly _random: () => number;

  constructor(o: BackoffOptions = {}) {
    this.initialMs = o.initialMs ?? 100;
    this.maxMs = o.maxMs ?? 10_000;
    this.factor = o.factor ?? 2;
    this.jitter = Math.min(1, Math.max(0, o.jitter ?? 0.5));
    this._random = o.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new RangeError("backoff: need 0 < initialMs <= maxMs and factor >= 1");
    }
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this._attempt;
  }

  /** The un-jittered delay of attempt n. */
  base(n: number): number {
    return Math.min(this.maxMs, this.initialMs * this.factor ** Math.min(n, 1000));
  }

  /** The delay before the next attempt, ms. */
  next(): number {
    const base = this.base(this._attempt++);
    return Math.round(base * (1 - this.jitter + this.jitter * this._random()));
  }

  /** Back to the first delay (after a successful registration). */
  reset(): void {
    this._attempt = 0;
  }
}

/** A clock and timers, injectable (real ones in adapters, a fake one in tests). */
export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Wall-clock timers from the global scope (portable: `setTimeout` exists in Bun, Deno, browsers). */
export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * A manual clock for tests: time moves only with {@link FakeTimers.advance}, which runs due
 * timers in time order.
 *
 * @example
 * ```ts
 * const t = new FakeTimers();
 * t.setTimeout(() => console.log("fired at", t.now()), 100);
 * t.advance(100);
 * ```
 */
export class FakeTimers implements Timers {
  private _now: number;
  private _seq = 0;
  private readonly _due = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 0) {
    this._now = start;
  }
  now(): number {
    return this._now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this._seq;
    this._due.set(id, { at: this._now + Math.max(0, ms), fn });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this._due.delete(handle as number);
  }
  /** Pending timers as delays from now, soonest first. */
  pending(): number[] {
    return [...this._due.values()].map((d) => d.at - this._now).sort((a, b) => a - b);
  }
  /** Move time forward by `ms`, running every timer that falls due, in order. */
  advance(ms: number): void {
    const end = this._now + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [id, d] of this._due) {
        if (d.at < nextAt || (d.at === nextAt && id < nextId)) {
          nextAt = d.at;
          nextId = id;
        }
      }
      if (nextId < 0 || nextAt > end) break;
      const d = this._due.get(nextId)!;
      this._due.delete(nextId);
      this._now = Math.max(this._now, d.at);
      d.fn();
    }
    this._now = end;
  }
}
