import { describe, expect, test } from "bun:test";
import type { TEvent } from "../definitions.ts";
import { Engine } from "./engine.ts";
import { Flow, fixtureConfig, req, T0 } from "./testing.ts";
import type { Notification } from "./types.ts";

const Q = (s: string, x = {}) => req("Queue", "8000", s, x);
const at = (sec: number): number => T0 + sec * 1000;

describe("notification modes", () => {
  test("changes: one notification per change, insensitivity suppresses small ones", () => {
    const f = new Flow();
    const all = f.open({ ...Q("Entered"), notification: { mode: "changes" } });
    const coarse = f.open({ ...Q("Entered"), notification: { mode: "changes", insensitivity: 50 } });
    const seen: Notification[] = [];
    for (let i = 1; i <= 4; i++) {
      f.ev(i, "EventQueued", { thisDN: "8000", connId: `c${i}` });
      seen.push(...f.eng.drainNotifications());
    }
    expect(seen.filter((n) => n.subscriptionId === all).map((n) => n.value)).toEqual([1, 2, 3, 4]);
    // last reported 0 → 1 (zero baseline), 1 → 2 (+100 %), 2 → 3 (+50 %), 3 → 4 (+33 %: no)
    expect(seen.filter((n) => n.subscriptionId === coarse).map((n) => n.value)).toEqual([1, 2, 3]);
  });
  test("time: evaluated every frequency seconds, sent only when changed", () => {
    const f = new Flow();
    const sid = f.open({ ...Q("Waiting"), notification: { mode: "time", frequency: 10 } });
    f.ev(1, "EventQueued", { thisDN: "8000", connId: "c1" });
    expect(f.eng.drainNotifications()).toEqual([]);
    f.at(10);
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.value, n.at - T0])).toEqual([
      [sid, 1, 10_000],
    ]);
    f.at(20);
    expect(f.eng.drainNotifications()).toEqual([]);
    f.ev(25, "EventAbandoned", { thisDN: "8000", connId: "c1" });
    f.at(30);
    expect(f.eng.drainNotifications().map((n) => n.value)).toEqual([0]);
  });
  test("reset: the final value just before each Growing reset", () => {
    const f = new Flow();
    const sid = f.open({ ...Q("Entered", { timeProfile: "Quarter" }), notification: { mode: "reset" } });
    f.ev(60, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(120, "EventQueued", { thisDN: "8000", connId: "c2" });
    expect(f.eng.drainNotifications()).toEqual([]);
    f.at(901);
    const n = f.eng.drainNotifications();
    expect(n).toEqual([{ subscriptionId: sid, value: 2, valid: true, at: T0 + 900_000, reason: "reset" }]);
    expect(f.eng.peek(sid)?.value).toBe(0);
    f.ev(1000, "EventQueued", { thisDN: "8000", connId: "c3" });
    f.at(3600); // three more resets passed: 08:30 with 1, 08:45 and 09:00 with 0
    expect(f.eng.drainNotifications().map((x) => [x.value, (x.at - T0) / 1000])).toEqual([
      [1, 1800],
      [0, 2700],
      [0, 3600],
    ]);
  });
  test("current categories ignore the profile: one aggregate, reset notifications per subscription profile", () => {
    const f = new Flow();
    const open0 = f.eng.counters().openStatistics;
    const dflt = f.open({ ...Q("Waiting"), notification: { mode: "reset" } });
    const quarter = f.open({ ...Q("Waiting", { timeProfile: "Quarter" }), notification: { mode: "reset" } });
    const sliding = f.open({ ...Q("Waiting", { timeProfile: "LastHour" }), notification: { mode: "reset" } });
    const closed = f.open({ ...Q("Waiting", { timeProfile: "Quarter" }), notification: { mode: "reset" } });
    const entered = f.open({ ...Q("Entered", { timeProfile: "Quarter" }), notification: { mode: "none" } });
    // Waiting under three profiles is one aggregate; Entered (historical) is another
    expect(f.eng.counters().openStatistics - open0).toBe(2);
    f.ev(60, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(120, "EventQueued", { thisDN: "8000", connId: "c2" });
    expect([dflt, quarter, sliding].map((s) => f.eng.peek(s)?.value)).toEqual([2, 2, 2]);
    expect(f.eng.close(closed)).toBe(true);
    // a new subscription may reuse the closed id: it must not inherit the Quarter resets
    const reused = f.open({ ...Q("Waiting"), notification: { mode: "none" } });
    f.at(901);
    expect(f.eng.drainNotifications()).toEqual([
      { subscriptionId: quarter, value: 2, valid: true, at: T0 + 900_000, reason: "reset" },
    ]);
    // the value is current: a reset does not clear it
    expect([dflt, quarter, sliding, reused].map((s) => f.eng.peek(s)?.value)).toEqual([2, 2, 2, 2]);
    expect(f.eng.peek(entered)?.value).toBe(0);
    f.ev(1000, "EventAbandoned", { thisDN: "8000", connId: "c1" });
    f.at(3600); // Quarter resets at 08:30, 08:45, 09:00; Default only at midnight
    expect(f.eng.drainNotifications().map((x) => [x.subscriptionId, x.value, (x.at - T0) / 1000])).toEqual([
      [quarter, 1, 1800],
      [quarter, 1, 2700],
      [quarter, 1, 3600],
    ]);
  });
  test("a closed time-mode subscription's id reused by another mode is not ticked as time-mode", () => {
    // regression: the id stayed listed as time-mode; with a changes-mode frequency of 0 the next
    // time-mode deadline was searched for forever and tick() hung
    const f = new Flow();
    const a = f.open({ ...Q("Waiting"), notification: { mode: "time", frequency: 10 } });
    expect(f.eng.close(a)).toBe(true);
    const b = f.open({ ...Q("Waiting"), notification: { mode: "changes" } });
    expect(b).toBe(a); // ids are reused
    const c = f.open({ ...Q("Waiting"), notification: { mode: "time", frequency: 10 } });
    f.ev(1, "EventQueued", { thisDN: "8000", connId: "c1" });
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.reason])).toEqual([[b, "change"]]);
    f.at(30);
    // c once (at its first deadline after a 30 s gap), b never as time-mode
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.value, n.reason])).toEqual([
      [c, 1, "time"],
    ]);
    // churn does not grow the time-mode list: close and reopen many times, still one notification per tick
    for (let i = 0; i < 100; i++) {
      const x = f.open({ ...Q("Waiting"), notification: { mode: "time", frequency: 10 } });
      f.eng.close(x);
    }
    f.ev(31, "EventAbandoned", { thisDN: "8000", connId: "c1" });
    f.eng.drainNotifications();
    f.at(40);
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.value])).toEqual([[c, 0]]);
  });
  test("none, peek, suspend/resume, one-shot get", () => {
    const f = new Flow();
    const none = f.open({ ...Q("Waiting"), notification: { mode: "none" } });
    const ch = f.open({ ...Q("Waiting"), notification: { mode: "changes" } });
    f.eng.suspend(ch);
    f.ev(1, "EventQueued", { thisDN: "8000", connId: "c1" });
    expect(f.eng.drainNotifications()).toEqual([]);
    expect(f.eng.peek(none)?.value).toBe(1);
    f.eng.resume(ch);
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.value])).toEqual([[ch, 1]]);
    const g = f.eng.get(Q("Waiting"));
    expect(g).toMatchObject({ value: 1, valid: true });
    expect(f.eng.get(Q("NoSuchType"))).toMatchObject({ error: { code: "unknown-stat-type" } });
    const before = f.eng.counters();
    expect(f.eng.get(Q("Entered"))).toMatchObject({ value: 0, valid: true }); // historical: starts empty
    expect(f.eng.counters().openStatistics).toBe(before.openStatistics); // nothing left behind
    expect(f.eng.counters().subscriptions).toBe(before.subscriptions);
    expect(f.eng.close(none)).toBe(true);
    expect(f.eng.peek(none)).toBe(null);
    expect(f.eng.close(none)).toBe(false);
  });
  test("identical statistics share one aggregate; closing the last drops it", () => {
    const f = new Flow();
    const a = f.open(Q("Entered"));
    f.ev(1, "EventQueued", { thisDN: "8000", connId: "c1" });
    const b = f.open(Q("Entered"));
    expect(f.eng.peek(b)?.value).toBe(1); // joined the running aggregate, not a fresh one
    expect(f.eng.counters().openStatistics).toBe(1);
    f.eng.close(a);
    expect(f.eng.counters().openStatistics).toBe(1);
    f.eng.close(b);
    expect(f.eng.counters().openStatistics).toBe(0);
  });
  test("changes mode on a time-dependent value notifies on tick", () => {
    const f = new Flow();
    const sid = f.open({ ...Q("OldestWait"), notification: { mode: "changes", insensitivity: 20 } });
    f.ev(0, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.eng.drainNotifications();
    f.at(10);
    f.at(11);
    f.at(12);
    f.at(13);
    expect(f.eng.drainNotifications().map((n) => [n.subscriptionId, n.value])).toEqual([
      [sid, 10],
      [sid, 12],
    ]);
  });
});

