/**
 * Child process of the cross-process bus tests (test/bus-*.test.ts). Joins instance `id` of an
 * existing shm segment, sends records to peers (SPSC) and/or to all (broadcast), receives,
 * checks every record (checksum, order per publisher incarnation), and prints one JSON line.
 *
 * Record: u32 from | u32 generation | u32 seq (bit 31 set = broadcast) | u32 checksum | body.
 *
 * Usage: bun test/bus-child.ts '{"name":..., "id":0, "peers":[1,2], "perPeer":1000, ...}'
 * @module
 */

import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { BROADCAST } from "../packages/shm-bus/src/bus.ts";

interface Args {
  name: string;
  id: number;
  /** SPSC destinations. */
  peers: number[];
  /** Records to each peer (-1: until killed). */
  perPeer: number;
  /** Broadcast records. */
  broadcast: number;
  /** Stop receiving when these counts (key "from/gen/s|b") are reached. */
  expect: Record<string, number>;
  minLen: number;
  maxLen: number;
  /** Print a progress line every this many sent records (0: never). */
  progressEvery?: number;
  /**
   * Give up after this long (default 60 s; not with `perPeer` -1): print what is still missing,
   * the members and the rings as one JSON line and exit 3, so a hang fails its test with a
   * diagnosis instead of running into the test timeout.
   */
  deadlineMs?: number;
}

const args: Args = JSON.parse(process.argv[2]);
const seg = ShmSegment.attach(args.name);
const bus = seg.join(args.id);
const gen = bus.generation;
// Broadcast reaches the subscribers joined at publication time: start once every peer is alive
// (an instance is alive only once its broadcast cursors are attached).
const all = [...new Set([...args.peers, ...Object.keys(args.expect).map((k) => Number(k.split("/")[0]))])];
const deadline = performance.now() + (args.deadlineMs ?? 60_000);
const joined = (st: string): boolean => st !== "free" && st !== "joining";
while (!all.every((p) => p >= bus.instances || joined(bus.members()[p].state))) {
  if (performance.now() > deadline) {
    console.log(JSON.stringify({ id: args.id, stuck: "peers never joined", members: bus.members() }));
    process.exit(3);
  }
  await Bun.sleep(1);
}

function body(out: Uint8Array, from: number, g: number, seq: number, len: number): void {
  const dv = new DataView(out.buffer, out.byteOffset, len);
  dv.setUint32(0, from, true);
  dv.setUint32(4, g, true);
  dv.setUint32(8, seq, true);
  let x = (Math.imul(seq, 2654435761) ^ (from << 24) ^ g) >>> 0;
  for (let i = 16; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  dv.setUint32(12, checksum(out, 0, len), true);
}

function checksum(u8: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 12; i++) h = Math.imul(h ^ u8[off + i], 0x01000193);
  for (let i = 16; i < len; i++) h = Math.imul(h ^ u8[off + i], 0x01000193);
  return h >>> 0;
}

const counts = new Map<string, number>();
const next = new Map<string, number>();
let bad = 0;
const errors: string[] = [];
let received = 0;
const handler = (u8: Uint8Array, off: number, len: number, from: number) => {
  received++;
  const dv = new DataView(u8.buffer, u8.byteOffset + off, len);
  if (len < 16) {
    bad++;
    if (errors.length < 5) errors.push(`short record ${len} from ${from}`);
    return;
  }
  const f = dv.getUint32(0, true);
  const g = dv.getUint32(4, true);
  const s = dv.getUint32(8, true);
  const kind = s & 0x80000000 ? "b" : "s";
  const seq = s & 0x7fffffff;
  const key = `${f}/${g}/${kind}`;
  if (f !== from || checksum(u8, off, len) !== dv.getUint32(12, true)) {
    bad++;
    if (errors.length < 5) errors.push(`bad record from ${from} key ${key} seq ${seq}`);
    return;
  }
  const want = next.get(key) ?? 0;
  if (seq !== want) {
    bad++;
    if (errors.length < 5) errors.push(`order: ${key} got ${seq} want ${want}`);
  }
  next.set(key, seq + 1);
  counts.set(key, (counts.get(key) ?? 0) + 1);
};

const expectKeys = Object.entries(args.expect);
const doneReceiving = () => expectKeys.every(([k, n]) => (counts.get(k) ?? 0) >= n);
const scratch = new Uint8Array(Math.max(16, args.maxLen));
let rnd = (args.id + 1) * 7919;
const nextLen = () => {
  rnd = (Math.imul(rnd, 1103515245) + 12345) >>> 0;
  return args.minLen + ((rnd >>> 8) % (args.maxLen - args.minLen + 1));
};
const sentTo = new Map<number, number>(args.peers.map((p) => [p, 0]));
let bsent = 0;
let sent = 0;
const infinite = args.perPeer < 0;
const sendsLeft = () =>
  infinite || bsent < args.broadcast || args.peers.some((p) => (sentTo.get(p) ?? 0) < args.perPeer);

function giveUp(): never {
  const missing = Object.fromEntries(
    expectKeys
      .filter(([k, n]) => (counts.get(k) ?? 0) < n)
      .map(([k, n]) => [k, `${counts.get(k) ?? 0}/${n}`]),
  );
  const snap = seg.inspect();
  console.log(
    JSON.stringify({
      id: args.id,
      stuck: true,
      sendsLeft: sendsLeft(),
      sentTo: Object.fromEntries(sentTo),
      bsent,
      received,
      missing,
      members: snap.members,
      rings: snap.rings,
    }),
  );
  process.exit(3);
}

let iter = 0;
while (sendsLeft() || !doneReceiving()) {
  if (!infinite && performance.now() > deadline) giveUp();
  let progress = 0;
  for (const p of args.peers) {
    for (let i = 0; i < 64; i++) {
      const s = sentTo.get(p)!;
      if (!infinite && s >= args.perPeer) break;
      const len = nextLen();
      const at = bus.claim(p, len);
      if (at < 0) break;
      body(scratch, args.id, gen, s, len);
      bus.buffer.set(scratch.subarray(0, len), at);
      bus.commit();
      sentTo.set(p, s + 1);
      sent++;
      progress++;
      if (args.progressEvery && sent % args.progressEvery === 0)
        console.log(JSON.stringify({ progress: sent }));
    }
  }
  for (let i = 0; i < 64 && bsent < args.broadcast; i++) {
    const len = nextLen();
    body(scratch, args.id, gen, (bsent | 0x80000000) >>> 0, len);
    if (!bus.offer(BROADCAST, scratch, 0, len)) break;
    bsent++;
    progress++;
  }
  bus.flush();
  progress += bus.poll(handler, 4096);
  if (progress === 0) await bus.wait(sendsLeft() ? 1 : 20);
  else if ((++iter & 255) === 0) await new Promise((r) => setImmediate(r));
}
bus.flush();
console.log(
  JSON.stringify({
    id: args.id,
    pid: process.pid,
    generation: gen,
    sent,
    bsent,
    received,
    bad,
    errors,
    counts: Object.fromEntries(counts),
  }),
);
seg.close();
