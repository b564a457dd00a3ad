import { describe, expect, test } from "bun:test";
import { MODE, SubTable } from "./subs.ts";

describe("SubTable", () => {
  test("stores mode, frequency, insensitivity and last value of every kind; grows", () => {
    const t = new SubTable<string>();
    const ids: number[] = [];
    for (let i = 0; i < 3000; i++) ids.push(t.add(`s${i}`, MODE.time, 10_000, 5, i, i % 2 === 0, 1000));
    expect(t.size).toBe(3000);
    const id = ids[2500];
    expect([t.mode(id), t.freqMs(id), t.ins(id), t.next(id), t.last(id), t.lastValid(id)]).toEqual([
      MODE.time,
      10_000,
      5,
      11_000,
      2500,
      true,
    ]);
    t.setLast(id, null, false);
    expect([t.last(id), t.lastValid(id), t.mode(id)]).toEqual([null, false, MODE.time]);
    t.setLast(id, { status: "LoggedIn" }, true);
    expect(t.last(id)).toEqual({ status: "LoggedIn" });
    t.setSuspended(id, true);
    t.setLast(id, undefined, true);
    expect([t.last(id), t.suspended(id), t.mode(id)]).toEqual([undefined, true, MODE.time]);
    expect(t.remove(id)).toBe("s2500");
    expect(t.remove(id)).toBe(undefined);
    expect(t.size).toBe(2999);
    // a closed id is reused, with fresh state
    const again = t.add("new", MODE.changes, 0, 0, 7, true, 0);
    expect(again).toBe(id);
    expect([t.st[again], t.mode(again), t.suspended(again), t.last(again)]).toEqual([
      "new",
      MODE.changes,
      false,
      7,
    ]);
  });
});
