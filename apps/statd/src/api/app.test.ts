import { describe, expect, test } from "bun:test";
import { loadStatdConfig } from "@statd/config";
import { createApp } from "./app.ts";
import { ServiceError, type StatService } from "./service.ts";
import { LocalStatService, queued, T0, TWO_TENANT_TOML } from "./testing.ts";

const config = loadStatdConfig(TWO_TENANT_TOML);
const ADMIN = { Authorization: "Bearer admin-token" };
const ACME = { Authorization: "Bearer acme-token" };
const WAITING = (id: string) => ({ object: { type: "Queue", id }, statType: "CurrNumberWaitingCalls" });

function setup(opts: { service?: StatService; maxBodyBytes?: number } = {}) {
  const svc = new LocalStatService({ config, startMs: T0 });
  const logs: Record<string, unknown>[] = [];
  // (pino's types need @types/node, which the Deno run does not have; the app takes any logger
  // with pino's error/debug)
  const logger = {
    error: (obj: object, msg: string) => logs.push({ ...obj, msg }),
    debug: () => {},
  };
  const app = createApp({
    service: opts.service ?? svc,
    tokens: config.api.tokens,
    logger,
    ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
  });
  const req = (path: string, init: RequestInit & { json?: unknown } = {}) => {
    const { json, ...rest } = init;
    return app.request(path, {
      ...rest,
      headers: { ...ADMIN, ...(rest.headers as Record<string, string> | undefined) },
      ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
    });
  };
  return { svc, app, req, logs };
}

async function errorOf(res: Response): Promise<{ code: string; message: string; details?: unknown }> {
  const body = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
  expect(typeof body.error.code).toBe("string");
  expect(typeof body.error.message).toBe("string");
  return body.error;
}

describe("auth", () => {
  test("/healthz needs no token; every other route does (401 JSON with WWW-Authenticate)", async () => {
    const { app } = setup();
    const h = await app.request("/healthz");
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ ok: true, name: "apitest" });
    for (const [method, path] of [
      ["GET", "/readyz"],
      ["GET", "/v1/cluster"],
      ["GET", "/v1/profile"],
      ["GET", "/v1/objects"],
      ["POST", "/v1/statistics"],
      ["GET", "/v1/statistics/s1"],
      ["DELETE", "/v1/statistics/s1"],
      ["POST", "/v1/statistics/s1/suspend"],
      ["POST", "/v1/query"],
      ["GET", "/v1/statistics/s1/events"],
      ["GET", "/v1/stream"],
      ["GET", "/metrics"],
      ["GET", "/openapi.json"],
      ["GET", "/docs"],
      ["GET", "/no/such/route"],
    ] as const) {
      const res = await app.request(path, { method });
      expect([method, path, res.status]).toEqual([method, path, 401]);
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
      expect((await errorOf(res)).code).toBe("unauthorized");
    }
  });

  test("wrong, malformed and oversized tokens are 401", async () => {
    const { app } = setup();
    for (const h of [
      "Bearer wrong",
      "Bearer",
      "Basic YWRtaW4tdG9rZW4=",
      "admin-token",
      "Bearer admin-token x",
      `Bearer ${"a".repeat(10_000)}`,
    ]) {
      const res = await app.request("/v1/profile", { headers: { Authorization: h } });
      expect([h.slice(0, 30), res.status]).toEqual([h.slice(0, 30), 401]);
    }
    const ok = await app.request("/v1/profile", { headers: { Authorization: "bearer admin-token" } });
    expect(ok.status).toBe(200);
  });

  test("GET requests may carry ?access_token=; other methods may not", async () => {
    const { app } = setup();
    expect((await app.request("/v1/profile?access_token=admin-token")).status).toBe(200);
    expect((await app.request("/v1/profile?access_token=nope")).status).toBe(401);
    const post = await app.request("/v1/statistics?access_token=admin-token", {
      method: "POST",
      body: JSON.stringify(WAITING("8001")),
    });
    expect(post.status).toBe(401);
  });

  test("no tokens configured: every route is open", async () => {
    const svc = new LocalStatService({ config, startMs: T0 });
    const app = createApp({ service: svc, tokens: [] });
    expect((await app.request("/v1/profile")).status).toBe(200);
  });
});

