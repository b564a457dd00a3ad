/**
 * Four values an independent recomputation found wrong, each through the real command
 * `statd replay --config FILE EVENTS.ndjson --instances N [--at ISO-TIME]` on 1 and 3 instances
 * (the engine-level tests are beside the engine; docs/semantics.md names both):
 *
 * 1. a place whose agent logs out during a call is LoggedOut from the logout (§3 "Place status");
 * 2. MaxNumberWaitingCalls keeps its interval's peak when a late event of another DN arrives
 *    (§5, the aggregation owner's sampler);
 * 3. a call's release stamped before a 15-minute reset, arriving after an event of the new
 *    interval, belongs to the interval it ended in (§4 "Events older than the interval start");
 * 4. every stat type of the shipped defaults opens, and gives a value, on every object type it
 *    lists; `statctl config check` refuses an AgentStatus stat type listed on Place.
 *
 * Each case is a small event log in the protocol's event format and a config made of the demo's
 * directory (config/demo.toml without its `[[replay.statistics]]`) and its own statistics, written
 * to a temporary directory. Times are UTC on 2026-01-05.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OBJECT_TYPES, type ObjectType, ownerOf } from "@statd/stat-core";
import { ROOT, type Run, runBun } from "./run.ts";

const STATD = join(ROOT, "apps/statd/src/cli.ts");
const STATCTL = join(ROOT, "apps/statctl/src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "statd-replay-cases-"));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const DAY = Date.UTC(2026, 0, 5);
/** epoch seconds of HH:MM:SS(.fff) on the test day */
const t = (hms: string): number => {
  const [h, m, s] = hms.split(":").map(Number);
  return (DAY + ((h! * 60 + m!) * 60 + s!) * 1000) / 1000;
};
const iso = (hms: string): string => new Date(t(hms) * 1000).toISOString();

/** The demo's directory and profiles: config/demo.toml up to its first [[replay.statistics]]. */
const DEMO_BASE = ((): string => {
  const text = readFileSync(join(ROOT, "config/demo.toml"), "utf8");
  const cut = text.indexOf("[[replay.statistics]]");
  if (cut < 0) throw new Error("config/demo.toml has no [[replay.statistics]] to strip");
  return text.slice(0, cut);
})();

interface Stat {
  type: ObjectType;
  id: string;
  statType: string;
  timeProfile?: string;
}
interface Row {
  object: { type: string; id: string };
  statType: string;
  timeProfile: string;
  value: unknown;
  valid: boolean;
}
type Ev = Record<string, unknown> & { event: string; time: number };

const ev = (hms: string, event: string, attrs: Record<string, unknown> = {}): Ev => ({
  event,
  time: t(hms),
  ...attrs,
});

const statsToml = (stats: Stat[]): string =>
  stats
    .map(
      (s) =>
        `\n[[replay.statistics]]\nobject = { type = "${s.type}", id = "${s.id}" }\nstatType = "${s.statType}"\n` +
        (s.timeProfile ? `timeProfile = "${s.timeProfile}"\n` : ""),
    )
    .join("");

/** Write `NAME.toml` (the demo's directory, `extra`, the statistics) and `NAME.ndjson`. */
function fixture(name: string, events: Ev[], stats: Stat[], extra = ""): { config: string; log: string } {
  const config = join(dir, `${name}.toml`);
  const log = join(dir, `${name}.ndjson`);
  writeFileSync(config, DEMO_BASE + extra + statsToml(stats));
  writeFileSync(log, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
  return { config, log };
}

const replay = (f: { config: string; log: string }, instances: number, at?: string): Promise<Run> =>
  runBun([
    STATD,
    "replay",
    "--config",
    f.config,
    f.log,
    "--instances",
    String(instances),
    ...(at ? ["--at", iso(at)] : []),
  ]);

/** Run the replay; it must succeed and print one line per statistic, in order. */
async function values(f: { config: string; log: string }, stats: Stat[], instances: number, at?: string) {
  const r = await replay(f, instances, at);
  expect(r.code).toBe(0);
  expect(r.err).toContain(" 0 bad, 0 skipped, 0 refused,");
  const rows = r.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Row);
  expect(rows.map((x) => `${x.statType} on ${x.object.type} ${x.object.id}`)).toEqual(
    stats.map((s) => `${s.statType} on ${s.type} ${s.id}`),
  );
  for (const x of rows) expect(x.valid).toBe(true);
  return { rows, err: r.err, out: r.out, v: (i: number) => rows[i]!.value };
}

