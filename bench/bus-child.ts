/**
 * One side of one item of `bench/bus.ts` (run as a separate process). Prints "ready" when it can
 * receive, then one JSON line with its result. Timestamps come from CLOCK_MONOTONIC (libshm), the
 * only clock shared by processes. Every transport carries the same payload: u32 seq at 0, f64 send
 * time at 8 (latency runs), filler to the record size.
 *
 * Usage: bun bench/bus-child.ts '{"role":"bus-prod", ...}'
 * Experiment knobs (environment): BUS_PUBLISH_EVERY (producer), BUS_BATCH (records per batch of the
 * batch producer, default 64), BUS_SPIN_MS (event-loop consumer), BUS_POLL_MAX (dedicated consumer's
 * poll batch, default 8192), BUS_STATS=1 (back-off and poll counters on stderr).
 * @module
 */
import { connect as natsConnect } from "nats";
import { libshm, napSync } from "../packages/shm-bus/src/bun/libshm.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { RecordBatch } from "../packages/shm-bus/src/record_batch.ts";

interface Args {
  role: string;
  size: number;
  count: number;
  /** tput (dedicated consumer: spin, then nap) | tput-wait (event-loop consumer: poll + wait) | spin | park */
  mode: "tput" | "tput-wait" | "spin" | "park";
  /** Messages per second for latency runs. */
  rate: number;
  name?: string;
  path?: string;
  port?: number;
  batch?: boolean;
}

const a: Args = JSON.parse(process.argv[2]);
const L = libshm();
const now = () => L.shm_now_ns();
const out = (o: object) => console.log(JSON.stringify(o));

function percentiles(lat: Float64Array, n: number): { p50: number; p99: number; p999: number } {
  const skip = Math.floor(n / 10); // JIT warm-up
  const s = lat.slice(skip, n).sort();
  const m = s.length;
  return {
    p50: s[Math.floor(m * 0.5)],
    p99: s[Math.floor(m * 0.99)],
    p999: s[Math.min(m - 1, Math.floor(m * 0.999))],
  };
}

/** Waits until the next send slot (latency runs are paced): naps, then spins the last 80 µs. */
function pacer(rate: number): () => void {
  const gap = 1e9 / rate;
  let next = now();
  return () => {
    while (now() < next - 80_000) napSync(20);
    while (now() < next) {}
    next += gap;
  };
}

/**
 * Producer counters (BUS_STATS=1 prints them): refused offers, naps, time blocked on a full ring
 * (batch producer), time from first send to the end, CPU time over that span.
 */
const prodStats = { full: 0, naps: 0, blockedMs: 0, totalMs: 0, cpuMs: 0 };

/** Producer back-off when the ring is full: publish, re-check 64 times, then nap 10 µs. */
function offerOrBackOff(
  bus: { offer(to: number, u8: Uint8Array): boolean; flush(): void },
  u8: Uint8Array,
): void {
  let k = 0;
  while (!bus.offer(1, u8)) {
    prodStats.full++;
    bus.flush();
    if (++k > 64) {
      napSync(10);
      prodStats.naps++;
    }
  }
}

function template(size: number): { u8: Uint8Array<ArrayBuffer>; dv: DataView } {
  const u8 = new Uint8Array(Math.max(16, size));
  for (let i = 16; i < u8.length; i++) u8[i] = i & 0xff;
  return { u8: u8.subarray(0, size), dv: new DataView(u8.buffer) };
}

/**
 * Producer back-off for a batch: offer it until the ring took every record (publish, re-check
 * 64 times, then nap 10 µs).
 */
function offerBatchOrBackOff(
  bus: { offerBatch(to: number, b: RecordBatch): number; flush(): void },
  batch: RecordBatch,
): void {
  let k = 0;
  let b0 = 0;
  while (bus.offerBatch(1, batch) === 0 || batch.count !== 0) {
    if (batch.count === 0) break;
    if (k === 0 && process.env.BUS_STATS) b0 = now();
    prodStats.full++;
    bus.flush();
    if (++k > 64) {
      napSync(10);
      prodStats.naps++;
    }
  }
  if (b0 !== 0) prodStats.blockedMs += (now() - b0) / 1e6;
}

