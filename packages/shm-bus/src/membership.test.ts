import { describe, expect, test } from "bun:test";
import { Layout, M } from "./layout.ts";
import { MemberBusyError, Membership } from "./membership.ts";
import { initSegment } from "./segment.ts";

const P = { maxInstances: 3, spscBytes: 4096, broadcastBytes: 4096, maxRecord: 64 };

function setup() {
  const seg = initSegment(new ArrayBuffer(new Layout(P).totalBytes), P);
  let clock = 1000;
  const alive = new Set<number>();
  const m = new Membership(seg, { now: () => clock, liveness: (pid) => alive.has(pid), staleMs: 1000 });
  return { seg, m, alive, tick: (ms: number) => (clock += ms) };
}

describe("Membership", () => {
  test("join, heartbeat, stale heartbeat, process gone, leave", () => {
    const { m, alive, tick } = setup();
    expect(m.list().map((x) => x.state)).toEqual(["free", "free", "free"]);
    alive.add(100);
    expect(m.join(0, { pid: 100, startTime: 5 })).toBe(1);
    expect(m.state(0)).toMatchObject({
      state: "alive",
      pid: 100,
      startTime: 5,
      generation: 1,
      heartbeatAgeMs: 0,
    });
    tick(900);
    expect(m.isAlive(0)).toBe(true);
    tick(200);
    expect(m.state(0)).toMatchObject({ state: "dead", reason: "heartbeat stale (1100 ms)" });
    m.heartbeat(0);
    expect(m.isAlive(0)).toBe(true);
    alive.delete(100);
    expect(m.state(0)).toMatchObject({ state: "dead", reason: "process gone" });
    alive.add(100);
    m.leave(0);
    expect(m.state(0).state).toBe("left");
  });

  test("a live holder keeps its slot; a dead one's slot is taken with generation + 1", () => {
    const { m, alive } = setup();
    alive.add(1).add(2);
    m.join(1, { pid: 1, startTime: 1 });
    expect(() => m.join(1, { pid: 2, startTime: 1 })).toThrow(MemberBusyError);
    expect(() => m.join(1, { pid: 2, startTime: 1 })).toThrow(/held by live pid 1/);
    expect(m.join(1, { pid: 1, startTime: 1 })).toBe(2); // the same process may rejoin
    alive.delete(1);
    expect(m.join(1, { pid: 2, startTime: 9 })).toBe(3);
    expect(m.state(1)).toMatchObject({ state: "alive", pid: 2, generation: 3 });
    m.leave(1, 2); // a stale incarnation's leave is ignored
    expect(m.state(1).state).toBe("alive");
  });

  test("a new holder starts with no sleepers left over from a holder killed while parked", () => {
    const { seg, m, alive } = setup();
    alive.add(1);
    m.join(0, { pid: 1, startTime: 1 });
    seg.view.i32[m.wordIndex(0, "sleepers")] = 1; // killed inside wait()
    seg.view.i32[m.wordIndex(0, "rung")] = 1;
    alive.delete(1);
    alive.add(2);
    m.join(0, { pid: 2, startTime: 1 });
    expect(seg.view.i32[m.wordIndex(0, "sleepers")]).toBe(0);
    expect(seg.view.i32[m.wordIndex(0, "rung")]).toBe(0);
  });

  test("a reused pid with another start time is not the old process", () => {
    const { seg } = setup();
    const starts = new Map([[7, 111]]);
    const m2 = new Membership(seg, { now: () => 1000, liveness: (pid, st) => starts.get(pid) === st });
    m2.join(2, { pid: 7, startTime: 100 });
    expect(m2.state(2)).toMatchObject({ state: "dead", reason: "process gone" });
  });

  test("a corrupt state word reads as dead with a reason, and rejects bad ids", () => {
    const { seg, m } = setup();
    seg.view.i32[(seg.layout.member(2) + M.state) >> 2] = 77;
    expect(m.state(2)).toMatchObject({ state: "dead", reason: "corrupt state 77" });
    expect(() => m.state(3)).toThrow(RangeError);
    expect(() => m.join(-1, { pid: 1, startTime: 0 })).toThrow(RangeError);
  });
  test("beforeAlive runs with the new generation while the slot is still joining", () => {
    const { m, alive } = setup();
    alive.add(100);
    const seen: [number, string][] = [];
    const gen = m.join(1, { pid: 100, startTime: 5 }, (g) => seen.push([g, m.state(1).state]));
    expect(seen).toEqual([[gen, "joining"]]);
    expect(m.state(1).state).toBe("alive");
  });
});
