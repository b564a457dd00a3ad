import { describe, expect, test } from "bun:test";
import { IdleStrategy } from "./idle.ts";

describe("IdleStrategy", () => {
  test("spin, then yield, then park, then time out", async () => {
    const idle = new IdleStrategy({ spins: 10, yields: 2 });
    let checks = 0;
    // ready on the 5th check: during the spin phase
    expect(
      await idle.idle(
        () => ++checks >= 5,
        async () => false,
        100,
      ),
    ).toBe(true);
    expect(idle.phases).toEqual({ spin: 1, yield: 0, park: 0, timeout: 0 });
    checks = 0; // ready after the spins, during the yields
    expect(
      await idle.idle(
        () => ++checks >= 13,
        async () => false,
        100,
      ),
    ).toBe(true);
    expect(idle.phases.yield).toBe(1);
    let parked = 0; // never ready by checking: the park reports the wake-up
    expect(
      await idle.idle(
        () => false,
        async () => ++parked === 3,
        10_000,
      ),
    ).toBe(true);
    expect(idle.phases.park).toBe(1);
    let clock = 0;
    const parks: number[] = [];
    const r = await idle.idle(
      () => false,
      async (left) => {
        parks.push(left);
        clock += 40;
        return false;
      },
      100,
      () => clock,
    );
    expect(r).toBe(false);
    expect(parks).toEqual([100, 60, 20]);
    expect(idle.phases.timeout).toBe(1);
  });

  test("spinMs keeps spinning for that long before yielding", async () => {
    let clock = 0;
    const idle = new IdleStrategy({ spins: 0, spinMs: 5, yields: 0 });
    let checks = 0;
    // the clock advances 0.01 ms per check: ready after 300 checks (3 ms) is still in the spin phase
    const r = await idle.idle(
      () => {
        clock += 0.01;
        return ++checks >= 300;
      },
      async () => false,
      100,
      () => clock,
    );
    expect(r).toBe(true);
    expect(idle.phases.spin).toBe(1);
  });
});
