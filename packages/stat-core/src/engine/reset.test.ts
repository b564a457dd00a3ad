/**
 * Growing resets take effect at their boundary, whenever the engine learns that the clock reached
 * it: at a tick, or before the first event (or partition message) at or after the boundary
 * (docs/semantics.md "Time profiles").
 */
import { describe, expect, test } from "bun:test";
import { Engine } from "./engine.ts";
import { Flow, fixtureConfig, req, T0 } from "./testing.ts";

const READY = req("Agent", "a1", "ReadyTime", { timeProfile: "Quarter" });
const login = (f: Flow): void => {
  f.ev(10, "EventAgentLogin", { thisDN: "1001", agentId: "l1", thisQueue: "8000" });
  f.ev(20, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
};

describe("Growing resets between ticks", () => {
  test("an episode ending after the boundary keeps its part of the new interval; one starting after it is not moved back to it", () => {
    const f = new Flow();
    f.value(READY);
    login(f);
    f.at(30);
    // the 15-minute boundary is at 900 s; no tick between it and these events
    f.ev(905, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    f.ev(906, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    f.at(920);
    // [900, 905) and [906, 920): the code that reset at the tick gave 20
    expect(f.value(READY)).toBe(19);
    f.ev(930, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    f.at(1000);
    // and nothing drifts once the episodes ended (it gave 30)
    expect(f.value(READY)).toBe(29);
  });

  test("the reset notification carries the interval's value at the boundary", () => {
    const f = new Flow();
    const sid = f.open({ ...READY, notification: { mode: "reset" } });
    login(f);
    f.eng.drainNotifications();
    f.ev(905, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    const n = f.eng.drainNotifications().filter((x) => x.subscriptionId === sid && x.reason === "reset");
    // Ready from 20 s to the boundary at 900 s, sent when the event at 905 s reached it
    expect(n.map((x) => [x.value, x.at - T0])).toEqual([[880, 900_000]]);
  });

  test("a statistic of a tick-less engine still resets (replay without ticks)", () => {
    const f = new Flow();
    f.value(READY);
    login(f);
    f.ev(1805, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    // the quarter [1800, 2700): 5 s of Ready
    expect(f.value(READY)).toBe(5);
  });
});

describe("clock jumps", () => {
  test("an event time out of range is refused and does not move the clock", () => {
    const eng = new Engine({ config: fixtureConfig(), startMs: T0 });
    for (const time of [-1, 1e300, 253_402_300_800])
      expect(eng.ingest({ event: "EventAgentReady", time, thisDN: "1001", agentId: "l1" })).toEqual({
        ok: false,
        reason: "bad-attribute:time",
      });
    expect(eng.clock.now()).toBe(T0);
  });

  test("a jump of years over a 15-minute profile is not walked reset by reset", () => {
    const f = new Flow();
    const sid = f.open({ ...READY, notification: { mode: "reset" } });
    login(f);
    f.eng.drainNotifications();
    // the year 9999: ~280 million quarter resets away; the engine skips to the last one
    const now = 253_402_300_000_000;
    f.eng.ingest({ event: "EventAgentNotReady", time: now / 1000, thisDN: "1001", agentId: "l1" });
    const resets = f.eng.drainNotifications().filter((x) => x.subscriptionId === sid && x.reason === "reset");
    expect(resets.length).toBe(1001);
    // the first reset still reports the real interval: Ready from 20 s to 900 s
    expect(resets[0].value).toBe(880);
    // the interval now running started at the last quarter boundary before the event
    const last = now - (now % 900_000);
    expect(resets[1000].at).toBe(last);
    // Ready ran on to the event: what is inside the current interval counts
    expect(f.eng.peek(sid)?.value).toBe((now - last) / 1000);
  });
});
