/**
 * End to end: `sipsim` as a process serving its node ports. A raw TCP client registers, gets the
 * snapshot and live events (the same bytes the recording holds), a node restart typed on stdin
 * closes the node's sessions and restarts its streams; the real sip-client validates every event
 * of every stream; SIGTERM stops the process with exit 0.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { connectCluster } from "../packages/sip-client/src/bun/mod.ts";
import { silentLogger } from "../packages/sip-client/src/logger.ts";
import { checkerFor } from "../packages/sip-sim/src/checker.ts";
import { MALFORMED_KINDS } from "../packages/sip-sim/src/scenario.ts";
import { MALFORMED_KINDS as SERVER_KINDS } from "../packages/sip-sim/src/server/mod.ts";
import type { SimEvent } from "../packages/sip-sim/src/types.ts";

const CLI = join(import.meta.dir, "../packages/sip-sim/src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "sipsim-e2e-"));
const procs: Subprocess[] = [];
afterAll(() => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

type Ports = Record<string, { interactionProxy: number; tController: number }>;

async function waitFor<T>(what: string, f: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** Start sipsim; resolve with the process, its stdin and the ports it printed. */
async function start(args: string[]): Promise<{ proc: Subprocess<"pipe", "pipe", "pipe">; ports: Ports }> {
  const proc = Bun.spawn([process.execPath, CLI, "--listen", "127.0.0.1:0", ...args], {
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  procs.push(proc);
  const ports: Ports = {};
  const reader = proc.stdout.getReader();
  let text = "";
  const nodes = Number(args[args.indexOf("--nodes") + 1]);
  while (Object.keys(ports).length < nodes) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`sipsim exited: ${await new Response(proc.stderr).text()}`);
    text += new TextDecoder().decode(value);
    for (const m of text.matchAll(/^(\S+) interactionProxy=[^:]+:(\d+) tController=[^:]+:(\d+)$/gm)) {
      ports[m[1] as string] = { interactionProxy: Number(m[2]), tController: Number(m[3]) };
    }
  }
  reader.releaseLock();
  return { proc, ports };
}

/** A raw NDJSON client. */
class Raw {
  lines: Array<Record<string, unknown>> = [];
  closed = false;
  private _sock!: Awaited<ReturnType<typeof Bun.connect>>;
  private _tail = "";

  static async connect(port: number): Promise<Raw> {
    const r = new Raw();
    r._sock = await Bun.connect({
      hostname: "127.0.0.1",
      port,
      socket: {
        data: (_s, buf) => {
          const parts = (r._tail + new TextDecoder().decode(buf)).split("\n");
          r._tail = parts.pop() ?? "";
          for (const p of parts) {
            const msg = JSON.parse(p) as Record<string, unknown>;
            if (msg.op === "ping") r.send({ op: "pong" });
            else if (msg.op !== "pong") r.lines.push(msg);
          }
        },
        close: () => {
          r.closed = true;
        },
      },
    });
    return r;
  }

  send(o: unknown): void {
    this._sock.write(`${JSON.stringify(o)}\n`);
  }

  end(): void {
    this._sock.end();
  }

  /** Live events (with seq) received so far. */
  events(): Array<Record<string, unknown>> {
    return this.lines.filter((l) => typeof l.seq === "number");
  }
}

function readRecording(path: string): SimEvent[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => {
      const { node, port, seq, ...body } = JSON.parse(l);
      return { node, port, seq, body };
    });
}

