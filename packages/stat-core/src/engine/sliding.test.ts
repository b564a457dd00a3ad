/**
 * Sliding windows over statuses: the time credited is the status's time inside the window
 * (bucket-aligned), before and after the status ends (docs/semantics.md "Time profiles").
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Flow, req, T0 } from "./testing.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 40,
);
const login = (f: Flow, at: number): void => {
  f.ev(at, "EventAgentLogin", { thisDN: "1001", agentId: "l1", thisQueue: "8000" });
};

describe("sliding status time", () => {
  test("a status longer than the window never credits more than the window, and does not jump when it ends", () => {
    const f = new Flow();
    const r = req("Agent", "a1", "LoginTime", { timeProfile: "LastHour" });
    f.value(r);
    login(f, 10);
    f.at(7200);
    // the window: the current minute and the 59 before it, [3660 s, 7200 s)
    expect(f.value(r)).toBe(3540);
    f.ev(7210, "EventAgentLogout", { thisDN: "1001", agentId: "l1" });
    f.at(7220);
    // logged in until 7210 s: 3550 s of the window (it gave 7190: the whole 2-hour login)
    expect(f.value(r)).toBe(3550);
    f.at(7260);
    // the window moved a minute: [3720 s, 7260 s)
    expect(f.value(r)).toBe(3490);
  });

  test("= the exact time in the status inside the window, over random status changes", () => {
    fc.assert(
      fc.property(
        // status changes (ready / not ready) at increasing times, and times to look at
        fc.array(fc.tuple(fc.integer({ min: 1, max: 900 }), fc.boolean()), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 5 }),
        (changes, looks) => {
          const f = new Flow();
          const r = req("Agent", "a1", "ReadyTime", { timeProfile: "LastHour" });
          f.value(r);
          login(f, 1);
          // ready intervals, seconds
          const ready: [number, number][] = [];
          let t = 1;
          let since = -1;
          const events: [number, boolean][] = [];
          for (const [dt, on] of changes) {
            t += dt;
            events.push([t, on]);
          }
          const end = t + 4000;
          let li = 0;
          const times = [...looks.map((x) => t - 3000 + x)].filter((x) => x > 1).sort((a, b) => a - b);
          const check = (now: number): void => {
            f.at(now);
            const lo = Math.max(0, (Math.floor((T0 + now * 1000) / 60_000) - 59) * 60 - T0 / 1000);
            let want = 0;
            for (const [a, b] of [...ready, ...(since >= 0 ? [[since, now] as [number, number]] : [])])
              want += Math.max(0, Math.min(b, now) - Math.max(a, lo));
            expect(f.value(r)).toBe(want);
          };
          for (const [at, on] of events) {
            while (li < times.length && times[li] < at) check(times[li++]);
            f.ev(at, on ? "EventAgentReady" : "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
            if (on && since < 0) since = at;
            if (!on && since >= 0) {
              ready.push([since, at]);
              since = -1;
            }
          }
          while (li < times.length) check(times[li++]);
          check(end);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
