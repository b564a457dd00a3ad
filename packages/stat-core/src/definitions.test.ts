import { describe, expect, test } from "bun:test";
import { CATEGORIES, OBJECT_TYPES, SUBJECTS } from "./definitions.ts";

describe("definitions", () => {
  test("vocabularies have no duplicates", () => {
    for (const list of [CATEGORIES, OBJECT_TYPES, SUBJECTS]) expect(new Set(list).size).toBe(list.length);
  });
  test("Place is kept (statd does not drop it in cluster mode)", () => {
    expect(OBJECT_TYPES).toContain("Place");
    expect(SUBJECTS).toContain("PlaceStatus");
  });
});
