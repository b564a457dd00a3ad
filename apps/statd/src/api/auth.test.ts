import { describe, expect, test } from "bun:test";
import { Authenticator, inScope, objectInScope, timingSafeEqual } from "./auth.ts";

describe("Authenticator", () => {
  const auth = new Authenticator([{ token: "all-t" }, { token: "acme-t", tenant: "acme" }]);
  test("the tenant of the matching token; null when missing or wrong", async () => {
    expect(await auth.check("Bearer all-t")).toEqual({ tenant: null });
    expect(await auth.check("Bearer acme-t")).toEqual({ tenant: "acme" });
    expect(await auth.check("bearer  acme-t ")).toEqual({ tenant: "acme" });
    expect(await auth.check("acme-t", { bare: true })).toEqual({ tenant: "acme" });
    for (const h of [
      undefined,
      null,
      "",
      "Bearer",
      "Bearer acme",
      "Bearer acme-t2",
      "Token acme-t",
      "acme-t",
    ])
      expect(await auth.check(h)).toBeNull();
    expect(await auth.check(`Bearer ${"x".repeat(5000)}`)).toBeNull();
  });
  test("no tokens: everyone is an unscoped caller", async () => {
    const open = new Authenticator([]);
    expect(open.enabled).toBe(false);
    expect(await open.check(undefined)).toEqual({ tenant: null });
  });
  test("timingSafeEqual", () => {
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(timingSafeEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(timingSafeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });
});

describe("scope", () => {
  const tenantOf = (o: { type: string; id: string }) => ({ "8001": "acme", "9001": "globex" })[o.id] ?? null;
  test("inScope and objectInScope", () => {
    expect(inScope(null, "x")).toBe(true);
    expect(inScope("acme", "acme")).toBe(true);
    expect(inScope("acme", "globex")).toBe(false);
    expect(inScope("acme", null)).toBe(true); // unknown object: the service answers 404
    expect(objectInScope("acme", { type: "Queue", id: "8001" }, tenantOf)).toBe(true);
    expect(objectInScope("acme", { type: "Queue", id: "9001" }, tenantOf)).toBe(false);
    expect(objectInScope("acme", { type: "Queue", id: "8001", tenant: "globex" }, tenantOf)).toBe(false);
    expect(objectInScope(null, { type: "Queue", id: "9001" }, tenantOf)).toBe(true);
  });
});