async function busProd(): Promise<void> {
  const seg = ShmSegment.attach(a.name!);
  const bus = seg.join(0, { heartbeatMs: 100, publishEvery: Number(process.env.BUS_PUBLISH_EVERY ?? 64) });
  const { u8, dv } = template(a.size);
  const cpu0 = process.cpuUsage();
  const t0 = now();
  if (a.batch) {
    // batch producer: records built in a RecordBatch (the filler once per scratch position, the
    // sequence number in every record), `offerBatch` every BUS_BATCH records: one copy per batch
    const per = Number(process.env.BUS_BATCH ?? 64);
    const batch = new RecordBatch(bus.maxRecord, Math.max(65536, per * ((a.size + 15) & ~7)));
    const b32 = new Int32Array(batch.bytes.buffer);
    const filled = new Uint8Array(batch.bytes.length); // scratch positions that hold the filler
    for (let i = 0; i < a.count; i++) {
      const at = batch.add(a.size);
      if (filled[at] === 0) {
        batch.bytes.set(u8, at);
        filled[at] = 1;
      }
      b32[at >> 2] = i;
      if (batch.count >= per) offerBatchOrBackOff(bus, batch);
    }
    offerBatchOrBackOff(bus, batch);
    bus.flush();
  } else if (a.mode === "tput" || a.mode === "tput-wait") {
    for (let i = 0; i < a.count; i++) {
      dv.setUint32(0, i, true);
      offerOrBackOff(bus, u8);
    }
    bus.flush();
  } else {
    const pace = pacer(a.rate);
    for (let i = 0; i < a.count; i++) {
      pace();
      dv.setUint32(0, i, true);
      dv.setFloat64(8, now(), true);
      offerOrBackOff(bus, u8);
      bus.flush(); // latency: publish every record
      if ((i & 1023) === 0) await new Promise((r) => setImmediate(r));
    }
  }
  out({ t0 });
  prodStats.totalMs = (now() - t0) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  prodStats.cpuMs = (cpu.user + cpu.system) / 1000;
  if (process.env.BUS_STATS) console.error(JSON.stringify({ producer: prodStats }));
  seg.close();
}

const POLL_MAX = Number(process.env.BUS_POLL_MAX ?? 8192);
const STATS = !!process.env.BUS_STATS;
let busyNs = 0;
async function busCons(): Promise<void> {
  const seg = ShmSegment.attach(a.name!);
  const bus = seg.join(1, {
    heartbeatMs: 100,
    idle: process.env.BUS_SPIN_MS ? { spinMs: Number(process.env.BUS_SPIN_MS) } : undefined,
  });
  const i32 = new Int32Array(bus.buffer.buffer, bus.buffer.byteOffset, bus.buffer.byteLength >> 2);
  const f64 = new Float64Array(bus.buffer.buffer, bus.buffer.byteOffset, bus.buffer.byteLength >> 3);
  const tputMode = a.mode === "tput" || a.mode === "tput-wait";
  const lat = new Float64Array(tputMode ? 0 : a.count);
  let n = 0;
  let bad = 0;
  const h = tputMode
    ? (_u8: Uint8Array, off: number) => {
        if (i32[off >> 2] !== n) bad++;
        n++;
      }
    : (_u8: Uint8Array, off: number) => {
        if (i32[off >> 2] !== n) bad++;
        lat[n] = now() - f64[(off + 8) >> 3];
        n++;
      };
  out({ ready: true });
  if (a.mode === "tput") {
    // a dedicated consumer, like the C ring's: spin 64 empty polls, then nap 10 µs
    let empty = 0;
    let polls = 0,
      hits = 0,
      naps = 0;
    while (n < a.count) {
      polls++;
      const q0 = STATS ? now() : 0;
      const got = bus.poll(h, POLL_MAX);
      if (got !== 0) {
        if (STATS) busyNs += now() - q0;
        empty = 0;
        hits++;
      } else if (++empty > 64) {
        napSync(10);
        naps++;
      }
    }
    if (process.env.BUS_STATS)
      console.error(
        JSON.stringify({
          consumer: {
            polls,
            hits,
            naps,
            perHit: n / hits,
            nsPerRec: busyNs / n, // poll time per record, in polls that delivered
          },
        }),
      );
  } else if (a.mode !== "spin") {
    // the daemon's way: poll, and when nothing is there, wait (spin, yield, park)
    while (n < a.count) if (bus.poll(h, 8192) === 0) await bus.wait(1000);
  } else {
    let idle = 0;
    while (n < a.count) {
      if (bus.poll(h, 4096) === 0 && ++idle === 1 << 20) {
        idle = 0;
        await new Promise((r) => setImmediate(r));
      }
    }
  }
  const t1 = now();
  out(tputMode ? { t1, count: n, bad } : { ...percentiles(lat, n), count: n, bad, phases: bus.idle.phases });
  seg.close();
}

