/**
 * End to end: a real `sipsim` process running the fault drill (drops, duplicates, reordering,
 * a malformed line, a node restart, delays) and the SIP cluster client connected to it over TCP.
 * Every live event the client delivers must be the recorded event (`--record`) at that position:
 * per stream and incarnation a contiguous run, exactly once, in order — whatever the faults did.
 */
import { expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connectCluster } from "../packages/sip-client/src/bun/mod.ts";
import { type PortKind, type SipEvent, silentLogger } from "../packages/sip-client/src/mod.ts";

const root = join(import.meta.dir, "..");

test("sipsim fault drill: the client's stream equals the recording, exactly once and in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sip-e2e-"));
  const rec = join(dir, "events.ndjson");
  const proc = Bun.spawn(
    [
      process.execPath,
      "packages/sip-sim/src/cli.ts",
      "--listen",
      "127.0.0.1:0",
      "--nodes",
      "2",
      "--agents",
      "30",
      "--queues",
      "2",
      "--arrival-rate",
      "0.4",
      "--aht",
      "120",
      "--seed",
      "11",
      "--speed",
      "600",
      "--duration",
      "3300",
      "--scenario",
      "packages/sip-sim/scenarios/faults.toml",
      "--record",
      rec,
    ],
    { cwd: root, stdout: "pipe", stderr: "pipe" },
  );
  try {
    // the ports, one line per node: "node1 interactionProxy=127.0.0.1:P tController=127.0.0.1:Q"
    const reader = proc.stdout.getReader();
    let out = "";
    const nodes: { id: string; interactionProxy: string; tController: string }[] = [];
    while (nodes.length < 2) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`sipsim exited early: ${out}\n${await new Response(proc.stderr).text()}`);
      out += new TextDecoder().decode(value);
      nodes.length = 0;
      for (const m of out.matchAll(/^(\S+) interactionProxy=(\S+) tController=(\S+)$/gm)) {
        nodes.push({ id: m[1]!, interactionProxy: m[2]!, tController: m[3]! });
      }
    }
    const got = new Map<string, SipEvent[][]>(); // stream -> incarnations -> events
    const key = (n: string, p: PortKind) => `${n}/${p}`;
    const cluster = connectCluster(nodes, {
      client: "e2e",
      logger: silentLogger,
      backoff: { initialMs: 5, maxMs: 50 },
      deliver: (n, p, ev) => {
        if (ev.snapshot) return;
        const runs = got.get(key(n, p)) ?? [[]];
        got.set(key(n, p), runs);
        runs.at(-1)!.push(ev);
      },
      onState: (n, p, _s, info) => {
        const runs = got.get(key(n, p));
        if (info.reset && runs && runs.at(-1)!.length > 0) runs.push([]); // a new incarnation / fresh stream
      },
    });
    const code = await proc.exited;
    const stats = cluster.stats();
    cluster.stop();
    expect(code).toBe(0);

    // the recording, split the same way (per stream; a new incarnation when seq goes back to 1)
    const recorded = new Map<string, Record<string, unknown>[][]>();
    for (const line of readFileSync(rec, "utf8").split("\n")) {
      if (!line) continue;
      const r = JSON.parse(line) as Record<string, unknown> & { node: string; port: PortKind; seq: number };
      const runs = recorded.get(key(r.node, r.port)) ?? [[]];
      recorded.set(key(r.node, r.port), runs);
      if (r.seq === 1 && runs.at(-1)!.length > 0) runs.push([]);
      runs.at(-1)!.push(r);
    }

    let compared = 0;
    for (const [k, runs] of got) {
      const recRuns = recorded.get(k)!;
      for (const run of runs) {
        if (run.length === 0) continue;
        // the incarnation this run belongs to: the recorded one holding its first event
        const first = run[0]!;
        const src = recRuns.find((r) => {
          const e = r[first.seq! - 1];
          return e !== undefined && e.time === first.time && e.event === first.event;
        });
        expect(src).toBeDefined();
        const expected = src!.slice(first.seq! - 1, first.seq! - 1 + run.length);
        expect(run.map((e) => e.seq)).toEqual(expected.map((e) => e.seq as number));
        const asRecorded = run.map(
          ({ node, ...rest }) => ({ node, port: k.split("/")[1], ...rest }) as Record<string, unknown>,
        );
        expect(asRecorded).toEqual(expected);
        compared += run.length;
      }
    }
    const total = [...recorded.values()].flat(2).length;
    expect(compared).toBeGreaterThan(total * 0.5); // all but what ran before the client connected, the restart window and the tail at exit
    expect(got.size).toBe(4);
    const sum = (f: (c: (typeof stats)[number]["counters"]) => number) =>
      stats.reduce((a, s) => a + f(s.counters), 0);
    expect(sum((c) => c.resumes)).toBeGreaterThan(0); // the drop
    expect(sum((c) => c.resets)).toBeGreaterThanOrEqual(2); // node2's restart, both ports
    expect(sum((c) => c.duplicates)).toBeGreaterThan(0);
    expect(sum((c) => c.invalidJson)).toBe(1); // the one malformed line
    expect(sum((c) => c.badFrames)).toBe(1);
    expect(sum((c) => c.wrongPort)).toBe(0);
  } finally {
    if (proc.exitCode === null) proc.kill();
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
