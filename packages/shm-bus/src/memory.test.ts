import * as t from "bun:test";
import { describe, expect, test } from "bun:test";
import { busContract } from "./bus_contract.ts";
import { Membership } from "./membership.ts";
import { MemoryCluster } from "./memory.ts";
import type { SegmentBus } from "./segment_bus.ts";

busContract(t, "in-process (SharedArrayBuffer)", ({ instances, ringBytes, maxRecord }) => {
  const cluster = new MemoryCluster({
    maxInstances: instances,
    spscBytes: ringBytes,
    broadcastBytes: ringBytes,
    maxRecord,
    staleMs: 1000,
  });
  const buses: SegmentBus[] = [];
  for (let i = 0; i < instances; i++) buses.push(cluster.join(i, { heartbeatMs: 50 }));
  return {
    buses,
    kill: (id) => cluster.crash(buses[id]),
    restart: (id) => {
      buses[id] = cluster.join(id, { heartbeatMs: 50 });
      return buses[id];
    },
    close: () => {
      for (const b of buses) b.close();
    },
  };
});

describe("MemoryCluster", () => {
  test("an instance that others see alive receives every broadcast published from then on", () => {
    const c = new MemoryCluster({ maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 });
    const a = c.join(0, { heartbeatMs: 0 });
    // publish the moment instance 1 turns alive, before its constructor goes on
    const proto = Membership.prototype;
    const join = proto.join;
    proto.join = function (this: Membership, ...args: Parameters<Membership["join"]>) {
      const gen = join.apply(this, args);
      if (args[0] === 1) {
        expect(this.state(1).state).toBe("alive");
        expect(a.offer(-1, new Uint8Array([7]))).toBe(true);
        a.flush();
      }
      return gen;
    };
    let b: SegmentBus;
    try {
      b = c.join(1, { heartbeatMs: 0 });
    } finally {
      proto.join = join;
    }
    const got: number[] = [];
    b.poll((u8, off) => got.push(u8[off]));
    expect(got).toEqual([7]);
    a.close();
    b.close();
  });

  test("attach() validates a SharedArrayBuffer created elsewhere and shares it", () => {
    const c = new MemoryCluster({ maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 });
    const a = c.join(0, { heartbeatMs: 0 });
    const other = MemoryCluster.attach(c.segment.buffer as SharedArrayBuffer);
    const b = other.join(1, { heartbeatMs: 0 });
    a.offer(1, new Uint8Array([9]));
    a.flush();
    let v = 0;
    b.poll((u8, off) => (v = u8[off]));
    expect(v).toBe(9);
    expect(() => MemoryCluster.attach(new SharedArrayBuffer(4096))).toThrow(/empty|magic/);
    a.close();
    b.close();
  });

  test("a stalled (alive, heartbeat stale) subscriber is seen dead at once but evicted only after evictAfterMs", () => {
    let clock = 0;
    const c = new MemoryCluster({
      maxInstances: 3,
      spscBytes: 4096,
      broadcastBytes: 4096,
      maxRecord: 256,
      now: () => clock,
    });
    const [a, b, s] = [0, 1, 2].map((i) => c.join(i, { heartbeatMs: 0 }));
    const rec = new Uint8Array(200);
    while (a.offer(-1, rec)) b.poll(() => {});
    a.flush();
    b.poll(() => {});
    const tick = (ms: number) => {
      clock += ms;
      a.heartbeat();
      b.heartbeat();
    };
    tick(1500);
    expect(a.members()[2]).toMatchObject({ state: "dead", reason: "heartbeat stale (1500 ms)" });
    expect(a.offer(-1, rec)).toBe(false); // stale but not long enough: still holds the ring
    tick(2000);
    expect(a.offer(-1, rec)).toBe(true); // 3500 ms > 3 x staleMs: evicted
    expect(a.writer(-1).evictions).toBe(1);
    s.heartbeat(); // it was only stalled: it comes back, learns it was evicted, rejoins at the tail
    let n = 0;
    expect(s.poll(() => n++)).toBe(0);
    expect(c.inspect().rings.find((r) => r.kind === "broadcast" && r.from === 0)!.cursors[1].overruns).toBe(
      1,
    );
    a.flush(); // publishes the record offered after the eviction: it is after s's new head
    a.offer(-1, rec);
    a.flush();
    expect(s.poll(() => n++)).toBe(2);
    for (const x of [a, b, s]) x.close();
  });

  test("inspect() reports fill, counters and member states", () => {
    const c = new MemoryCluster({ maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 });
    const a = c.join(0, { heartbeatMs: 0 });
    const b = c.join(1, { heartbeatMs: 0 });
    for (let i = 0; i < 10; i++) a.offer(1, new Uint8Array(24));
    a.flush();
    let snap = c.inspect();
    const ring = snap.rings.find((r) => r.kind === "spsc" && r.from === 0 && r.to === 1)!;
    expect(ring.records).toBe(10);
    expect(ring.bytes).toBe(240);
    expect(ring.fillBytes).toBe(10 * 32);
    expect(ring.cursors[0].lagBytes).toBe(320);
    b.poll(() => {});
    snap = c.inspect();
    const r2 = snap.rings.find((r) => r.kind === "spsc" && r.from === 0 && r.to === 1)!;
    expect(r2.fillBytes).toBe(0);
    expect(r2.cursors[0].records).toBe(10);
    expect(snap.members.map((m) => m.state)).toEqual(["alive", "alive"]);
    c.crash(b);
    expect(c.inspect().members[1]).toMatchObject({ state: "dead", reason: "process gone" });
    a.close();
  });

  test("runs between Workers over one SharedArrayBuffer", async () => {
    if (typeof Worker === "undefined") return;
    const c = new MemoryCluster({
      maxInstances: 2,
      spscBytes: 1 << 16,
      broadcastBytes: 4096,
      maxRecord: 256,
    });
    const b = c.join(1, { heartbeatMs: 0 });
    const w = new Worker(new URL("./memory_worker_fixture.ts", import.meta.url).href, { type: "module" });
    const N = 50_000;
    w.postMessage({ sab: c.segment.buffer, n: N });
    let got = 0;
    let bad = 0;
    const t0 = Date.now();
    const h = (u8: Uint8Array, off: number, len: number) => {
      const dv = new DataView(u8.buffer, u8.byteOffset + off, len);
      if (dv.getUint32(0, true) !== got || len !== 8 + (got % 64)) bad++;
      got++;
    };
    while (got < N && Date.now() - t0 < 20_000) {
      b.poll(h, 1000);
      if (!b.available()) await b.wait(100);
    }
    w.terminate();
    expect(bad).toBe(0);
    expect(got).toBe(N);
    b.close();
  });
});
