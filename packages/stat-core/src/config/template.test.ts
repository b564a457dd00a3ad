import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { formatPath } from "./errors.ts";
import { compileTemplate, TemplateError } from "./template.ts";

describe("compileTemplate", () => {
  test("holes, widths, arithmetic, braces", () => {
    expect(compileTemplate("agent{n:3}")(7)).toBe("agent007");
    expect(compileTemplate("agent{n:3}")(1234)).toBe("agent1234");
    expect(compileTemplate("{7000+n}")(12)).toBe("7012");
    expect(compileTemplate("group{(n-1)%3+1}")(4)).toBe("group1");
    expect(compileTemplate("g{(n - 1) % 3 + 1}")(3)).toBe("g3");
    expect(compileTemplate("x{n/2}")(5)).toBe("x2");
    expect(compileTemplate("x{n*2-1:4}")(5)).toBe("x0009");
    expect(compileTemplate("x{-n:3}")(5)).toBe("x-005");
    expect(compileTemplate("x{n%3}")(-1)).toBe("x2");
    expect(compileTemplate("{{literal}}{n}")(1)).toBe("{literal}1");
    expect(compileTemplate("plain")(1)).toBe("plain");
  });
  for (const [t, msg] of [
    ["x{n", 'unclosed "{"'],
    ["x}n", 'unmatched "}"'],
    ["x{}", "empty"],
    ["x{m}", 'unexpected "m"'],
    ["x{n+}", "unexpected end"],
    ["x{(n}", 'expected ")"'],
    ["x{n n}", 'unexpected "n"'],
    ["x{n:0}", "bad width 0"],
    ["x{n:a}", 'bad width "a"'],
    ["x{99999999999999999999}", "number too large"],
    [`x{${"(".repeat(20)}n${")".repeat(20)}}`, "nested too deeply"],
    ["x".repeat(300), "longer than 256"],
  ] as const)
    test(`rejects ${JSON.stringify(t.slice(0, 30))}`, () => {
      expect(() => compileTemplate(t)).toThrow(TemplateError);
      expect(() => compileTemplate(t)).toThrow(msg);
    });
  test("division by zero is reported when evaluated", () => {
    expect(() => compileTemplate("{n/0}")(1)).toThrow("division by zero");
    expect(() => compileTemplate("{n%(n-1)}")(1)).toThrow("division by zero");
  });
  test("random templates either compile or throw TemplateError", () => {
    const piece = fc.constantFrom("n", "1", "+", "-", "*", "/", "%", "(", ")", "{", "}", ":", "3", " ", "a");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), fc.integer({ min: -100, max: 100 }), (ps, n) => {
        try {
          compileTemplate(ps.join(""))(n);
        } catch (e) {
          expect(e).toBeInstanceOf(TemplateError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe("formatPath", () => {
  test("identifiers, indices, quoted keys", () => {
    expect(formatPath(["directory", "dns", 3, "place"])).toBe("directory.dns[3].place");
    expect(formatPath(["statTypes", "My Stat", "objects", 0])).toBe('statTypes."My Stat".objects[0]');
    expect(formatPath([])).toBe("");
  });
});