describe("time profiles", () => {
  test("Sliding: last 2 minutes in 60 s buckets", () => {
    const f = new Flow();
    const sid = f.open(Q("Entered", { timeProfile: "Last2Min" }));
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(70, "EventQueued", { thisDN: "8000", connId: "c2" });
    f.ev(130, "EventQueued", { thisDN: "8000", connId: "c3" });
    expect(f.eng.peek(sid)?.value).toBe(2); // buckets [60,120) and [120,180)
    f.at(250);
    expect(f.eng.peek(sid)?.value).toBe(0);
  });
  test("Selection: the last 3 answered calls", () => {
    const f = new Flow();
    const asa = f.open(Q("ASA", { timeProfile: "Last3" }));
    const n = f.open(Q("Answered", { timeProfile: "Last3" }));
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    const waits = [2, 4, 6, 8, 10];
    let t = 10;
    waits.forEach((w, i) => {
      f.ev(t, "EventQueued", { thisDN: "8000", connId: `c${i}` });
      f.ev(t + w, "EventDiverted", { thisDN: "8000", connId: `c${i}` });
      f.ev(t + w, "EventRinging", { thisDN: "1001", connId: `c${i}`, thisQueue: "8000" });
      f.ev(t + w, "EventEstablished", { thisDN: "1001", connId: `c${i}` });
      f.ev(t + w + 5, "EventReleased", { thisDN: "1001", connId: `c${i}` });
      t += 30;
    });
    expect(f.eng.peek(n)?.value).toBe(3);
    expect(f.eng.peek(asa)?.value).toBe(8);
  });
  test("SinceLogin restarts when the agent logs in", () => {
    const f = new Flow();
    const sid = f.open(req("Agent", "a1", "ReadyTime", { timeProfile: "Login" }));
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" }).ev(0, "EventAgentReady", {
      thisDN: "1001",
      agentId: "l1",
    });
    f.ev(100, "EventAgentLogout", { thisDN: "1001", agentId: "l1" });
    expect(f.eng.peek(sid)?.value).toBe(100);
    f.ev(200, "EventAgentLogin", { thisDN: "1002", agentId: "l1" });
    f.ev(210, "EventAgentReady", { thisDN: "1002", agentId: "l1" });
    f.at(230);
    expect(f.eng.peek(sid)?.value).toBe(20);
  });
  test("time ranges are [lo, hi) on whole seconds with milliseconds truncated", () => {
    const f = new Flow();
    const inR = f.open(Q("AnsweredInRange")); // Default 0–20
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    const answer = (id: string, q: number, a: number): void => {
      f.ev(q, "EventQueued", { thisDN: "8000", connId: id });
      f.ev(a, "EventRinging", { thisDN: "1001", connId: id, thisQueue: "8000" });
      f.ev(a, "EventDiverted", { thisDN: "8000", connId: id });
      f.ev(a, "EventEstablished", { thisDN: "1001", connId: id });
      f.ev(a + 1, "EventReleased", { thisDN: "1001", connId: id });
    };
    answer("x", 10.9, 30.1); // 19.2 s but 10 → 30 on whole seconds = 20 s: out
    answer("y", 40.2, 59.9); // 19.7 s, 40 → 59 = 19 s: in
    expect(f.eng.peek(inR)?.value).toBe(1);
  });
});

