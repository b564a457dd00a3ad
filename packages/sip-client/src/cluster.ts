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
import { type LinkState, type LinkStats, SessionLink, type Transport } from "./link.ts";
import type { Logger } from "./logger.ts";
import type { PortKind, SipEvent } from "./protocol.ts";
import type { SessionOptions, StateInfo } from "./session.ts";

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
  /**
   * every state change of every session, synchronously and in order with that session's
   * `deliver` calls (docs/protocol.md "Validity and ordering")
   */
  onState?(nodeId: string, port: PortKind, state: LinkState, info: StateInfo): void;
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

  /**
   * True when every session is registered and live, its snapshot complete (what a readiness check
   * wants). Unlike {@link ClusterClient.live} it does not look at how recently a line arrived.
   */
  ready(): boolean {
    return this.links.every((l) => l.session.state === "live");
  }

  /**
   * Whether streams are usable: every session (no argument), every session of a node, or one
   * node's port. A stream is usable when `live` and complete lines keep arriving.
   */
  live(nodeId?: string, port?: PortKind): boolean {
    return this._select(nodeId, port).every((l) => l.live);
  }

  /**
   * Start streams over with a fresh snapshot (every session, a node's two, or one), each reported
   * to `onState` as a reset like a node restart, e.g. after an engine instance that held their
   * state restarted. Returns the number of sessions asked.
   */
  resync(nodeId?: string, port?: PortKind, reason = "resync requested"): number {
    const ls = this._select(nodeId, port);
    for (const l of ls) l.resync(reason);
    return ls.length;
  }

  private _select(nodeId?: string, port?: PortKind): SessionLink[] {
    const ls = this.links.filter(
      (l) =>
        (nodeId === undefined || l.options.nodeId === nodeId) &&
        (port === undefined || l.options.port === port),
    );
    if (nodeId !== undefined && ls.length === 0) throw new RangeError(`unknown node "${nodeId}"`);
    return ls;
  }

  /** The link of one node's port. */
  link(nodeId: string, port: PortKind): SessionLink | undefined {
    return this.links.find((l) => l.options.nodeId === nodeId && l.options.port === port);
  }
}
