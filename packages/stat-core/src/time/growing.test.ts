import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { GrowingResets } from "../definitions.ts";
import {
  formatGrowingResets,
  type GrowingSchedule,
  lastResetAtOrBefore,
  nextResetAfter,
  parseGrowingResets,
  resetMinutesOfDay,
  TimeSyntaxError,
} from "./growing.ts";
import { localParts, zoneOffsetMs } from "./zone.ts";

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const paris = (resets: string): GrowingSchedule => ({
  resets: parseGrowingResets(resets),
  timeZone: "Europe/Paris",
});

describe("parseGrowingResets", () => {
  test("times, period, never", () => {
    expect(parseGrowingResets("00:00,12:00")).toEqual({ kind: "times", minutes: [0, 720] });
    expect(parseGrowingResets(" 12:00 , 0:00,12:00 ")).toEqual({ kind: "times", minutes: [0, 720] });
    expect(parseGrowingResets("08:00+00:15")).toEqual({
      kind: "period",
      startMinute: 480,
      periodMinutes: 15,
    });
    expect(parseGrowingResets("00:00+24:00")).toEqual({
      kind: "period",
      startMinute: 0,
      periodMinutes: 1440,
    });
    expect(parseGrowingResets("Never")).toEqual({ kind: "never" });
  });
  for (const [text, msg] of [
    ["", "empty resets"],
    ["24:00", "must be 00:00-23:59"],
    ["12:60", "minutes must be 00-59"],
    ["1200", "expected HH:MM"],
    ["00:00,,12:00", "empty time"],
    ["00:00+00:00", "at least 00:01"],
    ["00:00+25:00", "at most 24:00"],
    ["00:00+00:15+00:10", "expected START+PERIOD"],
    ["00:00,01:00+00:15", "expected START+PERIOD"],
    ["x".repeat(5000), "longer than 2048"],
    ["１２:００", "expected HH:MM"],
  ] as const)
    test(`rejects ${JSON.stringify(text.slice(0, 20))}`, () => {
      expect(() => parseGrowingResets(text)).toThrow(TimeSyntaxError);
      expect(() => parseGrowingResets(text)).toThrow(msg);
    });
  test("garbage: parsed or refused with a one-line TimeSyntaxError", () => {
    const piece = fc.constantFrom("0", "1", "2", "9", ":", "+", ",", " ", "never", "x", "-", "24", "60");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 20 }), (ps) => {
        try {
          const r = parseGrowingResets(ps.join(""));
          expect(parseGrowingResets(formatGrowingResets(r))).toEqual(r);
        } catch (e) {
          expect(e).toBeInstanceOf(TimeSyntaxError);
          expect((e as Error).message).not.toContain("\n");
        }
      }),
      { numRuns: 2000 },
    );
  });
  test("wrong type", () => {
    expect(() => parseGrowingResets(5 as unknown as string)).toThrow("must be a string");
  });
  test("format round-trip", () => {
    for (const s of ["00:00,12:00", "08:00+00:15", "never", "23:59"])
      expect(formatGrowingResets(parseGrowingResets(s))).toBe(s);
  });
  test("period expands within the day", () => {
    expect(resetMinutesOfDay(parseGrowingResets("23:00+00:30"))).toEqual([1380, 1410]);
    expect(resetMinutesOfDay(parseGrowingResets("00:00+00:15")).length).toBe(96);
  });
});

describe("resets in UTC", () => {
  test("midnight", () => {
    const d = { resets: parseGrowingResets("00:00"), timeZone: "UTC" };
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 0, 2, 5)))).toBe("2026-01-02T00:00:00.000Z");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 0, 2)))).toBe("2026-01-02T00:00:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 0, 2)))).toBe("2026-01-03T00:00:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 11, 31, 23, 59, 59, 999)))).toBe("2027-01-01T00:00:00.000Z");
  });
  test("never", () => {
    const d = { resets: parseGrowingResets("never"), timeZone: "UTC" };
    expect(lastResetAtOrBefore(d, 0)).toBeNull();
    expect(nextResetAfter(d, 0)).toBeNull();
  });
  test("every 15 min from 08:00", () => {
    const d = { resets: parseGrowingResets("08:00+00:15"), timeZone: "UTC" };
    expect(iso(nextResetAfter(d, Date.UTC(2026, 0, 2, 3)))).toBe("2026-01-02T08:00:00.000Z");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 0, 2, 3)))).toBe("2026-01-01T23:45:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 0, 2, 8, 7)))).toBe("2026-01-02T08:15:00.000Z");
  });
});