describe("bad input", () => {
  const eng = new Engine({ config: fixtureConfig(), startMs: T0 });
  const ev = (e: Partial<TEvent>): unknown => eng.ingest({ time: at(1) / 1000, ...e } as TEvent);
  test("events are skipped with a reason and counted", () => {
    expect(ev({ event: "EventBogus", thisDN: "1001" })).toEqual({ ok: false, reason: "unknown-event" });
    expect(ev({ event: "EventRinging", connId: "c" })).toEqual({
      ok: false,
      reason: "missing-attribute:thisDN",
    });
    expect(ev({ event: "EventRinging", thisDN: "1001" })).toEqual({
      ok: false,
      reason: "missing-attribute:connId",
    });
    expect(ev({ event: "EventRinging", thisDN: "4242", connId: "c" })).toEqual({
      ok: false,
      reason: "unknown-dn",
    });
    expect(ev({ event: "EventAgentLogin", thisDN: "1001", agentId: "nobody" })).toEqual({
      ok: false,
      reason: "unknown-agent",
    });
    expect(ev({ event: "EventQueued", thisDN: "1001", connId: "c" })).toEqual({
      ok: false,
      reason: "not-a-mediation-dn",
    });
    expect(eng.ingest({ event: "EventRinging", time: Number.NaN, thisDN: "1001", connId: "c" })).toEqual({
      ok: false,
      reason: "missing-attribute:time",
    });
    expect(eng.ingest(null as unknown as TEvent)).toEqual({ ok: false, reason: "malformed" });
    expect(ev({ event: "EventLinkDisconnected" })).toEqual({ ok: false, reason: "missing-attribute:node" });
    expect(
      ev({ event: "EventRinging", thisDN: "1001", connId: "c", thisQueue: 8000 as unknown as string }),
    ).toEqual({
      ok: false,
      reason: "bad-attribute:thisQueue",
    });
    expect(
      ev({ event: "EventRinging", thisDN: "1001", connId: "c", callType: "Sideways" as "Inbound" }),
    ).toEqual({
      ok: false,
      reason: "bad-attribute:callType",
    });
    expect(
      ev({ event: "EventRinging", thisDN: "1001", connId: "c", userData: { a: { b: 1 } } as never }),
    ).toEqual({
      ok: false,
      reason: "bad-attribute:userData",
    });
    const c = eng.counters();
    expect(c.eventsSkipped).toBe(12);
    expect(c["skipped.unknown-event"]).toBe(1);
  });
  test("bad requests are errors for that request only", () => {
    const bad = [
      [{ object: { type: "Queue", id: "nope" }, statType: "Waiting" }, "unknown-object"],
      [{ object: { type: "Queue", id: "8000", tenant: "T2" }, statType: "Waiting" }, "unknown-object"],
      [{ object: { type: "Queue", id: "8000" }, statType: "Nope" }, "unknown-stat-type"],
      [{ object: { type: "Agent", id: "a1" }, statType: "Waiting" }, "object-type-not-supported"],
      [
        { object: { type: "Queue", id: "8000" }, statType: "Waiting", timeProfile: "Nope" },
        "unknown-time-profile",
      ],
      [{ object: { type: "Queue", id: "8000" }, statType: "SL", timeRange: "Nope" }, "unknown-time-range"],
      [{ object: { type: "Queue", id: "8000" }, statType: "Waiting", filter: "Nope" }, "unknown-filter"],
      [
        { object: { type: "Queue", id: "8000" }, statType: "Waiting", notification: { mode: "time" } },
        "bad-notification",
      ],
      [
        { object: { type: "Queue", id: "8000" }, statType: "Waiting", timeProfile: "Login" },
        "time-profile-not-supported",
      ],
      [{ object: { type: "Queue", id: "8000" } }, "bad-request"],
      [
        {
          object: { type: "Queue", id: "8000" },
          definition: {
            category: "RelativeTimePercentage",
            subject: "DNAction",
            mainMask: { all: true, include: [], exclude: [] },
          },
        },
        "relmask-required",
      ],
      [
        {
          object: { type: "Queue", id: "8000" },
          definition: {
            category: "TotalTime",
            subject: "AgentStatus",
            mainMask: { all: true, include: [], exclude: [] },
          },
        },
        "subject-not-supported",
      ],
    ] as const;
    for (const [r, code] of bad) expect(eng.open(r as never)).toMatchObject({ error: { code } });
    expect("statId" in eng.open(req("Queue", "8000", "Waiting"))).toBe(true);
  });
  test("an explicit definition works like a stat type", () => {
    const o = eng.open({
      object: { type: "Queue", id: "8000" },
      definition: {
        category: "CurrentNumber",
        subject: "DNAction",
        mainMask: { all: false, include: ["CallWait"], exclude: [] },
      },
    });
    expect(o).toMatchObject({ value: 0, valid: true });
  });
});