// ------------------------------------------------------------------------------------------
// 1. A place after its agent logs out mid-call

/**
 * agent NNN on DN 70NN in place70NN logs in at 08:00 and goes Ready; a call queued on its group's
 * queue is distributed, rings at 08:06:38, is established at 08:06:45; the agent logs out at
 * 08:07:30 and the call is released at 08:08:20 (the sequence of
 * packages/stat-core/src/engine/place-logout.test.ts).
 */
function logoutMidCall(n: number): Ev[] {
  const dn = String(7000 + n);
  const agentId = `agent${String(n).padStart(3, "0")}`;
  const queue = String(8000 + ((n - 1) % 3) + 1);
  const call = {
    connId: `00020000000000${String(n).padStart(2, "0")}`,
    callType: "Inbound",
    thisQueue: queue,
  };
  return [
    ev("08:00:00", "EventAgentLogin", { thisDN: dn, agentId, thisQueue: queue }),
    ev("08:00:00", "EventAgentReady", { thisDN: dn, agentId }),
    ev("08:06:30", "EventQueued", { thisDN: queue, ...call }),
    ev("08:06:38", "EventDiverted", { thisDN: queue, otherDN: dn, ...call }),
    ev("08:06:38", "EventRinging", { thisDN: dn, agentId, ...call }),
    ev("08:06:45", "EventEstablished", { thisDN: dn, agentId, ...call }),
    ev("08:07:30", "EventAgentLogout", { thisDN: dn, agentId }),
    ev("08:08:20", "EventReleased", { thisDN: dn, ...call }),
  ];
}
/** the brief's agent002, and agent007, whose DN, agent and place have three owners on 3 instances */
const AGENTS = [2, 7];
const CASE1_EVENTS = AGENTS.flatMap(logoutMidCall).sort((a, b) => a.time - b.time);
const placeStats = (n: number): Stat[] => [
  { type: "Place", id: `place${7000 + n}`, statType: "PlaceTotalTalkTime" },
  { type: "Place", id: `place${7000 + n}`, statType: "PlaceTotalLoginTime" },
  { type: "Place", id: `place${7000 + n}`, statType: "CurrentAgentState" },
  { type: "Agent", id: `agent${String(n).padStart(3, "0")}`, statType: "TotalTalkTime" },
  { type: "Agent", id: `agent${String(n).padStart(3, "0")}`, statType: "TotalLoginTime" },
];
const CASE1_STATS: Stat[] = [
  { type: "GroupPlaces", id: "allPlaces", statType: "CurrPlacesLoggedIn" },
  { type: "GroupPlaces", id: "allPlaces", statType: "CurrPlacesTalking" },
  ...AGENTS.flatMap(placeStats),
];

