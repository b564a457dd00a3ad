/**
 * End to end: a seeded sipsim day (recorded) feeds `statd start` live with 1, 2 and 3 instance
 * processes over the shm bus; when the day has played, a broad set of count statistics (per
 * queue, agent, group and tenant) read through `POST /v1/query` equals `statd replay` of the
 * recording, and durations agree within the live clock's tolerance (docs/architecture.md,
 * "The live clock"). Real processes, sockets and segments; everything is removed by pid and name.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { countStatistics, DaemonHarness, durationStatistics, waitFor } from "./daemon-harness.ts";

let h: DaemonHarness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const COUNTS = countStatistics(40, 3, 3);
const DURATIONS = durationStatistics(3, 3);

async function playDay(instances: number, seed: number): Promise<void> {
  h = DaemonHarness.create({ instances });
  await h.startDaemon();
  // statistics count from when they are opened (no back-fill): open them before the day starts
  await h.open([...COUNTS, ...DURATIONS]);
  const rec = join(h.dir, "day.ndjson");
  const sim = h.startSim([
    "--arrival-rate",
    "0.5",
    "--aht",
    "60",
    "--seed",
    String(seed),
    "--speed",
    "300",
    "--duration",
    "1800",
    "--record",
    rec,
  ]);
  expect(await sim.exited).toBe(0);
  const last = DaemonHarness.lastSeqs(rec);
  const daemon = h;
  // every stream delivered up to its last event
  await waitFor("the daemon to take every event of the day", async () => {
    const c = await daemon.get("/v1/cluster");
    const got = new Map(
      (c.sessions as { node: string; port: string; lastSeq: number }[]).map((s) => [
        `${s.node}/${s.port}`,
        s.lastSeq,
      ]),
    );
    return [...last].every(([k, seq]) => got.get(k) === seq);
  });
  // and the owners applied them: two reads in a row agree
  let prev = "";
  const live = await waitFor(
    "stable values",
    async () => {
      const v = await daemon.query([...COUNTS, ...DURATIONS]);
      const s = JSON.stringify(v.map((x) => x.value));
      const same = s === prev;
      prev = s;
      return same ? v : null;
    },
    30_000,
    300,
  );
  const replayed = await h.replay(rec, [...COUNTS, ...DURATIONS]);
  const liveCounts = live.slice(0, COUNTS.length).map((x) => x.value);
  // compared per statistic, so a difference names it
  const named = (v: unknown[]) =>
    COUNTS.map((c, i) => `${c.object.type} ${c.object.id} ${c.statType} = ${String(v[i])}`);
  expect(named(liveCounts)).toEqual(named(replayed.slice(0, COUNTS.length)));
  // the day had traffic (not a comparison of zeros)
  expect(liveCounts.reduce((a: number, b) => a + (b as number), 0)).toBeGreaterThan(1000);
  // durations: a running episode is measured to the live clock, which runs on after the last
  // event; the replay measures it to the last event. Tolerance: (episodes running) × that gap.
  const lastEventMs = Math.max(
    ...(await Bun.file(rec).text())
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { time: number }).time * 1000),
  );
  DURATIONS.forEach((s, i) => {
    const v = live[COUNTS.length + i] as unknown as { value: number; at: number };
    const b = replayed[COUNTS.length + i] as number;
    const gapS = Math.max(0, (v.at - lastEventMs) / 1000);
    const running = s.statType === "TotalTalkTime" ? 14 : 0; // at most a group's agents talk at once
    expect(Math.abs(v.value - b)).toBeLessThanOrEqual(running * gapS + 0.001);
  });
  // a clean stop removes every process and the segment
  expect(await h.stopDaemon()).toBe(0);
  expect(existsSync(h.segmentPath)).toBe(false);
}

describe("statd start, end to end", () => {
  test("1 instance: live values equal the replay of the recording", () => playDay(1, 11), 120_000);
  test("2 instances: live values equal the replay of the recording", () => playDay(2, 12), 120_000);
  test("3 instances: live values equal the replay of the recording", () => playDay(3, 13), 120_000);
});
