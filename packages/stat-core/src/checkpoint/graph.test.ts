/** The graph codec: round trips of what JSON loses, named externals, clear refusals. */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { decodeGraph, encodeGraph, GraphError } from "./graph.ts";

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
const classes = { Point };
const none = { classes, externals: new Map<object, string>() };
const back = (v: unknown, ext: Map<string, object> = new Map()) =>
  decodeGraph(encodeGraph(v, none), { classes, externals: ext });

describe("graph codec", () => {
  test("shared references, cycles, classes, collections and odd numbers survive", () => {
    const shared = { n: 1 };
    const root: Record<string, unknown> = {
      a: shared,
      b: [shared, shared],
      m: new Map<unknown, unknown>([
        ["k", shared],
        [shared, new Set([1, "x", shared])],
      ]),
      p: new Point(3, 4),
      t: new Float64Array([1.5, -0, Number.NaN]),
      i: Int32Array.from([1, -2, 3]),
      nums: [-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 40, 0.1],
      u: undefined,
      frozen: Object.freeze({ z: 1 }),
      s: "é ✓ 𝄞",
    };
    root.self = root;
    const r = back(root) as typeof root & { self: unknown };
    expect(r.self).toBe(r);
    expect(r.a).toBe((r.b as unknown[])[0]);
    expect((r.b as unknown[])[1]).toBe(r.a);
    const m = r.m as Map<unknown, unknown>;
    expect(m.get("k")).toBe(r.a);
    expect([...(m.get(r.a) as Set<unknown>)][2]).toBe(r.a);
    expect((r.p as Point).norm()).toBe(5);
    expect(r.p).toBeInstanceOf(Point);
    expect([...(r.t as Float64Array)]).toEqual([1.5, -0, Number.NaN]);
    expect(Object.is((r.t as Float64Array)[1], -0)).toBe(true);
    expect(r.i).toBeInstanceOf(Int32Array);
    expect(Object.is((r.nums as number[])[0], -0)).toBe(true);
    expect(r.nums).toEqual(root.nums);
    expect("u" in r && r.u === undefined).toBe(true);
    expect(Object.isFrozen(r.frozen)).toBe(true);
    expect(r.s).toBe(root.s);
  });

  test("externals are written by name and resolved against the reader's objects", () => {
    const cfg = { big: "config" };
    const fn = (): number => 1;
    const bytes = encodeGraph(
      { cfg, fn, again: cfg },
      {
        classes,
        externals: new Map<object, string>([
          [cfg, "cfg"],
          [fn, "fn"],
        ]),
      },
    );
    const cfg2 = { big: "other process" };
    const fn2 = (): number => 2;
    const r = decodeGraph(bytes, {
      classes,
      externals: new Map<string, object>([
        ["cfg", cfg2],
        ["fn", fn2],
      ]),
    }) as {
      cfg: unknown;
      fn: unknown;
      again: unknown;
    };
    expect(r.cfg).toBe(cfg2);
    expect(r.again).toBe(cfg2);
    expect(r.fn).toBe(fn2);
    expect(() => decodeGraph(bytes, { classes, externals: new Map() })).toThrow(
      'external "cfg" is not known here',
    );
  });

  test("what cannot be written is refused, naming where", () => {
    expect(() => encodeGraph({ a: { f: () => 1 } }, none)).toThrow(
      /function that is not an external \(at root\.a\.f\)/,
    );
    class Other {}
    expect(() => encodeGraph({ o: new Other() }, none)).toThrow(/Other is not a registered class/);
    expect(() => encodeGraph({ b: 1n }, none)).toThrow(GraphError);
    expect(() =>
      decodeGraph(encodeGraph(new Point(1, 2), none), { classes: {}, externals: new Map() }),
    ).toThrow('class "Point" is not known here');
  });

  test("JSON-like values round-trip (property)", () => {
    const proto = back(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.keys(proto)).toEqual(["__proto__"]);
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(back(v)).toEqual(v);
      }),
    );
  });

  test("hostile bytes: a GraphError, never another error", () => {
    const good = encodeGraph({ a: [1, "x", new Map([[1, new Set([2])]])], p: new Point(1, 2) }, none);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 0, max: good.length }), (junk, at) => {
        for (const b of [junk, Uint8Array.from([...good.subarray(0, at), ...junk])]) {
          try {
            decodeGraph(b, { classes, externals: new Map() });
          } catch (e) {
            expect(e).toBeInstanceOf(GraphError);
          }
        }
      }),
      { numRuns: 500 },
    );
    // nesting past the stack
    const deep = new Uint8Array(4 + 5 * 200_000);
    deep.set([0x53, 0x47, 0x52, 0x31]);
    for (let i = 0; i < 200_000; i++) deep.set([11, 1, 0, 0, 0], 4 + 5 * i);
    expect(() => decodeGraph(deep, { classes, externals: new Map() })).toThrow(GraphError);
    // a length that runs past the end does not allocate it
    expect(() =>
      decodeGraph(Uint8Array.from([0x53, 0x47, 0x52, 0x31, 11, 255, 255, 255, 255]), none as never),
    ).toThrow(/runs past the end/);
  });
});
