import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { EventHeap } from "./heap.ts";

describe("EventHeap", () => {
  test("pops by time, ties first-in first-out", () => {
    const h = new EventHeap<string>();
    h.push(2, "c");
    h.push(1, "a");
    h.push(2, "d");
    h.push(1, "b");
    const out: string[] = [];
    for (let x = h.pop(); x; x = h.pop()) out.push(x.value);
    expect(out).toEqual(["a", "b", "c", "d"]);
  });

  test("cancelled items are skipped and not counted", () => {
    const h = new EventHeap<number>();
    const a = h.push(1, 1);
    h.push(2, 2);
    h.cancel(a);
    h.cancel(a);
    expect(h.size).toBe(1);
    expect(h.peekTime()).toBe(2);
    expect(h.pop()?.value).toBe(2);
    expect(h.pop()).toBeUndefined();
    expect(h.size).toBe(0);
  });

  test("matches a stable sort (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean()), { maxLength: 200 }),
        (items) => {
          const h = new EventHeap<number>();
          const handles = items.map(([t], i) => h.push(t, i));
          items.forEach(([, cancel], i) => {
            if (cancel) h.cancel(handles[i]);
          });
          const expected = items
            .map(([t, cancel], i) => ({ t, i, cancel }))
            .filter((x) => !x.cancel)
            .sort((x, y) => x.t - y.t || x.i - y.i)
            .map((x) => x.i);
          const got: number[] = [];
          for (let x = h.pop(); x; x = h.pop()) got.push(x.value);
          expect(got).toEqual(expected);
        },
      ),
    );
  });
});
