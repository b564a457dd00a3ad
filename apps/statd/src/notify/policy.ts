/**
 * The notification policy of one subscription, applied by the aggregation owner to the merged
 * value after each collect round (docs/api.md, "Notifications"):
 *
 * - `changes`: a value that moved by at least `insensitivity` percent of the last one sent
 *   (any move when 0; structured values when their JSON differs);
 * - `time`: every `frequency` seconds of event time, whatever the value;
 * - `reset`: when the statistic's interval restarts, the last value of the interval that ended;
 * - `none`: nothing (peek only).
 *
 * In every mode but `none`, a change of validity is sent at once (reason `validity`). A
 * suspended subscription sends nothing; on resume the current value is sent once.
 *
 * @example
 * ```ts
 * import { NotifyPolicy } from "./policy.ts";
 * const p = new NotifyPolicy({ mode: "changes", insensitivity: 5 });
 * p.next({ value: 100, valid: true, at: 1, intervalStart: 0 }); // { value: 100, reason: "change", … }
 * p.next({ value: 104, valid: true, at: 2, intervalStart: 0 }); // null
 * ```
 * @module
 */
import { changedEnough, type NotificationDef, type StatValue } from "@statd/stat-core";
import type { NotificationOut } from "../api/service.ts";

/** One merged value, as a round produced it. */
export interface RoundValue {
  value: StatValue;
  valid: boolean;
  /** epoch ms the value holds for */
  at: number;
  /** start of the statistic's current interval (epoch ms), null when it has none */
  intervalStart: number | null;
}

/** See the module doc. */
export class NotifyPolicy {
  readonly mode: NotificationDef["mode"];
  private readonly _ins: number;
  private readonly _freqMs: number;
  private _suspended = false;
  private _forced = false;
  private _last: StatValue | undefined = undefined;
  private _lastValid: boolean | undefined = undefined;
  private _due = Number.NEGATIVE_INFINITY;
  private _prev: RoundValue | null = null;

  constructor(def: NotificationDef | undefined) {
    this.mode = def?.mode ?? "changes";
    this._ins = def?.insensitivity ?? 0;
    this._freqMs = Math.max(1, def?.frequency ?? 10) * 1000;
  }

  get suspended(): boolean {
    return this._suspended;
  }

  suspend(): void {
    this._suspended = true;
  }

  /** Resume: the next round sends the current value. */
  resume(): void {
    if (!this._suspended) return;
    this._suspended = false;
    this._forced = true;
  }

  /** Record the value the client received when it opened (the baseline for `changes`). */
  baseline(v: RoundValue): void {
    this._last = v.value;
    this._lastValid = v.valid;
    this._prev = v;
    this._due = v.at + this._freqMs;
  }

  /** The notification this round's value calls for, or null. */
  next(v: RoundValue): NotificationOut | null {
    const prev = this._prev;
    this._prev = v;
    if (this.mode === "none" || this._suspended) return null;
    let out: NotificationOut | null = null;
    if (this._forced) {
      this._forced = false;
      out = { value: v.value, valid: v.valid, at: v.at, reason: "change" };
    } else if (this._lastValid !== undefined && v.valid !== this._lastValid) {
      out = { value: v.value, valid: v.valid, at: v.at, reason: "validity" };
    } else if (this.mode === "changes") {
      if (changedEnough(this._last, v.value, this._ins))
        out = { value: v.value, valid: v.valid, at: v.at, reason: "change" };
    } else if (this.mode === "time") {
      if (v.at >= this._due) {
        // the next multiple of the frequency after now (a long gap is not walked step by step)
        this._due += (Math.floor((v.at - this._due) / this._freqMs) + 1) * this._freqMs;
        out = { value: v.value, valid: v.valid, at: v.at, reason: "time" };
      }
    } else if (
      this.mode === "reset" &&
      prev !== null &&
      prev.intervalStart !== null &&
      v.intervalStart !== null &&
      v.intervalStart > prev.intervalStart
    ) {
      // the interval that just ended: its last value seen (at most one round old)
      out = { value: prev.value, valid: prev.valid, at: v.intervalStart, reason: "reset" };
    }
    if (out) {
      this._last = out.value;
      this._lastValid = out.valid;
    }
    return out;
  }
}
