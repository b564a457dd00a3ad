/**
 * The pitfalls seen on this machine (docs/bus.md "Pitfalls"), one test each: either
 * the hazard is shown to be real (so the reason for the rule stays checked as Bun changes) or the
 * bus is shown to avoid it. The fchmod (umask) case is in packages/shm-bus/src/bun/shm_bus.test.ts.
 */

import { toArrayBuffer } from "bun:ffi";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { monotonicMs } from "../packages/shm-bus/src/bun/libshm.ts";
import { isProcessAlive, processStartTime, procStat } from "../packages/shm-bus/src/bun/liveness.ts";
import { SharedMemory, unlinkSegment } from "../packages/shm-bus/src/bun/shm.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";

const names: string[] = [];
const pids: { kill(sig?: number): void; exitCode: number | null; signalCode: unknown }[] = [];
const uniq = () => {
  const n = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(n);
  return n;
};
afterAll(() => {
  for (const p of pids) if (p.exitCode === null && p.signalCode === null) p.kill(9);
  for (const n of names) unlinkSegment(n);
});
const shmTs = JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/shm.ts`);
const libTs = JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/libshm.ts`);

async function runChild(code: string): Promise<{ out: string; exitCode: number | null; signal: unknown }> {
  const p = Bun.spawn([process.execPath, "-e", code], { stdout: "pipe", stderr: "pipe" });
  pids.push(p);
  const out = await new Response(p.stdout).text();
  await p.exited;
  return { out: out.trim(), exitCode: p.exitCode, signal: p.signalCode };
}

const P = { maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 };

