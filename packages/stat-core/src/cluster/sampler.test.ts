import { describe, expect, test } from "bun:test";
import { C, emptyPartial } from "../engine/partial.ts";
import { MergedSampler } from "./sampler.ts";

const p = (now: number, start: number, running: number) => {
  const x = emptyPartial("MaxNumber", now);
  x.c[C.ELAPSED] = now - start;
  x.c[C.RNM] = running;
  return x;
};

describe("MergedSampler", () => {
  test("keeps the max within an interval and restarts at a new one", () => {
    const s = new MergedSampler();
    s.observe(p(1000, 0, 2), 1000);
    s.observe(p(2000, 0, 1), 2000);
    expect(s.state).toEqual({ max: 2, min: 1 });
    s.observe(p(3100, 3000, 0), 3100);
    expect(s.state).toEqual({ max: 0, min: 0 });
  });

  test("a tick that goes backwards does not start a new interval (issue: late event)", () => {
    const s = new MergedSampler();
    // interval started at 900_000; two calls waiting
    s.observe(p(900_100, 900_000, 2), 900_100);
    s.observe(p(902_500, 900_000, 2), 902_500);
    // a late tick at 899_900, whose partial would claim the previous interval (elapsed clamped)
    s.observe(p(899_900, 0, 0), 899_900);
    s.observe(p(903_000, 900_000, 0), 903_000);
    expect(s.state.max).toBe(2);
  });
});