/** Length-agnostic parser of fixed-size messages in a byte stream (UDS). */
function streamParser(
  size: number,
  onMsg: (head: DataView, at: number) => void,
): (chunk: Uint8Array) => void {
  const head = new Uint8Array(16);
  const hv = new DataView(head.buffer);
  let pos = 0; // position inside the current message
  return (chunk) => {
    let i = 0;
    while (i < chunk.length) {
      if (pos < 16) {
        const take = Math.min(16 - pos, chunk.length - i);
        head.set(chunk.subarray(i, i + take), pos);
        pos += take;
        i += take;
        if (pos < 16 && i >= chunk.length) break;
      }
      const skip = Math.min(size - pos, chunk.length - i);
      pos += skip;
      i += skip;
      if (pos === size) {
        onMsg(hv, 0);
        pos = 0;
      }
    }
  };
}

async function udsCons(): Promise<void> {
  const lat = new Float64Array(a.mode === "tput" ? 0 : a.count);
  let n = 0;
  let bad = 0;
  const size = Math.max(16, a.size);
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  const parse = streamParser(size, (hv) => {
    if (hv.getUint32(0, true) !== n) bad++;
    if (a.mode !== "tput") lat[n] = now() - hv.getFloat64(8, true);
    if (++n === a.count) done();
  });
  const server = Bun.listen({
    unix: a.path!,
    socket: { data: (_s, chunk) => parse(chunk) },
  });
  out({ ready: true });
  await finished;
  const t1 = now();
  out(a.mode === "tput" ? { t1, count: n, bad } : { ...percentiles(lat, n), count: n, bad });
  server.stop(true);
}

async function udsProd(): Promise<void> {
  const size = Math.max(16, a.size);
  let drain: () => void = () => {};
  const sock = await Bun.connect({
    unix: a.path!,
    socket: { data() {}, drain: () => drain() },
  });
  const write = async (buf: Uint8Array) => {
    let off = 0;
    while (off < buf.length) {
      const w = sock.write(buf.subarray(off));
      off += w;
      if (off < buf.length) await new Promise<void>((r) => (drain = r));
    }
  };
  const { u8, dv } = template(size);
  const t0 = now();
  if (a.mode !== "tput") {
    const pace = pacer(a.rate);
    for (let i = 0; i < a.count; i++) {
      pace();
      dv.setUint32(0, i, true);
      dv.setFloat64(8, now(), true);
      await write(u8);
    }
  } else if (!a.batch) {
    for (let i = 0; i < a.count; i++) {
      dv.setUint32(0, i, true);
      await write(u8);
    }
  } else {
    // batched: records copied one by one into a 64 KiB buffer, one write per buffer
    const buf = new Uint8Array(Math.max(65536, size));
    const per = Math.floor(buf.length / size);
    for (let i = 0; i < a.count; ) {
      let k = 0;
      for (; k < per && i < a.count; k++, i++) {
        dv.setUint32(0, i, true);
        buf.set(u8, k * size);
      }
      await write(buf.subarray(0, k * size));
    }
  }
  out({ t0 });
  sock.end();
}

