import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import type { FilterExpr } from "./ast.ts";
import { FilterError, tokenize } from "./lexer.ts";
import { parseFilter } from "./parser.ts";
import { printFilter } from "./print.ts";
import { arbExpr } from "./testing_arbitraries.ts";

function errorOf(src: string): string {
  try {
    parseFilter(src);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return (e as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(src)} to fail`);
}

describe("tokenize", () => {
  test("tokens and positions", () => {
    const t = tokenize('ani == "5\\"5" && x<>-1.5e3');
    expect(t.map((x) => [x.type, x.pos])).toEqual([
      ["ident", 1],
      ["op", 5],
      ["str", 8],
      ["and", 15],
      ["ident", 18],
      ["op", 19],
      ["num", 21],
      ["eof", 27],
    ]);
    expect(t[2].value).toBe('5"5');
    expect(t[6].value).toBe(-1500);
    expect(tokenize("'it\\'s' \"\\u00e9\"").map((x) => x.value)).toEqual(["it's", "é", undefined]);
  });
  for (const [src, msg] of [
    ['"abc', "at 1: unterminated string"],
    ['"a\\qb"', 'at 3: bad escape "\\q"'],
    ['"\\u12"', "bad \\u escape"],
    ["a # b", 'at 3: unexpected character "#"'],
    ["12abc", "bad number"],
    ["1e999", "number out of range"],
  ] as const)
    test(`rejects ${JSON.stringify(src)}`, () => {
      expect(() => tokenize(src)).toThrow(msg);
    });
});

describe("parseFilter", () => {
  test("PairExists and KeyExists", () => {
    expect(parseFilter('PairExists("Language", "Spanish")')).toEqual({
      kind: "call",
      fn: "PairExists",
      args: ["Language", "Spanish"],
    });
    expect(parseFilter("keyexists('VIP')")).toEqual({ kind: "call", fn: "KeyExists", args: ["VIP"] });
  });
  test("attributes, maps, operators", () => {
    expect(parseFilter('ANI = "555"')).toEqual({
      kind: "cmp",
      op: "=",
      left: { kind: "attr", name: "ani" },
      right: { kind: "str", value: "555" },
    });
    expect(parseFilter('userData.Segment = "Gold"')).toMatchObject({
      left: { kind: "key", map: "userData", key: "Segment" },
    });
    expect(parseFilter('reasons["Reason Code"] != "Lunch"')).toMatchObject({
      op: "!=",
      left: { kind: "key", map: "reasons", key: "Reason Code" },
    });
    expect(parseFilter("userData.P >= 5")).toMatchObject({ op: ">=", right: { kind: "num", value: 5 } });
    expect(parseFilter("userData.in = 1")).toMatchObject({ left: { kind: "key", key: "in" } });
    expect(parseFilter('thisQueue not in ("8001", "8002")')).toEqual({
      kind: "in",
      negated: true,
      left: { kind: "attr", name: "thisQueue" },
      values: [
        { kind: "str", value: "8001" },
        { kind: "str", value: "8002" },
      ],
    });
  });
  test("precedence: not > and > or; parentheses group", () => {
    const e = parseFilter("true or not false and false");
    expect(e).toEqual({
      kind: "or",
      items: [
        { kind: "bool", value: true },
        {
          kind: "and",
          items: [
            { kind: "not", expr: { kind: "bool", value: false } },
            { kind: "bool", value: false },
          ],
        },
      ],
    });
    expect(printFilter(parseFilter("(true or false) and !false || false"))).toBe(
      "((true or false) and not false) or false",
    );
  });
  for (const [src, msg] of [
    ["", "empty filter"],
    ["ani", 'at 4: expected a comparison operator (=, !=, <, <=, >, >=) or "in", found the end'],
    ["ani = ", 'at 7: expected a value after "=", found the end'],
    ['ani = "1" ani', 'at 11: expected "and", "or" or the end, found "ani"'],
    ['(ani = "1"', 'at 11: expected ")" to close the "(" at 1, found the end'],
    ['anii = "1"', 'at 1: unknown attribute "anii" (did you mean "ani"?)'],
    ['PairExist("a","b")', 'unknown function "PairExist" (did you mean "PairExists"?)'],
    ['PairExists("a")', "PairExists takes 2 arguments, got 1"],
    ["KeyExists(5)", "the key must be a string"],
    ['callType = "Inbund"', 'unknown call type "Inbund" (did you mean "Inbound"?)'],
    ['callType in ("Inbound", "outbond")', 'unknown call type "outbond"'],
    ['ani < "5"', '"<" compares numbers; "5" is a string'],
    ["userData = 1", 'expected "." or "[" after "userData"'],
    ["userData[Segment] = 1", "expected a quoted key"],
    ["ani in (", "expected a string or number literal, found the end"],
    ["ani in (ani)", 'expected a string or number literal, found "ani"'],
    ["and", "expected a condition"],
  ] as const)
    test(`error ${JSON.stringify(src)}`, () => {
      const m = errorOf(src);
      expect(m).toContain(msg);
      expect(m).not.toContain("\n");
    });
});

describe("hostile input", () => {
  test("deep nesting is refused before the stack is at risk", () => {
    expect(errorOf(`${"(".repeat(65)}true${")".repeat(65)}`)).toContain("nesting deeper than 64");
    expect(parseFilter(`${"(".repeat(64)}true${")".repeat(64)}`)).toEqual({ kind: "bool", value: true });
    expect(errorOf(`${"not ".repeat(65)}true`)).toContain("nesting deeper than 64");
    expect(errorOf(`${"!".repeat(2000)}true`)).toContain("nesting deeper than 64");
  });
  test("size limit counts UTF-8 bytes", () => {
    expect(errorOf(`ani = "${"x".repeat(5000)}"`)).toBe("filter longer than 4096 bytes");
    expect(errorOf(`ani = "${"é".repeat(2100)}"`)).toBe("filter longer than 4096 bytes");
    expect(errorOf("(".repeat(100_000))).toBe("filter longer than 4096 bytes");
  });
  test("long flat chains are fine (no recursion per item)", () => {
    const src = Array.from({ length: 400 }, () => "true").join(" and ");
    expect((parseFilter(src) as { items: unknown[] }).items.length).toBe(400);
  });
  test("wrong types", () => {
    expect(() => parseFilter(42 as unknown as string)).toThrow("filter must be a string");
    expect(() => parseFilter(null as unknown as string)).toThrow("filter must be a string");
  });
  test("garbage never escapes as anything but a one-line FilterError", () => {
    const alphabet = fc.constantFrom(
      ..."()[],.=!<>&|'\"\\ -09aeinotxyzu".split(""),
      "and",
      "or",
      "not",
      "in",
      "ani",
      "userData",
      "PairExists",
    );
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((a) => a.join("")),
        (src) => {
          try {
            parseFilter(src);
          } catch (e) {
            expect(e).toBeInstanceOf(FilterError);
            expect((e as Error).message).not.toContain("\n");
          }
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 200, unit: "binary" }), (src) => {
        try {
          parseFilter(src);
        } catch (e) {
          expect(e).toBeInstanceOf(FilterError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe("printer", () => {
  test("round-trip: parse(print(e)) == e", () => {
    fc.assert(
      fc.property(arbExpr, (e: FilterExpr) => {
        expect(parseFilter(printFilter(e))).toEqual(e);
      }),
      { numRuns: 500 },
    );
  });
  test("canonical text", () => {
    expect(printFilter(parseFilter("NOT ani == '5'"))).toBe('not ani = "5"');
    expect(printFilter(parseFilter('reasons["Reason Code"] <> "x"'))).toBe('reasons["Reason Code"] != "x"');
  });
});