describe("stuck-call sweep", () => {
  test("a call with no event for the max age is ended; ringing reflects to its queue", () => {
    const f = new Flow({ stuckCallMaxAgeSec: 600 });
    const sid = f.open(Q("Waiting"));
    const stuck = f.open({
      object: { type: "Queue", id: "8000" },
      definition: {
        category: "TotalNumber",
        subject: "DNAction",
        mainMask: { all: false, include: ["StuckCallCleanedWhileRinging"], exclude: [] },
      },
    });
    const cleared = f.open(Q("Cleared"));
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    f.ev(10, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.ev(20, "EventQueued", { thisDN: "8000", connId: "c2" });
    f.ev(30, "EventDiverted", { thisDN: "8000", connId: "c2" });
    f.ev(30, "EventRinging", { thisDN: "1001", connId: "c2", thisQueue: "8000" });
    f.at(500);
    expect(f.eng.peek(sid)?.value).toBe(1);
    f.at(700);
    expect(f.eng.peek(sid)?.value).toBe(0);
    expect(f.eng.peek(cleared)?.value).toBe(1);
    expect(f.eng.peek(stuck)?.value).toBe(1);
    expect(f.eng.objectStatus("RegDN", "1001")?.status).toBe("LoggedIn");
    expect(f.eng.counters().stuckCallsSwept).toBe(2);
  });
});

describe("opening late", () => {
  test("a statistic opened after its episodes started sees them (status subjects never opened before)", () => {
    const f = new Flow();
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1" }).ev(0, "EventAgentReady", {
      thisDN: "1001",
      agentId: "l1",
    });
    f.ev(5, "EventQueued", { thisDN: "8000", connId: "c1" });
    f.at(10);
    const ready = f.open(req("GroupAgents", "G1", "ReadyAgents"));
    const dnStatus = f.open({
      object: { type: "RegDN", id: "1001" },
      definition: {
        category: "CurrentTime",
        subject: "DNStatus",
        mainMask: { all: false, include: ["WaitForNextCall"], exclude: [] },
      },
    });
    const placeState = f.open(req("Place", "P1", "PlaceTalk"));
    const waiting = f.open(Q("OldestWait"));
    expect(f.eng.peek(ready)?.value).toBe(1);
    expect(f.eng.peek(dnStatus)?.value).toBe(10); // current categories see the true start
    expect(f.eng.peek(waiting)?.value).toBe(5);
    f.ev(20, "EventRinging", { thisDN: "1001", connId: "c2", callType: "Inbound" });
    f.ev(21, "EventEstablished", { thisDN: "1001", connId: "c2" });
    f.at(31);
    expect(f.eng.peek(placeState)?.value).toBe(10);
  });
  test("queue pseudo-actions already running reach a Queue / GroupQueues statistic opened later", () => {
    const f = new Flow();
    const early = f.open(Q("AgentsReadyQ"));
    f.ev(0, "EventAgentLogin", { thisDN: "1001", agentId: "l1", thisQueue: "8000" });
    f.ev(0, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    f.ev(1, "EventAgentLogin", { thisDN: "1002", agentId: "l2", thisQueue: "8001" });
    f.at(5);
    const ready = f.open(Q("AgentsReadyQ"));
    const login = f.open(Q("AgentsLoginQ"));
    const other = f.open(req("Queue", "8001", "AgentsLoginQ"));
    const group = f.open(req("GroupQueues", "QG1", "AgentsLoginQ"));
    expect(f.eng.peek(early)?.value).toBe(1);
    expect(f.eng.peek(ready)?.value).toBe(1);
    expect(f.eng.peek(login)?.value).toBe(1);
    expect(f.eng.peek(other)?.value).toBe(1);
    expect(f.eng.peek(group)?.value).toBe(2);
    // they leave the statistics opened late like the others
    f.ev(6, "EventAgentLogout", { thisDN: "1001", agentId: "l1" });
    expect([early, ready, login, other, group].map((s) => f.eng.peek(s)?.value)).toEqual([0, 0, 0, 1, 1]);
  });
});

