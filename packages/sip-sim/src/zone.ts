/**
 * Local time of day in an IANA time zone, for shifts and the daily curve. Offsets come from
 * `Intl` (the runtime's time-zone data) and are cached per UTC hour, so a day costs ~24 lookups.
 * Portable (no Bun or Node API).
 */

/** A time zone view of the simulated clock. */
export class Zone {
  private readonly _fmt: Intl.DateTimeFormat | undefined;
  private readonly _cache = new Map<number, number>();

  /**
   * @param timeZone an IANA zone such as `Europe/Paris`; undefined or `UTC` = UTC.
   * @throws RangeError for an unknown zone
   */
  constructor(readonly timeZone: string | undefined) {
    this._fmt =
      timeZone === undefined || timeZone === "UTC"
        ? undefined
        : new Intl.DateTimeFormat("en-US", {
            timeZone,
            hourCycle: "h23",
            year: "numeric",
            month: "numeric",
            day: "numeric",
            hour: "numeric",
            minute: "numeric",
            second: "numeric",
          });
  }

  /**
   * Offset of local time from UTC at `epochSec`, in seconds (e.g. 3600 for CET).
   *
   * @example
   * ```ts
   * new Zone("Europe/Paris").offset(Date.parse("2026-07-01T00:00:00Z") / 1000); // 7200
   * ```
   */
  offset(epochSec: number): number {
    if (!this._fmt) return 0;
    const hour = Math.floor(epochSec / 3600);
    let off = this._cache.get(hour);
    if (off === undefined) {
      const t = hour * 3600;
      const p: Record<string, number> = {};
      for (const part of this._fmt.formatToParts(new Date(t * 1000))) {
        if (part.type !== "literal") p[part.type] = Number(part.value);
      }
      const local =
        Date.UTC(p.year as number, (p.month as number) - 1, p.day, p.hour, p.minute, p.second) / 1000;
      off = local - t;
      this._cache.set(hour, off);
    }
    return off;
  }

  /**
   * Local seconds since midnight at `epochSec` (0 ≤ x < 86400).
   *
   * @example
   * ```ts
   * new Zone("UTC").secondOfDay(Date.parse("2026-01-05T08:30:00Z") / 1000); // 30600
   * ```
   */
  secondOfDay(epochSec: number): number {
    const local = epochSec + this.offset(epochSec);
    return ((local % 86400) + 86400) % 86400;
  }

  /**
   * Seconds from `epochSec` until the local clock next reads `secOfDay` (0 if it does now),
   * corrected once for a daylight-saving change in between.
   *
   * @example
   * ```ts
   * new Zone("UTC").until(Date.parse("2026-01-05T08:00:00Z") / 1000, 9 * 3600); // 3600
   * ```
   */
  until(epochSec: number, secOfDay: number): number {
    let dt = (((secOfDay - this.secondOfDay(epochSec)) % 86400) + 86400) % 86400;
    const drift = this.offset(epochSec + dt) - this.offset(epochSec);
    if (drift !== 0 && dt - drift > 0) dt -= drift;
    return dt;
  }
}
