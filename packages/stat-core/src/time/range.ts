/**
 * Time ranges `[lo, hi)` and how a duration is classified into one (docs/domain.md §4.2, §2.8).
 *
 * Rule (docs/semantics-config.md): statd truncates the two *timestamps* to whole seconds and
 * subtracts (`floor(end) − floor(start)`), like Stat Server — so a wait from 05:40:56.949 to
 * 05:41:07.542 (10.593 s) is classified as 11 s. The result is then tested against `[lo, hi)`:
 * exactly 20 s is not in 0–20.
 *
 * @example
 * ```ts
 * import { classifyDuration, inRange } from "./range.ts";
 * const sl = { name: "SL20", lo: 0, hi: 20 };
 * inRange(sl, classifyDuration(100.949, 120.1)); // false: 120 − 100 = 20 s
 * inRange(sl, classifyDuration(100.1, 119.99)); // true: 19 s
 * ```
 * @module
 */
import type { TimeRangeDef } from "../definitions.ts";

/**
 * Whole-second duration used for range classification: `floor(endSec) − floor(startSec)`,
 * never negative (a clock step backwards counts as 0).
 *
 * @example
 * ```ts
 * classifyDuration(1000.949, 1011.542); // 11
 * ```
 */
export function classifyDuration(startSec: number, endSec: number): number {
  const d = Math.floor(endSec) - Math.floor(startSec);
  return Math.max(d, 0);
}

/**
 * Whether a duration in seconds lies in `[lo, hi)`.
 *
 * @example
 * ```ts
 * inRange({ name: "Default", lo: 0, hi: 20 }, 19.999); // true
 * inRange({ name: "Default", lo: 0, hi: 20 }, 20); // false
 * ```
 */
export function inRange(range: Pick<TimeRangeDef, "lo" | "hi">, durationSec: number): boolean {
  return durationSec >= range.lo && durationSec < range.hi;
}

/**
 * Whether an action that ran from `startSec` to `endSec` (epoch seconds, source time) falls in
 * the range, by the truncation rule.
 *
 * @example
 * ```ts
 * actionInRange({ name: "SL20", lo: 0, hi: 20 }, 56.949, 67.542); // true (11 s)
 * ```
 */
export function actionInRange(
  range: Pick<TimeRangeDef, "lo" | "hi">,
  startSec: number,
  endSec: number,
): boolean {
  return inRange(range, classifyDuration(startSec, endSec));
}

/** The built-in range used when a request needs one and the config defines no `Default`. */
export const BUILTIN_DEFAULT_RANGE: TimeRangeDef = { name: "Default", lo: 0, hi: 20 };
