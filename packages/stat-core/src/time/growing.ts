/**
 * Growing time profiles: reset schedules in a time zone (docs/domain.md §4.1).
 *
 * Syntax of `resets`: a comma list of local times `"00:00,12:00"`; a start and a repeat period
 * `"08:00+00:15"` (08:00, 08:15, … up to 23:45 each day: the sequence restarts every local day
 * at the start time); or `"never"` (ever-growing). Times are `H:MM` or `HH:MM`, 00:00–23:59; a
 * period is 00:01–24:00.
 *
 * @example
 * ```ts
 * import { lastResetAtOrBefore, nextResetAfter, parseGrowingResets } from "./growing.ts";
 * const def = { resets: parseGrowingResets("00:00"), timeZone: "Europe/Paris" };
 * new Date(lastResetAtOrBefore(def, Date.UTC(2026, 5, 1, 12))!).toISOString(); // "2026-05-31T22:00:00.000Z"
 * new Date(nextResetAfter(def, Date.UTC(2026, 5, 1, 12))!).toISOString(); // "2026-06-01T22:00:00.000Z"
 * ```
 * @module
 */
import type { GrowingResets } from "../definitions.ts";
import { addDays, localParts, localToInstant } from "./zone.ts";

/** Thrown by {@link parseGrowingResets}; one-line message. */
export class TimeSyntaxError extends Error {
  override name = "TimeSyntaxError";
}

const _HHMM = /^([0-9]{1,2}):([0-9]{2})$/;

function _minutes(text: string, what: string, allow24: boolean): number {
  const m = _HHMM.exec(text.trim());
  if (!m) throw new TimeSyntaxError(`bad ${what} ${JSON.stringify(_clip(text))}: expected HH:MM`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59)
    throw new TimeSyntaxError(`bad ${what} ${JSON.stringify(text.trim())}: minutes must be 00-59`);
  const total = h * 60 + min;
  if (h > 24 || total > (allow24 ? 1440 : 1439))
    throw new TimeSyntaxError(
      `bad ${what} ${JSON.stringify(text.trim())}: must be ${allow24 ? "at most 24:00" : "00:00-23:59"}`,
    );
  return total;
}

/**
 * Parse a Growing reset schedule. Throws {@link TimeSyntaxError}.
 *
 * @example
 * ```ts
 * parseGrowingResets("12:00, 00:00"); // { kind: "times", minutes: [0, 720] }
 * parseGrowingResets("08:00+00:15"); // { kind: "period", startMinute: 480, periodMinutes: 15 }
 * parseGrowingResets("never");       // { kind: "never" }
 * ```
 */
export function parseGrowingResets(text: string): GrowingResets {
  if (typeof text !== "string") throw new TimeSyntaxError(`resets must be a string, got ${typeof text}`);
  if (text.length > 2048) throw new TimeSyntaxError("resets longer than 2048 characters");
  const t = text.trim();
  if (t === "") throw new TimeSyntaxError('empty resets (write "00:00", "00:00+00:15" or "never")');
  if (t.toLowerCase() === "never") return { kind: "never" };
  if (t.includes("+")) {
    const parts = t.split("+");
    if (parts.length !== 2 || t.includes(","))
      throw new TimeSyntaxError(
        `bad resets ${JSON.stringify(_clip(t))}: expected START+PERIOD, e.g. "00:00+00:15"`,
      );
    const startMinute = _minutes(parts[0], "reset start", false);
    const periodMinutes = _minutes(parts[1], "reset period", true);
    if (periodMinutes === 0) throw new TimeSyntaxError("reset period must be at least 00:01");
    return { kind: "period", startMinute, periodMinutes };
  }
  const minutes = new Set<number>();
  for (const p of t.split(",")) {
    if (p.trim() === "") throw new TimeSyntaxError(`empty time in resets ${JSON.stringify(_clip(t))}`);
    minutes.add(_minutes(p, "reset time", false));
  }
  return { kind: "times", minutes: [...minutes].sort((a, b) => a - b) };
}

