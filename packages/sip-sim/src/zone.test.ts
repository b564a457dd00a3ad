import { describe, expect, test } from "bun:test";
import { Zone } from "./zone.ts";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("Zone", () => {
  test("UTC", () => {
    const z = new Zone(undefined);
    expect(z.offset(at("2026-07-01T00:00:00Z"))).toBe(0);
    expect(z.secondOfDay(at("2026-01-05T08:30:00Z"))).toBe(30600);
    expect(z.until(at("2026-01-05T08:00:00Z"), 9 * 3600)).toBe(3600);
    expect(z.until(at("2026-01-05T10:00:00Z"), 9 * 3600)).toBe(23 * 3600);
    expect(z.until(at("2026-01-05T09:00:00Z"), 9 * 3600)).toBe(0);
  });

  test("Europe/Paris, winter and summer time", () => {
    const z = new Zone("Europe/Paris");
    expect(z.offset(at("2026-01-05T12:00:00Z"))).toBe(3600);
    expect(z.offset(at("2026-07-01T12:00:00Z"))).toBe(7200);
    expect(z.secondOfDay(at("2026-01-05T07:00:00Z"))).toBe(8 * 3600);
    // across the spring change (2026-03-29 02:00 CET -> 03:00 CEST): 08:00 local is 06:00 UTC
    const sat = at("2026-03-28T07:00:00Z"); // 08:00 CET on Saturday
    expect(sat + 1 + z.until(sat + 1, 8 * 3600)).toBe(at("2026-03-29T06:00:00Z"));
    // and the autumn change (2026-10-25 03:00 CEST -> 02:00 CET): 08:00 local is 07:00 UTC
    const oct = at("2026-10-24T06:00:00Z"); // 08:00 CEST
    expect(oct + 1 + z.until(oct + 1, 8 * 3600)).toBe(at("2026-10-25T07:00:00Z"));
  });

  test("unknown zones throw", () => {
    expect(() => new Zone("Mars/Olympus")).toThrow(RangeError);
  });
});
