/**
 * Engine benchmark: replay a generated contact-center day through one stat-core engine with
 * ~1M open statistics, and report events/s on one core, heap bytes per open statistic, and the
 * JSON.parse time of the same events as NDJSON (so the table shows whether decoding or the
 * engine dominates). Usage: `./scripts/bench engine [--agents N] [--events N] [--runs N] [--stats 0]
 * [--objects T,T] [--per-event]` (`--stats 0`: no statistic open; `--objects Agent,Tenant`: open only
 * the statistics of these object types; `--per-event`: also time each event and print µs per
 * event type — a diagnostic, the timer adds to every event).
 * Writes bench/results/engine.json. Not portable code (uses bun:jsc for heap numbers).
 *
 * `--compare DIR` (e.g. a `git worktree` of an older commit): instead of timing, replay the same
 * day through this tree's engine and DIR's, side by side, and compare every subscription's value
 * after each wave and after each tick, the notification streams and the ingest results; exits 1
 * on any difference. The check that an optimisation kept the semantics.
 */
import { heapStats } from "bun:jsc";
import { parseArgs } from "node:util";
import { Engine } from "../packages/stat-core/src/engine/engine.ts";
import type { OpenRequest } from "../packages/stat-core/src/engine/types.ts";
import { Day, dayConfig, requests, T0 } from "./day.ts";

const { values: o } = parseArgs({
  args: process.argv.slice(2),
  options: {
    agents: { type: "string", default: "100000" },
    events: { type: "string", default: "1000000" },
    runs: { type: "string", default: "3" },
    stats: { type: "string", default: "1" },
    objects: { type: "string" },
    "per-event": { type: "boolean", default: false },
    compare: { type: "string" },
  },
});
const AGENTS = Number(o.agents);
const EVENTS = Number(o.events);
const RUNS = Number(o.runs);
/** `--stats 0`: open no statistic (measures event handling and status composition alone) */
const STATS = Number(o.stats) !== 0;
const OBJECTS = o.objects === undefined ? null : new Set(o.objects.split(","));
const PER_EVENT = o["per-event"];
const COMPARE = o.compare ?? null;

