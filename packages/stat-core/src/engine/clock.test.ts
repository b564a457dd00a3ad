import { describe, expect, test } from "bun:test";
import { ReplayClock, SourceClock } from "./clock.ts";

describe("clocks", () => {
  test("ReplayClock follows events forward only", () => {
    const c = new ReplayClock(10);
    c.observe(5);
    expect(c.now()).toBe(10);
    c.observe(20);
    expect(c.now()).toBe(20);
  });

  test("SourceClock runs with the wall, jumps forward to a source ahead, never back", () => {
    let wall = 1000;
    const c = new SourceClock(1000, () => wall);
    wall = 1500;
    expect(c.now()).toBe(1500);
    c.observe(1200); // behind: a late event, the clock stays
    expect(c.now()).toBe(1500);
    c.observe(9000); // a source ahead (a simulator at speed 10)
    expect(c.now()).toBe(9000);
    wall = 1600;
    expect(c.now()).toBe(9100);
    wall = 1550; // a wall clock stepped back does not move it back
    expect(c.now()).toBe(9100);
    wall = 1700;
    expect(c.now()).toBe(9200);
  });
});
