/**
 * A client over a whole SIP cluster: two sessions per node (Interaction Proxy and T-Controller),
 * all connected at once, each reconnecting on its own, with one delivery callback
 * `(nodeId, port, event)` and per-session counters. Portable (transport and timers injected);
 * `connectCluster` in `src/bun/` wires Bun sockets and pino.
 *
 * Each delivered event gets `node` set to its node id.
 *
 * @example
 * ```ts
 * const c = new ClusterClient(
 *   [{ id: "n1", interactionProxy: "127.0.0.1:7000", tController: "127.0.0.1:7001" }],
 *   { client: "statd", transport, deliver: (node, port, ev) => console.log(node, port, ev.event) },
 * );
 * c.start();
 * ```
 * @module
 */
import { type BackoffOptions, realTimers, type Timers } from "./backoff.ts";
import { type LinkStats, SessionLink, type Transport } from "./link.ts";
import type { Logger } from "./logger.ts";
import type { PortKind, SipEvent } from "./protocol.ts";
import type { SessionOptions, SessionState, StateInfo } from "./session.ts";

/** One node's two monitoring addresses, `"HOST:PORT"` (the shape of `[[sip.nodes]]`). */
export interface NodeAddress {
  id: string;
  interactionProxy: string;
  tController: string;
}

/** Options shared by every session of the cluster. */
export interface ClusterOptions
  extends Omit<SessionOptions, "nodeId" | "port" | "sessionId" | "lastSeq" | "logger"> {
  transport: Transport;
  timers?: Timers;
  logger?: Logger;
  backoff?: BackoffOptions;
  tickMs?: number;
  /** resume positions per session, e.g. from a checkpoint: key `${nodeId}/${port}` */
  resume?: Record<string, { sessionId: string; lastSeq?: number }>;
  deliver(nodeId: string, port: PortKind, ev: SipEvent): void;
  onState?(nodeId: string, port: PortKind, state: SessionState | "connecting", info: StateInfo): void;
}

/** Split `"HOST:PORT"` (IPv6 as `[::1]:7000`). @example `parseAddress("127.0.0.1:7000")` */
export function parseAddress(addr: string): { host: string; port: number } {
  const m = /^\[?([^\]]*?)\]?:(\d{1,5})$/.exec(addr);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m?.[1] || !(port >= 0 && port <= 65535))
    throw new RangeError(`bad address "${addr}" (want HOST:PORT)`);
  return { host: m[1], port };
}

/** The cluster client; see the module doc. */
export class ClusterClient {
  readonly links: SessionLink[] = [];

  constructor(
    readonly nodes: readonly NodeAddress[],
    options: ClusterOptions,
  ) {
    const ids = new Set<string>();
    for (const n of nodes) {
      if (ids.has(n.id)) throw new RangeError(`duplicate node id "${n.id}"`);
      ids.add(n.id);
      for (const port of ["interactionProxy", "tController"] as const) {
        const { host, port: portNumber } = parseAddress(n[port]);
        const nodeId = n.id;
        const resume = options.resume?.[`${nodeId}/${port}`];
        this.links.push(
          new SessionLink({
            ...options,
            nodeId,
            port,
            host,
            portNumber,
            sessionId: resume?.sessionId,
            lastSeq: resume?.lastSeq,
            logger: options.logger,
            timers: options.timers ?? realTimers,
            deliver: (ev) => {
              ev.node = nodeId;
              options.deliver(nodeId, port, ev);
            },
            onState: (s, info) => options.onState?.(nodeId, port, s, info),
          }),
        );
      }
    }
  }

  /** Connect every session. */
  start(): this {
    for (const l of this.links) l.start();
    return this;
  }

  /** Close every session; no reconnects. */
  stop(): void {
    for (const l of this.links) l.stop();
  }

  /** Every session's state, position and counters. */
  stats(): LinkStats[] {
    return this.links.map((l) => l.stats());
  }

  /** True when every session is registered and live (what a readiness check wants). */
  ready(): boolean {
    return this.links.every((l) => l.session.state === "live");
  }

  /** The link of one node's port. */
  link(nodeId: string, port: PortKind): SessionLink | undefined {
    return this.links.find((l) => l.options.nodeId === nodeId && l.options.port === port);
  }
}
