/**
 * The statd REST and push API as a portable Hono app (docs/api.md): every route of the contract
 * over one {@link StatService}, with bearer-token auth and tenant scope, JSON errors everywhere,
 * body size caps, server-sent events per statistic and the WebSocket stream (through the
 * runtime's `upgradeWebSocket`, e.g. `bun.ts`'s). Nothing here depends on a runtime.
 *
 * Errors are `{"error":{"code","message","details"?}}` with a 4xx/5xx status: unknown route 404,
 * bad JSON 400, a body over `maxBodyBytes` 413, schema issues 400 with `details: [{path,message}]`,
 * a {@link ServiceError} with its own status, anything else 500 (logged; the process stays up).
 *
 * @example
 * ```ts
 * const app = createApp({ service, tokens: config.api.tokens, logger });
 * const res = await app.request("/v1/statistics", { method: "POST", body: JSON.stringify(body) });
 * ```
 * @module
 */
import { OBJECT_TYPES } from "@statd/stat-core";
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { UpgradeWebSocket } from "hono/ws";
import * as v from "valibot";
import { type ApiToken, Authenticator, type Caller, inScope, objectInScope } from "./auth.ts";
import { DOCS_ASSETS, DOCS_CSP, docsPage, readDocsAsset } from "./docs.ts";
import { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
import { openApiDocument } from "./openapi.ts";
import { issueDetails, OpenBody, QueryBody, toOpenRequest } from "./schemas.ts";
import { type NotificationOut, ServiceError, type StatInfo, type StatService } from "./service.ts";
import { StreamHub, type StreamSession } from "./stream.ts";

/** The logger calls the API makes (a pino `Logger` is one). */
export interface ApiLogger {
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** Options of {@link createApp}. */
export interface AppOptions {
  service: StatService;
  /** `[api].tokens`; empty: no auth */
  tokens: readonly ApiToken[];
  /** a pino logger (or anything with its `error`/`debug`) */
  logger?: ApiLogger;
  /** largest request body in bytes (default 64 KiB) */
  maxBodyBytes?: number;
  /** the runtime's WebSocket upgrade (absent: `/v1/stream` answers 501) */
  upgradeWebSocket?: UpgradeWebSocket;
  /** the stream protocol of this instance (default: a new hub over `service`) */
  hub?: StreamHub;
  /** comment lines sent on idle SSE streams so proxies keep them open (default 15 000 ms) */
  sseKeepAliveMs?: number;
  /** API version shown in the OpenAPI document */
  version?: string;
}

type _Env = { Variables: { caller: Caller } };

/** Default body cap: 64 KiB. */
export const DEFAULT_MAX_BODY = 64 * 1024;

const _fail = (status: number, code: string, message: string, details?: unknown): never => {
  throw new ServiceError(status, code, message, details);
};

const _errorBody = (code: string, message: string, details?: unknown) => ({
  error: details === undefined ? { code, message } : { code, message, details },
});

/** Read a request body as JSON with a byte cap (413), UTF-8 check and JSON check (400). */
async function _readJson(c: Context, max: number): Promise<unknown> {
  const len = c.req.header("content-length");
  if (len !== undefined && Number(len) > max)
    _fail(413, "body-too-large", `the body may hold at most ${max} bytes`);
  const body = c.req.raw.body;
  if (body === null) _fail(400, "bad-json", "the body is empty; send a JSON document");
  const reader = body!.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      _fail(413, "body-too-large", `the body may hold at most ${max} bytes`);
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let o = 0;
  for (const p of parts) {
    bytes.set(p, o);
    o += p.byteLength;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return _fail(400, "bad-json", "the body is not UTF-8");
  }
  if (text.trim() === "") _fail(400, "bad-json", "the body is empty; send a JSON document");
  try {
    return JSON.parse(text);
  } catch (e) {
    return _fail(
      400,
      "bad-json",
      `the body is not valid JSON: ${e instanceof Error ? e.message.slice(0, 200) : ""}`,
    );
  }
}

function _parse<T extends v.GenericSchema>(schema: T, body: unknown): v.InferOutput<T> {
  const r = v.safeParse(schema, body);
  if (!r.success) _fail(400, "bad-request", "the body does not match the schema", issueDetails(r.issues));
  return (r as v.SafeParseResult<T> & { success: true }).output;
}

const _ObjectsQuery = v.strictObject({
  type: v.optional(v.picklist(OBJECT_TYPES, `type must be one of ${OBJECT_TYPES.join(", ")}`)),
  tenant: v.optional(v.pipe(v.string(), v.maxLength(256))),
  access_token: v.optional(v.string()),
});

/** Build the app; see the module doc. */
export function createApp(opts: AppOptions): Hono<_Env> {
  const svc = opts.service;
  const log = opts.logger;
  const max = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const auth = new Authenticator(opts.tokens);
  const hub =
    opts.hub ?? new StreamHub({ service: svc, onError: (e) => log?.error({ err: e }, "stream error") });
  const keepAlive = opts.sseKeepAliveMs ?? 15_000;
  let openapi: string | null = null;
  const app = new Hono<_Env>();

  app.onError((err, c) => {
    if (err instanceof ServiceError) {
      return c.json(_errorBody(err.code, err.message, err.details), err.status as 400);
    }
    log?.error({ err, method: c.req.method, path: c.req.path }, "request failed");
    return c.json(_errorBody("internal", "internal error"), 500);
  });
  app.notFound((c) => c.json(_errorBody("not-found", `no route ${c.req.method} ${c.req.path}`), 404));

  app.use("*", async (c, next) => {
    const t0 = performance.now();
    await next();
    log?.debug(
      { method: c.req.method, path: c.req.path, status: c.res.status, ms: performance.now() - t0 },
      "http",
    );
  });

  // auth: every route but /healthz; GET requests may carry the token as ?access_token= (browsers
  // cannot set headers on EventSource, WebSocket or a page load)
  app.use("*", async (c, next) => {
    if (c.req.path === "/healthz" || !auth.enabled) {
      c.set("caller", { tenant: null });
      return next();
    }
    const header = c.req.header("authorization");
    const q = c.req.method === "GET" && header === undefined ? c.req.query("access_token") : undefined;
    const caller = q !== undefined ? await auth.check(q, { bare: true }) : await auth.check(header);
    if (caller === null) {
      c.header("WWW-Authenticate", 'Bearer realm="statd"');
      return c.json(
        _errorBody(
          "unauthorized",
          header || q ? "wrong token" : "this route needs Authorization: Bearer TOKEN",
        ),
        401,
      );
    }
    c.set("caller", caller);
    return next();
  });

  const scope = (c: Context<_Env>): string | null => c.get("caller").tenant;
  /** peek a statistic the caller may see (404 unknown, 403 another tenant's) */
  const visible = async (c: Context<_Env>, id: string): Promise<StatInfo> => {
    if (id.length > 256) _fail(404, "unknown-statistic", "no such statistic");
    const info = await svc.peek(id);
    if (!inScope(scope(c), info.tenant)) _fail(403, "forbidden", "this statistic belongs to another tenant");
    return info;
  };

  app.get("/healthz", (c) => c.json({ ok: true, name: svc.name }));
  app.get("/readyz", async (c) => {
    const r = await svc.readiness();
    return c.json({ ready: r.ready, reasons: r.reasons }, r.ready ? 200 : 503);
  });
  app.get("/v1/cluster", async (c) => c.json(await svc.cluster()));
  app.get("/v1/profile", (c) => c.json(svc.profile()));
  app.get("/v1/objects", async (c) => {
    const q = _parse(_ObjectsQuery, c.req.query());
    const s = scope(c);
    if (s !== null && q.tenant !== undefined && q.tenant !== s)
      _fail(403, "forbidden", "this token sees only its own tenant");
    const tenant = s ?? q.tenant;
    const rows = await svc.objects({
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(tenant !== undefined ? { tenant } : {}),
    });
    return c.json({ objects: s === null ? rows : rows.filter((r) => r.tenant === s) });
  });

  app.post("/v1/statistics", async (c) => {
    const body = await _readJson(c, max);
    if (Array.isArray(body))
      _fail(400, "bad-request", "the body does not match the schema", [
        { path: "", message: "the body must be one JSON object (POST /v1/query takes arrays)" },
      ]);
    const req = toOpenRequest(_parse(OpenBody, body));
    if (!objectInScope(scope(c), req.object, (o) => svc.tenantOf(o)))
      _fail(403, "forbidden", "this object belongs to another tenant");
    const info = await svc.open(req, null);
    if (!inScope(scope(c), info.tenant)) {
      await svc.close(info.id).catch(() => {});
      _fail(403, "forbidden", "this object belongs to another tenant");
    }
    return c.json({ id: info.id, value: info.value, valid: info.valid }, 201);
  });
  app.get("/v1/statistics/:id", async (c) => {
    const info = await visible(c, c.req.param("id"));
    return c.json({ id: info.id, value: info.value, valid: info.valid, at: info.at });
  });
  app.delete("/v1/statistics/:id", async (c) => {
    const id = (await visible(c, c.req.param("id"))).id;
    await svc.close(id);
    return c.json({ id, ok: true });
  });
  for (const op of ["suspend", "resume"] as const) {
    app.post(`/v1/statistics/:id/${op}`, async (c) => {
      const id = (await visible(c, c.req.param("id"))).id;
      await (op === "suspend" ? svc.suspend(id) : svc.resume(id));
      return c.json({ id, ok: true });
    });
  }

  app.post("/v1/query", async (c) => {
    const body = _parse(QueryBody, await _readJson(c, max));
    const items = Array.isArray(body) ? body : [body];
    const reqs = items.map((b) => toOpenRequest(b));
    for (const r of reqs)
      if (!objectInScope(scope(c), r.object, (o) => svc.tenantOf(o)))
        _fail(403, "forbidden", `${r.object.type} ${JSON.stringify(r.object.id)} belongs to another tenant`);
    if (!Array.isArray(body)) {
      const r = await svc.query(reqs[0]!);
      return c.json({ value: r.value, valid: r.valid, at: r.at });
    }
    const out = await Promise.all(
      reqs.map(async (r) => {
        try {
          const x = await svc.query(r);
          return { value: x.value, valid: x.valid, at: x.at };
        } catch (e) {
          if (!(e instanceof ServiceError)) throw e;
          return _errorBody(e.code, e.message, e.details);
        }
      }),
    );
    return c.json(out);
  });

  app.get("/v1/statistics/:id/events", async (c) => {
    const first = await visible(c, c.req.param("id"));
    const id = first.id;
    return streamSSE(c, async (stream) => {
      const queue: NotificationOut[] = [];
      let wake: (() => void) | null = null;
      let gone = false;
      const unlisten = svc.listen(id, (n) => {
        queue.push(n);
        wake?.();
      });
      stream.onAbort(() => {
        gone = true;
        wake?.();
      });
      let seq = 0;
      let valid = true;
      const send = async (n: { value: unknown; valid: boolean; at: number; reason?: string }) => {
        if (n.valid !== valid) {
          valid = n.valid;
          await stream.writeSSE({
            event: n.valid ? "valid" : "invalid",
            id: String(++seq),
            data: JSON.stringify({ id }),
          });
        }
        const data = {
          id,
          value: n.value,
          valid: n.valid,
          at: n.at,
          ...(n.reason ? { reason: n.reason } : {}),
        };
        await stream.writeSSE({ event: "info", id: String(++seq), data: JSON.stringify(data) });
      };
      try {
        // the current value first: a fresh peek (the listener is already attached, so nothing
        // that happens from now on is missed; older queued ones are dropped)
        const now = await svc.peek(id).catch(() => first);
        await send(now);
        let floor = now.at;
        while (!gone) {
          const batch = queue.splice(0).filter((n) => n.at >= floor);
          floor = Number.NEGATIVE_INFINITY;
          for (const n of batch) await send(n);
          if (gone || queue.length > 0) continue;
          const idle = await new Promise<boolean>((resolve) => {
            const t = setTimeout(() => resolve(true), keepAlive);
            wake = () => {
              clearTimeout(t);
              resolve(false);
            };
          });
          wake = null;
          if (idle && !gone) await stream.write(": keep-alive\n\n");
        }
      } finally {
        unlisten();
      }
    });
  });

  const ws = opts.upgradeWebSocket?.((c) => {
    const tenant = (c as Context<_Env>).get("caller").tenant;
    let session: StreamSession | null = null;
    return {
      onOpen: (_evt, socket) => {
        session = hub.connect({
          send: (t) => socket.send(t),
          close: (code, reason) => socket.close(code, reason),
          tenant,
        });
      },
      onMessage: (evt) => {
        void session?.receive(evt.data);
      },
      onClose: () => session?.disconnected(),
    };
  });
  app.get("/v1/stream", async (c, next) => {
    if (!ws) return _fail(501, "websocket-unavailable", "this server has no WebSocket support");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket")
      return c.json(
        _errorBody("upgrade-required", "GET /v1/stream is a WebSocket: send Upgrade: websocket"),
        426,
      );
    return ws(c, next);
  });

  app.get("/metrics", async (c) => {
    const text = renderMetrics(await svc.metrics(), hub.counts);
    return c.body(text, 200, { "Content-Type": METRICS_CONTENT_TYPE });
  });

  app.get("/openapi.json", (c) => {
    openapi ??= JSON.stringify(openApiDocument({ version: opts.version ?? "0.1.0" }));
    return c.body(openapi, 200, { "Content-Type": "application/json; charset=utf-8" });
  });
  app.get("/docs", (c) =>
    c.html(docsPage({ accessToken: c.req.query("access_token") ?? null }), 200, {
      "Content-Security-Policy": DOCS_CSP,
    }),
  );
  app.get("/docs/:asset", async (c) => {
    const name = c.req.param("asset");
    const bytes = await readDocsAsset(name);
    if (bytes === null) return _fail(404, "not-found", `no docs asset ${JSON.stringify(name.slice(0, 64))}`);
    return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
      "Content-Type": DOCS_ASSETS[name]!,
      "Cache-Control": "public, max-age=3600",
    });
  });

  return app;
}
