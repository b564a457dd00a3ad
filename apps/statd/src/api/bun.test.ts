import { afterEach, describe, expect, test } from "bun:test";
import { loadStatdConfig } from "@statd/config";
import { createApp } from "./app.ts";
import { type ApiServer, serveApi, upgradeWebSocket } from "./bun.ts";
import { StreamHub } from "./stream.ts";
import { LocalStatService, queued, T0, TWO_TENANT_TOML } from "./testing.ts";

const config = loadStatdConfig(TWO_TENANT_TOML);
const servers: ApiServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function start(opts: { graceMs?: number; maxPayloadBytes?: number } = {}) {
  const svc = new LocalStatService({ config, startMs: T0 });
  const hub = new StreamHub({ service: svc, graceMs: opts.graceMs ?? 60_000 });
  const app = createApp({ service: svc, tokens: config.api.tokens, hub, upgradeWebSocket });
  const srv = serveApi(app, hub, {
    port: 0,
    ...(opts.maxPayloadBytes !== undefined ? { maxPayloadBytes: opts.maxPayloadBytes } : {}),
  });
  servers.push(srv);
  const base = `http://127.0.0.1:${srv.port}`;
  return { svc, hub, srv, base, ws: `ws://127.0.0.1:${srv.port}/v1/stream` };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

type Msg = Record<string, unknown>;

/** A real WebSocket client that collects the server's messages. */
class WsClient {
  msgs: Msg[] = [];
  closed: { code: number; reason: string } | null = null;
  ws: WebSocket;
  opened: Promise<void>;
  constructor(url: string, headers: Record<string, string> = { Authorization: "Bearer admin-token" }) {
    this.ws = new WebSocket(url, { headers } as unknown as string[]);
    this.ws.onmessage = (e) => this.msgs.push(JSON.parse(String(e.data)) as Msg);
    this.ws.onclose = (e) => {
      this.closed = { code: e.code, reason: e.reason };
    };
    this.opened = new Promise((resolve, reject) => {
      this.ws.onopen = () => resolve();
      this.ws.onerror = () => reject(new Error("websocket error"));
    });
  }
  send(m: unknown): void {
    if (typeof m === "string") this.ws.send(m);
    else if (m instanceof Uint8Array) this.ws.send(new Uint8Array(m));
    else this.ws.send(JSON.stringify(m));
  }
  async next(pred: (m: Msg) => boolean, what: string): Promise<Msg> {
    await until(() => this.msgs.some(pred), what);
    return this.msgs.find(pred)!;
  }
}

const OPEN = (ref: string, id = "8001") => ({
  op: "open",
  ref,
  object: { type: "Queue", id },
  statType: "CurrNumberWaitingCalls",
});

describe("serveApi: HTTP over a real socket", () => {
  test("listens on 127.0.0.1 by default, on the port it chose; REST works; stop frees it", async () => {
    const { srv, base } = start();
    expect(srv.hostname).toBe("127.0.0.1");
    expect(srv.port).toBeGreaterThan(0);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ ok: true, name: "apitest" });
    const res = await fetch(`${base}/v1/statistics`, {
      method: "POST",
      headers: { Authorization: "Bearer admin-token", "Content-Type": "application/json" },
      body: JSON.stringify({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }),
    });
    expect(res.status).toBe(201);
    await srv.stop();
    servers.length = 0;
    expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  test("hostile HTTP: huge body, garbage, unknown route; the server stays up", async () => {
    const { base } = start();
    const h = { Authorization: "Bearer admin-token" };
    const big = await fetch(`${base}/v1/query`, { method: "POST", headers: h, body: "x".repeat(1_000_000) });
    expect(big.status).toBe(413);
    const garbage = await fetch(`${base}/v1/statistics`, {
      method: "POST",
      headers: h,
      body: new Uint8Array([0, 1, 2, 255]),
    });
    expect(garbage.status).toBe(400);
    expect((await fetch(`${base}/nope`, { headers: h })).status).toBe(404);
    expect((await fetch(`${base}/v1/stream`, { headers: h })).status).toBe(426);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  test("SSE over a socket: the listener is removed when the client goes away", async () => {
    const { svc, base } = start();
    const h = { Authorization: "Bearer admin-token" };
    const { id } = (await (
      await fetch(`${base}/v1/statistics`, {
        method: "POST",
        headers: h,
        body: JSON.stringify({ object: { type: "Queue", id: "8001" }, statType: "CurrNumberWaitingCalls" }),
      })
    ).json()) as { id: string };
    const ctl = new AbortController();
    const res = await fetch(`${base}/v1/statistics/${id}/events`, { headers: h, signal: ctl.signal });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("event: info");
    expect(first).toContain('"value":0');
    await until(() => svc.listenerCount === 1, "the listener");
    ctl.abort();
    // the server sees the client gone when a write fails; notifications make it write
    for (let i = 1; svc.listenerCount > 0 && i < 200; i++) {
      svc.ingest(queued("8001", `c${i}`, T0 + i * 1000));
      svc.tick(T0 + i * 1000);
      await Bun.sleep(10);
    }
    expect(svc.listenerCount).toBe(0);
  });
});

describe("serveApi: the WebSocket stream over a real socket", () => {
  test("welcome, open, info on change; a bad token cannot connect", async () => {
    const { svc, ws } = start();
    const c = new WsClient(ws);
    await c.opened;
    const welcome = await c.next((m) => m.event === "welcome", "welcome");
    expect(welcome.seq).toBe(1);
    c.send(OPEN("q"));
    await c.next((m) => m.event === "info" && m.ref === "q", "first info");
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    const info = await c.next((m) => m.event === "info" && m.value === 1, "changed info");
    expect(info).toMatchObject({ ref: "q", valid: true, at: T0 + 1000, seq: 4 });
    c.ws.close();

    const bad = new WsClient(ws, { Authorization: "Bearer wrong" });
    await expect(bad.opened).rejects.toThrow();
    const viaQuery = new WsClient(`${ws}?access_token=acme-token`, {});
    await viaQuery.opened;
    viaQuery.send(OPEN("g", "9001"));
    const e = await viaQuery.next((m) => m.event === "error", "forbidden");
    expect(e).toMatchObject({ ref: "g", code: "forbidden" });
    viaQuery.ws.close();
  });

  test("a client sending garbage does not affect another; oversized frames are refused or closed", async () => {
    const { svc, hub, ws } = start({ maxPayloadBytes: 256 * 1024 });
    const good = new WsClient(ws);
    const bad = new WsClient(ws);
    await Promise.all([good.opened, bad.opened]);
    good.send(OPEN("q"));
    await good.next((m) => m.event === "opened", "opened");
    bad.send("{not json");
    bad.send(new Uint8Array([0xff, 0x00, 0x13]));
    bad.send(JSON.stringify({ op: "peek", ref: "x", pad: "p".repeat(100_000) })); // over the protocol's 64 KiB
    bad.send({
      op: "open",
      ref: 1,
      object: { type: "Queue", id: "8001" },
      statType: "CurrNumberWaitingCalls",
      x: 1,
    });
    await until(() => bad.msgs.filter((m) => m.event === "error").length === 4, "four errors");
    expect(bad.msgs.filter((m) => m.event === "error").map((m) => m.code)).toEqual([
      "bad-json",
      "binary-frame",
      "frame-too-large",
      "bad-message",
    ]);
    expect(bad.closed).toBeNull();
    bad.send("x".repeat(300 * 1024)); // over Bun's payload limit: the connection is closed
    await until(() => bad.closed !== null, "bad closed");
    expect(bad.closed!.code).toBe(1009);
    svc.ingest(queued("8001", "c1", T0 + 1000));
    svc.tick(T0 + 1000);
    await good.next((m) => m.event === "info" && m.value === 1, "good still served");
    expect(good.closed).toBeNull();
    await until(() => hub.counts.live === 1, "one live connection");
    good.ws.close();
  });

  test("reattach over a new socket gets the subscriptions and only the latest value", async () => {
    const { svc, hub, ws } = start();
    const c1 = new WsClient(ws);
    await c1.opened;
    c1.send(OPEN("a"));
    c1.send(OPEN("b", "9001"));
    await c1.next((m) => m.event === "info" && m.ref === "b", "b opened");
    const token = c1.msgs[0]!.token as string;
    const lastSeq = Math.max(...c1.msgs.map((m) => m.seq as number));
    c1.ws.close();
    await until(() => hub.counts.detached === 1, "detached");
    for (let i = 1; i <= 3; i++) {
      svc.ingest(queued("8001", `c${i}`, T0 + i * 1000));
      svc.tick(T0 + i * 1000);
    }
    const c2 = new WsClient(ws);
    await c2.opened;
    c2.send({ op: "reattach", token, lastSeq });
    await c2.next((m) => m.event === "reattached", "reattached");
    await c2.next((m) => m.event === "info", "the missed value");
    c2.send({ op: "peekAll" });
    await until(() => c2.msgs.filter((m) => m.event === "info").length === 3, "peekAll");
    const infos = c2.msgs.filter((m) => m.event === "info");
    expect(infos[0]).toMatchObject({ ref: "a", value: 3 }); // the latest, not 1, 2, 3
    expect(infos.slice(1).map((m) => m.ref)).toEqual(["a", "b"]);
    expect(c2.msgs.map((m) => m.seq)).toEqual(c2.msgs.map((_, i) => i + 1));
    c2.ws.close();
  });

  test("stop closes every connection and every subscription", async () => {
    const { svc, srv, ws } = start();
    const c = new WsClient(ws);
    await c.opened;
    c.send(OPEN("a"));
    await c.next((m) => m.event === "opened", "opened");
    expect(svc.openCount).toBe(1);
    await srv.stop();
    servers.length = 0;
    await until(() => c.closed !== null, "client closed");
    expect(svc.openCount).toBe(0);
  });
});
