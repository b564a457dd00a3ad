import { describe, expect, test } from "bun:test";
import { NotifyPolicy, type RoundValue } from "./policy.ts";

const rv = (
  value: number | null,
  at: number,
  valid = true,
  intervalStart: number | null = 0,
): RoundValue => ({
  value,
  valid,
  at,
  intervalStart,
});

describe("NotifyPolicy", () => {
  test("changes with insensitivity; validity flips always go out", () => {
    const p = new NotifyPolicy({ mode: "changes", insensitivity: 5 });
    p.baseline(rv(100, 0));
    expect(p.next(rv(104, 1))).toBeNull();
    expect(p.next(rv(105, 2))?.value).toBe(105);
    expect(p.next(rv(105, 3, false))?.reason).toBe("validity");
    expect(p.next(rv(105, 4, true))?.reason).toBe("validity");
    expect(p.next(rv(null, 5))?.value).toBeNull();
  });

  test("time sends every frequency seconds of event time", () => {
    const p = new NotifyPolicy({ mode: "time", frequency: 10 });
    p.baseline(rv(1, 0));
    expect(p.next(rv(1, 5_000))).toBeNull();
    expect(p.next(rv(1, 10_000))?.reason).toBe("time");
    expect(p.next(rv(2, 15_000))).toBeNull();
    expect(p.next(rv(2, 95_000))?.reason).toBe("time"); // a gap is not walked step by step
    expect(p.next(rv(2, 99_000))).toBeNull();
    expect(p.next(rv(2, 100_000))?.reason).toBe("time");
  });

  test("reset sends the last value of the interval that ended", () => {
    const p = new NotifyPolicy({ mode: "reset" });
    p.baseline(rv(0, 0, true, 0));
    expect(p.next(rv(3, 500, true, 0))).toBeNull();
    expect(p.next(rv(7, 899, true, 0))).toBeNull();
    expect(p.next(rv(0, 901, true, 900))).toEqual({ value: 7, valid: true, at: 900, reason: "reset" });
  });

  test("none never; suspend holds everything and resume sends the current value once", () => {
    const n = new NotifyPolicy({ mode: "none" });
    n.baseline(rv(0, 0));
    expect(n.next(rv(5, 1, false))).toBeNull();
    const p = new NotifyPolicy(undefined);
    p.baseline(rv(0, 0));
    p.suspend();
    expect(p.next(rv(5, 1))).toBeNull();
    p.resume();
    expect(p.next(rv(5, 2))?.value).toBe(5);
    expect(p.next(rv(5, 3))).toBeNull();
  });
});