/**
 * Print a schedule back in the syntax {@link parseGrowingResets} reads.
 *
 * @example
 * ```ts
 * formatGrowingResets({ kind: "times", minutes: [0, 720] }); // "00:00,12:00"
 * ```
 */
export function formatGrowingResets(r: GrowingResets): string {
  const hm = (m: number) =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  if (r.kind === "never") return "never";
  if (r.kind === "period") return `${hm(r.startMinute)}+${hm(r.periodMinutes)}`;
  return r.minutes.map(hm).join(",");
}

/**
 * The local minutes-after-midnight at which a schedule resets on any day, ascending.
 *
 * @example
 * ```ts
 * resetMinutesOfDay({ kind: "period", startMinute: 1380, periodMinutes: 30 }); // [1380, 1410]
 * ```
 */
export function resetMinutesOfDay(r: GrowingResets): number[] {
  if (r.kind === "never") return [];
  if (r.kind === "times") return r.minutes;
  const out: number[] = [];
  for (let m = r.startMinute; m < 1440; m += r.periodMinutes) out.push(m);
  return out;
}

/** What the reset functions need: a schedule and a zone (a Growing `TimeProfileDef` fits). */
export interface GrowingSchedule {
  resets: GrowingResets;
  timeZone: string;
}

const _daysCache = new WeakMap<GrowingResets, number[]>();
function _mins(r: GrowingResets): number[] {
  let v = _daysCache.get(r);
  if (!v) {
    v = resetMinutesOfDay(r);
    _daysCache.set(r, v);
  }
  return v;
}

const _dayCache = new WeakMap<GrowingSchedule, Map<string, number[]>>();

/** Reset instants of one local date, ascending, de-duplicated (gap times collapse). Cached. */
function _resetsOn(def: GrowingSchedule, date: { y: number; m: number; d: number }): number[] {
  let cache = _dayCache.get(def);
  if (!cache) {
    cache = new Map();
    _dayCache.set(def, cache);
  }
  const key = `${def.timeZone}|${date.y}-${date.m}-${date.d}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (cache.size >= 16) cache.delete(cache.keys().next().value as string);
  const out: number[] = [];
  cache.set(key, out);
  for (const minute of _mins(def.resets)) {
    const t = localToInstant(def.timeZone, { ...date, minute });
    if (out.length === 0 || t > out[out.length - 1]) out.push(t);
  }
  return out;
}

/**
 * The latest reset instant ≤ `epochMs` (ms), or null for an ever-growing profile.
 *
 * @example
 * ```ts
 * lastResetAtOrBefore({ resets: { kind: "times", minutes: [0] }, timeZone: "UTC" }, Date.UTC(2026, 0, 2, 5)); // Date.UTC(2026, 0, 2)
 * ```
 */
export function lastResetAtOrBefore(def: GrowingSchedule, epochMs: number): number | null {
  if (_mins(def.resets).length === 0 || !Number.isFinite(epochMs)) return null;
  const today = localParts(def.timeZone, epochMs);
  for (let k = 1; k >= -3; k--) {
    const day = _resetsOn(def, addDays(today, k));
    for (let i = day.length - 1; i >= 0; i--) if (day[i] <= epochMs) return day[i];
  }
  return null;
}

/**
 * The earliest reset instant > `epochMs` (ms), or null for an ever-growing profile.
 *
 * @example
 * ```ts
 * nextResetAfter({ resets: { kind: "times", minutes: [0] }, timeZone: "UTC" }, Date.UTC(2026, 0, 2)); // Date.UTC(2026, 0, 3)
 * ```
 */
export function nextResetAfter(def: GrowingSchedule, epochMs: number): number | null {
  if (_mins(def.resets).length === 0 || !Number.isFinite(epochMs)) return null;
  const today = localParts(def.timeZone, epochMs);
  for (let k = -1; k <= 3; k++) {
    for (const t of _resetsOn(def, addDays(today, k))) if (t > epochMs) return t;
  }
  return null;
}

function _clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
