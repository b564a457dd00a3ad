/**
 * Test support for the daemon's end-to-end tests: free ports, a config derived from
 * config/demo.toml pointing at them, `statd start` and `sipsim` as real processes (cleaned up by
 * pid), the API over real HTTP, `statd replay` of a recording, and waiting with deadlines.
 *
 * @example
 * ```ts
 * const h = await DaemonHarness.create({ instances: 2 });
 * await h.startDaemon();
 * const v = await h.query({ object: { type: "Queue", id: "8001" }, statType: "TotalNumberCallsEntered" });
 * await h.close();
 * ```
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { ROOT } from "./run.ts";

export const STATD = join(ROOT, "apps/statd/src/cli.ts");
export const SIPSIM = join(ROOT, "packages/sip-sim/src/cli.ts");

/** Wait until `f` returns something truthy, or throw after `ms`. */
export async function waitFor<T>(
  what: string,
  f: () => T | Promise<T>,
  ms = 30_000,
  every = 100,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await Bun.sleep(every);
  }
}

function _free(port: number): boolean {
  try {
    const s = Bun.listen({ hostname: "127.0.0.1", port, socket: { data() {} } });
    s.stop(true);
    return true;
  } catch {
    return false;
  }
}

/** `n` consecutive free TCP ports on 127.0.0.1. */
export function freePorts(n: number): number {
  for (let tries = 0; tries < 200; tries++) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    let ok = true;
    for (let i = 0; i < n && ok; i++) ok = _free(base + i);
    if (ok) return base;
  }
  throw new Error("no free ports");
}

/** One statistic of a test's set. */
export interface StatReq {
  object: { type: string; id: string };
  statType: string;
  timeProfile?: string;
  timeRange?: string;
}

/** The broad set of count statistics the end-to-end tests compare (queues, agents, groups, tenant). */
export function countStatistics(agents: number, queues: number, groups: number): StatReq[] {
  const out: StatReq[] = [];
  for (let q = 1; q <= queues; q++) {
    const id = String(8000 + q);
    for (const st of [
      "TotalNumberCallsEntered",
      "TotalNumberCallsDistributed",
      "TotalNumberCallsAnswered",
      "TotalNumberCallsAbandoned",
      "CallsAbandonedFromRinging",
    ])
      out.push({ object: { type: "Queue", id }, statType: st });
  }
  for (const st of ["TotalNumberCallsEntered", "TotalNumberCallsAnswered", "TotalNumberCallsAbandoned"])
    out.push({ object: { type: "Tenant", id: "demo" }, statType: st });
  out.push({ object: { type: "GroupQueues", id: "allQueues" }, statType: "TotalNumberCallsDistributed" });
  for (let g = 1; g <= groups; g++)
    out.push({ object: { type: "GroupAgents", id: `group${g}` }, statType: "TotalNumberInboundCalls" });
  for (let a = 1; a <= agents; a++)
    out.push({
      object: { type: "Agent", id: `agent${String(a).padStart(3, "0")}` },
      statType: "TotalNumberInboundCalls",
    });
  return out;
}

/** Duration statistics compared within the live clock's tolerance. */
export function durationStatistics(queues: number, groups: number): StatReq[] {
  const out: StatReq[] = [];
  for (let q = 1; q <= queues; q++)
    out.push({ object: { type: "Queue", id: String(8000 + q) }, statType: "AverageSpeedOfAnswer" });
  for (let g = 1; g <= groups; g++)
    out.push({ object: { type: "GroupAgents", id: `group${g}` }, statType: "TotalTalkTime" });
  return out;
}

const _toml = (s: StatReq): string =>
  `[[replay.statistics]]\nobject = { type = "${s.object.type}", id = "${s.object.id}" }\nstatType = "${s.statType}"\n` +
  (s.timeProfile ? `timeProfile = "${s.timeProfile}"\n` : "") +
  (s.timeRange ? `timeRange = "${s.timeRange}"\n` : "");