describe("DST: Europe/Paris 2026 (spring forward 29 March 01:00Z, fall back 25 October 01:00Z)", () => {
  test("midnight resets around spring forward: a 23-hour day", () => {
    const d = paris("00:00");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 2, 29, 12)))).toBe("2026-03-28T23:00:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 2, 29, 12)))).toBe("2026-03-29T22:00:00.000Z");
  });
  test("midnight resets around fall back: a 25-hour day", () => {
    const d = paris("00:00");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 9, 25, 12)))).toBe("2026-10-24T22:00:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 9, 25, 12)))).toBe("2026-10-25T23:00:00.000Z");
  });
  test("a reset time inside the spring-forward gap happens when the gap ends", () => {
    const d = paris("02:30");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 2, 28, 12)))).toBe("2026-03-29T01:00:00.000Z");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 2, 29, 0, 59, 59)))).toBe("2026-03-28T01:30:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 2, 29, 1)))).toBe("2026-03-30T00:30:00.000Z");
  });
  test("a reset time in the repeated hour happens once, at its first occurrence", () => {
    const d = paris("02:30");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 9, 24, 12)))).toBe("2026-10-25T00:30:00.000Z");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 9, 25, 0, 30)))).toBe("2026-10-26T01:30:00.000Z");
    expect(iso(lastResetAtOrBefore(d, Date.UTC(2026, 9, 25, 1, 45)))).toBe("2026-10-25T00:30:00.000Z");
  });
  test("every 15 min across the gap: the skipped quarter-hours collapse into one reset at 03:00 CEST", () => {
    const d = paris("00:00+00:15");
    const seq: (string | null)[] = [];
    let t: number | null = Date.UTC(2026, 2, 29, 0, 30);
    for (let i = 0; i < 4 && t !== null; i++) {
      t = nextResetAfter(d, t);
      seq.push(iso(t));
    }
    expect(seq).toEqual([
      "2026-03-29T00:45:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-29T01:15:00.000Z",
      "2026-03-29T01:30:00.000Z",
    ]);
  });
  test("every 15 min across fall back: the repeated hour gets no extra resets", () => {
    const d = paris("00:00+00:15");
    expect(iso(nextResetAfter(d, Date.UTC(2026, 9, 25, 0, 45)))).toBe("2026-10-25T02:00:00.000Z");
  });
});

const ZONES = [
  "UTC",
  "Europe/Paris",
  "America/New_York",
  "Australia/Lord_Howe",
  "Asia/Kathmandu",
  "America/Sao_Paulo",
  "Pacific/Chatham",
];
const arbResets: fc.Arbitrary<GrowingResets> = fc.oneof(
  fc.uniqueArray(fc.integer({ min: 0, max: 1439 }), { minLength: 1, maxLength: 4 }).map((m) => ({
    kind: "times" as const,
    minutes: m.sort((a, b) => a - b),
  })),
  fc.record({
    kind: fc.constant("period" as const),
    startMinute: fc.integer({ min: 0, max: 1439 }),
    periodMinutes: fc.constantFrom(1, 15, 30, 45, 60, 90, 600, 1440),
  }),
);
const arbSchedule = fc.record({ resets: arbResets, timeZone: fc.constantFrom(...ZONES) });
const arbTime = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2037, 0, 1) });
// bias half the instants towards DST transition weeks
const arbDstTime = fc
  .tuple(
    fc.integer({ min: 2000, max: 2036 }),
    fc.constantFrom(2, 3, 9, 10),
    fc.integer({ min: 0, max: 14 * 86400_000 }),
  )
  .map(([y, m, off]) => Date.UTC(y, m, 20) + off);

describe("properties", () => {
  test("last ≤ t < next, and no reset strictly between them", () => {
    fc.assert(
      fc.property(arbSchedule, fc.oneof(arbTime, arbDstTime), (def, t) => {
        const last = lastResetAtOrBefore(def, t)!;
        const next = nextResetAfter(def, t)!;
        expect(last).toBeLessThanOrEqual(t);
        expect(next).toBeGreaterThan(t);
        expect(nextResetAfter(def, last)).toBe(next);
        expect(lastResetAtOrBefore(def, next)).toBe(next);
        expect(lastResetAtOrBefore(def, next - 1)).toBe(last);
        expect(next - last).toBeLessThanOrEqual(50 * 3600_000);
      }),
      { numRuns: 300 },
    );
  });
  test("consecutive resets strictly increase and each lands on a scheduled local minute or a DST jump", () => {
    fc.assert(
      fc.property(arbSchedule, fc.oneof(arbTime, arbDstTime), (def, t0) => {
        const scheduled = new Set(resetMinutesOfDay(def.resets));
        let prev = t0;
        for (let i = 0; i < 6; i++) {
          const t = nextResetAfter(def, prev)!;
          expect(t).toBeGreaterThan(prev);
          const p = localParts(def.timeZone, t);
          const jump = zoneOffsetMs(def.timeZone, t - 1000) !== zoneOffsetMs(def.timeZone, t);
          expect(p.ss === 0 && (scheduled.has(p.hh * 60 + p.mm) || jump)).toBe(true);
          prev = t;
        }
      }),
      { numRuns: 150 },
    );
  });
});
