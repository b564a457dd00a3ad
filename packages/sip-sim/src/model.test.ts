import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { checkerFor, type SequenceChecker } from "./checker.ts";
import { resolveConfig, type SimOptions } from "./config.ts";
import { agentDnOf, ownerNodeOf } from "./directory.ts";
import { Simulation } from "./model.ts";
import { recordLine } from "./record.ts";
import { parseScenario } from "./scenario.ts";
import type { SimControl, SimEvent } from "./types.ts";

const base: SimOptions = { nodes: 3, agents: 24, queues: 3, arrivalRate: 0.08, aht: 150, seed: 1 };

interface Run {
  sim: Simulation;
  events: SimEvent[];
  controls: SimControl[];
  chk: SequenceChecker;
}

function start(opts: SimOptions): Run {
  const cfg = resolveConfig(opts);
  const chk = checkerFor(cfg);
  const events: SimEvent[] = [];
  const controls: SimControl[] = [];
  const sim = new Simulation(cfg, {
    event: (e) => {
      events.push(e);
      chk.feed(e);
    },
    control: (c) => {
      controls.push(c);
      if (c.fault.action === "restartNode") chk.restart(c.fault.node);
    },
  });
  return { sim, events, controls, chk };
}

/** Run `until` simulated seconds, then stop traffic and let every call finish. */
function runAndDrain(opts: SimOptions, until: number): Run {
  const r = start(opts);
  r.sim.runUntil(until);
  r.sim.stopTraffic();
  r.sim.runUntil(until + 6 * 3600);
  return r;
}