describe("1. a place whose agent logs out mid-call, through statd replay --at", () => {
  const f = fixture("place-logout", CASE1_EVENTS, CASE1_STATS);

  test("agent007's DN, agent and place have three different owners on 3 instances", () => {
    const owners = ["dn:7007", "agent:agent007", "place:place7007"].map((k) => ownerOf(k, [0, 1, 2]));
    expect(new Set(owners).size).toBe(3);
  });

  for (const n of [1, 3]) {
    test(`at 08:08:30 (after the release): talk 45 s, login 450 s, LoggedOut since 08:07:30 (${n} instance(s))`, async () => {
      const r = await values(f, CASE1_STATS, n, "08:08:30");
      expect(r.v(0)).toBe(0); // CurrPlacesLoggedIn on allPlaces
      expect(r.v(1)).toBe(0); // CurrPlacesTalking on allPlaces
      for (let k = 0; k < AGENTS.length; k++) {
        const i = 2 + 5 * k;
        expect(r.v(i)).toBe(45); // PlaceTotalTalkTime: 08:06:45 → 08:07:30 (not 95 s, to the release)
        expect(r.v(i + 1)).toBe(450); // PlaceTotalLoginTime: 08:00:00 → 08:07:30 (not 500 s)
        expect(r.v(i + 2)).toMatchObject({ status: "LoggedOut", since: t("08:07:30") });
        expect(r.v(i + 3)).toBe(45); // the agent's own talk and login time agree
        expect(r.v(i + 4)).toBe(450);
      }
    });

    test(`at 08:08:00 (between logout and release) the places are already LoggedOut (${n})`, async () => {
      const r = await values(f, CASE1_STATS, n, "08:08:00");
      expect([r.v(0), r.v(1)]).toEqual([0, 0]);
      for (let k = 0; k < AGENTS.length; k++) {
        expect(r.v(2 + 5 * k)).toBe(45);
        expect(r.v(4 + 5 * k)).toMatchObject({ status: "LoggedOut", since: t("08:07:30") });
      }
    });

    test(`at 08:07:00 (during the call) both places count as logged in and talking (${n})`, async () => {
      const r = await values(f, CASE1_STATS, n, "08:07:00");
      expect([r.v(0), r.v(1)]).toEqual([2, 2]);
      for (let k = 0; k < AGENTS.length; k++) {
        expect(r.v(2 + 5 * k)).toBe(15);
        expect(r.v(3 + 5 * k)).toBe(420);
        expect(r.v(4 + 5 * k)).toMatchObject({ status: "CallInbound", since: t("08:06:45") });
      }
    });
  }
});

// ------------------------------------------------------------------------------------------
// 2. A late event and the Max/Min sampler

/**
 * Two calls wait on 8001 from 08:15:00.1 to 08:15:02.5; then an unrelated EventUserEvent stamped
 * 08:14:59.9 (before the 15-minute reset) arrives. The log starts at 08:14:59 with another DN's
 * event, so the day starts before the reset (as in
 * packages/stat-core/src/cluster/local.test.ts "Max/Min sampler (a late event)").
 */
const CASE2_EVENTS: Ev[] = [
  ev("08:14:59", "EventUserEvent", { thisDN: "7003" }),
  ev("08:15:00.1", "EventQueued", { thisDN: "8001", connId: "c1", callType: "Inbound" }),
  ev("08:15:00.15", "EventQueued", { thisDN: "8001", connId: "c2", callType: "Inbound" }),
  ev("08:15:02.5", "EventAbandoned", { thisDN: "8001", connId: "c1" }),
  ev("08:15:02.5", "EventAbandoned", { thisDN: "8001", connId: "c2" }),
  ev("08:14:59.9", "EventUserEvent", { thisDN: "7001" }),
  ev("08:15:03", "EventUserEvent", { thisDN: "7002" }),
];
const CASE2_STATS: Stat[] = [
  { type: "Queue", id: "8001", statType: "MaxNumberWaitingCalls", timeProfile: "FifteenMin" },
  { type: "Queue", id: "8001", statType: "MaxNumberWaitingCalls" },
  { type: "GroupQueues", id: "allQueues", statType: "MaxNumberWaitingCalls", timeProfile: "FifteenMin" },
  { type: "Queue", id: "8001", statType: "TotalNumberCallsAbandoned", timeProfile: "FifteenMin" },
  { type: "Queue", id: "8001", statType: "CurrNumberWaitingCalls", timeProfile: "FifteenMin" },
];

