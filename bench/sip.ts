/**
 * `./scripts/bench sip [--events N] [--runs R]`: how many events per second one client session
 * decodes and validates from byte chunks, side by side with plain `JSON.parse` of the same lines.
 *
 * Cases, interleaved per run on the same generated stream:
 *   - json-parse:     `JSON.parse` of each line, lines already split into strings (the baseline)
 *   - session:        Session.chunk over 64 KiB byte chunks: split, UTF-8 decode, JSON.parse,
 *                     validate (hand-rolled checkEvent), port check, seq tracking, ack, deliver
 *   - valibot:        split + decode + JSON.parse + valibot EventSchema (what the session would
 *                     cost with the documented schema on the hot path)
 *   - tcp:            end to end over loopback in this one process: the simulated node server
 *                     caches and sends the same events, one client session (Bun transport)
 *                     receives, validates and delivers them (node and client share the CPU)
 * Writes bench/results/sip.json and prints a table (median and range over the runs).
 */

import { parseArgs } from "node:util";
import { realTimers } from "../packages/sip-client/src/backoff.ts";
import { bunTransport } from "../packages/sip-client/src/bun/transport.ts";
import { LineSplitter, utf8 } from "../packages/sip-client/src/codec.ts";
import { SessionLink } from "../packages/sip-client/src/link.ts";
import { parseEventWithSchema } from "../packages/sip-client/src/protocol.ts";
import { Session } from "../packages/sip-client/src/session.ts";
import { startNodeServers } from "../packages/sip-sim/src/server/mod.ts";

const { values: o } = parseArgs({
  args: process.argv.slice(2),
  options: { events: { type: "string", default: "500000" }, runs: { type: "string", default: "5" } },
});
const N = Number(o.events);
const RUNS = Number(o.runs);

// ---- a realistic Interaction Proxy stream (seeded) -------------------------------------------
let seed = 12345;
const rnd = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const names = [
  "EventQueued",
  "EventDiverted",
  "EventRinging",
  "EventEstablished",
  "EventHeld",
  "EventRetrieved",
  "EventReleased",
  "EventAttachedDataChanged",
];
const lines: string[] = [];
let t = 1_767_600_000;
for (let seq = 1; seq <= N; seq++) {
  t += rnd() * 0.05;
  const conn = `0067${(100000 + Math.floor(rnd() * 900000)).toString(16)}`;
  const ev: Record<string, unknown> = {
    seq,
    event: names[Math.floor(rnd() * names.length)],
    time: Math.round(t * 1000) / 1000,
    connId: conn,
    thisDN: `${7000 + Math.floor(rnd() * 500)}`,
    otherDN: `+4930${Math.floor(rnd() * 1e7)}`,
    thisQueue: `${8000 + Math.floor(rnd() * 10)}`,
    agentId: `agent${Math.floor(rnd() * 500)}`,
    callType: "Inbound",
    ani: `+4930${Math.floor(rnd() * 1e7)}`,
    dnis: "8005550100",
  };
  if (rnd() < 0.6)
    ev.userData = { segment: rnd() < 0.3 ? "gold" : "silver", lang: "de", score: Math.floor(rnd() * 100) };
  lines.push(JSON.stringify(ev));
}
const bytes = utf8(`${lines.join("\n")}\n`);
const CHUNK = 64 * 1024;
const chunks: Uint8Array[] = [];
for (let o = 0; o < bytes.length; o += CHUNK) chunks.push(bytes.subarray(o, o + CHUNK));
const avgLine = Math.round(bytes.length / N);

// ---- cases ------------------------------------------------------------------------------------
let sink = 0;
function jsonParse(): number {
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i++) {
    const o = JSON.parse(lines[i]!);
    sink += o.seq;
  }
  return performance.now() - t0;
}

function session(): number {
  let n = 0;
  const s = new Session(
    { client: "bench", nodeId: "n1", port: "interactionProxy", snapshot: false, sessionId: "b" },
    { send: () => {}, deliver: () => n++, close: () => {} },
  );
  s.connected(0);
  s.line('{"op":"registered","sessionId":"b","resumed":false,"eventsInCache":0,"nextSeq":1}', 0);
  const t0 = performance.now();
  for (const c of chunks) s.chunk(c, 0);
  const ms = performance.now() - t0;
  if (n !== N || s.counters.badFrames !== 0)
    throw new Error(`session delivered ${n}/${N}, bad ${s.counters.badFrames}`);
  return ms;
}

