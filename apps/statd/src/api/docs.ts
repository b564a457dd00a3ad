/**
 * `GET /docs`: a page that renders `/openapi.json` with Swagger UI. The Swagger UI bundle and its
 * stylesheet are served by the API itself from the `swagger-ui-dist` package (`/docs/…`), so the
 * page works on a machine without internet access; the page's own start script is a file too
 * (`/docs/init.js`), so the page runs under a `script-src 'self'` content security policy.
 *
 * A token given as `?access_token=` on the page is carried to the assets and, as an
 * `Authorization` header, to the document and to "try it out" requests.
 *
 * @example
 * ```ts
 * const html = docsPage({ accessToken: null });
 * const js = await readDocsAsset("swagger-ui-bundle.js"); // Uint8Array, or null for an unknown name
 * ```
 * @module
 */
/** The files under `/docs/` and their content types. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "init.js": "text/javascript; charset=utf-8",
};

/** The content security policy of the docs page. */
export const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'";

const _INIT = `(() => {
  const token = new URLSearchParams(location.search).get("access_token");
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    requestInterceptor: (req) => {
      if (token) req.headers.Authorization = "Bearer " + token;
      return req;
    },
  });
})();
`;

/** A file of an installed package, by `fetch` of its `file:` URL (Bun and Deno both serve those). */
async function _readPackageFile(spec: string): Promise<Uint8Array | null> {
  const res = await fetch(import.meta.resolve(spec));
  if (!res.ok) return null;
  return new Uint8Array(await res.arrayBuffer());
}

const _cache = new Map<string, Promise<Uint8Array | null>>();

/**
 * The bytes of one docs asset (see {@link DOCS_ASSETS}), read once from `swagger-ui-dist` and
 * kept; null for a name that is not one. (Read with `fetch` of the package file's `file:` URL,
 * which Bun and Deno both support, so this module needs no `node:fs`.)
 */
export function readDocsAsset(name: string): Promise<Uint8Array | null> {
  if (!Object.hasOwn(DOCS_ASSETS, name)) return Promise.resolve(null);
  let p = _cache.get(name);
  if (!p) {
    p =
      name === "init.js"
        ? Promise.resolve(new TextEncoder().encode(_INIT))
        : _readPackageFile(`swagger-ui-dist/${name}`);
    _cache.set(name, p);
  }
  return p;
}

const _attr = (s: string): string =>
  s.replaceAll("&", "&amp;").replaceAll('"', "&quot;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The HTML of the docs page; `accessToken` (from the query) is carried to the asset URLs. */
export function docsPage(opts: { accessToken: string | null; title?: string }): string {
  const q = opts.accessToken ? `?access_token=${_attr(encodeURIComponent(opts.accessToken))}` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${_attr(opts.title ?? "statd API")}</title>
<link rel="stylesheet" href="/docs/swagger-ui.css${q}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js${q}"></script>
<script src="/docs/init.js${q}"></script>
</body>
</html>
`;
}
