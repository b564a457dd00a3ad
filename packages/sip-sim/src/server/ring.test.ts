import { describe, expect, test } from "bun:test";
import { EventRing } from "./ring.ts";

const b = (i: number) => ({ event: "EventOnHook", time: i, thisDN: "1" });

describe("EventRing", () => {
  test("keeps the last `capacity` events by seq and says what it covers", () => {
    const r = new EventRing(4);
    expect([r.head, r.oldest, r.size, r.covers(0)]).toEqual([0, 1, 0, true]);
    for (let s = 1; s <= 10; s++) r.push(s, b(s), 0);
    expect([r.head, r.oldest, r.size]).toEqual([10, 7, 4]);
    expect(r.get(6)).toBeUndefined();
    expect(r.get(7)?.seq).toBe(7);
    expect(r.get(11)).toBeUndefined();
    expect([r.covers(5), r.covers(6), r.covers(10), r.covers(11)]).toEqual([false, true, true, false]);
  });

  test("refuses a seq that does not follow the head; after clear any start is accepted", () => {
    const r = new EventRing(4);
    r.push(1, b(1), 0);
    expect(() => r.push(3, b(3), 0)).toThrow(RangeError);
    expect(() => r.push(0, b(0), 0)).toThrow(RangeError);
    r.clear();
    expect(r.fresh).toBe(true);
    r.push(500, b(500), 0);
    expect([r.head, r.oldest, r.size]).toEqual([500, 500, 1]);
  });
});
