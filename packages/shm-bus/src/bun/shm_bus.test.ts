import * as t from "bun:test";
import { afterAll, describe, expect, test } from "bun:test";
import { busContract } from "../bus_contract.ts";
import type { SegmentBus } from "../segment_bus.ts";
import { unlinkSegment } from "./shm.ts";
import { ShmSegment } from "./shm_bus.ts";

const names: string[] = [];
const uniq = () => {
  const n = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(n);
  return n;
};
afterAll(() => {
  for (const n of names) unlinkSegment(n);
});

busContract(t, "shm (POSIX shared memory, futex doorbell)", ({ instances, ringBytes, maxRecord }) => {
  const seg = ShmSegment.create(uniq(), {
    maxInstances: instances,
    spscBytes: ringBytes,
    broadcastBytes: ringBytes,
    maxRecord,
  });
  // All endpoints live in this process (same pid): a "crash" stops heartbeats, so the others see
  // the heartbeat go stale (the pid-gone path is covered across processes in test/bus-*.test.ts).
  const opts = { heartbeatMs: 50, staleMs: 1000, evictAfterMs: 1000 };
  const buses: SegmentBus[] = [];
  for (let i = 0; i < instances; i++) buses.push(seg.join(i, opts));
  return {
    buses,
    kill: (id) => buses[id].abandon(),
    restart: (id) => {
      buses[id] = seg.join(id, opts);
      return buses[id];
    },
    close: () => seg.close(),
  };
});

describe("ShmSegment", () => {
  const params = { maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 256 };

  test("create is exclusive, mode 0600 whatever the umask, and the creator unlinks on close", async () => {
    const name = uniq();
    const old = process.umask(0o000);
    let seg: ShmSegment;
    try {
      seg = ShmSegment.create(name, params);
    } finally {
      process.umask(old);
    }
    const st = await Bun.file(`/dev/shm/${name}`).stat();
    expect(st.mode & 0o777).toBe(0o600);
    expect(() => ShmSegment.create(name, params)).toThrow(/EEXIST/);
    const other = ShmSegment.attach(name);
    expect(other.owner).toBe(false);
    other.close();
    expect(await Bun.file(`/dev/shm/${name}`).exists()).toBe(true); // an attacher never unlinks
    seg.close();
    expect(await Bun.file(`/dev/shm/${name}`).exists()).toBe(false);
  });

  test("refuses bad names with a clear error", () => {
    for (const bad of ["", ".", "..", "a/b", "x".repeat(65), "sp ace", "é"]) {
      expect(() => ShmSegment.create(bad, params)).toThrow(/invalid shm segment name/);
      expect(() => ShmSegment.attach(bad)).toThrow(/invalid shm segment name/);
    }
  });

  test("attach to a missing segment says ENOENT", () => {
    expect(() => ShmSegment.attach(uniq())).toThrow(/ENOENT/);
  });

  test("a read-only attach inspects without joining", () => {
    const name = uniq();
    const seg = ShmSegment.create(name, params);
    const a = seg.join(0, { heartbeatMs: 0 });
    a.offer(1, new Uint8Array(10));
    a.flush();
    const ro = ShmSegment.attach(name, { readOnly: true });
    const snap = ro.inspect();
    expect(snap.members[0]).toMatchObject({ state: "alive", pid: process.pid, generation: 1 });
    expect(snap.members[1].state).toBe("free");
    expect(snap.rings.find((r) => r.kind === "spsc" && r.from === 0)!.records).toBe(1);
    expect(() => ro.join(1)).toThrow(/read-only/);
    ro.close();
    seg.close();
  });

  test("unmapping the segment while an endpoint waits ends the wait without touching the memory", async () => {
    const seg = ShmSegment.create(uniq(), params);
    const b = seg.join(1, { heartbeatMs: 10 });
    const w = b.wait(60_000);
    await Bun.sleep(20);
    seg.close(); // closes b, stops its doorbell Worker, munmaps
    expect(await w).toBe(false);
    await Bun.sleep(50); // a heartbeat or a late wake-up touching the unmapped memory would crash here
    expect(seg.memory.mapped).toBe(false);
  });

  test("a live slot is not taken by another process", async () => {
    const name = uniq();
    const seg = ShmSegment.create(name, params);
    seg.join(0, { heartbeatMs: 50 });
    const child = Bun.spawn(
      [
        process.execPath,
        "-e",
        `import { ShmSegment } from ${JSON.stringify(`${import.meta.dir}/shm_bus.ts`)};
         const s = ShmSegment.attach(${JSON.stringify(name)});
         try { s.join(0); console.log("joined"); } catch (e) { console.log(e.name + ": " + e.message); }
         s.close();`,
      ],
      { stdout: "pipe", stderr: "pipe" },
    );
    const out = await new Response(child.stdout).text();
    await child.exited;
    expect(out).toContain("MemberBusyError: instance 0 is held by live pid");
    seg.close();
  });
});
