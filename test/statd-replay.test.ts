/**
 * `statd replay` as real processes: a day recorded by `sipsim --record`, replayed on 1, 2 and 4
 * instances (identical output), values checked against the recording itself, `--at`, hostile
 * lines in the log, and the command's errors and exit codes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, type Run, runBun } from "./run.ts";

const STATD = join(ROOT, "apps/statd/src/cli.ts");
const SIPSIM = join(ROOT, "packages/sip-sim/src/cli.ts");
const DEMO = join(ROOT, "config/demo.toml");
let dir = "";
let day = "";

const run = runBun;

const statd = (...args: string[]): Promise<Run> => run([STATD, ...args]);
const rows = (r: Run): Array<{ statType: string; object: { id: string }; value: unknown; valid: boolean }> =>
  r.out
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "statd-replay-"));
  day = join(dir, "day.ndjson");
  const r = await run([
    SIPSIM,
    "--no-listen",
    "--nodes",
    "2",
    "--agents",
    "40",
    "--queues",
    "3",
    "--arrival-rate",
    "0.25",
    "--aht",
    "120",
    "--seed",
    "5",
    "--speed",
    "max",
    "--duration",
    "5400",
    "--record",
    day,
  ]);
  expect(r.code).toBe(0);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("statd replay", () => {
  test("1, 2 and 4 instances print identical values; the values match the recording", async () => {
    const [one, two, four] = await Promise.all(
      [1, 2, 4].map((n) => statd("replay", "--config", DEMO, day, "--instances", String(n))),
    );
    for (const r of [one, two, four]) expect(r.code).toBe(0);
    expect(two!.out).toBe(one!.out);
    expect(four!.out).toBe(one!.out);
    const out = rows(one!);
    expect(out.length).toBe(6); // the demo config's [[replay.statistics]]
    const events = readFileSync(day, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    // a call distributed from queue 8001 and answered at an agent DN carries thisQueue 8001
    const answered = events.filter((e) => e.event === "EventEstablished" && e.thisQueue === "8001").length;
    expect(answered).toBeGreaterThan(100);
    expect(out.find((r) => r.statType === "TotalNumberCallsAnswered")!.value).toBe(answered);
    for (const r of out) expect(r.valid).toBe(true);
    expect(one!.err).toContain(`replayed ${events.length} events`);
  });

  test("--at takes the values at that instant, as if the log ended there", async () => {
    const lines = readFileSync(day, "utf8").trim().split("\n");
    const mid = JSON.parse(lines[Math.floor(lines.length / 2)]!) as { time: number };
    const at = new Date(Math.floor(mid.time) * 1000).toISOString();
    const cut = join(dir, "cut.ndjson");
    writeFileSync(
      cut,
      `${lines.filter((l) => (JSON.parse(l) as { time: number }).time * 1000 <= Date.parse(at)).join("\n")}\n`,
    );
    const [a, b, full] = await Promise.all([
      statd("replay", "--config", DEMO, day, "--at", at, "--instances", "3"),
      statd("replay", "--config", DEMO, cut, "--at", at),
      statd("replay", "--config", DEMO, day),
    ]);
    expect(a.code).toBe(0);
    expect(a.out).toBe(b.out);
    expect(a.out).not.toBe(full.out);
    expect(a.err).toMatch(/[1-9]\d* after --at/);
  });

  test("hostile lines are counted with their reason and skipped; nothing else is lost", async () => {
    const lines = readFileSync(day, "utf8").trim().split("\n");
    const junk = [
      "not json at all",
      '{"event":"EventNope","time":1}',
      '{"event":"EventRinging","time":"yesterday"}',
      `{"event":"EventRinging","time":1,"thisDN":"${"7".repeat(100_000)}"}`, // over 64 KiB
      "[1,2,3]",
      '{"__proto__":{"polluted":true},"event":"EventAgentReady"}',
      "\u0000\u0001\u0002",
    ];
    const dirty = join(dir, "dirty.ndjson");
    const mixed: string[] = [];
    lines.forEach((l, i) => {
      mixed.push(l);
      if (i % 500 === 0) mixed.push(junk[(i / 500) % junk.length]!);
    });
    writeFileSync(dirty, `${mixed.join("\n")}\n`);
    const [clean, d] = await Promise.all([
      statd("replay", "--config", DEMO, day),
      statd("replay", "--config", DEMO, dirty, "--instances", "2"),
    ]);
    expect(d.code).toBe(0);
    expect(d.out).toBe(clean.out);
    const nJunk = mixed.length - lines.length;
    expect(d.err).toContain(`${nJunk} bad`);
    expect(d.err).toContain("line-too-long");
    expect(d.err).toContain("not JSON");
    expect(d.err).toContain("unknown event name");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test("times that cannot be right are refused, counted and reported; the rest of the day is intact", async () => {
    const lines = readFileSync(day, "utf8").trim().split("\n");
    const mid = Math.floor(lines.length / 2);
    const base = JSON.parse(lines[mid]!) as { time: number };
    const bad = [
      { ...JSON.parse(lines[mid]!), time: 1e300 },
      { ...JSON.parse(lines[mid]!), time: 1e12 },
      { event: "EventUserEvent", time: base.time + 3 * 86_400, thisDN: "7001" }, // days ahead
      { event: "EventUserEvent", time: base.time - 5 * 3600, thisDN: "7001" }, // hours late
    ].map((x) => JSON.stringify(x));
    const hostile = join(dir, "times.ndjson");
    writeFileSync(hostile, `${[...lines.slice(0, mid), ...bad, ...lines.slice(mid)].join("\n")}\n`);
    const [clean, h] = await Promise.all([
      statd("replay", "--config", DEMO, day),
      statd("replay", "--config", DEMO, hostile),
    ]);
    expect(h.code).toBe(0);
    expect(h.out).toBe(clean.out);
    expect(h.err).toContain("4 event(s) refused for their time");
    expect(h.err).toMatch(/2 × bad-time/);
    expect(h.err).toMatch(/1 × time-ahead\n/);
    expect(h.err).toMatch(/1 × time-late/);
    expect(h.err).toMatch(/values at 20\d\d-/); // the clock was not dragged to the year 33658
  });

  test("events from stdin", async () => {
    const r = await run([STATD, "replay", "--config", DEMO, "-"], readFileSync(day, "utf8"));
    const file = await statd("replay", "--config", DEMO, day);
    expect(r.code).toBe(0);
    expect(r.out).toBe(file.out);
  });

  test("errors: one line, exit 1 for failures and 2 for bad usage", async () => {
    const missing = await statd("replay", "--config", DEMO, join(dir, "nope.ndjson"));
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split("\n")).toHaveLength(1);
    expect(missing.err).toContain("ENOENT");

    const badCfg = join(dir, "bad.toml");
    writeFileSync(badCfg, '[cluster]\nname = "x"\ninstancs = 2\n');
    const cfg = await statd("replay", "--config", badCfg, day);
    expect(cfg.code).toBe(1);
    expect(cfg.err).toContain('cluster.instancs: unknown key "instancs"');
    expect(cfg.err).not.toContain("    at "); // no stack without --debug

    const unknownStat = join(dir, "unknown-stat.toml");
    writeFileSync(
      unknownStat,
      `${readFileSync(DEMO, "utf8")}\n[[replay.statistics]]\nobject = { type = "Agent", id = "agent001" }\nstatType = "CurrNumberWaitingCalls"\n`,
    );
    const us = await statd("replay", "--config", unknownStat, day);
    expect(us.code).toBe(1);
    expect(us.err).toMatch(/^statd: .*replay\.statistics\[6\]\.statType: .*does not apply to Agent.*\n$/);

    for (const args of [
      ["replay", "--config", DEMO, day, "--instances", "0"],
      ["replay", "--config", DEMO, day, "--instances", "two"],
      ["replay", "--config", DEMO, day, "--at", "noon"],
      ["replay", day],
      ["frobnicate"],
    ]) {
      const r = await statd(...args);
      expect(r.code).toBe(2);
    }
    const start = await statd("start", "--config", badCfg);
    expect(start.code).toBe(1);
    expect(start.err.trim().split("\n")).toHaveLength(1);
  });
});
