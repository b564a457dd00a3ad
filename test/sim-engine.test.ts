/**
 * Cross-package: the simulated SIP cluster (sip-sim) feeds the engine (stat-core) with the demo
 * config (config/demo.toml). Checks that
 *  - the engine accepts every event the simulator produces (the two sides speak one protocol);
 *  - queue totals in the engine equal the simulator's own counts, and queues conserve calls;
 *  - docs/architecture.md "Invariants" 1 on realistic traffic: 1, 2, 3 or 4 partitions (rendezvous-hashed DN /
 *    agent / place ownership) merge to the single engine's value for every statistic;
 *  - on the M/M/c model, the engine's average wait equals the waits measured from the raw
 *    events and agrees with Erlang C.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStatdConfig } from "@statd/config";
import { meanWait, resolveConfig, type SimEvent, type SimStats, Simulation, TENANT } from "@statd/sip-sim";
import {
  Engine,
  type EngineConfig,
  LocalCluster,
  type OpenRequest,
  ReplayClock,
  type StatPartial,
  type TEvent,
  valueOfPartial,
} from "@statd/stat-core";

const ROOT = join(import.meta.dir, "..");
const demo: EngineConfig = loadStatdConfig(readFileSync(join(ROOT, "config/demo.toml"), "utf8")).engine;

function toEvent(e: SimEvent): TEvent {
  return { ...e.body, node: e.node, seq: e.seq } as TEvent;
}

function simulate(hours: number, seed: number): { events: TEvent[]; stats: SimStats } {
  const cfg = resolveConfig({ nodes: 2, agents: 40, queues: 3, arrivalRate: 0.25, aht: 120, seed });
  const events: TEvent[] = [];
  const sim = new Simulation(cfg, { event: (e) => events.push(toEvent(e)) });
  sim.runUntil(hours * 3600);
  return { events, stats: { ...sim.stats } };
}

const q = (type: OpenRequest["object"]["type"], id: string, statType: string): OpenRequest => ({
  object: { type, id, tenant: TENANT },
  statType,
});

/** Statistics across every level of the directory, queue side and agent side. */
const REQUESTS: OpenRequest[] = [
  ...[
    "TotalNumberCallsEntered",
    "TotalNumberCallsAnswered",
    "TotalNumberCallsAbandoned",
    "CallsAbandonedFromRinging",
    "TotalNumberCallsDistributed",
    "CurrNumberWaitingCalls",
    "CurrMaxWaitTime",
    "AverageSpeedOfAnswer",
    "ServiceFactor",
    "CurrAgentsReadyForQueue",
  ].flatMap((s) => [q("GroupQueues", "allQueues", s), q("Queue", "8001", s), q("Queue", "8003", s)]),
  ...[
    "CurrentReadyAgents",
    "CurrAgentsLoggedIn",
    "CurrAgentsTalking",
    "TotalTalkTime",
    "TotalNotReadyTime",
    "TotalNumberInboundCalls",
    "Average_Calls_Per_Hour",
  ].flatMap((s) => [q("GroupAgents", "group1", s), q("GroupAgents", "group3", s)]),
  ...["CurrentReadyAgents", "CurrAgentsLoggedIn"].map((s) => q("Tenant", TENANT, s)),
  ...(["NotReadyForNextCall", "WaitForNextCall", "CallInbound"] as const).flatMap((status): OpenRequest[] =>
    (["CurrentNumber", "TotalTime"] as const).flatMap((category) => [
      {
        object: { type: "GroupPlaces", id: "allPlaces", tenant: TENANT },
        definition: {
          category,
          subject: "PlaceStatus",
          mainMask: { all: false, include: [status], exclude: [] },
        },
      },
      {
        object: { type: "Place", id: "place7002", tenant: TENANT },
        definition: {
          category,
          subject: "PlaceStatus",
          mainMask: { all: false, include: [status], exclude: [] },
        },
      },
    ]),
  ),
  ...(["NotReadyForNextCall", "WaitForNextCall", "CallInbound"] as const).map(
    (status): OpenRequest => ({
      object: { type: "GroupPlaces", id: "allPlaces", tenant: TENANT },
      definition: {
        category: "TotalNumber",
        subject: "PlaceStatus",
        mainMask: { all: false, include: [status], exclude: [] },
      },
    }),
  ),
  ...["TotalTalkTime", "TimeInCurrentState", "TotalNumberInboundCalls", "Current_Login_Time"].flatMap((s) => [
    q("Agent", "agent001", s),
    q("Agent", "agent017", s),
  ]),
];

