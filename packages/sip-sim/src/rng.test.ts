import { describe, expect, test } from "bun:test";
import { Rng } from "./rng.ts";

describe("Rng", () => {
  test("same seed, same stream; different seed, different stream", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const xa = Array.from({ length: 100 }, () => a.next());
    const xb = Array.from({ length: 100 }, () => b.next());
    const xc = Array.from({ length: 100 }, () => c.next());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
    expect(new Rng("42").next()).not.toBe(new Rng(42).next());
  });

  test("floats in [0,1), ints in range", () => {
    const r = new Rng(1);
    for (let i = 0; i < 10_000; i++) {
      const x = r.next();
      expect(x >= 0 && x < 1).toBe(true);
      const n = r.int(7);
      expect(Number.isInteger(n) && n >= 0 && n < 7).toBe(true);
    }
  });

  test("distribution means (n = 200000, within 4 standard errors)", () => {
    const r = new Rng(7);
    const n = 200_000;
    const mean = (f: () => number) => {
      let s = 0;
      for (let i = 0; i < n; i++) s += f();
      return s / n;
    };
    // exponential(m): sd = m; lognormal(m, sd); uniform(a, b): sd = (b - a) / sqrt(12)
    expect(Math.abs(mean(() => r.exponential(100)) - 100)).toBeLessThan((4 * 100) / Math.sqrt(n));
    expect(Math.abs(mean(() => r.lognormal(30, 20)) - 30)).toBeLessThan((4 * 20) / Math.sqrt(n));
    expect(Math.abs(mean(() => r.uniform(2, 8)) - 5)).toBeLessThan((4 * 6) / Math.sqrt(12 * n));
    expect(Math.abs(mean(() => r.normal()))).toBeLessThan(4 / Math.sqrt(n));
  });

  test("weighted picks in proportion", () => {
    const r = new Rng(3);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 0, 2])]!++;
    expect(counts[1]).toBe(0);
    expect(Math.abs((counts[2] as number) / 30_000 - 2 / 3)).toBeLessThan(0.02);
  });
});
