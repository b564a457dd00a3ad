import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { TimeMerge } from "./merge.ts";

describe("TimeMerge", () => {
  test("any interleaving of time-ordered streams comes out in time order (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat(1000), { maxLength: 30 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(3)),
        (raw, picks) => {
          let wall = 0;
          const m = new TimeMerge<[number, number, number]>({ now: () => wall });
          const streams = raw.map((s) => [...s].sort((a, b) => a - b));
          streams.forEach((_, k) => {
            m.setLive(`s${k}`, true);
          });
          const pos = streams.map(() => 0);
          const out: [number, number, number][] = [];
          // an adversarial arrival order; each stream stays in its own order
          let p = 0;
          for (;;) {
            const open = streams.map((s, k) => (pos[k]! < s.length ? k : -1)).filter((k) => k >= 0);
            if (open.length === 0) break;
            const k = open[(picks[p++ % Math.max(1, picks.length)] ?? 0) % open.length]!;
            const t = streams[k]![pos[k]!]!;
            m.push(`s${k}`, t, [t, k, pos[k]!]);
            pos[k]!++;
            m.drain((x) => out.push(x));
          }
          // the streams end: they go idle
          wall += 1000;
          m.drain((x) => out.push(x));
          expect(m.size).toBe(0);
          const times = out.map((x) => x[0]);
          expect(times).toEqual([...times].sort((a, b) => a - b));
          // per stream, source order is kept
          streams.forEach((_, k) => {
            const mine = out.filter((x) => x[1] === k).map((x) => x[2]);
            expect(mine).toEqual([...mine].sort((a, b) => a - b));
          });
          expect(out.length).toBe(streams.reduce((a, s) => a + s.length, 0));
        },
      ),
    );
  });

  test("an idle or stopped stream holds nothing back; nothing waits past maxHold", () => {
    let wall = 0;
    const m = new TimeMerge<string>({ now: () => wall, idleMs: 200, maxHoldMs: 1000 });
    m.setLive("a", true);
    m.setLive("b", true);
    m.watermark("b", 100);
    m.push("a", 500, "x");
    const out: string[] = [];
    m.drain((v) => out.push(v));
    expect(out).toEqual([]); // b is at 100
    wall = 250; // b has been quiet for 250 ms: idle
    m.drain((v) => out.push(v));
    expect(out).toEqual(["x"]);
    m.watermark("b", 200);
    m.push("a", 900, "y");
    m.setLive("b", false);
    m.drain((v) => out.push(v));
    expect(out).toEqual(["x", "y"]);
    m.setLive("b", true);
    m.watermark("b", 950);
    m.watermark("a", 2000);
    m.push("a", 3000, "z");
    m.watermark("b", 960);
    wall = 1200;
    m.watermark("b", 970);
    m.drain((v) => out.push(v));
    expect(out).toEqual(["x", "y"]);
    wall = 1300; // z waited 1 s
    m.watermark("b", 980);
    m.drain((v) => out.push(v));
    expect(out).toEqual(["x", "y", "z"]);
    expect(m.forced).toBe(1);
  });
});

describe("TimeMerge at start", () => {
  test("an expected stream holds the others back until it delivers or its wait ends", () => {
    let wall = 0;
    const m = new TimeMerge<string>({ now: () => wall, maxHoldMs: 5000 });
    m.expect("tc", 2000);
    m.setLive("ip", true);
    m.push("ip", 100, "ip@100");
    const out: string[] = [];
    m.drain((v) => out.push(v));
    expect(out).toEqual([]);
    m.setLive("tc", true);
    m.push("tc", 50, "tc@50");
    m.push("tc", 150, "tc@150");
    m.drain((v) => out.push(v));
    expect(out).toEqual(["tc@50", "ip@100"]);
    // a stream that never comes holds nothing back after its wait
    m.expect("other", 2000);
    m.push("ip", 200, "ip@200");
    m.push("tc", 300, "tc@300");
    m.drain((v) => out.push(v));
    expect(out).toEqual(["tc@50", "ip@100"]);
    wall = 2001;
    m.drain((v) => out.push(v));
    expect(out.slice(2)).toEqual(["tc@150", "ip@200", "tc@300"]);
  });
});

test("at equal times a lower rank comes first, whatever the arrival", () => {
  const m = new TimeMerge<string>({ now: () => 0 });
  m.setLive("a", true);
  m.push("#m", 100, "message", 1);
  m.push("a", 100, "event");
  m.push("a", 101, "later");
  const out: string[] = [];
  m.drain((v) => out.push(v));
  expect(out).toEqual(["event", "message"]);
});

test("after the owner itself stalled, quiet streams still hold back for a while", () => {
  let wall = 0;
  const m = new TimeMerge<string>({ now: () => wall, idleMs: 500 });
  m.setLive("a", true);
  m.setLive("b", true);
  m.looked();
  m.watermark("b", 100);
  m.push("a", 500, "a@500");
  wall = 2000; // the owner did not look for 2 s (its process stalled)
  m.looked();
  const out: string[] = [];
  m.drain((v) => out.push(v));
  expect(out).toEqual([]); // b's record may be waiting unread in the bus
  m.push("b", 300, "b@300");
  m.watermark("b", 600);
  m.drain((v) => out.push(v));
  expect(out).toEqual(["b@300", "a@500"]);
});
