#!/usr/bin/env bun
/**
 * The instance process that `statd start`'s supervisor runs in each slot:
 * `bun apps/statd/src/instance/main.ts --config FILE --segment NAME --slot N [--listen HOST:PORT]`.
 * It attaches the cluster's segment, joins its slot, builds the engine partition, holds its
 * share of the SIP sessions, and serves the API on the cluster's shared port (SO_REUSEPORT), so
 * any instance answers any request. It exits when its supervisor is gone (SIGKILLed), and stops
 * cleanly on SIGTERM/SIGINT (docs/architecture.md, "Processes").
 *
 * @example
 * ```sh
 * bun apps/statd/src/instance/main.ts --config config/demo.toml --segment statd-demo --slot 0
 * ```
 * @module
 */
import { readFileSync } from "node:fs";
import { loadStatdConfig } from "@statd/config";
import { ShmSegment } from "@statd/shm-bus/bun";
import { parseAddress, realTimers, SessionLink } from "@statd/sip-client";
import { bunTransport } from "@statd/sip-client/bun";
import { Engine } from "@statd/stat-core";
import { Command } from "commander";
import pino from "pino";
import { createApp } from "../api/app.ts";
import { serveApi, upgradeWebSocket } from "../api/bun.ts";
import { StreamHub } from "../api/stream.ts";
import type { LinkFactory } from "../ingest/sessions.ts";
import { watchParent } from "../supervisor/watch_parent.ts";
import { Instance } from "./instance.ts";

const o = new Command()
  .requiredOption("--config <file>")
  .requiredOption("--segment <name>")
  .requiredOption("--slot <n>")
  .option("--listen <host:port>", "API address (default [api].listen)")
  .option("--debug")
  .parse(process.argv)
  .opts<{ config: string; segment: string; slot: string; listen?: string; debug?: boolean }>();

const slot = Number(o.slot);
const log = pino({
  name: "statd",
  base: { slot, pid: process.pid },
  level: process.env.STATD_LOG_LEVEL ?? "info",
});

function fail(msg: string, e?: unknown): never {
  log.fatal({ err: o.debug && e instanceof Error ? e.stack : undefined }, msg);
  process.exit(1);
}

let file: ReturnType<typeof loadStatdConfig>;
try {
  file = loadStatdConfig(readFileSync(o.config, "utf8"));
} catch (e) {
  fail(`config ${o.config}: ${(e as Error).message}`, e);
}

let seg: ShmSegment;
try {
  seg = ShmSegment.attach(o.segment);
} catch (e) {
  fail(`cannot attach segment ${o.segment}: ${(e as Error).message}`, e);
}
const bus = seg.join(slot);
const sipLog = log.child({ component: "sip" });
const transport = bunTransport();
const links: LinkFactory = (node, port, fromStart, h) => {
  const { host, port: portNumber } = parseAddress(node[port]);
  return new SessionLink({
    client: `statd-${file.cluster.name}-${slot}`,
    nodeId: node.id,
    port,
    host,
    portNumber,
    transport,
    timers: realTimers,
    logger: sipLog,
    snapshot: true,
    ...(fromStart ? { lastSeq: 0 } : {}),
    deliver: h.deliver,
    onState: h.onState,
  });
};

const inst = new Instance({
  bus,
  config: file.engine,
  name: file.cluster.name,
  nodes: file.sip.nodes,
  links,
  partition: (po) => new Engine(po),
  logger: log,
  rings: () => {
    let fill = 0;
    let lagBytes = 0;
    for (const r of seg.inspect().rings) {
      for (const c of r.cursors) {
        if (c.subscriber !== slot || !c.active) continue;
        lagBytes += c.lagBytes;
        fill = Math.max(fill, c.lagBytes / r.capacity);
      }
    }
    return { fill, lagBytes };
  },
});

// welcome tokens name this slot: a client that reconnects to another instance (the port is
// shared) gets its subscriptions handed over from this one
const hub = new StreamHub({
  service: inst.service,
  onError: (err) => log.error({ err: String(err) }, "stream"),
  tokenPrefix: `${slot}.`,
  remote: (token, tenant) => inst.service.takeover(token, tenant),
});
inst.service.exporter = (token, tenant) => hub.export(token, tenant);
const app = createApp({ service: inst.service, tokens: file.api.tokens, logger: log, hub, upgradeWebSocket });
const listen = parseAddress(o.listen ?? file.api.listen);
let server: ReturnType<typeof serveApi>;
try {
  server = serveApi(app, hub, { hostname: listen.host, port: listen.port, reusePort: true });
} catch (e) {
  fail(`cannot listen on ${listen.host}:${listen.port}: ${(e as Error).message}`, e);
}
inst.start();
log.info({ listen: `${server.hostname}:${server.port}`, generation: bus.generation }, "instance up");

let stopping = false;
async function stop(code: number, why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ why }, "instance stopping");
  try {
    await server.stop();
    await inst.stop();
    seg.close();
  } finally {
    process.exit(code);
  }
}
process.on("SIGTERM", () => void stop(0, "SIGTERM"));
process.on("SIGINT", () => void stop(0, "SIGINT"));
watchParent(o.segment, (g) => void stop(1, `supervisor ${g.pid} is gone`));
