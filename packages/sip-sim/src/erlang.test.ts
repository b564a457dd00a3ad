import { describe, expect, test } from "bun:test";
import { erlangB, erlangC, meanWait, probWaitExceeds } from "./erlang.ts";

describe("Erlang", () => {
  test("textbook values", () => {
    // Erlang B(a=2, c=3) = (8/6) / (1 + 2 + 2 + 8/6) = 4/19
    expect(erlangB(2, 3)).toBeCloseTo(4 / 19, 12);
    // M/M/1: C = rho, Wq = rho / (mu - lambda)
    expect(erlangC(0.5, 1, 1)).toBeCloseTo(0.5, 12);
    expect(meanWait(0.5, 1, 1)).toBeCloseTo(1, 12);
    // M/M/2 with a = 1: C = 1/3
    expect(erlangC(1, 1, 2)).toBeCloseTo(1 / 3, 12);
    // 8 Erlangs on 10 agents (common call-center table value 0.4092)
    expect(erlangC(0.08, 0.01, 10)).toBeCloseTo(0.40918, 4);
    expect(probWaitExceeds(0.08, 0.01, 10, 0)).toBeCloseTo(erlangC(0.08, 0.01, 10), 12);
    expect(probWaitExceeds(0.08, 0.01, 10, 50)).toBeCloseTo(0.40918 * Math.exp(-1), 4);
  });

  test("refuses an unstable queue", () => {
    expect(() => erlangC(1, 0.1, 10)).toThrow(RangeError);
  });
});
