/**
 * The interface of the client session state machine ({@link Session} in `session.ts`): its
 * states, the details reported with a state change, its outputs and its options
 * (docs/protocol.md §6, "Validity and ordering").
 *
 * @example
 * ```ts
 * import type { SessionIO, SessionState } from "./session-types.ts";
 * const usable = (s: SessionState) => s === "live";
 * const io: SessionIO = { send: () => {}, deliver: () => {}, close: () => {} };
 * ```
 * @module
 */
import type { BackoffOptions } from "./backoff.ts";
import type { Logger } from "./logger.ts";
import type { PortKind, SipEvent } from "./protocol.ts";

/**
 * Where the session is (docs/protocol.md §6). Only `live` means the stream is usable: registered,
 * the snapshot of a fresh stream complete, and complete lines arriving.
 *
 * - `disconnected`: no connection.
 * - `registering`: `register` sent, waiting for `registered` (events arriving now are ignored).
 * - `reset-pending`: the position must be re-established (a gap, a protocol error) and the
 *   re-registration waits for its backoff; events arriving now are ignored.
 * - `snapshot`: a fresh registration asked for a snapshot; it has not ended yet.
 * - `live`: live events are delivered.
 */
export type SessionState = "disconnected" | "registering" | "reset-pending" | "snapshot" | "live";

/** Details of a state change. */
export interface StateInfo {
  /** why (on `disconnected`, and on a re-registration) */
  reason?: string;
  /** on `live`/`snapshot` right after `registered`: whether the stream resumed */
  resumed?: boolean;
  /**
   * true when the stream did NOT continue from where this session was: everything derived from
   * this stream before is stale; the snapshot (if asked for) that follows describes current state.
   */
  reset?: boolean;
  /** last delivered seq */
  lastSeq?: number;
  /** on `reset-pending`: ms until the re-registration is sent */
  retryInMs?: number;
}

/** The outputs of the machine. */
export interface SessionIO {
  /** write one line (already terminated with `\n`) to the connection */
  send(line: string): void;
  /** an event, validated; live events exactly once in seq order, snapshot events flagged */
  deliver(ev: SipEvent): void;
  /** drop the connection (the adapter then calls `disconnected`) */
  close(reason: string): void;
  /** the state changed */
  state?(state: SessionState, info: StateInfo): void;
}

/** Session options; every timing has the documented default. */
export interface SessionOptions {
  /** client name sent in `register` */
  client: string;
  /** node id (for logs and counters) */
  nodeId: string;
  /** which port this session talks to (events the port does not carry are refused) */
  port: PortKind;
  /** the session id; default a random one. Reuse it (with `lastSeq`) to resume after a restart. */
  sessionId?: string;
  /** resume position to start from (e.g. a checkpoint); default none (fresh start with snapshot) */
  lastSeq?: number;
  /** ask for a snapshot when the stream does not resume (default true) */
  snapshot?: boolean;
  /** pass only these userData keys (empty: strip all); default all */
  udataKeys?: readonly string[];
  /** ack after this many delivered events (default 1000) */
  ackEvery?: number;
  /** ack at least this often while events arrive, ms (default 1000) */
  ackIntervalMs?: number;
  /** ping interval, ms (default 1000) */
  pingIntervalMs?: number;
  /** silence that means the link is dead, ms (default 5000) */
  deadAfterMs?: number;
  /** how long to wait for `registered`, ms (default 5000) */
  registerTimeoutMs?: number;
  /** how far ahead of a hole events are held for reordering (default 64) */
  reorderWindow?: number;
  /** how long a hole may stay open before it is a gap, ms (default 1000) */
  gapTimeoutMs?: number;
  /**
   * throttle of re-registrations on the same connection (gap repair, protocol errors): the first
   * after a quiet `maxMs` goes out at once, the next ones after this backoff (default the
   * reconnect backoff: 100 ms·2ⁿ, cap 10 s, equal jitter)
   */
  reregisterBackoff?: BackoffOptions;
  /** refuse events the port does not carry (default true) */
  checkPort?: boolean;
  /** bad frames logged per second at most; the rest are counted and summarised (default 10) */
  logBurst?: number;
  logger?: Logger;
  /** line limit in bytes (default 64 KiB) */
  maxLineBytes?: number;
}
