import { describe, expect, test } from "bun:test";
import { MemoryCluster } from "@statd/shm-bus";
import { Outbox } from "./outbox.ts";
import { decodeRecord, K } from "./records.ts";

const quiet = { error() {} };

describe("Outbox", () => {
  test("a full ring keeps records in order until there is room; nothing is overwritten", () => {
    const mc = new MemoryCluster({ maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 1024 });
    const a = mc.join(0);
    const b = mc.join(1);
    const out = new Outbox(a, () => true, quiet);
    for (let i = 0; i < 200; i++) expect(out.send(1, { k: K.close, sid: `s${i}` })).toBe(true);
    expect(out.waiting).toBe(true);
    const got: string[] = [];
    for (let round = 0; round < 100 && got.length < 200; round++) {
      out.flush();
      a.flush();
      b.poll((u8, off, len) => {
        const r = decodeRecord(u8, off, len);
        if (r.k === K.close) got.push(r.sid);
      });
    }
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => `s${i}`));
    expect(out.waiting).toBe(false);
    expect(out.counters).toEqual({ recordsOut: 200, droppedDead: 0, backlog: 0 });
  });

  test("a slot that is not alive gets nothing: dropped and counted, also what waited for it", () => {
    const mc = new MemoryCluster({ maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 1024 });
    const a = mc.join(0);
    let alive = true;
    const out = new Outbox(a, () => alive, quiet);
    for (let i = 0; i < 200; i++) out.send(1, { k: K.close, sid: `s${i}` });
    const waiting = out.counters.backlog;
    expect(waiting).toBeGreaterThan(0);
    alive = false;
    expect(out.send(1, { k: K.close, sid: "late" })).toBe(false);
    out.flush();
    expect(out.waiting).toBe(false);
    expect(out.counters.droppedDead).toBe(waiting + 1);
    expect(out.counters.backlog).toBe(0);
  });
});
