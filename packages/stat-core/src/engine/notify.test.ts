import { describe, expect, test } from "bun:test";
import { changedEnough } from "./notify.ts";

describe("insensitivity", () => {
  test("percent of the last reported value", () => {
    expect(changedEnough(100, 104.9, 5)).toBe(false);
    expect(changedEnough(100, 105, 5)).toBe(true);
    expect(changedEnough(100, 95, 5)).toBe(true);
    expect(changedEnough(-100, -96, 5)).toBe(false);
  });
  test("zero baseline and zero insensitivity notify on any change", () => {
    expect(changedEnough(0, 0.001, 50)).toBe(true);
    expect(changedEnough(7, 7.001, 0)).toBe(true);
    expect(changedEnough(7, 7, 0)).toBe(false);
  });
  test("null and structures", () => {
    expect(changedEnough(null, null, 0)).toBe(false);
    expect(changedEnough(null, 1, 10)).toBe(true);
    expect(changedEnough(1, null, 10)).toBe(true);
    expect(changedEnough({ a: 1 }, { a: 1 }, 0)).toBe(false);
    expect(changedEnough({ a: 1 }, { a: 2 }, 99)).toBe(true);
    expect(changedEnough(undefined, 0, 0)).toBe(true);
  });
});
