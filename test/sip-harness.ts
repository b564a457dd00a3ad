/**
 * Helpers for the SIP protocol socket tests: a simulated cluster (node servers) plus a real
 * client over Bun TCP, a recorder of delivered events, and a condition wait with a deadline.
 *
 * @example
 * ```ts
 * await using h = await sipHarness({ nodes: ["n1"] });
 * await h.waitLive();
 * ```
 * @module
 */
import { connectCluster } from "../packages/sip-client/src/bun/mod.ts";
import {
  type ClusterOptions,
  type PortKind,
  type SipEvent,
  silentLogger,
} from "../packages/sip-client/src/mod.ts";
import { type NodeServersOptions, startNodeServers } from "../packages/sip-sim/src/server/mod.ts";

/** Wait until `cond()` holds, polling; throw with `what` after `ms`. */
export async function waitFor(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for: ${what}`);
    await Bun.sleep(2);
  }
}

export interface Delivered {
  node: string;
  port: PortKind;
  ev: SipEvent;
}

/** A body for stream `port` with a recognisable payload. */
export function body(port: PortKind, i: number): { event: string; time: number; [k: string]: unknown } {
  return port === "interactionProxy"
    ? {
        event: "EventRinging",
        time: 1_700_000_000 + i / 1000,
        connId: `c${i}`,
        thisDN: "1001",
        callType: "Inbound",
        userData: { i },
      }
    : {
        event: "EventAgentReady",
        time: 1_700_000_000 + i / 1000,
        thisDN: "7001",
        agentId: "a1",
        workMode: "ManualIn",
      };
}

export async function sipHarness(o: {
  nodes: string[];
  server?: Partial<NodeServersOptions>;
  client?: Partial<ClusterOptions>;
}) {
  const srv = await startNodeServers({ basePort: 0, nodeIds: o.nodes, snapshot: () => [], ...o.server });
  const got: Delivered[] = [];
  const seq = new Map<string, number>();
  const cluster = connectCluster(
    srv.ports.map((p) => ({
      id: p.nodeId,
      interactionProxy: `127.0.0.1:${p.interactionProxy}`,
      tController: `127.0.0.1:${p.tController}`,
    })),
    {
      client: "test",
      logger: silentLogger,
      backoff: { initialMs: 5, maxMs: 50 },
      deliver: (node, port, ev) => got.push({ node, port, ev }),
      ...o.client,
    },
  );
  /** publish the next `n` events of a stream (seq continues per stream) */
  const publish = (node: string, port: PortKind, n: number) => {
    for (let k = 0; k < n; k++) {
      const s = (seq.get(`${node}/${port}`) ?? 0) + 1;
      seq.set(`${node}/${port}`, s);
      srv.publish({ node, port, seq: s, body: body(port, s) });
    }
  };
  const live = (node: string, port: PortKind) =>
    got.filter((d) => d.node === node && d.port === port && !d.ev.snapshot);
  const link = (node: string, port: PortKind) => cluster.link(node, port)!;
  return {
    srv,
    cluster,
    got,
    seq,
    publish,
    live,
    link,
    seqs: (node: string, port: PortKind) => live(node, port).map((d) => d.ev.seq),
    waitLive: () => waitFor(() => cluster.stats().every((s) => s.state === "live"), "every session live"),
    async [Symbol.asyncDispose]() {
      cluster.stop();
      await srv.close();
    },
  };
}

/** 1..n */
export function range(n: number, from = 1): number[] {
  return Array.from({ length: n }, (_, i) => from + i);
}
