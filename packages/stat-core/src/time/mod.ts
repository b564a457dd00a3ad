/**
 * Time arithmetic of stat-core: zones, Growing resets, Sliding buckets, time ranges.
 *
 * @example
 * ```ts
 * import { nextResetAfter, parseGrowingResets } from "./mod.ts";
 * nextResetAfter({ resets: parseGrowingResets("00:00+00:15"), timeZone: "UTC" }, 0); // 900000
 * ```
 * @module
 */
export * from "./growing.ts";
export * from "./range.ts";
export * from "./sliding.ts";
export * from "./zone.ts";
