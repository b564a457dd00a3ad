/**
 * The Bun adapter of the API: {@link upgradeWebSocket} (Hono's WebSocket helper over Bun's
 * native `server.upgrade` and websocket handlers) for `createApp`, and {@link serveApi}, which
 * runs the app with `Bun.serve`.
 *
 * Frame limits on the stream: Bun itself closes a connection that sends a frame over
 * `maxPayloadBytes` (default 1 MiB, close code 1009); the protocol answers frames over its own cap
 * (64 KiB) with an error and keeps the connection. A client that does not read (more than
 * `backpressureBytes` queued, default 4 MiB) is closed; its subscriptions wait for a reattach.
 *
 * @example
 * ```ts
 * const hub = new StreamHub({ service });
 * const app = createApp({ service, tokens, hub, upgradeWebSocket });
 * const srv = serveApi(app, hub, { port: 7070 });
 * // … later
 * await srv.stop();
 * ```
 * @module
 */
import type { Server, ServerWebSocket } from "bun";
import {
  createWSMessageEvent,
  defineWebSocketHelper,
  type WSContext,
  WSContext as WSContextClass,
  type WSEvents,
} from "hono/ws";
import type { StreamHub } from "./stream.ts";

interface _WsData {
  events: WSEvents<ServerWebSocket<_WsData>>;
  url: URL;
  ctx: WSContext<ServerWebSocket<_WsData>> | null;
}

const _ctx = (ws: ServerWebSocket<_WsData>): WSContext<ServerWebSocket<_WsData>> => {
  ws.data.ctx ??= new WSContextClass({
    send: (data) => {
      ws.send(data);
    },
    close: (code, reason) => ws.close(code, reason),
    raw: ws,
    get readyState() {
      return ws.readyState as 0 | 1 | 2 | 3;
    },
    url: ws.data.url,
  });
  return ws.data.ctx;
};

/**
 * Hono's `upgradeWebSocket` for Bun: give it to `createApp`. The app must be served with
 * {@link serveApi} (which passes the Bun server as the request's env).
 */
export const upgradeWebSocket = defineWebSocketHelper<ServerWebSocket<_WsData>>((c, events) => {
  const server = c.env as Server<_WsData> | undefined;
  if (!server || typeof server.upgrade !== "function")
    throw new TypeError("upgradeWebSocket needs the Bun server as env: serve the app with serveApi");
  const ok = server.upgrade(c.req.raw, { data: { events, url: new URL(c.req.url), ctx: null } });
  if (!ok) return c.json({ error: { code: "upgrade-failed", message: "the WebSocket upgrade failed" } }, 400);
  return new Response(null);
});

/** Options of {@link serveApi}. */
export interface ServeApiOptions {
  /** default 127.0.0.1 */
  hostname?: string;
  /** 0: any free port (see the returned `port`) */
  port: number;
  /** let several processes listen on the same port (default true) */
  reusePort?: boolean;
  /** largest WebSocket frame Bun accepts before closing with 1009 (default 1 MiB) */
  maxPayloadBytes?: number;
  /** bytes queued to a WebSocket client before it is closed as too slow (default 4 MiB) */
  backpressureBytes?: number;
  /** seconds without traffic before Bun closes an idle connection (default 120; WebSocket pings keep it) */
  idleTimeoutSec?: number;
}

/** What {@link serveApi} runs: a Hono app (its `fetch` gets the Bun server as env). */
export interface FetchApp {
  fetch(request: Request, env: Server<_WsData>): Response | Promise<Response>;
}

/** A running API server. */
export interface ApiServer {
  /** the port it listens on (the chosen one when asked for 0) */
  port: number;
  hostname: string;
  /** stop listening, close every connection and the stream's subscriptions */
  stop(): Promise<void>;
}

/** Serve the app with Bun.serve and Bun's native WebSocket handlers. */
export function serveApi(app: FetchApp, hub: StreamHub, opts: ServeApiOptions): ApiServer {
  const hostname = opts.hostname ?? "127.0.0.1";
  const server = Bun.serve<_WsData>({
    hostname,
    port: opts.port,
    reusePort: opts.reusePort ?? true,
    idleTimeout: opts.idleTimeoutSec ?? 120,
    fetch: (req, srv) => app.fetch(req, srv),
    websocket: {
      maxPayloadLength: opts.maxPayloadBytes ?? 1024 * 1024,
      backpressureLimit: opts.backpressureBytes ?? 4 * 1024 * 1024,
      closeOnBackpressureLimit: true,
      sendPings: true,
      open(ws) {
        ws.data.events.onOpen?.(new Event("open"), _ctx(ws));
      },
      message(ws, message) {
        const data = typeof message === "string" ? message : new Uint8Array(message).buffer;
        ws.data.events.onMessage?.(createWSMessageEvent(data), _ctx(ws));
      },
      close(ws, code, reason) {
        ws.data.events.onClose?.(new CloseEvent("close", { code, reason }), _ctx(ws));
      },
    },
  });
  let stopped: Promise<void> | null = null;
  return {
    port: server.port ?? opts.port,
    hostname,
    stop: () => {
      stopped ??= (async () => {
        await server.stop(true);
        await hub.shutdown();
      })();
      return stopped;
    },
  };
}
