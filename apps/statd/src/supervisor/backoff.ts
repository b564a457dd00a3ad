/**
 * The restart delay of one instance slot: a crash-looping instance waits longer and longer
 * (`initialMs`, then ×2 per quick crash, capped at `maxMs`); an instance that had been alive for
 * `stableMs` before it died starts again from `initialMs`.
 *
 * @example
 * ```ts
 * const b = new RestartBackoff({ initialMs: 1000, maxMs: 30_000, stableMs: 10_000 });
 * b.next(0);      // 1000 (never became alive)
 * b.next(200);    // 2000
 * b.next(60_000); // 1000 (it had run fine for a minute)
 * ```
 * @module
 */

/** Restart backoff settings (milliseconds). */
export interface BackoffOptions {
  /** Delay before the first restart after a stable run (default 1000). */
  initialMs?: number;
  /** Largest delay (default 30 000). */
  maxMs?: number;
  /** An instance alive at least this long before it died is not crash-looping (default 10 000). */
  stableMs?: number;
}

/** Defaults of {@link BackoffOptions}. */
export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 1000, maxMs: 30_000, stableMs: 10_000 };

function _ms(name: string, v: number): number {
  if (!(Number.isFinite(v) && v >= 0)) {
    throw new RangeError(`restartBackoff.${name} must be a finite number of milliseconds >= 0, got ${v}`);
  }
  return v;
}

/**
 * Exponential restart backoff for one slot.
 *
 * @example
 * ```ts
 * const b = new RestartBackoff();
 * setTimeout(respawn, b.next(aliveMs));
 * ```
 */
export class RestartBackoff {
  /** First delay. */
  readonly initialMs: number;
  /** Cap. */
  readonly maxMs: number;
  /** Alive time that resets the backoff. */
  readonly stableMs: number;
  private _quick = 0;

  constructor(options: BackoffOptions = {}) {
    const o = { ...DEFAULT_BACKOFF, ...options };
    this.initialMs = _ms("initialMs", o.initialMs);
    this.maxMs = _ms("maxMs", o.maxMs);
    this.stableMs = _ms("stableMs", o.stableMs);
    if (this.initialMs > this.maxMs) {
      throw new RangeError(`restartBackoff.initialMs (${this.initialMs}) exceeds maxMs (${this.maxMs})`);
    }
  }

  /**
   * The delay before the next restart of an instance that died after being alive for `aliveMs`
   * (0 if it never became alive), and counts this death.
   */
  next(aliveMs: number): number {
    if (aliveMs >= this.stableMs) this._quick = 0;
    const d = Math.min(this.maxMs, this.initialMs * 2 ** this._quick);
    this._quick++;
    return d;
  }

  /** Deaths in a row without a stable run in between (the last one included). */
  get consecutive(): number {
    return this._quick;
  }
}
