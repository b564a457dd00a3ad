import { expect, test } from "bun:test";
import { RestartBackoff } from "./backoff.ts";

test("quick crashes double the delay up to the cap", () => {
  const b = new RestartBackoff({ initialMs: 1000, maxMs: 8000, stableMs: 10_000 });
  expect([0, 100, 9999, 0, 0, 0].map((a) => b.next(a))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
  expect(b.consecutive).toBe(6);
});

test("a stable run resets the backoff", () => {
  const b = new RestartBackoff({ initialMs: 100, maxMs: 1000, stableMs: 500 });
  expect([b.next(0), b.next(0), b.next(0)]).toEqual([100, 200, 400]);
  expect(b.next(500)).toBe(100);
  expect(b.consecutive).toBe(1);
  expect(b.next(10)).toBe(200);
});

test("defaults are 1 s doubling to 30 s", () => {
  const b = new RestartBackoff();
  const d = Array.from({ length: 7 }, () => b.next(0));
  expect(d).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
});

test("bad settings are refused with the name of the setting", () => {
  expect(() => new RestartBackoff({ initialMs: -1 })).toThrow(/restartBackoff.initialMs/);
  expect(() => new RestartBackoff({ maxMs: Number.NaN })).toThrow(/restartBackoff.maxMs/);
  expect(() => new RestartBackoff({ initialMs: 5000, maxMs: 1000 })).toThrow(/exceeds maxMs/);
});
