import { describe, expect, test } from "bun:test";
import { openApiDocument } from "./openapi.ts";

describe("openApiDocument", () => {
  test("OpenAPI 3.1 with bearer security; the schemas carry the validators' limits", () => {
    const doc = openApiDocument({ version: "9.9.9" }) as {
      openapi: string;
      info: { version: string };
      components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.version).toBe("9.9.9");
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    const s = JSON.stringify(doc.components.schemas);
    expect(s).toContain('"maxItems":1000'); // MAX_QUERY_ITEMS
    expect(s).toContain('"maxLength":256'); // MAX_NAME
    expect(s).toContain('"additionalProperties":false'); // strict objects
    expect(JSON.stringify(doc.components.schemas.ClientMessage)).toContain("reattach");
  });
});
