/**
 * The simulated nodes' monitoring servers (Interaction Proxy and T-Controller per node).
 *
 * @example
 * ```ts
 * import { startNodeServers } from "./server/mod.ts";
 * const srv = await startNodeServers({ basePort: 0, nodeIds: ["n1"], snapshot: () => [] });
 * await srv.close();
 * ```
 * @module
 */
export * from "./nodes.ts";
export * from "./ring.ts";
