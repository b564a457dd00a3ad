/**
 * The idle strategy of a waiting subscriber: spin (re-check a few times, cheapest wake-up), then
 * yield to the event loop a few times, then park (no CPU). Parking never blocks the event loop:
 * the parker does it off the main thread.
 *
 * @example
 * ```ts
 * const idle = new IdleStrategy({ spins: 100, yields: 2 });
 * const ready = await idle.idle(() => bus.available(), (t) => parkSomehow(t), 1000);
 * ```
 * @module
 */

/** Tuning of {@link IdleStrategy}. */
export interface IdleOptions {
  /** Synchronous re-checks before yielding (default 64). */
  spins?: number;
  /** Keep re-checking for at least this long (ms) before yielding (default 0: `spins` only). */
  spinMs?: number;
  /** Yields to the event loop before parking (default 1). */
  yields?: number;
  /** How to yield (default: `setImmediate` where the runtime has it, else a zero-delay timer). */
  yieldFn?: () => Promise<void>;
}

// setTimeout(0) is clamped to ~1 ms in Bun; setImmediate yields in ~15 µs.
const _immediate = (globalThis as { setImmediate?: (f: () => void) => unknown }).setImmediate;
const _timeout0 = _immediate
  ? () => new Promise<void>((r) => void _immediate(r))
  : () => new Promise<void>((r) => setTimeout(r, 0));

/**
 * Spin, then yield, then park.
 *
 * @example
 * ```ts
 * await new IdleStrategy().idle(() => ready(), (ms) => sleep(ms), 100);
 * ```
 */
export class IdleStrategy {
  /** Synchronous re-checks. */
  readonly spins: number;
  /** Minimum spinning time (ms). */
  readonly spinMs: number;
  /** Event-loop yields. */
  readonly yields: number;
  /** Times each phase ended the wait (spin, yield, park, timeout): for tests and tuning. */
  readonly phases = { spin: 0, yield: 0, park: 0, timeout: 0 };
  private readonly _yield: () => Promise<void>;

  constructor(options: IdleOptions = {}) {
    this.spins = options.spins ?? 64;
    this.spinMs = options.spinMs ?? 0;
    this.yields = options.yields ?? 1;
    this._yield = options.yieldFn ?? _timeout0;
  }

  /**
   * Resolves true once `ready()` holds, false after `timeoutMs`. `park(remainingMs)` sleeps until
   * woken or the time passes; `now()` is any millisecond clock.
   */
  async idle(
    ready: () => boolean,
    park: (remainingMs: number) => Promise<boolean>,
    timeoutMs: number,
    now: () => number = () => performance.now(),
  ): Promise<boolean> {
    if (ready()) return true;
    for (let i = 0; i < this.spins; i++) {
      if (ready()) {
        this.phases.spin++;
        return true;
      }
    }
    const t0 = now();
    if (this.spinMs > 0) {
      for (let i = 0; ; i++) {
        if (ready()) {
          this.phases.spin++;
          return true;
        }
        if ((i & 31) === 31 && now() - t0 >= this.spinMs) break;
      }
    }
    for (let i = 0; i < this.yields; i++) {
      await this._yield();
      if (ready()) {
        this.phases.yield++;
        return true;
      }
    }
    for (;;) {
      const left = timeoutMs - (now() - t0);
      if (left <= 0) {
        this.phases.timeout++;
        return false;
      }
      if (await park(left)) {
        this.phases.park++;
        return true;
      }
    }
  }
}
