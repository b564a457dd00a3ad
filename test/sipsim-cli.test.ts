/**
 * `sipsim` as a real process: argument errors, --no-listen recordings (byte-identical for a seed),
 * --emit-directory, scenario errors.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkerFor } from "../packages/sip-sim/src/checker.ts";
import type { SimEvent } from "../packages/sip-sim/src/types.ts";
import { runBun } from "./run.ts";

const CLI = join(import.meta.dir, "../packages/sip-sim/src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "sipsim-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function sipsim(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runBun([CLI, ...args]);
  return { code: r.code, stdout: r.out, stderr: r.err };
}

/** Parse a recording back into events. */
export function readRecording(path: string): SimEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const { node, port, seq, ...body } = JSON.parse(l);
      return { node, port, seq, body };
    });
}

describe("sipsim CLI", () => {
  test("bad arguments: exit 2 and one line naming the problem", async () => {
    const cases: Array<[string[], string]> = [
      [["--nodes", "0"], "--nodes"],
      [["--agents", "1.5"], "--agents"],
      [["--arrival-rate", "-1"], "--arrival-rate"],
      [["--aht", "0"], "--aht"],
      [["--seed", "abc"], "--seed"],
      [["--speed", "fast"], "--speed"],
      [["--duration", "soon"], "--duration"],
      [["--listen", "localhost"], "--listen"],
      [["--listen", "127.0.0.1:99999"], "--listen"],
      [["--model", "mm1"], "--model"],
      [["--start", "soon"], "--start"],
      [["--bogus"], "--bogus"],
      [["stray"], "too many arguments"],
      [["--scenario", join(dir, "missing.toml")], "ENOENT"],
    ];
    for (const [args, want] of cases) {
      const r = await sipsim(args);
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      const lines = r.stderr.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toStartWith("sipsim: ");
      expect(lines[0]).toContain(want);
    }
  }, 30_000);

  test("a bad scenario: exit 2 naming the key", async () => {
    const f = join(dir, "bad.toml");
    writeFileSync(f, "[calls]\nholdProbability = 2\n");
    const r = await sipsim(["--scenario", f, "--no-listen", "--duration", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("calls.holdProbability");
    writeFileSync(f, "[arrivals]\nweights = [1]\n");
    const r2 = await sipsim(["--scenario", f, "--queues", "3", "--no-listen", "--duration", "1"]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("arrivals.weights");
  }, 30_000);

  test("--help exits 0", async () => {
    const r = await sipsim(["--help"]);
    expect(r.code).toBe(0);
    for (const flag of [
      "--listen",
      "--nodes",
      "--agents",
      "--queues",
      "--arrival-rate",
      "--aht",
      "--seed",
      "--speed",
      "--duration",
      "--record",
      "--scenario",
      "--no-listen",
      "--model",
      "--emit-directory",
    ]) {
      expect(r.stdout).toContain(flag);
    }
  }, 30_000);

  test("--record with --no-listen at max speed: same seed byte-identical, another seed different, valid events", async () => {
    const run = async (seed: number, name: string) => {
      const f = join(dir, name);
      const r = await sipsim([
        "--no-listen",
        "--speed",
        "max",
        "--duration",
        "14400",
        "--nodes",
        "3",
        "--agents",
        "30",
        "--queues",
        "3",
        "--arrival-rate",
        "0.1",
        "--aht",
        "150",
        "--seed",
        String(seed),
        "--record",
        f,
      ]);
      expect(r.code).toBe(0);
      return f;
    };
    const [a, b, c] = await Promise.all([run(11, "a.ndjson"), run(11, "b.ndjson"), run(12, "c.ndjson")]);
    const bytesA = readFileSync(a);
    expect(bytesA.length).toBeGreaterThan(100_000);
    expect(Buffer.compare(bytesA, readFileSync(b))).toBe(0);
    expect(Buffer.compare(bytesA, readFileSync(c))).not.toBe(0);
    const events = readRecording(a);
    const chk = checkerFor({ agents: 30, nodeIds: ["node1", "node2", "node3"] });
    for (const e of events) chk.feed(e);
    expect(chk.errors).toEqual([]);
    const last = events.at(-1) as SimEvent;
    expect(last.body.time).toBeLessThanOrEqual(Date.parse("2026-01-05T12:00:00Z") / 1000);
    expect(Object.keys(JSON.parse(readFileSync(a, "utf8").split("\n")[0] as string)).slice(0, 5)).toEqual([
      "node",
      "port",
      "seq",
      "event",
      "time",
    ]);
  }, 30_000);

  test("--model mmc records only the textbook events", async () => {
    const f = join(dir, "mmc.ndjson");
    const r = await sipsim([
      "--no-listen",
      "--speed",
      "max",
      "--duration",
      "3600",
      "--model",
      "mmc",
      "--agents",
      "5",
      "--arrival-rate",
      "0.04",
      "--aht",
      "100",
      "--record",
      f,
    ]);
    expect(r.code).toBe(0);
    const kinds = new Set(readRecording(f).map((e) => e.body.event));
    expect([...kinds].sort()).toEqual([
      "EventAgentLogin",
      "EventAgentReady",
      "EventDiverted",
      "EventEstablished",
      "EventQueued",
      "EventReleased",
      "EventRinging",
    ]);
  }, 30_000);

  test("--start moves the simulated clock (now = the wall clock)", async () => {
    const f = join(dir, "start.ndjson");
    const before = Math.floor(Date.now() / 1000);
    expect(
      (await sipsim(["--no-listen", "--speed", "max", "--duration", "60", "--start", "now", "--record", f]))
        .code,
    ).toBe(0);
    const t0 = readRecording(f)[0]?.body.time as number;
    expect(t0).toBeGreaterThanOrEqual(before);
    expect(t0).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(
      (
        await sipsim([
          "--no-listen",
          "--speed",
          "max",
          "--duration",
          "60",
          "--start",
          "2026-03-01T10:00:00+01:00",
          "--record",
          f,
        ])
      ).code,
    ).toBe(0);
    expect(readRecording(f)[0]?.body.time).toBe(Date.parse("2026-03-01T09:00:00Z") / 1000);
  }, 30_000);

  test("--emit-directory writes the [directory] TOML", async () => {
    const f = join(dir, "dir.toml");
    const r = await sipsim(["--emit-directory", f, "--agents", "12", "--queues", "3"]);
    expect(r.code).toBe(0);
    const d = (
      Bun.TOML.parse(readFileSync(f, "utf8")) as { directory: Record<string, Array<{ id: string }>> }
    ).directory;
    expect(d.agents?.map((a) => a.id)).toHaveLength(12);
    expect(d.dns?.map((x) => x.id)).toContain("8003");
    expect(d.agentGroups?.map((g) => g.id)).toEqual(["group1", "group2", "group3"]);
    const out = await sipsim(["--emit-directory", "-", "--agents", "2", "--queues", "1"]);
    expect(out.stdout).toContain('id = "agent002"');
  }, 30_000);
});