describe("routes", () => {
  test("readyz: 200 when ready, 503 with the reasons when not", async () => {
    const { svc, req } = setup();
    const ok = await req("/readyz");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ready: true, reasons: [] });
    svc.ready = { ready: false, reasons: ["instance 1 is dead", "node1/tController not registered"] };
    const no = await req("/readyz");
    expect(no.status).toBe(503);
    expect(await no.json()).toEqual({
      ready: false,
      reasons: ["instance 1 is dead", "node1/tController not registered"],
    });
  });

  test("cluster and profile", async () => {
    const { req } = setup();
    const cl = (await (await req("/v1/cluster")).json()) as { name: string; instances: unknown[] };
    expect(cl.name).toBe("apitest");
    expect(cl.instances.length).toBe(1);
    const p = (await (await req("/v1/profile")).json()) as { statTypes: Record<string, unknown> };
    expect(Object.keys(p.statTypes)).toContain("CurrNumberWaitingCalls");
  });

  test("objects: all for an unscoped token, filters, only its own for a scoped token", async () => {
    const { req } = setup();
    type Rows = { objects: { type: string; id: string; tenant: string }[] };
    const all = (await (await req("/v1/objects")).json()) as Rows;
    expect(new Set(all.objects.map((o) => o.tenant))).toEqual(new Set(["acme", "globex"]));
    const queues = (await (await req("/v1/objects?type=Queue")).json()) as Rows;
    expect(queues.objects.map((o) => o.id).sort()).toEqual(["8001", "9001"]);
    const g = (await (await req("/v1/objects?tenant=globex")).json()) as Rows;
    expect(g.objects.every((o) => o.tenant === "globex")).toBe(true);
    const mine = (await (await req("/v1/objects", { headers: ACME })).json()) as Rows;
    expect(mine.objects.length).toBeGreaterThan(0);
    expect(mine.objects.every((o) => o.tenant === "acme")).toBe(true);
    expect((await req("/v1/objects?tenant=acme", { headers: ACME })).status).toBe(200);
    const other = await req("/v1/objects?tenant=globex", { headers: ACME });
    expect(other.status).toBe(403);
    expect((await errorOf(other)).code).toBe("forbidden");
    const bad = await req("/v1/objects?type=Planet");
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).details).toEqual([
      { path: "type", message: expect.stringContaining("type must be") },
    ]);
    expect((await req("/v1/objects?colour=red")).status).toBe(400);
  });

  test("open → 201 {id,value,valid}; peek follows the engine; suspend, resume, close", async () => {
    const { svc, req } = setup();
    const res = await req("/v1/statistics", { method: "POST", json: WAITING("8001") });
    expect(res.status).toBe(201);
    const opened = (await res.json()) as Record<string, unknown>;
    expect(opened).toEqual({ id: "s1", value: 0, valid: true });
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    const peek = await req(`/v1/statistics/${opened.id}`);
    expect(await peek.json()).toEqual({ id: "s1", value: 1, valid: true, at: T0 + 1000 });
    for (const op of ["suspend", "resume"]) {
      const r = await req(`/v1/statistics/s1/${op}`, { method: "POST" });
      expect([op, r.status, await r.json()]).toEqual([op, 200, { id: "s1", ok: true }]);
    }
    const del = await req("/v1/statistics/s1", { method: "DELETE" });
    expect(await del.json()).toEqual({ id: "s1", ok: true });
    expect(svc.openCount).toBe(0);
    const gone = await req("/v1/statistics/s1");
    expect(gone.status).toBe(404);
    expect((await errorOf(gone)).code).toBe("unknown-statistic");
  });

  test("open with a definition and a mask string; bad masks are 400 with the field", async () => {
    const { req } = setup();
    const body = {
      object: { type: "Queue", id: "8001" },
      definition: { category: "CurrentNumber", subject: "DNAction", mainMask: "CallWait" },
      notification: { mode: "changes", insensitivity: 5 },
    };
    const ok = await req("/v1/statistics", { method: "POST", json: body });
    expect(ok.status).toBe(201);
    const bad = await req("/v1/statistics", {
      method: "POST",
      json: { ...body, definition: { ...body.definition, mainMask: "Call Wait, ~" } },
    });
    expect(bad.status).toBe(400);
    const e = await errorOf(bad);
    expect(e.code).toBe("bad-request");
    expect(e.details).toEqual([{ path: "definition.mainMask", message: expect.any(String) }]);
  });

  test("unknown ids are 404 on every statistic route", async () => {
    const { req } = setup();
    for (const [method, path] of [
      ["GET", "/v1/statistics/nope"],
      ["DELETE", "/v1/statistics/nope"],
      ["POST", "/v1/statistics/nope/suspend"],
      ["POST", "/v1/statistics/nope/resume"],
      ["GET", "/v1/statistics/nope/events"],
      ["GET", `/v1/statistics/${"x".repeat(5000)}`],
    ] as const) {
      const res = await req(path, { method });
      expect([method, path.slice(0, 40), res.status]).toEqual([method, path.slice(0, 40), 404]);
      await errorOf(res);
    }
  });

  test("engine errors keep their code: unknown stat type, unknown object", async () => {
    const { req } = setup();
    const st = await req("/v1/statistics", {
      method: "POST",
      json: { ...WAITING("8001"), statType: "Nope" },
    });
    expect(st.status).toBe(400);
    expect((await errorOf(st)).code).not.toBe("internal");
    const ob = await req("/v1/statistics", { method: "POST", json: WAITING("0000") });
    expect(ob.status).toBe(404);
    expect((await errorOf(ob)).code).toBe("unknown-object");
  });

  test("query: one body → {value,valid,at}; an array → one result per item, errors in place", async () => {
    const { svc, req } = setup();
    svc.ingest(queued("8001", "c1", T0 + 1000));
    const one = await req("/v1/query", { method: "POST", json: WAITING("8001") });
    expect(await one.json()).toEqual({ value: 1, valid: true, at: T0 + 1000 });
    const many = await req("/v1/query", {
      method: "POST",
      json: [WAITING("8001"), WAITING("9001"), { ...WAITING("8001"), statType: "Nope" }],
    });
    const out = (await many.json()) as unknown[];
    expect(out[0]).toEqual({ value: 1, valid: true, at: T0 + 1000 });
    expect(out[1]).toEqual({ value: 0, valid: true, at: T0 + 1000 });
    expect(out[2]).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) } });
    expect((await req("/v1/query", { method: "POST", json: [] })).status).toBe(400);
    const tooMany = await req("/v1/query", {
      method: "POST",
      json: Array.from({ length: 1001 }, () => WAITING("8001")),
    });
    expect([400, 413]).toContain(tooMany.status);
    const bigOk = createApp({ service: svc, tokens: [], maxBodyBytes: 1 << 20 });
    const capped = await bigOk.request("/v1/query", {
      method: "POST",
      body: JSON.stringify(Array.from({ length: 1001 }, () => WAITING("8001"))),
    });
    expect(capped.status).toBe(400);
    expect(JSON.stringify((await errorOf(capped)).details)).toContain("at most 1000");
  });
});