function heap(): number {
  Bun.gc(true);
  return heapStats().heapSize;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const fmt = (x: number, d = 0): string =>
  x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------------------------------------
const cfg = dayConfig(AGENTS);
if (COMPARE !== null) {
  const mod = (await import(`${COMPARE.replace(/\/$/, "")}/packages/stat-core/src/engine/engine.ts`)) as {
    Engine: typeof Engine;
  };
  const engA = new Engine({ config: cfg, startMs: T0 });
  const engB = new mod.Engine({ config: cfg, startMs: T0 });
  const ids: [number, number][] = [];
  // the statistics of half of the objects open before the day, the others after two waves (so
  // the attachment of running episodes to statistics opened late is compared too)
  const all = requests(cfg);
  const lateObj = (r: OpenRequest): number => Number(/\d*$/.exec(r.object.id)?.[0] || 0) % 2;
  const openSome = (late: number): void => {
    for (let i = 0; i < all.length; i++) {
      if (lateObj(all[i]) !== late) continue;
      const a = engA.open(all[i]);
      const b = engB.open(all[i]);
      if ("error" in a || "error" in b) throw new Error(`open ${JSON.stringify(all[i])}`);
      same(a, b, `open ${JSON.stringify(all[i])}`);
      ids.push([a.statId, b.statId]);
    }
  };
  const d = new Day(AGENTS);
  let diffs = 0;
  let compared = 0;
  let notes = 0;
  const same = (x: unknown, y: unknown, what: string): void => {
    if (JSON.stringify(x) === JSON.stringify(y)) return;
    if (diffs++ < 10) console.log(`DIFF ${what}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  const values = (at: string): void => {
    for (const [a, b] of ids) {
      compared++;
      same(engA.peek(a), engB.peek(b), `${at}, subscription ${a}`);
    }
  };
  openSome(0);
  for (const ev of d.login()) same(engA.ingest(ev), engB.ingest(ev), "login");
  let n = 0;
  let waves = 0;
  while (n < EVENTS) {
    if (waves++ === 2) openSome(1);
    const evs = d.wave(Math.min(5000, AGENTS / 4));
    for (const ev of evs) same(engA.ingest(ev), engB.ingest(ev), `ingest ${JSON.stringify(ev)}`);
    n += evs.length;
    values(`after ${n} events`);
    engA.tick(d.t);
    engB.tick(d.t);
    const na = engA.drainNotifications();
    same(na, engB.drainNotifications(), `notifications after ${n} events`);
    notes += na.length;
    values(`after the tick at ${n} events`);
  }
  // not a difference: sharing aggregates (e.g. profile-free current statistics) changes the count
  console.log(
    `statistic updates: ${fmt(engA.counters().statUpdates)} here, ${fmt(engB.counters().statUpdates)} in ${COMPARE}`,
  );
  console.log(
    `compare with ${COMPARE}: ${fmt(n)} events, ${fmt(ids.length)} statistics, ${fmt(compared)} values and ${fmt(notes)} notifications compared, ${diffs} differences`,
  );
  process.exit(diffs === 0 ? 0 : 1);
}
const h0 = heap();
const eng = new Engine({ config: cfg, startMs: T0 });
const h1 = heap();
const reqs = STATS ? requests(cfg).filter((r) => OBJECTS === null || OBJECTS.has(r.object.type)) : [];
// Growing-profile statistics first (the memory figure), then the sliding ones
const growing = reqs.filter((r) => r.timeProfile !== "LastHour");
const sliding = reqs.filter((r) => r.timeProfile === "LastHour");
reqs.length = 0;
const tOpen0 = performance.now();
let opened = 0;
const openAll = (rs: OpenRequest[]): void => {
  for (const r of rs) {
    const o = eng.open(r);
    if ("error" in o) throw new Error(`${JSON.stringify(r)}: ${o.error.message}`);
    opened++;
  }
  rs.length = 0;
};
const nGrowing = growing.length;
const nSliding = sliding.length;
openAll(growing);
const hG = heap();
openAll(sliding);
const openMs = performance.now() - tOpen0;
const h2 = heap();
const day = new Day(AGENTS);
for (const ev of day.login()) eng.ingest(ev);
eng.drainNotifications();
const h3 = heap();

/** --per-event: event type → [count, ms] */
const perEvent = new Map<string, [number, number]>();
const ingestRate: number[] = [];
const parseRate: number[] = [];
const tickMs: number[] = [];
let notes = 0;
for (let run = 0; run < RUNS; run++) {
  let n = 0;
  let engMs = 0;
  let parseMs = 0;
  let tMs = 0;
  while (n < EVENTS) {
    const evs = day.wave(Math.min(5000, AGENTS / 4));
    const lines = evs.map((e) => JSON.stringify(e));
    const p0 = performance.now();
    for (const l of lines) JSON.parse(l);
    parseMs += performance.now() - p0;
    const e0 = performance.now();
    if (PER_EVENT)
      for (const ev of evs) {
        const a = performance.now();
        eng.ingest(ev);
        const k = ev.event === "EventAgentNotReady" ? `${ev.event}(${ev.workMode ?? ""})` : ev.event;
        const r = perEvent.get(k) ?? [0, 0];
        r[0]++;
        r[1] += performance.now() - a;
        perEvent.set(k, r);
      }
    else for (const ev of evs) eng.ingest(ev);
    engMs += performance.now() - e0;
    const k0 = performance.now();
    eng.tick(day.t);
    notes += eng.drainNotifications().length;
    tMs += performance.now() - k0;
    n += evs.length;
  }
  ingestRate.push(n / (engMs / 1000));
  parseRate.push(n / (parseMs / 1000));
  tickMs.push(tMs / (n / 1000));
}
const h4 = heap();

const result = {
  agents: AGENTS,
  openStatistics: opened,
  objects: OBJECTS === null ? "all" : [...OBJECTS].join(","),
  eventsPerRun: EVENTS,
  runs: RUNS,
  openMs,
  heapBytes: {
    directoryAndState: h1 - h0,
    perOpenStatistic: (h2 - h1) / opened,
    perGrowingStatistic: (hG - h1) / nGrowing,
    perSlidingStatistic: (h2 - hG) / nSliding,
    afterLogin: h3,
    afterRuns: h4,
  },
  growingStatistics: nGrowing,
  slidingStatistics: nSliding,
  ingestEventsPerSec: {
    median: median(ingestRate),
    min: Math.min(...ingestRate),
    max: Math.max(...ingestRate),
  },
  jsonParseEventsPerSec: {
    median: median(parseRate),
    min: Math.min(...parseRate),
    max: Math.max(...parseRate),
  },
  parseToEngineRatio: median(parseRate) / median(ingestRate),
  tickAndNotifyMsPer1kEvents: { median: median(tickMs), min: Math.min(...tickMs), max: Math.max(...tickMs) },
  notifications: notes,
  counters: eng.counters(),
};
await Bun.write(
  STATS ? "bench/results/engine.json" : "bench/results/engine-nostats.json",
  `${JSON.stringify(result, null, 2)}\n`,
);
console.log(
  `stat-core engine — ${fmt(AGENTS)} agents, ${fmt(opened)} open statistics, ${RUNS} runs × ${fmt(EVENTS)} events`,
);
console.log("| measure | median | range |");
console.log("|---|---|---|");
const r = (x: { median: number; min: number; max: number }, d = 0): string =>
  `${fmt(x.median, d)} | ${fmt(x.min, d)} – ${fmt(x.max, d)}`;
console.log(`| engine ingest, events/s (1 core) | ${r(result.ingestEventsPerSec)} |`);
console.log(`| JSON.parse of the same events, events/s | ${r(result.jsonParseEventsPerSec)} |`);
console.log(`| JSON.parse ÷ engine (× faster) | ${fmt(result.parseToEngineRatio, 2)} | |`);
console.log(`| tick + notifications, ms per 1k events | ${r(result.tickAndNotifyMsPer1kEvents, 2)} |`);
const c0 = result.counters;
if (opened > 0) {
  console.log(`| statistic updates per event | ${fmt(c0.statUpdates / c0.eventsIn, 1)} | |`);
  console.log(
    `| engine ns per statistic update | ${fmt(1e9 / result.ingestEventsPerSec.median / (c0.statUpdates / c0.eventsIn), 1)} | |`,
  );
  console.log(
    `| heap bytes per open statistic, Growing profiles (${fmt(nGrowing)}) | ${fmt(result.heapBytes.perGrowingStatistic)} | |`,
  );
  console.log(
    `| heap bytes per open statistic, Sliding 3600:60 (${fmt(nSliding)}) | ${fmt(result.heapBytes.perSlidingStatistic)} | |`,
  );
  console.log(`| heap bytes per open statistic, all | ${fmt(result.heapBytes.perOpenStatistic)} | |`);
  console.log(`| open 1 statistic, µs | ${fmt((openMs * 1000) / opened, 2)} | |`);
}
if (PER_EVENT) {
  console.log("| event (timed one by one) | events | µs per event |");
  console.log("|---|---|---|");
  for (const [k, [n, ms]] of perEvent) console.log(`| ${k} | ${fmt(n)} | ${fmt((ms * 1000) / n, 2)} |`);
}
