import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { hash32, rendezvousOwner } from "./rendezvous.ts";

describe("rendezvousOwner", () => {
  test("deterministic and independent of the order of instances", () => {
    fc.assert(
      fc.property(fc.string(), fc.uniqueArray(fc.nat(15), { minLength: 1, maxLength: 8 }), (key, ids) => {
        const a = rendezvousOwner(key, ids);
        expect(ids).toContain(a);
        expect(rendezvousOwner(key, [...ids].reverse())).toBe(a);
      }),
    );
  });
  test("removing an instance moves only the keys it owned", () => {
    const keys = Array.from({ length: 2000 }, (_, i) => `dn:${7000 + i}`);
    const before = keys.map((k) => rendezvousOwner(k, [0, 1, 2, 3]));
    const after = keys.map((k) => rendezvousOwner(k, [0, 1, 3]));
    keys.forEach((_, i) => {
      if (before[i] !== 2) expect(after[i]).toBe(before[i]);
      else expect(after[i]).not.toBe(2);
    });
  });
  test("spreads keys evenly (each of 4 instances gets 25 % ± 3 % of 20 000 keys)", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) counts[rendezvousOwner(`agent:agent${i}`, [0, 1, 2, 3])]++;
    for (const c of counts) expect(Math.abs(c / 20_000 - 0.25)).toBeLessThan(0.03);
  });
  test("no instances is an error", () => {
    expect(() => rendezvousOwner("x", [])).toThrow(RangeError);
  });
  test("hash32 differs by seed and is a 32-bit unsigned integer", () => {
    expect(hash32("a", 1)).not.toBe(hash32("a", 2));
    fc.assert(
      fc.property(
        fc.string(),
        fc.nat(),
        (s, seed) => Number.isInteger(hash32(s, seed)) && hash32(s, seed) >= 0 && hash32(s, seed) < 2 ** 32,
      ),
    );
  });
});
