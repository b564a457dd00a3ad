import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { eventKey, ownerOf, statKey } from "./route.ts";

describe("route", () => {
  test("keys", () => {
    expect(eventKey({ thisDN: "7001" })).toBe("dn:7001");
    expect(eventKey({})).toBeNull();
    expect(eventKey({ thisDN: 7001 })).toBeNull();
    expect(statKey({ type: "Queue", id: "8001" })).toBe("obj:Queue:8001");
  });
  test("only the keys of a leaving member move (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 0, max: 3 }),
        (keys, gone) => {
          const all = [0, 1, 2, 3];
          const rest = all.filter((m) => m !== gone);
          for (const k of keys) {
            const before = ownerOf(k, all);
            const after = ownerOf(k, rest);
            if (before !== gone) expect(after).toBe(before);
            else expect(rest).toContain(after);
          }
        },
      ),
    );
  });
});
