/**
 * Fault commands typed on stdin (`--stdin-commands`), one per line:
 *
 * ```text
 * restart NODE                  restart a node (its calls end, its agents re-register)
 * drop [NODE [PORT]]            drop connections (all, a node's, a port's)
 * delay MS | duplicate P | reorder N
 * malformed NODE PORT [KIND]    send one malformed line
 * stats                         log counters
 * ```
 */
import { MALFORMED_KINDS } from "./scenario.ts";
import type { FaultAction, PortKind } from "./types.ts";

/** A parsed command: a fault, or `stats`. */
export type Command = FaultAction | { action: "stats" };

const PORTS: readonly string[] = ["interactionProxy", "tController"];

/**
 * Parse one command line; throws `Error` with a one-line message for a bad one.
 *
 * @example
 * ```ts
 * parseCommand("restart node2"); // { action: "restartNode", node: "node2" }
 * ```
 */
export function parseCommand(line: string, nodeIds: readonly string[]): Command {
  const w = line.trim().split(/\s+/);
  const node = (i: number): string => {
    const n = w[i];
    if (n === undefined || !nodeIds.includes(n))
      throw new Error(`unknown node ${n ?? "(none)"} (nodes: ${nodeIds.join(", ")})`);
    return n;
  };
  const port = (i: number): PortKind => {
    const p = w[i];
    if (p === undefined || !PORTS.includes(p))
      throw new Error(`port must be interactionProxy or tController`);
    return p as PortKind;
  };
  const number = (i: number, min: number, max: number): number => {
    const x = Number(w[i]);
    if (w[i] === undefined || !Number.isFinite(x) || x < min || x > max)
      throw new Error(`expected a number in ${min}..${max}`);
    return x;
  };
  switch (w[0]) {
    case "restart":
      return { action: "restartNode", node: node(1) };
    case "drop":
      return {
        action: "dropConnections",
        node: w[1] === undefined ? undefined : node(1),
        port: w[2] === undefined ? undefined : port(2),
      };
    case "delay":
      return { action: "setDelay", ms: number(1, 0, 60_000) };
    case "duplicate":
      return { action: "setDuplicate", prob: number(1, 0, 1) };
    case "reorder":
      return { action: "setReorder", bound: Math.floor(number(1, 0, 10_000)) };
    case "malformed": {
      const kind = w[3] ?? "invalid-json";
      if (!(MALFORMED_KINDS as readonly string[]).includes(kind))
        throw new Error(`kind must be one of ${MALFORMED_KINDS.join(", ")}`);
      return { action: "sendMalformed", node: node(1), port: port(2), kind };
    }
    case "stats":
      return { action: "stats" };
    default:
      throw new Error(
        `unknown command ${w[0] ?? ""} (restart, drop, delay, duplicate, reorder, malformed, stats)`,
      );
  }
}
