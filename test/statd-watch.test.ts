/**
 * `statd watch`: the live path over real sockets, without the daemon. A real `sipsim` process
 * (2 nodes on ephemeral ports), a config naming its ports, and `statd watch` as a real process:
 * four resumable SIP sessions → LocalCluster of 2 partitions → a board of queue and group values.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT, runBun } from "./run.ts";

const dir = mkdtempSync(join(tmpdir(), "statd-watch-"));
let sim: Subprocess<"ignore", "pipe", "pipe"> | undefined;

afterAll(() => {
  sim?.kill();
  rmSync(dir, { recursive: true, force: true });
});

/** Start sipsim on ephemeral ports and read the ports it prints. */
async function startSim(): Promise<string[]> {
  sim = Bun.spawn(
    [
      "bun",
      join(ROOT, "packages/sip-sim/src/cli.ts"),
      ...["--listen", "127.0.0.1:0", "--nodes", "2", "--agents", "40", "--queues", "3"],
      ...["--arrival-rate", "0.5", "--aht", "120", "--seed", "4", "--speed", "200"],
    ],
    { cwd: ROOT, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  const reader = sim.stdout.getReader();
  let text = "";
  const deadline = Date.now() + 20_000;
  while ((text.match(/\n/g) ?? []).length < 2) {
    if (Date.now() > deadline) throw new Error(`sipsim printed no ports: ${text}`);
    const { value, done } = await reader.read();
    if (done) throw new Error(`sipsim exited: ${text}`);
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  return text.trim().split("\n");
}

describe("statd watch", () => {
  test("live SIP sessions into 2 engine partitions: a consistent board", async () => {
    const lines = await startSim();
    const nodes = lines.map((l) => {
      const m = /^(\S+) interactionProxy=(\S+) tController=(\S+)$/.exec(l);
      if (!m) throw new Error(`unexpected sipsim line: ${l}`);
      return `[[sip.nodes]]\nid = "${m[1]}"\ninteractionProxy = "${m[2]}"\ntController = "${m[3]}"\n`;
    });
    const demo = readFileSync(join(ROOT, "config/demo.toml"), "utf8").replace(/\[\[sip\.nodes\]\][^[]*/g, "");
    const cfg = join(dir, "live.toml");
    writeFileSync(cfg, `${demo}\n${nodes.join("\n")}`);

    const { out, err, code } = await runBun([
      "apps/statd/src/cli.ts",
      "watch",
      "--config",
      cfg,
      "--instances",
      "2",
      "--json",
      "--exit-after-events",
      "1500",
    ]);
    expect(err).toBe("");
    expect(code).toBe(0);
    const board = JSON.parse(out.trim()) as {
      events: number;
      skipped: Record<string, number>;
      links: Array<{ state: string; badFrames: number; gaps: number; snapshots: number }>;
      rows: Array<{ type: string; id: string; valid: boolean; values: Record<string, number | null> }>;
    };
    expect(board.events).toBeGreaterThanOrEqual(1500);
    expect(board.skipped).toEqual({});
    expect(board.links).toHaveLength(4);
    for (const l of board.links) {
      expect(l.state).toBe("live");
      expect(l.badFrames).toBe(0);
      expect(l.gaps).toBe(0);
      expect(l.snapshots).toBe(1);
    }
    const queues = board.rows.filter((r) => r.type === "Queue");
    const groups = board.rows.filter((r) => r.type === "GroupAgents");
    expect(queues.map((q) => q.id)).toEqual(["8001", "8002", "8003"]);
    for (const q of [...queues, ...groups]) expect(q.valid).toBe(true);
    let entered = 0;
    for (const q of queues) {
      const v = q.values;
      expect(v.entered).toBeGreaterThan(0);
      expect(v.waiting).toBeGreaterThanOrEqual(0);
      entered += v.entered ?? 0;
    }
    expect(entered).toBeGreaterThan(50);
    // the default model logs all 40 agents in for the whole run: 14 + 13 + 13 by skill group
    expect(groups.map((g) => g.values.loggedIn)).toEqual([14, 13, 13]);
    for (const g of groups)
      expect((g.values.ready ?? 0) + (g.values.talking ?? 0) + (g.values.notReady ?? 0)).toBeLessThanOrEqual(
        g.values.loggedIn ?? 0,
      );
  }, 60_000);

  test("a config without SIP nodes is a one-line error", async () => {
    const cfg = join(dir, "nonodes.toml");
    writeFileSync(cfg, '[cluster]\nname = "x"\n');
    const p = Bun.spawn(["bun", join(ROOT, "apps/statd/src/cli.ts"), "watch", "--config", cfg], {
      cwd: ROOT,
      stdout: "pipe",
      stderr: "pipe",
    });
    const [err, code] = await Promise.all([new Response(p.stderr).text(), p.exited]);
    expect(code).toBe(1);
    expect(err).toBe("statd: watch: the config has no [[sip.nodes]]\n");
  });
});