describe("2. a late event and MaxNumberWaitingCalls, through statd replay", () => {
  const f = fixture("late-sample", CASE2_EVENTS, CASE2_STATS);
  for (const n of [1, 3]) {
    test(`the 15-minute peak stays 2 after the event stamped 08:14:59.9 (${n} instance(s))`, async () => {
      const r = await values(f, CASE2_STATS, n);
      expect(r.err).toContain("1 out of time order"); // the late event was applied, late
      expect(r.err).toContain(`values at ${iso("08:15:03")}`);
      expect(r.v(0)).toBe(2); // FifteenMin (it read 0)
      expect(r.v(1)).toBe(2); // Default (daily)
      expect(r.v(2)).toBe(2); // the queue group
      expect(r.v(3)).toBe(2);
      expect(r.v(4)).toBe(0);
    });
  }
});

// ------------------------------------------------------------------------------------------
// 3. A late end across a 15-minute reset

/**
 * agent001 logs in on 7001; an inbound call rings at 08:00:10 and is established at 08:00:15; an
 * event of another DN stamped 08:15:00.3 moves the clock over the reset; the release follows
 * (the sequence of packages/stat-core/src/engine/late-end.test.ts). `release` is its time stamp; `late` puts it after the
 * 08:15:00.3 event in the log.
 */
function lateEnd(release: string, late: boolean): Ev[] {
  const other = ev("08:15:00.3", "EventQueued", { thisDN: "8002", connId: "q1", callType: "Inbound" });
  const rel = ev(release, "EventReleased", { thisDN: "7001", connId: "c1" });
  return [
    ev("08:00:00", "EventAgentLogin", { thisDN: "7001", agentId: "agent001" }),
    ev("08:00:10", "EventRinging", { thisDN: "7001", connId: "c1", callType: "Inbound" }),
    ev("08:00:15", "EventEstablished", { thisDN: "7001", connId: "c1", callType: "Inbound" }),
    ...(late ? [other, rel] : [rel, other]),
  ];
}
const CASE3_STATS: Stat[] = [
  { type: "Agent", id: "agent001", statType: "TotalNumberInboundCalls", timeProfile: "FifteenMin" },
  { type: "Agent", id: "agent001", statType: "AverInboundStatusTime", timeProfile: "FifteenMin" },
  { type: "Agent", id: "agent001", statType: "TotalTalkTime", timeProfile: "FifteenMin" },
  { type: "Agent", id: "agent001", statType: "TotalNumberInboundCalls" },
  { type: "Agent", id: "agent001", statType: "AverInboundStatusTime" },
];

describe("3. a late end across a reset, through statd replay --at", () => {
  const late = fixture("late-end", lateEnd("08:14:59.8", true), CASE3_STATS);
  const onTime = fixture("on-time-end", lateEnd("08:14:59.8", false), CASE3_STATS);
  const after = fixture("end-after-reset", lateEnd("08:15:00.3", false), CASE3_STATS);
  for (const n of [1, 3]) {
    test(`the release stamped 08:14:59.8 arriving after 08:15:00.3 credits nothing to the new interval (${n} instance(s))`, async () => {
      const r = await values(late, CASE3_STATS, n, "08:15:30");
      expect(r.err).toContain("1 out of time order");
      // (it read 1 call, an average of 0 s)
      expect([r.v(0), r.v(1), r.v(2)]).toEqual([0, null, 0]);
      // the day's interval holds the call, with its whole inbound status
      expect([r.v(3), r.v(4)]).toEqual([1, 884.8]);
      // exactly what the same release delivered on time gives
      const o = await values(onTime, CASE3_STATS, n, "08:15:30");
      expect(o.err).not.toContain("out of time order");
      expect(o.out).toBe(r.out);
    });

    test(`the release on time: 1 call of 884.8 s in 08:00–08:15, none after (${n})`, async () => {
      const r = await values(onTime, CASE3_STATS, n, "08:14:59.9");
      expect([r.v(0), r.v(1), r.v(2), r.v(3), r.v(4)]).toEqual([1, 884.8, 884.8, 1, 884.8]);
    });

    test(`a release just after the reset counts in the new interval with 0.3 s of status (${n})`, async () => {
      const r = await values(after, CASE3_STATS, n, "08:15:30");
      expect([r.v(0), r.v(1), r.v(2)]).toEqual([1, 0.3, 0.3]);
      expect([r.v(3), r.v(4)]).toEqual([1, 885.3]);
    });
  }
});

