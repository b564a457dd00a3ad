import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import {
  AGENT_STATUSES,
  checkMaskNames,
  DN_STATUSES,
  didYouMean,
  KNOWN_MASK_NAMES,
  MASK_ALIASES,
  MaskError,
  MEDIATION_DN_ACTIONS,
  maskHas,
  maskToString,
  PSEUDO_ACTIONS,
  parseMask,
  REGULAR_DN_ACTIONS,
} from "./mask.ts";

describe("parseMask", () => {
  test("star, names, exclusions, commas and whitespace", () => {
    expect(parseMask("*,~LoggedOut,~NotMonitored")).toEqual({
      all: true,
      include: [],
      exclude: ["LoggedOut", "NotMonitored"],
    });
    expect(parseMask("CallInbound, CallOutbound  CallInternal")).toEqual({
      all: false,
      include: ["CallInbound", "CallOutbound", "CallInternal"],
      exclude: [],
    });
    expect(parseMask(["*", "~LoggedOut, ~NotMonitored"])).toEqual(parseMask("*,~LoggedOut,~NotMonitored"));
    expect(parseMask("CallWait,CallWait")).toEqual({ all: false, include: ["CallWait"], exclude: [] });
  });

  for (const [text, msg] of [
    ["", "empty mask"],
    ["   ", "empty mask"],
    ["a,,b", "empty name"],
    [",a", "empty name"],
    ["a,", "empty name"],
    ["~*", "~*"],
    ["*,~", '"~" must be followed'],
    ["Call-Wait", 'bad character "-"'],
    ["Call.Wait", 'bad character "."'],
    ["1abc", 'bad character "1"'],
    ["~~X", 'bad character "~"'],
  ] as const)
    test(`rejects ${JSON.stringify(text)}`, () => {
      expect(() => parseMask(text)).toThrow(MaskError);
      expect(() => parseMask(text)).toThrow(msg);
    });

  test("rejects wrong types, empty arrays and blank array entries", () => {
    expect(() => parseMask([])).toThrow("empty mask");
    expect(() => parseMask(["a", " "])).toThrow("entry 2");
    expect(() => parseMask([1 as unknown as string])).toThrow("must be a string");
    expect(() => parseMask(42 as unknown as string)).toThrow("must be a string");
    expect(() => parseMask(null as unknown as string)).toThrow("must be a string");
  });

  test("rejects huge masks with one line", () => {
    expect(() => parseMask("A,".repeat(5000))).toThrow("longer than");
    expect(() => parseMask(Array.from({ length: 300 }, (_, i) => `A${i}`).join(","))).toThrow(
      "more than 256",
    );
    let message = "";
    try {
      parseMask(`${"x".repeat(3000)}-`);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain("bad character");
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThan(200);
  });

  test("garbage: parsed (and round-trips) or refused with a one-line MaskError", () => {
    const piece = fc.constantFrom(
      "*",
      "~",
      ",",
      " ",
      "\t",
      "Call",
      "Wait",
      "_",
      "1",
      "-",
      ".",
      "é",
      "~*",
      ",,",
    );
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(piece, { maxLength: 20 }).map((a) => a.join("")),
          fc.string({ maxLength: 50 }),
        ),
        (text) => {
          try {
            const m = parseMask(text);
            expect(parseMask(maskToString(m))).toEqual(m);
          } catch (e) {
            expect(e).toBeInstanceOf(MaskError);
            expect((e as Error).message).not.toContain("\n");
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
  test("printer round-trip", () => {
    const name = fc.constantFrom(...KNOWN_MASK_NAMES);
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uniqueArray(name, { maxLength: 5 }),
        fc.uniqueArray(name, { maxLength: 5 }),
        (all, inc, exc) => {
          if (!all && inc.length === 0 && exc.length === 0) return;
          const m = { all, include: inc, exclude: exc };
          expect(parseMask(maskToString(m))).toEqual(m);
        },
      ),
    );
  });
});

describe("maskHas", () => {
  test("membership rule (all || included) && !excluded", () => {
    const m = parseMask("*,~LoggedOut,~NotMonitored");
    expect(maskHas(m, "WaitForNextCall")).toBe(true);
    expect(maskHas(m, "LoggedOut")).toBe(false);
    expect(maskHas(m, "NotMonitored")).toBe(false);
    const n = parseMask("CallInbound");
    expect(maskHas(n, "CallInbound")).toBe(true);
    expect(maskHas(n, "CallOutbound")).toBe(false);
    expect(maskHas(parseMask("X,~X"), "X")).toBe(false);
  });
  test("CallWait alias includes its family; ~CallWait excludes only CallWait", () => {
    expect(maskHas(parseMask("CallWait"), "CallWaitInbound")).toBe(true);
    expect(maskHas(parseMask("CallWait"), "CallEntered")).toBe(false);
    const m = parseMask("*,~CallWait");
    expect(maskHas(m, "CallWait")).toBe(false);
    expect(maskHas(m, "CallWaitInbound")).toBe(true);
    expect(maskHas(parseMask("CallWait,~CallWaitConsult"), "CallWaitConsult")).toBe(false);
  });
  test("property: exclusion always wins", () => {
    const name = fc.constantFrom(...KNOWN_MASK_NAMES);
    fc.assert(
      fc.property(fc.boolean(), fc.array(name, { maxLength: 6 }), name, (all, inc, x) => {
        expect(maskHas({ all, include: inc, exclude: [x] }, x)).toBe(false);
      }),
    );
  });
});

describe("catalogue", () => {
  test("lists hold what the brief names", () => {
    for (const p of PSEUDO_ACTIONS) expect(MEDIATION_DN_ACTIONS).toContain(p);
    expect(AGENT_STATUSES.at(-1)).toBe("LoggedOut");
    expect(DN_STATUSES).not.toContain("LoggedOut");
    expect(DN_STATUSES.indexOf("WaitForNextCall")).toBe(4);
    expect(DN_STATUSES.indexOf("NotReadyForNextCall")).toBe(8);
    expect(REGULAR_DN_ACTIONS).toContain("CallInbound");
    for (const list of [REGULAR_DN_ACTIONS, MEDIATION_DN_ACTIONS, AGENT_STATUSES])
      expect(new Set(list).size).toBe(list.length);
    for (const [alias, members] of Object.entries(MASK_ALIASES)) {
      expect(KNOWN_MASK_NAMES.has(alias)).toBe(true);
      for (const m of members) expect(KNOWN_MASK_NAMES.has(m)).toBe(true);
    }
  });
  test("checkMaskNames: unknown names are errors with a hint", () => {
    expect(checkMaskNames(parseMask("CallWiat"), "action")).toEqual([
      { level: "error", message: 'unknown action "CallWiat" (did you mean "CallWait"?)' },
    ]);
    expect(checkMaskNames(parseMask("*,~LogedOut"), "status")[0].message).toContain(
      'did you mean "LoggedOut"',
    );
    expect(checkMaskNames(parseMask("Zzzzzzzz"), "action")[0].message).toBe('unknown action "Zzzzzzzz"');
  });
  test("checkMaskNames: wrong family and exclusion-only are warnings", () => {
    expect(checkMaskNames(parseMask("*,~LoggedOut,~NotMonitored"), "status")).toEqual([]);
    expect(checkMaskNames(parseMask("CallEntered"), "status")[0].level).toBe("warning");
    expect(checkMaskNames(parseMask("LoggedOut"), "action")[0].level).toBe("warning");
    const f = checkMaskNames(parseMask("~CallWait"), "action");
    expect(f).toEqual([{ level: "warning", message: expect.stringContaining('"*,~CallWait"') }]);
  });
  test("didYouMean", () => {
    expect(didYouMean("CurrentNumbr", ["CurrentNumber", "TotalTime"])).toBe(
      ' (did you mean "CurrentNumber"?)',
    );
    expect(didYouMean("currentnumber", ["CurrentNumber"])).toBe(' (did you mean "CurrentNumber"?)');
    expect(didYouMean("xyz", ["CurrentNumber"])).toBe("");
    expect(didYouMean("x".repeat(10000), ["x"])).toBe("");
  });
});
