import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import * as v from "valibot";
import { ATTRIBUTES, EVENT_NAMES, EVENT_SPECS, EventSchema } from "./protocol.ts";
import { checkEvent } from "./validate.ts";

type Entry = [string, unknown];

const good: Record<string, fc.Arbitrary<unknown>> = {
  connId: fc.string({ minLength: 1, maxLength: 8 }),
  previousConnId: fc.string({ minLength: 1, maxLength: 8 }),
  thisDN: fc.string({ minLength: 1, maxLength: 8 }),
  otherDN: fc.string({ minLength: 1, maxLength: 8 }),
  thisQueue: fc.string({ minLength: 1, maxLength: 8 }),
  agentId: fc.string({ minLength: 1, maxLength: 8 }),
  callType: fc.constantFrom("Inbound", "Outbound", "Internal", "Consult", "Unknown"),
  workMode: fc.constantFrom("AfterCallWork", "AuxWork", "ManualIn", "AutoIn", "Unknown"),
  ani: fc.string({ maxLength: 8 }),
  dnis: fc.string({ maxLength: 8 }),
};
const key = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.constantFrom("__proto__", "constructor", "prototype", "toString", "seq", "time", "event"),
);
const scalar = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer(),
  fc.double(),
  fc.constantFrom(null, true, false, Number.NaN, Number.POSITIVE_INFINITY, -1, 0, "", "Weird"),
);
const kvEntries = fc.array(fc.tuple(key, fc.oneof(scalar, fc.constant([1]), fc.constant({}))), {
  maxLength: 4,
});
type KvSpec = { kind: "kv"; entries: Entry[] } | { kind: "raw"; value: unknown };
const kvSpec: fc.Arbitrary<KvSpec> = fc.oneof(
  { weight: 4, arbitrary: kvEntries.map((entries) => ({ kind: "kv" as const, entries })) },
  {
    weight: 1,
    arbitrary: fc.oneof(scalar, fc.constant([])).map((value) => ({ kind: "raw" as const, value })),
  },
);

interface Spec {
  entries: [string, unknown | KvSpec][];
}

/** A near-valid event description; `build` makes a fresh object each time (checkEvent mutates). */
const eventSpec: fc.Arbitrary<Spec> = fc
  .record({
    event: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...EVENT_NAMES) },
      { weight: 1, arbitrary: fc.constantFrom("EventNope", "", 7, null) },
    ),
    time: fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: 0, max: 2e9, noNaN: true }) },
      { weight: 1, arbitrary: scalar },
    ),
    seq: fc.option(
      fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1 }) }, { weight: 1, arbitrary: scalar }),
    ),
    snapshot: fc.option(fc.oneof(fc.boolean(), scalar)),
    attrs: fc.array(
      fc.oneof(
        ...ATTRIBUTES.map((a) =>
          a === "reasons" || a === "userData"
            ? kvSpec.map((s) => [a, s] as [string, unknown])
            : fc
                .oneof({ weight: 5, arbitrary: good[a]! }, { weight: 1, arbitrary: scalar })
                .map((x) => [a, x] as [string, unknown]),
        ),
      ),
      { maxLength: 10 },
    ),
    extra: fc.array(fc.tuple(key, scalar), { maxLength: 3 }),
  })
  .map((r) => {
    const entries: [string, unknown][] = [["event", r.event], ["time", r.time], ...r.extra, ...r.attrs];
    if (r.seq !== null) entries.push(["seq", r.seq]);
    if (r.snapshot !== null) entries.push(["snapshot", r.snapshot]);
    // required attributes present most of the time
    const spec = (EVENT_SPECS as Record<string, { required: readonly string[] }>)[String(r.event)];
    if (spec) for (const a of spec.required) if (!entries.some(([k]) => k === a)) entries.push([a, "x1"]);
    return { entries };
  });

function build(spec: Spec): Record<string, unknown> {
  return Object.fromEntries(
    spec.entries.map(([k, val]) => {
      const s = val as KvSpec;
      if (
        s !== null &&
        typeof s === "object" &&
        (s.kind === "kv" || s.kind === "raw") &&
        ("entries" in s || "value" in s)
      ) {
        return [k, s.kind === "kv" ? Object.fromEntries(s.entries) : s.value];
      }
      return [k, val];
    }),
  );
}

describe("checkEvent agrees with the valibot EventSchema", () => {
  test("near-valid events: same verdict, same output", () => {
    fc.assert(
      fc.property(eventSpec, (spec) => {
        const a = v.safeParse(EventSchema, build(spec));
        const b = checkEvent(build(spec));
        expect(typeof b !== "string").toBe(a.success);
        if (a.success && typeof b !== "string") expect(b).toEqual(a.output);
      }),
      { numRuns: 3000 },
    );
  });

  test("arbitrary JSON values: same verdict", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (x) => {
        const a = v.safeParse(EventSchema, structuredClone(x));
        const b = checkEvent(structuredClone(x));
        expect(typeof b !== "string").toBe(a.success);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("checkEvent", () => {
  test("accepts a full call event and keeps unknown attributes", () => {
    const ev = checkEvent({
      seq: 3,
      event: "EventRinging",
      time: 1700000000.25,
      connId: "c1",
      thisDN: "1001",
      otherDN: "5551234",
      thisQueue: "q1",
      callType: "Inbound",
      ani: "5551234",
      dnis: "800",
      userData: { segment: "gold", score: 7 },
      thirdPartyDN: "x",
    });
    expect(typeof ev).toBe("object");
    expect((ev as Record<string, unknown>).thirdPartyDN).toBe("x");
  });

  const cases: [unknown, string][] = [
    [{ event: "EventNope", time: 1 }, "unknown event name"],
    [{ event: "EventRinging", time: 1, thisDN: "1" }, "connId: required"],
    [{ event: "EventOnHook", time: -1, thisDN: "1" }, "time:"],
    [{ event: "EventOnHook", time: 1, thisDN: "" }, "thisDN:"],
    [{ event: "EventOnHook", time: 1, thisDN: "1", seq: 0 }, "seq:"],
    [{ event: "EventOnHook", time: 1, thisDN: "1", seq: 1.5 }, "seq:"],
    [{ event: "EventRinging", time: 1, thisDN: "1", connId: "c", callType: "Weird" }, "callType:"],
    [{ event: "EventAgentNotReady", time: 1, thisDN: "1", workMode: "Lunch" }, "workMode:"],
    [{ event: "EventAgentNotReady", time: 1, thisDN: "1", reasons: [1] }, "reasons:"],
    [{ event: "EventRinging", time: 1, thisDN: "1", connId: "c", userData: { a: null } }, "userData.a"],
    [{ event: "EventAgentLogin", time: 1, thisDN: "1" }, "agentId: required"],
    [[1, 2], "object"],
    ["x", "object"],
  ];
  for (const [x, why] of cases) {
    test(`refuses ${JSON.stringify(x)} with a reason`, () => {
      const r = checkEvent(x);
      expect(typeof r).toBe("string");
      expect(r as string).toContain(why);
      expect(v.safeParse(EventSchema, x).success).toBe(false);
    });
  }

  test("drops prototype-polluting keys", () => {
    const ev = checkEvent(JSON.parse('{"event":"EventOnHook","time":1,"thisDN":"1","__proto__":{"x":1}}'));
    expect(typeof ev).toBe("object");
    expect(Object.hasOwn(ev as object, "__proto__")).toBe(false);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