describe("tenant scope", () => {
  test("a scoped token cannot open, peek, close, suspend, query or stream another tenant's", async () => {
    const { req } = setup();
    const open = await req("/v1/statistics", { method: "POST", json: WAITING("9001"), headers: ACME });
    expect(open.status).toBe(403);
    expect((await errorOf(open)).code).toBe("forbidden");
    const named = await req("/v1/statistics", {
      method: "POST",
      json: { ...WAITING("8001"), object: { type: "Queue", id: "8001", tenant: "globex" } },
      headers: ACME,
    });
    expect(named.status).toBe(403);
    const theirs = (await (
      await req("/v1/statistics", { method: "POST", json: WAITING("9001") })
    ).json()) as { id: string };
    for (const [method, path] of [
      ["GET", `/v1/statistics/${theirs.id}`],
      ["DELETE", `/v1/statistics/${theirs.id}`],
      ["POST", `/v1/statistics/${theirs.id}/suspend`],
      ["POST", `/v1/statistics/${theirs.id}/resume`],
      ["GET", `/v1/statistics/${theirs.id}/events`],
    ] as const) {
      const res = await req(path, { method, headers: ACME });
      expect([method, path, res.status]).toEqual([method, path, 403]);
    }
    const q = await req("/v1/query", {
      method: "POST",
      json: [WAITING("8001"), WAITING("9001")],
      headers: ACME,
    });
    expect(q.status).toBe(403);
    // its own tenant works
    const mine = await req("/v1/statistics", { method: "POST", json: WAITING("8001"), headers: ACME });
    expect(mine.status).toBe(201);
    const id = ((await mine.json()) as { id: string }).id;
    expect((await req(`/v1/statistics/${id}`, { headers: ACME })).status).toBe(200);
    expect((await req("/v1/query", { method: "POST", json: WAITING("8001"), headers: ACME })).status).toBe(
      200,
    );
    // the other tenant's statistic is still open (the 403s did nothing)
    expect((await req(`/v1/statistics/${theirs.id}`)).status).toBe(200);
  });
});

