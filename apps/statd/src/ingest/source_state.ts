/**
 * What a SIP session's state change means for the statistics, written once for the daemon's
 * session holder and `statd watch` (docs/protocol.md §6, "Validity and ordering"):
 *
 * - a session that leaves `live`/`snapshot` (disconnected, connecting, registering,
 *   reset-pending) → `down`: the statistics its stream feeds are `valid:false`;
 * - registered on a fresh stream (not resumed: the node restarted, or a snapshot was asked for)
 *   → `reset` then `up`, before the snapshot's events: what the stream built is dropped and the
 *   snapshot is the truth;
 * - resumed → `up`.
 *
 * @example
 * ```ts
 * import { sourceOps } from "./source_state.ts";
 * sourceOps(false, "snapshot", { resumed: false }); // { ops: ["reset", "up"], up: true }
 * sourceOps(true, "disconnected", {});              // { ops: ["down"], up: false }
 * ```
 * @module
 */
import type { StateInfo } from "@statd/sip-client";
import type { SourceOp } from "../wire/records.ts";

/** The operations a state change calls for, and whether the stream is up after it. */
export function sourceOps(wasUp: boolean, state: string, info: StateInfo): { ops: SourceOp[]; up: boolean } {
  if (state === "live" || state === "snapshot") {
    if (info.resumed === false) return { ops: ["reset", "up"], up: true };
    return { ops: wasUp ? [] : ["up"], up: true };
  }
  return { ops: wasUp ? ["down"] : [], up: false };
}