function open(eng: Engine, r: OpenRequest): number {
  const o = eng.open(r);
  if ("error" in o) throw new Error(`${r.statType} on ${r.object.type} ${r.object.id}: ${o.error.message}`);
  return o.statId;
}

describe("sip-sim → stat-core", () => {
  const { events, stats } = simulate(3, 11);
  const startMs = Math.floor(events[0]!.time * 1000);

  test("the engine accepts every simulated event; queue totals equal the simulator's counts", () => {
    const eng = new Engine({ config: demo, clock: new ReplayClock(startMs), startMs });
    const ids = Object.fromEntries(
      [
        "TotalNumberCallsEntered",
        "TotalNumberCallsAnswered",
        "TotalNumberCallsAbandoned",
        "CallsAbandonedFromRinging",
        "CurrNumberWaitingCalls",
      ].map((s) => [s, open(eng, q("GroupQueues", "allQueues", s))]),
    );
    const skipped: string[] = [];
    for (const ev of events) {
      const r = eng.ingest(ev);
      if (!r.ok) skipped.push(`${ev.event}: ${r.reason}`);
    }
    expect(skipped).toEqual([]);
    expect(events.length).toBeGreaterThan(10_000);
    const v = (s: string): number => eng.peek(ids[s]!)!.value as number;
    expect(stats.offered).toBeGreaterThan(2000);
    // ground truth from the raw stream: a blind transfer to a queue enters that queue again
    const onQueue = (name: string): number =>
      events.filter((e) => e.event === name && e.thisDN?.startsWith("800")).length;
    expect(onQueue("EventQueued")).toBe(stats.offered + stats.blindTransfers);
    expect(v("TotalNumberCallsEntered")).toBe(onQueue("EventQueued"));
    expect(v("TotalNumberCallsAbandoned")).toBe(stats.abandonedInQueue);
    expect(v("TotalNumberCallsAbandoned")).toBe(onQueue("EventAbandoned"));
    expect(v("CallsAbandonedFromRinging")).toBe(stats.abandonedRinging);
    // answered on the queue = calls answered by an agent after distribution from it
    expect(v("TotalNumberCallsAnswered")).toBe(stats.answered);
    // conservation: every call that entered is answered, abandoned (queue or ringing), or still
    // waiting/ringing at the end of the run
    const waiting = v("CurrNumberWaitingCalls");
    const settled =
      v("TotalNumberCallsAnswered") + v("TotalNumberCallsAbandoned") + v("CallsAbandonedFromRinging");
    expect(v("TotalNumberCallsEntered") - settled - waiting).toBeGreaterThanOrEqual(0);
    expect(v("TotalNumberCallsEntered") - settled - waiting).toBeLessThanOrEqual(40); // at most one ringing per agent
  });

  for (const k of [2, 3, 4]) {
    test(`${k} partitions (rendezvous-hashed ownership) merge to the single engine`, () => {
      const single = new Engine({ config: demo, clock: new ReplayClock(startMs), startMs });
      const cluster = new LocalCluster({ config: demo, instances: k, startMs });
      const handles = REQUESTS.map((r) => {
        open(single, r);
        const h = cluster.open(r);
        if ("error" in h) throw new Error(h.error.message);
        return h.handle;
      });
      let checks = 0;
      const compare = (now: number): void => {
        REQUESTS.forEach((r, i) => {
          const one = single.partial(r, now) as StatPartial;
          const want = JSON.stringify({ value: valueOfPartial(one), valid: one.inv === 0 });
          const got = JSON.stringify(cluster.value(handles[i]!, now));
          if (got !== want) throw new Error(`${JSON.stringify(r)} at ${now}: merged ${got} ≠ single ${want}`);
          checks++;
        });
      };
      let n = 0;
      for (const ev of events) {
        expect(single.ingest(ev)).toEqual({ ok: true });
        expect(cluster.ingest(ev)).toEqual({ ok: true });
        if (++n % 2000 === 0) compare(Math.round(ev.time * 1000));
      }
      compare(Math.round(events[events.length - 1]!.time * 1000) + 1000);
      expect(checks).toBeGreaterThan(REQUESTS.length * 5);
      expect(cluster.messages).toBeGreaterThan(1000);
    });
  }
});

