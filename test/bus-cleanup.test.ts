/**
 * Cleanup on exit and on signals, across real processes: the creator unlinks its segment, a
 * joined instance leaves its slot, and the process still dies of the signal it got.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { unlinkSegment } from "../packages/shm-bus/src/bun/shm.ts";
import { ShmSegment } from "../packages/shm-bus/src/bun/shm_bus.ts";

const names: string[] = [];
const procs: { kill(sig?: number): void; exitCode: number | null; signalCode: unknown }[] = [];
const uniq = () => {
  const n = `statd-test-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  names.push(n);
  return n;
};
afterAll(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill(9);
  for (const n of names) unlinkSegment(n);
});
const mod = JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/shm_bus.ts`);
const P = { maxInstances: 2, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 };

/** Starts `code` in a child, waits for its "ready" line. */
async function start(code: string) {
  const p = Bun.spawn([process.execPath, "-e", code], { stdout: "pipe", stderr: "pipe" });
  procs.push(p);
  const reader = p.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  expect(new TextDecoder().decode(value)).toContain("ready");
  return p;
}

for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`the creator unlinks its segment on ${sig} and dies of it`, async () => {
    const name = uniq();
    const p = await start(
      `import { ShmSegment } from ${mod};
       const s = ShmSegment.create(${JSON.stringify(name)}, ${JSON.stringify(P)});
       s.join(0); console.log("ready"); setInterval(() => {}, 1000);`,
    );
    expect(existsSync(`/dev/shm/${name}`)).toBe(true);
    p.kill(sig);
    await p.exited;
    expect(p.signalCode).toBe(sig);
    expect(existsSync(`/dev/shm/${name}`)).toBe(false);
  });
}

test("an attached instance leaves its slot at a normal exit and on a signal, and never unlinks", async () => {
  const name = uniq();
  const seg = ShmSegment.create(name, P);
  const code = (exit: string) =>
    `import { ShmSegment } from ${mod};
     const s = ShmSegment.attach(${JSON.stringify(name)}); s.join(1); console.log("ready");
     ${exit}`;
  const a = await start(code("setTimeout(() => process.exit(0), 50);"));
  await a.exited;
  expect(seg.inspect().members[1].state).toBe("left");
  const b = await start(code("setInterval(() => {}, 1000);"));
  expect(seg.inspect().members[1]).toMatchObject({ state: "alive", generation: 2 });
  b.kill("SIGTERM");
  await b.exited;
  expect(seg.inspect().members[1].state).toBe("left");
  expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  seg.close();
});

test("an application with its own signal handler keeps control (no forced exit)", async () => {
  const name = uniq();
  const p = await start(
    `import { ShmSegment } from ${mod};
     import { runCleanups } from ${JSON.stringify(`${import.meta.dir}/../packages/shm-bus/src/bun/cleanup.ts`)};
     const s = ShmSegment.create(${JSON.stringify(name)}, ${JSON.stringify(P)}); s.join(0);
     process.on("SIGTERM", () => { console.log("own handler"); runCleanups(); setTimeout(() => process.exit(7), 20); });
     console.log("ready"); setInterval(() => {}, 1000);`,
  );
  p.kill("SIGTERM");
  let out = "";
  const reader = p.stdout.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  await p.exited;
  expect(out).toContain("own handler");
  expect(p.exitCode).toBe(7);
  expect(existsSync(`/dev/shm/${name}`)).toBe(false);
});

test("a segment left behind by a SIGKILLed creator is reclaimed; one in use is not", async () => {
  const name = uniq();
  const p = await start(
    `import { ShmSegment } from ${mod};
     const s = ShmSegment.create(${JSON.stringify(name)}, ${JSON.stringify(P)});
     s.join(0); console.log("ready"); setInterval(() => {}, 1000);`,
  );
  expect(() => ShmSegment.createOrReclaim(name, P)).toThrow(new RegExp(`in use by live pid ${p.pid}`));
  p.kill(9); // no cleanup runs
  await p.exited;
  expect(existsSync(`/dev/shm/${name}`)).toBe(true);
  expect(ShmSegment.holder(name)).toBeNull();
  const seg = ShmSegment.createOrReclaim(name, P);
  expect(seg.inspect().members.map((m) => m.state)).toEqual(["free", "free"]);
  const bus = seg.join(0);
  expect(bus.generation).toBe(1);
  seg.close();
  expect(existsSync(`/dev/shm/${name}`)).toBe(false);
});

test("createOrReclaim never removes an object that is not a bus segment", async () => {
  const name = uniq();
  await Bun.write(`/dev/shm/${name}`, "not a bus segment, but somebody's data");
  expect(() => ShmSegment.createOrReclaim(name, P)).toThrow(/refused/);
  expect(existsSync(`/dev/shm/${name}`)).toBe(true);
});
