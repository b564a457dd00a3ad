import { describe, expect, test } from "bun:test";
import { Sequencer, type SeqVerdict } from "./sequencer.ts";

function run(window: number, last: number | undefined, seqs: number[]) {
  const q = new Sequencer<number>(window);
  q.reset(last);
  const out: [number, boolean][] = [];
  const verdicts: SeqVerdict[] = seqs.map((s) => q.push(s, s, 0, (e, r) => out.push([e, r])));
  return { q, out, verdicts };
}

describe("Sequencer", () => {
  test("in order, held, drained in order, duplicates", () => {
    const r = run(4, 0, [1, 3, 2, 2, 5, 4, 2]);
    expect(r.verdicts).toEqual([
      "delivered",
      "held",
      "delivered",
      "duplicate",
      "held",
      "delivered",
      "duplicate",
    ]);
    expect(r.out).toEqual([
      [1, false],
      [2, false],
      [3, true],
      [4, false],
      [5, true],
    ]);
    expect(r.q.lastSeq).toBe(5);
  });

  test("beyond the window ahead is a gap; beyond it behind is not a duplicate", () => {
    expect(run(4, 10, [14, 16, 7, 6, 1]).verdicts).toEqual(["held", "gap", "duplicate", "behind", "behind"]);
  });

  test("no position: the first event is the baseline", () => {
    const r = run(4, undefined, [900, 901]);
    expect(r.out.map(([e]) => e)).toEqual([900, 901]);
  });

  test("a hole's age; clearHeld forgets held events", () => {
    const q = new Sequencer<number>(8);
    q.reset(0);
    q.push(3, 3, 100, () => {});
    expect(q.holeOpenFor(350)).toBe(250);
    q.clearHeld();
    expect(q.held).toBe(0);
    expect(q.holeOpenFor(400)).toBe(0);
  });
});