/** A WebSocket client of `/v1/stream` that keeps every frame it receives. */
export class StreamClient {
  readonly frames: Record<string, unknown>[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly ws: WebSocket) {
    ws.onmessage = (e) => {
      this.frames.push(JSON.parse(String(e.data)) as Record<string, unknown>);
    };
    ws.onclose = (e) => {
      this.closed = { code: e.code, reason: e.reason };
    };
  }

  /** Connect and wait for the welcome. */
  static async connect(url: string): Promise<StreamClient> {
    const c = new StreamClient(new WebSocket(url));
    await waitFor("the welcome", () => c.frames.find((f) => f.event === "welcome"), 10_000, 20);
    return c;
  }

  /** Send a message (an object is sent as JSON, a string or bytes as they are). */
  send(m: unknown): void {
    this.ws.send(typeof m === "string" || m instanceof ArrayBuffer ? m : JSON.stringify(m));
  }

  /** The first frame received since index `from` that satisfies `pred` (waits up to `ms`). */
  next(
    what: string,
    pred: (f: Record<string, unknown>) => boolean,
    from = 0,
    ms = 30_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(what, () => this.frames.slice(from).find(pred), ms, 20);
  }

  close(): void {
    this.ws.close();
  }
}

/** A daemon, its simulator and a temporary folder. */
export class DaemonHarness {
  readonly dir: string;
  readonly simPort: number;
  readonly apiPort: number;
  readonly name: string;
  readonly configPath: string;
  readonly procs: Subprocess[] = [];
  readonly clients: StreamClient[] = [];
  daemon: Subprocess<"ignore", "pipe", "pipe"> | null = null;
  daemonErr = "";

  private constructor(readonly instances: number) {
    this.dir = mkdtempSync(join(tmpdir(), "statd-e2e-"));
    this.simPort = freePorts(4);
    this.apiPort = freePorts(1);
    this.name = `e2e-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
    this.configPath = join(this.dir, "statd.toml");
    const demo = readFileSync(join(ROOT, "config/demo.toml"), "utf8")
      .replace(/^name = "demo"$/m, `name = "${this.name}"`)
      .replace(/^dataDir = .*$/m, `dataDir = "${join(this.dir, "data")}"`)
      .replace(/^listen = .*$/m, `listen = "127.0.0.1:${this.apiPort}"`)
      .replace(/127\.0\.0\.1:910([0-3])/g, (_m, d: string) => `127.0.0.1:${this.simPort + Number(d)}`)
      .replace(/\n\[\[replay\.statistics\]\][\s\S]*$/m, "\n");
    writeFileSync(this.configPath, demo);
  }

  static create(opts: { instances: number }): DaemonHarness {
    return new DaemonHarness(opts.instances);
  }

  /** The shm segment of this cluster. */
  get segmentPath(): string {
    return `/dev/shm/statd-${this.name}`;
  }

  get url(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /** A WebSocket client on `/v1/stream` (closed by {@link DaemonHarness.close}). */
  async stream(): Promise<StreamClient> {
    const c = await StreamClient.connect(`ws://127.0.0.1:${this.apiPort}/v1/stream`);
    this.clients.push(c);
    return c;
  }