function valibot(): number {
  let n = 0;
  const sp = new LineSplitter({
    line: (text) => {
      if (typeof parseEventWithSchema(JSON.parse(text)) !== "string") n++;
    },
    bad: () => {},
  });
  const t0 = performance.now();
  for (const c of chunks) sp.push(c);
  const ms = performance.now() - t0;
  if (n !== N) throw new Error(`valibot accepted ${n}/${N}`);
  return ms;
}

// the same events as SimEvent bodies (without seq), for the node server
const bodies = lines.map((l) => {
  const { seq: _seq, ...body } = JSON.parse(l) as { seq: number; event: string; time: number };
  return body;
});
const TCP_N = Math.min(N, 200_000);
async function tcp(): Promise<number> {
  const srv = await startNodeServers({
    basePort: 0,
    nodeIds: ["n1"],
    snapshot: () => [],
    cacheSize: TCP_N + 10,
  });
  let n = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  const link = new SessionLink({
    client: "bench",
    nodeId: "n1",
    port: "interactionProxy",
    host: "127.0.0.1",
    portNumber: srv.ports[0]!.interactionProxy,
    transport: bunTransport(),
    timers: realTimers,
    snapshot: false,
    deliver: () => {
      if (++n === TCP_N) done();
    },
  });
  link.start();
  while (link.session.state !== "live") await Bun.sleep(1);
  const t0 = performance.now();
  for (let i = 0; i < TCP_N; i += 5000) {
    for (let k = i; k < Math.min(TCP_N, i + 5000); k++)
      srv.publish({ node: "n1", port: "interactionProxy", seq: k + 1, body: bodies[k]! });
    await Bun.sleep(0);
  }
  await finished;
  const ms = performance.now() - t0;
  link.stop();
  await srv.close();
  if (link.session.counters.badFrames !== 0) throw new Error("tcp: bad frames");
  return ms * (N / TCP_N); // scaled to N events so the rate formula below holds
}

const cases = { "json-parse": jsonParse, session, valibot } as const;
type Name = keyof typeof cases;
type All = Name | "tcp";
const rates: Record<All, number[]> = { "json-parse": [], session: [], valibot: [], tcp: [] };
const ratio: Record<Exclude<All, "json-parse">, number[]> = { session: [], valibot: [], tcp: [] };
for (const f of Object.values(cases)) f(); // warm-up
await tcp();
for (let r = 0; r < RUNS; r++) {
  const run: Partial<Record<Name, number>> = {};
  for (const [name, f] of Object.entries(cases) as [Name, () => number][]) {
    const ms = f();
    run[name] = N / (ms / 1000);
    rates[name].push(run[name]!);
  }
  const tcpRate = N / ((await tcp()) / 1000);
  rates.tcp.push(tcpRate);
  ratio.tcp.push(tcpRate / run["json-parse"]!);
  ratio.session.push(run.session! / run["json-parse"]!);
  ratio.valibot.push(run.valibot! / run["json-parse"]!);
}

const med = (a: number[]) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const summary = (a: number[]) => ({ median: med(a), min: Math.min(...a), max: Math.max(...a) });
const result = {
  bench: "sip",
  date: new Date().toISOString(),
  bun: Bun.version,
  events: N,
  tcpEvents: TCP_N,
  runs: RUNS,
  avgLineBytes: avgLine,
  chunkBytes: CHUNK,
  eventsPerSec: Object.fromEntries(Object.entries(rates).map(([k, a]) => [k, summary(a)])),
  ratioToJsonParse: Object.fromEntries(Object.entries(ratio).map(([k, a]) => [k, summary(a)])),
  target: "session >= 0.5x json-parse",
  sink,
};
await Bun.write("bench/results/sip.json", `${JSON.stringify(result, null, 2)}\n`);

const f = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
const fr = (x: number) => `${x.toFixed(2)}×`;
console.log(`sip bench: ${N} events (~${avgLine} B/line), ${RUNS} runs, Bun ${Bun.version}`);
console.log("| case | events/s median | range | ratio to JSON.parse (median, range) |");
console.log("|---|---|---|---|");
for (const k of [...Object.keys(cases), "tcp"] as All[]) {
  const s = summary(rates[k]);
  const r =
    k === "json-parse"
      ? "1.00×"
      : (() => {
          const q = summary(ratio[k as Exclude<All, "json-parse">]);
          return `${fr(q.median)} (${fr(q.min)}–${fr(q.max)})`;
        })();
  console.log(`| ${k} | ${f(s.median)} | ${f(s.min)}–${f(s.max)} | ${r} |`);
}
