/**
 * `./scripts/bench bus`: the shm bus against its native ceiling and the usual alternatives,
 * side by side in one run, two processes per item:
 *   - bus:        this bus (packages/shm-bus), offer + lazy publication; the consumer polls, and
 *                 after 64 empty polls naps 10 µs (the C ring does exactly the same)
 *   - bus-batch:  the same consumer; the producer builds 64 records in a RecordBatch and hands
 *                 them over with one offerBatch (BUS_BATCH=N for another batch size)
 *   - bus-wait:   the same with the daemon's consumer loop: poll, else `await bus.wait()`
 *   - c-ring:     the same ring algorithm in C over libshm (bench/bus-cring.c)
 *   - uds:        Unix domain socket (Bun.listen/connect), one write per message
 *   - uds-batch:  the same, records copied into 64 KiB writes
 *   - redis:      Redis pub/sub on loopback (Bun RedisClient), 1000 publishes in flight
 *   - nats:       NATS on loopback (nats npm client), flush every 1000
 * Throughput for 64 B, 256 B and 4 KiB records; one-way latency (64 B) with a spinning and a
 * parked consumer; CPU burnt by an idle instance. Each figure: median and range over the runs.
 *
 * Options: --runs N (default 3), --quick (smaller counts), --only a,b (item name prefixes),
 * --report (re-print the table of the last run from bench/results/bus.json).
 * Writes bench/results/bus.json and prints a markdown table.
 * @module
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";

const root = new URL("..", import.meta.url).pathname;
const argv = process.argv.slice(2);
const opt = (k: string, d: string) => {
  const i = argv.indexOf(k);
  return i >= 0 ? argv[i + 1] : d;
};
const RUNS = Number(opt("--runs", "3"));
const QUICK = argv.includes("--quick");
const ONLY = opt("--only", "").split(",").filter(Boolean);
const scale = (n: number) => (QUICK ? Math.max(1000, Math.floor(n / 10)) : n);
const SIZES = [64, 256, 4096];
const REDIS_PORT = 6399;
const NATS_PORT = 4223;
const child = `${root}bench/bus-child.ts`;
const cring = `${root}libshm/build/bus-cring`;

type Json = Record<string, number | string | boolean | object>;
const started: { pid: number; kill(sig?: number): void }[] = [];
function stopAll(): void {
  for (const p of started) {
    try {
      p.kill(9);
    } catch {}
  }
}
process.on("SIGINT", () => {
  stopAll();
  process.exit(130);
});

function log(s: string): void {
  process.stderr.write(`${s}\n`);
}

// ---------------------------------------------------------------- servers and tools
function ensureTool(bin: string, pkg: string): boolean {
  if (spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0) return true;
  log(`[bench] ${bin} missing: apt-get install -y ${pkg}`);
  const r = spawnSync("apt-get", ["install", "-y", pkg], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
  return r.status === 0 && spawnSync("sh", ["-c", `command -v ${bin}`]).status === 0;
}

async function startServer(
  cmd: string[],
  port: number,
): Promise<{ pid: number; kill(sig?: number): void } | null> {
  const p = Bun.spawn(cmd, { stdout: "ignore", stderr: "ignore" });
  started.push(p);
  for (let i = 0; i < 200; i++) {
    try {
      const s = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      s.end();
      return p;
    } catch {
      await Bun.sleep(25);
    }
  }
  p.kill(9);
  return null;
}

function buildCRing(): void {
  mkdirSync(`${root}libshm/build`, { recursive: true });
  execFileSync("cc", ["-O2", "-o", cring, `${root}bench/bus-cring.c`, `${root}libshm/shm.c`, "-lrt"]);
}

// ---------------------------------------------------------------- running one item
async function lines(stream: ReadableStream<Uint8Array>, onLine: (l: Json) => void): Promise<void> {
  const dec = new TextDecoder();
  let buf = "";
  for await (const chunk of stream) {
    buf += dec.decode(chunk);
    const parts = buf.split("\n");
    buf = parts.pop()!;
    for (const l of parts) if (l.trim()) onLine(JSON.parse(l));
  }
  if (buf.trim()) onLine(JSON.parse(buf));
}

async function pair(
  consArgs: Json,
  prodArgs: Json,
  timeoutMs = 120_000,
): Promise<{ cons: Json; prod: Json }> {
  const cons = Bun.spawn([process.execPath, child, JSON.stringify(consArgs)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  started.push(cons);
  let consOut: Json = {};
  let ready: () => void = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  const consDone = lines(cons.stdout, (l) => {
    if (l.ready) ready();
    else consOut = l;
  });
  const timer = setTimeout(() => {
    cons.kill(9);
    prod?.kill(9);
  }, timeoutMs);
  await Promise.race([isReady, cons.exited]);
  const prod = Bun.spawn([process.execPath, child, JSON.stringify(prodArgs)], {
    stdout: "pipe",
    stderr: "inherit",
  });
  started.push(prod);
  let prodOut: Json = {};
  await Promise.all([lines(prod.stdout, (l) => (prodOut = l)), consDone, prod.exited, cons.exited]);
  clearTimeout(timer);
  if (cons.exitCode !== 0 || prod.exitCode !== 0)
    throw new Error(`item failed (exit ${cons.exitCode}/${prod.exitCode})`);
  return { cons: consOut, prod: prodOut };
}

function tput(size: number, count: number, t0: number, t1: number, bad: number): Json {
  const s = (t1 - t0) / 1e9;
  return { mmsgs: count / s / 1e6, gbs: (count * size) / s / 1e9, bad };
}

let segN = 0;
async function withSegment<T>(spscBytes: number, f: (name: string) => Promise<T>): Promise<T> {
  const name = `statd-bench-${process.pid}-${segN++}`;
  const seg = ShmSegment.create(name, { maxInstances: 2, spscBytes, broadcastBytes: 16384, maxRecord: 4096 });
  try {
    return await f(name);
  } finally {
    seg.close();
  }
}

const ringFor = (size: number) => (size >= 4096 ? 1 << 22 : 1 << 20);
const tputCount: Record<string, Record<number, number>> = {
  fast: { 64: 5_000_000, 256: 3_000_000, 4096: 400_000 },
  permsg: { 64: 300_000, 256: 300_000, 4096: 150_000 },
  broker: { 64: 200_000, 256: 200_000, 4096: 50_000 },
};

interface Item {
  name: string;
  run: () => Promise<Json>;
}

function items(haveRedis: boolean, haveNats: boolean): Item[] {
  const out: Item[] = [];
  for (const size of SIZES) {
    const n = scale(tputCount.fast[size]);
    out.push({
      name: `tput bus ${size}`,
      run: () =>
        withSegment(ringFor(size), async (name) => {
          const base = { name, size, count: n, mode: "tput", rate: 0 };
          const r = await pair({ ...base, role: "bus-cons" }, { ...base, role: "bus-prod" });
          return tput(size, n, r.prod.t0 as number, r.cons.t1 as number, r.cons.bad as number);
        }),
    });
    out.push({
      name: `tput bus-batch ${size}`,
      run: () =>
        withSegment(ringFor(size), async (name) => {
          const base = { name, size, count: n, mode: "tput", rate: 0 };
          const r = await pair({ ...base, role: "bus-cons" }, { ...base, role: "bus-prod", batch: true });
          return tput(size, n, r.prod.t0 as number, r.cons.t1 as number, r.cons.bad as number);
        }),
    });
    out.push({
      name: `tput bus-wait ${size}`,
      run: () =>
        withSegment(ringFor(size), async (name) => {
          const base = { name, size, count: n, mode: "tput-wait", rate: 0 };
          const r = await pair({ ...base, role: "bus-cons" }, { ...base, role: "bus-prod" });
          return tput(size, n, r.prod.t0 as number, r.cons.t1 as number, r.cons.bad as number);
        }),
    });
    out.push({
      name: `tput c-ring ${size}`,
      run: async () => {
        const o = JSON.parse(execFileSync(cring, ["tput", `${size}`, `${n}`, `${ringFor(size)}`]).toString());
        return tput(size, n, o.t0, o.t1, o.bad);
      },
    });
    const m = scale(tputCount.permsg[size]);
    for (const batch of [false, true]) {
      const cnt = batch ? n : m;
      out.push({
        name: `tput ${batch ? "uds-batch" : "uds"} ${size}`,
        run: async () => {
          const path = `/tmp/statd-bench-${process.pid}-${segN++}.sock`;
          const base = { path, size, count: cnt, mode: "tput", rate: 0, batch };
          try {
            const r = await pair({ ...base, role: "uds-cons" }, { ...base, role: "uds-prod" });
            return tput(size, cnt, r.prod.t0 as number, r.cons.t1 as number, r.cons.bad as number);
          } finally {
            rmSync(path, { force: true });
          }
        },
      });
    }
    const k = scale(tputCount.broker[size]);
    for (const [broker, have, port] of [
      ["redis", haveRedis, REDIS_PORT],
      ["nats", haveNats, NATS_PORT],
    ] as const) {
      if (!have) continue;
      out.push({
        name: `tput ${broker} ${size}`,
        run: async () => {
          const base = { port, size, count: k, mode: "tput", rate: 0 };
          const sub = broker === "redis" ? "redis-sub" : "nats-sub";
          const pub = broker === "redis" ? "redis-pub" : "nats-pub";
          const r = await pair({ ...base, role: sub }, { ...base, role: pub });
          return tput(size, k, r.prod.t0 as number, r.cons.t1 as number, r.cons.bad as number);
        },
      });
    }
  }
  // one-way latency, 64 B
  const lat = (role: string, count: number, rate: number, mode: string, extra: Json = {}) => ({
    size: 64,
    count: scale(count),
    rate,
    mode,
    role,
    ...extra,
  });
  out.push({
    name: "lat bus spin",
    run: () =>
      withSegment(1 << 20, async (name) => {
        const r = await pair(
          lat("bus-cons", 100_000, 100_000, "spin", { name }),
          lat("bus-prod", 100_000, 100_000, "spin", { name }),
        );
        return r.cons;
      }),
  });
  out.push({
    name: "lat bus parked",
    run: () =>
      withSegment(1 << 20, async (name) => {
        const r = await pair(
          lat("bus-cons", 3_000, 1_000, "park", { name }),
          lat("bus-prod", 3_000, 1_000, "park", { name }),
        );
        return r.cons;
      }),
  });
  out.push({
    name: "lat c-ring spin",
    run: async () => JSON.parse(execFileSync(cring, ["lat", "64", `${scale(100_000)}`, "100000"]).toString()),
  });
  out.push({
    name: "lat uds",
    run: async () => {
      const path = `/tmp/statd-bench-${process.pid}-${segN++}.sock`;
      try {
        const r = await pair(
          lat("uds-cons", 20_000, 10_000, "spin", { path }),
          lat("uds-prod", 20_000, 10_000, "spin", { path }),
        );
        return r.cons;
      } finally {
        rmSync(path, { force: true });
      }
    },
  });
  if (haveRedis)
    out.push({
      name: "lat redis",
      run: async () =>
        (
          await pair(
            lat("redis-sub", 10_000, 5_000, "spin", { port: REDIS_PORT }),
            lat("redis-pub", 10_000, 5_000, "spin", { port: REDIS_PORT }),
          )
        ).cons,
    });
  if (haveNats)
    out.push({
      name: "lat nats",
      run: async () =>
        (
          await pair(
            lat("nats-sub", 10_000, 5_000, "spin", { port: NATS_PORT }),
            lat("nats-pub", 10_000, 5_000, "spin", { port: NATS_PORT }),
          )
        ).cons,
    });
  out.push({
    name: "idle cpu",
    run: () =>
      withSegment(1 << 16, async (name) => {
        const p = Bun.spawn(
          [
            process.execPath,
            child,
            JSON.stringify({ role: "idle", name, size: 0, count: 0, mode: "park", rate: 0 }),
          ],
          {
            stdout: "pipe",
          },
        );
        started.push(p);
        const reader = p.stdout.getReader();
        await reader.read();
        await Bun.sleep(1000);
        const ticks = () => {
          const f = readFileSync(`/proc/${p.pid}/stat`, "latin1");
          const x = f.slice(f.lastIndexOf(")") + 2).split(" ");
          return Number(x[11]) + Number(x[12]); // utime + stime, clock ticks
        };
        const c0 = ticks();
        const t0 = performance.now();
        await Bun.sleep(QUICK ? 1000 : 3000);
        const c1 = ticks();
        const t1 = performance.now();
        p.kill(9);
        await p.exited;
        const hz = Number(execFileSync("getconf", ["CLK_TCK"]).toString()) || 100;
        return { cpuPct: (((c1 - c0) / hz) * 100) / ((t1 - t0) / 1000) };
      }),
  });
  return out.filter((it) => ONLY.length === 0 || ONLY.some((o) => it.name.startsWith(o)));
}

// ---------------------------------------------------------------- statistics and report
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number) =>
  !Number.isFinite(x)
    ? "–"
    : x >= 100
      ? x.toFixed(0)
      : x >= 10
        ? x.toFixed(1)
        : x >= 1
          ? x.toFixed(2)
          : x.toPrecision(2);
const cell = (xs: number[]) =>
  xs.length === 0 ? "–" : `${fmt(med(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;
const ns = (x: number) =>
  x >= 1e6 ? `${fmt(x / 1e6)} ms` : x >= 1e3 ? `${fmt(x / 1e3)} µs` : `${fmt(x)} ns`;
const nsCell = (xs: number[]) =>
  xs.length === 0 ? "–" : `${ns(med(xs))} (${ns(Math.min(...xs))}–${ns(Math.max(...xs))})`;

async function main(): Promise<void> {
  if (!existsSync(`${root}libshm/libshm.so`)) execFileSync("make", ["-s", "-C", `${root}libshm`]);
  buildCRing();
  const haveRedis = ensureTool("redis-server", "redis-server");
  const haveNats = ensureTool("nats-server", "nats-server");
  const dataDir = `/tmp/statd-bench-${process.pid}`;
  mkdirSync(dataDir, { recursive: true });
  const redis = haveRedis
    ? await startServer(
        [
          "redis-server",
          "--port",
          `${REDIS_PORT}`,
          "--bind",
          "127.0.0.1",
          "--save",
          "",
          "--appendonly",
          "no",
          "--dir",
          dataDir,
        ],
        REDIS_PORT,
      )
    : null;
  const nats = haveNats
    ? await startServer(["nats-server", "-a", "127.0.0.1", "-p", `${NATS_PORT}`], NATS_PORT)
    : null;
  const list = items(redis !== null, nats !== null);
  const results: Record<string, Json[]> = {};
  const load: number[] = [];
  const t0 = Date.now();
  try {
    for (let run = 0; run < RUNS; run++) {
      load.push(Number(readFileSync("/proc/loadavg", "latin1").split(" ")[0]));
      for (const it of list) {
        try {
          const r = await it.run();
          results[it.name] = [...(results[it.name] ?? []), r];
          log(`[run ${run + 1}/${RUNS}] ${it.name}: ${JSON.stringify(r)}`);
        } catch (e) {
          log(`[run ${run + 1}/${RUNS}] ${it.name}: FAILED ${(e as Error).message}`);
        }
      }
    }
  } finally {
    redis?.kill(15);
    nats?.kill(15);
    rmSync(dataDir, { recursive: true, force: true });
  }
  load.push(Number(readFileSync("/proc/loadavg", "latin1").split(" ")[0]));
  report(results, {
    haveRedis: redis !== null,
    haveNats: nats !== null,
    load,
    seconds: (Date.now() - t0) / 1000,
  });
}

function report(
  results: Record<string, Json[]>,
  meta: {
    haveRedis: boolean;
    haveNats: boolean;
    load: number[];
    seconds: number;
    runs?: number;
    quick?: boolean;
  },
): void {
  const runs = meta.runs ?? RUNS;
  const quick = meta.quick ?? QUICK;
  const get = (name: string, k: string) =>
    (results[name] ?? []).map((r) => r[k] as number).filter((x) => Number.isFinite(x));
  /** Per-run ratio a/b, for runs where both exist. */
  const ratio = (a: string, b: string, k = "mmsgs") => {
    const xa = results[a] ?? [];
    const xb = results[b] ?? [];
    const out: number[] = [];
    for (let i = 0; i < Math.min(xa.length, xb.length); i++)
      out.push((xa[i][k] as number) / (xb[i][k] as number));
    return out;
  };
  const L: string[] = [];
  L.push(
    `Runs: ${runs}${quick ? " (quick)" : ""}; load average during the run: ${meta.load.join(" → ")} (2 vCPUs); ${meta.seconds.toFixed(0)} s.`,
  );
  L.push("");
  L.push("### Throughput, two processes (Mmsg/s, median (min–max))");
  L.push("");
  L.push("| transport | 64 B | 256 B | 4 KiB | GB/s 64 B | GB/s 256 B | GB/s 4 KiB |");
  L.push("|---|---|---|---|---|---|---|");
  const rows: [string, string][] = [
    ["bus", "this bus, `offer` per record (dedicated consumer: spin, then nap)"],
    ["bus-batch", "this bus, `offerBatch` of 64 records (same consumer)"],
    ["bus-wait", "this bus (event-loop consumer: poll + wait)"],
    ["c-ring", "C ring over libshm (native ceiling)"],
    ["uds", "Unix socket, one write per message"],
    ["uds-batch", "Unix socket, 64 KiB batched writes"],
    ["redis", "Redis pub/sub (loopback)"],
    ["nats", "NATS (loopback)"],
  ];
  for (const [k, label] of rows) {
    if (!SIZES.some((s) => results[`tput ${k} ${s}`])) continue;
    const m = SIZES.map((s) => cell(get(`tput ${k} ${s}`, "mmsgs")));
    const g = SIZES.map((s) => cell(get(`tput ${k} ${s}`, "gbs")));
    L.push(`| ${label} | ${m.join(" | ")} | ${g.join(" | ")} |`);
  }
  L.push("");
  L.push("### Ratios (per run, then median (min–max)) and targets");
  L.push("");
  L.push("| ratio | 64 B | 256 B | 4 KiB | target |");
  L.push("|---|---|---|---|---|");
  const rr = (b: string, target: string, a = "bus") =>
    L.push(
      `| ${a} / ${b} | ${SIZES.map((s) => cell(ratio(`tput ${a} ${s}`, `tput ${b} ${s}`))).join(" | ")} | ${target} |`,
    );
  rr("c-ring", "≥ 0.5 at 64 B, ≥ 0.6 at 256 B", "bus-batch");
  rr("c-ring", "(per-record API)");
  rr("uds-batch", "≥ 1 at every size", "bus-batch");
  rr("uds-batch", "≥ 1 at every size");
  rr("uds", "–");
  L.push(
    `| bus-wait / uds-batch | ${SIZES.map((s) => cell(ratio(`tput bus-wait ${s}`, `tput uds-batch ${s}`))).join(" | ")} | – |`,
  );
  if (meta.haveRedis) rr("redis", "≥ 20");
  if (meta.haveNats) rr("nats", "≥ 20");
  L.push("");
  L.push("### One-way latency, 64 B (median (min–max) of each percentile over the runs)");
  L.push("");
  L.push("| path | rate | p50 | p99 | p99.9 | target |");
  L.push("|---|---|---|---|---|---|");
  const lrow = (name: string, label: string, rate: string, target: string) => {
    if (!results[name]) return;
    L.push(
      `| ${label} | ${rate} | ${nsCell(get(name, "p50"))} | ${nsCell(get(name, "p99"))} | ${nsCell(get(name, "p999"))} | ${target} |`,
    );
  };
  lrow("lat bus spin", "this bus, spinning consumer", "100 k/s", "p50 ≤ 200 ns");
  lrow(
    "lat bus parked",
    "this bus, parked consumer (Worker futex doorbell)",
    "1 k/s",
    "p50 ≤ 50 µs, p99 ≤ 500 µs",
  );
  lrow("lat c-ring spin", "C ring, spinning consumer", "100 k/s", "–");
  lrow("lat uds", "Unix socket", "10 k/s", "–");
  lrow("lat redis", "Redis pub/sub", "5 k/s", "–");
  lrow("lat nats", "NATS", "5 k/s", "–");
  const cl = results["lat c-ring spin"] ?? [];
  const bl = results["lat bus spin"] ?? [];
  const calm = bl.map((_, i) => i).filter((i) => i < cl.length && (cl[i].p50 as number) < 1000);
  if (calm.length > 0) {
    const pick = (rs: Json[], k: string) => calm.map((i) => rs[i][k] as number);
    L.push("");
    L.push(
      `Spinning latency in the runs where the C ring's p50 was under 1 µs (both processes had a vCPU; ${calm.length} of ${bl.length} runs): ` +
        `this bus p50 ${nsCell(pick(bl, "p50"))}, p99 ${nsCell(pick(bl, "p99"))}; C ring p50 ${nsCell(pick(cl, "p50"))}, p99 ${nsCell(pick(cl, "p99"))}.`,
    );
  }
  L.push("");
  const idle = get("idle cpu", "cpuPct");
  if (idle.length)
    L.push(
      `Idle instance (joined, heartbeating, parked in \`wait(1000)\`): ${cell(idle)} % of one core (target ≤ 1 %).`,
    );
  const bad = Object.entries(results).flatMap(([k, rs]) =>
    rs.filter((r) => (r.bad as number) > 0).map(() => k),
  );
  L.push("");
  L.push(
    bad.length
      ? `Records with a wrong sequence number: ${bad.join(", ")}`
      : "Every record of every run arrived in order (sequence checked).",
  );
  const table = L.join("\n");
  console.log(table);
  mkdirSync(`${root}bench/results`, { recursive: true });
  writeFileSync(
    `${root}bench/results/bus.json`,
    JSON.stringify(
      { date: new Date().toISOString(), runs: RUNS, quick: QUICK, meta, results, table },
      null,
      2,
    ),
  );
}

if (argv.includes("--report")) {
  // re-print the table of the last run from bench/results/bus.json
  const saved = JSON.parse(readFileSync(`${root}bench/results/bus.json`, "utf8"));
  report(saved.results, { ...saved.meta, runs: saved.runs, quick: saved.quick });
} else {
  try {
    await main();
  } finally {
    stopAll();
  }
}
