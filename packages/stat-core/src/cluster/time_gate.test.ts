import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { TimeGate } from "./time_gate.ts";

describe("TimeGate", () => {
  test("the latest time moves only on accepted events and never backwards (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.double(),
            fc.integer({ min: 1_699_990_000, max: 1_700_200_000 }),
            fc.constantFrom(Number.NaN, 1e300, -1, 1e12, Number.POSITIVE_INFINITY),
          ),
          { maxLength: 60 },
        ),
        (times) => {
          const g = new TimeGate({ wallNow: () => 1_700_100_000_000 });
          let prev: number | null = null;
          for (const time of times) {
            const r = g.check({ time });
            if (typeof r === "number") {
              expect(Number.isFinite(r)).toBe(true);
              expect(r).toBeLessThanOrEqual(1_700_100_000_000 + 86_400_000);
            }
            const l = g.latest;
            if (prev !== null) expect(l).not.toBeNull();
            if (prev !== null && l !== null) expect(l).toBeGreaterThanOrEqual(prev);
            prev = l;
          }
          expect(g.accepted + g.refusedTotal).toBe(times.length);
        },
      ),
    );
  });

  test("non-numbers are refused", () => {
    const g = new TimeGate();
    for (const time of ["1", null, undefined, {}, true]) expect(g.check({ time })).toBe("bad-time");
  });
});

describe("TimeGate with a live clock", () => {
  test("a source far behind the clock is refused from its first event", () => {
    const wall = 1_796_000_000_000;
    const g = new TimeGate({ wallNow: () => wall, clock: () => wall });
    expect(g.check({ time: (wall - 300 * 86_400_000) / 1000 })).toBe("time-late");
    expect(g.check({ time: (wall - 300 * 86_400_000) / 1000, snapshot: true })).toBe(wall - 300 * 86_400_000);
    expect(g.check({ time: (wall - 5000) / 1000 })).toBe(wall - 5000);
    expect(g.check({ time: (wall + 50_000) / 1000 })).toBe(wall + 50_000);
  });
});
