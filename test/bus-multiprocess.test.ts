/**
 * Several real Bun processes on one shm segment: every record checksummed and ordered per
 * publisher, exact counts, SPSC and broadcast at once (4 processes on this 2-vCPU box, so the
 * idle strategy's parking is exercised too).
 */
import { afterAll, expect, test } from "bun:test";
import { unlinkSegment } from "../packages/shm-bus/src/bun/shm.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { busChildResult, killBusChildren, spawnBusChild } from "./bus-children.ts";

const name = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
afterAll(() => {
  killBusChildren();
  unlinkSegment(name);
});

test("4 processes exchange ~2 M records (SPSC + broadcast), all checksummed, exact counts", async () => {
  const N = 4;
  const perPeer = 120_000;
  const broadcast = 40_000;
  const seg = ShmSegment.create(name, {
    maxInstances: N,
    spscBytes: 1 << 18,
    broadcastBytes: 1 << 18,
    maxRecord: 1024,
  });
  const procs = [];
  for (let id = 0; id < N; id++) {
    const peers = [...Array(N).keys()].filter((p) => p !== id);
    const expectCounts: Record<string, number> = {};
    for (const p of peers) {
      expectCounts[`${p}/1/s`] = perPeer;
      expectCounts[`${p}/1/b`] = broadcast;
    }
    const arg = { name, id, peers, perPeer, broadcast, expect: expectCounts, minLen: 16, maxLen: 200 };
    procs.push({ p: spawnBusChild(arg), expectCounts });
  }
  const results = await Promise.all(procs.map(({ p }) => busChildResult(p)));
  let total = 0;
  for (let id = 0; id < N; id++) {
    const r = results[id];
    expect(r.errors).toEqual([]);
    expect(r.bad).toBe(0);
    expect(r.counts).toEqual(procs[id].expectCounts);
    expect(r.sent).toBe(perPeer * (N - 1));
    expect(r.bsent).toBe(broadcast);
    total += r.received as number;
  }
  expect(total).toBe(N * (N - 1) * (perPeer + broadcast));
  // The counters in shared memory agree, and every ring was drained.
  const snap = seg.inspect();
  for (const ring of snap.rings) {
    expect(ring.records).toBe(ring.kind === "spsc" ? perPeer : broadcast);
    expect(ring.fillBytes).toBe(0);
    for (const c of ring.cursors) expect(c.overruns).toBe(0);
  }
  expect(snap.members.map((m) => m.state)).toEqual(["left", "left", "left", "left"]);
  seg.close();
}, 120_000);
