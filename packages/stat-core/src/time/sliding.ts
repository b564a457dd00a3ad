/**
 * Sliding time profiles: a window of `lengthSec` made of `stepSec` buckets aligned on the epoch.
 *
 * Rule (docs/semantics-config.md): bucket `b` covers `[b·step, (b+1)·step)`. At time t the
 * window is the `length/step` most recent buckets *including the current, partial one*: it
 * starts at `(bucketIndex(t) − n + 1)·step` and ends at t, so its span is between
 * `length − step` and `length`. Everything older leaves the window whole, one bucket at a time,
 * at bucket boundaries.
 *
 * @example
 * ```ts
 * import { bucketIndex, slidingWindow } from "./sliding.ts";
 * bucketIndex(60, 125_000); // 2
 * slidingWindow(3600, 60, 3_600_000 + 30_000); // { firstBucket: 1, lastBucket: 60, startMs: 60000, endMs: 3630000 }
 * ```
 * @module
 */

/**
 * The index of the `stepSec` bucket holding `epochMs`.
 *
 * @example
 * ```ts
 * bucketIndex(60, 59_999); // 0
 * ```
 */
export function bucketIndex(stepSec: number, epochMs: number): number {
  return Math.floor(epochMs / (stepSec * 1000));
}

/** Start instant (ms) of bucket `index`. */
export function bucketStartMs(stepSec: number, index: number): number {
  return index * stepSec * 1000;
}

/** Number of buckets in a window: `ceil(lengthSec / stepSec)` (the config requires a multiple). */
export function bucketCount(lengthSec: number, stepSec: number): number {
  return Math.ceil(lengthSec / stepSec);
}

/** The buckets and span a Sliding window covers at one instant. */
export interface SlidingWindow {
  firstBucket: number;
  lastBucket: number;
  startMs: number;
  endMs: number;
}

/**
 * The window of a Sliding profile at `epochMs`.
 *
 * @example
 * ```ts
 * slidingWindow(300, 60, 600_000).firstBucket; // 6
 * ```
 */
export function slidingWindow(lengthSec: number, stepSec: number, epochMs: number): SlidingWindow {
  const lastBucket = bucketIndex(stepSec, epochMs);
  const firstBucket = lastBucket - bucketCount(lengthSec, stepSec) + 1;
  return { firstBucket, lastBucket, startMs: bucketStartMs(stepSec, firstBucket), endMs: epochMs };
}

/**
 * Whether an event at `eventMs` still counts in the window at `nowMs`.
 *
 * @example
 * ```ts
 * inSlidingWindow(3600, 60, 0, 3_599_000); // true
 * inSlidingWindow(3600, 60, 0, 3_600_000); // false (bucket 0 left at 3600 s)
 * ```
 */
export function inSlidingWindow(lengthSec: number, stepSec: number, eventMs: number, nowMs: number): boolean {
  const w = slidingWindow(lengthSec, stepSec, nowMs);
  const b = bucketIndex(stepSec, eventMs);
  return b >= w.firstBucket && b <= w.lastBucket;
}

/**
 * The next instant after `epochMs` at which the window slides (the next bucket boundary).
 *
 * @example
 * ```ts
 * nextSlideAfter(60, 59_000); // 60000
 * ```
 */
export function nextSlideAfter(stepSec: number, epochMs: number): number {
  return bucketStartMs(stepSec, bucketIndex(stepSec, epochMs) + 1);
}
