/** Property: SmallMap behaves like a Map (insertion order included) under random set/delete. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { SmallMap } from "./small-map.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 300,
);

const op = fc.oneof(
  fc.record({ k: fc.constant("set" as const), key: fc.integer({ min: 0, max: 5 }), v: fc.integer() }),
  fc.record({ k: fc.constant("delete" as const), key: fc.integer({ min: 0, max: 5 }) }),
);

describe("SmallMap", () => {
  test("matches Map after every step", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const m = new SmallMap<number, number>();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.k === "set") {
            m.set(o.key, o.v);
            model.set(o.key, o.v);
          } else expect(m.delete(o.key)).toBe(model.delete(o.key));
          expect(m.size).toBe(model.size);
          expect(m.keys()).toEqual([...model.keys()]);
          expect(m.values()).toEqual([...model.values()]);
          for (let key = 0; key <= 5; key++) {
            expect(m.has(key)).toBe(model.has(key));
            expect(m.get(key)).toBe(model.get(key));
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  test("a deleted key set again goes to the end", () => {
    const m = new SmallMap<string, number>();
    m.set("a", 1).set("b", 2).set("c", 3);
    m.delete("a");
    m.set("a", 4);
    expect(m.keys()).toEqual(["b", "c", "a"]);
    expect(m.valAt(2)).toBe(4);
    expect(m.indexOf("zz")).toBe(-1);
  });
});
