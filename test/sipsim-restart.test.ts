/**
 * The simulator's fault drill (packages/sip-sim/scenarios/faults.toml, the events its recording
 * holds) through the engine, driven as the daemon drives it (docs/semantics.md §8): a stream whose
 * `seq` goes back to 1 is a node restart, so the engine resets what that stream built
 * (`resetSource(node, t, "calls" | "agents")`) before applying the event. After node2's restart
 * at 08:30 the engine's waiting calls, talking, logged-in and ready agents equal the model's, and
 * without the resets they do not (the lost calls would stay up for 4 hours).
 */

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { Simulation } from "../packages/sip-sim/src/model.ts";
import { demoDay } from "./demo-day.ts";

const _root = join(import.meta.dir, "..");
const GROUPS = ["group1", "group2", "group3"];
const QUEUES = ["8001", "8002", "8003"];

function run(reset: boolean) {
  const { cfg, engine, open } = demoDay("packages/sip-sim/scenarios/faults.toml");
  const ids: Record<string, number> = {};
  for (const q of QUEUES) ids[`waiting ${q}`] = open("Queue", q, "CurrNumberWaitingCalls");
  for (const g of GROUPS) {
    ids[`loggedIn ${g}`] = open("GroupAgents", g, "CurrAgentsLoggedIn");
    ids[`ready ${g}`] = open("GroupAgents", g, "CurrentReadyAgents");
    ids[`talking ${g}`] = open("GroupAgents", g, "CurrAgentsTalking");
  }
  const lastSeq = new Map<string, number>();
  const resets: string[] = [];
  const sim = new Simulation(cfg, {
    event: (e) => {
      const stream = `${e.node}/${e.port}`;
      const prev = lastSeq.get(stream) ?? 0;
      lastSeq.set(stream, e.seq);
      if (reset && e.seq <= prev) {
        // the stream started again: what it built is gone (the daemon: the session reports reset)
        engine.resetSource(e.node, e.body.time * 1000, e.port === "interactionProxy" ? "calls" : "agents");
        engine.setSourceValid(e.node, true, e.body.time * 1000);
        resets.push(stream);
      }
      const r = engine.ingest({ ...e.body, seq: e.seq, node: e.node } as never);
      if (!r.ok) throw new Error(`${e.body.event}: ${r.reason}`);
    },
  });
  const agentGroup = (dn: string | undefined): string => `group${((Number(dn) - 7001) % 3) + 1}`;
  const checks: { t: number; engine: Record<string, unknown>; model: Record<string, unknown> }[] = [];
  for (const t of [1700, 1830, 1900, 2100, 2400]) {
    sim.runUntil(t);
    engine.tick(sim.epochNow * 1000);
    const calls = [
      ...sim.snapshot("node1", "interactionProxy"),
      ...sim.snapshot("node2", "interactionProxy"),
    ];
    const tc = [...sim.snapshot("node1", "tController"), ...sim.snapshot("node2", "tController")];
    const busy = new Set(calls.map((b) => b.thisDN));
    const model: Record<string, unknown> = {};
    for (const q of QUEUES)
      model[`waiting ${q}`] = calls.filter((b) => b.event === "EventQueued" && b.thisDN === q).length;
    for (const g of GROUPS) {
      const mine = (dn: string | undefined) => agentGroup(dn) === g;
      model[`loggedIn ${g}`] = tc.filter((b) => b.event === "EventAgentLogin" && mine(b.thisDN)).length;
      model[`ready ${g}`] = tc.filter(
        (b) => b.event === "EventAgentReady" && mine(b.thisDN) && !busy.has(b.thisDN),
      ).length;
      // an agent with a call established (a held call with a consult up counts by the consult)
      const up = new Set(calls.filter((b) => b.event === "EventEstablished").map((b) => b.thisDN));
      model[`talking ${g}`] = [...up].filter(mine).length;
    }
    const got: Record<string, unknown> = {};
    for (const [k, id] of Object.entries(ids)) got[k] = engine.peek(id)?.value;
    checks.push({ t, engine: got, model });
  }
  return { checks, resets, counters: engine.counters() };
}

describe("sipsim fault drill → engine: node restart", () => {
  test("with the resets the daemon makes, the engine's current statistics equal the model's after the restart", () => {
    const { checks, resets, counters } = run(true);
    // node2's two streams started again at seq 1 (the restart at 1800 s), nothing else
    expect(resets.sort()).toEqual(["node2/interactionProxy", "node2/tController"]);
    for (const c of checks) expect({ t: c.t, ...c.engine }).toEqual({ t: c.t, ...c.model });
    expect(counters.eventsSkipped).toBe(0);
  });

  test("without them the calls lost with node2 stay up in the engine", () => {
    const { checks } = run(false);
    const c = checks.find((x) => x.t === 1830)!;
    const talking = (v: Record<string, unknown>) =>
      GROUPS.reduce((s, g) => s + (v[`talking ${g}`] as number), 0);
    // agents still talking on node2's lost calls (and so not ready)
    expect(talking(c.engine)).toBeGreaterThan(talking(c.model));
  });
});