async function redisSub(): Promise<void> {
  const { RedisClient } = await import("bun");
  const c = new RedisClient(`redis://127.0.0.1:${a.port}`);
  const lat = new Float64Array(a.mode === "tput" ? 0 : a.count);
  let n = 0;
  let bad = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  await c.subscribe("bench", (msg) => {
    const sep = msg.indexOf("|");
    if (Number(msg.slice(0, sep)) !== n) bad++;
    if (a.mode !== "tput") lat[n] = now() - Number(msg.slice(sep + 1, msg.indexOf("|", sep + 1)));
    if (++n === a.count) done();
  });
  out({ ready: true });
  await finished;
  const t1 = now();
  out(a.mode === "tput" ? { t1, count: n, bad } : { ...percentiles(lat, n), count: n, bad });
  c.close();
}

function textMsg(i: number, ts: number, size: number): string {
  const head = `${i}|${ts}|`;
  return head.length >= size ? head : head + "x".repeat(size - head.length);
}

async function redisPub(): Promise<void> {
  const { RedisClient } = await import("bun");
  const c = new RedisClient(`redis://127.0.0.1:${a.port}`);
  await c.connect();
  const filler = "x".repeat(a.size);
  const t0 = now();
  if (a.mode === "tput") {
    let inflight: Promise<number>[] = [];
    for (let i = 0; i < a.count; i++) {
      const head = `${i}|0|`;
      inflight.push(c.publish("bench", head + filler.slice(head.length)));
      if (inflight.length === 1000) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
    await Promise.all(inflight);
  } else {
    const pace = pacer(a.rate);
    for (let i = 0; i < a.count; i++) {
      pace();
      await c.publish("bench", textMsg(i, now(), a.size));
    }
  }
  out({ t0 });
  c.close();
}

async function natsSub(): Promise<void> {
  const nc = await natsConnect({ servers: `127.0.0.1:${a.port}` });
  const lat = new Float64Array(a.mode === "tput" ? 0 : a.count);
  let n = 0;
  let bad = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => (done = r));
  nc.subscribe("bench", {
    callback: (_e, m) => {
      const dv = new DataView(m.data.buffer, m.data.byteOffset, m.data.byteLength);
      if (dv.getUint32(0, true) !== n) bad++;
      if (a.mode !== "tput") lat[n] = now() - dv.getFloat64(8, true);
      if (++n === a.count) done();
    },
  });
  await nc.flush();
  out({ ready: true });
  await finished;
  const t1 = now();
  out(a.mode === "tput" ? { t1, count: n, bad } : { ...percentiles(lat, n), count: n, bad });
  await nc.close();
}

async function natsPub(): Promise<void> {
  const nc = await natsConnect({ servers: `127.0.0.1:${a.port}` });
  const { u8, dv } = template(Math.max(16, a.size));
  const t0 = now();
  if (a.mode === "tput") {
    for (let i = 0; i < a.count; i++) {
      dv.setUint32(0, i, true);
      nc.publish("bench", u8.slice());
      if (i % 1000 === 999) await nc.flush();
    }
  } else {
    const pace = pacer(a.rate);
    for (let i = 0; i < a.count; i++) {
      pace();
      dv.setUint32(0, i, true);
      dv.setFloat64(8, now(), true);
      nc.publish("bench", u8.slice());
      await nc.flush();
    }
  }
  await nc.flush();
  out({ t0 });
  await nc.close();
}

async function idle(): Promise<void> {
  const seg = ShmSegment.attach(a.name!);
  const bus = seg.join(0);
  out({ ready: true });
  for (;;) {
    if (bus.poll(() => {}) === 0) await bus.wait(1000);
  }
}

const roles: Record<string, () => Promise<void>> = {
  "bus-prod": busProd,
  "bus-cons": busCons,
  "uds-prod": udsProd,
  "uds-cons": udsCons,
  "redis-pub": redisPub,
  "redis-sub": redisSub,
  "nats-pub": natsPub,
  "nats-sub": natsSub,
  idle,
};
await roles[a.role]();
process.exit(0);
