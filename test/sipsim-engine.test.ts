/**
 * The simulator's day through statd's engine (stat-core) with the demo config: every event is
 * accepted, and at checkpoints through the day the engine's queue and group statistics equal what
 * the model's own events and snapshot say.
 */

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Simulation } from "../packages/sip-sim/src/model.ts";
import { demoDay } from "./demo-day.ts";

const _root = join(import.meta.dir, "..");

describe("sipsim → stat-core engine", () => {
  test("a simulated day: every event applied, statistics match the model", () => {
    const { cfg, engine, open } = demoDay("packages/sip-sim/scenarios/day.toml");
    const stat = (type: string, id: string, statType: string): number => {
      const statId = open(type, id, statType);
      expect(statId).toBeNumber();
      return statId;
    };
    const ids = {
      entered: stat("Queue", "8001", "TotalNumberCallsEntered"),
      answered: stat("Queue", "8001", "TotalNumberCallsAnswered"),
      abandoned: stat("Queue", "8001", "TotalNumberCallsAbandoned"),
      abandonedRinging: stat("Queue", "8001", "CallsAbandonedFromRinging"),
      waiting: stat("Queue", "8001", "CurrNumberWaitingCalls"),
      loggedIn: stat("GroupAgents", "group1", "CurrAgentsLoggedIn"),
      ready: stat("GroupAgents", "group1", "CurrentReadyAgents"),
    };
    const want = { entered: 0, answered: 0, abandoned: 0, abandonedRinging: 0 };
    const sim = new Simulation(cfg, {
      event: (e) => {
        engine.ingest({ ...e.body, seq: e.seq, node: e.node } as never);
        const b = e.body;
        if (b.event === "EventQueued" && b.thisDN === "8001") want.entered++;
        if (b.event === "EventEstablished" && b.callType === "Inbound" && b.thisQueue === "8001")
          want.answered++;
        if (b.event === "EventAbandoned" && b.thisQueue === "8001") {
          if (b.thisDN === "8001") want.abandoned++;
          else want.abandonedRinging++;
        }
      },
    });
    const inGroup1 = (dn: string | undefined) => (Number(dn) - 7001) % 3 === 0;
    let checked = 0;
    for (let t = 1800; t <= 13 * 3600; t += 2221) {
      sim.runUntil(t);
      engine.tick(sim.epochNow * 1000);
      const calls = [
        ...sim.snapshot("node1", "interactionProxy"),
        ...sim.snapshot("node2", "interactionProxy"),
      ];
      const tc = [...sim.snapshot("node1", "tController"), ...sim.snapshot("node2", "tController")];
      const busy = new Set(calls.map((b) => b.thisDN));
      const model = {
        ...want,
        waiting: calls.filter((b) => b.event === "EventQueued" && b.thisDN === "8001").length,
        loggedIn: tc.filter((b) => b.event === "EventAgentLogin" && inGroup1(b.thisDN)).length,
        ready: tc.filter((b) => b.event === "EventAgentReady" && inGroup1(b.thisDN) && !busy.has(b.thisDN))
          .length,
      };
      const got: Record<string, unknown> = {};
      for (const [k, id] of Object.entries(ids)) got[k] = engine.peek(id)?.value;
      expect({ t, ...got }).toEqual({ t, ...model });
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
    expect(want.answered).toBeGreaterThan(500);
    const c = engine.counters();
    expect(c.eventsSkipped).toBe(0);
    expect(c.eventsApplied).toBe(c.eventsIn);
    expect(c.reflectUnmatched).toBe(0);
  });
});
