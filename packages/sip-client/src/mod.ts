/**
 * @statd/sip-client — the SIP-cluster monitoring protocol (docs/protocol.md): event catalogue and
 * schemas, NDJSON codec, the resumable session state machine, backoff, and a cluster client over
 * an injected transport. Portable (no `bun:*`); the Bun socket adapter is `@statd/sip-client/bun`.
 *
 * @example
 * ```ts
 * import { checkEvent, LineSplitter, Session } from "@statd/sip-client";
 * ```
 * @module
 */
export * from "./backoff.ts";
export * from "./cluster.ts";
export * from "./codec.ts";
export * from "./counters.ts";
export * from "./link.ts";
export * from "./logger.ts";
export * from "./protocol.ts";
export * from "./ratelog.ts";
export * from "./sequencer.ts";
export * from "./session.ts";
export * from "./validate.ts";
