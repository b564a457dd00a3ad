/**
 * Faults across real processes: a producer SIGKILLed mid-stream, a dead instance detected (pid
 * gone, or heartbeat stale), a restarted instance taking its slot back, corrupted or foreign
 * segments refused.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { unlinkSegment } from "../packages/shm-bus/src/bun/shm.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";
import { H } from "../packages/shm-bus/src/layout.ts";

import {
  type BusChild as Child,
  killBusChildren,
  busChildResult as result,
  spawnBusChild as spawnChild,
} from "./bus-children.ts";

const names: string[] = [];
const uniq = () => {
  const n = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(n);
  return n;
};
afterAll(() => {
  killBusChildren();
  for (const n of names) unlinkSegment(n);
});

/** Resolves when the child prints a progress line with at least `n`. */
async function progress(p: Child, n: number): Promise<void> {
  const reader = p.stdout.getReader();
  let buf = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("child ended before progress");
      buf += new TextDecoder().decode(value);
      const lines = buf.split("\n");
      buf = lines.pop()!;
      for (const l of lines) if ((JSON.parse(l).progress ?? 0) >= n) return;
    }
  } finally {
    reader.releaseLock();
  }
}

async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(2);
  }
}

describe("faults across processes", () => {
  test("a producer killed with SIGKILL mid-stream: no torn record, the others go on, its restart takes the slot back", async () => {
    const name = uniq();
    const seg = ShmSegment.create(name, {
      maxInstances: 3,
      spscBytes: 1 << 16,
      broadcastBytes: 1 << 16,
      maxRecord: 1024,
    });
    const NB = 300_000;
    const K = 50_000;
    const common = { name, broadcast: 0, minLen: 16, maxLen: 1000 };
    const c = spawnChild({ ...common, id: 2, peers: [], perPeer: 0, expect: { "1/1/s": NB, "0/2/s": K } });
    const b = spawnChild({ ...common, id: 1, peers: [2], perPeer: NB, expect: {} });
    const a = spawnChild({ ...common, id: 0, peers: [2], perPeer: -1, expect: {}, progressEvery: 5000 });
    await progress(a, 40_000);
    a.kill(9); // between any two instructions: maybe mid-claim, mid-copy, before publication
    await a.exited;
    expect(a.signalCode).toBe("SIGKILL");
    // pid gone (reaped): others see it dead at once, with the reason
    expect(seg.inspect().members[0]).toMatchObject({ state: "dead", reason: "process gone", generation: 1 });
    const a2 = spawnChild({ ...common, id: 0, peers: [2], perPeer: K, expect: {} });
    const [rc, rb, ra2] = await Promise.all([result(c), result(b), result(a2)]);
    expect(ra2.generation).toBe(2);
    expect(rc.errors).toEqual([]);
    expect(rc.bad).toBe(0);
    expect(rc.counts["1/1/s"]).toBe(NB);
    expect(rc.counts["0/2/s"]).toBe(K);
    // what the killed producer published arrived, contiguous from 0 (order checked by the child);
    // it printed 40 000 after committing them, and publishes at most 64 records later than that
    expect(rc.counts["0/1/s"]).toBeGreaterThanOrEqual(40_000 - 64);
    expect(rb.bad).toBe(0);
    const ring = seg.inspect().rings.find((r) => r.kind === "spsc" && r.from === 0 && r.to === 2)!;
    expect(ring.cursors[0].overruns).toBe(0);
    seg.close();
  }, 60_000);

  test("a stopped instance is seen dead by its stale heartbeat, and alive again when it resumes", async () => {
    const name = uniq();
    const seg = ShmSegment.create(name, {
      maxInstances: 2,
      spscBytes: 4096,
      broadcastBytes: 4096,
      maxRecord: 64,
    });
    const p = spawnChild({
      name,
      id: 1,
      peers: [],
      perPeer: 0,
      broadcast: 0,
      expect: { "9/9/s": 1 },
      minLen: 16,
      maxLen: 16,
    });
    await until(() => seg.inspect().members[1].state === "alive", 10_000, "child joined");
    process.kill(p.pid, "SIGSTOP");
    try {
      await until(() => seg.inspect().members[1].state === "dead", 10_000, "stale heartbeat seen");
      expect(seg.inspect().members[1].reason).toMatch(/heartbeat stale/);
    } finally {
      process.kill(p.pid, "SIGCONT");
    }
    await until(() => seg.inspect().members[1].state === "alive", 10_000, "heartbeat resumed");
    p.kill(9);
    await p.exited;
    expect(seg.inspect().members[1]).toMatchObject({ state: "dead", reason: "process gone" });
    seg.close();
  }, 30_000);

  test("a corrupted header is refused by another process with a clear error", async () => {
    const name = uniq();
    const seg = ShmSegment.create(name, {
      maxInstances: 2,
      spscBytes: 4096,
      broadcastBytes: 4096,
      maxRecord: 64,
    });
    const attach = async () => {
      const p = Bun.spawn(
        [
          process.execPath,
          "-e",
          `import { ShmSegment } from ${JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/shm_bus.ts`)};
           try { ShmSegment.attach(${JSON.stringify(name)}).close(); console.log("attached"); }
           catch (e) { console.log(e.name + " " + e.code + ": " + e.message); process.exit(1); }`,
        ],
        { stdout: "pipe", stderr: "pipe" },
      );
      const out = await new Response(p.stdout).text();
      return { code: await p.exited, out: out.trim() };
    };
    expect(await attach()).toEqual({ code: 0, out: "attached" });
    const i32 = seg.segment.view.i32;
    const saved = i32[H.maxRecord >> 2];
    i32[H.maxRecord >> 2] = 4096; // a stray write into the header
    const r = await attach();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^SegmentError BAD_HEADER: shm segment "statd-test-.*" refused: .*checksum.*corrupted/,
    );
    i32[H.maxRecord >> 2] = saved;
    i32[H.magic >> 2] = 0x7f454c46;
    expect((await attach()).out).toMatch(/BAD_MAGIC: .*not a statd bus segment/);
    seg.close();
  }, 30_000);

  test("foreign and truncated objects in /dev/shm are refused", () => {
    const foreign = uniq();
    writeFileSync(
      `/dev/shm/${foreign}`,
      new Uint8Array(8192).map((_, i) => (i * 37) & 0xff),
    );
    expect(() => ShmSegment.attach(foreign)).toThrow(/BAD_MAGIC|not a statd bus segment/);
    const good = uniq();
    const seg = ShmSegment.create(good, {
      maxInstances: 2,
      spscBytes: 4096,
      broadcastBytes: 4096,
      maxRecord: 64,
    });
    const trunc = uniq();
    writeFileSync(`/dev/shm/${trunc}`, new Uint8Array(seg.memory.buffer.slice(0, 4096)));
    expect(() => ShmSegment.attach(trunc)).toThrow(/BAD_SIZE.*truncated or foreign|is 4096 bytes/);
    const empty = uniq();
    writeFileSync(`/dev/shm/${empty}`, new Uint8Array(0));
    expect(() => ShmSegment.attach(empty)).toThrow(/empty/);
    seg.close();
  });
});