// ------------------------------------------------------------------------------------------
// 4. The shipped defaults

/** One object of each type in the demo's directory (+ routing point 9001, added below). */
const ONE_OF_EACH: Record<Exclude<ObjectType, "RegDN">, string> = {
  Agent: "agent002",
  Place: "place7002",
  GroupAgents: "group2",
  GroupPlaces: "allPlaces",
  Queue: "8002",
  RoutePoint: "9001",
  GroupQueues: "allQueues",
  Tenant: "demo",
};
const ROUTE_POINT = '\n[[directory.dns]]\nid = "9001"\ntenant = "demo"\ntype = "RoutingPoint"\n';
const DEFAULTS = Bun.TOML.parse(
  readFileSync(join(ROOT, "packages/stat-core/config/default.toml"), "utf8"),
) as {
  statTypes: Record<string, { objects: Array<keyof typeof ONE_OF_EACH> }>;
};
const CASE4_STATS: Stat[] = Object.entries(DEFAULTS.statTypes).flatMap(([statType, st]) =>
  st.objects.map((type) => ({ type, id: ONE_OF_EACH[type], statType })),
);

describe("4. the shipped defaults, through statd replay and statctl config check", () => {
  const f = fixture("defaults", logoutMidCall(2), CASE4_STATS, ROUTE_POINT);

  test("the defaults list stat types on every object type but single DNs", () => {
    expect(new Set<ObjectType>(CASE4_STATS.map((s) => s.type))).toEqual(
      new Set(OBJECT_TYPES.filter((x) => x !== "RegDN")),
    );
    expect(CASE4_STATS.length).toBeGreaterThan(100);
  });

  test("every stat type on every object type it lists gives a value, the same on 1 and 3 instances", async () => {
    const [one, three] = await Promise.all([values(f, CASE4_STATS, 1), values(f, CASE4_STATS, 3)]);
    expect(three.out).toBe(one.out);
    const at = (statType: string, type: ObjectType) =>
      one.rows.find((x) => x.statType === statType && x.object.type === type)!.value;
    // a few values of the log (agent002's call, logout at 08:07:30; values at the release)
    expect(at("PlaceTotalTalkTime", "Place")).toBe(45);
    expect(at("PlaceTotalLoginTime", "GroupPlaces")).toBe(450);
    expect(at("TotalTalkTime", "Agent")).toBe(45);
    expect(at("TotalNumberCallsAnswered", "Queue")).toBe(1);
    expect(at("TotalNumberCallsEntered", "Tenant")).toBe(1);
    expect(at("CurrPlacesLoggedIn", "Tenant")).toBe(0);
  });

  test("statctl config check accepts that config", async () => {
    const r = await runBun([STATCTL, "config", "check", f.config]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${f.config}: ok: cluster "demo"`);
  });

  test("statctl config check (and statd replay) refuse an AgentStatus stat type listed on Place", async () => {
    const bad = fixture(
      "agent-status-on-place",
      logoutMidCall(2),
      [],
      '\n[statTypes.AgentTalkOnPlace]\nobjects = ["Agent", "Place"]\ncategory = "TotalTime"\nsubject = "AgentStatus"\nmainMask = "CallInbound"\n',
    );
    const r = await runBun([STATCTL, "config", "check", bad.config]);
    expect(r.code).toBe(1);
    expect(r.out.trim().split("\n")).toEqual([
      `${bad.config}: config: statTypes.AgentTalkOnPlace.objects: Place: subject AgentStatus does not apply to Place`,
    ]);
    const s = await replay(bad, 1);
    expect(s.code).toBe(1);
    expect(s.err.trim().split("\n")).toHaveLength(1);
    expect(s.err).toContain(
      "statTypes.AgentTalkOnPlace.objects: Place: subject AgentStatus does not apply to Place",
    );
  });
});
