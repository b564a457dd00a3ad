import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { FilterExpr, FilterInput } from "./ast.ts";
import { compileAst, compileFilter, evaluateFilter } from "./compile.ts";
import { parseFilter } from "./parser.ts";
import { printFilter } from "./print.ts";
import { arbExpr, arbInput } from "./testing_arbitraries.ts";

const call: FilterInput = {
  callType: "Inbound",
  thisDN: "7001",
  otherDN: "555",
  thisQueue: "8001",
  agentId: "agent001",
  ani: "555",
  dnis: "800",
  workMode: "AfterCallWork",
  userData: { Segment: "Gold", Language: "Spanish", Priority: "5", Score: 7 },
  reasons: { ReasonCode: "Lunch" },
};

describe("compileFilter", () => {
  for (const [src, want] of [
    ['PairExists("Language", "Spanish")', true],
    ['PairExists("Language", "French")', false],
    ['PairExists("Missing", "x")', false],
    ['KeyExists("Segment")', true],
    ['KeyExists("constructor")', false],
    ['KeyExists("__proto__")', false],
    ['ani = "555"', true],
    ['dnis != "800"', false],
    ['callType = "Inbound"', true],
    ['thisQueue = "8001"', true],
    ['userData.Segment = "Gold"', true],
    ['reasons.ReasonCode = "Lunch"', true],
    ['reasons.ReasonCode = "lunch"', false],
    ["userData.Priority > 4", true],
    ["userData.Priority = 5", true],
    ["userData.Priority = 5.0", true],
    ['userData.Priority = "5.0"', false],
    ["userData.Score >= 7 and userData.Score < 8", true],
    ["userData.Segment > 1", false],
    ["userData.Segment = 1", false],
    ["userData.Missing != 1", true],
    ["userData.Missing = 1", false],
    ["userData.Missing < 1 or userData.Missing >= 1", false],
    ['thisQueue in ("8002", "8001")', true],
    ['thisQueue not in ("8002", "8001")', false],
    ["thisDN = 7001", true],
    ["thisDN = otherDN", false],
    ["otherDN = ani", true],
    ['not (ani = "555" and callType = "Outbound")', true],
    ["1 < 2", true],
    ['"a" = "a"', true],
  ] as const)
    test(`${src} -> ${want}`, () => {
      expect(compileFilter(src).evaluate(call)).toBe(want);
    });

  test("empty input and missing maps", () => {
    expect(compileFilter('KeyExists("a")').evaluate({})).toBe(false);
    expect(compileFilter('ani != "1"').evaluate({})).toBe(true);
    expect(compileFilter("true").evaluate(null as unknown as FilterInput)).toBe(true);
    expect(compileFilter('ani = "1"').evaluate({ ani: { x: 1 } as unknown as string })).toBe(false);
    expect(
      compileFilter('userData.a = "1"').evaluate({ userData: "x" as unknown as Record<string, string> }),
    ).toBe(false);
  });

  test("keys lists what the filter reads", () => {
    expect(
      compileFilter(
        'PairExists("Language","Spanish") or ani = "1" and reasons["Reason Code"] = "x" or ani = "2"',
      ).keys,
    ).toEqual(["ani", "reasons.Reason Code", "userData.Language"]);
    expect(compileFilter("true").keys).toEqual([]);
  });
});

describe("properties", () => {
  const same = (a: FilterExpr, b: FilterExpr) =>
    fc.assert(
      fc.property(arbInput, (input) => {
        expect(compileAst(a, "").evaluate(input)).toBe(compileAst(b, "").evaluate(input));
      }),
      { numRuns: 50 },
    );

  test("compiled evaluation equals the reference evaluator", () => {
    fc.assert(
      fc.property(arbExpr, arbInput, (e, input) => {
        expect(compileAst(e, "").evaluate(input)).toBe(evaluateFilter(e, input));
      }),
      { numRuns: 1000 },
    );
  });
  test("not not x == x", () => {
    fc.assert(
      fc.property(arbExpr, (e) => same({ kind: "not", expr: { kind: "not", expr: e } }, e)),
      { numRuns: 100 },
    );
  });
  test("De Morgan", () => {
    fc.assert(
      fc.property(arbExpr, arbExpr, (a, b) => {
        same(
          { kind: "not", expr: { kind: "and", items: [a, b] } },
          {
            kind: "or",
            items: [
              { kind: "not", expr: a },
              { kind: "not", expr: b },
            ],
          },
        );
        same(
          { kind: "not", expr: { kind: "or", items: [a, b] } },
          {
            kind: "and",
            items: [
              { kind: "not", expr: a },
              { kind: "not", expr: b },
            ],
          },
        );
      }),
      { numRuns: 100 },
    );
  });
  test("!= is the negation of =, and not in the negation of in", () => {
    fc.assert(
      fc.property(arbExpr, arbInput, (e, input) => {
        if (e.kind === "cmp" && (e.op === "=" || e.op === "!=")) {
          const flipped: FilterExpr = { ...e, op: e.op === "=" ? "!=" : "=" };
          expect(evaluateFilter(flipped, input)).toBe(!evaluateFilter(e, input));
        }
        if (e.kind === "in") {
          expect(evaluateFilter({ ...e, negated: !e.negated }, input)).toBe(!evaluateFilter(e, input));
          const asOr = e.values.map((v): FilterExpr => ({ kind: "cmp", op: "=", left: e.left, right: v }));
          const eq = asOr.some((x) => evaluateFilter(x, input));
          expect(evaluateFilter(e, input)).toBe(e.negated ? !eq : eq);
        }
      }),
      { numRuns: 2000 },
    );
  });
  test("printing does not change meaning", () => {
    fc.assert(
      fc.property(arbExpr, arbInput, (e, input) => {
        expect(compileFilter(printFilter(e)).evaluate(input)).toBe(evaluateFilter(e, input));
      }),
      { numRuns: 300 },
    );
  });
  test("PairExists(k, v) == userData[k] = v", () => {
    fc.assert(
      fc.property(arbInput, fc.constantFrom("Segment", "P"), fc.constantFrom("Gold", "5"), (input, k, v) => {
        const a = parseFilter(`PairExists(${JSON.stringify(k)}, ${JSON.stringify(v)})`);
        const b = parseFilter(`userData[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
        expect(evaluateFilter(a, input)).toBe(evaluateFilter(b, input));
      }),
    );
  });
});