describe("Simulation", () => {
  test("same seed: byte-identical output; another seed: different", () => {
    const lines = (seed: number) => {
      const r = start({ ...base, seed });
      r.sim.runUntil(2 * 3600);
      return r.events.map(recordLine).join("\n");
    };
    const a = lines(5);
    expect(a.length).toBeGreaterThan(10_000);
    expect(lines(5)).toBe(a);
    expect(lines(6)).not.toBe(a);
  });

  test("every call forms a valid T-Library sequence, and calls are conserved", () => {
    const r = runAndDrain(base, 6 * 3600);
    expect(r.chk.errors).toEqual([]);
    expect(r.sim.activeCalls).toBe(0);
    expect(r.chk.openParties()).toEqual([]);
    const c = r.chk.counts;
    expect(c.queued).toBeGreaterThan(1000);
    // every queued call ends exactly once as diverted or abandoned
    expect(c.diverted + c.abandonedInQueue).toBe(c.queued);
    // every ringing ends as established, abandoned or released
    expect(c.establishedAfterRinging + c.abandonedRinging + c.releasedRinging).toBe(c.ringing);
    // the model produced every kind of event the issue asks for
    const kinds = new Set(r.events.map((e) => e.body.event));
    for (const k of [
      "EventAgentLogin",
      "EventAgentReady",
      "EventAgentNotReady",
      "EventQueued",
      "EventDiverted",
      "EventRinging",
      "EventEstablished",
      "EventReleased",
      "EventAbandoned",
      "EventHeld",
      "EventRetrieved",
      "EventDialing",
      "EventPartyChanged",
      "EventAttachedDataChanged",
      "EventUserEvent",
    ]) {
      expect(kinds.has(k)).toBe(true);
    }
    const types = new Set(r.events.map((e) => e.body.callType).filter(Boolean));
    expect([...types].sort()).toEqual(["Consult", "Inbound", "Internal", "Outbound"]);
    const reasons = new Set(r.events.map((e) => e.body.reasons?.ReasonCode).filter(Boolean));
    expect(reasons.has("Break")).toBe(true);
    expect(reasons.has("Lunch")).toBe(true);
    expect(r.events.some((e) => e.body.workMode === "AfterCallWork")).toBe(true);
    expect(r.events.some((e) => e.body.event === "EventAbandoned" && e.body.thisDN?.startsWith("7"))).toBe(
      true,
    );
    expect(r.events.some((e) => e.body.event === "EventAbandoned" && e.body.thisDN?.startsWith("8"))).toBe(
      true,
    );
  });

  test("valid sequences for any seed, size and node restarts; snapshots match (property)", () => {
    const stateOf: Record<string, string> = {
      EventQueued: "queued",
      EventRinging: "ringing",
      EventDialing: "dialing",
      EventEstablished: "established",
      EventHeld: "held",
    };
    fc.assert(
      fc.property(
        fc.record({
          seed: fc.integer(),
          nodes: fc.integer({ min: 1, max: 4 }),
          agents: fc.integer({ min: 1, max: 30 }),
          queues: fc.integer({ min: 1, max: 4 }),
          arrivalRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
          aht: fc.integer({ min: 5, max: 600 }),
          restarts: fc.array(fc.tuple(fc.integer({ min: 1, max: 3599 }), fc.nat()), { maxLength: 3 }),
        }),
        ({ restarts, ...o }) => {
          const r = start(o);
          for (const [at, n] of [...restarts].sort((a, b) => a[0] - b[0])) {
            r.sim.runUntil(at);
            r.sim.restartNode(r.sim.config.nodeIds[n % o.nodes] as string);
          }
          r.sim.runUntil(3600);
          for (const node of r.sim.config.nodeIds) {
            const snap = r.sim
              .snapshot(node, "interactionProxy")
              .map((b) => `${b.connId} ${b.thisDN} ${stateOf[b.event]}`);
            expect(snap.sort()).toEqual(r.chk.openParties(node).sort());
          }
          r.sim.stopTraffic();
          r.sim.runUntil(3600 + 6 * 3600);
          expect(r.chk.errors).toEqual([]);
          expect(r.sim.activeCalls).toBe(0);
          expect(r.sim.stats.restarts).toBe(restarts.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  test("calls pinned to one node; agent state on the owning node; cross-node calls happen", () => {
    const r = runAndDrain(base, 3 * 3600);
    expect(r.chk.errors).toEqual([]);
    const pin = new Map<string, string>();
    let cross = 0;
    const callNodes = new Set<string>();
    for (const e of r.events) {
      const b = e.body;
      if (e.port === "tController") {
        const k = Number(b.thisDN) - 7000;
        expect(e.node).toBe(`node${ownerNodeOf(k, 3) + 1}`);
        continue;
      }
      callNodes.add(e.node);
      const p = pin.get(b.connId as string);
      if (p === undefined) pin.set(b.connId as string, e.node);
      else expect(e.node).toBe(p);
      if (b.event === "EventRinging" && b.callType === "Inbound") {
        const k = Number(b.thisDN) - 7000;
        if (`node${ownerNodeOf(k, 3) + 1}` !== e.node) cross++;
      }
    }
    expect([...callNodes].sort()).toEqual(["node1", "node2", "node3"]);
    expect(cross).toBeGreaterThan(100);
  });

  test("routing: the longest-idle ready agent of the queue's group gets the call", () => {
    const r = start({ ...base, arrivalRate: 0.02 });
    const idleSince = new Map<string, number>();
    const ready = new Set<string>();
    const parties = new Map<string, number>();
    const busy = (dn: string) => (parties.get(dn) ?? 0) > 0;
    let checked = 0;
    r.sim.runUntil(4 * 3600);
    for (const e of r.events) {
      const b = e.body;
      const dn = b.thisDN as string;
      if (b.event === "EventAgentReady") {
        ready.add(dn);
        if (!busy(dn)) idleSince.set(dn, b.time);
      } else if (b.event === "EventAgentNotReady" || b.event === "EventAgentLogout") ready.delete(dn);
      else if (b.event === "EventRinging" || b.event === "EventDialing")
        parties.set(dn, (parties.get(dn) ?? 0) + 1);
      else if ((b.event === "EventReleased" || b.event === "EventAbandoned") && dn.startsWith("7")) {
        parties.set(dn, (parties.get(dn) ?? 0) - 1);
        if (!busy(dn)) idleSince.set(dn, b.time);
      }
      if (b.event === "EventDiverted") {
        const q = Number(b.thisDN) - 8000;
        const candidates = [...ready].filter((d) => !busy(d) && (Number(d) - 7000 - 1) % 3 === q - 1);
        const longest = Math.min(...candidates.map((d) => idleSince.get(d) as number));
        expect(candidates).toContain(b.otherDN as string);
        expect(idleSince.get(b.otherDN as string)).toBe(longest);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  test("snapshot equals the state the events describe", () => {
    const r = start(base);
    for (const t of [1800, 3 * 3600, 5 * 3600]) {
      r.sim.runUntil(t);
      expect(r.chk.errors).toEqual([]);
      for (const node of r.sim.config.nodeIds) {
        const snap = r.sim.snapshot(node, "interactionProxy");
        const state = (ev: string) =>
          ({
            EventQueued: "queued",
            EventRinging: "ringing",
            EventDialing: "dialing",
            EventEstablished: "established",
            EventHeld: "held",
          })[ev];
        const got = snap.map((b) => `${b.connId} ${b.thisDN} ${state(b.event)}`).sort();
        expect(got).toEqual(r.chk.openParties(node).sort());
        for (const b of snap) expect(b.time).toBeLessThanOrEqual(r.sim.epochNow);
        const tc = r.sim.snapshot(node, "tController");
        // replay the T-Controller stream and compare the last state per DN
        const last = new Map<string, string>();
        for (const e of r.events) {
          if (e.node !== node || e.port !== "tController") continue;
          const b = e.body;
          if (b.event === "EventAgentLogout") last.delete(b.thisDN as string);
          else if (b.event === "EventAgentReady" || b.event === "EventAgentNotReady") {
            last.set(b.thisDN as string, `${b.event} ${b.workMode} ${b.reasons?.ReasonCode ?? ""} ${b.time}`);
          }
        }
        const fromSnap = new Map<string, string>();
        for (let i = 0; i < tc.length; i += 2) {
          expect(tc[i]?.event).toBe("EventAgentLogin");
          const b = tc[i + 1]!;
          fromSnap.set(
            b.thisDN as string,
            `${b.event} ${b.workMode} ${b.reasons?.ReasonCode ?? ""} ${b.time}`,
          );
        }
        expect(fromSnap).toEqual(last);
      }
      expect(r.sim.snapshot("nope", "tController")).toEqual([]);
    }
  });

  test("restarting a node ends its calls and re-registers its agents", () => {
    const scenario = parseScenario(`
[[faults]]
at = 3600
action = "restartNode"
node = "node2"
[[faults]]
at = 3700
action = "setDelay"
ms = 50
`);
    const r = start({ ...base, arrivalRate: 0.12, scenario });
    r.sim.runUntil(3599.999);
    const lostCalls = r.chk.openParties("node2").length;
    expect(lostCalls).toBeGreaterThan(0);
    r.sim.runUntil(3 * 3600);
    r.sim.stopTraffic();
    r.sim.runUntil(10 * 3600);
    expect(r.chk.errors).toEqual([]);
    expect(r.sim.activeCalls).toBe(0);
    expect(r.controls.map((c) => c.fault)).toEqual([
      { action: "restartNode", node: "node2" },
      { action: "setDelay", ms: 50 },
    ]);
    const i = r.events.findIndex(
      (e) => e.node === "node2" && e.seq === 1 && e.body.event === "EventDNBackInService",
    );
    expect(i).toBeGreaterThan(0);
    expect(r.events[i]?.body.time).toBe(r.sim.config.startEpoch + 3600);
    // the new incarnation: BackInService for each owned DN, then login + state for each agent
    const owned = Array.from({ length: 24 }, (_, j) => j + 1).filter((k) => ownerNodeOf(k, 3) === 1);
    const after = r.events.slice(i, i + owned.length * 3).map((e) => `${e.body.event} ${e.body.thisDN}`);
    for (const k of owned) expect(after).toContain(`EventDNBackInService ${agentDnOf(k, 24)}`);
    expect(after.filter((x) => x.startsWith("EventAgentLogin")).length).toBe(owned.length);
    // the call stream of node2 restarts at 1 as well
    const ip = r.events.filter((e) => e.node === "node2" && e.port === "interactionProxy");
    expect(ip.filter((e) => e.seq === 1)).toHaveLength(2);
  });

  test("shifts: logins and logouts over the day, never with a call up", () => {
    const scenario = parseScenario(`
[[shifts]]
agents = "1-12"
start = "08:00"
end = "12:00"
[[shifts]]
agents = "13-24"
start = "10:00"
end = "18:30"
`);
    const r = runAndDrain({ ...base, scenario }, 24 * 3600);
    expect(r.chk.errors).toEqual([]);
    const logins = r.events.filter((e) => e.body.event === "EventAgentLogin");
    const logouts = r.events.filter((e) => e.body.event === "EventAgentLogout");
    // ran to 14:00 on day 2: day 1 logins and logouts for everyone, day 2 logins for both shifts
    // (08:00, 10:00) and the 12:00 logouts of the first
    expect(logins.length).toBe(48);
    expect(logouts.length).toBe(36);
    const t0 = r.sim.config.startEpoch;
    const secondLogin = logins.filter((e) => e.body.thisDN === "7013")[0]!;
    expect(secondLogin.body.time).toBe(t0 + 2 * 3600);
    for (const e of logouts.filter((x) => Number(x.body.thisDN) <= 7012 && x.body.time < t0 + 86400)) {
      expect(e.body.time).toBeGreaterThanOrEqual(t0 + 4 * 3600);
      expect(e.body.time).toBeLessThan(t0 + 4 * 3600 + 3600); // finishes the call and ACW first
    }
  });

  test("time zone: shifts and the curve in local time (Europe/Paris, CET = UTC+1 in January)", () => {
    const curve = Array.from({ length: 24 }, (_, h) => (h >= 10 && h < 12 ? 1 : 0));
    const scenario = parseScenario(`
timeZone = "Europe/Paris"
[arrivals]
dailyCurve = [${curve.join(",")}]
[[shifts]]
agents = "1-24"
start = "10:00"
end = "17:00"
`);
    const r = runAndDrain({ ...base, scenario }, 12 * 3600);
    expect(r.chk.errors).toEqual([]);
    const t0 = r.sim.config.startEpoch; // 08:00 UTC = 09:00 Paris
    const logins = r.events.filter((e) => e.body.event === "EventAgentLogin");
    expect(new Set(logins.map((e) => e.body.time))).toEqual(new Set([t0 + 3600]));
    const logouts = r.events.filter((e) => e.body.event === "EventAgentLogout");
    expect(Math.min(...logouts.map((e) => e.body.time))).toBe(t0 + 8 * 3600); // 17:00 Paris
    const arrivals = r.events.filter((e) => e.body.event === "EventQueued");
    expect(arrivals.length).toBeGreaterThan(100);
    for (const e of arrivals) {
      const utcHour = new Date(e.body.time * 1000).getUTCHours();
      expect(utcHour === 9 || utcHour === 10).toBe(true); // 10:00-12:00 Paris
    }
  });

  test("several skills: an agent serves every queue it has a skill for", () => {
    const scenario = parseScenario('[[skills]]\nagents = "1-24"\nqueues = [1, 2, 3]');
    const r = runAndDrain({ ...base, scenario }, 4 * 3600);
    expect(r.chk.errors).toEqual([]);
    const queuesOf = new Map<string, Set<string>>();
    for (const e of r.events) {
      if (e.body.event !== "EventDiverted") continue;
      const s = queuesOf.get(e.body.otherDN as string) ?? new Set();
      s.add(e.body.thisDN as string);
      queuesOf.set(e.body.otherDN as string, s);
    }
    expect([...queuesOf.values()].some((s) => s.size === 3)).toBe(true);
  });

  test("daily curve: no arrivals in hours with multiplier 0; weights split the traffic", () => {
    const curve = Array.from({ length: 24 }, (_, h) => (h >= 9 && h < 12 ? 2 : 0));
    const scenario = parseScenario(`[arrivals]\nweights = [1, 0, 3]\ndailyCurve = [${curve.join(",")}]`);
    const r = runAndDrain({ ...base, scenario }, 24 * 3600);
    expect(r.chk.errors).toEqual([]);
    const queued = r.events.filter((e) => e.body.event === "EventQueued");
    const firstQueued = new Map<string, SimEvent>();
    for (const e of queued)
      if (!firstQueued.has(e.body.connId as string)) firstQueued.set(e.body.connId as string, e);
    const arrivals = [...firstQueued.values()];
    expect(arrivals.length).toBeGreaterThan(500);
    for (const e of arrivals) {
      const hour = new Date(e.body.time * 1000).getUTCHours();
      expect(hour >= 9 && hour < 12).toBe(true);
    }
    const perQueue = (q: string) => arrivals.filter((e) => e.body.thisDN === q).length;
    expect(perQueue("8002")).toBe(0);
    expect(perQueue("8003")).toBeGreaterThan(2 * perQueue("8001"));
  });

  test("mmc: one queue, FCFS, only the textbook events", () => {
    const r = runAndDrain({ ...base, agents: 5, arrivalRate: 0.04, aht: 100, model: "mmc" }, 4 * 3600);
    expect(r.chk.errors).toEqual([]);
    const kinds = new Set(r.events.map((e) => e.body.event));
    expect([...kinds].sort()).toEqual([
      "EventAgentLogin",
      "EventAgentReady",
      "EventDiverted",
      "EventEstablished",
      "EventQueued",
      "EventReleased",
      "EventRinging",
    ]);
    expect(r.events.filter((e) => e.body.event === "EventAgentReady")).toHaveLength(5);
    const queuedOrder = r.events.filter((e) => e.body.event === "EventQueued").map((e) => e.body.connId);
    const divertedOrder = r.events.filter((e) => e.body.event === "EventDiverted").map((e) => e.body.connId);
    expect(divertedOrder).toEqual(queuedOrder);
    expect(new Set(r.events.map((e) => e.body.thisQueue).filter(Boolean))).toEqual(new Set(["8001"]));
  });
});
