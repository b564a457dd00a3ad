/**
 * The Max/Min sampler of a merged statistic (MaxNumber / MinNumber categories), as the
 * aggregation owner keeps it: it samples the merged running count at each tick and restarts
 * when the merged partial says a new interval began. The interval a sample belongs to is read
 * from the partial (its interval start, `at - ELAPSED`, set by the reset boundaries of the time
 * profile), never from the direction of the clock: a tick earlier than the last one sampled is
 * ignored, and an interval start only ever moves forward (docs/semantics.md, "Max and min over
 * partitions").
 *
 * @example
 * ```ts
 * import { MergedSampler } from "./sampler.ts";
 * const s = new MergedSampler();
 * s.observe(mergedPartial, now);
 * valueOfPartial(mergedPartial, s.state);
 * ```
 * @module
 */
import { C, type SamplerState, type StatPartial, sample } from "../engine/partial.ts";

/** True for the categories whose value needs a sampler at the aggregation owner. */
export function isSampled(cat: string): boolean {
  return cat === "MaxNumber" || cat === "MinNumber";
}

/** See the module doc. */
export class MergedSampler {
  /** max/min seen in the current interval */
  state: SamplerState = { max: null, min: null };
  private _start: number | null = null;
  private _last = Number.NEGATIVE_INFINITY;

  /** Sample `merged` (taken at `now`, epoch ms). */
  observe(merged: StatPartial, now: number): void {
    if (now < this._last) return; // a late tick belongs to no new interval and samples nothing
    this._last = now;
    const elapsed = merged.c[C.ELAPSED] as number | null;
    const start = elapsed === null ? null : now - Math.max(0, elapsed);
    if (start !== null) {
      if (this._start !== null && start > this._start) this.state = { max: null, min: null };
      if (this._start === null || start > this._start) this._start = start;
    }
    sample(this.state, merged);
  }
}
