/**
 * Time-zone arithmetic on `Intl.DateTimeFormat` alone (portable: no library, no runtime API).
 *
 * @example
 * ```ts
 * import { localToInstant, zoneOffsetMs } from "./zone.ts";
 * zoneOffsetMs("Europe/Paris", Date.UTC(2026, 0, 1)); // 3600000
 * localToInstant("Europe/Paris", { y: 2026, m: 3, d: 29, minute: 150 }); // 02:30 skipped → 03:00 local
 * ```
 * @module
 */

const _formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether `tz` is an IANA time zone name this runtime knows (e.g. "Europe/Paris", "UTC"). */
export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== "string" || tz.length === 0 || tz.length > 64) return false;
  try {
    _fmt(tz);
    return true;
  } catch {
    return false;
  }
}

function _fmt(tz: string): Intl.DateTimeFormat {
  let f = _formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    _formatters.set(tz, f);
  }
  return f;
}

/** Local calendar fields of an instant in a zone. `m` is 1–12. */
export interface LocalParts {
  y: number;
  m: number;
  d: number;
  hh: number;
  mm: number;
  ss: number;
}

/**
 * The wall-clock fields of `epochMs` in `tz`.
 *
 * @example
 * ```ts
 * localParts("UTC", 0); // { y: 1970, m: 1, d: 1, hh: 0, mm: 0, ss: 0 }
 * ```
 */
export function localParts(tz: string, epochMs: number): LocalParts {
  const out: LocalParts = { y: 0, m: 0, d: 0, hh: 0, mm: 0, ss: 0 };
  for (const p of _fmt(tz).formatToParts(new Date(epochMs))) {
    switch (p.type) {
      case "year":
        out.y = Number(p.value);
        break;
      case "month":
        out.m = Number(p.value);
        break;
      case "day":
        out.d = Number(p.value);
        break;
      case "hour":
        out.hh = Number(p.value) % 24;
        break;
      case "minute":
        out.mm = Number(p.value);
        break;
      case "second":
        out.ss = Number(p.value);
        break;
    }
  }
  return out;
}

/**
 * UTC offset of `tz` at `epochMs`, in ms (local = UTC + offset), at whole-second precision.
 *
 * @example
 * ```ts
 * zoneOffsetMs("America/New_York", Date.UTC(2026, 6, 1)); // -14400000
 * ```
 */
export function zoneOffsetMs(tz: string, epochMs: number): number {
  if (tz === "UTC" || tz === "Etc/UTC") return 0;
  const s = Math.floor(epochMs / 1000) * 1000;
  const p = localParts(tz, s);
  return Date.UTC(p.y, p.m - 1, p.d, p.hh, p.mm, p.ss) - s;
}

/** A local date plus minutes after local midnight (0–1439). */
export interface LocalMinute {
  y: number;
  m: number;
  d: number;
  minute: number;
}

/**
 * The instant at which the wall clock of `tz` shows the given local date and minute.
 *
 * DST rule (docs/semantics-config.md): a local time that occurs twice (fall back) maps to its
 * FIRST occurrence; a local time that does not exist (spring forward gap) maps to the instant
 * the gap ends (the first valid instant after it, e.g. 02:30 on the Paris spring-forward day
 * → 03:00 CEST = 01:00 UTC).
 *
 * @example
 * ```ts
 * localToInstant("UTC", { y: 2026, m: 1, d: 2, minute: 90 }) === Date.UTC(2026, 0, 2, 1, 30); // true
 * ```
 */
export function localToInstant(tz: string, lm: LocalMinute): number {
  const local = Date.UTC(lm.y, lm.m - 1, lm.d, 0, lm.minute);
  const offsets = new Set<number>([
    zoneOffsetMs(tz, local - 86_400_000),
    zoneOffsetMs(tz, local),
    zoneOffsetMs(tz, local + 86_400_000),
  ]);
  let best: number | undefined;
  for (const o of offsets) {
    const t = local - o;
    if (zoneOffsetMs(tz, t) === o && (best === undefined || t < best)) best = t;
  }
  if (best !== undefined) return best;
  // In a gap: the transition lies between local - maxOffset (old offset in force) and
  // local - minOffset (new offset in force). Binary-search the first instant with the new offset.
  const sorted = [...offsets].sort((a, b) => a - b);
  let lo = local - sorted[sorted.length - 1]; // offset here is the earlier (smaller) one
  let hi = local - sorted[0];
  const before = zoneOffsetMs(tz, lo);
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (zoneOffsetMs(tz, mid) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Add `days` to a calendar date (proleptic Gregorian, no zone involved).
 *
 * @example
 * ```ts
 * addDays({ y: 2026, m: 12, d: 31 }, 1); // { y: 2027, m: 1, d: 1 }
 * ```
 */
export function addDays(
  date: { y: number; m: number; d: number },
  days: number,
): { y: number; m: number; d: number } {
  const t = new Date(Date.UTC(date.y, date.m - 1, date.d + days));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}