describe("sipsim end to end", () => {
  test("malformed kinds of the scenario are the servers' kinds", () => {
    expect([...MALFORMED_KINDS]).toEqual([...SERVER_KINDS]);
  });

  test("register, snapshot, live events as recorded, restart from stdin, SIGTERM", async () => {
    const rec = join(dir, "e2e.ndjson");
    const agents = 10;
    const { proc, ports } = await start([
      "--nodes",
      "2",
      "--agents",
      String(agents),
      "--queues",
      "2",
      "--arrival-rate",
      "0.3",
      "--aht",
      "60",
      "--seed",
      "9",
      "--speed",
      "30",
      "--record",
      rec,
      "--stdin-commands",
    ]);
    expect(Object.keys(ports)).toEqual(["node1", "node2"]);

    // T-Controller of node1: snapshot = login + state of the agents it owns (1, 3, 5, 7, 9)
    const tc = await Raw.connect(ports.node1!.tController);
    tc.send({ op: "register", client: "e2e", snapshot: true });
    await waitFor("tc snapshot", () => tc.lines.some((l) => l.op === "snapshot-end"));
    const reg = tc.lines[0]!;
    expect(reg.op).toBe("registered");
    expect(reg.resumed).toBe(false);
    const begin = tc.lines.findIndex((l) => l.op === "snapshot-begin");
    const end = tc.lines.findIndex((l) => l.op === "snapshot-end");
    const snap = tc.lines.slice(begin + 1, end);
    expect(snap.filter((e) => e.event === "EventAgentLogin").map((e) => e.thisDN)).toEqual([
      "7001",
      "7003",
      "7005",
      "7007",
      "7009",
    ]);
    for (const e of snap) expect(e.snapshot).toBe(true);

    // Interaction Proxy of node1: live call events
    const ip = await Raw.connect(ports.node1!.interactionProxy);
    ip.send({ op: "register", client: "e2e", snapshot: true });
    await waitFor("30 live call events", () => ip.events().length >= 30);
    const live = ip.events();
    for (let i = 1; i < live.length; i++) expect(live[i]!.seq).toBe((live[i - 1]!.seq as number) + 1);
    ip.send({ op: "ack", seq: live.at(-1)!.seq });

    // restart node1 from stdin: its connections close
    proc.stdin.write("restart node1\n");
    proc.stdin.flush();
    await waitFor("node1 connections closed", () => tc.closed && ip.closed);
    const tc2 = await Raw.connect(ports.node1!.tController);
    tc2.send({ op: "register", client: "e2e", sessionId: reg.sessionId, lastSeq: 1, snapshot: true });
    await waitFor("tc snapshot after restart", () => tc2.lines.some((l) => l.op === "snapshot-end"));
    expect(tc2.lines[0]!.resumed).toBe(false);
    tc2.end();

    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);

    // the bytes on the wire are the recorded events
    const recorded = readRecording(rec);
    const ipRec = recorded.filter((e) => e.node === "node1" && e.port === "interactionProxy");
    for (const ev of live) {
      const r = ipRec.find((e) => e.seq === ev.seq);
      expect(r && { seq: r.seq, ...r.body }).toEqual(ev as never);
    }
    // the recording is a valid cluster stream, with node1's streams restarted once
    const chk = checkerFor({ agents, nodeIds: ["node1", "node2"] });
    for (const e of recorded) chk.feed(e);
    expect(chk.errors).toEqual([]);
    const restarts = recorded.filter((e) => e.node === "node1" && e.port === "tController" && e.seq === 1);
    expect(restarts.map((e) => e.body.event)).toEqual(["EventAgentLogin", "EventDNBackInService"]);
  }, 30_000);

  test("the real sip-client accepts every event of every stream", async () => {
    const { proc, ports } = await start([
      "--nodes",
      "3",
      "--agents",
      "30",
      "--queues",
      "3",
      "--arrival-rate",
      "0.5",
      "--aht",
      "60",
      "--seed",
      "4",
      "--speed",
      "60",
    ]);
    const seen = new Map<string, number>();
    const cluster = connectCluster(
      Object.entries(ports).map(([id, p]) => ({
        id,
        interactionProxy: `127.0.0.1:${p.interactionProxy}`,
        tController: `127.0.0.1:${p.tController}`,
      })),
      {
        client: "e2e",
        logger: silentLogger,
        deliver: (node, port, ev) => {
          const k = `${node}/${port}`;
          seen.set(k, (seen.get(k) ?? 0) + 1);
          void ev;
        },
      },
    );
    await waitFor(
      "events on all 6 streams",
      () => seen.size === 6 && [...seen.values()].every((n) => n >= 20),
      20_000,
    );
    const stats = cluster.stats();
    cluster.stop();
    for (const s of stats) {
      expect({ link: `${s.nodeId}/${s.port}`, bad: s.counters.badFrames, gaps: s.counters.gaps }).toEqual({
        link: `${s.nodeId}/${s.port}`,
        bad: 0,
        gaps: 0,
      });
    }
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(0);
  }, 30_000);

  test("the scenario's fault drill reaches the client: drop, duplicates, malformed line, restart", async () => {
    const { proc, ports } = await start([
      "--nodes",
      "2",
      "--agents",
      "20",
      "--queues",
      "2",
      "--arrival-rate",
      "0.3",
      "--aht",
      "60",
      "--seed",
      "5",
      "--speed",
      "600",
      "--scenario",
      join(import.meta.dir, "../packages/sip-sim/scenarios/faults.toml"),
    ]);
    const cluster = connectCluster(
      Object.entries(ports).map(([id, p]) => ({
        id,
        interactionProxy: `127.0.0.1:${p.interactionProxy}`,
        tController: `127.0.0.1:${p.tController}`,
      })),
      { client: "e2e", logger: silentLogger, deliver: () => {} },
    );
    const counters = (node: string, port: string) =>
      cluster.stats().find((s) => s.nodeId === node && s.port === port)?.counters;
    try {
      // 600 s: every connection dropped, sessions resumed
      await waitFor("reconnect after the drop", () =>
        cluster.stats().every((s) => s.counters.registrations >= 2),
      );
      // 900 s: duplicates
      await waitFor("duplicates", () => (counters("node1", "interactionProxy")?.duplicates ?? 0) > 0);
      // 1500 s: one malformed line on node1's Interaction Proxy
      await waitFor("the malformed line", () => (counters("node1", "interactionProxy")?.badFrames ?? 0) >= 1);
      // 1800 s: node2 restarts: its sessions cannot resume and get a snapshot
      await waitFor("node2 restart", () => (counters("node2", "tController")?.snapshots ?? 0) >= 2);
      expect(counters("node2", "interactionProxy")?.badFrames).toBe(0);
    } finally {
      cluster.stop();
    }
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
  }, 30_000);
});