describe("M/M/c through the engine", () => {
  test("engine's average wait = waits measured from the raw events ≈ Erlang C", () => {
    const LAMBDA = 0.08;
    const AHT = 100;
    const C = 10;
    const HOURS = 200;
    const cfg = resolveConfig({
      nodes: 2,
      agents: C,
      queues: 1,
      arrivalRate: LAMBDA,
      aht: AHT,
      seed: 99,
      model: "mmc",
    });
    const startMs = cfg.startEpoch * 1000;
    // a Growing profile that never resets: the average runs over the whole 200 hours (Default
    // resets at midnight, and resets apply in replay without ticks)
    const config: EngineConfig = {
      ...demo,
      timeProfiles: {
        ...demo.timeProfiles,
        Run: { name: "Run", type: "Growing", resets: { kind: "never" }, timeZone: "UTC" },
      },
    };
    const eng = new Engine({ config, clock: new ReplayClock(startMs), startMs });
    const warmupEnd = cfg.startEpoch + 10 * AHT;
    let statId = -1;
    const queuedAt = new Map<string, number>();
    const waits: Array<{ t: number; w: number }> = [];
    const sim = new Simulation(cfg, {
      event: (e) => {
        const b = e.body;
        if (statId < 0 && b.time >= warmupEnd) {
          // opened after the warm-up: a statistic accumulates from the moment it is opened
          statId = open(eng, {
            object: { type: "Queue", id: "8001", tenant: TENANT },
            definition: {
              category: "AverageTime",
              subject: "DNAction",
              mainMask: { all: false, include: ["CallDistributed"], exclude: [] },
            },
            timeProfile: "Run",
          });
        }
        if (b.event === "EventQueued") queuedAt.set(b.connId!, b.time);
        if (b.event === "EventDiverted") {
          const t0 = queuedAt.get(b.connId!)!;
          if (statId >= 0 && t0 >= warmupEnd) waits.push({ t: t0, w: b.time - t0 });
          queuedAt.delete(b.connId!);
        }
        const r = eng.ingest(toEvent(e));
        if (!r.ok) throw new Error(`${b.event}: ${r.reason}`);
      },
    });
    sim.runUntil(HOURS * 3600);
    expect(statId).toBeGreaterThanOrEqual(0);
    expect(waits.length).toBeGreaterThan(50_000);
    const engineMean = eng.peek(statId)!.value as number;
    // The engine counts calls that were distributed after it was opened, whichever time they
    // entered; the few that entered before the warm-up ended barely move the mean.
    const measured = waits.reduce((a, x) => a + x.w, 0) / waits.length;
    expect(Math.abs(engineMean - measured)).toBeLessThan(0.01 * measured);
    // batch means for the standard error (waits are autocorrelated)
    const B = 20;
    const t0 = warmupEnd;
    const t1 = cfg.startEpoch + HOURS * 3600;
    const sums = new Array<number>(B).fill(0);
    const ns = new Array<number>(B).fill(0);
    for (const { t, w } of waits) {
      const b = Math.min(B - 1, Math.floor(((t - t0) / (t1 - t0)) * B));
      sums[b]! += w;
      ns[b]!++;
    }
    const means = sums.map((s, i) => s / ns[i]!);
    const mean = means.reduce((a, m) => a + m, 0) / B;
    const se = Math.sqrt(means.reduce((a, m) => a + (m - mean) ** 2, 0) / (B - 1) / B);
    const theory = meanWait(LAMBDA, 1 / AHT, C);
    expect(Math.abs(engineMean - theory)).toBeLessThan(4 * se + 0.01 * theory);
    // ... and the neighbouring models are rejected
    for (const c of [C - 1, C + 1])
      expect(Math.abs(engineMean - meanWait(LAMBDA, 1 / AHT, c))).toBeGreaterThan(4 * se);
  });
});
