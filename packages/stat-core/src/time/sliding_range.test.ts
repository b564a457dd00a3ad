import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { actionInRange, BUILTIN_DEFAULT_RANGE, classifyDuration, inRange } from "./range.ts";
import {
  bucketCount,
  bucketIndex,
  bucketStartMs,
  inSlidingWindow,
  nextSlideAfter,
  slidingWindow,
} from "./sliding.ts";
import { isValidTimeZone, localToInstant } from "./zone.ts";

describe("sliding", () => {
  test("buckets and window", () => {
    expect(bucketIndex(60, 0)).toBe(0);
    expect(bucketIndex(60, 59_999)).toBe(0);
    expect(bucketIndex(60, 60_000)).toBe(1);
    expect(bucketIndex(60, -1)).toBe(-1);
    expect(bucketCount(3600, 60)).toBe(60);
    expect(slidingWindow(3600, 60, 3_630_000)).toEqual({
      firstBucket: 1,
      lastBucket: 60,
      startMs: 60_000,
      endMs: 3_630_000,
    });
    expect(inSlidingWindow(3600, 60, 0, 3_599_999)).toBe(true);
    expect(inSlidingWindow(3600, 60, 59_999, 3_600_000)).toBe(false);
    expect(inSlidingWindow(3600, 60, 60_000, 3_600_000)).toBe(true);
    expect(nextSlideAfter(60, 59_000)).toBe(60_000);
    expect(nextSlideAfter(60, 60_000)).toBe(120_000);
  });
  test("properties: window span in [length − step, length], event counted for exactly n buckets", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 5, 60, 300),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 0, max: 4e12 }),
        (step, n, t) => {
          const len = step * n;
          const w = slidingWindow(len, step, t);
          expect(w.lastBucket - w.firstBucket + 1).toBe(n);
          const span = t - w.startMs;
          expect(span).toBeGreaterThanOrEqual((len - step) * 1000);
          expect(span).toBeLessThan(len * 1000);
          expect(bucketStartMs(step, bucketIndex(step, t))).toBeLessThanOrEqual(t);
          expect(inSlidingWindow(len, step, t, t)).toBe(true);
          expect(inSlidingWindow(len, step, t, nextSlideAfter(step, t) + (n - 1) * step * 1000 - 1)).toBe(
            true,
          );
          expect(inSlidingWindow(len, step, t, nextSlideAfter(step, t) + (n - 1) * step * 1000)).toBe(false);
        },
      ),
    );
  });
});

describe("time ranges", () => {
  test("[lo, hi) with timestamps truncated to whole seconds", () => {
    const sl = { lo: 0, hi: 20 };
    expect(inRange(sl, 0)).toBe(true);
    expect(inRange(sl, 19.999)).toBe(true);
    expect(inRange(sl, 20)).toBe(false);
    expect(inRange({ lo: 20, hi: 50 }, 20)).toBe(true);
    // docs/domain.md §2.8: 05:40:56.949 → 05:41:07.542 (10.593 s) counts as 11 s
    expect(classifyDuration(56.949, 67.542)).toBe(11);
    expect(actionInRange({ lo: 11, hi: 12 }, 56.949, 67.542)).toBe(true);
    expect(actionInRange(sl, 100.949, 120.1)).toBe(false); // 19.151 s real, 20 s classified
    expect(actionInRange(sl, 100.1, 119.99)).toBe(true);
    expect(classifyDuration(10, 9)).toBe(0);
    expect(BUILTIN_DEFAULT_RANGE).toEqual({ name: "Default", lo: 0, hi: 20 });
  });
  test("property: classified duration is within 1 s of the real one", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 1e9, max: 2e9, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        (s, d) => {
          const c = classifyDuration(s, s + d);
          expect(Number.isInteger(c)).toBe(true);
          expect(Math.abs(c - d)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });
});

describe("zones", () => {
  test("valid and invalid names", () => {
    expect(isValidTimeZone("Europe/Paris")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Europe/Pariss")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
    expect(isValidTimeZone("x".repeat(1000))).toBe(false);
    expect(isValidTimeZone(5 as unknown as string)).toBe(false);
  });
  test("half-hour and 45-minute zones", () => {
    expect(localToInstant("Asia/Kathmandu", { y: 2026, m: 1, d: 1, minute: 0 })).toBe(
      Date.UTC(2025, 11, 31, 18, 15),
    );
    // Lord Howe springs forward by 30 min at 02:00 local (first Sunday of October)
    expect(localToInstant("Australia/Lord_Howe", { y: 2026, m: 10, d: 4, minute: 135 })).toBe(
      Date.UTC(2026, 9, 3, 15, 30),
    );
  });
});