describe("hostile input", () => {
  test("bad JSON, empty body, not UTF-8 → 400 bad-json", async () => {
    const { req } = setup();
    for (const body of ["{", "", "   ", "{'a':1}", "[1,]", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])]) {
      const res = await req("/v1/statistics", { method: "POST", body });
      expect(res.status).toBe(400);
      expect((await errorOf(res)).code).toBe("bad-json");
    }
    const none = await req("/v1/query", { method: "POST" });
    expect(none.status).toBe(400);
  });

  test("a body over the cap → 413, with or without Content-Length", async () => {
    const { req } = setup();
    const big = JSON.stringify({ ...WAITING("8001"), pad: "x".repeat(70_000) });
    const res = await req("/v1/statistics", { method: "POST", body: big });
    expect(res.status).toBe(413);
    expect((await errorOf(res)).code).toBe("body-too-large");
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(ctl) {
        if (sent > 200_000) return ctl.close();
        sent += 16_384;
        ctl.enqueue(new Uint8Array(16_384).fill(0x20));
      },
    });
    const chunked = await req("/v1/query", { method: "POST", body: stream, duplex: "half" } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(sent).toBeLessThan(200_000); // reading stopped at the cap
    const small = setup({ maxBodyBytes: 100 });
    const r = await small.req("/v1/statistics", {
      method: "POST",
      json: { ...WAITING("8001"), filter: "x".repeat(200) },
    });
    expect(r.status).toBe(413);
  });

  test("deep nesting and wrong types → 400 with the field paths", async () => {
    const { req } = setup();
    const deep = `{"object":${"[".repeat(20_000)}${"]".repeat(20_000)},"statType":"X"}`;
    const d = await req("/v1/statistics", { method: "POST", body: deep });
    expect(d.status).toBe(400);
    const cases: [unknown, string][] = [
      [{ object: { type: "Planet", id: "1" }, statType: "X" }, "object.type"],
      [{ object: { type: "Queue", id: 8001 }, statType: "X" }, "object.id"],
      [{ object: { type: "Queue", id: "" }, statType: "X" }, "object.id"],
      [{ object: { type: "Queue", id: "x".repeat(300) }, statType: "X" }, "object.id"],
      [{ object: { type: "Queue", id: "8001" } }, ""],
      [{ ...WAITING("8001"), notification: { mode: "sometimes" } }, "notification.mode"],
      [{ ...WAITING("8001"), notification: { mode: "time", frequency: -1 } }, "notification.frequency"],
      [{ ...WAITING("8001"), statype: "typo" }, "statype"],
      [[WAITING("8001")], ""],
      ["a string", ""],
      [null, ""],
    ];
    for (const [body, path] of cases) {
      const res = await req("/v1/statistics", { method: "POST", json: body });
      expect(res.status).toBe(400);
      const e = await errorOf(res);
      expect(e.code).toBe("bad-request");
      expect((e.details as { path: string }[]).map((x) => x.path)).toContain(path);
    }
  });

  test("at most 20 issues are listed", async () => {
    const { req } = setup();
    const res = await req("/v1/query", {
      method: "POST",
      json: Array.from({ length: 500 }, () => ({ object: { type: 1 } })),
    });
    expect(res.status).toBe(400);
    expect(((await errorOf(res)).details as unknown[]).length).toBeLessThanOrEqual(20);
  });

  test("unknown routes and methods → 404 JSON", async () => {
    const { req } = setup();
    for (const [method, path] of [
      ["GET", "/nope"],
      ["GET", "/v1"],
      ["PUT", "/v1/statistics"],
      ["PATCH", "/v1/statistics/s1"],
      ["GET", "/v1/statistics/s1/nope"],
      ["GET", "/docs/../../etc/passwd"],
      ["GET", "/docs/package.json"],
    ] as const) {
      const res = await req(path, { method });
      expect([method, path, res.status]).toEqual([method, path, 404]);
      expect(res.headers.get("content-type")).toContain("application/json");
      await errorOf(res);
    }
  });

  test("an unexpected exception → 500 JSON, logged, and the next request works", async () => {
    const svc = new LocalStatService({ config, startMs: T0 });
    let boom = true;
    const flaky: StatService = Object.assign(Object.create(svc) as LocalStatService, {
      cluster: async () => {
        if (boom) throw new TypeError("kaboom");
        return svc.cluster();
      },
      readiness: async () => {
        throw new ServiceError(503, "unavailable", "no instance answers");
      },
    });
    const { req, logs } = setup({ service: flaky });
    const res = await req("/v1/cluster");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    expect(logs.some((l) => l.msg === "request failed" && String(l.err).includes("kaboom"))).toBe(true);
    boom = false;
    expect((await req("/v1/cluster")).status).toBe(200);
    const un = await req("/readyz");
    expect(un.status).toBe(503);
    expect((await errorOf(un)).code).toBe("unavailable");
  });
});

