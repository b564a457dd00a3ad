/**
 * `statctl` as a real process: `config check` (ok, errors, --json) and `bus` reading a real shm
 * segment directly (members, ring fill, lag, counters), plus its errors and exit codes.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ShmSegment } from "@statd/shm-bus/bun";
import { ROOT, type Run, runBun } from "./run.ts";

const STATCTL = join(ROOT, "apps/statctl/src/cli.ts");
const dir = mkdtempSync(join(tmpdir(), "statctl-"));
const SEGMENT = `statd-test-statctl-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
let seg: ShmSegment | undefined;

afterAll(() => {
  seg?.close();
  rmSync(dir, { recursive: true, force: true });
});

const statctl = (...args: string[]): Promise<Run> => runBun([STATCTL, ...args]);

describe("statctl config check", () => {
  test("a good config: exit 0 and a summary", async () => {
    const r = await statctl("config", "check", join(ROOT, "config/demo.toml"));
    expect(r.code).toBe(0);
    expect(r.out).toContain('ok: cluster "demo", 2 instance(s), 2 SIP node(s), 40 agents');
  });
  test("a bad config: exit 1, every problem one line naming the key; --json", async () => {
    const bad = join(dir, "bad.toml");
    writeFileSync(
      bad,
      '[cluster]\ninstancs = 2\n[statTypes.X]\nobjects = ["Queue"]\ncategory = "CurrentNumbr"\n',
    );
    const r = await statctl("config", "check", bad);
    expect(r.code).toBe(1);
    expect(r.out).toContain('cluster.instancs: unknown key "instancs" (did you mean "instances"?)');
    for (const line of r.out.trim().split("\n")) expect(line.startsWith(`${bad}: config: `)).toBe(true);
    const j = await statctl("config", "check", bad, "--json");
    expect(j.code).toBe(1);
    const parsed = JSON.parse(j.out) as { ok: boolean; errors: string[] };
    expect(parsed.ok).toBe(false);
    expect(parsed.errors.length).toBeGreaterThan(0);
  });
  test("hostile files: binary garbage and a missing file are one-line errors", async () => {
    const junk = join(dir, "junk.toml");
    writeFileSync(junk, new Uint8Array(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    const r = await statctl("config", "check", junk);
    expect(r.code).toBe(1);
    const missing = await statctl("config", "check", join(dir, "nope.toml"));
    expect(missing.code).toBe(1);
    expect(missing.err.trim().split("\n")).toHaveLength(1);
  });
});

describe("statctl bus", () => {
  test("reads members, ring fill and counters from a live segment without joining it", async () => {
    seg = ShmSegment.create(SEGMENT, {
      maxInstances: 3,
      spscBytes: 1 << 16,
      broadcastBytes: 1 << 16,
      maxRecord: 1024,
    });
    const a = seg.join(0);
    const b = seg.join(1);
    const rec = new Uint8Array(100);
    for (let i = 0; i < 50; i++) expect(a.offer(1, rec)).toBe(true);
    a.flush();
    b.poll(() => {}, 20); // 30 records left unread
    b.flush();
    const r = await statctl("bus", "--segment", SEGMENT, "--json");
    expect(r.code).toBe(0);
    const snap = JSON.parse(r.out) as {
      members: Array<{ id: number; state: string; pid: number }>;
      rings: Array<{ kind: string; from: number; to: number; records: number; fillBytes: number }>;
    };
    const alive = snap.members.filter((m) => m.state === "alive");
    expect(alive.map((m) => m.id)).toEqual([0, 1]);
    for (const m of alive) expect(m.pid).toBe(process.pid);
    const ring = snap.rings.find((x) => x.kind === "spsc" && x.from === 0 && x.to === 1)!;
    expect(ring.records).toBe(50);
    expect(ring.fillBytes).toBeGreaterThanOrEqual(30 * 100);
    expect(ring.fillBytes).toBeLessThan(50 * 100 + 50 * 16);
    const text = await statctl("bus", "--segment", SEGMENT);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`segment ${SEGMENT}`);
    expect(text.out).toMatch(/0 -> 1\s+\d/);
    // inspection did not join: slot 2 is still free
    expect(snap.members.find((m) => m.id === 2)?.state).toBe("free");
  });
  test("errors: a missing segment, a bad name, bad usage", async () => {
    const missing = await statctl("bus", "--segment", `statd-test-none-${process.pid}`);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("ENOENT");
    const badName = await statctl("bus", "--segment", "../etc/passwd");
    expect(badName.code).toBe(1);
    expect(badName.err.trim().split("\n")).toHaveLength(1);
    expect((await statctl("bus")).code).toBe(2);
    expect((await statctl("frobnicate")).code).toBe(2);
    const top = await statctl("top");
    expect(top.code).toBe(1);
    expect(top.err).toContain("not built yet");
  });
  test("the segment is removed when its creator closes", () => {
    seg?.close();
    seg = undefined;
    expect(existsSync(`/dev/shm/${SEGMENT}`)).toBe(false);
  });
});
