/**
 * Property: a composite's contributing DNs (the first kept inline, the rest in a list) behave
 * like one list in arrival order: upsert, remove, the best status with its attributes (first DN
 * wins a tie) and the login queues, after every step of random operation sequences.
 */
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { Composite } from "./composite.ts";
import type { Attrs } from "./types.ts";

const RUNS = Number(
  (globalThis as { process?: { env?: Record<string, string> } }).process?.env?.STAT_RUNS ?? 200,
);

interface ModelDn {
  dn: string;
  st: number;
  attrs: Attrs | null;
  loggedIn: boolean;
  queue: string | null;
}

type Op =
  | { k: "upsert"; dn: string; st: number; loggedIn: boolean; queue: string | null | undefined }
  | { k: "remove"; dn: string };

const dn = fc.constantFrom("d1", "d2", "d3", "d4");
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    k: fc.constant("upsert" as const),
    dn,
    st: fc.integer({ min: 0, max: 9 }),
    loggedIn: fc.boolean(),
    queue: fc.constantFrom("q1", "q2", null, undefined),
  }),
  fc.record({ k: fc.constant("remove" as const), dn }),
);

describe("Composite DN list", () => {
  test("matches a plain list model after every step", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const c = new Composite("a1", [], 0, 0);
        const model: ModelDn[] = [];
        ops.forEach((o, step) => {
          const i = model.findIndex((v) => v.dn === o.dn);
          if (o.k === "remove") {
            expect(c.remove(o.dn)).toBe(i >= 0);
            if (i >= 0) model.splice(i, 1);
          } else {
            const attrs: Attrs = { agentId: String(step) };
            let changed: boolean;
            if (i >= 0) {
              const v = model[i];
              changed = o.queue !== undefined && v.queue !== o.queue;
              v.st = o.st;
              v.attrs = attrs;
              v.loggedIn = o.loggedIn;
              if (o.queue !== undefined) v.queue = o.queue;
            } else {
              changed = true;
              model.push({ dn: o.dn, st: o.st, attrs, loggedIn: o.loggedIn, queue: o.queue ?? null });
            }
            expect(c.upsert(o.dn, o.st, attrs, o.loggedIn, o.queue)).toBe(changed);
          }
          expect(c.n).toBe(model.length);
          let best = -1;
          let bestAttrs: Attrs | null = null;
          for (const v of model)
            if (v.loggedIn && v.st > best) {
              best = v.st;
              bestAttrs = v.attrs;
            }
          expect(c.best()).toBe(best);
          expect(c.bestAttrs).toBe(bestAttrs);
          const qs = new Set<string>();
          c.queuesInto(qs);
          expect([...qs]).toEqual([...new Set(model.flatMap((v) => (v.queue ? [v.queue] : [])))]);
        });
      }),
      { numRuns: RUNS },
    );
  });

  test("removing the inline first DN moves the next one in, in order", () => {
    const c = new Composite("a1", [], 0, 0);
    c.upsert("d1", 3, null, true, "q1");
    c.upsert("d2", 5, { thisDN: "d2" }, true, "q2");
    c.upsert("d3", 5, { thisDN: "d3" }, true, null);
    expect(c.remove("d1")).toBe(true);
    expect(c.remove("d1")).toBe(false);
    expect(c.n).toBe(2);
    // d2 is first now: it wins the tie with d3
    expect(c.best()).toBe(5);
    expect(c.bestAttrs).toEqual({ thisDN: "d2" });
    const qs = new Set<string>();
    c.queuesInto(qs);
    expect([...qs]).toEqual(["q2"]);
  });
});
