import { afterAll, expect, test } from "bun:test";
import { ShmSegment, unlinkSegment } from "@statd/shm-bus/bun";
import { type ParentGone, watchParent } from "./watch_parent.ts";

const procs: { pid: number; kill(sig?: number): void }[] = [];
const names: string[] = [];
afterAll(() => {
  for (const p of procs) p.kill(9);
  for (const n of names) unlinkSegment(n);
});

/** Resolves with what onGone got, or rejects after `ms`. */
function gone(target: string | number, ms: number): Promise<ParentGone> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`onGone not called within ${ms} ms`)), ms);
    watchParent(
      target,
      (g) => {
        clearTimeout(t);
        resolve(g);
      },
      { intervalMs: 20 },
    );
  });
}

test("a watched pid that is SIGKILLed is reported gone, once", async () => {
  const p = Bun.spawn([process.execPath, "-e", "setInterval(() => {}, 1000)"]);
  procs.push(p);
  let calls = 0;
  watchParent(p.pid, () => calls++, { intervalMs: 20 });
  const g = gone(p.pid, 10_000);
  p.kill(9);
  expect(await g).toEqual({ pid: p.pid });
  const end = performance.now() + 200; // more intervals pass: still one call
  while (performance.now() < end) await Bun.sleep(20);
  expect(calls).toBe(1);
});

test("the creator of a segment, read from its header, is watched", async () => {
  const name = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(name);
  const mod = JSON.stringify(`${import.meta.dir}/../../../../packages/shm-bus/src/bun/shm_bus.ts`);
  const p = Bun.spawn(
    [
      process.execPath,
      "-e",
      `import { ShmSegment } from ${mod};
       ShmSegment.create(${JSON.stringify(name)}, { maxInstances: 1, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 });
       console.log("ready"); setInterval(() => {}, 1000);`,
    ],
    { stdout: "pipe" },
  );
  procs.push(p);
  const r = p.stdout.getReader();
  expect(new TextDecoder().decode((await r.read()).value)).toContain("ready");
  const g = gone(name, 10_000);
  p.kill(9); // no cleanup: the segment stays, its creator is gone
  expect(await g).toEqual({ pid: p.pid });
  expect(ShmSegment.holder(name)).toBeNull();
});

test("a live parent is not reported; stop() ends the watch", async () => {
  let calls = 0;
  const stop = watchParent(process.pid, () => calls++, { intervalMs: 10 });
  const end = performance.now() + 100;
  while (performance.now() < end) await Bun.sleep(10);
  stop();
  expect(calls).toBe(0);
});

test("a pid that does not exist is reported gone (asynchronously); bad input throws", async () => {
  let called = false;
  const g = new Promise<ParentGone>((r) =>
    watchParent(2 ** 30, (x) => {
      called = true;
      r(x);
    }),
  );
  expect(called).toBe(false); // never from inside watchParent itself
  expect((await g).pid).toBe(2 ** 30);
  expect(() => watchParent("statd-no-such-segment-here", () => {})).toThrow(/ENOENT/);
  expect(() => watchParent(1, () => {}, { intervalMs: 0 })).toThrow(/intervalMs/);
});