  /** Start `statd start` and wait until every instance is alive. */
  async startDaemon(): Promise<void> {
    const p = Bun.spawn(
      [process.execPath, STATD, "start", "--config", this.configPath, "--instances", String(this.instances)],
      {
        cwd: ROOT,
        stdin: "ignore",
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, STATD_LOG_LEVEL: process.env.STATD_LOG_LEVEL ?? "warn" },
      },
    );
    this.daemon = p;
    this.procs.push(p);
    void (async () => {
      for await (const chunk of p.stderr) this.daemonErr += new TextDecoder().decode(chunk);
    })();
    await waitFor("the daemon's instances", async () => {
      const c = await this.get("/v1/cluster");
      return (
        (c.instances as { state: string }[]).filter((i) => i.state === "alive").length === this.instances
      );
    });
  }

  /** Start sipsim on the config's ports; resolves with the process (the day plays at once). */
  startSim(args: string[], opts: { stdin?: boolean } = {}): Subprocess<"pipe", "pipe", "pipe"> {
    const p = Bun.spawn(
      [
        process.execPath,
        SIPSIM,
        "--listen",
        `127.0.0.1:${this.simPort}`,
        "--nodes",
        "2",
        "--agents",
        "40",
        "--queues",
        "3",
        "--start",
        "now",
        "--cache-size",
        "1000000",
        ...(opts.stdin ? ["--stdin-commands"] : []),
        ...args,
      ],
      {
        cwd: ROOT,
        stdin: "pipe",
        stdout: "pipe",
        stderr: "pipe",
        env: { ...process.env, SIPSIM_LOG_LEVEL: "warn" },
      },
    );
    this.procs.push(p);
    return p;
  }

  async get(path: string): Promise<Record<string, unknown>> {
    const r = await fetch(`${this.url}${path}`);
    return (await r.json()) as Record<string, unknown>;
  }

  async post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  /** Open every statistic (REST); returns their ids. */
  async open(stats: StatReq[]): Promise<string[]> {
    const ids: string[] = [];
    for (const s of stats) {
      const r = await this.post("/v1/statistics", s);
      if (r.status !== 201)
        throw new Error(`open ${JSON.stringify(s)}: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(r.body.id as string);
    }
    return ids;
  }

  /** One-shot values of a set (POST /v1/query with an array). */
  async query(stats: StatReq[]): Promise<{ value: unknown; valid: boolean }[]> {
    const r = await this.post("/v1/query", stats);
    if (r.status !== 200) throw new Error(`query: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as unknown as { value: unknown; valid: boolean }[];
  }

  /** `statd replay` of a recording, with `stats` as its [[replay.statistics]]: value per statistic. */
  async replay(recording: string, stats: StatReq[], instances = 1): Promise<unknown[]> {
    const cfg = join(this.dir, "replay.toml");
    writeFileSync(cfg, `${readFileSync(this.configPath, "utf8")}\n${stats.map(_toml).join("\n")}`);
    const p = Bun.spawn(
      [process.execPath, STATD, "replay", "--config", cfg, recording, "--instances", String(instances)],
      {
        cwd: ROOT,
        stdout: "pipe",
        stderr: "pipe",
      },
    );
    const [out, err, code] = await Promise.all([
      new Response(p.stdout).text(),
      new Response(p.stderr).text(),
      p.exited,
    ]);
    if (code !== 0) throw new Error(`replay failed: ${err}`);
    return out
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { value: unknown }).value);
  }

  /** The last seq of every stream of a recording: `node/port` → seq. */
  static lastSeqs(recording: string): Map<string, number> {
    const m = new Map<string, number>();
    for (const line of readFileSync(recording, "utf8").split("\n")) {
      if (!line) continue;
      const e = JSON.parse(line) as { node: string; port: string; seq: number };
      m.set(`${e.node}/${e.port}`, e.seq);
    }
    return m;
  }

  /** Stop the daemon with SIGTERM and wait for it (and its segment) to be gone. */
  async stopDaemon(): Promise<number | null> {
    const p = this.daemon;
    if (!p) return null;
    p.kill("SIGTERM");
    const code = await p.exited;
    this.daemon = null;
    return code;
  }

  /** Kill whatever is left (by pid) and remove the folder. */
  async close(): Promise<void> {
    for (const c of this.clients) c.close();
    await this.stopDaemon().catch(() => null);
    for (const p of this.procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await Promise.all(this.procs.map((p) => p.exited));
    if (existsSync(this.segmentPath)) rmSync(this.segmentPath, { force: true });
    rmSync(this.dir, { recursive: true, force: true });
  }
}
