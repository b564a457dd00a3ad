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
import type { StatdConfig, StatTypeDef, TEvent } from "../packages/stat-core/src/definitions.ts";
import { Engine } from "../packages/stat-core/src/engine/engine.ts";
import { FIXTURE_STAT_TYPES, fixtureConfig } from "../packages/stat-core/src/engine/testing.ts";
import type { OpenRequest } from "../packages/stat-core/src/engine/types.ts";

const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const AGENTS = opt("agents", 100_000);
const EVENTS = opt("events", 1_000_000);
const RUNS = opt("runs", 3);
/** `--stats 0`: open no statistic (measures event handling and status composition alone) */
const STATS = opt("stats", 1) !== 0;
const OBJECTS = args.includes("--objects") ? new Set(args[args.indexOf("--objects") + 1].split(",")) : null;
const PER_EVENT = args.includes("--per-event");
const COMPARE = args.includes("--compare") ? args[args.indexOf("--compare") + 1] : null;
const QUEUES = 200;
const GROUP_SIZE = 100;
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

function heap(): number {
  Bun.gc(true);
  return heapStats().heapSize;
}

function config(): StatdConfig {
  const base = fixtureConfig();
  const dns: StatdConfig["directory"]["dns"] = [];
  const places: StatdConfig["directory"]["places"] = [];
  const agents: StatdConfig["directory"]["agents"] = [];
  for (let i = 0; i < AGENTS; i++) {
    dns.push({ id: `d${i}`, tenant: "T1", type: "Extension", place: `p${i}` });
    places.push({ id: `p${i}`, tenant: "T1" });
    agents.push({ id: `a${i}`, tenant: "T1", loginIds: [`l${i}`] });
  }
  for (let q = 0; q < QUEUES; q++) dns.push({ id: `q${q}`, tenant: "T1", type: "ACDQueue" });
  const agentGroups: StatdConfig["directory"]["agentGroups"] = [];
  for (let g = 0; g * GROUP_SIZE < AGENTS; g++) {
    agentGroups.push({
      id: `g${g}`,
      tenant: "T1",
      agents: agents.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE).map((a) => a.id),
      originationDns: [`q${g % QUEUES}`],
    });
  }
  const queueGroups = Array.from({ length: QUEUES / 10 }, (_, i) => ({
    id: `qg${i}`,
    tenant: "T1",
    dns: Array.from({ length: 10 }, (_, j) => `q${i * 10 + j}`),
  }));
  return {
    ...base,
    directory: { tenants: [{ id: "T1" }], dns, places, agents, agentGroups, placeGroups: [], queueGroups },
  };
}

/** The open mix: 10 per agent, 45 per agent group, ~250 per queue, 20 on the tenant. */
function requests(cfg: StatdConfig): OpenRequest[] {
  const types = new Map<string, StatTypeDef>(FIXTURE_STAT_TYPES.map((s) => [s.name, s]));
  const perAgent = [
    "ReadyTime",
    "NotReadyTime",
    "TalkTime",
    "ACWTime",
    "InboundCalls",
    "TimeInState",
    "LoginTime",
    "HoldTime",
    "ASA",
    "HoldCount",
  ];
  const perGroup = [
    "ReadyAgents",
    "LoggedInAgents",
    "TalkingAgents",
    "TalkTime",
    "InboundCalls",
    "ACWTime",
    "NotReadyTime",
    "LoginTime",
    "ASA",
  ];
  const perQueue = [
    "Waiting",
    "OldestWait",
    "Entered",
    "Answered",
    "Abandoned",
    "Distributed",
    "ASA",
    "SL",
    "AnsweredInRange",
    "EWT",
    "AgentsReadyQ",
    "AgentsLoginQ",
    "AvgAbandonWait",
    "AbandonPct",
    "AvgWaiting",
  ];
  const profiles = [
    {},
    { timeProfile: "Quarter" },
    { timeProfile: "LastHour" },
    { filter: "Gold" },
    { timeProfile: "Quarter", filter: "Gold" },
  ];
  const out: OpenRequest[] = [];
  const note = { notification: { mode: "time" as const, frequency: 10 } };
  for (let i = 0; i < AGENTS; i++)
    for (const s of perAgent) out.push({ object: { type: "Agent", id: `a${i}` }, statType: s, ...note });
  for (const g of cfg.directory.agentGroups)
    for (const s of perGroup)
      for (const p of profiles)
        out.push({ object: { type: "GroupAgents", id: g.id }, statType: s, ...p, ...note });
  for (let q = 0; q < QUEUES; q++)
    for (const s of perQueue)
      for (const p of profiles) {
        if (!types.get(s)!.objects.includes("Queue")) continue;
        out.push({ object: { type: "Queue", id: `q${q}` }, statType: s, ...p, ...note });
      }
  for (const s of ["Waiting", "Entered", "Answered", "Abandoned", "SL", "ASA"])
    for (const p of profiles.slice(0, 3))
      out.push({ object: { type: "Tenant", id: "T1" }, statType: s, ...p, ...note });
  for (const s of ["ReadyAgents", "LoggedInAgents", "TalkingAgents"])
    out.push({ object: { type: "Tenant", id: "T1" }, statType: s, ...note });
  return out;
}

