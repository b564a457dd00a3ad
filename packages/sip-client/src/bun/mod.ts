/**
 * The Bun edge of sip-client: TCP transport, socket back-pressure, and {@link connectCluster},
 * which connects to every node of a SIP cluster (both ports) with real timers and a pino logger.
 *
 * @example
 * ```ts
 * import { connectCluster } from "@statd/sip-client/bun";
 * const cluster = connectCluster(
 *   [{ id: "n1", interactionProxy: "127.0.0.1:7000", tController: "127.0.0.1:7001" }],
 *   { client: "statd", deliver: (node, port, ev) => console.log(node, port, ev.seq, ev.event) },
 * );
 * // later: cluster.stats(); cluster.stop();
 * ```
 * @module
 */
import pino from "pino";
import { realTimers } from "../backoff.ts";
import { ClusterClient, type ClusterOptions, type NodeAddress } from "../cluster.ts";
import { bunTransport } from "./transport.ts";

export { bunTransport } from "./transport.ts";
export { SocketWriter, type WritableSocket } from "./writer.ts";

/** Options of {@link connectCluster}: the cluster's, with transport, timers and logger defaulted. */
export type ConnectClusterOptions = Omit<ClusterOptions, "transport"> &
  Partial<Pick<ClusterOptions, "transport">>;

/** Connect to every node (both ports) and keep the sessions alive. Returns the started client. */
export function connectCluster(nodes: readonly NodeAddress[], opts: ConnectClusterOptions): ClusterClient {
  return new ClusterClient(nodes, {
    ...opts,
    transport: opts.transport ?? bunTransport(),
    timers: opts.timers ?? realTimers,
    logger: opts.logger ?? pino({ name: "sip-client" }),
  }).start();
}
