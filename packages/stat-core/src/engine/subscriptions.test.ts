/**
 * Property: the subscription lifecycle under random open / close / suspend / resume / events /
 * ticks (subscription ids are reused after close, which is where a hang was found). Checked
 * after every step against a model of the open subscriptions.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { StatValue } from "../definitions.ts";
import { Flow, req } from "./testing.ts";
import type { Notification, OpenRequest } from "./types.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 60,
);

const statTypes = ["Waiting", "OldestWait", "Entered", "Abandoned", "AgentsReadyQ"] as const;
/** current categories: their value does not depend on the profile */
const CURRENT = new Set(["Waiting", "OldestWait", "AgentsReadyQ"]);
const profiles = [undefined, "Quarter", "LastHour"] as const;
const modes = [
  { mode: "changes" as const },
  { mode: "changes" as const, insensitivity: 50 },
  { mode: "time" as const, frequency: 5 },
  { mode: "time" as const, frequency: 30 },
  { mode: "reset" as const },
  { mode: "none" as const },
];

type Cmd =
  | { k: "open"; q: number; s: number; p: number; m: number }
  | { k: "close" | "suspend" | "resume"; i: number }
  | { k: "event"; q: number; c: number; abandon: boolean }
  | { k: "tick"; dt: number };

const cmd: fc.Arbitrary<Cmd> = fc.oneof(
  fc.record({
    k: fc.constant("open" as const),
    q: fc.nat(1),
    s: fc.nat(statTypes.length - 1),
    p: fc.nat(profiles.length - 1),
    m: fc.nat(modes.length - 1),
  }),
  fc.record({ k: fc.constantFrom("close" as const, "suspend" as const, "resume" as const), i: fc.nat(50) }),
  fc.record({ k: fc.constant("event" as const), q: fc.nat(1), c: fc.nat(5), abandon: fc.boolean() }),
  fc.record({ k: fc.constant("tick" as const), dt: fc.integer({ min: 1, max: 1200 }) }),
);

interface Sub {
  r: OpenRequest;
  mode: string;
  suspended: boolean;
}

describe("subscriptions (property)", () => {
  test("random lifecycles: notifications only for open, unsuspended subscriptions of the right mode", () => {
    fc.assert(
      fc.property(fc.array(cmd, { minLength: 10, maxLength: 80 }), (cmds) => {
        const f = new Flow();
        const open = new Map<number, Sub>();
        let sec = 0;
        const waiting = new Set<string>();
        const check = (notes: Notification[], ticked: boolean): void => {
          const timeSeen = new Set<number>();
          for (const n of notes) {
            const s = open.get(n.subscriptionId);
            expect(s).toBeDefined();
            expect(s!.suspended).toBe(false);
            if (n.reason === "time") {
              expect(s!.mode).toBe("time");
              expect(ticked).toBe(true);
              // one time-mode evaluation per subscription per tick
              expect(timeSeen.has(n.subscriptionId)).toBe(false);
              timeSeen.add(n.subscriptionId);
            }
            if (n.reason === "change") expect(s!.mode).toBe("changes");
            if (n.reason === "reset") expect(s!.mode).toBe("reset");
            if (n.reason !== "reset") expect(f.eng.peek(n.subscriptionId)?.value).toEqual(n.value);
          }
          expect(f.eng.counters().subscriptions).toBe(open.size);
          // a current statistic has one value whatever profile it was opened with
          const byReq = new Map<string, StatValue | undefined>();
          for (const [id, s] of open) {
            if (!CURRENT.has(s.r.statType!)) continue;
            const k = `${s.r.object.id}/${s.r.statType}`;
            const v = f.eng.peek(id)?.value;
            if (byReq.has(k)) expect(v).toEqual(byReq.get(k));
            else byReq.set(k, v);
          }
        };
        const ids = (): number[] => [...open.keys()];
        for (const c of cmds) {
          let ticked = false;
          switch (c.k) {
            case "open": {
              const r = {
                ...req("Queue", `800${c.q}`, statTypes[c.s]),
                ...(profiles[c.p] ? { timeProfile: profiles[c.p] } : {}),
                notification: modes[c.m],
              } as OpenRequest;
              const id = f.open(r);
              expect(open.has(id)).toBe(false);
              open.set(id, { r, mode: modes[c.m].mode, suspended: false });
              break;
            }
            case "close": {
              const all = ids();
              if (all.length === 0) break;
              const id = all[c.i % all.length];
              expect(f.eng.close(id)).toBe(true);
              expect(f.eng.close(id)).toBe(false);
              open.delete(id);
              expect(f.eng.peek(id)).toBe(null);
              break;
            }
            case "suspend":
            case "resume": {
              const all = ids();
              if (all.length === 0) break;
              const id = all[c.i % all.length];
              expect(c.k === "suspend" ? f.eng.suspend(id) : f.eng.resume(id)).toBe(true);
              open.get(id)!.suspended = c.k === "suspend";
              break;
            }
            case "event": {
              const key = `800${c.q}/c${c.c}`;
              if (waiting.has(key)) {
                waiting.delete(key);
                f.ev(sec, c.abandon ? "EventAbandoned" : "EventDiverted", {
                  thisDN: `800${c.q}`,
                  connId: `c${c.q}-${c.c}`,
                  ...(c.abandon ? {} : { otherDN: "1001" }),
                });
              } else {
                waiting.add(key);
                f.ev(sec, "EventQueued", { thisDN: `800${c.q}`, connId: `c${c.q}-${c.c}` });
              }
              break;
            }
            case "tick":
              sec += c.dt;
              f.at(sec);
              ticked = true;
              break;
          }
          check(f.eng.drainNotifications(), ticked);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
