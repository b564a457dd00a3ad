/**
 * Instances over the in-process bus (the same `Instance` class the instance processes run over
 * shared memory), fed a simulated day through link stubs that deliver each stream on its own
 * schedule: the T-Controller streams lag the Interaction Proxy streams by a skew. Whatever the
 * skew, 1 and 3 instances give the values `LocalCluster` gives for the day in recorded order —
 * the time-ordered merge at each DN owner (docs/architecture.md). The real-process, real-socket
 * version is test/daemon-e2e.test.ts.
 */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadStatdConfig } from "@statd/config";
import { MemoryCluster } from "@statd/shm-bus";
import { resolveConfig, type SimEvent, Simulation } from "@statd/sip-sim";
import { Engine, LocalCluster, type OpenRequest, Pump, type TEvent } from "@statd/stat-core";
import type { LinkFactory } from "../ingest/sessions.ts";
import { Instance } from "./instance.ts";

const ROOT = join(import.meta.dir, "../../../..");
const file = loadStatdConfig(readFileSync(join(ROOT, "config/demo.toml"), "utf8"));

/** A seeded 20-minute day, as the simulator records it. */
function day(): (TEvent & { port: string; node: string })[] {
  const cfg = resolveConfig({ nodes: 2, agents: 40, queues: 3, arrivalRate: 0.5, aht: 60, seed: 21 });
  const out: (TEvent & { port: string; node: string })[] = [];
  const sim = new Simulation(cfg, {
    event: (e: SimEvent) => out.push({ ...(e.body as TEvent), node: e.node, port: e.port, seq: e.seq }),
    control: () => {},
  });
  sim.runUntil(1200);
  return out;
}

const STATS: OpenRequest[] = [
  ...["8001", "8002", "8003"].flatMap((id) =>
    ["TotalNumberCallsAnswered", "TotalNumberCallsAbandoned", "AverageSpeedOfAnswer"].map((statType) => ({
      object: { type: "Queue" as const, id },
      statType,
    })),
  ),
  ...["group1", "group2", "group3"].flatMap((id) =>
    ["TotalTalkTime", "TotalNumberInboundCalls", "CurrAgentsLoggedIn"].map((statType) => ({
      object: { type: "GroupAgents" as const, id },
      statType,
    })),
  ),
];

function reference(evs: TEvent[]): unknown[] {
  const pump = new Pump(
    (ms) => new LocalCluster({ config: file.engine, instances: 1, startMs: ms - 60_000 }),
  );
  const handles: number[] = [];
  for (const ev of evs as (TEvent & { port: string; node: string })[]) {
    const { port, ...e } = ev;
    pump.push({ ...e, node: `${ev.node}/${port}` });
    if (handles.length === 0)
      for (const r of STATS) handles.push((pump.target!.open(r) as { handle: number }).handle);
  }
  const last = Math.max(...evs.map((e) => e.time * 1000));
  pump.tick(last);
  return handles.map((h) => pump.target!.value(h, last).value);
}

async function live(
  evs: (TEvent & { port: string; node: string })[],
  n: number,
  skewMs: number,
): Promise<unknown[]> {
  const t0 = evs[0]!.time * 1000;
  const last = Math.max(...evs.map((e) => e.time * 1000));
  const SPEED = 200;
  let wall0 = 0;
  // the day plays at SPEED× wall time from wall0; T-Controller streams lag by skewMs of wall time
  const links: LinkFactory = (node, port, _fromStart, h) => {
    const mine = evs.filter((e) => e.node === node.id && e.port === port);
    let stopped = false;
    return {
      start() {
        h.onState("live", { resumed: true, reset: false });
        let i = 0;
        const step = (): void => {
          if (stopped) return;
          const simNow = t0 + (Date.now() - wall0 - (port === "tController" ? skewMs : 0)) * SPEED;
          while (i < mine.length && mine[i]!.time * 1000 <= simNow) {
            const { port: _p, node: _n, ...e } = mine[i++]!;
            h.deliver(e as never);
          }
          if (i < mine.length) setTimeout(step, 1);
        };
        setTimeout(step, 0);
      },
      stop() {
        stopped = true;
      },
      stats: () =>
        ({
          nodeId: node.id,
          port,
          address: "",
          state: "live",
          sessionId: "s",
          lastSeq: 0,
          attempts: 1,
        }) as never,
    };
  };
  const mc = new MemoryCluster({
    maxInstances: n,
    spscBytes: 1 << 20,
    broadcastBytes: 1 << 18,
    maxRecord: 65_536,
  });
  const quiet = { info() {}, warn() {}, error() {} };
  // the instances' clocks start a minute before the day (like a daemon started before its nodes)
  const wall = (): number => t0 - 60_000 + (Date.now() - wallStart);
  const wallStart = Date.now();
  const insts = Array.from(
    { length: n },
    (_, i) =>
      new Instance({
        bus: mc.join(i),
        config: file.engine,
        name: "test",
        nodes: file.sip.nodes,
        links,
        partition: (o) => new Engine(o),
        logger: quiet,
        wallNow: wall,
        startupWaitMs: 0,
      }),
  );
  try {
    // the day starts a second from now: the statistics are open before it
    wall0 = Date.now() + 1000;
    for (const i of insts) i.start();
    for (const r of STATS) await insts[0]!.service.open(r, null);
    expect(Date.now()).toBeLessThan(wall0);
    const deadline = Date.now() + 60_000;
    // every event applied somewhere
    while (insts.reduce((a, i) => a + i.pump.applied, 0) < evs.length * 0.99 && Date.now() < deadline)
      await Bun.sleep(20);
    await Bun.sleep(800 + skewMs);
    const out = await Promise.all(STATS.map((r) => insts[0]!.service.query(r)));
    // running durations measured to the live clock: compare counts exactly, durations to the last event
    void last;
    return out.map((v) => v.value);
  } finally {
    for (const i of insts) await i.stop();
  }
}

describe("instances over the in-process bus", () => {
  const evs = day();
  const ref = reference(evs);
  const counts = (v: unknown[]) => v.filter((_, i) => !/Time|Speed/.test(STATS[i]!.statType ?? ""));
  for (const [n, skew] of [
    [1, 0],
    [3, 0],
    [3, 300],
  ] as const) {
    test(`${n} instance(s), T-Controller ${skew} ms behind: the values of the recorded order`, async () => {
      const v = await live(evs, n, skew);
      expect(counts(v)).toEqual(counts(ref));
      // durations: ended ones exactly; the few still running at the end by the live clock's gap
      v.forEach((x, i) => {
        if (!/Time|Speed/.test(STATS[i]!.statType ?? "")) return;
        expect(Math.abs((x as number) - (ref[i] as number))).toBeLessThan(60);
      });
    }, 90_000);
  }
});
