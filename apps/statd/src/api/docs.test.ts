import { describe, expect, test } from "bun:test";
import { DOCS_ASSETS, docsPage, readDocsAsset } from "./docs.ts";

describe("docs", () => {
  test("every asset the page names is readable from the package", async () => {
    const html = docsPage({ accessToken: null });
    const names = [...html.matchAll(/"\/docs\/([^"?]+)/g)].map((m) => m[1]!);
    expect(names.sort()).toEqual(Object.keys(DOCS_ASSETS).sort());
    for (const n of names) expect((await readDocsAsset(n))!.byteLength).toBeGreaterThan(100);
    expect(new TextDecoder().decode((await readDocsAsset("swagger-ui-bundle.js"))!.slice(0, 4000))).toMatch(
      /swagger/i,
    );
  });
  test("unknown names are null; the token is escaped into the URLs", async () => {
    expect(await readDocsAsset("../package.json")).toBeNull();
    expect(await readDocsAsset("index.html")).toBeNull();
    expect(await readDocsAsset("constructor")).toBeNull();
    const html = docsPage({ accessToken: '"><script>x</script>' });
    expect(html).not.toContain("<script>x");
    expect(html).toContain("access_token=%22%3E%3Cscript%3Ex%3C%2Fscript%3E");
  });
});