/**
 * A generated day: waves of calls over all agents; 8–10 events per call plus agent state. The
 * waves take the agents in turn (blocks of one fixed permutation) and are spaced so that an
 * agent's next call starts after its previous one ended (its last event is 230 s after its wave
 * starts): every DN and agent sees its events in time order, as a switch reports them.
 */
class Day {
  t = T0;
  private seq = 0;
  /** position of the next wave's first agent in the permutation k ↦ k × 7919 mod AGENTS */
  private pos = 0;
  private rnd = 12345;
  private rand(): number {
    this.rnd = (this.rnd * 1103515245 + 12345) & 0x7fffffff;
    return this.rnd / 0x7fffffff;
  }
  login(): TEvent[] {
    const out: TEvent[] = [];
    for (let i = 0; i < AGENTS; i++) {
      out.push({
        event: "EventAgentLogin",
        time: this.t / 1000,
        thisDN: `d${i}`,
        agentId: `l${i}`,
        thisQueue: `q${i % QUEUES}`,
      });
      out.push({ event: "EventAgentReady", time: this.t / 1000, thisDN: `d${i}`, agentId: `l${i}` });
    }
    return out;
  }
  /** One wave: `n` calls handled by `n` agents, in time order by phase. */
  wave(n: number): TEvent[] {
    const out: TEvent[] = [];
    const start = this.t;
    const calls: { c: string; q: string; dn: string; ag: string; hold: boolean; gold: boolean }[] = [];
    for (let k = 0; k < n; k++) {
      const a = ((this.pos + k) * 7919) % AGENTS;
      calls.push({
        c: `c${++this.seq}`,
        q: `q${a % QUEUES}`,
        dn: `d${a}`,
        ag: `l${a}`,
        hold: this.rand() < 0.1,
        gold: this.rand() < 0.3,
      });
    }
    const at = (s: number): number => (start + s * 1000) / 1000;
    for (const x of calls)
      out.push({
        event: "EventQueued",
        time: at(this.rand() * 5),
        thisDN: x.q,
        connId: x.c,
        callType: "Inbound",
        ani: "5551234",
        userData: { Segment: x.gold ? "Gold" : "Silver" },
      });
    for (const x of calls) {
      out.push({ event: "EventDiverted", time: at(10), thisDN: x.q, connId: x.c, otherDN: x.dn });
      out.push({
        event: "EventRinging",
        time: at(10),
        thisDN: x.dn,
        connId: x.c,
        thisQueue: x.q,
        callType: "Inbound",
      });
    }
    for (const x of calls)
      out.push({ event: "EventEstablished", time: at(14), thisDN: x.dn, connId: x.c, thisQueue: x.q });
    for (const x of calls)
      if (x.hold) out.push({ event: "EventHeld", time: at(60), thisDN: x.dn, connId: x.c });
    for (const x of calls)
      if (x.hold) out.push({ event: "EventRetrieved", time: at(90), thisDN: x.dn, connId: x.c });
    for (const x of calls) out.push({ event: "EventReleased", time: at(200), thisDN: x.dn, connId: x.c });
    for (const x of calls)
      out.push({
        event: "EventAgentNotReady",
        time: at(200),
        thisDN: x.dn,
        agentId: x.ag,
        workMode: "AfterCallWork",
      });
    for (const x of calls) out.push({ event: "EventAgentReady", time: at(230), thisDN: x.dn, agentId: x.ag });
    this.pos = (this.pos + n) % AGENTS;
    // an agent comes back after ⌊AGENTS / n⌋ − 1 waves at the least
    this.t = start + Math.max(20_000, Math.ceil(240_000 / Math.max(1, Math.floor(AGENTS / n) - 1)));
    return out;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const fmt = (x: number, d = 0): string =>
  x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------------------------------------
const cfg = config();
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
  const d = new Day();
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
const day = new Day();
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