describe("late events", () => {
  test("a sliding statistic: an event a whole window late does not wipe the bucket now in its slot", () => {
    const f = new Flow();
    const entered = f.open(req("Queue", "8000", "Entered", { timeProfile: "LastHour" }));
    f.ev(3700, "EventQueued", { thisDN: "8000", connId: "c2", callType: "Inbound" });
    expect(f.eng.peek(entered)?.value).toBe(1);
    // 3600 s earlier: the same slot of the 60 one-minute buckets, outside the window
    f.ev(100, "EventQueued", { thisDN: "8000", connId: "c1", callType: "Inbound" });
    expect(f.eng.peek(entered)?.value).toBe(1);
  });
  test("time stamps ahead of a live clock are taken as now: no negative or drifting values", () => {
    // a live clock 50 s behind the switch's time stamps
    let clockMs = T0 + 50_000;
    const f = new Flow({ clock: { now: () => clockMs } });
    f.ev(100, "EventAgentLogin", { thisDN: "1001", agentId: "l1" });
    f.ev(100, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    const ready = f.open(req("Agent", "a1", "ReadyTime"));
    const inState = f.open(req("Agent", "a1", "TimeInState"));
    const quarter = f.open(req("Agent", "a1", "ReadyTime", { timeProfile: "Quarter" }));
    expect([f.eng.peek(ready)?.value, f.eng.peek(inState)?.value]).toEqual([0, 0]);
    clockMs = T0 + 120_000;
    f.ev(170, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    // ready from the open (50 s) to the clock when NotReady came (120 s); not-ready starts now
    expect([f.eng.peek(ready)?.value, f.eng.peek(inState)?.value]).toEqual([70, 0]);
    f.ev(170, "EventAgentReady", { thisDN: "1001", agentId: "l1" });
    // a 15-min reset while ready, then the end of that ready episode: nothing drifts
    clockMs = T0 + 960_000;
    f.at(960);
    clockMs = T0 + 1_000_000;
    f.ev(1100, "EventAgentNotReady", { thisDN: "1001", agentId: "l1" });
    clockMs = T0 + 2_000_000;
    expect(f.eng.peek(quarter)?.value).toBe(100);
    expect(f.eng.peek(ready)?.value).toBe(70 + 880);
  });
});
