import { afterAll, expect, test } from "bun:test";
import { BROADCAST } from "../bus.ts";
import { recordSum } from "./batch_producer_fixture.ts";
import { unlinkSegment } from "./shm.ts";
import { ShmSegment } from "./shm_bus.ts";

const names: string[] = [];
const procs: { pid: number; kill(sig?: number): void }[] = [];
afterAll(() => {
  for (const p of procs) {
    try {
      p.kill(9);
    } catch {}
  }
  for (const n of names) unlinkSegment(n);
});

test("offerBatch across processes: two subscribers get every checksummed record, in order, through many wraps", async () => {
  const name = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(name);
  // 16 KiB rings: 200 k records of 12..300 B go round each ring ~2000 times
  const seg = ShmSegment.create(name, {
    maxInstances: 3,
    spscBytes: 16384,
    broadcastBytes: 16384,
    maxRecord: 1024,
  });
  try {
    const b1 = seg.join(1);
    const b2 = seg.join(2);
    const count = 100_000;
    const got = { spsc1: 0, bcast1: 0, bcast2: 0 };
    let bad = 0;
    const check = (u8: Uint8Array, off: number, len: number, want: number, to: number): boolean => {
      const dv = new DataView(u8.buffer, u8.byteOffset + off, len);
      const ok =
        len >= 12 &&
        dv.getUint32(0, true) === want &&
        dv.getUint32(4, true) === to + 1 &&
        dv.getUint32(8, true) === recordSum(u8, off, len);
      if (!ok) bad++;
      return ok;
    };
    const h1 = (u8: Uint8Array, off: number, len: number, from: number) => {
      expect(from).toBe(0);
      const to = new DataView(u8.buffer, u8.byteOffset + off, len).getUint32(4, true) - 1;
      if (to === 1) check(u8, off, len, got.spsc1++, 1);
      else check(u8, off, len, got.bcast1++, BROADCAST);
    };
    const h2 = (u8: Uint8Array, off: number, len: number) => {
      check(u8, off, len, got.bcast2++, BROADCAST);
    };
    const child = Bun.spawn(
      [
        process.execPath,
        `${import.meta.dir}/batch_producer_fixture.ts`,
        JSON.stringify({ name, id: 0, to: [1, BROADCAST], count, minLen: 12, maxLen: 300, maxBatch: 80 }),
      ],
      { stdout: "pipe", stderr: "inherit" },
    );
    procs.push(child);
    const deadline = Date.now() + 30_000;
    while (got.spsc1 < count || got.bcast1 < count || got.bcast2 < count) {
      if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(got)}`);
      if (b1.poll(h1, 4096) + b2.poll(h2, 4096) === 0) await b1.wait(10);
    }
    const out = JSON.parse(await new Response(child.stdout).text());
    expect(await child.exited).toBe(0);
    expect(out.sent).toEqual([count, count]);
    expect(out.full).toBeGreaterThan(0); // the rings did fill: back-pressure was exercised
    expect(bad).toBe(0);
    expect(got).toEqual({ spsc1: count, bcast1: count, bcast2: count });
    expect(b1.poll(h1) + b2.poll(h2)).toBe(0); // nothing more, nothing twice
  } finally {
    seg.close();
  }
}, 60_000);
