/**
 * A rate-limited warning log: at most `burst` warnings per interval are written one by one; the
 * rest are counted and written as one summary line when the interval ends. A peer that floods
 * bad lines (or answers every re-registration with another fault) cannot flood the log. Portable,
 * clock passed in (the session's injected time).
 *
 * @example
 * ```ts
 * import { RateLog } from "./ratelog.ts";
 * import { silentLogger } from "./logger.ts";
 * const r = new RateLog(silentLogger, { node: "n1" }, 10);
 * r.warn(0, { reason: "invalid JSON" }, "bad frame skipped");
 * r.flush(1000); // writes "more warnings not logged one by one" if any were suppressed
 * ```
 * @module
 */
import type { Logger } from "./logger.ts";

/** Rate-limited warnings; see the module doc. */
export class RateLog {
  private _windowStart = 0;
  private _logged = 0;
  private _suppressed = new Map<string, number>();

  /**
   * @param log where lines go
   * @param fields added to every line (e.g. node and port)
   * @param burst warnings written one by one per interval
   * @param intervalMs the interval, ms (default 1000)
   * @param summary extra fields of the summary line (e.g. current counters)
   */
  constructor(
    private readonly log: Logger,
    private readonly fields: Record<string, unknown>,
    private readonly burst: number,
    private readonly intervalMs = 1000,
    private readonly summary: () => Record<string, unknown> = () => ({}),
  ) {}

  /** Write (or count) one warning at time `now`. Returns true when it was written. */
  warn(now: number, obj: Record<string, unknown>, msg: string): boolean {
    if (now - this._windowStart >= this.intervalMs) this.flush(now, true);
    if (this._logged < this.burst) {
      this._logged++;
      this.log.warn({ ...this.fields, ...obj }, msg);
      return true;
    }
    this._suppressed.set(msg, (this._suppressed.get(msg) ?? 0) + 1);
    return false;
  }

  /** End the interval if it is over (or `force`): write the summary of what was suppressed. */
  flush(now: number, force = false): void {
    if (!force && now - this._windowStart < this.intervalMs) return;
    if (this._suppressed.size > 0) {
      let n = 0;
      const byMessage: Record<string, number> = {};
      for (const [m, k] of this._suppressed) {
        byMessage[m] = k;
        n += k;
      }
      this.log.warn(
        { ...this.fields, suppressed: n, byMessage, ...this.summary() },
        "more warnings not logged one by one",
      );
    }
    this._suppressed = new Map();
    this._logged = 0;
    this._windowStart = now;
  }
}
