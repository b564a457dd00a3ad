/**
 * Notification policy: whether a new value differs enough from the last reported one.
 *
 * Rule (docs/domain.md §5.4, our spec): numbers notify when `|new − last| × 100 ≥ ins × |last|`;
 * any change notifies when `ins` is 0 or the last value is 0; a change between a number and
 * `null` always notifies; structured values (CurrentState) notify when their JSON differs.
 *
 * @example
 * ```ts
 * changedEnough(100, 104, 5); // false
 * changedEnough(100, 105, 5); // true
 * ```
 * @module
 */
import type { NotificationDef, StatValue } from "../definitions.ts";

/** Whether `next` should be reported given the last reported value and the insensitivity (%). */
export function changedEnough(last: StatValue | undefined, next: StatValue, ins: number): boolean {
  if (last === undefined) return true;
  if (typeof last === "number" && typeof next === "number") {
    if (last === next) return false;
    if (ins <= 0 || last === 0) return true;
    return Math.abs(next - last) * 100 >= ins * Math.abs(last);
  }
  if (last === null || next === null || typeof last !== typeof next) return last !== next;
  return JSON.stringify(last) !== JSON.stringify(next);
}

/**
 * Why a notification definition is refused, or null: mode one of changes/time/reset/none, a
 * frequency > 0 seconds for mode time, an insensitivity ≥ 0 percent (docs/api.md).
 *
 * @example
 * ```ts
 * checkNotification({ mode: "time" }); // "notification mode time needs frequency > 0 (seconds)"
 * ```
 */
export function checkNotification(n: NotificationDef | undefined): string | null {
  if (n === undefined) return null;
  const modes = ["changes", "time", "reset", "none"];
  if (!modes.includes(n.mode)) return `notification mode must be one of ${modes.join(", ")}`;
  if (n.mode === "time" && !(typeof n.frequency === "number" && n.frequency > 0))
    return "notification mode time needs frequency > 0 (seconds)";
  if (n.insensitivity !== undefined && !(typeof n.insensitivity === "number" && n.insensitivity >= 0))
    return "insensitivity must be a number ≥ 0 (percent)";
  return null;
}
