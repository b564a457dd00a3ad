import { expect, test } from "bun:test";
import { RateLog } from "./ratelog.ts";

test("burst per interval written one by one, the rest summarised once per interval", () => {
  const lines: [Record<string, unknown>, string][] = [];
  const w = (o: Record<string, unknown>, m: string) => lines.push([o, m]);
  const r = new RateLog({ debug: w, info: w, warn: w, error: w }, { node: "n1" }, 2, 1000, () => ({ n: 7 }));
  for (let i = 0; i < 5; i++) r.warn(10 * i, { i }, i % 2 ? "odd" : "even");
  expect(lines).toEqual([
    [{ node: "n1", i: 0 }, "even"],
    [{ node: "n1", i: 1 }, "odd"],
  ]);
  r.flush(999);
  expect(lines.length).toBe(2);
  r.flush(1000);
  expect(lines[2]).toEqual([
    { node: "n1", suppressed: 3, byMessage: { even: 2, odd: 1 }, n: 7 },
    "more warnings not logged one by one",
  ]);
  r.warn(1001, {}, "again"); // a new interval: written
  expect(lines.length).toBe(4);
  r.flush(5000);
  expect(lines.length).toBe(4); // nothing suppressed, no summary
});