describe("SSE", () => {
  async function readEvent(reader: ReadableStreamDefaultReader<Uint8Array>, buf: { s: string }) {
    const dec = new TextDecoder();
    for (;;) {
      const i = buf.s.indexOf("\n\n");
      if (i >= 0) {
        const block = buf.s.slice(0, i);
        buf.s = buf.s.slice(i + 2);
        if (block.startsWith(":")) continue;
        const f: Record<string, string> = {};
        for (const line of block.split("\n")) {
          const k = line.slice(0, line.indexOf(":"));
          f[k] = line.slice(line.indexOf(":") + 2);
        }
        return { event: f.event, id: f.id, data: JSON.parse(f.data ?? "null") };
      }
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      buf.s += dec.decode(value, { stream: true });
    }
  }

  test("the current value first, then every notification; the listener goes when the client does", async () => {
    const { svc, req } = setup();
    const { id } = (await (
      await req("/v1/statistics", { method: "POST", json: WAITING("8001") })
    ).json()) as {
      id: string;
    };
    const res = await req(`/v1/statistics/${id}/events`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const reader = res.body!.getReader();
    const buf = { s: "" };
    expect(await readEvent(reader, buf)).toEqual({
      event: "info",
      id: "1",
      data: { id, value: 0, valid: true, at: T0 },
    });
    expect(svc.listenerCount).toBe(1);
    svc.ingest(queued("8001", "c1", T0 + 1000, "n1"));
    svc.tick(T0 + 1000);
    expect(await readEvent(reader, buf)).toEqual({
      event: "info",
      id: "2",
      data: { id, value: 1, valid: true, at: T0 + 1000, reason: "change" },
    });
    svc.setSourceValid("n1", false);
    svc.tick(T0 + 2000);
    expect(await readEvent(reader, buf)).toEqual({ event: "invalid", id: "3", data: { id } });
    expect((await readEvent(reader, buf)).data).toMatchObject({ valid: false, reason: "validity" });
    await reader.cancel();
    const deadline = Date.now() + 5000;
    while (svc.listenerCount > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(svc.listenerCount).toBe(0);
  });
});

describe("other routes", () => {
  test("/v1/stream without a WebSocket adapter is 501; without Upgrade 426", async () => {
    const { req } = setup();
    const res = await req("/v1/stream");
    expect(res.status).toBe(501);
    const svc = new LocalStatService({ config, startMs: T0 });
    const app = createApp({
      service: svc,
      tokens: [],
      upgradeWebSocket: (() => () => new Response(null)) as never,
    });
    const r = await app.request("/v1/stream");
    expect(r.status).toBe(426);
    expect((await errorOf(r)).code).toBe("upgrade-required");
  });

  test("/metrics is Prometheus text of every instance", async () => {
    const { svc, req } = setup();
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.ingest({ event: "EventNoSuchThing", time: T0 / 1000 + 2, thisDN: "8001" });
    const res = await req("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await res.text();
    expect(text).toContain('statd_events_in_total{instance="0"} 2\n');
    expect(text).toContain('statd_events_refused_total{instance="0",reason="unknown-event"} 1\n');
    expect(text).toContain('statd_stream_connections{state="live"} 0\n');
  });

  test("/openapi.json: every route, every $ref resolves, schemas from the validators", async () => {
    const { req } = setup();
    const doc = (await (await req("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(doc.openapi).toBe("3.1.0");
    for (const p of [
      "/healthz",
      "/readyz",
      "/v1/cluster",
      "/v1/profile",
      "/v1/objects",
      "/v1/statistics",
      "/v1/statistics/{id}",
      "/v1/statistics/{id}/suspend",
      "/v1/statistics/{id}/resume",
      "/v1/statistics/{id}/events",
      "/v1/query",
      "/v1/stream",
      "/metrics",
      "/openapi.json",
      "/docs",
    ])
      expect(Object.keys(doc.paths)).toContain(p);
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (m) => m[1]!,
    );
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(doc.components.schemas[r]).toBeDefined();
    const open = doc.components.schemas.OpenBody!;
    expect(Object.keys(open.properties!).sort()).toEqual(
      [
        "definition",
        "filter",
        "notification",
        "object",
        "statType",
        "timeProfile",
        "timeRange",
        "timeRange2",
      ].sort(),
    );
    expect(JSON.stringify(doc.components.schemas.ObjectRef)).toContain("GroupQueues");
  });

  test("/docs is served from the package, no CDN", async () => {
    const { req } = setup();
    const page = await req("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    for (const src of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
      const r = await req(src[1]!);
      expect([src[1], r.status]).toEqual([src[1], 200]);
      expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    const withToken = await (await req("/docs?access_token=a%22b")).text();
    expect(withToken).toContain("/docs/swagger-ui-bundle.js?access_token=a%22b");
    expect(withToken).not.toContain('a"b');
  });
});
