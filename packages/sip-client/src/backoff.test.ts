import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Backoff, FakeTimers } from "./backoff.ts";

describe("Backoff", () => {
  test("doubles up to the cap; reset starts over", () => {
    const b = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.9999999 });
    expect([b.next(), b.next(), b.next(), b.next(), b.next(), b.next()]).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
    b.reset();
    expect(b.next()).toBe(100);
  });

  test("jitter keeps every delay within [(1 - jitter)·base, base]", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
        fc.integer({ min: 0, max: 40 }),
        (r, n) => {
          const b = new Backoff({ initialMs: 50, maxMs: 30_000, jitter: 0.5, random: () => r });
          for (let i = 0; i < n; i++) b.next();
          const base = b.base(n);
          const d = b.next();
          expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.5));
          expect(d).toBeLessThanOrEqual(base);
        },
      ),
    );
  });

  test("refuses nonsense parameters", () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe("FakeTimers", () => {
  test("runs due timers in time order, and only those", () => {
    const t = new FakeTimers(1000);
    const fired: [string, number][] = [];
    t.setTimeout(() => fired.push(["b", t.now()]), 200);
    const h = t.setTimeout(() => fired.push(["x", t.now()]), 50);
    t.setTimeout(() => {
      fired.push(["a", t.now()]);
      t.setTimeout(() => fired.push(["c", t.now()]), 10);
    }, 100);
    t.clearTimeout(h);
    t.advance(150);
    expect(fired).toEqual([
      ["a", 1100],
      ["c", 1110],
    ]);
    expect(t.pending()).toEqual([50]);
    t.advance(50);
    expect(fired.at(-1)).toEqual(["b", 1200]);
  });
});
