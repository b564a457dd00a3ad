import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { CATEGORIES } from "../definitions.ts";
import { C, emptyPartial, MERGE_OP, mergePartials, NC, type StatPartial, valueOfPartial } from "./partial.ts";

const AT = 1_700_000_000_000;
const leaf = fc.oneof(
  fc.constantFrom("LoggedIn", "WaitForNextCall", "CallInbound"),
  fc.integer({ min: 0, max: 5 }),
);
const tree = fc.dictionary(
  fc.constantFrom("a1", "a2", "a3", "dns"),
  fc.oneof(leaf, fc.dictionary(fc.constantFrom("x", "y"), leaf)),
  {
    maxKeys: 3,
  },
);
const partialArb: fc.Arbitrary<StatPartial> = fc
  .record({
    cat: fc.constantFrom(...CATEGORIES),
    c: fc.tuple(
      ...Array.from({ length: NC }, (_, i) =>
        MERGE_OP[i] === 0
          ? fc.integer({ min: 0, max: 1e6 })
          : fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: null }),
      ),
    ),
    inv: fc.nat(3),
    sel: fc.option(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 }), fc.nat(15)), {
        maxLength: 4,
      }),
      {
        nil: undefined,
      },
    ),
    tree: fc.option(tree, { nil: undefined }),
  })
  .map(({ cat, c, inv, sel, tree }) => {
    const p: StatPartial = { cat: "TotalNumber", at: AT, c, inv };
    p.cat = cat === "MaxNumber" || cat === "MinNumber" ? "TotalNumber" : cat;
    if (sel) {
      p.sel = sel.sort((x, y) => y[0] - x[0] || y[1] - x[1] || y[2] - x[2]).slice(0, 3);
      p.selN = 3;
    }
    if (tree) p.tree = tree;
    return p;
  });
const same = (cat: StatPartial["cat"], ...ps: StatPartial[]): StatPartial[] => ps.map((p) => ({ ...p, cat }));
const norm = (p: StatPartial): string => JSON.stringify({ ...p, selN: p.sel ? p.selN : undefined });

describe("partial merge algebra (every category)", () => {
  test("associative", () => {
    fc.assert(
      fc.property(partialArb, partialArb, partialArb, (a0, b0, c0) => {
        const [a, b, c] = same(a0.cat, a0, b0, c0);
        expect(norm(mergePartials(a, mergePartials(b, c)))).toBe(norm(mergePartials(mergePartials(a, b), c)));
      }),
      { numRuns: 300 },
    );
  });
  test("commutative (values, and components)", () => {
    fc.assert(
      fc.property(partialArb, partialArb, (a0, b0) => {
        const [a, b] = same(a0.cat, a0, b0);
        const ab = mergePartials(a, b);
        const ba = mergePartials(b, a);
        expect(ab.c).toEqual(ba.c);
        expect(ab.sel).toEqual(ba.sel);
        expect(JSON.stringify(valueOfPartial(ab))).toBe(JSON.stringify(valueOfPartial(ba)));
      }),
      { numRuns: 300 },
    );
  });
  test("identity", () => {
    fc.assert(
      fc.property(partialArb, (a) => {
        const e = emptyPartial(a.cat, AT);
        expect(norm(mergePartials(a, e))).toBe(norm({ ...a, sel: a.sel, tree: a.tree }));
        expect(norm(mergePartials(e, a))).toBe(norm({ ...a, sel: a.sel, tree: a.tree }));
      }),
      { numRuns: 300 },
    );
  });
});

describe("values", () => {
  test("division by zero and no data are null, never 0 or NaN", () => {
    for (const cat of CATEGORIES) {
      const v = valueOfPartial(emptyPartial(cat, AT));
      if (typeof v === "number") expect(Number.isNaN(v)).toBe(false);
    }
    expect(valueOfPartial(emptyPartial("AverageTime", AT))).toBe(null);
    expect(valueOfPartial(emptyPartial("ServiceFactor1", AT))).toBe(null);
    expect(valueOfPartial(emptyPartial("CurrentMaxTime", AT))).toBe(null);
    expect(valueOfPartial(emptyPartial("TotalNumber", AT))).toBe(0);
  });
  test("ServiceFactor1 = 100 × answered in range / (answered + abandoned − short abandons)", () => {
    const p = emptyPartial("ServiceFactor1", AT);
    p.c[C.NM] = 8;
    p.c[C.NMR] = 6;
    p.c[C.NR] = 3;
    p.c[C.NRR2] = 1;
    expect(valueOfPartial(p)).toBe(60);
  });
  test("durations are integer ms inside, seconds outside", () => {
    const p = emptyPartial("AverageTime", AT);
    p.c[C.NM] = 3;
    p.c[C.TM] = 10_000;
    expect(valueOfPartial(p)).toBeCloseTo(10 / 3, 12);
  });
});
