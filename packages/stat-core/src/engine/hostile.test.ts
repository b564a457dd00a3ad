import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { TEvent } from "../definitions.ts";
import { Engine, KNOWN_EVENTS } from "./engine.ts";
import { simulate } from "./simulate.ts";
import { fixtureConfig, req, T0 } from "./testing.ts";

const DNS = ["1001", "1002", "1003", "8000", "8001", "9000", "nope", ""];
const anyValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant(undefined),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), {
    maxKeys: 3,
  }),
);
/** Events with known names but attributes of any type, and plain garbage. */
const hostile = fc.oneof(
  fc.record(
    {
      event: fc.constantFrom(...KNOWN_EVENTS),
      time: fc.oneof(fc.constant(T0 / 1000 + 5), anyValue),
      thisDN: fc.oneof(fc.constantFrom(...DNS), anyValue),
      connId: fc.oneof(fc.constantFrom("c1", "c2"), anyValue),
      previousConnId: fc.oneof(fc.constantFrom("c1", "c2"), anyValue),
      agentId: fc.oneof(fc.constantFrom("l1", "l2"), anyValue),
      thisQueue: fc.oneof(fc.constantFrom("8000", "1001"), anyValue),
      callType: anyValue,
      workMode: anyValue,
      userData: anyValue,
      reasons: anyValue,
      node: anyValue,
    },
    { requiredKeys: ["event"] },
  ),
  anyValue,
  fc.object(),
);

describe("hostile events", () => {
  test("never throw; the engine stays consistent and keeps working", () => {
    fc.assert(
      fc.property(fc.array(hostile, { maxLength: 40 }), (evs) => {
        const eng = new Engine({ config: fixtureConfig(), startMs: T0 });
        const ids = ["Waiting", "Entered", "Answered", "AgentsReadyQ"].map((s) => {
          const o = eng.open(req("Queue", "8000", s));
          if ("error" in o) throw new Error(o.error.message);
          return o.statId;
        });
        const st = eng.open(req("Agent", "a1", "AgentState"));
        for (const ev of evs) {
          const r = eng.ingest(ev as TEvent);
          expect(typeof r.ok).toBe("boolean");
        }
        eng.tick(T0 + 60_000);
        eng.drainNotifications();
        for (const id of ids) {
          const v = eng.peek(id)!.value;
          expect(v === null || (typeof v === "number" && Number.isFinite(v))).toBe(true);
        }
        expect("statId" in st).toBe(true);
        // still works on valid traffic afterwards
        for (const ev of simulate([5, 22, 40, 7])) eng.ingest({ ...ev, time: ev.time + 3600 });
        expect(eng.counters().eventsIn).toBe(evs.length + simulate([5, 22, 40, 7]).length);
      }),
      { numRuns: 300 },
    );
  });
});
