import { describe, expect, test } from "bun:test";
import type { TEvent } from "../definitions.ts";
import type { IngestResult } from "../engine/types.ts";
import { Pump } from "./pump.ts";
import { TimeGate } from "./time_gate.ts";

class Rec {
  log: string[] = [];
  ingest(ev: TEvent): IngestResult {
    this.log.push(`i${ev.time}`);
    return ev.event === "X" ? { ok: false, reason: "unknown-event" } : { ok: true };
  }
  tick(now: number): void {
    this.log.push(`t${now / 1000}`);
  }
}
const ev = (time: number, event = "EventAgentReady"): TEvent => ({ event, time, thisDN: "1" });
const WALL = () => 2_000_000_000_000;

describe("Pump", () => {
  test("ticks at each new second before the event, never backwards", () => {
    const r = new Rec();
    const p = new Pump(r, { gate: new TimeGate({ wallNow: WALL }) });
    for (const t of [100.2, 100.7, 101.1, 100.9, 102.5]) p.push(ev(t));
    expect(r.log).toEqual(["i100.2", "i100.7", "t101", "i101.1", "i100.9", "t102", "i102.5"]);
    expect(p.gate.late).toBe(1);
    p.tick(101_000); // earlier than the last tick: ignored
    expect(r.log.at(-1)).toBe("i102.5");
  });

  test("refused times change nothing and are counted; the factory sees the first accepted time", () => {
    let first = -1;
    const r = new Rec();
    const p = new Pump(
      (ms) => {
        first = ms;
        return r;
      },
      { gate: new TimeGate({ wallNow: WALL }) },
    );
    expect(p.push(ev(1e300))).toEqual({ ok: false, reason: "bad-time" });
    expect(p.push(ev(1e12))).toEqual({ ok: false, reason: "bad-time" });
    expect(p.push(ev(4e9))).toEqual({ ok: false, reason: "time-ahead-of-wall" });
    expect(p.target).toBeNull();
    p.push(ev(1_700_000_000));
    expect(first).toBe(1_700_000_000_000);
    expect(p.push(ev(1_700_000_000 + 3 * 86_400))).toEqual({ ok: false, reason: "time-ahead" });
    expect(p.push(ev(1_700_000_000 - 7200))).toEqual({ ok: false, reason: "time-late" });
    expect(p.push({ ...ev(1_700_000_000 - 7200), snapshot: true }).ok).toBe(true);
    p.push(ev(1_700_000_001, "X"));
    expect(p.gate.refused).toEqual({
      "bad-time": 2,
      "time-ahead-of-wall": 1,
      "time-ahead": 1,
      "time-late": 1,
    });
    expect(p.skipped).toEqual({ "unknown-event": 1 });
    expect(p.applied).toBe(2);
    expect(p.gate.latest).toBe(1_700_000_001_000);
  });
});