describe("pitfalls", () => {
  test("clocks: Bun's clocks restart in each process; CLOCK_MONOTONIC through libshm is shared", async () => {
    const before = monotonicMs();
    const r = await runChild(
      `import { monotonicMs } from ${libTs}; console.log(JSON.stringify([monotonicMs(), performance.now()]));`,
    );
    const after = monotonicMs();
    const [childMono, childPerf] = JSON.parse(r.out);
    expect(childMono).toBeGreaterThanOrEqual(before);
    expect(childMono).toBeLessThanOrEqual(after);
    // performance.now() counts from the child's own start: it cannot be compared across processes
    expect(childPerf).toBeLessThan(after - before + 1);
    expect(Math.abs(childMono - childPerf)).toBeGreaterThan(after - before);
  });

  test("parking: Atomics.wait refuses the mapping, so the bus parks in a Worker and the event loop keeps ticking", async () => {
    const seg = ShmSegment.create(uniq(), P);
    const i32 = new Int32Array(seg.memory.buffer);
    expect(() => Atomics.wait(i32, 0, 0, 1)).toThrow(TypeError);
    expect(Atomics.notify(i32, 0)).toBe(0); // silently wakes nobody
    const a = seg.join(0);
    const b = seg.join(1);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const woke = b.wait(30_000);
    const t0 = ticks;
    const deadline = Date.now() + 10_000;
    while (ticks < t0 + 5 && Date.now() < deadline) await Bun.sleep(1);
    clearInterval(timer);
    expect(ticks).toBeGreaterThanOrEqual(t0 + 5); // the main thread ran timers while b was parked
    expect(b.idle.phases.park + b.idle.phases.spin + b.idle.phases.yield).toBe(0); // still parked
    a.offer(1, new Uint8Array([1]));
    a.flush();
    expect(await woke).toBe(true);
    expect(b.idle.phases.park).toBe(1);
    seg.close();
  });

  test("parking: Bun's Atomics.waitAsync keeps a core busy; the doorbell Worker does not", async () => {
    const cpuDuring = async (f: () => Promise<unknown>) => {
      const c0 = process.cpuUsage();
      await f();
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / 1000;
    };
    type WaitAsync = (a: Int32Array, i: number, v: number, t: number) => { value: Promise<string> };
    const sab = new Int32Array(new SharedArrayBuffer(8));
    const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;
    const seg = ShmSegment.create(uniq(), P);
    const b = seg.join(1, { heartbeatMs: 0 });
    await b.wait(50); // start the doorbell Worker outside the measurement
    const spinning = await cpuDuring(() => waitAsync(sab, 0, 0, 300).value);
    const parked = await cpuDuring(() => b.wait(300));
    seg.close();
    // side by side in one run: the waitAsync burns what it gets, the futex doorbell next to nothing
    expect(spinning).toBeGreaterThan(30);
    expect(parked).toBeLessThan(spinning / 3);
  });

  test("posix_fallocate: a segment /dev/shm cannot hold fails at creation (ENOSPC), not later with SIGBUS", () => {
    const name = uniq();
    expect(() => SharedMemory.create(name, 2 ** 44)).toThrow(/ENOSPC|EFBIG/);
    expect(existsSync(`/dev/shm/${name}`)).toBe(false); // and leaves no name behind
  });

  test("zombies: kill(pid, 0) calls a zombie alive; /proc/PID/stat does not", async () => {
    // `sh` backgrounds a short child, then execs into `sleep`, which never reaps it: a zombie.
    const p = Bun.spawn(["sh", "-c", "sleep 0 & echo $!; exec sleep 30"], { stdout: "pipe" });
    pids.push(p);
    const reader = p.stdout.getReader();
    const { value } = await reader.read();
    reader.releaseLock();
    const zombie = Number(new TextDecoder().decode(value).trim());
    const deadline = Date.now() + 10_000;
    while (procStat(zombie)?.state !== "Z" && Date.now() < deadline) await Bun.sleep(5);
    expect(procStat(zombie)?.state).toBe("Z");
    expect(() => process.kill(zombie, 0)).not.toThrow(); // "alive" to kill(2)
    expect(isProcessAlive(zombie)).toBe(false);
    p.kill(9);
    await p.exited;
  });

  test("pid reuse: a live pid with another start time is not the recorded process", () => {
    const start = processStartTime(process.pid);
    expect(start).toBeGreaterThan(0);
    expect(isProcessAlive(process.pid, start)).toBe(true);
    expect(isProcessAlive(process.pid, start + 1)).toBe(false);
    expect(isProcessAlive(2 ** 30)).toBe(false);
  });

  test("munmap: a view used after munmap is a SIGSEGV, so the bus refuses use after close", async () => {
    const r = await runChild(
      `import { SharedMemory } from ${shmTs};
       const m = SharedMemory.create(${JSON.stringify(uniq())}, 4096); m.unlink();
       const u8 = new Uint8Array(m.buffer); m.close(); console.log("read", u8[0]);`,
    );
    expect(r.out).not.toContain("read");
    expect(r.exitCode === 0).toBe(false); // killed (SIGSEGV; Bun's crash handler may report it as an exit code)
    const seg = ShmSegment.create(uniq(), P);
    const a = seg.join(0);
    seg.close();
    expect(() => a.poll(() => {})).toThrow(/closed/);
    expect(() => a.offer(1, new Uint8Array(1))).toThrow(/closed/);
    expect(() => seg.inspect()).toThrow(/closed/);
  });

  test("Workers: posting the mapping's buffer copies it; posting the pointer shares it", async () => {
    const m = SharedMemory.create(uniq(), 4096);
    const w = new Worker(
      URL.createObjectURL(
        new Blob(
          [
            `import { toArrayBuffer } from "bun:ffi";
             self.onmessage = (e) => {
               const u8 = e.data.buf ? new Uint8Array(e.data.buf) : new Uint8Array(toArrayBuffer(e.data.ptr, 0, 4096));
               u8[e.data.at] = 7; postMessage("done");
             };`,
          ],
          { type: "application/typescript" },
        ),
      ),
    );
    const ask = (msg: object) =>
      new Promise<void>((res) => {
        w.onmessage = () => res();
        w.postMessage(msg);
      });
    const u8 = new Uint8Array(m.buffer);
    await ask({ buf: m.buffer, at: 1 });
    expect(u8[1]).toBe(0); // the worker wrote into a copy
    await ask({ ptr: m.ptr, at: 2 });
    expect(u8[2]).toBe(7); // same memory
    w.terminate();
    expect(new Uint8Array(toArrayBuffer(m.ptr as never, 0, 4))[2]).toBe(7);
    m.close();
    m.unlink();
  });

  test("read-only mappings: JIT-compiled Atomics.load on PROT_READ is a SIGSEGV, so inspection maps read-write", async () => {
    const name = uniq();
    const m = SharedMemory.create(name, 4096);
    const r = await runChild(
      `import { SharedMemory } from ${shmTs};
       const ro = SharedMemory.open(${JSON.stringify(name)}, { writable: false });
       const i32 = new Int32Array(ro.buffer); let s = 0;
       for (let i = 0; i < 1e6; i++) s += Atomics.load(i32, i & 7);
       console.log("survived", s);`,
    );
    expect(r.out).not.toContain("survived"); // if this starts to pass, PROT_READ inspection becomes possible
    const seg = ShmSegment.create(uniq(), P);
    const ro = ShmSegment.attach(seg.name, { readOnly: true });
    for (let i = 0; i < 2000; i++) ro.inspect(); // hot enough to be JIT-compiled
    expect(ro.inspect().members.length).toBe(2);
    ro.close();
    seg.close();
    m.close();
  });

  test("unlink while mapped: the name is gone for newcomers (ENOENT), never a silent second segment", () => {
    const name = uniq();
    const seg = ShmSegment.create(name, P);
    const a = seg.join(0);
    unlinkSegment(name);
    expect(() => ShmSegment.attach(name)).toThrow(/ENOENT/);
    a.offer(1, new Uint8Array(1)); // the mapping itself still works
    a.flush();
    seg.close({ unlink: false });
  });
});
