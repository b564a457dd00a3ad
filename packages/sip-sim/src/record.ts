import type { SimEvent } from "./types.ts";

/**
 * One `--record` line (without the newline): the node id, the port kind, the sequence number,
 * then the event fields exactly as sent on the wire.
 *
 * @example
 * ```ts
 * recordLine({ node: "node1", port: "tController", seq: 1, body: { event: "EventAgentReady", time: 1767600000 } });
 * // '{"node":"node1","port":"tController","seq":1,"event":"EventAgentReady","time":1767600000}'
 * ```
 */
export function recordLine(ev: SimEvent): string {
  return JSON.stringify({ node: ev.node, port: ev.port, seq: ev.seq, ...ev.body });
}
